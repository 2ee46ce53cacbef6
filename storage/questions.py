"""Saved questions: a question as understood, kept so that the buttons under its answer can redo it. A person who
asks the same question again gets the same row back: nothing is written, and an answer's buttons stay valid.

Core statements on a connection of their own: an ORM session's begin, flush and commit cost twice the insert."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.models import SavedQuestion

_SAME = (
    select(SavedQuestion.id)
    .where(SavedQuestion.person_id == bindparam("person"), SavedQuestion.body == bindparam("body"))
    .order_by(SavedQuestion.id.desc())
    .limit(1)
)
_SAVE = (
    insert(SavedQuestion)
    .values(person_id=bindparam("person"), body=bindparam("body"), created_at=bindparam("now"))
    .returning(SavedQuestion.id)
)


async def keep(connection: AsyncConnection, person_id: int, body: str, now: datetime) -> int:
    """The id of this person's saved question with this body, saved now if they never asked it."""
    parameters = {"person": person_id, "body": body, "now": now}
    found = await connection.scalar(_SAME, parameters)
    if found is None:
        found = (await connection.execute(_SAVE, parameters)).scalar_one()
    return int(found)


class SavedQuestionIds:
    """Which ids this process has saved or found, so that a question asked again costs no statement. Rows are never
    deleted but with their person; a button naming a row that is gone is refused as stale."""

    LIMIT = 20_000

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._ids: dict[tuple[int, str], int] = {}

    async def id_for(self, person_id: int, body: str, now: datetime) -> int:
        key = (person_id, body)
        found = self._ids.get(key)
        if found is None:
            async with self._engine.begin() as connection:
                found = await keep(connection, person_id, body, now)
            if len(self._ids) >= self.LIMIT:
                self._ids.clear()  # simpler than LRU; refilling costs one query each
            self._ids[key] = found
        return found
