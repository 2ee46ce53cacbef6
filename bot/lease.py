"""Which instance is active: the one holding the database's lock. It polls (or owns the webhook) and sends the
outbox; another instance on the same database waits and takes over when the lock comes free.

On PostgreSQL the lock is a session advisory lock on a connection held open: when the active process dies, even
by kill -9, its connection closes and the server frees the lock. On SQLite it is an flock on a file beside the
database, which the kernel frees the same way.

A machine whose network goes dark closes nothing, so on PostgreSQL the lock is also a lease in time: the active
confirms it every lease_renew_seconds, and the server ends the lock's session (idle_session_timeout) when it has
heard nothing for lease_expiry_seconds. The active stops handling the moment a confirmation is late — well before
the server lets the standby in — so two instances never act at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.db import DatabaseTimeouts, sqlite_file

log = logging.getLogger(__name__)
LOCK_KEY = 0x74616C6B  # "talk": one talkledger per database
RETRY_SECONDS = 1.0


Fence = Callable[[], bool]  # may this instance act as the active one now?


def always() -> bool:
    """The fence of an instance that is alone by construction (tests, one-off commands)."""
    return True


class Lease:
    def __init__(
        self,
        engine: AsyncEngine,
        timeouts: DatabaseTimeouts | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine = engine
        self.timeouts = timeouts or DatabaseTimeouts()
        self.monotonic = monotonic
        self._connection: AsyncConnection | None = None
        self._file: int | None = None
        self.held = False
        self._confirmed_at = 0.0

    @property
    def on_postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def confirmed(self) -> bool:
        """May this instance act as the active one right now? On PostgreSQL only while the last confirmation is
        recent: a renewal that hangs on a dark network makes this False by itself, before anything notices."""
        if not self.held:
            return False
        if not self.on_postgresql:
            return True  # an flock cannot be lost while the process lives
        return self.monotonic() - self._confirmed_at < self.stand_down_after

    @property
    def stand_down_after(self) -> float:
        """How long after a confirmation the active still acts: one missed renewal, never past half the expiry."""
        return min(2 * self.timeouts.lease_renew_seconds, self.timeouts.lease_expiry_seconds / 2)

    async def try_acquire(self) -> bool:
        if self.on_postgresql:
            asked_at = self.monotonic()  # the server's idle clock starts after this: counting from here is safe
            async with asyncio.timeout(self.timeouts.lease_expiry_seconds / 2):
                if self._connection is None:
                    self._connection = await self.engine.connect()
                    # The server ends this session, freeing the lock, after this long without a word from it.
                    expiry = round(self.timeouts.lease_expiry_seconds * 1000)
                    await self._connection.execute(text(f"SET idle_session_timeout = {expiry}"))
                got = await self._connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY})
                await self._connection.commit()
            self.held = bool(got)
            if self.held:
                self._confirmed_at = asked_at
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
        """Returns when the lock can no longer be vouched for: its connection failed, or did not answer in time."""
        while True:
            await asyncio.sleep(self.timeouts.lease_renew_seconds if self.on_postgresql else RETRY_SECONDS)
            if self._connection is None:
                continue
            asked_at = self.monotonic()
            try:
                # The answer must come while this instance may still act; later, the server may have let go.
                async with asyncio.timeout(max(0.1, self._confirmed_at + self.stand_down_after - self.monotonic())):
                    await self._connection.execute(text("SELECT 1"))
                    await self._connection.commit()
                self._confirmed_at = asked_at
            except Exception as error:  # noqa: BLE001  any failure: the server may have freed the lock
                log.error("stepping down: the database lock could not be confirmed (%s)", describe(error))
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
                await connection.invalidate()  # aborts the socket: waits for nothing from a silent server
                async with asyncio.timeout(1):
                    await connection.close()


def describe(error: BaseException) -> str:
    return str(error) or type(error).__name__  # a timeout's message is empty
