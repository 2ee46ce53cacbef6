"""A 429 for one chat holds up only that chat, for its retry_after; a 429 in a second chat while the first one
waits means the bot as a whole went over its limit, and then every sender waits."""

from __future__ import annotations

import asyncio

from handlers.telegram.app import TalkApplication
from handlers.telegram.ratelimit import BotWideLimiter
from handlers.telegram.transcript import ChatUser, EmulatorClient
from handlers.telegram.transport import RosterFirst
from tests.conftest import Enroll, Sweep
from tests.test_followup import inbox, new_messages


async def talk_with(leader: ChatUser, initials: str) -> None:
    """The quick path: an individual talk, one item due in a month (and the 双报告), delivered in one message."""
    await leader.send("/log")
    await leader.press("工作约谈")
    await leader.send(initials)
    await leader.press("刚才")
    await leader.send("主题")
    await leader.send("问题\n措施")
    await leader.press("1个月")
    await leader.press("✅ 确认登记")


def limiter(bot: TalkApplication) -> BotWideLimiter:
    found = bot.bot.rate_limiter
    found = found.inner if isinstance(found, RosterFirst) else found  # strangers' replies go behind the roster's
    assert isinstance(found, BotWideLimiter)
    return found


async def test_a_429_in_one_chat_holds_up_only_that_chat(
    enrolled: Enroll, sweep: Sweep, control: EmulatorClient, bot: TalkApplication
) -> None:
    zhao, sun, leader = await enrolled("赵敏"), await enrolled("孙磊"), await enrolled("李华")
    zhao_before, sun_before = await inbox(zhao), await inbox(sun)
    # Telegram answers 赵敏's delivery 429: that chat is to wait a minute.
    await control.post(
        "faults", {"method": "sendMessage", "status": 429, "retry_after": 60, "count": 1, "chat_id": zhao.user_id}
    )
    await talk_with(leader, "zm")
    stats = await sweep()
    assert stats.throttled == 1 and stats.retried == 1 and stats.sent == 0
    # 孙磊's talk is logged during 赵敏's minute: his items go out now. Were every sender paused, the sweep would
    # wait out the minute (and the bound below fail).
    await talk_with(leader, "sl")
    stats = await asyncio.wait_for(sweep(), 20)
    assert stats.sent == 1 and stats.throttled == 0
    assert len(await new_messages(sun, sun_before)) == 1 and await new_messages(zhao, zhao_before) == []
    assert limiter(bot).pauses == {"chat": 1} and limiter(bot).throttled == {"outbox": 1}


async def test_429s_in_two_chats_at_once_pause_every_sender(
    enrolled: Enroll, sweep: Sweep, control: EmulatorClient, bot: TalkApplication
) -> None:
    zhao, sun, leader = await enrolled("赵敏"), await enrolled("孙磊"), await enrolled("李华")
    await talk_with(leader, "zm")
    await talk_with(leader, "sl")
    # The bot as a whole is over its limit: Telegram answers 429 whoever the next messages are for.
    await control.post("faults", {"method": "sendMessage", "status": 429, "retry_after": 1, "count": 2})
    stats = await sweep()
    assert stats.throttled == 2 and stats.sent == 0
    assert limiter(bot).pauses == {"chat": 1, "bot": 1}
    del zhao, sun
