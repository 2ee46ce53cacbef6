"""The audit log: every create, change, view of another's record and export is written here."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.models import AuditEntry


def entry(
    *,
    at: datetime,
    action: str,
    actor: str = "",
    subject: str = "",
    actor_person_id: int | None = None,
    **details: Any,
) -> dict[str, Any]:
    """One audit entry's columns; the actor defaults to the person acting (`person:<id>`)."""
    return {
        "at": at,
        "actor": actor or (f"person:{actor_person_id}" if actor_person_id is not None else "system"),
        "actor_person_id": actor_person_id,
        "action": action,
        "subject": subject,
        "details": json.dumps(details, ensure_ascii=False, sort_keys=True) if details else "",
    }


def record(session: AsyncSession, **columns: Any) -> AuditEntry:
    """One audit entry, written with the session's other changes (see `entry` for the columns)."""
    added = AuditEntry(**entry(**columns))
    session.add(added)
    return added


async def update_details(session: AsyncSession, entry_id: int, **details: Any) -> bool:
    """Bring an entry that tells of something still going on (a burst of wrong invite codes) up to date: its
    details are merged with these. False when there is no such entry."""
    found = await session.get(AuditEntry, entry_id)
    if found is None:
        return False
    merged = {**(json.loads(found.details) if found.details else {}), **details}
    found.details = json.dumps(merged, ensure_ascii=False, sort_keys=True)
    return True


async def write(connection: AsyncConnection, **columns: Any) -> None:
    """One audit entry, on a Core connection (see `entry` for the columns)."""
    await connection.execute(insert(AuditEntry), entry(**columns))


async def entries(session: AsyncSession, action: str | None = None) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    return list((await session.scalars(query)).all())
