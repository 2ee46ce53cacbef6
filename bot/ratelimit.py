"""The bot's one send budget: every Bot API call that sends to a chat waits in one leaky bucket (aiolimiter) of
`[outbox] per_second`, without bursts. There is no second layer: a 429 is counted (by who was sending), pauses
every sender for its `retry_after`, and then either goes back to the outbox (which plans the row again and counts
it in its statistics) or, for a reply to someone, is tried again after the pause — logged, never silent."""

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

    def __init__(self, per_second: float) -> None:
        # One token at a time, refilled every 1/per_second s (and 3% more, for the network's jitter): a steady pace
        # with no burst after a quiet spell, so no one-second window at Telegram holds more than the limit.
        self.bucket = AsyncLimiter(1, self.MARGIN / per_second)
        self.throttled: Counter[str] = Counter()  # 429s received: "outbox" | "reply"
        self._groups: dict[int, AsyncLimiter] = {}  # Telegram allows 20 messages a minute in a group
        self._resume_at = 0.0  # loop time before which nothing is sent (the last retry_after)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def _paused(self) -> None:
        loop = asyncio.get_running_loop()
        while (wait := self._resume_at - loop.time()) > 0:
            await asyncio.sleep(wait)

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
            await self._paused()
            async with group or contextlib.nullcontext(), self.bucket:
                await self._paused()
                try:
                    return await callback(*args, **kwargs)
                except RetryAfter as error:
                    self.throttled[sender] += 1
                    seconds = retry_after_seconds(error)
                    self._resume_at = max(self._resume_at, asyncio.get_running_loop().time() + seconds)
                    if sender == "outbox" or attempt == self.REPLY_RETRIES:
                        raise
                    log.warning("429 on %s to chat %s: every sender waits %.1f s", endpoint, chat_id, seconds)
        raise AssertionError("unreachable")
