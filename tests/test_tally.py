"""The monthly tally stays equal to a count of the participant rows through every kind of write, and the summary
answers read from it agree with the same answers counted from the rows."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import selectinload

from bot.i18n import text
from handlers.telegram.app import TalkApplication
from storage import people, summary, tally
from storage.db import ensure_schema, open_engine, sessions
from storage.models import Person, Talk, TalkParticipant, TalkTally
from storage.summary import TalkFilter
from tests.conftest import Enroll

ZONE = ZoneInfo("Asia/Shanghai")
KINDS = ["工作约谈", "提醒约谈", "告诫约谈"]
PEOPLE = [
    ("赵敏", "兰州市/城关区/建设局", "乡科级"),
    ("孙磊", "兰州市/城关区/教育局", "乡科级"),
    ("周涛", "兰州市/榆中县/交通局", "乡科级"),
    ("李华", "兰州市/城关区", "县处级"),
    ("王强", "兰州市/榆中县", "县处级"),
    ("郑洁", "兰州市", "地厅级"),
]
NOW = datetime(2025, 3, 5, tzinfo=UTC)
# Month edges in Lanzhou: 2025-03-01 00:00 local is 2025-02-28 16:00 UTC.
MOMENTS = [
    datetime(2025, 2, 28, 15, 59, tzinfo=UTC),
    datetime(2025, 2, 28, 16, 0, tzinfo=UTC),
    datetime(2025, 1, 15, 2, 0, tzinfo=UTC),
    datetime(2024, 12, 31, 16, 30, tzinfo=UTC),
]


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    found = open_engine(db_url)
    await ensure_schema(found)
    await tally.ensure(found, ZONE)
    yield found
    await found.dispose()


async def roster(session: AsyncSession) -> list[Person]:
    return [
        await people.find_or_add(session, name=name, unit_path=unit, rank_level=rank, now=NOW)
        for name, unit, rank in PEOPLE
    ]


def a_talk(chance: random.Random, folks: list[Person], number: int) -> Talk:
    return Talk(
        ledger_no=f"T{number}",
        kind=chance.choice(KINDS),
        format="individual",
        channel="face",
        held_at=chance.choice(MOMENTS),
        time_known=True,
        place="",
        topic="t",
        content="",
        lead_id=folks[0].id,
        logged_by_id=folks[0].id,
        deleted=False,
        created_at=NOW,
        updated_at=NOW,
        items=[],
        attachments=[],
        participants=[subject(p) for p in chance.sample(folks, chance.randint(1, 4))],
    )


def subject(person: Person) -> TalkParticipant:
    return TalkParticipant(person_id=person.id, role="subject", rank_level=person.rank_level, unit_id=person.unit_id)


async def change_something(session: AsyncSession, chance: random.Random, folks: list[Person], number: int) -> None:
    talks = list((await session.scalars(select(Talk).options(selectinload(Talk.participants)))).all())
    action = chance.choice(["add", "add", "add", "add", "kind", "time", "join", "leave", "delete", "undelete", "erase"])
    if action == "add" or not talks:
        session.add(a_talk(chance, folks, number))
        return
    talk = chance.choice(talks)
    if action == "kind":
        talk.kind = chance.choice(KINDS)
    elif action == "time":
        talk.held_at = chance.choice(MOMENTS)
    elif action == "join":
        talk.participants.append(subject(chance.choice(folks)))
    elif action == "leave" and len(talk.participants) > 1:
        await session.delete(talk.participants[0])
    elif action in ("delete", "undelete"):
        talk.deleted = action == "delete"
    elif action == "erase":
        await session.delete(talk)


async def tally_rows(engine: AsyncEngine) -> set[tuple[object, ...]]:
    async with sessions(engine)() as session:
        rows = (await session.execute(select(TalkTally))).scalars().all()
        return {(r.month, r.kind, r.unit_id, r.rank_level, r.talks, r.person_times) for r in rows if r.talks}


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_the_tally_matches_a_recount_after_any_writes(engine: AsyncEngine, seed: int) -> None:
    chance = random.Random(seed)
    async with sessions(engine).begin() as session:
        folks = await roster(session)
    for number in range(40):
        async with sessions(engine).begin() as session:
            await change_something(session, chance, folks, number)
    kept = await tally_rows(engine)
    async with engine.begin() as connection:
        await connection.run_sync(tally.rebuild, ZONE)
    assert kept == await tally_rows(engine)
    assert kept  # the writes left something to count


async def test_answers_from_the_tally_equal_answers_from_the_rows(engine: AsyncEngine) -> None:
    chance = random.Random(7)
    async with sessions(engine).begin() as session:
        folks = await roster(session)
        for number in range(60):
            session.add(a_talk(chance, folks, number))
    periods = [
        (datetime(2024, 12, 31, 16, 0, tzinfo=UTC), datetime(2025, 3, 31, 16, 0, tzinfo=UTC)),  # Q1, local
        (datetime(2025, 2, 28, 16, 0, tzinfo=UTC), datetime(2025, 3, 31, 16, 0, tzinfo=UTC)),  # March
        (datetime(2025, 1, 31, 16, 0, tzinfo=UTC), datetime(2025, 2, 28, 16, 0, tzinfo=UTC)),  # February
    ]
    filters = [{}, {"kinds": ["工作约谈"]}, {"scopes": ["兰州市/城关区"]}, {"units": ["兰州市/榆中县"]}]
    async with sessions(engine)() as session:
        for start, end in periods:
            for extra in filters:
                slow = TalkFilter(start=start, end=end, **extra)  # type: ignore[arg-type]
                fast = await summary.with_tally(session, slow, ["兰州市"])
                assert fast.tally is not None
                for dimension in ("kind", "rank"):
                    assert sorted(await summary.by_group(session, fast, dimension)) == sorted(
                        await summary.by_group(session, slow, dimension)
                    )
                for depth in (2, 3):
                    assert sorted(await summary.by_unit(session, fast, depth)) == sorted(
                        await summary.by_unit(session, slow, depth)
                    )
        # Not whole months: the rows answer.
        odd = TalkFilter(start=periods[1][0] + timedelta(hours=1), end=periods[1][1])
        assert (await summary.with_tally(session, odd, ["兰州市"])).tally is None
        two_kinds_of_filter = TalkFilter(start=periods[1][0], end=periods[1][1], rank_levels=["县处级"])
        assert (await summary.with_tally(session, two_kinds_of_filter, ["兰州市"])).tally is None


async def test_a_confirmed_talk_reads_its_tally_contribution_once(enrolled: Enroll, bot: TalkApplication) -> None:
    """Confirming a talk adds its contribution to the tally, reading it once (issue 18: it was read three times),
    and the tally still matches a recount."""
    leader = await enrolled("李华")
    await enrolled("赵敏")
    for step in (
        leader.send("/log"),
        leader.press("工作约谈"),
        leader.send("zm"),
        leader.press("刚才"),
        leader.send("落实全面从严治党主体责任情况"),
        leader.send("工程项目台账不全\n一个月内补齐并建立月报制度"),
        leader.press("1个月"),
    ):
        await step
    engine: AsyncEngine = bot.bot_data["services"].engine
    reads: list[str] = []

    def record(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "unit_ancestors" in statement and "talk_participants.talk_id IN" in statement:
            reads.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        await leader.press("✅ 确认登记")
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    assert leader.last_reply.startswith(text("zh-CN", "log.saved", ledger_no="2025-000001"))
    assert len(reads) == 1
    kept = await tally_rows(engine)
    async with engine.begin() as connection:
        await connection.run_sync(tally.rebuild, ZONE)
    assert await tally_rows(engine) == kept
