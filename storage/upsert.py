"""INSERT … ON CONFLICT for the database at hand: PostgreSQL and SQLite spell it alike, but SQLAlchemy builds it
from each dialect's own insert."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection


def insert_for(connection: Connection | AsyncConnection, table: Any) -> postgresql.Insert | sqlite.Insert:
    """An insert into `table` (a mapped class or a Table) that offers on_conflict_do_update/do_nothing."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
