"""Coverage (涵盖率) and quotas: who was talked to as often as the annual ledger requires, and how far each
interviewer is with their quota. Windows follow each person's frequency (每月 … 每年) within the period asked,
up to today; people with a justified exclusion overlapping the period are left out of the count and named."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import text
from bot.questions.periods import Period, half, month, quarter, year
from storage import coverage
from storage.models import Person


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


@dataclass(frozen=True)
class PlanLine:
    """One person the plan requires to be talked to: their windows begun by today, those without a talk, or the
    reason they are excused (then not counted)."""

    person: Person
    windows: list[Period]
    gaps: list[Period]
    excused: str | None


@dataclass(frozen=True)
class Coverage:
    lines: list[PlanLine]

    @property
    def counted(self) -> int:
        return sum(1 for line in self.lines if line.excused is None)

    @property
    def covered(self) -> int:
        return sum(1 for line in self.lines if line.excused is None and not line.gaps)

    @property
    def excused(self) -> int:
        return sum(1 for line in self.lines if line.excused is not None)

    def summary(self, language: str) -> str:
        """The headline the chat answers and the annual ledger prints: the same figures."""
        rate = f"{self.covered / self.counted:.1%}" if self.counted else "—"
        return text(
            language, "coverage.summary", rate=rate, covered=self.covered, required=self.counted, excused=self.excused
        )


async def coverage_of(
    session: AsyncSession, scopes: tuple[str, ...] | None, period: Period, today: date, zone: ZoneInfo
) -> Coverage:
    people = await coverage.required(session, scopes)
    ids = [p.id for p in people]
    excused = await coverage.excluded(session, ids, period.start, period.end)
    talks = await coverage.talked_to(session, ids, _utc(period.start, zone), _utc(period.end, zone))
    lines = []
    for person in people:
        dates = [held.astimezone(zone).date() for held in talks.get(person.id, [])]
        begun = windows(period, person.talk_every, today)
        gaps = [w for w in begun if not any(w.start <= d < w.end for d in dates)]
        lines.append(PlanLine(person, begun, gaps, excused.get(person.id)))
    return Coverage(lines)


async def coverage_text(
    session: AsyncSession, scopes: tuple[str, ...] | None, period: Period, today: date, zone: ZoneInfo, language: str
) -> str:
    found = await coverage_of(session, scopes, period, today, zone)
    if not found.lines:
        return text(language, "coverage.none_required")
    missing = [
        text(
            language,
            "coverage.missing_line",
            name=line.person.name,
            unit=line.person.unit.path,
            windows="、".join(f"{w.start:%Y-%m}" for w in line.gaps),
        )
        for line in found.lines
        if line.excused is None and line.gaps
    ]
    lines = [found.summary(language)]
    lines += [
        text(language, "coverage.excused_line", name=line.person.name, reason=line.excused)
        for line in found.lines
        if line.excused is not None
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


@dataclass(frozen=True)
class QuotaLine:
    """An interviewer's talks led in the period against their quota scaled to it (None: the period is not
    whole months, so there is nothing to compare)."""

    person: Person
    per: str
    each: int
    done: int
    quota: float | None


async def quotas_of(
    session: AsyncSession, scopes: tuple[str, ...] | None, person_id: int | None, period: Period, zone: ZoneInfo
) -> list[QuotaLine]:
    people = await coverage.with_quota(session, None if person_id is not None else scopes, person_id)
    led = await coverage.talks_led(session, [p.id for p in people], _utc(period.start, zone), _utc(period.end, zone))
    months = whole_months(period)
    found = []
    for person in people:
        per = person.quota_per or "month"
        quota = None if months is None else scaled_quota(person.quota_talks or 0, per, months)
        found.append(QuotaLine(person, per, person.quota_talks or 0, led.get(person.id, 0), quota))
    return found


def quota_figure(quota: float) -> str:
    return f"{quota:.0f}" if quota == int(quota) else f"{quota:.1f}"


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
    found = await quotas_of(session, scopes, person_id, period, zone)
    if not found:
        return text(language, "coverage.no_own_quota" if person_id is not None else "coverage.no_quotas")
    lines = [text(language, "coverage.quota_title", today=today.isoformat())]
    for line in found:
        common = {
            "name": line.person.name,
            "done": line.done,
            "start": period.start.isoformat(),
            "end": period.last_day.isoformat(),
            "per": text(language, f"coverage.per.{line.per}"),
            "each": line.each,
        }
        if line.quota is None:
            lines.append(text(language, "coverage.quota_line_uneven", **common))
            continue
        mark = "✅" if line.done >= line.quota else "⏳"
        lines.append(text(language, "coverage.quota_line", quota=quota_figure(line.quota), mark=mark, **common))
    return "\n".join(lines)
