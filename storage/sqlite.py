"""SQLite run on the event loop's own thread, in the shape of aiosqlite that SQLAlchemy's aiosqlite dialect drives.

Why: aiosqlite hands every call (cursor, execute, fetch, close, commit) to a thread of its own and back, which costs
about 100 µs of CPU each, while the indexed reads and small writes an update makes take 5-20 µs in SQLite itself. Run
in line, a whole update's SQL costs less than one of those hand-overs.

What keeps that safe:
- a lock held by another connection is waited for without blocking the loop: the connection's own busy timeout is
  zero, and a "database is locked" is tried again after an asyncio sleep, for up to BUSY_SECONDS;
- work that may read much (the outbox sweep, reports, exports: see `on_worker_thread`) runs its statements on a
  worker thread, one at a time per connection, as aiosqlite would.
"""

from __future__ import annotations

import asyncio
import contextvars
import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

BUSY_SECONDS = 5.0  # as long as a writer waits for another writer before giving up
Result = TypeVar("Result")

_worker_thread = contextvars.ContextVar("talkledger_sqlite_worker_thread", default=False)


@contextmanager
def on_worker_thread() -> Iterator[None]:
    """Statements run in this block (and in tasks it starts) go to a worker thread: for scans that may take long,
    so that the bot keeps answering meanwhile."""
    token = _worker_thread.set(True)
    try:
        yield
    finally:
        _worker_thread.reset(token)


def _is_busy(error: sqlite3.OperationalError) -> bool:
    return error.sqlite_errorcode in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


async def _run(call: Callable[[], Result]) -> Result:
    """`call` in line (or on a worker thread inside `on_worker_thread`); a busy database is waited for."""
    deadline = time.monotonic() + BUSY_SECONDS
    pause = 0.001
    while True:
        try:
            if _worker_thread.get():
                return await asyncio.to_thread(call)
            return call()
        except sqlite3.OperationalError as error:
            if not _is_busy(error) or time.monotonic() + pause > deadline:
                raise
        await asyncio.sleep(pause)
        pause = min(pause * 2, 0.05)


class _Cursor:
    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> _Cursor:
        return self

    async def __aexit__(self, *_: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Any = ()) -> _Cursor:
        await _run(lambda: self._cursor.execute(sql, parameters))
        return self

    async def executemany(self, sql: str, parameters: Any) -> _Cursor:
        await _run(lambda: self._cursor.executemany(sql, parameters))
        return self

    async def fetchone(self) -> Any:
        return await _run(self._cursor.fetchone)

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return await _run(lambda: self._cursor.fetchmany(size or self._cursor.arraysize))

    async def fetchall(self) -> list[Any]:
        return await _run(self._cursor.fetchall)

    async def close(self) -> None:
        self._cursor.close()


class _CursorOpening:
    """What `connection.cursor()` returns in aiosqlite: awaited, or entered with `async with`."""

    def __init__(self, cursor: _Cursor) -> None:
        self._cursor = cursor

    def __await__(self) -> Any:
        return self.__aenter__().__await__()

    async def __aenter__(self) -> _Cursor:
        return self._cursor

    async def __aexit__(self, *_: object) -> None:
        await self._cursor.close()


class _InlineQueue:
    """aiosqlite's queue of calls for its thread, which SQLAlchemy uses to set the isolation level: run at once."""

    def put_nowait(self, entry: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, call = entry
        try:
            result = call()
        except Exception as error:  # handed to whoever awaits the future, as aiosqlite does
            if future is not None:
                future.set_exception(error)
        else:
            if future is not None:
                future.set_result(result)


class Connection:
    """The parts of aiosqlite.Connection that SQLAlchemy's aiosqlite dialect uses."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection: sqlite3.Connection | None = connection
        self._tx = _InlineQueue()

    @property
    def _conn(self) -> sqlite3.Connection:
        if self._connection is None:
            raise ValueError("no active connection")
        return self._connection

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    def cursor(self) -> _CursorOpening:
        return _CursorOpening(_Cursor(self._conn.cursor()))

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> _Cursor:
        cursor = _Cursor(self._conn.cursor())
        return await cursor.execute(sql, parameters)

    async def commit(self) -> None:
        await _run(self._conn.commit)

    async def rollback(self) -> None:
        await _run(self._conn.rollback)

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    async def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def stop(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def connector(path: str) -> Callable[[], Awaitable[Connection]]:
    """An `async_creator` for create_async_engine: connections to the SQLite file at `path`, used in line."""

    async def connect() -> Connection:
        # check_same_thread off: `on_worker_thread` work runs a connection's statements on another thread, one at a
        # time. The busy timeout is ours (see _run): SQLite's own would block the loop while it waits.
        connection = sqlite3.connect(path, check_same_thread=False, timeout=0)
        return Connection(connection)

    return connect
