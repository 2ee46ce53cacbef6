"""The reminder policy: when an item's reminders fall due. Pure: dates in, moments (UTC) out.

Reminders go out at `send_at` local time on their day: `before_days` before the deadline, on the day, and every
`overdue_every_days` after it; the interviewer and the commission are told once when an item is
`escalate_after_days` overdue. Nothing goes out in quiet hours; with `working_days_only`, reminders move to
working days (see bot/followup/workdays.py). The same
rules are checked again when a notification is sent (`next_allowed`): a bot that was down, or a retry, never sends
in quiet hours, nor a scheduled message on a day off.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.followup.workdays import Calendar

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReminderPolicy:
    before_days: tuple[int, ...] = (7, 1)
    on_the_day: bool = True
    overdue_every_days: int = 3
    escalate_after_days: int = 7
    send_at: time = time(9, 0)
    quiet_start: time = time(22, 0)
    quiet_end: time = time(8, 0)
    working_days_only: bool = False
    followup_months: int = 3
    draft_nudge_hours: int = 2  # a draft untouched this long gets one nudge (0: never)
    draft_expiry_days: int = 30  # a draft untouched this long is discarded, with a notice (0: never)
    calendar: Calendar = field(default_factory=Calendar)  # which days are working days

    def is_working_day(self, day: date) -> bool:
        return self.calendar.is_working_day(day)


@dataclass(frozen=True)
class Moment:
    kind: str  # before | due | overdue | escalate
    days: int  # before: days before the deadline; overdue and escalate: days after it; due: 0
    at: datetime  # UTC

    @property
    def name(self) -> str:
        return f"{self.kind}{self.days}"


def is_quiet(moment: time, policy: ReminderPolicy) -> bool:
    start, end = policy.quiet_start, policy.quiet_end
    if start == end:
        return False
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


def out_of_quiet_hours(moment: datetime, policy: ReminderPolicy, zone: ZoneInfo) -> datetime:
    """`moment` (UTC), or the end of the quiet hours it falls in."""
    local = moment.astimezone(zone)
    if not is_quiet(local.time(), policy):
        return moment
    end = datetime.combine(local.date(), policy.quiet_end, tzinfo=zone)
    if end <= local:
        end += timedelta(days=1)
    return end.astimezone(moment.tzinfo)


# The kinds sent on a schedule rather than in answer to someone: these keep to working days when the policy asks.
# Every kind keeps out of quiet hours.
SCHEDULED_KINDS = frozenset({"before", "due", "overdue", "escalate", "monthly", "quarterly", "draft_nudge"})


def next_allowed(moment: datetime, kind: str, policy: ReminderPolicy, zone: ZoneInfo) -> datetime:
    """`moment` (UTC) if a notification of this kind may go out then, else the next moment one may: the end of the
    quiet hours, and for scheduled kinds (with `working_days_only`) the start of the next working day's window."""
    working_days = policy.working_days_only and kind in SCHEDULED_KINDS
    for _ in range(400):  # a year of days off in a row cannot happen; the bound only guards a broken calendar
        moment = out_of_quiet_hours(moment, policy, zone)
        local = moment.astimezone(zone)
        if not working_days or policy.is_working_day(local.date()):
            return moment
        moment = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=zone).astimezone(moment.tzinfo)
    return moment


def _on_day(day: date, policy: ReminderPolicy, zone: ZoneInfo, earlier: bool) -> datetime:
    """`send_at` on `day` (moved to a working day if asked: earlier ones before a deadline, later ones after)."""
    if policy.working_days_only:
        step = timedelta(days=-1 if earlier else 1)
        for _ in range(30):
            if policy.is_working_day(day):
                break
            day += step
    local = datetime.combine(day, policy.send_at, tzinfo=zone)
    return out_of_quiet_hours(local.astimezone(ZoneInfo("UTC")), policy, zone)


def moments(deadline: date, policy: ReminderPolicy, zone: ZoneInfo, until: datetime) -> list[Moment]:
    """Every reminder moment of an item with this deadline up to `until`, in time order."""
    found = [
        Moment("before", d, _on_day(deadline - timedelta(days=d), policy, zone, True))
        for d in sorted(policy.before_days, reverse=True)
        if d > 0
    ]
    if policy.on_the_day:
        found.append(Moment("due", 0, _on_day(deadline, policy, zone, True)))
    if policy.escalate_after_days > 0:
        found.append(
            Moment(
                "escalate",
                policy.escalate_after_days,
                _on_day(deadline + timedelta(days=policy.escalate_after_days), policy, zone, False),
            )
        )
    if policy.overdue_every_days > 0:
        days = policy.overdue_every_days
        while True:
            at = _on_day(deadline + timedelta(days=days), policy, zone, False)
            if at > until:
                break
            found.append(Moment("overdue", days, at))
            days += policy.overdue_every_days
    return sorted((m for m in found if m.at <= until), key=lambda m: (m.at, m.kind))


def to_plan(
    deadline: date, policy: ReminderPolicy, zone: ZoneInfo, planned_from: datetime, now: datetime, horizon: timedelta
) -> list[Moment]:
    """The moments to have in the outbox now: those from `planned_from` up to `now + horizon`, except reminders
    already overtaken by a later one that is due too (after the bot was down, one reminder says it all)."""
    return still_to_plan(moments(deadline, policy, zone, now + horizon), planned_from, now)


def still_to_plan(found: list[Moment], planned_from: datetime, now: datetime) -> list[Moment]:
    """`to_plan` from a deadline's moments (up to `now + horizon`): a planning run works them out once a deadline,
    not once an item — a province's items share a few hundred deadlines."""
    candidates = [m for m in found if m.at >= planned_from]
    reminders_due = [m for m in candidates if m.kind != "escalate" and m.at <= now]
    overtaken = set(reminders_due[:-1])
    return [m for m in candidates if m not in overtaken]
