"""The bot-wide send bucket: a tenth of a token to catch up a late wake-up, never more than the limit in a second."""

from __future__ import annotations

import pytest

from handlers.telegram.ratelimit import BotWideLimiter


@pytest.mark.parametrize("per_second", [1, 5, 10, 17, 20, 30, 100])
def test_no_second_holds_more_than_the_limit(per_second: float) -> None:
    bucket = BotWideLimiter(per_second).bucket
    burst, refill = bucket.max_rate, bucket.max_rate / bucket.time_period
    assert 1 <= burst <= 1.1
    # A leaky bucket lets through at most burst + refill × window in any window: under limit + 1, i.e. ≤ limit.
    assert burst + refill * 1.0 < per_second + 1
    assert refill < per_second  # and the pace itself keeps its margin for the network's jitter
