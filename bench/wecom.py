"""CPU per WeCom callback: a member's text, encrypted and posted by the WeCom emulator, decrypted, read and
accepted by the callback URL, answered with one message/send to the emulator, all in this one process.

.venv/bin/python bench/wecom.py [CALLBACKS]

Prints three figures, each in CPU µs per callback: the whole round trip over HTTP (both sides: the emulator's
encryption and HTTP serving count too), the app's side without HTTP (signature, decryption, XML, de-duplication,
`accept`, and the message/send call it makes), and decryption and parsing alone.
"""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import UTC, datetime

from bot.clock import ManualClock
from handlers.wecom.events import WeComEvent, event_from_xml
from tests.wecom_world import WeComWorld, wecom_world


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


if __name__ == "__main__":
    asyncio.run(run(int(sys.argv[1]) if len(sys.argv) > 1 else 2000))
