"""Who is writing: a messenger account → the enrolled person as the access rules see them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.roster.access import Grant, Role, Viewer
from storage import people, summary
from storage.models import Person
from storage.versions import VersionReader, Versions


def viewer_of(person: Person, default_language: str) -> Viewer:
    return Viewer(
        person_id=person.id,
        name=person.name,
        unit_path=person.unit.path,
        grants=tuple(Grant(Role(grant.role), grant.scope_unit.path) for grant in person.grants),
        language=person.language or default_language,
    )


@dataclass(frozen=True)
class Vocabulary:
    units: list[str]  # every unit path
    names: dict[str, int]  # active people's names → ids
    roots: list[str]  # the paths of the units at the top of the tree
    people: list[tuple[str, int, str]] = field(default_factory=list)  # active people: name, id, unit path


@dataclass
class _VersionsRead:
    """The versions read during one update, by cache."""

    versions: dict[RosterCache, Versions] = field(default_factory=dict)
    open: bool = True


_THIS_UPDATE: ContextVar[_VersionsRead | None] = ContextVar("roster_versions_of_this_update", default=None)


class RosterCache:
    """What updates read of the roster again and again, each entry kept with the roster version it was read at:
    viewers by messenger account, the unit paths and the names a question may mention. Any change to people, roles
    or units, in any process, raises the version (storage.models.raise_roster_version), and so empties the cache's
    worth; reading the version is all a cached answer costs."""

    LIMIT = 20_000

    def __init__(self, sessions: async_sessionmaker[AsyncSession], default_language: str) -> None:
        self._sessions = sessions
        self._default_language = default_language
        self._version = VersionReader(sessions.kw["bind"])
        self._viewers: dict[int, tuple[int, Viewer | None]] = {}
        self._vocabulary: tuple[int, Vocabulary] | None = None

    @contextmanager
    def one_version_per_update(self) -> Iterator[None]:
        """Within the block (one update), the roster version is read once: the gate, a question's parser and its
        filter all ask for it, and on PostgreSQL each read is a query. A change committed during the block is seen
        from the next update on; so a handler that changes the roster must not read the cache after it (/start
        builds the new person's viewer from the row it wrote)."""
        read = _VersionsRead()
        token = _THIS_UPDATE.set(read)
        try:
            yield
        finally:
            read.open = False  # a task started inside (an outbox sweep) copied the variable: it reads afresh
            _THIS_UPDATE.reset(token)

    async def versions(self) -> Versions:
        """The roster and ledger versions: read once per update (see one_version_per_update), else every time."""
        read = _THIS_UPDATE.get()
        if read is None or not read.open:
            return await self._version.read()
        versions = read.versions.get(self)
        if versions is None:
            versions = read.versions[self] = await self._version.read()
        return versions

    async def _current_version(self) -> int:
        return (await self.versions()).roster

    async def viewer(self, telegram_user_id: int) -> Viewer | None:
        """The enrolled, active person behind this account, or None for a stranger."""
        version = await self._current_version()
        cached = self._viewers.get(telegram_user_id)
        if cached is not None and cached[0] == version:
            return cached[1]
        async with self._sessions() as session:
            found = await people.enrolled_by_telegram(session, telegram_user_id)
        viewer = self._viewer_of(found)
        if len(self._viewers) >= self.LIMIT:
            self._viewers.clear()  # simpler than LRU; refilling costs one query each
        self._viewers[telegram_user_id] = (version, viewer)
        return viewer

    async def preload(self) -> None:
        """Everyone enrolled, in one query: at start, so that nobody's first message after it pays for a load."""
        version = (await self._version.read()).roster
        async with self._sessions() as session:
            everyone = await people.everyone_enrolled(session)
        for account, found in list(everyone.items())[: self.LIMIT]:
            self._viewers[account] = (version, self._viewer_of(found))

    def _viewer_of(self, found: people.Enrolled | None) -> Viewer | None:
        if found is None or not found.active:
            return None
        return Viewer(
            person_id=found.person_id,
            name=found.name,
            unit_path=found.unit_path,
            grants=tuple(Grant(Role(role), scope) for role, scope in found.grants),
            language=found.language or self._default_language,
        )

    async def vocabulary(self) -> Vocabulary:
        """The words a question may name, and the units at the top of the tree."""
        version = await self._current_version()
        if self._vocabulary is None or self._vocabulary[0] != version:
            async with self._sessions() as session:
                units = await summary.unit_paths(session)
                everyone = await summary.people_and_units(session)
            names = {name: person_id for name, person_id, _ in everyone}
            roots = [path for path in units if "/" not in path]  # a path is the names from the root, joined by "/"
            self._vocabulary = (version, Vocabulary(units, names, roots, everyone))
        return self._vocabulary[1]

    def close(self) -> None:
        self._version.close()


async def set_language(session: AsyncSession, person_id: int, language: str) -> None:
    person = await people.person_by_id(session, person_id)
    if person is not None:
        person.language = language
