"""Queries for the annual ledger (年度账): who must be talked to, who is excused, who holds how many talks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CoverageExclusion, Person, Talk, TalkParticipant, Unit


def _within(scopes: Sequence[str]) -> ColumnElement[bool]:
    return or_(*(or_(Unit.path == s, Unit.path.startswith(s + "/", autoescape=True)) for s in scopes))


async def required(session: AsyncSession, scopes: Sequence[str] | None) -> list[Person]:
    """Active people who must be talked to at some frequency, in the scopes."""
    if scopes is not None and not scopes:
        return []
    query = select(Person).join(Unit, Unit.id == Person.unit_id).where(Person.active, Person.talk_every != "")
    if scopes is not None:
        query = query.where(_within(scopes))
    return list((await session.scalars(query.order_by(Unit.path, Person.name))).all())


async def with_quota(session: AsyncSession, scopes: Sequence[str] | None, person_id: int | None = None) -> list[Person]:
    """Active people with a talk quota in the scopes (None: everywhere), or only the one person."""
    if scopes is not None and not scopes:
        return []
    query = select(Person).join(Unit, Unit.id == Person.unit_id).where(Person.active, Person.quota_talks > 0)
    if scopes is not None:
        query = query.where(_within(scopes))
    if person_id is not None:
        query = query.where(Person.id == person_id)
    return list((await session.scalars(query.order_by(Unit.path, Person.name))).all())


async def excluded(session: AsyncSession, person_ids: Sequence[int], start: date, end: date) -> dict[int, str]:
    """Person id → reason, for exclusions overlapping [start, end)."""
    rows = await session.execute(
        select(CoverageExclusion.person_id, CoverageExclusion.reason).where(
            CoverageExclusion.person_id.in_(person_ids), CoverageExclusion.start < end, CoverageExclusion.end >= start
        )
    )
    return {person_id: reason for person_id, reason in rows.all()}


async def talked_to(
    session: AsyncSession, person_ids: Sequence[int], start: datetime, end: datetime
) -> dict[int, list[datetime]]:
    """When each of these people was talked to (as a subject) in [start, end)."""
    rows = await session.execute(
        select(TalkParticipant.person_id, Talk.held_at)
        .join(Talk, Talk.id == TalkParticipant.talk_id)
        .where(
            TalkParticipant.role == "subject",
            ~Talk.deleted,
            TalkParticipant.person_id.in_(person_ids),
            Talk.held_at >= start,
            Talk.held_at < end,
        )
    )
    found: dict[int, list[datetime]] = defaultdict(list)
    for person_id, held_at in rows.all():
        found[person_id].append(held_at)
    return found


async def talks_led(session: AsyncSession, person_ids: Sequence[int], start: datetime, end: datetime) -> dict[int, int]:
    rows = await session.execute(
        select(Talk.lead_id, func.count())
        .where(~Talk.deleted, Talk.lead_id.in_(person_ids), Talk.held_at >= start, Talk.held_at < end)
        .group_by(Talk.lead_id)
    )
    return {lead_id: int(count) for lead_id, count in rows.all()}


def add_exclusion(session: AsyncSession, person: Person, start: date, end: date, reason: str) -> None:
    session.add(CoverageExclusion(person_id=person.id, start=start, end=end, reason=reason[:200]))
