"""Who is writing: a messenger account → the enrolled person as the access rules see them."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.access import Grant, Role, Viewer
from storage import people
from storage.models import Person


def viewer_of(person: Person, default_language: str) -> Viewer:
    return Viewer(
        person_id=person.id,
        name=person.name,
        unit_path=person.unit.path,
        grants=tuple(Grant(Role(grant.role), grant.scope_unit.path) for grant in person.grants),
        language=person.language or default_language,
    )


async def viewer_for(session: AsyncSession, telegram_user_id: int, default_language: str) -> Viewer | None:
    """The enrolled, active person behind this account, or None for a stranger."""
    person = await people.person_by_telegram(session, telegram_user_id)
    if person is None or not person.active:
        return None
    return viewer_of(person, default_language)


async def set_language(session: AsyncSession, person_id: int, language: str) -> None:
    person = await people.person_by_id(session, person_id)
    if person is not None:
        person.language = language
