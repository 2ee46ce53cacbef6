"""The bot's one send budget: every Bot API call that sends to a chat waits in one leaky bucket (aiolimiter) of
`[outbox] per_second`, without bursts. There is no second layer: a 429 is counted (by who was sending) and pauses
its own chat for its `retry_after` — the other chats go on — and then either goes back to the outbox (which plans
the row again and counts it in its statistics) or, for a reply to someone, is tried again after the pause —
logged, never silent. Telegram's 429 does not say whether one chat or the whole bot went over: a second chat
answered 429 while the first one's pause runs means the bot did, and then every sender pauses.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Callable, Coroutine, Iterator
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

_FROM_THE_OUTBOX: ContextVar[bool] = ContextVar("bot_api_call_from_the_outbox", default=False)


@contextlib.contextmanager
def outbox_send() -> Iterator[None]:
    """Calls made inside are the outbox's: a 429 comes back to it instead of being tried again here."""
    token = _FROM_THE_OUTBOX.set(True)
    try:
        yield
    finally:
        _FROM_THE_OUTBOX.reset(token)


def retry_after_seconds(error: RetryAfter) -> float:
    wait = error.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


class BotWideLimiter(BaseRateLimiter[int]):
    REPLY_RETRIES = 3
    MARGIN = 1.03
    CATCH_UP = 1.1  # tokens the bucket holds at most (see below)

    def __init__(self, per_second: float) -> None:
        # A token every 1/per_second s (and 3% more, for the network's jitter): a steady pace, so no one-second
        # window at Telegram holds more than the limit. The bucket holds a tenth of a token more than one, so that a
        # sender woken a little late (epoll counts whole milliseconds; another callback may be running) is caught
        # up by the next instead of its slot being lost: that cost 3% of the rate. A window still holds at most
        # burst + per_second / MARGIN < per_second + 1 messages, with 26 of the 29 ms kept for jitter at 30/s.
        burst = min(self.CATCH_UP, 1 + 0.9 * per_second * (1 - 1 / self.MARGIN))
        self.bucket = AsyncLimiter(burst, burst * self.MARGIN / per_second)
        self.throttled: Counter[str] = Counter()  # 429s received: "outbox" | "reply"
        self._groups: dict[int, AsyncLimiter] = {}  # Telegram allows 20 messages a minute in a group
        self._resume_at = 0.0  # loop time before which nothing is sent (a bot-wide retry_after)
        self._chat_resume: dict[int | str, float] = {}  # chat → loop time before which nothing is sent to it
        self.pauses: Counter[str] = Counter()  # "chat" (one chat waits) | "bot" (every sender waits)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def _paused(self, chat_id: int | str) -> None:
        loop = asyncio.get_running_loop()
        while (wait := max(self._resume_at, self._chat_resume.get(chat_id, 0.0)) - loop.time()) > 0:
            await asyncio.sleep(wait)

    def _pause(self, chat_id: int | str, seconds: float) -> str:
        """Pause the chat answered 429, or everyone when another chat's pause still runs; which it was."""
        now = asyncio.get_running_loop().time()
        self._chat_resume = {chat: until for chat, until in self._chat_resume.items() if until > now}
        bot_wide = any(chat != chat_id for chat in self._chat_resume)
        self._chat_resume[chat_id] = max(self._chat_resume.get(chat_id, 0.0), now + seconds)
        if bot_wide:
            self._resume_at = max(self._resume_at, now + seconds)
        found = "bot" if bot_wide else "chat"
        self.pauses[found] += 1
        return found

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if data.get("chat_id") is None:  # getUpdates, answerCallbackQuery, getMe: not messages to a chat
            return await callback(*args, **kwargs)
        sender = "outbox" if _FROM_THE_OUTBOX.get() else "reply"
        chat_id = data["chat_id"]
        group = (
            self._groups.setdefault(chat_id, AsyncLimiter(20, 60)) if isinstance(chat_id, int) and chat_id < 0 else None
        )
        for attempt in range(self.REPLY_RETRIES + 1):
            await self._paused(chat_id)
            async with group or contextlib.nullcontext(), self.bucket:
                await self._paused(chat_id)
                try:
                    return await callback(*args, **kwargs)
                except RetryAfter as error:
                    self.throttled[sender] += 1
                    seconds = retry_after_seconds(error)
                    who = "every sender waits" if self._pause(chat_id, seconds) == "bot" else "the chat waits"
                    log.warning("429 on %s to chat %s: %s %.1f s", endpoint, chat_id, who, seconds)
                    if sender == "outbox" or attempt == self.REPLY_RETRIES:
                        raise
        raise AssertionError("unreachable")
