"""CPU per WeCom callback, and per update the real bot handles in Telegram and in WeCom, side by side.

.venv/bin/python bench/wecom.py [--callbacks 2000] [--rounds 40] [--quick]

First, with a trivial handler: a member's text, encrypted and posted by the WeCom emulator, decrypted, read and
accepted by the callback URL, answered with one message/send to the emulator, all in this one process. Three
figures, each in CPU µs per callback: the whole round trip over HTTP (both sides: the emulator's encryption and HTTP
serving count too), the app's side without HTTP (signature, decryption, XML, de-duplication, `accept`, and the
message/send call it makes), and decryption and parsing alone.

Then the real bot on a demo database (the sandbox's roster and messengers, handlers/*/sandbox.py), once through the
Bot API emulator and once through the WeCom emulator (decrypt, store in the inbox, handle, send), for the same mix:
each round, three linked people each send /help, /items, a question in words and /lang, and press a button of the
language card. CPU µs and wall ms per handled update, from this process's CPU time: the emulator and the people
acting through it are in the figure on both sides (Telegram's people read their chat over the emulator's HTTP
control API, WeCom's read the emulator's memory). --quick: a few rounds, a smoke test.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.clock import ManualClock, ShiftedClock  # noqa: E402
from bot.config import Config, OutboxConfig  # noqa: E402
from handlers.sandbox import SandboxMessenger, SandboxUser, seed_demo  # noqa: E402
from handlers.telegram.sandbox import TelegramSandbox  # noqa: E402
from handlers.wecom.events import WeComEvent, event_from_xml  # noqa: E402
from handlers.wecom.sandbox import WeComSandbox  # noqa: E402
from tests.wecom_world import WeComWorld, wecom_world  # noqa: E402

MIX = ["/help", "/items", "本月约谈多少次", "/lang"]  # then a press on the language card
PEOPLE = 3  # the demo's first three: the commission's secretary and two leaders


async def run(count: int) -> None:
    clock = ManualClock(datetime(2025, 3, 5, 7, 0, tzinfo=UTC))
    async with wecom_world(clock) as world:
        handled = 0

        async def accept(event: WeComEvent) -> None:  # a trivial handler: answer every text at once
            nonlocal handled
            handled += 1
            await world.client.send_text(event.user_id, "收到:" + event.text)

        world.callback.accept = accept
        await world.emulator.send_text("warmup", "热身")  # the token and the connections, outside the count

        started = time.process_time()
        for n in range(count):
            await world.emulator.send_text(f"member{n % 50}", f"约谈 第{n}次 落实整改")
        round_trip = (time.process_time() - started) / count * 1e6

        sealed = [
            world.emulator.poster.seal(_text_event(world, n)) for n in range(count)
        ]  # prepared first: only the app's side is counted below
        started = time.process_time()
        for callback in sealed:
            await world.callback.receive(callback.query, callback.body)
        app_side = (time.process_time() - started) / count * 1e6

        crypto = world.emulator.crypto
        started = time.process_time()
        for callback in sealed:
            encrypted = callback.body.split(b"<Encrypt><![CDATA[")[1].split(b"]]>")[0].decode()
            event_from_xml(
                crypto.decrypt_message(
                    callback.query["msg_signature"], callback.query["timestamp"], callback.query["nonce"], encrypted
                )
            )
        decrypt_parse = (time.process_time() - started) / count * 1e6

        sent = sum(len(records) for records in world.emulator.sent.values())
        assert handled == 2 * count + 1 and sent == handled, (handled, sent)
        print(f"wecom callbacks: {count} round trips, {sent} messages sent")
        print(f"  round trip over HTTP (emulator + app)  {round_trip:8.0f} CPU µs per callback")
        print(f"  app side (decrypt, read, accept, send) {app_side:8.0f} CPU µs per callback")
        print(f"  decrypt and parse alone                {decrypt_parse:8.0f} CPU µs per callback")


def _text_event(world: WeComWorld, n: int) -> dict[str, str | int]:
    return {
        "ToUserName": world.emulator.corp_id,
        "FromUserName": f"member{n % 50}",
        "CreateTime": int(world.emulator.now()),
        "MsgType": "text",
        "Content": f"直接 第{n}次",
        "MsgId": str(9_000_000_000 + n),
        "AgentID": world.emulator.agent_id,
    }


async def handled(messenger: SandboxMessenger, rounds: int) -> tuple[float, float, int]:
    """(CPU µs, wall ms) per update the bot handled, and how many, for `rounds` of the mix in this messenger."""
    with tempfile.TemporaryDirectory(prefix="bench-wecom-") as folder:
        config = dataclasses.replace(
            Config(),
            database_url=f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}",
            outbox=OutboxConfig(per_second=1000, per_chat_per_second=1000, sweep_seconds=0),  # the bot's cost shows
        )
        clock = ShiftedClock()
        invites = (await seed_demo(config, clock))[:PEOPLE]
        async with messenger.start(config, clock, [name for name, _, _ in invites]) as chat:
            for user, (name, _, code) in zip(chat.users, invites, strict=False):
                await user.send(f"/start {code}")
                assert name in str(user.replies[0].get("text")), user.replies
                await _round(user)  # warm-up: the first of each kind of update, outside the count
            count = 0
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(rounds):
                for user in chat.users:
                    count += await _round(user)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return cpu / count * 1e6, wall / count * 1e3, count


async def _round(user: SandboxUser) -> int:
    for said in MIX:
        replies = await user.send(said)
        assert replies, said  # every update of the mix is answered
    await user.press("中文")
    return len(MIX) + 1


async def bots(rounds: int) -> None:
    telegram_cpu, telegram_wall, count = await handled(TelegramSandbox(), rounds)
    wecom_cpu, wecom_wall, _ = await handled(WeComSandbox(), rounds)
    print(f"the bot, {count} updates each ({', '.join(MIX)}, a button press), SQLite:")
    print(f"  Telegram (Bot API emulator)          {telegram_cpu:8.0f} CPU µs {telegram_wall:6.1f} ms per update")
    print(f"  WeCom (decrypt, handle, send)        {wecom_cpu:8.0f} CPU µs {wecom_wall:6.1f} ms per update")
    print(f"  CPU per update: WeCom / Telegram = ×{wecom_cpu / telegram_cpu:.2f}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--callbacks", type=int, default=2000, help="callbacks with the trivial handler")
    parser.add_argument("--rounds", type=int, default=40, help="rounds of the mix for the real bot")
    parser.add_argument("--quick", action="store_true", help="a smoke test: 50 callbacks, 2 rounds")
    arguments = parser.parse_args()
    callbacks, rounds = (50, 2) if arguments.quick else (arguments.callbacks, arguments.rounds)
    await run(callbacks)
    await bots(rounds)


if __name__ == "__main__":
    asyncio.run(main())
