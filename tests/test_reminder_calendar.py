"""Reminders on working days, end to end, beyond the years chinese-calendar knows: the 2027 Spring Festival from
the rule-based calendar, a make-up working day and a local day off from the config, and the admins' warning when
the coming months have no make-up days."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from bot.clock import ManualClock
from bot.config import Config
from bot.followup.workdays import Calendar
from tests.conftest import Enroll, Sweep
from tests.test_followup import at, inbox, new_messages, zh
from tests.test_talklog import quick_individual_talk

SPRING_2027 = Calendar(workdays=frozenset({date(2027, 2, 20)}), holidays=frozenset({date(2027, 2, 11)}))


@pytest.fixture
def config(config: Config, request: pytest.FixtureRequest) -> Config:
    """Reminders keep to working days, with the calendar the test names (the config's lists)."""
    calendar = getattr(request, "param", Calendar())
    policy = dataclasses.replace(config.reminders, working_days_only=True, calendar=calendar)
    return dataclasses.replace(config, reminders=policy)


@pytest.mark.parametrize("config", [SPRING_2027], indirect=True)
async def test_no_reminder_in_the_2027_spring_festival_and_one_on_the_make_up_saturday(
    enrolled: Enroll, sweep: Sweep, clock: ManualClock
) -> None:
    zhao, leader = await enrolled("赵敏"), await enrolled("李华")
    clock.set(at("2027-01-08 10:00"))
    await quick_individual_talk(leader)  # one month: due 2027-02-08, a day of the Spring Festival holiday
    await sweep()
    arrivals: dict[str, list[str]] = {}
    day = date(2027, 2, 1)
    while day <= date(2027, 2, 21):
        before = await inbox(zhao)
        clock.set(at(f"{day} 09:00"))
        await sweep()
        arrived = [m for m in await new_messages(zhao, before) if "工程项目台账不全" in m]
        if arrived:
            arrivals[str(day)] = [m.split("\n")[0] for m in arrived]
        day = day.fromordinal(day.toordinal() + 1)
    assert arrivals == {
        "2027-02-01": [zh("item.notice.before", days=7)],
        # the day before and the day itself (02-07, 02-08) are holidays: both move back to the last working day,
        # where one message says it all, and says how many days are truly left
        "2027-02-04": [zh("item.notice.before", days=4)],
        "2027-02-12": [zh("item.notice.overdue", days=4)],  # the 3-day one: 02-11 is the config's local day off
        "2027-02-15": [zh("item.notice.overdue", days=7)],  # the 6-day one: 02-14 is a Sunday
        "2027-02-17": [zh("item.notice.overdue", days=9)],
        "2027-02-20": [zh("item.notice.overdue", days=12)],  # the config's make-up Saturday (调休)
    }


async def test_the_admins_are_warned_once_a_month_when_make_up_days_are_unknown(
    enrolled: Enroll, sweep: Sweep, clock: ManualClock
) -> None:
    admin = await enrolled("张建平")
    clock.set(at("2026-11-30 10:00"))
    before = await inbox(admin)
    await sweep()
    assert await new_messages(admin, before) == []  # not the 1st
    clock.set(at("2026-12-01 09:00"))
    await sweep()
    warning = zh("report.calendar_gap", years="2027")
    assert warning in await new_messages(admin, before)  # besides the monthly report (张建平 is the commission too)
    clock.set(at("2026-12-01 15:00"))
    await sweep()
    assert (await new_messages(admin, before)).count(warning) == 1
