"""Saved questions: a question as understood, kept so that the buttons under its answer can redo it. A person who
asks the same question again gets the same row back: nothing is written, and an answer's buttons stay valid."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import SavedQuestion

_SAME = (
    select(SavedQuestion.id)
    .where(SavedQuestion.person_id == bindparam("person"), SavedQuestion.body == bindparam("body"))
    .order_by(SavedQuestion.id.desc())
    .limit(1)
)


async def keep(session: AsyncSession, person_id: int, body: str, now: datetime) -> int:
    """The id of this person's saved question with this body, saved now if they never asked it."""
    found = await session.scalar(_SAME, {"person": person_id, "body": body})
    if found is not None:
        return int(found)
    saved = SavedQuestion(person_id=person_id, body=body, created_at=now)
    session.add(saved)
    await session.flush()
    return saved.id


class SavedQuestionIds:
    """Which ids this process has saved or found, so that a question asked again costs no statement. Rows are never
    deleted but with their person; a button naming a row that is gone is refused as stale."""

    LIMIT = 20_000

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._ids: dict[tuple[int, str], int] = {}

    async def id_for(self, person_id: int, body: str, now: datetime) -> int:
        key = (person_id, body)
        found = self._ids.get(key)
        if found is None:
            async with self._sessions.begin() as session:
                found = await keep(session, person_id, body, now)
            if len(self._ids) >= self.LIMIT:
                self._ids.clear()  # simpler than LRU; refilling costs one query each
            self._ids[key] = found
        return found
