"""`talkledger try --messenger wecom`: the WeCom emulator, the bot taking its callbacks, and the demo people as
members of a made-up corp (the terminal is handlers/sandbox.py). Nothing reaches a real WeCom: the app's API base
URL and callback URL are the emulator's and a local port."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.clock import ShiftedClock
from bot.config import Config, TelegramConfig, WeComConfig
from bot.i18n import text
from handlers.sandbox import SandboxChat, SandboxUser
from handlers.wecom.app import running
from handlers.wecom.emulator import WeComEmulator, WeComEmulatorServer
from handlers.wecom.transcript import WeComChatUser

CORP_ID = "wwsandbox00000000"
AGENT_ID = 1000001
SECRET = "sandbox-secret-not-for-wecom"
TOKEN = "sandbox"
AES_KEY = "dGFsa2xlZGdlciBzYW5kYm94LCBub3QgZm9yIFdlQ29"  # 43 characters, as the admin console generates


class WeComSandbox:
    @asynccontextmanager
    async def start(self, config: Config, clock: ShiftedClock, names: list[str]) -> AsyncIterator[SandboxChat]:
        language = config.organisation.default_language
        emulator = WeComEmulator(CORP_ID, SECRET, AGENT_ID, TOKEN, AES_KEY, clock=clock)  # tokens expire on `:time`
        server = WeComEmulatorServer(emulator)
        url = await server.start()
        wecom = WeComConfig(CORP_ID, AGENT_ID, SECRET, TOKEN, AES_KEY, api_base_url=url)
        demo = dataclasses.replace(config, telegram=TelegramConfig(), wecom=wecom)
        try:
            async with running(demo, wecom, clock, port=0) as runtime:
                emulator.set_callback_url(runtime.callback_url)
                users: list[SandboxUser] = [
                    WeComChatUser(emulator, runtime.application, f"demo{index}", name, language_code=language)
                    for index, name in enumerate(names, start=1)
                ]
                yield SandboxChat(runtime.application, users, text(language, "sandbox.intro_wecom", url=url), False)
        finally:
            await server.stop()
