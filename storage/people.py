"""Queries over units, people and their role grants."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Person, RoleGrant, Unit


async def unit_by_path(session: AsyncSession, path: str) -> Unit | None:
    return await session.scalar(select(Unit).where(Unit.path == path))


async def ensure_unit(session: AsyncSession, path: str) -> Unit:
    """The unit at `path`, creating it and any missing ancestors."""
    parent: Unit | None = None
    names = path.split("/")
    for depth in range(1, len(names) + 1):
        prefix = "/".join(names[:depth])
        unit = await unit_by_path(session, prefix)
        if unit is None:
            unit = Unit(name=names[depth - 1], path=prefix, parent=parent)
            session.add(unit)
            await session.flush()
        parent = unit
    assert parent is not None
    return parent


async def person_by_id(session: AsyncSession, person_id: int) -> Person | None:
    return await session.get(Person, person_id)


async def person_by_telegram(session: AsyncSession, telegram_user_id: int) -> Person | None:
    return await session.scalar(select(Person).where(Person.telegram_user_id == telegram_user_id))


async def person_by_unit_and_name(session: AsyncSession, unit_path: str, name: str) -> Person | None:
    return await session.scalar(select(Person).join(Person.unit).where(Unit.path == unit_path, Person.name == name))


async def everyone(session: AsyncSession) -> Sequence[Person]:
    return (await session.scalars(select(Person).join(Person.unit).order_by(Unit.path, Person.id))).all()


async def people_within(session: AsyncSession, scopes: Iterable[str] | None, name_part: str = "") -> Sequence[Person]:
    """Active people in any of the unit subtrees `scopes` (None: everywhere), optionally whose name contains
    `name_part`."""
    query = select(Person).join(Person.unit).where(Person.active)
    if scopes is not None:
        scope_filters = [or_(Unit.path == scope, Unit.path.startswith(scope + "/")) for scope in scopes]
        if not scope_filters:
            return []
        query = query.where(or_(*scope_filters))
    if name_part:
        query = query.where(Person.name.contains(name_part, autoescape=True))
    return (await session.scalars(query.order_by(Unit.path, Person.name, Person.id))).all()


async def count_by_unit(session: AsyncSession, scopes: Iterable[str]) -> list[tuple[str, int, int]]:
    """(unit path, people, enrolled people) for every unit in the scopes that has people."""
    scope_filters = [or_(Unit.path == scope, Unit.path.startswith(scope + "/")) for scope in scopes]
    if not scope_filters:
        return []
    query = (
        select(Unit.path, func.count(Person.id), func.count(Person.telegram_user_id))
        .join(Person.unit)
        .where(Person.active, or_(*scope_filters))
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
