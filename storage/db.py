"""Engine, sessions and the schema version: the only place that knows which database we are on."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, inspect, make_url, text
from sqlalchemy.engine import URL, Connection
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.util.concurrency import await_

import storage.sqlite
import storage.tally  # noqa: E402,F401  (registers the listeners that keep the monthly tally)

MIGRATIONS = Path(__file__).parent / "migrations"


class SchemaOutdated(Exception):
    """The database was made by an older (or newer) talkledger: `talkledger db upgrade` brings it up to date."""

    def __init__(self, current: str | None, head: str) -> None:
        super().__init__(f"schema at revision {current or 'none'}, the code needs {head}: run talkledger db upgrade")
        self.current, self.head = current or "none", head


@dataclass(frozen=True)
class DatabaseTimeouts:
    """PostgreSQL only. Chosen so that a standby takes over within 15 s of the active's network going dark: the
    active confirms its lease every lease_renew_seconds and stands down when a confirmation is late; the server
    ends the lease's session after lease_expiry_seconds without a word from it, which frees the lock."""

    lease_renew_seconds: float = 2.5
    lease_expiry_seconds: float = 10.0
    statement_seconds: float = 10.0  # statement_timeout: a statement the server runs for longer is cancelled
    lock_seconds: float = 5.0  # lock_timeout: waiting for a row another (perhaps dark) session holds
    idle_in_transaction_seconds: float = 10.0  # a transaction whose client went silent is ended, its locks freed
    call_seconds: float = 12.0  # the client's own limit on any call (asyncpg's command_timeout), after the server's
    connect_seconds: float = 5.0
    keepalive_idle_seconds: int = 5  # the server's TCP keepalives: a vanished client's sessions end in ~11 s
    keepalive_interval_seconds: int = 2
    keepalive_count: int = 3


def open_engine(url: str, timeouts: DatabaseTimeouts | None = None) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_driver_name() == "asyncpg":
        # Up to 16 updates at once (handlers/telegram/ordering.py), some holding a second connection for a moment:
        # a pool that keeps them all. With the default 5, the rest were opened and closed per update (a new
        # connection costs more than the update's queries, and loses its prepared statements).
        # The running bot's engines carry timeouts (see postgres_connect_args); one-off commands (migrations,
        # imports, exports) may legitimately take longer and run without.
        connect_args = postgres_connect_args(timeouts) if timeouts is not None else {}
        engine = create_async_engine(url, pool_size=20, max_overflow=20, connect_args=connect_args)
        event.listen(engine.sync_engine, "checkout", _ping_on_checkout)
        event.listen(engine.sync_engine, "checkin", _note_idle_since)
        return engine
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(url, pool_pre_ping=True)
    options: dict[str, Any] = {}
    path = sqlite_file(parsed)
    if path is not None:
        options["async_creator"] = storage.sqlite.connector(path)  # in line: see storage/sqlite.py
    engine = create_async_engine(url, **options)
    event.listen(engine.sync_engine, "connect", _tune_sqlite)
    return engine


def postgres_connect_args(timeouts: DatabaseTimeouts) -> dict[str, Any]:
    """Every connection is bounded: no call waits on a silent network for ever (asyncpg's command_timeout and
    connect timeout), and the server ends what a vanished client left (statement, lock and idle-in-transaction
    timeouts; its own TCP keepalives, since asyncpg sets none on the client side)."""

    def milliseconds(seconds: float) -> str:
        return str(round(seconds * 1000))

    return {
        "timeout": timeouts.connect_seconds,
        "command_timeout": timeouts.call_seconds,
        "server_settings": {
            "statement_timeout": milliseconds(timeouts.statement_seconds),
            "lock_timeout": milliseconds(timeouts.lock_seconds),
            "idle_in_transaction_session_timeout": milliseconds(timeouts.idle_in_transaction_seconds),
            "tcp_keepalives_idle": str(timeouts.keepalive_idle_seconds),
            "tcp_keepalives_interval": str(timeouts.keepalive_interval_seconds),
            "tcp_keepalives_count": str(timeouts.keepalive_count),
        },
    }


