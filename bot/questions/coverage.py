"""Coverage (涵盖率) and quotas: who was talked to as often as the annual ledger requires, and how far each
interviewer is with their quota. Windows follow each person's frequency (每月 … 每年) within the period asked,
up to today; people with a justified exclusion overlapping the period are left out of the count and named."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import text
from bot.questions.periods import Period, half, month, quarter, year
from storage import coverage


def window_of(day: date, every: str) -> Period:
    if every == "month":
        return month(day.year, day.month)
    if every == "quarter":
        return quarter(day.year, (day.month - 1) // 3 + 1)
    if every == "half":
        return half(day.year, 1 if day.month <= 6 else 2)
    return year(day.year)


def windows(period: Period, every: str, today: date) -> list[Period]:
    """The person's windows that overlap the period and have begun by today."""
    found: list[Period] = []
    day = period.start
    while day < period.end and day <= today:
        window = window_of(day, every)
        found.append(window)
        day = window.end
    return found


def _utc(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=zone)


async def coverage_text(
    session: AsyncSession, scopes: tuple[str, ...] | None, period: Period, today: date, zone: ZoneInfo, language: str
) -> str:
    people = await coverage.required(session, scopes)
    if not people:
        return text(language, "coverage.none_required")
    ids = [p.id for p in people]
    excused = await coverage.excluded(session, ids, period.start, period.end)
    talks = await coverage.talked_to(session, ids, _utc(period.start, zone), _utc(period.end, zone))
    missing, counted = [], 0
    for person in people:
        if person.id in excused:
            continue
        counted += 1
        dates = [held.astimezone(zone).date() for held in talks.get(person.id, [])]
        gaps = [w for w in windows(period, person.talk_every, today) if not any(w.start <= d < w.end for d in dates)]
        if gaps:
            missing.append(
                text(
                    language,
                    "coverage.missing_line",
                    name=person.name,
                    unit=person.unit.path,
                    windows="、".join(f"{w.start:%Y-%m}" for w in gaps),
                )
            )
    covered = counted - len(missing)
    rate = f"{covered / counted:.1%}" if counted else "—"
    lines = [text(language, "coverage.summary", rate=rate, covered=covered, required=counted, excused=len(excused))]
    lines += [
        text(language, "coverage.excused_line", name=p.name, reason=excused[p.id]) for p in people if p.id in excused
    ]
    if missing:
        lines.append(text(language, "coverage.missing_title", count=len(missing)))
        lines += missing[:50]
    return "\n".join(lines)


MONTHS_PER = {"month": 1, "quarter": 3, "half": 6, "year": 12}


def whole_months(period: Period) -> int | None:
    """How many whole months the period is, or None when it does not start and end on a month's first day."""
    if period.start.day != 1 or period.end.day != 1:
        return None
    return (period.end.year - period.start.year) * 12 + period.end.month - period.start.month


def scaled_quota(quota: int, per: str, months: int) -> float:
    """The quota for `months` months: 10 a month is 30 a quarter; 30 a quarter is 10 a month."""
    return quota * months / MONTHS_PER.get(per, 1)


async def quota_text(
    session: AsyncSession,
    scopes: tuple[str, ...] | None,
    person_id: int | None,
    period: Period,
    today: date,
    zone: ZoneInfo,
    language: str,
) -> str:
    """Each interviewer's talks led in the period against their quota scaled to it; with `person_id`, that
    person's own line only."""
    people = await coverage.with_quota(session, None if person_id is not None else scopes, person_id)
    if not people:
        return text(language, "coverage.no_own_quota" if person_id is not None else "coverage.no_quotas")
    led = await coverage.talks_led(session, [p.id for p in people], _utc(period.start, zone), _utc(period.end, zone))
    months = whole_months(period)
    lines = [text(language, "coverage.quota_title", today=today.isoformat())]
    for person in people:
        per = person.quota_per or "month"
        done = led.get(person.id, 0)
        common = {
            "name": person.name,
            "done": done,
            "start": period.start.isoformat(),
            "end": period.last_day.isoformat(),
            "per": text(language, f"coverage.per.{per}"),
            "each": person.quota_talks,
        }
        if months is None:
            lines.append(text(language, "coverage.quota_line_uneven", **common))
            continue
        quota = scaled_quota(person.quota_talks or 0, per, months)
        shown = f"{quota:.0f}" if quota == int(quota) else f"{quota:.1f}"
        lines.append(text(language, "coverage.quota_line", quota=shown, mark="✅" if done >= quota else "⏳", **common))
    return "\n".join(lines)
