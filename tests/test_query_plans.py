"""The hot queries keep their indexes once the database has statistics (issue 18).

A realistic database is seeded (people in units, many talks, items whose second responsible leader is nearly always
NULL, an outbox mostly sent), ANALYZE gives the planner real statistics, and each hot query, as the bot's own
function sends it, is explained: it must reach its rows through its index, never by reading the whole table.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, insert, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from handlers.telegram.app import TalkApplication
from storage import followup, summary, talks
from storage.bulk import insert_rows
from storage.db import ensure_schema, open_engine, sessions
from storage.models import (
    Notification,
    Person,
    RectificationItem,
    Talk,
    TalkDraft,
    TalkParticipant,
    Unit,
    UnitAncestor,
)

NOW = datetime(2025, 3, 5, 7, 0, tzinfo=UTC)
PEOPLE, TALKS, DISTRICTS = 2000, 20_000, 20


async def _insert(session: AsyncSession, model: type[Any], rows: list[dict[str, Any]]) -> None:
    await insert_rows(await session.connection(), model, rows)


async def seed(engine: AsyncEngine) -> None:
    chance = random.Random(18)
    units = [{"id": 1, "name": "兰州市", "path": "兰州市", "parent_id": None}] + [
        {"id": 2 + d, "name": f"区{d}", "path": f"兰州市/区{d}", "parent_id": 1} for d in range(DISTRICTS)
    ]
    ancestors = [{"unit_id": 1, "ancestor_id": 1, "depth": 1, "unit_depth": 1}] + [
        {"unit_id": u["id"], "ancestor_id": a, "depth": d, "unit_depth": 2}
        for u in units[1:]
        for a, d in ((1, 1), (u["id"], 2))
    ]
    people = [
        {
            "id": i + 1,
            "name": f"干部{i}",
            "pinyin": "",
            "position": "",
            "rank_level": ["县处级", "乡科级", "其他"][i % 3],
            "unit_id": 2 + i % DISTRICTS,
            "telegram_user_id": 1_000_000 + i if i % 4 else None,
            "language": "zh-CN",
            "active": True,
            "talk_every": "",
            "quota_talks": None,
            "quota_per": "",
            "created_at": NOW,
            "updated_at": NOW,
        }
        for i in range(PEOPLE)
    ]
    leaders = range(1, 101)  # the first hundred people lead and log the talks
    talk_rows: list[dict[str, Any]] = []
    participants: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []
    for n in range(1, TALKS + 1):
        held = NOW - timedelta(days=chance.randrange(1, 700), minutes=chance.randrange(1440))
        lead = chance.choice(leaders)
        kind = chance.choice(["工作约谈", "提醒约谈", "告诫约谈"])
        talk_rows.append(
            {
                "id": n,
                "ledger_no": f"Q-{n:06d}",
                "kind": kind,
                "format": "individual",
                "channel": "face",
                "held_at": held,
                "time_known": True,
                "place": "",
                "topic": "主体责任落实情况",
                "content": "",
                "lead_id": lead,
                "logged_by_id": lead,
                "deleted": n % 97 == 0,
                "created_at": held,
                "updated_at": held,
            }
        )
        for subject in chance.sample(range(101, PEOPLE + 1), chance.choice([1, 1, 1, 2, 3])):
            participants.append(
                {
                    "talk_id": n,
                    "person_id": subject,
                    "role": "subject",
                    "rank_level": people[subject - 1]["rank_level"],
                    "unit_id": people[subject - 1]["unit_id"],
                    "held_at": held,
                    "kind": kind,
                    "counted": n % 97 != 0,
                }
            )
        if n % 2 == 0:
            subject = participants[-1]["person_id"]
            deadline = (held + timedelta(days=30)).date()
            open_item = deadline >= NOW.date() or n % 10 == 0
            items.append(
                {
                    "id": len(items) + 1,
                    "talk_id": n,
                    "number": 1,
                    "problem": "台账不全",
                    "measure": "一个月内补齐",
                    "deadline": deadline,
                    "responsible_id": subject,
                    "second_responsible_id": None,  # as in use: hardly anyone names a second responsible leader
                    "state": "open" if open_item else "closed",
                    "created_at": held,
                    "kind": "problem",
                    "planned_from": held,
                }
            )
            for days, state in ((-3, "sent"), (0, "sent" if deadline < NOW.date() else "planned")):
                notifications.append(
                    {
                        "key": f"r:{len(items)}:{days}:{subject}",
                        "recipient_id": subject,
                        "item_id": len(items),
                        "kind": "before" if days else "due",
                        "due_at": datetime.combine(deadline + timedelta(days=days), datetime.min.time(), UTC),
                        "state": state,
                        "attempts": 1 if state == "sent" else 0,
                        "last_error": "",
                        "payload": "",
                    }
                )
    drafts = [
        {
            "owner_id": chance.choice(leaders),
            "active": d % 50 == 0,  # most drafts were confirmed or cancelled long ago
            "step": "topic",
            "seq": 1,
            "data": "{}",
            "created_at": NOW,
            "updated_at": NOW,
        }
        for d in range(5000)
    ]
    async with sessions(engine).begin() as session:
        for model, rows in (
            (Unit, units),
            (UnitAncestor, ancestors),
            (Person, people),
            (Talk, talk_rows),
            (TalkParticipant, participants),
            (RectificationItem, items),
            (Notification, notifications),
            (TalkDraft, drafts),
        ):
            await _insert(session, model, rows)
    async with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text("ANALYZE"))


@pytest.fixture
async def analysed(db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = open_engine(db_url)
    await ensure_schema(engine)
    await seed(engine)
    yield engine
    await engine.dispose()


async def explained(engine: AsyncEngine, run: Callable[[AsyncSession], Awaitable[object]]) -> str:
    """The plan of the first statement `run` sends (the bot's own function), as the database explains it."""
    sent: list[tuple[str, Any]] = []

    def record(_connection: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sent.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        async with sessions(engine)() as session:
            await run(session)
            await session.rollback()
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    statement, parameters = next((s, p) for s, p in sent if s.lstrip().upper().startswith(("SELECT", "WITH", "(")))
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    async with engine.connect() as connection:
        rows = (await connection.exec_driver_sql(prefix + statement, parameters)).all()
    return "\n".join(str(row[-1]) for row in rows)


def full_scans(plan: str, table: str) -> list[str]:
    """Lines of the plan that read the whole table."""
    lines = plan.splitlines()
    sqlite_scans = [line for line in lines if line.strip().startswith(f"SCAN {table}") and " INDEX " not in line]
    return sqlite_scans + [line for line in lines if f"Seq Scan on {table}" in line]


async def pending_answers(session: AsyncSession) -> object:
    return await talks.pending(await session.connection(), 7)


HOT: dict[str, tuple[Callable[[AsyncSession], Awaitable[object]], str, tuple[str, ...]]] = {
    # name: (the bot's call, the table it must not read whole, the indexes it must reach that table by)
    "/items and enrolment": (
        lambda s: followup.items_of_person(s, 150),
        "rectification_items",
        ("ix_rectification_items_responsible_id", "ix_rectification_items_second_responsible_id"),
    ),
    "a typed message's pending answers": (pending_answers, "talk_drafts", ("ix_talk_drafts_owner_id",)),
    "the active draft": (lambda s: talks.active_draft(s, 7), "talk_drafts", ("ix_talk_drafts_owner_id",)),
    "/mytalks": (lambda s: talks.talks_logged_by(s, 7, 0, 10), "talks", ("ix_talks_lead_id", "ix_talks_logged_by_id")),
    "the summary's count": (
        lambda s: summary.totals(
            s, summary.TalkFilter(NOW - timedelta(days=10), NOW, scopes=["兰州市/区3"], kinds=["工作约谈"])
        ),
        "talk_participants",
        ("ix_participants_unit_tally",),
    ),
    "the outbox's due rows": (lambda s: followup.claim_due(s, NOW, 200), "notifications", ("ix_notifications_due",)),
}


async def test_each_hot_query_uses_its_index_once_the_database_has_statistics(analysed: AsyncEngine) -> None:
    failed = []
    for query, (run, table, indexes) in HOT.items():
        plan = await explained(analysed, run)
        print(f"{query} on {analysed.dialect.name}:\n{plan}\n")  # shown with -s: the plans the issue asks for
        if full_scans(plan, table) or not all(index in plan for index in indexes):
            failed.append(f"{query}:\n{plan}")
    assert not failed, "\n\n".join(failed)


async def rows_counted_for_people(application: TalkApplication) -> int:
    """How many people the SQLite planner's statistics say there are (0 without statistics)."""
    async with application.bot_data["services"].engine.connect() as connection:
        if not (await connection.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
            return 0
        found = await connection.exec_driver_sql("SELECT stat FROM sqlite_stat1 WHERE tbl = 'people' LIMIT 1")
        stat = found.scalar()
    return int(stat.split()[0]) if stat else 0


async def test_the_bot_gathers_sqlite_statistics_at_start_and_every_day(
    database: str, invites: dict[str, str], bot: TalkApplication
) -> None:
    if database != "sqlite":
        pytest.skip("PostgreSQL's autovacuum keeps its statistics (README, Deployment)")
    demo = len(invites)
    assert await rows_counted_for_people(bot) == demo  # gathered at start, the roster already there
    async with bot.bot_data["services"].sessions.begin() as session:
        await session.execute(
            insert(Person),
            [
                {"name": f"新人{i}", "pinyin": "", "position": "", "rank_level": "其他", "unit_id": 1, "active": True}
                | {"talk_every": "", "quota_per": "", "created_at": NOW, "updated_at": NOW}
                for i in range(30)
            ],
        )
    assert await rows_counted_for_people(bot) == demo  # statistics do not follow by themselves
    assert bot.job_queue is not None
    (daily,) = bot.job_queue.get_jobs_by_name("statistics")
    assert daily.trigger.interval.total_seconds() == 24 * 3600  # type: ignore[attr-defined]
    await daily.run(bot)
    assert await rows_counted_for_people(bot) == demo + 30
