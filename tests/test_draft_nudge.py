"""Unfinished drafts, end to end: one nudge after two hours untouched (in the allowed hours) with Resume and
Discard; a draft untouched for 30 days is discarded and its owner told."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import ManualClock
from handlers.telegram.transcript import ChatUser
from tests.conftest import Enroll, Sweep
from tests.test_followup import at, inbox, new_messages, zh


async def start_a_draft(leader: ChatUser) -> None:
    """李华 gets as far as the topic of a talk with 赵敏, then leaves it."""
    await leader.send("/log")
    await leader.press("工作约谈")
    await leader.send("zm")
    await leader.press("刚才")
    await leader.send("落实全面从严治党主体责任情况")


async def test_an_untouched_draft_gets_one_nudge_in_the_allowed_hours_and_resumes(
    enrolled: Enroll, sweep: Sweep, clock: ManualClock
) -> None:
    leader = await enrolled("李华")
    clock.set(at("2025-03-05 20:30"))
    await start_a_draft(leader)
    before = await inbox(leader)
    clock.set(at("2025-03-05 22:29"))
    await sweep()
    assert await new_messages(leader, before) == []  # not yet two hours
    clock.set(at("2025-03-05 22:31"))
    await sweep()
    assert await new_messages(leader, before) == []  # two hours, but quiet hours: it waits for the morning
    clock.set(at("2025-03-06 08:00"))
    await sweep()
    [nudge] = await new_messages(leader, before)
    assert nudge == zh("log.draft_nudge", topic="落实全面从严治党主体责任情况", updated="03-05 20:30")
    clock.set(at("2025-03-06 12:00"))
    await sweep()
    assert len(await new_messages(leader, before)) == 1  # one nudge, not one a sweep
    await leader.press(zh("log.button.resume_draft"))
    assert leader.last_reply == zh("log.ask.problem", number=1)  # the draft goes on where it was left


async def test_discard_from_the_nudge_and_expiry_after_thirty_days(
    enrolled: Enroll, sweep: Sweep, clock: ManualClock
) -> None:
    leader = await enrolled("李华")
    await start_a_draft(leader)
    clock.advance(timedelta(hours=2))
    await sweep()
    await leader.press(zh("log.button.discard_draft"))
    assert leader.last_reply == zh("log.discarded")
    await leader.send("/resume")
    assert leader.last_reply == zh("log.resume_none")

    await start_a_draft(leader)  # another, never touched again: nudged once, then discarded after 30 days
    before = await inbox(leader)
    clock.advance(timedelta(days=30, minutes=1))
    await sweep()
    arrived = await new_messages(leader, before)
    topic = "落实全面从严治党主体责任情况"
    assert arrived == [zh("log.draft_expired", days=30, topic=topic, updated="2025-03-05 17:00")]
    await leader.send("/resume")
    assert leader.last_reply == zh("log.resume_none")
