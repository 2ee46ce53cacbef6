"""Limits on what strangers and guessers may cost: pure, time handed in.

`OncePerWindow` says yes to a key once per window (a stranger's chat gets one refusal every ten minutes, say,
whatever they send); `Failures` counts failures per key within a window (wrong invite codes per account and per
code prefix) and says when a key has had its fill.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


class OncePerWindow:
    """Yes for a key at most once per `window`. Keys are kept in the order of their last yes, so forgetting those
    whose window has passed costs nothing per call beyond what is forgotten; at most `limit` keys are kept (a flood
    of new keys forgets the oldest first, which at worst means one refusal more)."""

    def __init__(self, window: timedelta, limit: int = 100_000) -> None:
        self.window, self.limit = window, limit
        self._last: OrderedDict[Hashable, datetime] = OrderedDict()

    def allow(self, key: Hashable, now: datetime) -> bool:
        while self._last:
            oldest, at = next(iter(self._last.items()))
            if at > now - self.window and len(self._last) < self.limit:
                break
            del self._last[oldest]
        if key in self._last:
            return False
        self._last[key] = now
        return True


@dataclass
class Burst:
    """Failures of one key within one window, from the first on."""

    started: datetime
    count: int = 0
    audit_id: int | None = None  # the one audit entry that tells of this burst


class Failures:
    """Failures counted per key for `window` from a key's first failure; a key with `limit` of them is refused
    until its window has passed. At most `keys` keys are kept (the oldest bursts are forgotten first)."""

    def __init__(self, limit: int, window: timedelta, keys: int = 100_000) -> None:
        self.limit, self.window, self.keys = limit, window, keys
        self._bursts: OrderedDict[Hashable, Burst] = OrderedDict()

    def _forget_old(self, now: datetime) -> None:
        while self._bursts:
            oldest, burst = next(iter(self._bursts.items()))
            if burst.started > now - self.window and len(self._bursts) < self.keys:
                break
            del self._bursts[oldest]

    def exhausted(self, keys: Iterable[Hashable], now: datetime) -> bool:
        """Has any of `keys` had its fill of failures in its window?"""
        self._forget_old(now)
        return any((burst := self._bursts.get(key)) is not None and burst.count >= self.limit for key in keys)

    def fail(self, key: Hashable, now: datetime) -> Burst:
        """Count one failure of `key`: its burst, new (count 1) or going on."""
        self._forget_old(now)
        burst = self._bursts.get(key)
        if burst is None:
            burst = self._bursts[key] = Burst(started=now)
        burst.count += 1
        return burst
