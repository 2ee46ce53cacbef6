"""The callback URL (接收消息与事件): URL verification, signature check, decryption, replay and duplicate
protection, then `accept(event)`; answered 200 with an empty body (no passive reply: replies go by message/send).

WeCom waits 5 seconds and then retries the same callback, up to three times: `accept` should only persist or
queue the event. If it raises, the callback is answered 500 and forgotten, so WeCom's retry brings it again; if it
takes longer than `answer_within`, the callback is answered 503 and a retry waits for the same run of `accept`.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass
from logging import getLogger

from aiohttp import web

from bot.clock import Clock
from handlers.wecom.crypto import WeComCrypto, WeComCryptoError
from handlers.wecom.events import MalformedCallback, WeComEvent, event_from_xml, parse_xml

log = getLogger(__name__)

Accept = Callable[[WeComEvent], Awaitable[None]]
MAX_BODY = 64 * 1024  # a callback is a few hundred bytes; anything this large is not WeCom
REPLAY_WINDOW = 300  # seconds either side of our clock a timestamp may be
ANSWER_WITHIN = 4.0  # WeCom waits 5 s for the answer, then posts the callback again
REMEMBERED = 100_000  # nonces and event keys kept at most (bounded memory under a flood)


class _Seen:
    """Keys remembered for a while, oldest dropped first."""

    def __init__(self, ttl: float, limit: int = REMEMBERED) -> None:
        self.ttl, self.limit = ttl, limit
        self._at: OrderedDict[Hashable, float] = OrderedDict()

    def __contains__(self, key: Hashable) -> bool:
        return key in self._at

    def add(self, key: Hashable, now: float) -> None:
        self._at[key] = now
        self._at.move_to_end(key)
        while self._at and (len(self._at) > self.limit or next(iter(self._at.values())) < now - self.ttl):
            self._at.popitem(last=False)

    def discard(self, key: Hashable) -> None:
        self._at.pop(key, None)


@dataclass(frozen=True)
class Outcome:
    status: int
    text: str = ""
    event: WeComEvent | None = None
    why: str = ""  # for logs and tests: "accepted", "duplicate", "replayed", "stale", "bad signature", ...


class WeComCallback:
    def __init__(
        self,
        crypto: WeComCrypto,
        accept: Accept,
        clock: Clock | None = None,
        *,
        agent_id: int | None = None,
        replay_window: int = REPLAY_WINDOW,
        max_body: int = MAX_BODY,
        answer_within: float = ANSWER_WITHIN,
    ) -> None:
        self.crypto, self.accept, self.agent_id = crypto, accept, agent_id
        self._now: Callable[[], float] = (lambda: clock.now().timestamp()) if clock is not None else time.time
        self.replay_window, self.max_body, self.answer_within = replay_window, max_body, answer_within
        self._running: dict[tuple[str, ...], asyncio.Future[None]] = {}
        # A nonce is only worth remembering while its timestamp is inside the window.
        self._nonces = _Seen(2 * replay_window)
        self._events = _Seen(max(2 * replay_window, 3600))

    def add_routes(self, app: web.Application, path: str) -> None:
        app.router.add_get(path, self.handle)
        app.router.add_post(path, self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        if request.method == "GET":
            outcome = self.verify_url(request.query)
        else:
            if request.content_length is not None and request.content_length > self.max_body:
                return web.Response(status=413)
            body = bytearray()
            async for chunk in request.content.iter_any():  # read(n) may stop short of the body's end
                body += chunk
                if len(body) > self.max_body:
                    return web.Response(status=413)
            outcome = await self.receive(request.query, bytes(body))
        if outcome.status != 200:
            log.info("wecom callback refused (%s): %s", outcome.status, outcome.why)
        return web.Response(status=outcome.status, text=outcome.text, content_type="text/plain")

    def verify_url(self, query: Mapping[str, str]) -> Outcome:
        try:
            echostr = query["echostr"]
            signature, timestamp, nonce = query["msg_signature"], query["timestamp"], query["nonce"]
        except KeyError:
            return Outcome(400, why="missing parameters")
        # base64 has no spaces: a '+' decoded as a space by a form-style parser is put back
        echostr = echostr.replace(" ", "+")
        try:
            return Outcome(200, self.crypto.verify_url(signature, timestamp, nonce, echostr), why="verified")
        except WeComCryptoError as error:
            return Outcome(403, why=f"bad signature or echostr: {error}")

    async def receive(self, query: Mapping[str, str], body: bytes) -> Outcome:
        """A POSTed callback, from query and body to `accept`; no HTTP here (benchmarks call it directly)."""
        try:
            signature, timestamp, nonce = query["msg_signature"], query["timestamp"], query["nonce"]
            encrypted = parse_xml(body)["Encrypt"]
        except (KeyError, MalformedCallback):
            return Outcome(400, why="not a callback")
        try:
            plain = self.crypto.decrypt_message(signature, timestamp, nonce, encrypted)
        except WeComCryptoError as error:
            return Outcome(403, why=f"bad signature or body: {error}")
        now = self._now()
        try:
            sent_at = int(timestamp)
        except ValueError:
            return Outcome(403, why="timestamp not a number")
        # Signed but old or far ahead: a replay of a captured request. Answered 200 so nobody retries it.
        if abs(now - sent_at) > self.replay_window:
            # Also what a wrong server clock looks like, which would silently drop every member's message.
            log.warning("wecom callback %+.0f s from our clock: ignored as a replay", sent_at - now)
            return Outcome(200, why="stale")
        if nonce in self._nonces:
            return Outcome(200, why="replayed")
        try:
            event = event_from_xml(plain)
        except MalformedCallback as error:
            return Outcome(200, why=f"unreadable event: {error}")
        if self.agent_id is not None and event.agent_id not in (None, self.agent_id):
            return Outcome(200, event=event, why="another app")
        key = event.dedup_key
        if key in self._events:
            self._nonces.add(nonce, now)
            return Outcome(200, event=event, why="duplicate")
        # One `accept` per event: a retry or replay arriving while it runs waits for that same run.
        task = self._running.get(key)
        joined = task is not None
        if task is None:
            task = asyncio.ensure_future(self.accept(event))
            self._running[key] = task
            task.add_done_callback(lambda done: self._settle(key, nonce, done))
        try:
            await asyncio.wait_for(asyncio.shield(task), self.answer_within)
        except TimeoutError:
            # Not answered in time, WeCom posts it again; that retry waits for this run, or redoes it if it fails.
            return Outcome(503, event=event, why="still accepting")
        except Exception:
            return Outcome(500, event=event, why="accept failed")
        return Outcome(200, event=event, why="duplicate" if joined else "accepted")

    def _settle(self, key: tuple[str, ...], nonce: str, task: asyncio.Future[None]) -> None:
        self._running.pop(key, None)
        error: BaseException | None = asyncio.CancelledError() if task.cancelled() else task.exception()
        if error is not None:
            # Not remembered: WeCom's next retry of it is handled afresh.
            log.error("wecom callback: accept failed; WeCom will retry", exc_info=error)
            return
        now = self._now()
        self._nonces.add(nonce, now)
        self._events.add(key, now)
