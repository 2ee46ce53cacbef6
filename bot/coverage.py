"""Coverage (涵盖率) and quotas: who was talked to as often as the annual ledger requires, and how far each
interviewer is with their quota. Windows follow each person's frequency (每月 … 每年) within the period asked,
up to today; people with a justified exclusion overlapping the period are left out of the count and named."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import text
from bot.periods import Period, half, month, quarter, year
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


async def quota_text(
    session: AsyncSession, scopes: tuple[str, ...] | None, today: date, zone: ZoneInfo, language: str
) -> str:
    people = await coverage.with_quota(session, scopes)
    if not people:
        return text(language, "coverage.no_quotas")
    lines = [text(language, "coverage.quota_title", today=today.isoformat())]
    for person in people:
        window = window_of(today, person.quota_per or "month")
        led = await coverage.talks_led(session, [person.id], _utc(window.start, zone), _utc(window.end, zone))
        done = led.get(person.id, 0)
        lines.append(
            text(
                language,
                "coverage.quota_line",
                name=person.name,
                done=done,
                quota=person.quota_talks,
                start=window.start.isoformat(),
                end=(window.end - timedelta(days=1)).isoformat(),
                mark="✅" if done >= (person.quota_talks or 0) else "⏳",
            )
        )
    return "\n".join(lines)
