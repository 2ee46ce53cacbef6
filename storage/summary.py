"""The summary ledger's aggregates: talks (次) and person-times (人次) over the detail ledger, by one dimension.

One talk counts once; each person talked to in it once as a person-time, with the rank level and unit recorded
on their participant row at the time of the talk. Deleted talks and drafts never count.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    false,
    func,
    literal_column,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Executable

from storage import tally
from storage.models import Person, RectificationItem, Talk, TalkParticipant, TallySettings, Unit, UnitAncestor


@dataclass(frozen=True)
class TallyCells:
    months: list[str]
    base: int  # the unit whose sub-tree the question covers
    base_depth: int


@dataclass(frozen=True)
class TalkFilter:
    """Which subject rows count: the period (UTC), and optional filters; `scopes` or `own_person` limit whose."""

    start: datetime
    end: datetime
    kinds: Sequence[str] = ()
    collective: bool | None = None
    rank_levels: Sequence[str] = ()
    units: Sequence[str] = ()  # unit paths, each with its sub-units
    lead_ids: Sequence[int] = ()
    subject_ids: Sequence[int] = ()  # only these people's rows: talks they were talked to in, their person-times
    scopes: Sequence[str] | None = None  # None: no unit limit
    own_person: int | None = None  # a leader: only talks they led or logged
    tally: TallyCells | None = None  # the monthly tally cells that answer this exactly (see `with_tally`)


def _in_units(name: str) -> ColumnElement[bool]:
    """The participant's unit is one of the paths bound as `name`, or below one (through the closure table:
    index-friendly)."""
    ancestor = aliased(Unit)
    below = (
        select(UnitAncestor.unit_id)
        .join(ancestor, ancestor.id == UnitAncestor.ancestor_id)
        .where(ancestor.path.in_(bindparam(name, expanding=True)))
    )
    return TalkParticipant.unit_id.in_(below)


def _subjects(selected: Sequence[Any], where: TalkFilter, *, with_talk: bool = False) -> Select[Any]:
    """Subject rows that count, from the participant table alone unless a filter needs the talk or the unit.

    Only the filter's shape (which filters are set) shapes the statement; the values are bound parameters, from
    `_parameters`, so that a statement built once serves every question of its shape (see `_statement`)."""
    # For a leader, their own talks (a few dozen a year) are the narrower way in: `role || ''` keeps SQLite from
    # choosing the (role, counted, held_at) index, which would visit every subject of the period (5× slower).
    role = TalkParticipant.role.concat("") if where.own_person is not None else TalkParticipant.role
    query = (
        select(*selected)
        .select_from(TalkParticipant)
        .where(
            role == "subject",
            TalkParticipant.counted == true(),  # "= 1", so that the index on (role, counted, held_at) serves the range
            TalkParticipant.held_at >= bindparam("start"),
            TalkParticipant.held_at < bindparam("end"),
        )
    )
    if with_talk or where.collective is not None or where.lead_ids:
        query = query.join(Talk, Talk.id == TalkParticipant.talk_id)
    if where.kinds:
        query = query.where(TalkParticipant.kind.in_(bindparam("kinds", expanding=True)))
    if where.collective is not None:
        query = query.where(Talk.format == bindparam("format"))
    if where.rank_levels:
        query = query.where(TalkParticipant.rank_level.in_(bindparam("ranks", expanding=True)))
    if where.units:
        query = query.where(_in_units("units"))
    if where.lead_ids:
        query = query.where(Talk.lead_id.in_(bindparam("leads", expanding=True)))
    if where.subject_ids:
        query = query.where(TalkParticipant.person_id.in_(bindparam("subjects", expanding=True)))
    if where.scopes is not None:
        query = query.where(_in_units("scopes") if where.scopes else false())
    if where.own_person is not None:
        # A list of the person's talks, read once through their indexes, then their participants by talk
        own_talks = select(Talk.id).where(or_(Talk.lead_id == bindparam("own"), Talk.logged_by_id == bindparam("own")))
        query = query.where(TalkParticipant.talk_id.in_(own_talks))
    return query


def _parameters(where: TalkFilter, **more: Any) -> dict[str, Any]:
    """The values `_subjects` binds (a statement ignores those it has no place for)."""
    return {
        "start": where.start,
        "end": where.end,
        "kinds": list(where.kinds),
        "format": "collective" if where.collective else "individual",
        "ranks": list(where.rank_levels),
        "units": list(where.units),
        "leads": list(where.lead_ids),
        "subjects": list(where.subject_ids),
        "scopes": list(where.scopes or ()),
        "own": where.own_person,
        **more,
    }


_BUILT: dict[tuple[Hashable, ...], Executable] = {}


def _statement(purpose: Hashable, where: TalkFilter, build: Callable[[], Executable]) -> Executable:
    """The statement for this purpose and this shape of filter, built the first time only: building a statement
    with joins and aliases costs more than running it. `build` must take nothing from `where` but its shape."""
    shape = (
        purpose,
        bool(where.kinds),
        where.collective,
        bool(where.rank_levels),
        bool(where.units),
        bool(where.lead_ids),
        bool(where.subject_ids),
        None if where.scopes is None else bool(where.scopes),
        where.own_person is not None,
    )
    found = _BUILT.get(shape)
    if found is None:
        found = _BUILT[shape] = build()
    return found


_COUNTS = (func.count(func.distinct(TalkParticipant.talk_id)), func.count())


async def totals(session: AsyncSession, where: TalkFilter) -> tuple[int, int]:
    """(talks, person-times)."""
    statement = _statement("totals", where, lambda: _subjects(_COUNTS, where))
    row = (await session.execute(statement, _parameters(where))).one()
    return int(row[0]), int(row[1])


GROUPS = {"kind": TalkParticipant.kind, "rank": TalkParticipant.rank_level, "interviewer": Talk.lead_id}


_TALLY_BASE = (
    select(Unit.id, Unit.path, TallySettings.time_zone)
    .join(TallySettings, true())
    .where(Unit.path == bindparam("path"))
)


async def with_tally(session: AsyncSession, where: TalkFilter, roots: Sequence[str]) -> TalkFilter:
    """`where`, answered from the monthly tally when it can be exactly: whole local months, one unit's sub-tree,
    at most a kind filter. `roots` are the root units' paths (the whole organisation when no scope is given)."""
    if (
        where.collective is not None
        or where.rank_levels
        or where.lead_ids
        or where.subject_ids
        or where.own_person is not None
    ):
        return where
    paths = list(where.units or where.scopes or roots)
    if len(paths) != 1 or (where.units and where.scopes is not None):
        return where  # several trees: a talk reaching two of them must still count once
    found = (await session.execute(_TALLY_BASE, {"path": paths[0]})).first()
    months = tally.months_between(where.start, where.end, ZoneInfo(found.time_zone)) if found else None
    if found is None or not months:
        return where
    return replace(where, tally=TallyCells(months, found.id, len(found.path.split("/"))))


