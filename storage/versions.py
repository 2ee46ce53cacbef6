"""The two counters that say whether what a process has cached is still the database's: the roster version (people,
roles, units; raised by storage.models.raise_roster_version) and the ledger version (talks and their participants;
raised by triggers, migration 0012). Both are read in one statement, once per update."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from sqlalchemy import select, true
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import reader, sqlite_file
from storage.models import LedgerVersion, RosterVersion


@dataclass(frozen=True)
class Versions:
    roster: int
    ledger: int


_BOTH = select(RosterVersion.version, LedgerVersion.version).join(LedgerVersion, true())  # one row each
_BOTH_SQLITE = str(_BOTH.compile(dialect=sqlite.dialect()))  # for the plain sqlite3 connection


class VersionReader:
    """The versions, read as cheaply as the database allows. On SQLite: from a connection of its own, in line
    (a few microseconds; a WAL reader never waits for a writer). Elsewhere: one query on a pooled connection, in
    autocommit."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._reader = reader(engine)
        self._path = sqlite_file(engine.url)
        self._connection: sqlite3.Connection | None = None

    async def read(self) -> Versions:
        if self._path is not None:
            try:
                if self._connection is None:
                    self._connection = sqlite3.connect(self._path, check_same_thread=False, timeout=0)
                # fetchall ends the statement, and with it the read snapshot: the next read sees new commits.
                rows = self._connection.execute(_BOTH_SQLITE).fetchall()
                return Versions(*rows[0]) if rows else Versions(0, 0)
            except sqlite3.Error:
                pass  # busy for a moment (or not yet made): the pooled way below waits as every query does
        async with self._reader.connect() as connection:
            row = (await connection.execute(_BOTH)).first()
        return Versions(*row) if row is not None else Versions(0, 0)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
