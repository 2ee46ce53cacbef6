"""The inbox's SQL: store updates as received, find what is not yet handled, mark handled or dead, prune."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Update, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import Session

from storage.models import InboxUpdate
from storage.upsert import insert_for

NEW, HANDLED, DEAD = "new", "handled", "dead"


@dataclass(frozen=True)
class Received:
    """One update as it came: its id, who sent it (when the JSON says) and the JSON text itself."""

    update_id: int
    user_id: int | None
    raw: str


async def store(connection: AsyncConnection, received: Sequence[Received], now: datetime) -> set[int]:
    """Keep what is not kept yet; the ids newly kept (Telegram may send an update again: the first copy stands, and
    only it is handled)."""
    statement = (
        insert_for(connection, InboxUpdate)
        .on_conflict_do_nothing(index_elements=["update_id"])
        .returning(InboxUpdate.update_id)
    )
    result = await connection.execute(
        statement,
        [
            {
                "update_id": one.update_id,
                "user_id": one.user_id,
                "raw": one.raw,
                "received_at": now,
                "state": NEW,
                "attempts": 0,
                "error": "",
            }
            for one in received
        ],
    )
    return set(result.scalars().all())


def mark_handled_in(session: Session, update_id: int, now: datetime) -> None:
    """Inside the transaction of what handling the update wrote: its effect and "handled" commit together."""
    session.execute(_handled(update_id, now), execution_options={"synchronize_session": False})


async def mark_handled(connection: AsyncConnection, update_id: int, now: datetime) -> None:
    await connection.execute(_handled(update_id, now))


def _handled(update_id: int, now: datetime) -> Update:
    return (
        update(InboxUpdate)
        .where(InboxUpdate.update_id == update_id, InboxUpdate.state == NEW)
        .values(state=HANDLED, handled_at=now)
    )


async def set_dead(connection: AsyncConnection, update_id: int, error: str, now: datetime) -> None:
    await connection.execute(
        update(InboxUpdate)
        .where(InboxUpdate.update_id == update_id)
        .values(state=DEAD, error=error[:2000], handled_at=now)
    )


async def unhandled(connection: AsyncConnection, max_attempts: int) -> tuple[list[InboxUpdate], list[InboxUpdate]]:
    """What a stopped process left unhandled, in the order it came: those to run again, and those whose handling it
    cut off `max_attempts` times (for the dead letters). One person's updates run one after another, so only each
    person's first unhandled update can have been in hand when the process stopped: only it counts an attempt."""
    rows = (
        await connection.execute(select(InboxUpdate).where(InboxUpdate.state == NEW).order_by(InboxUpdate.update_id))
    ).all()
    found = [InboxUpdate(**row._asdict()) for row in rows]
    people: set[int] = set()
    in_hand = []
    for row in found:
        if row.user_id is None or row.user_id not in people:
            in_hand.append(row.update_id)
            row.attempts += 1
        if row.user_id is not None:
            people.add(row.user_id)
    if in_hand:
        await connection.execute(
            update(InboxUpdate).where(InboxUpdate.update_id.in_(in_hand)).values(attempts=InboxUpdate.attempts + 1)
        )
    return [row for row in found if row.attempts < max_attempts], [row for row in found if row.attempts >= max_attempts]


async def dead_letters(session: AsyncSession) -> Sequence[InboxUpdate]:
    return (
        await session.scalars(select(InboxUpdate).where(InboxUpdate.state == DEAD).order_by(InboxUpdate.update_id))
    ).all()


async def retry(session: AsyncSession, update_ids: Sequence[int] | None) -> list[InboxUpdate]:
    """Dead letters (these, or all) back to new, their count of attempts afresh; the rows put back."""
    query = select(InboxUpdate).where(InboxUpdate.state == DEAD)
    if update_ids is not None:
        query = query.where(InboxUpdate.update_id.in_(update_ids))
    rows = list((await session.scalars(query.order_by(InboxUpdate.update_id))).all())
    for row in rows:
        row.state, row.attempts, row.error, row.handled_at = NEW, 0, "", None
    return rows


async def waiting(connection: AsyncConnection) -> list[InboxUpdate]:
    """The new rows, in the order they came: those in hand, and any put back by `talkledger inbox retry`."""
    rows = (
        await connection.execute(select(InboxUpdate).where(InboxUpdate.state == NEW).order_by(InboxUpdate.update_id))
    ).all()
    return [InboxUpdate(**row._asdict()) for row in rows]


async def prune(connection: AsyncConnection, before: datetime) -> int:
    """Forget handled updates handled before `before`; dead letters stay until retried."""
    result = await connection.execute(
        delete(InboxUpdate).where(InboxUpdate.state == HANDLED, InboxUpdate.handled_at < before)
    )
    return int(result.rowcount or 0)
