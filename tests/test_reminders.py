"""The reminder policy, pure: the default moments at the right local time, quiet hours, working days."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from bot.followup.reminders import (
    ReminderPolicy,
    is_quiet,
    moments,
    next_allowed,
    out_of_quiet_hours,
    to_plan,
)
from bot.followup.workdays import Calendar

ZONE = ZoneInfo("Asia/Shanghai")
POLICY = ReminderPolicy()


def local(moment: datetime) -> str:
    return moment.astimezone(ZONE).strftime("%Y-%m-%d %H:%M")


def test_the_default_policy_moments() -> None:
    found = moments(date(2025, 4, 5), POLICY, ZONE, datetime(2025, 4, 20, tzinfo=UTC))
    assert [(m.name, local(m.at)) for m in found] == [
        ("before7", "2025-03-29 09:00"),
        ("before1", "2025-04-04 09:00"),
        ("due0", "2025-04-05 09:00"),
        ("overdue3", "2025-04-08 09:00"),
        ("overdue6", "2025-04-11 09:00"),
        ("escalate7", "2025-04-12 09:00"),
        ("overdue9", "2025-04-14 09:00"),
        ("overdue12", "2025-04-17 09:00"),
    ]


def test_quiet_hours_move_a_message_to_the_morning() -> None:
    late = datetime(2025, 3, 5, 23, 30, tzinfo=ZONE).astimezone(UTC)
    assert local(out_of_quiet_hours(late, POLICY, ZONE)) == "2025-03-06 08:00"
    early = datetime(2025, 3, 5, 6, 0, tzinfo=ZONE).astimezone(UTC)
    assert local(out_of_quiet_hours(early, POLICY, ZONE)) == "2025-03-05 08:00"
    day = datetime(2025, 3, 5, 15, 0, tzinfo=ZONE).astimezone(UTC)
    assert out_of_quiet_hours(day, POLICY, ZONE) == day
    night_sender = ReminderPolicy(send_at=time(23, 0))
    assert local(moments(date(2025, 4, 5), night_sender, ZONE, datetime(2025, 4, 6, tzinfo=UTC))[0].at).endswith(
        "08:00"
    )


def test_working_days_include_make_up_days_and_fall_back_to_weekdays() -> None:
    assert POLICY.is_working_day(date(2025, 10, 11))  # a Saturday worked in exchange for the National Day holiday
    assert not POLICY.is_working_day(date(2025, 10, 1))
    assert POLICY.is_working_day(date(2031, 3, 3)) and not POLICY.is_working_day(date(2031, 3, 1))  # not published
    policy = ReminderPolicy(working_days_only=True)
    # Deadline on 2025-10-08, in the holiday: the reminder "on the day" moves back to the last working day.
    found = {m.name: local(m.at) for m in moments(date(2025, 10, 8), policy, ZONE, datetime(2025, 10, 12, tzinfo=UTC))}
    assert found["due0"] == "2025-09-30 09:00"
    assert found["overdue3"] == "2025-10-11 09:00"  # the make-up Saturday


def test_reminders_overtaken_while_the_bot_was_down_are_not_all_sent() -> None:
    deadline = date(2025, 4, 5)
    made = datetime(2025, 3, 1, tzinfo=UTC)
    now = datetime(2025, 4, 5, 3, 0, tzinfo=UTC)  # 11:00 on the deadline: before7, before1 and due0 are past
    planned = to_plan(deadline, POLICY, ZONE, made, now, timedelta(minutes=5))
    assert [m.name for m in planned] == ["due0"]


def test_an_item_made_after_a_moment_skips_it() -> None:
    deadline = date(2025, 3, 10)  # a talk on 2025-03-05 gives 5 days: no 7-day reminder
    made = datetime(2025, 3, 5, 7, 0, tzinfo=UTC)
    planned = to_plan(deadline, POLICY, ZONE, made, datetime(2025, 3, 12, tzinfo=UTC), timedelta(0))
    assert [m.name for m in planned] == ["due0"]
    assert [m.name for m in to_plan(deadline, POLICY, ZONE, made, made, timedelta(days=4))] == ["before1"]


@given(
    st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    st.booleans(),
    st.integers(0, 23),
    st.integers(0, 23),
)
def test_no_moment_falls_in_quiet_hours_and_all_are_ordered(
    deadline: date, working: bool, start: int, end: int
) -> None:
    policy = ReminderPolicy(working_days_only=working, quiet_start=time(start), quiet_end=time(end))
    found = moments(deadline, policy, ZONE, datetime.combine(deadline + timedelta(days=40), time(0), tzinfo=UTC))
    assert found == sorted(found, key=lambda m: (m.at, m.kind))
    for moment in found:
        assert start == end or not (
            (time(start) <= moment.at.astimezone(ZONE).time() < time(end))
            if start < end
            else (moment.at.astimezone(ZONE).time() >= time(start) or moment.at.astimezone(ZONE).time() < time(end))
        )
    assert len({m.name for m in found}) == len(found)


def test_the_next_allowed_moment_keeps_out_of_quiet_hours_and_days_off() -> None:
    late = datetime(2025, 3, 29, 23, 0, tzinfo=ZONE).astimezone(UTC)  # a Saturday night
    assert local(next_allowed(late, "before", POLICY, ZONE)) == "2025-03-30 08:00"
    day = datetime(2025, 3, 29, 15, 0, tzinfo=ZONE).astimezone(UTC)
    assert next_allowed(day, "before", POLICY, ZONE) == day
    working = ReminderPolicy(working_days_only=True)
    assert local(next_allowed(late, "before", working, ZONE)) == "2025-03-31 08:00"  # Monday
    assert next_allowed(day, "delivery", working, ZONE) == day  # an answer to someone's act is not scheduled
    report = datetime(2025, 10, 1, 9, 0, tzinfo=ZONE).astimezone(UTC)  # the 1st of October: National Day
    assert local(next_allowed(report, "monthly", working, ZONE)) == "2025-10-09 08:00"


@given(st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31)), st.booleans())
def test_the_next_allowed_moment_is_allowed_and_never_earlier(moment: datetime, working: bool) -> None:
    policy = ReminderPolicy(working_days_only=working)
    found = next_allowed(moment.replace(tzinfo=UTC), "due", policy, ZONE)
    assert found >= moment.replace(tzinfo=UTC)
    assert not is_quiet(found.astimezone(ZONE).time(), policy)
    assert not working or policy.is_working_day(found.astimezone(ZONE).date())
    assert next_allowed(found, "due", policy, ZONE) == found


def test_beyond_the_published_years_the_spring_festival_is_still_a_holiday() -> None:
    """2027 is not in chinese-calendar: the rule-based calendar knows its Spring Festival (除夕 2027-02-05 to
    02-10); the organisation's lists add the make-up working day and a local day off, and win over both."""
    calendar = Calendar()
    assert [calendar.is_working_day(date(2027, 2, day)) for day in range(4, 12)] == [
        True,  # Thursday before 除夕
        *[False] * 6,  # 02-05 to 02-10
        True,  # Thursday after
    ]
    assert not calendar.is_working_day(date(2027, 10, 1)) and calendar.is_working_day(date(2027, 9, 30))
    configured = Calendar(workdays=frozenset({date(2027, 2, 20)}), holidays=frozenset({date(2027, 2, 11)}))
    assert configured.is_working_day(date(2027, 2, 20))  # a Saturday worked in exchange (调休)
    assert not configured.is_working_day(date(2027, 2, 11))
    policy = ReminderPolicy(working_days_only=True, calendar=configured)
    # An item due on 2027-02-08, in the Spring Festival: the reminder on the day moves back to 02-04, the 3-day
    # overdue reminder (02-11, the local day off) forward to the 12th; the 12-day one stays on the make-up Saturday.
    until = datetime(2027, 3, 1, tzinfo=UTC)
    found = {m.name: local(m.at) for m in moments(date(2027, 2, 8), policy, ZONE, until)}
    assert found["due0"] == "2027-02-04 09:00"
    assert found["overdue3"] == "2027-02-12 09:00"
    assert found["overdue6"] == "2027-02-15 09:00"  # Sunday 02-14 moves to Monday
    assert found["overdue12"] == "2027-02-20 09:00"


def test_the_years_without_make_up_days_are_named() -> None:
    assert Calendar().uncovered_years(date(2026, 1, 1)) == []
    assert Calendar().uncovered_years(date(2026, 11, 29)) == [2027]
    assert Calendar(workdays=frozenset({date(2027, 2, 20)})).uncovered_years(date(2026, 11, 29)) == []
