"""The bot in WeCom: the same Application as in Telegram (handlers/telegram/app.py), its Bot API calls carried to
WeCom by the bridge, and WeCom's callbacks stored in the inbox before they are answered."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiohttp import web

from bot.clock import Clock, SystemClock
from bot.config import Config, WeComConfig
from bot.i18n import text
from bot.lease import Fence, always
from handlers.telegram.app import TalkApplication, active
from handlers.wecom.bridge import WeComBridge, WeComRequest
from handlers.wecom.callback import WeComCallback
from handlers.wecom.client import WeComClient
from handlers.wecom.crypto import WeComCrypto
from handlers.wecom.errors import WeComError
from handlers.wecom.events import WeComEvent
from storage.db import open_engine

log = logging.getLogger(__name__)


class NotActive(Exception):
    """This instance may not take updates now: the callback is answered with an error, and WeCom brings it again."""


@dataclass
class WeComRuntime:
    application: TalkApplication
    bridge: WeComBridge
    callback_url: str  # where this instance takes callbacks (behind the reverse proxy that WeCom calls)


@asynccontextmanager
async def running(
    config: Config,
    wecom: WeComConfig,
    clock: Clock | None = None,
    *,
    port: int | None = None,
    fence: Fence = always,
) -> AsyncIterator[WeComRuntime]:
    """The bot active in WeCom until the block ends, taking callbacks at wecom.listen:port + callback_path (the
    configured port unless another is given; 0 picks a free one)."""
    clock = clock or SystemClock()
    engine = open_engine(config.database_url, config.database)  # the bridge's own: account numbers
    client = WeComClient(wecom, clock=clock)
    language = config.organisation.default_language
    name = config.telegram.bot_username or "talkledger"
    bridge = WeComBridge(client, engine, clock, language=language, bot_name=name)
    token = f"{wecom.agent_id}:wecom-{wecom.corp_id}"  # PTB wants a token; nothing is sent with it
    runner: web.AppRunner | None = None
    try:
        async with active(config, clock, token=token, request=WeComRequest(bridge), fence=fence) as (app, inbox):
            # No links into a WeCom chat: an invite is the line to type, /start CODE (enrollment.deep_link).
            app.bot_data["services"] = dataclasses.replace(app.bot_data["services"], bot_username="")

            async def accept(event: WeComEvent) -> None:
                if not inbox.fence():
                    raise NotActive  # answered as a failure: WeCom tries again, perhaps at the other instance
                update = await bridge.update(event)
                if update is not None:
                    await inbox.accept([update])

            callback = WeComCallback(
                WeComCrypto(wecom.token, wecom.encoding_aes_key, wecom.corp_id), accept, clock, agent_id=wecom.agent_id
            )
            web_app = web.Application()
            callback.add_routes(web_app, wecom.callback_path)
            runner = web.AppRunner(web_app, access_log=None, shutdown_timeout=5.0)
            await runner.setup()
            await web.TCPSite(runner, wecom.listen, wecom.port if port is None else port).start()
            host, bound = runner.addresses[0][:2]
            url = f"http://{host}:{bound}{wecom.callback_path}"
            await _create_menu(client, wecom.agent_id, language)
            log.info("talkledger is running in WeCom, taking callbacks at %s", url)
            try:
                yield WeComRuntime(app, bridge, url)
            finally:
                await runner.cleanup()  # no new callbacks; what the inbox holds is handled as the bot stops
                runner = None
    finally:
        if runner is not None:
            await runner.cleanup()
        await client.close()
        await engine.dispose()


@asynccontextmanager
async def in_wecom(
    config: Config, clock: Clock | None = None, *, fence: Fence = always
) -> AsyncIterator[TalkApplication]:
    """The configured WeCom app's bot, as `serve` runs it (handlers/telegram/app.py)."""
    assert config.wecom is not None
    async with running(config, config.wecom, clock, fence=fence) as runtime:
        yield runtime.application


async def _create_menu(client: WeComClient, agent_id: int, language: str) -> None:
    """The app menu: one for every member (WeCom has no menu per person); a command a person may not use is
    refused with the reason, as when typed."""

    def item(command: str) -> dict[str, str]:
        return {"type": "click", "name": text(language, f"wecom.menu.{command}"), "key": f"/{command}"}

    more = {"name": text(language, "wecom.menu.more"), "sub_button": [item(c) for c in ("stats", "mytalks", "help")]}
    try:
        await client.create_menu(agent_id, {"button": [item("log"), item("items"), more]})
    except WeComError as error:  # the menu is a convenience: typed commands work without it
        log.warning("could not set the WeCom app menu: %s", error)
