"""Which instance is active: the one holding the database's lock. It polls (or owns the webhook) and sends the
outbox; another instance on the same database waits and takes over when the lock comes free.

On PostgreSQL the lock is a session advisory lock on a connection held open: when the active process dies, even
by kill -9, its connection closes and the server frees the lock. On SQLite it is an flock on a file beside the
database, which the kernel frees the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.db import sqlite_file

log = logging.getLogger(__name__)
LOCK_KEY = 0x74616C6B  # "talk": one talkledger per database
RETRY_SECONDS = 1.0


class Lease:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._connection: AsyncConnection | None = None
        self._file: int | None = None
        self.held = False

    async def try_acquire(self) -> bool:
        if self.engine.dialect.name == "postgresql":
            if self._connection is None:
                self._connection = await self.engine.connect()
            got = await self._connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY})
            await self._connection.commit()
            self.held = bool(got)
        else:
            self.held = self._flock()
        return self.held

    def _flock(self) -> bool:
        database = sqlite_file(self.engine.url)
        if database is None:
            return True  # in memory: nothing else can open this database
        if self._file is None:
            self._file = os.open(f"{Path(database).resolve()}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    async def acquire(self, stop: asyncio.Event) -> bool:
        """Wait for the lock; False if told to stop first."""
        waiting_logged = False
        while not stop.is_set():
            try:
                if await self.try_acquire():
                    log.info("this instance is now active")
                    return True
            except Exception as error:  # the database may be down for a moment: keep trying
                log.warning("could not ask for the lock: %s", error)
                await self._drop_connection()
            if not waiting_logged:
                log.info("another instance is active: standing by")
                waiting_logged = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), RETRY_SECONDS)
        return False

    async def lost(self) -> None:
        """Returns when the lock can no longer be vouched for (its connection failed)."""
        while True:
            await asyncio.sleep(RETRY_SECONDS)
            if self._connection is None:
                continue
            try:
                async with asyncio.timeout(5):
                    await self._connection.execute(text("SELECT 1"))
                    await self._connection.commit()
            except Exception as error:  # noqa: BLE001  any failure: the server may have freed the lock
                log.error("lost the database lock: %s", error)
                self.held = False
                await self._drop_connection()
                return

    async def release(self) -> None:
        self.held = False
        await self._drop_connection()  # closing the session frees the advisory lock
        if self._file is not None:
            os.close(self._file)  # frees the flock
            self._file = None

    async def _drop_connection(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.invalidate()
                await connection.close()
