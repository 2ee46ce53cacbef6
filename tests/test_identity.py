"""The roster cache: a viewer is served from memory until the roster changes, in this process or in another one
(the CLI), and then read again; a preloaded cache answers everyone enrolled without a query."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.roster.access import Grant, Role
from bot.roster.identity import RosterCache
from storage import people
from storage.db import ensure_schema, open_engine, sessions
from storage.models import Person

NOW = datetime(2025, 3, 5, 7, 0, tzinfo=UTC)


@pytest.fixture
async def engines(db_url: str) -> AsyncIterator[tuple[AsyncEngine, AsyncEngine]]:
    """The bot's engine and another process's (as the CLI would have), on one database with two people."""
    bot, cli = open_engine(db_url), open_engine(db_url)
    await ensure_schema(bot)
    async with sessions(cli).begin() as session:
        zhang = await people.add_person(session, name="张建平", unit_path="兰州市", rank_level="县处级", now=NOW)
        zhao = await people.add_person(session, name="赵敏", unit_path="兰州市/城关区", rank_level="乡科级", now=NOW)
        zhang.telegram_user_id, zhao.telegram_user_id = 101, 102
        city = await people.unit_by_path(session, "兰州市")
        assert city is not None
        people.set_grants(zhang, [("commission", city)])
    yield bot, cli
    await bot.dispose()
    await cli.dispose()


def count_queries(engine: AsyncEngine) -> list[str]:
    seen: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


async def test_a_cached_viewer_is_read_again_after_a_change_made_by_another_process(
    engines: tuple[AsyncEngine, AsyncEngine],
) -> None:
    bot, cli = engines
    cache = RosterCache(sessions(bot), "zh-CN")
    try:
        zhang = await cache.viewer(101)
        assert zhang is not None and zhang.grants == (Grant(Role.COMMISSION, "兰州市"),)
        queries = count_queries(bot)
        assert await cache.viewer(101) == zhang
        assert not [q for q in queries if "people" in q]  # served from memory

        async with sessions(cli).begin() as session:  # the CLI takes the role away and renames him
            person = await session.scalar(select(Person).where(Person.telegram_user_id == 101))
            assert person is not None
            people.set_grants(person, [])
            person.name = "张建国"
        changed = await cache.viewer(101)
        assert changed is not None and changed.grants == () and changed.name == "张建国"

        async with sessions(cli).begin() as session:  # and then deactivates him
            person = await session.scalar(select(Person).where(Person.telegram_user_id == 101))
            assert person is not None
            person.active = False
        assert await cache.viewer(101) is None
        assert await cache.viewer(999) is None  # a stranger
    finally:
        cache.close()


async def test_preloaded_viewers_cost_no_query_until_the_roster_changes(
    engines: tuple[AsyncEngine, AsyncEngine],
) -> None:
    bot, cli = engines
    cache = RosterCache(sessions(bot), "en")
    try:
        await cache.preload()
        queries = count_queries(bot)
        zhang, zhao = await cache.viewer(101), await cache.viewer(102)
        assert not [q for q in queries if "people" in q]
        assert zhang is not None and zhang.name == "张建平" and zhang.unit_path == "兰州市"
        assert zhao is not None and zhao.grants == () and zhao.language == "en" and zhao.unit_path == "兰州市/城关区"

        async with sessions(cli).begin() as session:
            person = await session.scalar(select(Person).where(Person.telegram_user_id == 102))
            assert person is not None
            person.language = "zh-CN"
        again = await cache.viewer(102)
        assert again is not None and again.language == "zh-CN"
        assert [q for q in queries if "people" in q]  # read again, once the version moved
    finally:
        cache.close()


async def test_within_one_update_the_version_is_read_once_and_a_change_shows_from_the_next(
    engines: tuple[AsyncEngine, AsyncEngine],
) -> None:
    bot, cli = engines
    cache = RosterCache(sessions(bot), "zh-CN")
    reads = 0
    read = cache._version.read

    async def counted() -> int:
        nonlocal reads
        reads += 1
        return await read()

    cache._version.read = counted  # type: ignore[method-assign]
    try:
        with cache.one_version_per_update():
            assert (await cache.viewer(101)) is not None
            await cache.vocabulary()
            async with sessions(cli).begin() as session:  # the CLI deactivates him meanwhile
                person = await session.scalar(select(Person).where(Person.telegram_user_id == 101))
                assert person is not None
                person.active = False
            assert (await cache.viewer(101)) is not None  # this update goes on as it began
        assert reads == 1
        with cache.one_version_per_update():
            assert await cache.viewer(101) is None  # the next one sees the change
        assert reads == 2
        assert await cache.viewer(101) is None and reads == 3  # outside an update: read every time
    finally:
        cache.close()
