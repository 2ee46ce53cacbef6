"""The monthly tally (月度汇总): talks and person-times per local month, kind, unit (with everything below it)
and rank level, kept in step with the detail ledger at every write.

Year-wide questions read a few thousand tally rows instead of scanning hundreds of thousands of participants.
A talk counts once in every cell it touches, so cells add up over months and kinds (a talk has one of each) but
not over units or rank levels: a talk with two people in two districts counts once in each district and once in
the city. Rows with rank_level "" count every rank level.

Months are local to the organisation's time zone, which is stored with the tally (`tally_settings`); a tally
built for another zone, or never built, is rebuilt by `ensure` at start-up and not read until then.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, bindparam, delete, event, func, insert, inspect, select, true
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import Session

from storage.models import Talk, TalkParticipant, TalkTally, TallySettings, Unit, UnitAncestor
from storage.upsert import insert_for

ALL_RANKS = ""

Cell = tuple[str, str, int, str]  # (month, kind, unit, rank level)


@dataclass(frozen=True)
class Contribution:
    talks: Counter[Cell]
    person_times: Counter[Cell]


def month_of(moment: datetime | None, zone: ZoneInfo) -> str:
    assert moment is not None  # counted rows always have a time
    return moment.astimezone(zone).strftime("%Y-%m")


def _contribution(connection: Connection, talk_ids: Iterable[int], zone: ZoneInfo) -> Contribution:
    """What these talks add to the tally as the database holds them now."""
    ids = list(talk_ids)
    talks: Counter[Cell] = Counter()
    times: Counter[Cell] = Counter()
    for start in range(0, len(ids), 500):
        rows = connection.execute(
            select(
                TalkParticipant.talk_id,
                TalkParticipant.held_at,
                TalkParticipant.kind,
                UnitAncestor.ancestor_id,
                TalkParticipant.rank_level,
                func.count(),
            )
            .join(UnitAncestor, UnitAncestor.unit_id == TalkParticipant.unit_id)
            .where(
                TalkParticipant.talk_id.in_(ids[start : start + 500]),
                TalkParticipant.role == "subject",
                TalkParticipant.counted == true(),
                TalkParticipant.held_at.is_not(None),
            )
            .group_by(
                TalkParticipant.talk_id,
                TalkParticipant.held_at,
                TalkParticipant.kind,
                UnitAncestor.ancestor_id,
                TalkParticipant.rank_level,
            )
        ).all()
        touched: set[tuple[int, Cell]] = set()
        for talk_id, held_at, kind, unit_id, rank, count in rows:
            month = month_of(held_at, zone)
            for cell in ((month, kind, unit_id, rank), (month, kind, unit_id, ALL_RANKS)):
                times[cell] += count
                touched.add((talk_id, cell))
        for _, cell in touched:
            talks[cell] += 1
    return Contribution(talks, times)


def _apply(connection: Connection, before: Contribution, after: Contribution) -> None:
    cells = set(before.talks) | set(after.talks)
    rows = [
        {
            "month": month,
            "kind": kind,
            "unit_id": unit_id,
            "rank_level": rank,
            "talks": after.talks[cell] - before.talks[cell],
            "person_times": after.person_times[cell] - before.person_times[cell],
        }
        for cell in cells
        for month, kind, unit_id, rank in [cell]
    ]
    rows = [row for row in rows if row["talks"] or row["person_times"]]
    if not rows:
        return
    statement = insert_for(connection, TalkTally)
    # Adding deltas in one statement keeps concurrent writers from losing each other's counts.
    statement = statement.on_conflict_do_update(
        index_elements=["unit_id", "rank_level", "month", "kind"],
        set_={
            "talks": TalkTally.talks + statement.excluded.talks,
            "person_times": TalkTally.person_times + statement.excluded.person_times,
        },
    )
    connection.execute(statement, sorted(rows, key=lambda r: (r["month"], r["kind"], r["unit_id"], r["rank_level"])))


def _zone(connection: Connection) -> ZoneInfo | None:
    name = connection.execute(select(TallySettings.time_zone)).scalar()
    return ZoneInfo(name) if name else None


@event.listens_for(Session, "before_flush")
def _note_tally_before(session: Session, _context: object, _instances: object) -> None:
    session.info.pop("tally", None)  # left by a flush that failed
    talk_ids: set[int] = set()
    new_talks: list[Talk] = []  # no id before the flush: read after it
    dirty = [row for row in session.dirty if _counted_change(row)]
    for row in [*session.new, *dirty, *session.deleted]:
        talk = row if isinstance(row, Talk) else row.talk if isinstance(row, TalkParticipant) else None
        if isinstance(row, TalkParticipant) and row.talk_id is not None:
            talk_ids.add(row.talk_id)
        elif talk is not None and talk.id is None:
            new_talks.append(talk)
        elif talk is not None:
            talk_ids.add(talk.id)
    if not talk_ids and not new_talks:
        return
    connection = session.connection()
    zone = _zone(connection)
    if zone is None:
        return
    before = _contribution(connection, talk_ids, zone)
    session.info["tally"] = (zone, talk_ids, new_talks, before)


# What a talk or participant row counts by: a row changed only elsewhere (a talk's topic, its items, a time copied
# onto its participants unchanged) leaves the tally as it is, and its contribution is not read (issue 18: a confirm
# read it three times, twice for flushes that changed nothing counted).
_COUNTED_BY: dict[type, tuple[str, ...]] = {
    Talk: ("held_at", "kind", "deleted", "participants"),  # a participant dropped from the list is gone only at flush
    TalkParticipant: ("talk_id", "role", "unit_id", "rank_level", "held_at", "kind", "counted"),
}


def _counted_change(row: object) -> bool:
    names = _COUNTED_BY.get(type(row))
    if names is None:
        return False
    attributes = inspect(row).attrs
    return any(attributes[name].history.has_changes() for name in names)


@event.listens_for(Session, "after_flush")
def _apply_tally_after(session: Session, _context: object) -> None:
    noted = session.info.pop("tally", None)
    if noted is None:
        return
    zone, talk_ids, new_talks, before = noted
    ids = talk_ids | {talk.id for talk in new_talks if talk.id is not None}
    connection = session.connection()
    _apply(connection, before, _contribution(connection, ids, zone))


async def ensure(engine: AsyncEngine, zone: ZoneInfo) -> None:
    """Build the tally from the detail ledger if it was built for another time zone, or never."""
    async with engine.begin() as connection:
        await connection.run_sync(_ensure, zone)


def _ensure(connection: Connection, zone: ZoneInfo) -> None:
    if (current := _zone(connection)) is not None and current.key == zone.key:
        return
    rebuild(connection, zone)


def rebuild(connection: Connection, zone: ZoneInfo) -> None:
    """Recount every month from the participant rows, one local month at a time, in SQL."""
    connection.execute(delete(TalkTally))
    connection.execute(delete(TallySettings))
    first, last = connection.execute(
        select(func.min(TalkParticipant.held_at), func.max(TalkParticipant.held_at)).where(
            TalkParticipant.counted == true(), TalkParticipant.role == "subject"
        )
    ).one()
    month = first.astimezone(zone).date().replace(day=1) if first else date.max
    while last is not None and month <= last.astimezone(zone).date():
        following = _next_month(month)
        start, end = (datetime.combine(day, time(0, 0), tzinfo=zone) for day in (month, following))
        in_month = (
            TalkParticipant.role == "subject",
            TalkParticipant.counted == true(),
            TalkParticipant.held_at >= start,
            TalkParticipant.held_at < end,
        )
        counts = (func.count(func.distinct(TalkParticipant.talk_id)), func.count())
        by_rank = (TalkParticipant.kind, UnitAncestor.ancestor_id, TalkParticipant.rank_level)
        every_rank = (TalkParticipant.kind, UnitAncestor.ancestor_id)
        rows = [
            *connection.execute(_grouped(by_rank, counts, in_month)),
            *(
                (kind, unit_id, ALL_RANKS, talks, times)
                for kind, unit_id, talks, times in connection.execute(_grouped(every_rank, counts, in_month))
            ),
        ]
        if rows:
            key = month.strftime("%Y-%m")
            connection.execute(
                insert(TalkTally),
                [
                    {"month": key, "kind": k, "unit_id": u, "rank_level": r, "talks": t, "person_times": p}
                    for k, u, r, t, p in rows
                ],
            )
        month = following
    connection.execute(insert(TallySettings), {"id": 1, "time_zone": zone.key})


def _grouped(keys: tuple[Any, ...], counts: tuple[Any, ...], conditions: tuple[Any, ...]) -> Select[Any]:
    return (
        select(*keys, *counts)
        .join(UnitAncestor, UnitAncestor.unit_id == TalkParticipant.unit_id)
        .where(*conditions)
        .group_by(*keys)
    )


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


# Reading


def months_between(start: datetime, end: datetime, zone: ZoneInfo) -> list[str] | None:
    """The local months exactly covering [start, end), or None when either end is not a month boundary."""
    first, stop = start.astimezone(zone), end.astimezone(zone)
    if (first.day, first.time()) != (1, time(0, 0)) or (stop.day, stop.time()) != (1, time(0, 0)):
        return None
    months, day = [], first.date()
    while day < stop.date():
        months.append(day.strftime("%Y-%m"))
        day = _next_month(day)
    return months


async def by_column(
    session: AsyncSession, months: Sequence[str], kinds: Sequence[str], base: int, dimension: str
) -> list[tuple[Any, int, int]]:
    """(kind or rank level, talks, person-times) within one unit's sub-tree over whole months."""
    column = TalkTally.kind if dimension == "kind" else TalkTally.rank_level
    query = (
        select(column, func.sum(TalkTally.talks), func.sum(TalkTally.person_times))
        .where(*_cells(months, kinds), TalkTally.unit_id == base)
        .where(TalkTally.rank_level == ALL_RANKS if dimension == "kind" else TalkTally.rank_level != ALL_RANKS)
        .group_by(column)
    )
    rows = (await session.execute(query)).all()
    return [(value, int(t), int(p)) for value, t, p in rows if t or p]


