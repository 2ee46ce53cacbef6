"""The webhook server: Telegram posts updates here (through the reverse proxy) and they go to the Application's
update queue, as in python-telegram-bot's customwebhookbot example. It also answers the health checks.

    POST <path>   an update; 403 without the right secret, 400 for what is not an update, 413 when too big,
                  503 while this instance is the standby (Telegram posts it again, to whichever is active)
    GET /healthz  200 while the process is alive
    GET /readyz   200 when the database answers and this instance is the active one, else 503
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from typing import Any

from aiohttp import web
from sqlalchemy import text as sql
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Update
from telegram.ext import Application

from bot.config import WebhookConfig

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookServer:
    def __init__(self, config: WebhookConfig, engine: AsyncEngine) -> None:
        self.config = config
        self.engine = engine
        self.application: Application[Any, Any, Any, Any, Any, Any] | None = None  # set while active
        self._runner: web.AppRunner | None = None

    def web_app(self) -> web.Application:
        app = web.Application(client_max_size=self.config.max_body_bytes)
        app.router.add_post(self.config.path, self._update)
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        return app

    async def start(self) -> None:
        self._runner = web.AppRunner(self.web_app(), access_log=None, shutdown_timeout=10.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.config.listen, self.config.port).start()
        log.info("webhook server listening on %s%s", self._runner.addresses[0], self.config.path)

    async def stop(self) -> None:
        """Stop taking requests; those in hand finish first."""
        if self._runner is not None:
            await self._runner.cleanup()

    async def _update(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not self.config.secret or not hmac.compare_digest(given.encode(), self.config.secret.encode()):
            return web.Response(status=403)
        application = self.application
        if application is None:
            return web.Response(status=503, text="standby")
        if request.content_length is not None and request.content_length > self.config.max_body_bytes:
            return web.Response(status=413)
        try:
            body = json.loads(await request.read())
        except web.HTTPRequestEntityTooLarge:
            return web.Response(status=413)
        except (ValueError, UnicodeDecodeError):
            return web.Response(status=400, text="not JSON")
        if not isinstance(body, dict) or type(body.get("update_id")) is not int:
            return web.Response(status=400, text="not an update")
        try:
            update = Update.de_json(body, application.bot)
        except Exception:  # PTB raises whatever the malformed field provokes
            log.warning("webhook body %s is not a valid update", body.get("update_id"), exc_info=True)
            return web.Response(status=400, text="not an update")
        await application.update_queue.put(update)
        return web.Response(status=200)

    async def _healthz(self, _request: web.Request) -> web.Response:
        return web.Response(text="alive")

    async def _readyz(self, _request: web.Request) -> web.Response:
        if self.application is None:
            return web.Response(status=503, text="standby")
        try:
            async with asyncio.timeout(2):
                async with self.engine.connect() as connection:
                    await connection.execute(sql("SELECT 1"))
        except Exception as error:  # any database failure means not ready
            return web.Response(status=503, text=f"database: {type(error).__name__}")
        return web.Response(text="ready")