def sqlite_file(url: str | URL) -> str | None:
    """The file of a SQLite database URL; None for another database, or for one in memory (one connection that
    everything shares)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return parsed.database


PING_AFTER_IDLE_SECONDS = 1.0  # a connection back in the pool for longer is pinged before it is used again


def _note_idle_since(_dbapi_connection: Any, record: Any) -> None:
    record.info["idle_since"] = time.monotonic()


def _ping_on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """A connection cut while it sat in the pool (a proxy dropping idle links, a server restart during a quiet
    moment) is replaced before anyone uses it. Only connections idle for a while are pinged: a ping is a round trip,
    and under load (connections back within milliseconds) it cost a sixth of an update. A connection cut during
    busy use fails its update with a "try again", and SQLAlchemy then replaces every connection of the pool.
    (pool_pre_ping would ping every time, with BEGIN, the ping and ROLLBACK: three round trips.)"""
    idle_since = record.info.get("idle_since")
    if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
        return  # new, or back a moment ago
    try:
        await_(dbapi_connection._connection.fetchrow(";"))  # asyncpg's own connection, as SQLAlchemy's ping uses it
    except Exception as error:
        raise DisconnectionError(str(error)) from error  # the pool discards it and connects anew


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers go on while a writer commits; foreign keys are off in SQLite unless asked. Waiting for
    # another writer's lock is storage.sqlite's, which waits without blocking the event loop. synchronous=NORMAL:
    # no fsync on each commit (about 200 µs, a third of it CPU), only at checkpoints; a crash of the process loses
    # nothing, a power cut may lose the last moments' commits (production runs on PostgreSQL).
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def reader(engine: AsyncEngine) -> AsyncEngine:
    """The engine for a single read outside any transaction. On PostgreSQL it reads in autocommit: one round trip
    instead of BEGIN, the read and ROLLBACK. (SQLite begins no transaction for a read anyway.)"""
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="AUTOCOMMIT")
    return engine


def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig


def _alembic_config() -> AlembicConfig:
    from alembic.config import Config as AlembicConfig  # noqa: PLC0415  (alembic loads only to migrate)

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    """The newest migration's revision. Migrations are one straight line, numbered in their file names, so this
    reads the last file rather than loading alembic at every start (a test checks it agrees with alembic)."""
    last = sorted((MIGRATIONS / "versions").glob("[0-9]*.py"))[-1]
    found = re.search(r'^revision = "([^"]+)"', last.read_text(encoding="utf-8"), re.MULTILINE)
    assert found is not None, last
    return found.group(1)


@dataclass(frozen=True)
class SchemaState:
    current: str | None
    head: str
    empty: bool

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


async def schema_state(engine: AsyncEngine) -> SchemaState:
    def read(connection: Connection) -> SchemaState:
        tables = inspect(connection).get_table_names()
        current = (
            connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
            if "alembic_version" in tables
            else None
        )
        empty = not tables
        return SchemaState(current=current, head=head_revision(), empty=empty)

    async with engine.connect() as connection:
        return await connection.run_sync(read)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    def run(connection: Connection) -> None:
        config = _alembic_config()
        config.attributes["connection"] = connection
        from alembic import command  # noqa: PLC0415

        command.upgrade(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(run)


async def prepare(engine: AsyncEngine, zone: ZoneInfo) -> None:
    """Ready for the bot or a command: the schema checked (or made), the monthly tally built in this time zone,
    the planner's statistics current."""
    await ensure_schema(engine)
    with storage.sqlite.on_worker_thread():  # a first build reads every talk: /healthz keeps answering meanwhile
        await storage.tally.ensure(engine, zone)
        await refresh_statistics(engine)


STATISTICS_ROWS = 1000  # rows of each index SQLite's ANALYZE samples: milliseconds, however large the database
STATISTICS_EVERY_SECONDS = 24 * 3600


async def refresh_statistics(engine: AsyncEngine) -> None:
    """Statistics for the query planner, on SQLite, which never gathers them by itself (PostgreSQL's autovacuum
    does: README, Deployment). At start-up and then daily, so plans follow the data as it grows; the hot queries'
    plans are checked under statistics in tests/test_query_plans.py.

    A sampled ANALYZE rather than `PRAGMA optimize`: before SQLite 3.46, optimize considers only the tables the
    same connection has queried, so on a fresh connection it does nothing."""
    if engine.dialect.name != "sqlite":
        return
    async with engine.begin() as connection:
        await connection.exec_driver_sql(f"PRAGMA analysis_limit={STATISTICS_ROWS}")
        await connection.exec_driver_sql("ANALYZE")


async def ensure_schema(engine: AsyncEngine) -> None:
    """Create the schema on an empty database; refuse one made by another version of the code."""
    state = await schema_state(engine)
    if state.up_to_date:
        return
    if state.empty:
        await upgrade(engine)
        return
    raise SchemaOutdated(state.current, state.head)
