"""What an asker may name in a question: the units and people in their scope, and nothing else. A name outside it
is read exactly like a name that does not exist, so that a question never tells who exists elsewhere."""

from __future__ import annotations

from dataclasses import dataclass

from bot.roster.access import Role, Viewer
from bot.roster.identity import Vocabulary


@dataclass(frozen=True)
class Nameable:
    units: tuple[str, ...]  # unit paths
    people: tuple[str, ...]  # names, each once
    ids: dict[str, tuple[int, ...]]  # name → the people of that name in scope

    def person_ids(self, names: tuple[str, ...]) -> list[int]:
        """The ids of the people named; a name no longer in scope (a saved question asked again) matches no one
        (id -1), never everyone."""
        return [person_id for name in names for person_id in self.ids.get(name, (-1,))]


def naming_scopes(viewer: Viewer) -> tuple[str, ...]:
    """The unit sub-trees whose units and people the viewer may name: the commission's scopes, else (a leader,
    who sees their own talks) the units they lead, else their own unit."""
    for role in (Role.COMMISSION, Role.LEADER):
        scopes = tuple(grant.scope for grant in viewer.grants if grant.role == role)
        if scopes:
            return scopes
    return (viewer.unit_path,)


def within(path: str, scopes: tuple[str, ...]) -> bool:
    return any(path == scope or path.startswith(scope + "/") for scope in scopes)


class NameableCache:
    """`nameable` for each set of scopes, kept while the vocabulary (the roster) is the same object."""

    def __init__(self) -> None:
        self._vocabulary: Vocabulary | None = None
        self._found: dict[tuple[str, ...], Nameable] = {}

    def nameable(self, vocabulary: Vocabulary, scopes: tuple[str, ...]) -> Nameable:
        if vocabulary is not self._vocabulary:
            self._vocabulary, self._found = vocabulary, {}
        found = self._found.get(scopes)
        if found is None:
            ids: dict[str, list[int]] = {}
            for name, person_id, path in vocabulary.people:
                if within(path, scopes):
                    ids.setdefault(name, []).append(person_id)
            found = self._found[scopes] = Nameable(
                tuple(path for path in vocabulary.units if within(path, scopes)),
                tuple(ids),
                {name: tuple(found_ids) for name, found_ids in ids.items()},
            )
        return found


NAMEABLE = NameableCache()
