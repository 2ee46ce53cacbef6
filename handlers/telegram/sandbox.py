"""`talkledger try` in Telegram: the Bot API emulator, the bot polling it, and the demo people as its users (the
terminal is handlers/sandbox.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.clock import ShiftedClock
from bot.config import Config, TelegramConfig
from bot.i18n import text
from handlers.sandbox import DEMO_ROSTER, SandboxChat, SandboxUser, seed_demo
from handlers.telegram.app import running
from handlers.telegram.emulator import Emulator, EmulatorServer
from handlers.telegram.transcript import ChatUser, EmulatorClient

__all__ = ["DEMO_ROSTER", "SANDBOX_TOKEN", "TelegramSandbox", "seed_demo"]  # the demo, where tests look for it

SANDBOX_TOKEN = "100001:SANDBOX-token-not-for-telegram-000"
FIRST_USER_ID = 1001


class TelegramSandbox:
    @asynccontextmanager
    async def start(self, config: Config, clock: ShiftedClock, names: list[str]) -> AsyncIterator[SandboxChat]:
        language = config.organisation.default_language
        emulator = Emulator(token=SANDBOX_TOKEN)
        server = EmulatorServer(emulator)
        url = await server.start()
        demo = dataclasses.replace(
            config, telegram=TelegramConfig(token=SANDBOX_TOKEN, api_base_url=url, bot_username=emulator.bot_username)
        )
        try:
            async with running(demo, clock, poll_timeout=1) as application, EmulatorClient(url) as client:
                users: list[SandboxUser] = [
                    ChatUser(client, application, FIRST_USER_ID + index, name, language_code=language)
                    for index, name in enumerate(names)
                ]
                yield SandboxChat(application, users, text(language, "sandbox.intro", url=url), toasts=True)
        finally:
            await server.stop()
