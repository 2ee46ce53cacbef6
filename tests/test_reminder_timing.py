"""Reminders at the right time, end to end: the policy is checked again when a notification is sent, so a bot
that was down, or a retry, never sends in quiet hours or on a day off."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import ManualClock
from handlers.telegram.transcript import EmulatorClient
from tests.conftest import Enroll, Sweep
from tests.test_followup import at, inbox, new_messages, setup_talk, zh
from tests.test_talklog import quick_individual_talk


async def test_a_gap_over_nine_ending_in_quiet_hours_sends_nothing_until_eight(
    enrolled: Enroll, sweep: Sweep, clock: ManualClock
) -> None:
    leader, zhao = await setup_talk(enrolled, sweep)
    clock.set(at("2025-03-29 08:59:30"))  # the 7-day reminder of 09:00 is planned; then the bot goes down
    await sweep()
    before = await inbox(zhao)
    clock.set(at("2025-03-29 23:00"))  # back up in quiet hours
    stats = await sweep()
    assert await new_messages(zhao, before) == [] and stats.held == 1
    clock.set(at("2025-03-30 07:59"))
    await sweep()
    assert await new_messages(zhao, before) == []
    clock.set(at("2025-03-30 08:00"))
    await sweep()
    arrived = await new_messages(zhao, before)
    assert len(arrived) == 1 and arrived[0].startswith(zh("item.notice.before", days=6))  # counted from today


async def test_a_reminder_not_planned_before_the_gap_waits_too(
    enrolled: Enroll, sweep: Sweep, clock: ManualClock
) -> None:
    leader, zhao = await setup_talk(enrolled, sweep)
    before = await inbox(zhao)
    clock.set(at("2025-03-29 22:30"))  # down from before 09:00 until after 22:00: planned now, due long ago
    await sweep()
    assert await new_messages(zhao, before) == []
    clock.set(at("2025-03-30 08:00"))
    await sweep()
    assert [m[:12] for m in await new_messages(zhao, before)] == [zh("item.notice.before", days=6)[:12]]


async def test_a_retry_that_would_fall_in_quiet_hours_waits_for_the_morning(
    enrolled: Enroll, sweep: Sweep, clock: ManualClock, control: EmulatorClient
) -> None:
    zhao = await enrolled("赵敏")
    leader = await enrolled("李华")
    clock.set(at("2025-03-05 21:59:58"))
    await quick_individual_talk(leader)
    before = await inbox(zhao)
    # Telegram fails the first delivery four times over: the transport's own quick retries are used up.
    await control.post("faults", {"method": "sendMessage", "status": 502, "count": 4, "chat_id": zhao.user_id})
    stats = await sweep()
    assert stats.sent == 0 and stats.retried == 1  # the talk's delivery (item and 双报告) is to be retried in 5 s
    for moment in ("2025-03-05 22:00:10", "2025-03-06 03:00", "2025-03-06 07:59:59"):
        clock.set(at(moment))
        await sweep()
        assert len(await new_messages(zhao, before)) == 0, moment
    clock.set(at("2025-03-06 08:00"))
    await sweep()
    assert len(await new_messages(zhao, before)) == 1


async def test_a_429_is_counted_and_the_row_waits_its_retry_after(
    enrolled: Enroll, sweep: Sweep, clock: ManualClock, control: EmulatorClient
) -> None:
    zhao = await enrolled("赵敏")
    leader = await enrolled("李华")
    await control.post(
        "faults", {"method": "sendMessage", "status": 429, "retry_after": 1, "count": 1, "chat_id": zhao.user_id}
    )
    await quick_individual_talk(leader)
    before = await inbox(zhao)
    stats = await sweep()
    assert stats.throttled == 1 and stats.retried == 1 and stats.sent == 0  # no silent retry under the outbox
    clock.advance(timedelta(milliseconds=900))
    assert (await sweep()).sent == 0 and len(await new_messages(zhao, before)) == 0
    clock.advance(timedelta(milliseconds=100))
    assert (await sweep()).sent == 1 and len(await new_messages(zhao, before)) == 1
