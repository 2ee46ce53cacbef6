"""Rows in bulk, for seeding benchmarks and tests: on PostgreSQL by COPY (the ledger's trigger fires per statement,
and an executemany is a statement per row), elsewhere by one executemany. Column defaults are not applied by COPY:
every row names every column it needs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection


async def insert_rows(connection: AsyncConnection, model: type[Any], rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    if connection.dialect.name != "postgresql":
        await connection.execute(insert(model.__table__), rows)
        return
    columns = list(rows[0])
    raw: Any = (await connection.get_raw_connection()).driver_connection
    await raw.copy_records_to_table(
        model.__tablename__, records=[tuple(row[c] for c in columns) for row in rows], columns=columns
    )