def _largest_first(rows: Iterable[tuple[object, int, int]]) -> list[tuple[object, int, int]]:
    return sorted(rows, key=lambda r: (-r[1], -r[2]))


async def by_group(session: AsyncSession, where: TalkFilter, dimension: str) -> list[tuple[object, int, int]]:
    """(value, talks, person-times) for each value of `kind`, `rank` or `interviewer`, largest first."""
    cells = where.tally if dimension != "interviewer" else None
    if cells is not None:
        return _largest_first(await tally.by_column(session, cells.months, where.kinds, cells.base, dimension))
    column = GROUPS[dimension]
    statement = _statement(
        ("by_group", dimension),
        where,
        lambda: _subjects([column, *_COUNTS], where, with_talk=dimension == "interviewer").group_by(column),
    )
    rows = await session.execute(statement, _parameters(where))
    return _largest_first((value, int(talks), int(times)) for value, talks, times in rows)


def _kinds_and_ranks(where: TalkFilter) -> Executable:
    kinds = _subjects([literal_column("'kind'"), TalkParticipant.kind, *_COUNTS], where)
    ranks = _subjects([literal_column("'rank'"), TalkParticipant.rank_level, *_COUNTS], where)
    return union_all(kinds.group_by(TalkParticipant.kind), ranks.group_by(TalkParticipant.rank_level))


