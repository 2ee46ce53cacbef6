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


class ViewerCache:
    """Viewers by messenger account, each kept with the roster version it was read at. Every update costs one
    small query (the version) instead of loading the person, their unit and roles; any change to people, roles
    or units in any process raises the version and so empties the cache's worth."""

    LIMIT = 20_000

    def __init__(self) -> None:
        self._viewers: dict[int, tuple[int, Viewer | None]] = {}

    async def viewer_for(self, session: AsyncSession, telegram_user_id: int, default_language: str) -> Viewer | None:
        version = await people.roster_version(session)
        cached = self._viewers.get(telegram_user_id)
        if cached is not None and cached[0] == version:
            return cached[1]
        found = await viewer_for(session, telegram_user_id, default_language)
        if len(self._viewers) >= self.LIMIT:
            self._viewers.clear()  # simpler than LRU; refilling costs one person load each
        self._viewers[telegram_user_id] = (version, found)
        return found


async def set_language(session: AsyncSession, person_id: int, language: str) -> None:
    person = await people.person_by_id(session, person_id)
    if person is not None:
        person.language = language