_KINDS_AND_RANKS = (
    select(TalkTally.kind, TalkTally.rank_level, func.sum(TalkTally.talks), func.sum(TalkTally.person_times))
    .where(
        TalkTally.month >= bindparam("first"),
        TalkTally.month <= bindparam("last"),
        TalkTally.unit_id == bindparam("base"),
    )
    .group_by(TalkTally.kind, TalkTally.rank_level)
)
_KINDS_AND_RANKS_OF_KINDS = _KINDS_AND_RANKS.where(TalkTally.kind.in_(bindparam("kinds", expanding=True)))


async def by_kind_and_rank(
    session: AsyncSession, months: Sequence[str], kinds: Sequence[str], base: int
) -> tuple[list[tuple[str, int, int]], list[tuple[str, int, int]]]:
    """(kind, talks, person-times) rows and (rank level, talks, person-times) rows within one unit's sub-tree over
    whole months, in one statement. A talk has one kind, so a rank level's talks add up over the kinds."""
    parameters: dict[str, Any] = {"first": min(months), "last": max(months), "base": base}
    if kinds:
        parameters["kinds"] = list(kinds)
    rows = (await session.execute(_KINDS_AND_RANKS_OF_KINDS if kinds else _KINDS_AND_RANKS, parameters)).all()
    by_kind: list[tuple[str, int, int]] = []
    by_rank: dict[str, list[int]] = {}
    for kind, rank, talks, times in rows:
        if rank == ALL_RANKS:
            by_kind.append((kind, int(talks), int(times)))
        else:
            counted = by_rank.setdefault(rank, [0, 0])
            counted[0] += int(talks)
            counted[1] += int(times)
    ranks = [(rank, talks, times) for rank, (talks, times) in by_rank.items()]
    return [row for row in by_kind if row[1] or row[2]], [row for row in ranks if row[1] or row[2]]


