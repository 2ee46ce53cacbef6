"""The webhook server: Telegram posts updates here (through the reverse proxy); each is stored in the inbox and only
then answered 200 (handlers/telegram/inbox.py). It also answers the health checks.

    POST <path>   an update; 403 without the right secret, 400 for what is not an update (malformed JSON, nested
                  deeper than `max_depth`), 408 when the body does not arrive within `read_timeout_seconds`,
                  413 when too big, 503 while this instance is the standby (Telegram posts it again, to whichever
                  is active) or cannot store it (the database away)
    GET /healthz  200 while the process is alive
    GET /readyz   200 when the database answers and this instance is the active one, else 503

A client that has not sent a whole request head within `header_timeout_seconds` of connecting (or of its last
answer, on a kept-alive connection) is cut off: a slow client cannot hold connections open.
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
from telegram.ext import Application

from bot.config import WebhookConfig
from handlers.telegram.inbox import Inbox

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookServer:
    def __init__(self, config: WebhookConfig, engine: AsyncEngine) -> None:
        self.config = config
        self.engine = engine
        self.application: Application[Any, Any, Any, Any, Any, Any] | None = None  # set while active
        self.inbox: Inbox | None = None  # set while active
        self._runner: web.AppRunner | None = None

    def web_app(self) -> web.Application:
        app = web.Application(client_max_size=self.config.max_body_bytes)
        app.router.add_post(self.config.path, self._update)
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        return app

    async def start(self) -> None:
        self._runner = web.AppRunner(
            self.web_app(),
            access_log=None,
            shutdown_timeout=10.0,
            # aiohttp closes a connection that is waiting for a request head when its keep-alive time is up,
            # counted from the connection or the last answer (not reset by bytes that trickle in): a header timeout.
            keepalive_timeout=self.config.header_timeout_seconds,
            # A body left unread (408, 413) is drained no longer than a body is waited for.
            lingering_time=self.config.read_timeout_seconds,
        )
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
        inbox = self.inbox
        if inbox is None or not inbox.fence():  # not (or no longer confirmed) active: to the other instance
            return web.Response(status=503, text="standby")
        body = await read_update(request, self.config)
        if isinstance(body, web.Response):
            return body
        try:
            await inbox.accept([body])  # stored before the 200; one PTB cannot parse becomes a dead letter there
        except Exception as error:  # noqa: BLE001  not stored, so not acknowledged: Telegram posts it again
            log.error("could not store update %s: %s", body["update_id"], error)
            return web.Response(status=503, text="not stored")
        return web.Response(status=200)

    async def _healthz(self, _request: web.Request) -> web.Response:
        return web.Response(text="alive")

    async def _readyz(self, _request: web.Request) -> web.Response:
        if self.application is None or (self.inbox is not None and not self.inbox.fence()):
            return web.Response(status=503, text="standby")
        try:
            async with asyncio.timeout(2):
                async with self.engine.connect() as connection:
                    await connection.execute(sql("SELECT 1"))
        except Exception as error:  # any database failure means not ready
            return web.Response(status=503, text=f"database: {type(error).__name__}")
        return web.Response(text="ready")


async def read_update(request: web.Request, config: WebhookConfig) -> dict[str, Any] | web.Response:
    """The request's body as an update's JSON object, or the answer that refuses it: 413 too big, 408 too slow,
    400 not JSON, nested too deep or not an update. Nothing in a body makes this raise."""
    if request.content_length is not None and request.content_length > config.max_body_bytes:
        return web.Response(status=413)
    try:
        async with asyncio.timeout(config.read_timeout_seconds):
            raw = await request.read()
    except web.HTTPRequestEntityTooLarge:  # no Content-Length, and more than the limit sent
        return web.Response(status=413)
    except TimeoutError:
        return web.Response(status=408, text="body too slow")
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError; the C decoder stops deep nesting
        return web.Response(status=400, text="not JSON")
    if nested_deeper(body, config.max_depth):
        return web.Response(status=400, text="nested too deep")
    if not isinstance(body, dict) or not is_update_id(body.get("update_id")):
        return web.Response(status=400, text="not an update")
    return body


def nested_deeper(value: object, limit: int) -> bool:
    """Are objects or arrays nested more than `limit` levels in `value`? Without recursion, so any depth is safe."""
    pending: list[tuple[object, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth >= limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


def is_update_id(value: object) -> bool:
    """A whole number a BIGINT column holds (Telegram's are far smaller; bool is not one)."""
    return type(value) is int and 0 <= value < 2**63