async def kinds_and_ranks(
    session: AsyncSession, where: TalkFilter
) -> tuple[list[tuple[object, int, int]], list[tuple[object, int, int]]]:
    """`by_group` by kind and by rank together, in one statement: what every answer's sentence needs."""
    cells = where.tally
    if cells is not None:
        kinds, ranks = await tally.by_kind_and_rank(session, cells.months, where.kinds, cells.base)
        return _largest_first(kinds), _largest_first(ranks)
    rows = await session.execute(
        _statement("kinds_and_ranks", where, lambda: _kinds_and_ranks(where)), _parameters(where)
    )
    grouped: dict[str, list[tuple[object, int, int]]] = {"kind": [], "rank": []}
    for group, value, talks, times in rows:
        grouped[group].append((value, int(talks), int(times)))
    return _largest_first(grouped["kind"]), _largest_first(grouped["rank"])


async def by_unit(session: AsyncSession, where: TalkFilter, depth: int) -> list[tuple[str, int, int]]:
    """(unit path, talks, person-times) rolled up to the units `depth` levels deep (units above stay as they are)."""
    cells = where.tally
    if cells is not None and depth > cells.base_depth:
        # Sub-trees from the tally; the few units above `depth` count only their own people, from their rows.
        rows = await tally.by_unit(session, cells.months, where.kinds, cells.base, depth)
        return rows + await _rolled_up(session, where, depth, above_of=cells.base)
    return await _rolled_up(session, where, depth)


def _rolled_up_statement(where: TalkFilter, only_above: bool) -> Executable:
    ancestor = aliased(Unit)
    depth: BindParameter[int] = bindparam("depth", type_=Integer)
    level = case((UnitAncestor.unit_depth < depth, UnitAncestor.unit_depth), else_=depth)
    query = (
        _subjects([ancestor.path, *_COUNTS], where)
        .join(UnitAncestor, and_(UnitAncestor.unit_id == TalkParticipant.unit_id, UnitAncestor.depth == level))
        .join(ancestor, ancestor.id == UnitAncestor.ancestor_id)
        .group_by(ancestor.path)
    )
    if only_above:
        above = aliased(UnitAncestor)
        units_above = select(above.unit_id).where(above.ancestor_id == bindparam("base"), above.unit_depth < depth)
        query = query.where(TalkParticipant.unit_id.in_(units_above))
    return query


async def _rolled_up(
    session: AsyncSession, where: TalkFilter, depth: int, *, above_of: int | None = None
) -> list[tuple[str, int, int]]:
    """Rolled up to `depth`; with `above_of`, only the people of the units under it that are above `depth`."""
    only_above = above_of is not None
    statement = _statement(("rolled_up", only_above), where, lambda: _rolled_up_statement(where, only_above))
    rows = await session.execute(statement, _parameters(where, depth=depth, base=above_of))
    return [(path, int(talks), int(times)) for path, talks, times in rows]


async def talk_kinds(session: AsyncSession, where: TalkFilter) -> list[tuple[datetime, str]]:
    """(held at, kind) of every counted talk, once each."""
    statement = _statement(
        "talk_kinds",
        where,
        lambda: _subjects([TalkParticipant.talk_id, TalkParticipant.held_at, TalkParticipant.kind], where).distinct(),
    )
    return [(held_at, kind) for _, held_at, kind in await session.execute(statement, _parameters(where))]


async def talk_times(session: AsyncSession, where: TalkFilter) -> list[tuple[int, datetime, int]]:
    """(talk id, held at, person-times) of every counted talk: months are bucketed in local time by the caller."""
    statement = _statement(
        "talk_times",
        where,
        lambda: _subjects([TalkParticipant.talk_id, TalkParticipant.held_at, func.count()], where).group_by(
            TalkParticipant.talk_id, TalkParticipant.held_at
        ),
    )
    rows = await session.execute(statement, _parameters(where))
    return [(int(talk_id), held_at, int(times)) for talk_id, held_at, times in rows]


