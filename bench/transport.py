"""Benchmark: CPU per Bot API call through PTB's httpx client and through ours on aiohttp
(handlers/telegram/transport.py).

    .venv/bin/python bench/transport.py [--calls 3000]

The emulator runs in a process of its own; this process only makes the calls, one after another, so its CPU time
is the client's. Prints CPU microseconds per sendMessage for each client. Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

from telegram import Bot
from telegram.request import BaseRequest, HTTPXRequest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from handlers.telegram.sandbox import SANDBOX_TOKEN  # noqa: E402
from handlers.telegram.transport import AiohttpRequest  # noqa: E402

SERVE = """
import asyncio, sys
from handlers.telegram.emulator import Emulator, EmulatorServer
async def serve():
    emulator = Emulator(token=sys.argv[1])
    emulator.chats[42] = {"id": 42, "type": "private", "first_name": "Ada"}
    server = EmulatorServer(emulator)
    print(await server.start(), flush=True)
    await asyncio.Event().wait()
asyncio.run(serve())
"""


async def cpu_per_call(url: str, transport: BaseRequest, calls: int) -> float:
    async with Bot(SANDBOX_TOKEN, base_url=f"{url}/bot", request=transport) as bot:
        for _ in range(200):  # warm-up: connections open, caches filled
            await bot.send_message(42, "你好")
        began = time.process_time()
        for _ in range(calls):
            await bot.send_message(42, "你好")
        return (time.process_time() - began) / calls * 1e6


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=3000)
    calls = parser.parse_args().calls
    root = Path(__file__).resolve().parent.parent
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-c", SERVE, SANDBOX_TOKEN, stdout=asyncio.subprocess.PIPE, cwd=root
    )
    assert server.stdout is not None
    url = (await server.stdout.readline()).decode().strip()
    try:
        for name, transport in (
            ("httpx (PTB's default)", HTTPXRequest()),
            ("aiohttp (handlers.telegram.transport)", AiohttpRequest()),
        ):
            print(f"{name}: CPU {await cpu_per_call(url, transport, calls):.0f} µs per sendMessage", flush=True)
    finally:
        server.terminate()
        await server.wait()


if __name__ == "__main__":
    asyncio.run(main())
