"""The database failing for a moment: connections cut under the running bot are replaced without anyone noticing;
while the database cannot be written, updates are not taken (not stored, so not acknowledged) and nothing is
half-written; once it can, they are handled as if nothing had happened."""

from __future__ import annotations

import asyncio
import sqlite3

import asyncpg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

import storage.db
from bot.config import Config
from bot.i18n import text
from storage.db import open_engine, sessions
from storage.models import TalkDraft
from tests.conftest import POSTGRES_ADMIN_URL, Enroll


async def drafts(config: Config) -> int:
    engine = open_engine(config.database_url)
    async with sessions(engine)() as session:
        count = int(await session.scalar(select(func.count()).select_from(TalkDraft)) or 0)
    await engine.dispose()
    return count


async def cut_every_connection(database: str | None) -> None:
    """As when the server restarts or a proxy drops the links."""
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        cut = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1", database
        )
    finally:
        await admin.close()
    assert cut >= 1


async def test_the_database_failing_for_a_moment(
    enrolled: Enroll, config: Config, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    leader = await enrolled("李华")
    url = make_url(config.database_url)
    if url.get_backend_name() == "postgresql":
        # Cut while busy (no ping for a connection back a moment ago): storing the update in the inbox fails,
        # SQLAlchemy replaces the whole pool, and polling stores it on its next try: the person notices nothing.
        await cut_every_connection(url.database)
        await leader.send("/log")
        assert "工作约谈" in await leader.buttons()
        assert await drafts(config) == 1
        # Connections cut while they sat idle in the pool are found by the ping on checkout and replaced unnoticed.
        monkeypatch.setattr(storage.db, "PING_AFTER_IDLE_SECONDS", 0.0)  # as if they had been idle a while
        await cut_every_connection(url.database)
        await leader.press("工作约谈")
        assert leader.reply_texts != [text("zh-CN", "reply.try_again")]
        assert leader.last_reply == text("zh-CN", "log.ask.subjects")  # the draft goes on to its next question
        return
    # SQLite: another process holds the write lock for longer than the bot will wait for it.
    locker = sqlite3.connect(str(url.database), timeout=0)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        sending = asyncio.ensure_future(leader.send("/log"))
        async with asyncio.timeout(20):  # the bot tries to store it, and cannot
            while not any("database is locked" in record.getMessage() for record in caplog.records):
                await asyncio.sleep(0.05)
        assert not sending.done()
    finally:
        locker.rollback()
        locker.close()
    await sending  # the moment has passed: the update is stored and handled
    assert "工作约谈" in await leader.buttons()
    assert text("zh-CN", "reply.try_again") not in leader.reply_texts
    assert await drafts(config) == 1
