"""WeCom's server API for one self-built app, on aiohttp: access_token kept fresh, message/send (text, button
cards, files), update_template_card, media/upload, menu/create; errors typed (see errors.py)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import aiohttp

from bot.clock import Clock
from bot.config import WeComConfig
from handlers.wecom.errors import TOKEN_ERRCODES, WeComError, WeComRetryLater, raise_for
from handlers.wecom.split import split_text

TOKEN_MARGIN = 300.0  # refresh this many seconds before WeCom says the token expires
TIMEOUT = aiohttp.ClientTimeout(total=15)
MediaKind = Literal["image", "voice", "video", "file"]


@dataclass(frozen=True)
class SentCard:
    msg_id: str
    response_code: str  # one use, within 72 hours: update_template_card


class WeComClient:
    def __init__(
        self, config: WeComConfig, session: aiohttp.ClientSession | None = None, clock: Clock | None = None
    ) -> None:
        self.config = config
        self.base = config.api_base_url.rstrip("/") + "/cgi-bin/"
        self._session, self._owns_session = session, session is None
        self._now: Callable[[], float] = (lambda: clock.now().timestamp()) if clock is not None else time.monotonic
        self._token = ""
        self._token_expires = 0.0
        self._token_lock = asyncio.Lock()
        self.token_fetches = 0  # how many times gettoken was called (tests, logs)

    async def __aenter__(self) -> WeComClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=TIMEOUT)
        return self._session

    # ---- the access token --------------------------------------------------------------------------

    async def access_token(self) -> str:
        if self._token and self._now() < self._token_expires:
            return self._token
        async with self._token_lock:  # one gettoken however many senders wait for it
            if self._token and self._now() < self._token_expires:
                return self._token
            answer = await self._http(
                "GET", "gettoken", params={"corpid": self.config.corp_id, "corpsecret": self.config.secret}
            )
            raise_for(answer, "gettoken")
            self.token_fetches += 1
            self._token = str(answer["access_token"])
            expires_in = float(answer.get("expires_in", 7200))
            # WeCom hands out the same token until it expires, with what is left of its life: a token fetched
            # late is kept almost to its end rather than asked for again and again.
            self._token_expires = self._now() + expires_in - min(TOKEN_MARGIN, expires_in / 10)
            return self._token

    def _forget_token(self, token: str) -> None:
        if self._token == token:  # others may have refreshed it already
            self._token, self._token_expires = "", 0.0

    # ---- calls ---------------------------------------------------------------------------------------

    async def _http(
        self,
        http_method: str,
        method: str,
        *,
        params: dict[str, str],
        json: Any = None,
        data: aiohttp.FormData | None = None,
    ) -> dict[str, Any]:
        try:
            async with self.session.request(
                http_method, self.base + method, params=params, json=json, data=data
            ) as response:
                if response.status == 429 or response.status >= 500:
                    retry_after = float(response.headers.get("Retry-After", "1") or 1)
                    raise WeComRetryLater(-response.status, f"HTTP {response.status}", method, retry_after)
                if response.status != 200:
                    raise WeComError(-response.status, f"HTTP {response.status}", method)
                answer: dict[str, Any] = await response.json(content_type=None)
                return answer
        except (TimeoutError, aiohttp.ClientError) as error:
            raise WeComRetryLater(-1, f"{type(error).__name__}: {error}", method, 1.0) from error

    async def call(
        self,
        method: str,
        body: dict[str, Any] | None = None,
        *,
        query: dict[str, str] | None = None,
        form: Callable[[], aiohttp.FormData] | None = None,
        receivers: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        """POST `method` with the token; on a stale token, once more with a fresh one. `form` builds a multipart
        body afresh for each attempt (a FormData is consumed by sending)."""
        for attempt in (1, 2):
            token = await self.access_token()
            answer = await self._http(
                "POST",
                method,
                params={"access_token": token, **(query or {})},
                json=body if form is None else None,
                data=form() if form is not None else None,
            )
            if int(answer.get("errcode", 0) or 0) in TOKEN_ERRCODES and attempt == 1:
                self._forget_token(token)
                continue
            raise_for(answer, method, receivers)
            return answer
        raise AssertionError("unreachable")

    async def _send(self, user_id: str, msgtype: str, content: dict[str, Any]) -> dict[str, Any]:
        body = {"touser": user_id, "msgtype": msgtype, "agentid": self.config.agent_id, msgtype: content}
        return await self.call("message/send", body, receivers=(user_id,))

    async def send_text(self, user_id: str, text: str, *, start: int = 0) -> list[str]:
        """Sends `text` as as many messages as its 2,048-byte pieces, from piece `start`; their msgids. An error
        says in `sent_pieces` how many went out, so a retry with start=sent_pieces sends none twice."""
        msgids: list[str] = []
        for number, piece in enumerate(split_text(text)[start:], start):
            try:
                answer = await self._send(user_id, "text", {"content": piece})
            except WeComError as error:
                error.sent_pieces = number
                raise
            msgids.append(str(answer.get("msgid", "")))
        return msgids

    async def send_card(self, user_id: str, card: dict[str, Any]) -> SentCard:
        answer = await self._send(user_id, "template_card", card)
        return SentCard(str(answer.get("msgid", "")), str(answer.get("response_code", "")))

    async def update_card(self, user_ids: list[str], response_code: str, card: dict[str, Any]) -> None:
        """Replaces the card that `response_code` (from the press's callback, or send_card) came with."""
        body = {
            "userids": user_ids,
            "agentid": self.config.agent_id,
            "response_code": response_code,
            "template_card": card,
        }
        await self.call("message/update_template_card", body, receivers=tuple(user_ids))

    async def upload_media(self, kind: MediaKind, filename: str, content: bytes) -> str:
        """A temporary media_id (WeCom keeps it three days)."""

        def form() -> aiohttp.FormData:
            # WeCom reads the filename as UTF-8 as it stands; percent-quoted, a Chinese name arrives as %E7...
            data = aiohttp.FormData(quote_fields=False)
            data.add_field("media", content, filename=filename, content_type="application/octet-stream")
            return data

        answer = await self.call("media/upload", query={"type": kind}, form=form)
        return str(answer["media_id"])

    async def download_media(self, media_id: str) -> bytes:
        """A file a member sent (media/get); WeCom keeps it three days."""
        for attempt in (1, 2):
            token = await self.access_token()
            try:
                params = {"access_token": token, "media_id": media_id}
                async with self.session.get(self.base + "media/get", params=params) as response:
                    if response.status == 429 or response.status >= 500:
                        raise WeComRetryLater(-response.status, f"HTTP {response.status}", "media/get", 1.0)
                    content = await response.read()
                    if "json" not in response.headers.get("Content-Type", ""):
                        return content
            except (TimeoutError, aiohttp.ClientError) as error:
                raise WeComRetryLater(-1, f"{type(error).__name__}: {error}", "media/get", 1.0) from error
            answer = json.loads(content)  # an error comes as JSON
            if int(answer.get("errcode", 0) or 0) in TOKEN_ERRCODES and attempt == 1:
                self._forget_token(token)
                continue
            raise_for(answer, "media/get")
            raise WeComError(
                int(answer.get("errcode", -1) or -1), "media/get answered JSON without an error", "media/get"
            )
        raise AssertionError("unreachable")

    async def send_file(self, user_id: str, media_id: str) -> str:
        return str((await self._send(user_id, "file", {"media_id": media_id})).get("msgid", ""))

    async def create_menu(self, agent_id: int, menu: dict[str, Any]) -> None:
        """`menu` as menu/create takes it: {"button": [{"type": "click", "name": ..., "key": ...}, ...]}."""
        await self.call("menu/create", menu, query={"agentid": str(agent_id)})
