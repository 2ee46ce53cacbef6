"""Queries over units, people and their role grants."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import Person, RoleGrant, Unit, UnitAncestor


def pinyin_key(name: str) -> str:
    """'赵敏' → 'zhaomin zm', kept in people.pinyin so that typing the start of either finds the person."""
    from pypinyin import lazy_pinyin  # noqa: PLC0415  (its dictionaries cost 50 MB: loaded on first use)

    syllables = [syllable.lower() for syllable in lazy_pinyin(name)]
    initials = [syllable[0] for syllable in syllables if syllable]
    return f"{''.join(syllables)} {''.join(initials)}"[:200]


async def unit_by_path(session: AsyncSession, path: str) -> Unit | None:
    return await session.scalar(select(Unit).where(Unit.path == path))


async def unit_paths(session: AsyncSession, unit_ids: Iterable[int]) -> dict[int, str]:
    """Unit id → path, for the units asked about."""
    wanted = sorted(set(unit_ids))
    if not wanted:
        return {}
    rows = await session.execute(select(Unit.id, Unit.path).where(Unit.id.in_(wanted)))
    return {unit_id: path for unit_id, path in rows.all()}


async def ensure_unit(session: AsyncSession, path: str) -> Unit:
    """The unit at `path`, creating it and any missing ancestors."""
    parent: Unit | None = None
    chain: list[Unit] = []
    names = path.split("/")
    for depth in range(1, len(names) + 1):
        prefix = "/".join(names[:depth])
        unit = await unit_by_path(session, prefix)
        if unit is None:
            unit = Unit(name=names[depth - 1], path=prefix, parent=parent)
            session.add(unit)
            await session.flush()
            session.add_all(
                UnitAncestor(unit_id=unit.id, ancestor_id=ancestor.id, depth=level, unit_depth=depth)
                for level, ancestor in enumerate([*chain, unit], start=1)
            )
        chain.append(unit)
        parent = unit
    assert parent is not None
    return parent


async def add_person(
    session: AsyncSession, *, name: str, unit_path: str, rank_level: str, now: datetime, position: str = ""
) -> Person:
    """A new, un-enrolled roster entry (its unit and the unit's ancestors are made if missing)."""
    unit = await ensure_unit(session, unit_path)
    person = Person(
        name=name,
        pinyin=pinyin_key(name),
        position=position,
        rank_level=rank_level,
        unit=unit,
        unit_id=unit.id,
        active=True,
        created_at=now,
        updated_at=now,
        grants=[],
    )
    session.add(person)
    await session.flush()
    return person


async def find_or_add(session: AsyncSession, *, name: str, unit_path: str, rank_level: str, now: datetime) -> Person:
    """The person of that name in that unit, or a new un-enrolled entry for them."""
    found = await person_by_unit_and_name(session, unit_path, name)
    return found or await add_person(session, name=name, unit_path=unit_path, rank_level=rank_level, now=now)


async def root_units(session: AsyncSession) -> list[str]:
    return list((await session.scalars(select(Unit.path).where(Unit.parent_id.is_(None)).order_by(Unit.path))).all())


async def person_by_id(session: AsyncSession, person_id: int) -> Person | None:
    return await session.get(Person, person_id)


@dataclass(frozen=True)
class Profile:
    """What /me shows of a person."""

    name: str
    unit_path: str
    position: str
    rank_level: str


async def profile(session: AsyncSession, person_id: int) -> Profile | None:
    row = (
        await session.execute(
            select(Person.name, Unit.path, Person.position, Person.rank_level)
            .join(Unit, Unit.id == Person.unit_id)
            .where(Person.id == person_id)
        )
    ).first()
    return None if row is None else Profile(*row)


async def person_by_telegram(session: AsyncSession, telegram_user_id: int) -> Person | None:
    return await session.scalar(select(Person).where(Person.telegram_user_id == telegram_user_id))


async def person_by_wecom(session: AsyncSession, wecom_user_id: str) -> Person | None:
    return await session.scalar(select(Person).where(Person.wecom_user_id == wecom_user_id))


async def person_by_unit_and_name(session: AsyncSession, unit_path: str, name: str) -> Person | None:
    return await session.scalar(select(Person).join(Person.unit).where(Unit.path == unit_path, Person.name == name))


async def everyone(session: AsyncSession) -> Sequence[Person]:
    return (await session.scalars(select(Person).join(Person.unit).order_by(Unit.path, Person.id))).all()


def _within(scopes: Iterable[str]) -> ColumnElement[bool] | None:
    """Units in any of the subtrees `scopes`; None when there are no scopes at all."""
    filters = [or_(Unit.path == scope, Unit.path.startswith(scope + "/", autoescape=True)) for scope in scopes]
    return or_(*filters) if filters else None


async def people_within(
    session: AsyncSession, scopes: Iterable[str] | None, name_part: str = "", limit: int | None = None
) -> Sequence[Person]:
    """Active people in the unit subtrees `scopes` (None: everywhere) matching `name_part`: part of the name, or
    the start of the full pinyin or the pinyin initials when it is Latin letters."""
    query = select(Person).join(Person.unit).where(Person.active)
    if scopes is not None:
        within = _within(scopes)
        if within is None:
            return []
        query = query.where(within)
    if name_part.isascii() and name_part.isalpha():
        lowered = name_part.lower()
        query = query.where(
            or_(
                Person.pinyin.startswith(lowered, autoescape=True),
                Person.pinyin.contains(" " + lowered, autoescape=True),
                Person.name.contains(name_part, autoescape=True),
            )
        )
    elif name_part:
        query = query.where(Person.name.contains(name_part, autoescape=True))
    return (await session.scalars(query.order_by(Unit.path, Person.name, Person.id).limit(limit))).all()


async def count_by_unit(session: AsyncSession, scopes: Iterable[str]) -> list[tuple[str, int, int]]:
    """(unit path, people, enrolled people) for every unit in the scopes that has people."""
    within = _within(scopes)
    if within is None:
        return []
    query = (
        select(Unit.path, func.count(Person.id), func.count(Person.telegram_user_id))
        .join(Person.unit)
        .where(Person.active, within)
        .group_by(Unit.path)
        .order_by(Unit.path)
    )
    return [(path, people, enrolled) for path, people, enrolled in (await session.execute(query)).all()]


def set_grants(person: Person, grants: Sequence[tuple[str, Unit]]) -> None:
    """Replace the person's role grants with `grants` (role, scope unit)."""
    wanted = {(role, unit.id) for role, unit in grants}
    units = {unit.id: unit for _, unit in grants}
    person.grants[:] = [grant for grant in person.grants if (grant.role, grant.scope_unit_id) in wanted]
    held = {(grant.role, grant.scope_unit_id) for grant in person.grants}
    for role, unit_id in sorted(wanted - held):
        person.grants.append(RoleGrant(role=role, scope_unit=units[unit_id], scope_unit_id=unit_id))


@dataclass(frozen=True)
class Enrolled:
    """What the access gate needs of the person behind a messenger account, read in one query."""

    person_id: int
    name: str
    unit_path: str
    language: str | None
    active: bool
    grants: tuple[tuple[str, str], ...]  # (role, scope unit path)


_SCOPE = aliased(Unit)
# Built once: a statement with an alias costs more to build than to run, and this one runs for every new face.
_ENROLLED = (
    select(
        Person.telegram_user_id,
        Person.id,
        Person.name,
        Unit.path,
        Person.language,
        Person.active,
        RoleGrant.role,
        _SCOPE.path,
    )
    .join(Unit, Unit.id == Person.unit_id)
    .outerjoin(RoleGrant, RoleGrant.person_id == Person.id)
    .outerjoin(_SCOPE, _SCOPE.id == RoleGrant.scope_unit_id)
    .order_by(Person.telegram_user_id, RoleGrant.id)
)
_ENROLLED_BY_ACCOUNT = _ENROLLED.where(Person.telegram_user_id == bindparam("account"))
_EVERYONE_ENROLLED = _ENROLLED.where(Person.telegram_user_id.is_not(None))


def _enrolled(rows: Sequence[Any]) -> dict[int, Enrolled]:
    """Rows of _ENROLLED (one a grant, or one for a person with none) → each account's person."""
    found: dict[int, Enrolled] = {}
    for account, person_id, name, unit_path, language, active, role, scope in rows:
        known = found.get(account)
        if known is None:
            known = found[account] = Enrolled(person_id, name, unit_path, language, active, ())
        if role is not None:
            found[account] = replace(known, grants=(*known.grants, (role, scope)))
    return found


async def enrolled_by_telegram(session: AsyncSession, telegram_user_id: int) -> Enrolled | None:
    rows = (await session.execute(_ENROLLED_BY_ACCOUNT, {"account": telegram_user_id})).all()
    return _enrolled(rows).get(telegram_user_id)


async def everyone_enrolled(session: AsyncSession) -> dict[int, Enrolled]:
    """Every linked messenger account's person, in one query."""
    return _enrolled((await session.execute(_EVERYONE_ENROLLED)).all())
