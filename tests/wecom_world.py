"""A WeCom world for tests: the WeCom emulator, the app's callback URL served locally (as the bot will serve it)
with an `accept` that records what reaches it, and a client for the app's API calls, all on one settable clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from aiohttp import web

from bot.clock import ManualClock
from bot.config import WeComConfig
from handlers.wecom.callback import WeComCallback
from handlers.wecom.client import WeComClient
from handlers.wecom.crypto import WeComCrypto
from handlers.wecom.emulator import WeComEmulator, WeComEmulatorServer
from handlers.wecom.events import WeComEvent

CORP_ID = "ww5823bf96d3bd56c7"
AGENT_ID = 1000002
SECRET = "app-secret-for-tests"
TOKEN = "QDG6eK"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"


@dataclass
class WeComWorld:
    emulator: WeComEmulator
    client: WeComClient
    callback: WeComCallback
    callback_url: str
    accepted: list[WeComEvent] = field(default_factory=list)
    failures_left: int = 0  # accept raises this many times before it takes events again

    async def accept(self, event: WeComEvent) -> None:
        if self.failures_left > 0:
            self.failures_left -= 1
            raise RuntimeError("the inbox is down")
        self.accepted.append(event)


@asynccontextmanager
async def wecom_world(clock: ManualClock, **emulator_options: object) -> AsyncIterator[WeComWorld]:
    emulator = WeComEmulator(CORP_ID, SECRET, AGENT_ID, TOKEN, AES_KEY, clock=clock, **emulator_options)  # type: ignore[arg-type]
    server = WeComEmulatorServer(emulator)
    url = await server.start()
    config = WeComConfig(CORP_ID, AGENT_ID, SECRET, TOKEN, AES_KEY, api_base_url=url)
    client = WeComClient(config, clock=clock)
    world = WeComWorld(emulator, client, None, "")  # type: ignore[arg-type]
    world.callback = WeComCallback(WeComCrypto(TOKEN, AES_KEY, CORP_ID), world.accept, clock, agent_id=AGENT_ID)
    app = web.Application()
    world.callback.add_routes(app, config.callback_path)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    world.callback_url = f"http://127.0.0.1:{runner.addresses[0][1]}{config.callback_path}"
    emulator.set_callback_url(world.callback_url)
    try:
        yield world
    finally:
        await client.close()
        await runner.cleanup()
        await server.stop()
