"""The audit log: every create, change, view of another's record and export is written here."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry


def record(
    session: AsyncSession,
    *,
    at: datetime,
    action: str,
    actor: str = "",
    subject: str = "",
    actor_person_id: int | None = None,
    **details: Any,
) -> None:
    """One audit entry; the actor defaults to the person acting (`person:<id>`)."""
    actor = actor or (f"person:{actor_person_id}" if actor_person_id is not None else "system")
    session.add(
        AuditEntry(
            at=at,
            actor=actor,
            actor_person_id=actor_person_id,
            action=action,
            subject=subject,
            details=json.dumps(details, ensure_ascii=False, sort_keys=True) if details else "",
        )
    )


async def entries(session: AsyncSession, action: str | None = None) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    return list((await session.scalars(query)).all())
