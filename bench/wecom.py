"""CPU per WeCom callback, and per update the real bot handles in Telegram and in WeCom, side by side.

.venv/bin/python bench/wecom.py [--callbacks 2000] [--updates 1000] [--quick]

First, with a trivial handler: a member's text, encrypted and posted by the WeCom emulator, decrypted, read and
accepted by the callback URL, answered with one message/send to the emulator, all in this one process. Three
figures, each in CPU µs per callback: the whole round trip over HTTP (both sides: the emulator's encryption and HTTP
serving count too), the app's side without HTTP (signature, decryption, XML, de-duplication, `accept`, and the
message/send call it makes), and decryption and parsing alone.

Then the real bot, `talkledger run` in a process of its own on a SQLite database of 1,000 people (bench/mix.py's
seed and mix: questions in words, /items, /help, /me, /mytalks, /log, /cancel, item buttons), once polling the Bot
API emulator and once a WeCom app taking the WeCom emulator's callbacks (decrypt, store in the inbox, handle, send
through message/send). Both emulators run in this process, so the figures (bench/mix.py's: CPU per update from
the bot process's own CPU time, throughput, latency at 300 updates/s, memory) are the bot's alone. In WeCom the
people are members linked by the roster's 企业微信账号; an item button is a card the bench sends them first.
--quick: fewer of everything, a smoke test.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import String, cast, update

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.mix import PEOPLE, SANDBOX_TOKEN, Action, Load, measure, seed, start_emulator, write_config  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.config import WeComConfig  # noqa: E402
from handlers.wecom import cards  # noqa: E402
from handlers.wecom.client import WeComClient  # noqa: E402
from handlers.wecom.emulator import WeComEmulator, WeComEmulatorServer  # noqa: E402
from handlers.wecom.events import WeComEvent, event_from_xml  # noqa: E402
from handlers.wecom.poster import PostedCallback  # noqa: E402
from storage.db import open_engine  # noqa: E402
from storage.models import Person  # noqa: E402
from tests.conftest import free_port  # noqa: E402
from tests.wecom_world import AES_KEY, AGENT_ID, CORP_ID, SECRET, TOKEN, WeComWorld, wecom_world  # noqa: E402

TALKLEDGER = "from handlers.main import main; raise SystemExit(main())"


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


@dataclass
class WeComLoad:
    """bench/mix.py's Load for WeCom: each action a member's callback; the reply, the bot's first call for them."""

    emulator: WeComEmulator
    client: WeComClient  # the bench's own, to show a member an item's card before they press it
    waiting: dict[str, tuple[float, asyncio.Future[float]]] = field(default_factory=dict)
    _posting: set[asyncio.Future[PostedCallback]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.emulator.observer = self.observe

    def observe(self, call: dict[str, Any]) -> None:
        body = call.get("body") or {}
        user = str(body.get("touser") or "|".join(body.get("userids") or []))
        found = self.waiting.pop(user, None)
        if found is not None and not found[1].done():
            found[1].set_result(time.perf_counter() - found[0])

    async def act(self, action: Action) -> asyncio.Future[float]:
        user = member(action.user)
        reply: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        if action.item:
            key, task_id = f"it:{action.item}:ack", cards.new_task_id()
            await self.client.send_card(user, cards.render_card("事项", [("收到", key)], task_id))
            self._wait(user, reply)
            self._post(self.emulator.press(user, task_id, key))
        else:
            self._wait(user, reply)
            self._post(self.emulator.send_text(user, action.text))
        return reply

    def _post(self, callback: Coroutine[Any, Any, PostedCallback]) -> None:
        """Posted without waiting for the answer, as WeCom posts many members' callbacks at once (and as the Bot
        API emulator queues an update): throughput and latency are comparable with Telegram's."""
        task = asyncio.ensure_future(callback)
        self._posting.add(task)
        task.add_done_callback(self._posting.discard)

    def _wait(self, user: str, reply: asyncio.Future[float]) -> None:
        if user in self.waiting:
            reply.set_result(float("nan"))  # this member already waits for a reply: this one cannot be told apart
        else:
            self.waiting[user] = (time.perf_counter(), reply)


def member(index: int) -> str:
    """The UserID of bench/mix.py's person `index` (Person.id = index + 1)."""
    return f"m{index + 1}"


async def as_wecom_members(url: str) -> None:
    """The seed's people as WeCom members: a 企业微信账号 each and no Telegram account, so each is linked on their
    first callback."""
    engine = open_engine(url)
    async with engine.begin() as connection:
        user_id = "m" + cast(Person.id, String)
        await connection.execute(update(Person).values(telegram_user_id=None, wecom_user_id=user_id))
    await engine.dispose()


async def bots(updates: int) -> None:
    command = [sys.executable, "-c", TALKLEDGER, "--config"]
    with tempfile.TemporaryDirectory(prefix="bench-wecom-") as folder:
        print(f"the bot, SQLite, {PEOPLE} people, bench/mix.py's mix:", flush=True)
        url = f"sqlite+aiosqlite:///{Path(folder) / 'telegram.db'}"
        await seed(url)
        emulator, server = await start_emulator()
        try:
            config = write_config(
                folder, url, f'[telegram]\ntoken = "{SANDBOX_TOKEN}"\napi_base_url = "{server.url}"\n'
            )
            telegram = await measure("Telegram", [*command, str(config), "run"], "talkledger", Load(emulator), updates)
        finally:
            await server.stop()

        url = f"sqlite+aiosqlite:///{Path(folder) / 'wecom.db'}"
        await seed(url)
        await as_wecom_members(url)
        wecom_emulator = WeComEmulator(CORP_ID, SECRET, AGENT_ID, TOKEN, AES_KEY)
        wecom_server = WeComEmulatorServer(wecom_emulator)
        api = await wecom_server.start()
        port = free_port()
        wecom_emulator.set_callback_url(f"http://127.0.0.1:{port}/wecom/callback")
        client = WeComClient(WeComConfig(CORP_ID, AGENT_ID, SECRET, TOKEN, AES_KEY, api_base_url=api))
        table = (
            f'[wecom]\ncorp_id = "{CORP_ID}"\nagent_id = {AGENT_ID}\nsecret = "{SECRET}"\ntoken = "{TOKEN}"\n'
            f'encoding_aes_key = "{AES_KEY}"\napi_base_url = "{api}"\nport = {port}\n'
        )
        try:
            config = write_config(folder, url, table)
            load = WeComLoad(wecom_emulator, client)
            wecom = await measure("WeCom", [*command, str(config), "run"], "talkledger", load, updates)
        finally:
            await client.close()
            await wecom_server.stop()
    print(f"  CPU per update: WeCom / Telegram = ×{wecom / telegram:.2f}", flush=True)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--callbacks", type=int, default=2000, help="callbacks with the trivial handler")
    parser.add_argument("--updates", type=int, default=1000, help="updates of the mix for the real bot")
    parser.add_argument("--quick", action="store_true", help="a smoke test: 50 callbacks, 100 updates")
    arguments = parser.parse_args()
    callbacks, updates = (50, 100) if arguments.quick else (arguments.callbacks, arguments.updates)
    await run(callbacks)
    await bots(updates)


if __name__ == "__main__":
    asyncio.run(main())