async def by_unit(
    session: AsyncSession, months: Sequence[str], kinds: Sequence[str], base: int, depth: int
) -> list[tuple[str, int, int]]:
    """(unit path, talks, person-times) of each unit `depth` levels deep under `base`, with its sub-tree.

    Units above that depth count only their own people: the caller counts those from the participant rows.
    """
    below = select(UnitAncestor.unit_id).where(UnitAncestor.ancestor_id == base)
    at_depth = select(UnitAncestor.unit_id).where(
        UnitAncestor.unit_depth == depth, UnitAncestor.depth == depth, UnitAncestor.unit_id.in_(below)
    )
    query = (
        select(Unit.path, func.sum(TalkTally.talks), func.sum(TalkTally.person_times))
        .join(Unit, Unit.id == TalkTally.unit_id)
        .where(*_cells(months, kinds), TalkTally.rank_level == ALL_RANKS, TalkTally.unit_id.in_(at_depth))
        .group_by(Unit.path)
    )
    rows = (await session.execute(query)).all()
    return [(path, int(t), int(p)) for path, t, p in rows if t or p]


def _cells(months: Sequence[str], kinds: Sequence[str]) -> list[Any]:
    conditions: list[Any] = [TalkTally.month >= min(months), TalkTally.month <= max(months)]
    if kinds:
        conditions.append(TalkTally.kind.in_(list(kinds)))
    return conditions