async def talks_matching(session: AsyncSession, where: TalkFilter, offset: int, limit: int) -> tuple[list[Talk], int]:
    """The records behind a figure: the counted talks, newest first, a page of them and how many in all."""
    ids = _subjects([TalkParticipant.talk_id], where).distinct().subquery()
    parameters = _parameters(where)
    total = int(await session.scalar(select(func.count()).select_from(ids), parameters) or 0)
    page = (
        await session.scalars(
            select(Talk)
            .where(Talk.id.in_(select(ids.c.talk_id)))
            .order_by(Talk.held_at.desc(), Talk.id.desc())
            .offset(offset)
            .limit(limit),
            parameters,
        )
    ).all()
    return list(page), total


def _problems_of(selected: Sequence[Any], where: TalkFilter, *, every_kind: bool = False) -> Select[Any]:
    """Problem items of the counted talks; with `every_kind`, the 双报告 written-report items too."""
    talk_ids = _subjects([TalkParticipant.talk_id], where).distinct().subquery()
    query = (
        select(*selected)
        .join(Person, Person.id == RectificationItem.responsible_id)
        .join(Unit, Unit.id == Person.unit_id)
        .where(RectificationItem.talk_id.in_(select(talk_ids.c.talk_id)))
    )
    return query if every_kind else query.where(RectificationItem.kind == "problem")


async def item_counts(session: AsyncSession, where: TalkFilter) -> tuple[int, int]:
    """(problem items, of which closed) of the counted talks."""
    closed = func.count(case((RectificationItem.state == "closed", 1)))
    statement = _statement("item_counts", where, lambda: _problems_of([func.count(), closed], where))
    count, closed_count = (await session.execute(statement, _parameters(where))).one()
    return int(count), int(closed_count)


async def completion_counts(session: AsyncSession, where: TalkFilter) -> tuple[int, int, int]:
    """(items of every kind, of which closed, of which 双报告 written reports) of the counted talks: a completion
    rate counts every item that can be closed, the written report included."""
    closed = func.count(case((RectificationItem.state == "closed", 1)))
    reports = func.count(case((RectificationItem.kind == "followup", 1)))
    statement = _statement(
        "completion_counts", where, lambda: _problems_of([func.count(), closed, reports], where, every_kind=True)
    )
    count, closed_count, report_count = (await session.execute(statement, _parameters(where))).one()
    return int(count), int(closed_count), int(report_count)


async def items_in(
    session: AsyncSession, where: TalkFilter, *, overdue_on: date | None = None
) -> list[RectificationItem]:
    """Problem items of the counted talks (responsible person in the units), or only those overdue on a day."""
    query = _problems_of([RectificationItem], where).order_by(RectificationItem.deadline, RectificationItem.id)
    if overdue_on is not None:
        query = query.where(RectificationItem.state != "closed", RectificationItem.deadline < bindparam("today"))
    return list((await session.scalars(query, _parameters(where, today=overdue_on))).all())


async def units_at_depth(session: AsyncSession, bases: Sequence[str], depth: int) -> list[str]:
    """The paths of the units `depth` levels deep within these units' sub-trees: the rows a by-unit breakdown
    shows even when nobody there was talked to."""
    if not bases:
        return []
    ancestor = aliased(Unit)
    query = (
        select(Unit.path)
        .join(UnitAncestor, UnitAncestor.unit_id == Unit.id)
        .join(ancestor, ancestor.id == UnitAncestor.ancestor_id)
        .where(ancestor.path.in_(list(bases)), UnitAncestor.unit_depth == depth)
        .distinct()
    )
    return list((await session.scalars(query)).all())


async def unit_paths(session: AsyncSession) -> list[str]:
    return list((await session.scalars(select(Unit.path).order_by(Unit.path))).all())


async def people_and_units(session: AsyncSession) -> list[tuple[str, int, str]]:
    """(name, id, unit path) of every active person: a question may name those in the asker's scope."""
    rows = await session.execute(
        select(Person.name, Person.id, Unit.path).join(Unit, Unit.id == Person.unit_id).where(Person.active)
    )
    return [(name, int(person_id), path) for name, person_id, path in rows]
