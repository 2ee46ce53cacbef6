"""The Bot API client: the bot (TalkBot), and its HTTP client on aiohttp.

PTB's default client is httpx. Each call through httpx passes anyio, sniffio, a cookie jar and a pure-Python
HTTP/1.1 parser, which cost about as much CPU as everything else a reply does. aiohttp, which the bot already
carries for its webhook server, parses in C: a sendMessage costs about half as much (see bench/transport.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from typing import Any

import aiohttp
from telegram import InlineKeyboardMarkup
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import BaseRateLimiter, ExtBot
from telegram.request import BaseRequest, RequestData

from bot.followup.outbox import Buttons
from handlers.telegram.long_text import message_parts

log = logging.getLogger(__name__)


class AiohttpRequest(BaseRequest):
    """A `telegram.request.BaseRequest` on an aiohttp client session: keep-alive connections, at most
    `connection_pool_size` at once. Timeouts follow PTB's defaults and its per-call overrides."""

    __slots__ = (
        "_connect_timeout",
        "_pool_size",
        "_pool_timeout",
        "_read_timeout",
        "_session",
        "_timeouts",
        "_write_timeout",
    )

    def __init__(
        self,
        connection_pool_size: int = 1,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None
        # One ClientTimeout a combination of timeouts: most calls use the defaults, and building one costs.
        self._timeouts: dict[tuple[float | None, ...], aiohttp.ClientTimeout] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                # Telegram sets no cookies; a jar that keeps none saves parsing every response's headers for them.
                cookie_jar=aiohttp.DummyCookieJar(),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    def _timeout(self, read: Any, write: Any, connect: Any, pool: Any) -> aiohttp.ClientTimeout:
        def chosen(value: Any, default: float | None) -> float | None:
            return default if isinstance(value, DefaultValue) else value  # type: ignore[no-any-return]

        key = (
            chosen(read, self._read_timeout),
            chosen(write, self._write_timeout),
            chosen(connect, self._connect_timeout),
            chosen(pool, self._pool_timeout),
        )
        found = self._timeouts.get(key)
        if found is None:
            read_s, write_s, connect_s, pool_s = key
            # aiohttp has no write timeout of its own: the connection's and the first byte's bound the send.
            limit = None if read_s is None or write_s is None else read_s + write_s
            found = aiohttp.ClientTimeout(
                total=None if limit is None or connect_s is None else limit + connect_s + (pool_s or 0),
                connect=None if connect_s is None else connect_s + (pool_s or 0),
                sock_read=read_s,
            )
            self._timeouts[key] = found
        return found

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        body: aiohttp.FormData | bytes | None = None
        headers: dict[str, str] | None = None
        if request_data is not None:
            if request_data.contains_files:
                body = aiohttp.FormData(quote_fields=False)
                for name, value in request_data.json_parameters.items():
                    body.add_field(name, value)
                for name, (filename, content, mime_type) in request_data.multipart_data.items():
                    body.add_field(name, content, filename=filename, content_type=mime_type)
            else:
                # A JSON body, which the Bot API takes for any call without a file (each nested value a JSON
                # string inside, as in a form): one C-speed dump, where a form's percent-encoding of every byte of
                # a Chinese text took 3% of the bot's CPU (issue 18).
                body = request_data.json_payload
                headers = {"Content-Type": "application/json"}
        timeout = self._timeout(read_timeout, write_timeout, connect_timeout, pool_timeout)
        try:
            async with self._session.request(method, url, data=body, headers=headers, timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{error.__class__.__name__}: {error}") from error


_TO_A_STRANGER: ContextVar[bool] = ContextVar("bot_api_call_for_a_stranger", default=False)


class RosterFirst(BaseRateLimiter[int]):
    """The send budget (an inner limiter such as PTB's AIORateLimiter), with replies to strangers behind everything
    else: a call made for a stranger (see StrangerLane) goes only while no other call is waiting or under way."""

    def __init__(self, inner: BaseRateLimiter[int]) -> None:
        self.inner = inner
        self._others = 0  # calls not for a stranger, waiting for the budget or under way
        self._idle = asyncio.Event()
        self._idle.set()
        self.strangers = StrangerLane(self)

    @property
    def idle(self) -> bool:
        return self._idle.is_set()

    async def wait_idle(self) -> None:
        await self._idle.wait()

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.strangers.close()
        await self.inner.shutdown()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if _TO_A_STRANGER.get():
            return await self.inner.process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
        self._others += 1
        self._idle.clear()
        try:
            return await self.inner.process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
        finally:
            self._others -= 1
            if self._others == 0:
                self._idle.set()


class StrangerLane:
    """Replies to people not on the roster, one at a time and behind every other Bot API call (RosterFirst). One
    that cannot go at once waits in a queue that a single task empties, so that a stranger's update never holds
    a place among the updates handled side by side: a flood of strangers delays nobody on the roster. The queue
    keeps the newest `LIMIT` replies (each a refusal, sent at most once per chat per window anyway)."""

    LIMIT = 1000

    def __init__(self, limiter: RosterFirst) -> None:
        self.limiter = limiter
        self._waiting: deque[tuple[int, str]] = deque(maxlen=self.LIMIT)
        self._one_at_a_time = asyncio.Lock()
        self._worker: asyncio.Task[None] | None = None

    async def send(self, bot: TalkBot, chat_id: int, body: str) -> None:
        """Send now if nothing else is waiting for the budget; else queue it and return at once."""
        if self._one_at_a_time.locked() or self._waiting or not self.limiter.idle:
            self._waiting.append((chat_id, body))
            if self._worker is None or self._worker.done():
                self._worker = asyncio.create_task(self._empty(bot), name="talkledger:stranger-replies")
            return
        async with self._one_at_a_time:
            await self._send_one(bot, chat_id, body)

    async def _send_one(self, bot: TalkBot, chat_id: int, body: str) -> None:
        token = _TO_A_STRANGER.set(True)
        try:
            await bot.send_text(chat_id, body)
        except Exception as error:  # a stranger who blocked the bot, a network hiccup: a refusal is not retried
            log.info("a reply to a stranger's chat %s was not sent: %s", chat_id, error)
        finally:
            _TO_A_STRANGER.reset(token)

    async def _empty(self, bot: TalkBot) -> None:
        while self._waiting:
            await self.limiter.wait_idle()
            async with self._one_at_a_time:  # the sending below yields, so this loop never spins
                if self._waiting and self.limiter.idle:
                    await self._send_one(bot, *self._waiting.popleft())

    async def close(self) -> None:
        """Stop sending; what still waits is dropped (refusals only)."""
        self._waiting.clear()
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker


class TalkBot(ExtBot):  # type: ignore[type-arg]
    """The Bot API client. Acknowledging a button press that has expired (Telegram allows 15 seconds; a backlog
    after a restart is older) is not a failure of what the press does, so it is logged and passed over."""

    async def send_to_stranger(self, chat_id: int, body: str) -> None:
        """A reply to someone not on the roster: behind every other call, given a RosterFirst rate limiter."""
        limiter = self.rate_limiter
        if isinstance(limiter, RosterFirst):
            await limiter.strangers.send(self, chat_id, body)
        else:
            await self.send_text(chat_id, body)

    async def send_text(self, chat_id: int, body: str, markup: InlineKeyboardMarkup | Buttons | None = None) -> int:
        """sendMessage, for a caller that needs only the new message's id. PTB's send_message turns the sent
        message into a Message object, which costs about as much CPU as the call itself. Buttons given as rows
        of (label, callback data) go out without becoming PTB objects first (about 100 µs less a keyboard).
        A body longer than one message goes as several (handlers.telegram.long_text), the buttons under the last;
        its id is returned."""
        parts = message_parts(body)
        for part in parts[:-1]:
            await self._send_part(chat_id, part, None)
        return await self._send_part(chat_id, parts[-1], markup)

    async def _send_part(self, chat_id: int, body: str, markup: InlineKeyboardMarkup | Buttons | None) -> int:
        parameters: dict[str, Any] = {"chat_id": chat_id, "text": body}
        if isinstance(markup, InlineKeyboardMarkup):
            parameters["reply_markup"] = markup
        elif markup:
            parameters["reply_markup"] = inline_keyboard(markup)
        sent = await self._post("sendMessage", parameters)
        return int(sent["message_id"])

    async def answer_callback_query(self, *args: Any, **kwargs: Any) -> bool:
        try:
            return await super().answer_callback_query(*args, **kwargs)
        except BadRequest as error:
            if "query is too old" not in error.message.lower() and "query id is invalid" not in error.message.lower():
                raise
            log.info("a button press was acknowledged too late: %s", error.message)
            return False


def inline_keyboard(rows: Buttons) -> str:
    """The reply_markup parameter as the Bot API reads it (a string parameter is sent as it is)."""
    keyboard = [[{"text": label, "callback_data": data} for label, data in row] for row in rows]
    return json.dumps({"inline_keyboard": keyboard}, ensure_ascii=False)


class PatientRequest(AiohttpRequest):
    """Bot API calls that the server failed (5xx) or that timed out or lost the connection are tried again, three times,
    after a short pause: a moment's trouble at Telegram should not cost the person their reply. (429s are the
    rate limiter's: it waits as told.)"""

    ATTEMPTS = 4

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        for attempt in range(1, self.ATTEMPTS + 1):
            try:
                code, payload = await super().do_request(*args, **kwargs)
            except (TimedOut, NetworkError):
                if attempt == self.ATTEMPTS:
                    raise
            else:
                if code < 500 or attempt == self.ATTEMPTS:
                    return code, payload
            await asyncio.sleep(0.2 * attempt)
        raise AssertionError("unreachable")
