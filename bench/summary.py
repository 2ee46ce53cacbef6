"""Benchmark: summary queries over a large ledger, through the application's own path and as hand-written SQL.

    .venv/bin/python bench/summary.py [--talks 1000000] [--units 2000] [--runs 20] [--postgres URL]

Generates talks over 5 years (about 3 person-times a talk) across a unit tree, then times "this month by kind and
rank level", "this year by unit" and "last quarter, one district's sub-tree": p50/p95 of each, both ways, and
the overhead. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.clock import ManualClock  # noqa: E402
from bot.config import Config  # noqa: E402
from bot.questions.periods import month, quarter, year  # noqa: E402
from bot.questions.reader import Question  # noqa: E402
from bot.questions.summary import answer  # noqa: E402
from bot.roster.access import Grant, Role, Viewer  # noqa: E402
from bot.services import Services  # noqa: E402
from storage import tally  # noqa: E402
from storage.db import ensure_schema, open_engine, sessions  # noqa: E402
from storage.models import Person, Talk, TalkParticipant, Unit, UnitAncestor  # noqa: E402

NOW = datetime(2025, 3, 20, 4, 0, tzinfo=UTC)
KINDS = ["工作约谈", "提醒约谈", "告诫约谈", "廉政谈话", "诫勉谈话"]
RANKS = ["地厅级", "县处级", "乡科级", "其他"]


async def seed(url: str, talks: int, units: int) -> None:
    chance = random.Random(1)
    engine = open_engine(url)
    await ensure_schema(engine)
    made = NOW - timedelta(days=5 * 365)
    districts = max(1, units // 100)
    unit_rows: list[dict[str, Any]] = [{"id": 1, "name": "兰州市", "path": "兰州市", "parent_id": None}]
    for d in range(districts):
        unit_rows.append({"id": 2 + d, "name": f"区{d}", "path": f"兰州市/区{d}", "parent_id": 1})
    while len(unit_rows) < units:
        d = chance.randrange(districts)
        n = len(unit_rows)
        unit_rows.append({"id": n + 1, "name": f"单位{n}", "path": f"兰州市/区{d}/单位{n}", "parent_id": 2 + d})
    people = units * 5
    async with engine.begin() as connection:
        await connection.execute(insert(Unit), unit_rows)
        ids = {row["path"]: row["id"] for row in unit_rows}
        await connection.execute(
            insert(UnitAncestor),
            [
                {
                    "unit_id": row["id"],
                    "ancestor_id": ids["/".join(row["path"].split("/")[:level])],
                    "depth": level,
                    "unit_depth": len(row["path"].split("/")),
                }
                for row in unit_rows
                for level in range(1, len(row["path"].split("/")) + 1)
            ],
        )
        for start in range(0, people, 20_000):
            await connection.execute(
                insert(Person),
                [
                    {
                        "id": i + 1,
                        "name": f"干部{i}",
                        "pinyin": "",
                        "position": "",
                        "rank_level": RANKS[i % 4],
                        "unit_id": i % units + 1,
                        "telegram_user_id": None,
                        "language": None,
                        "active": True,
                        "created_at": made,
                        "updated_at": made,
                    }
                    for i in range(start, min(people, start + 20_000))
                ],
            )
    span = int((NOW - made).total_seconds())
    batch = 20_000
    participant_id = 0
    for start in range(0, talks, batch):
        talk_rows, participant_rows = [], []
        for t in range(start, min(talks, start + batch)):
            held = made + timedelta(seconds=chance.randrange(span))
            talk_rows.append(
                {
                    "id": t + 1,
                    "ledger_no": f"{t + 1:010d}",
                    "kind": chance.choice(KINDS),
                    "format": "individual",
                    "channel": "face",
                    "held_at": held,
                    "time_known": True,
                    "place": "",
                    "topic": "t",
                    "content": "",
                    "lead_id": 1,
                    "logged_by_id": 1,
                    "deleted": False,
                    "created_at": held,
                    "updated_at": held,
                }
            )
            for _ in range(chance.choice((1, 1, 2, 3, 3, 5, 6))):
                person = chance.randrange(people)
                participant_id += 1
                participant_rows.append(
                    {
                        "id": participant_id,
                        "talk_id": t + 1,
                        "person_id": person + 1,
                        "role": "subject",
                        "rank_level": RANKS[person % 4],
                        "unit_id": person % units + 1,
                        "held_at": held,
                        "kind": talk_rows[-1]["kind"],
                        "counted": True,
                    }
                )
        async with engine.begin() as connection:
            await connection.execute(insert(Talk), talk_rows)
            await connection.execute(insert(TalkParticipant), participant_rows)
    started = time.perf_counter()
    await tally.ensure(engine, Config().organisation.zone)
    print(f"monthly tally built in {time.perf_counter() - started:.1f} s")
    async with engine.begin() as connection:
        await connection.execute(text("ANALYZE"))
    await engine.dispose()
    print(f"seeded {talks} talks, {participant_id} person-times, {len(unit_rows)} units")


BY_KIND = (
    "SELECT p.kind, count(DISTINCT p.talk_id), count(*) FROM talk_participants p {units} WHERE p.role = 'subject' "
    "AND p.counted AND p.held_at >= :start AND p.held_at < :end {where} GROUP BY p.kind"
)
BY_RANK = (
    "SELECT p.rank_level, count(DISTINCT p.talk_id), count(*) FROM talk_participants p {units} "
    "WHERE p.role = 'subject' AND p.counted AND p.held_at >= :start AND p.held_at < :end {where} GROUP BY p.rank_level"
)
BY_UNIT = (
    "SELECT a.path, count(DISTINCT p.talk_id), count(*) FROM talk_participants p "
    "JOIN unit_ancestors ua ON ua.unit_id = p.unit_id AND ua.depth = 2 JOIN units a ON a.id = ua.ancestor_id "
    "WHERE p.role = 'subject' AND p.counted AND p.held_at >= :start AND p.held_at < :end GROUP BY a.path"
)
DISTRICT = {
    "units": "JOIN units u ON u.id = p.unit_id",
    "where": "AND (u.path = '兰州市/区3' OR u.path LIKE '兰州市/区3/%')",
}
EVERYWHERE = {"units": "", "where": ""}
# The same year-wide figures, hand-written against the monthly tally (unit 1 is the city).
TALLY = "FROM talk_tallies t WHERE t.unit_id = 1 AND t.month >= :first AND t.month <= :last"
TALLY_BY_KIND = f"SELECT t.kind, sum(t.talks), sum(t.person_times) {TALLY} AND t.rank_level = '' GROUP BY t.kind"
TALLY_BY_RANK = f"SELECT t.rank_level, sum(t.talks), sum(t.person_times) {TALLY} AND t.rank_level <> '' GROUP BY 1"
TALLY_BY_UNIT = (
    "SELECT u.path, sum(t.talks), sum(t.person_times) FROM talk_tallies t JOIN units u ON u.id = t.unit_id "
    "WHERE t.unit_id IN (SELECT unit_id FROM unit_ancestors WHERE ancestor_id = 1 AND depth = 2 AND unit_depth = 2) "
    "AND t.rank_level = '' AND t.month >= :first AND t.month <= :last GROUP BY u.path"
)
OWN_PEOPLE = (  # people of the city itself, above the districts
    "SELECT count(DISTINCT p.talk_id), count(*) FROM talk_participants p WHERE p.unit_id = 1 "
    "AND p.role = 'subject' AND p.counted AND p.held_at >= :start AND p.held_at < :end"
)
# The same figures the application's answer carries: the Lanzhou sentence (by kind, by rank level) and the breakdown.
HAND_WRITTEN = {
    "this month by kind and rank level": [BY_KIND.format(**EVERYWHERE), BY_RANK.format(**EVERYWHERE)],
    "this year by unit": [BY_KIND.format(**EVERYWHERE), BY_RANK.format(**EVERYWHERE), BY_UNIT],
    "last quarter, one district's sub-tree": [BY_KIND.format(**DISTRICT), BY_RANK.format(**DISTRICT)],
    "this year by unit, hand-written on the tally": [TALLY_BY_KIND, TALLY_BY_RANK, TALLY_BY_UNIT, OWN_PEOPLE],
}


async def timed(runs: int, work: Callable[[], Awaitable[object]]) -> list[float]:
    await work()  # warm caches and the connection pool
    spent = []
    for _ in range(runs):
        started = time.perf_counter()
        await work()
        spent.append((time.perf_counter() - started) * 1000)
    return spent


async def measure(url: str, runs: int, label: str) -> None:
    engine = open_engine(url)
    config = dataclasses.replace(Config(), database_url=url)
    services = Services(config=config, sessions=sessions(engine), clock=ManualClock(NOW))
    viewer = Viewer(0, "bench", "", (Grant(Role.COMMISSION, "兰州市"),), "zh-CN")
    today = NOW.astimezone(config.organisation.zone).date()
    questions = {
        "this month by kind and rank level": Question(month(today.year, today.month), True, "talks"),
        "this year by unit": Question(year(today.year), True, "talks", breakdown="unit"),
        "last quarter, one district's sub-tree": Question(
            quarter(today.year - 1, 4), True, "talks", units=("兰州市/区3",)
        ),
    }
    zone = config.organisation.zone
    print(f"{label}:")
    for name, question in questions.items():
        bounds = {
            "start": datetime.combine(question.period.start, datetime.min.time(), zone).astimezone(UTC),
            "end": datetime.combine(question.period.end, datetime.min.time(), zone).astimezone(UTC),
            "first": question.period.start.strftime("%Y-%m"),
            "last": question.period.last_day.strftime("%Y-%m"),
        }

        async def application(question: Question = question) -> object:
            async with services.sessions() as session:
                return await answer(session, services, viewer, question)

        async def hand_written(name: str = name, bounds: dict[str, object] = bounds) -> object:
            async with engine.connect() as connection:
                return [(await connection.execute(text(sql), bounds)).all() for sql in HAND_WRITTEN[name]]

        app_times = await timed(runs, application)
        p50a, p95a = statistics.median(app_times), statistics.quantiles(app_times, n=20)[18]
        for baseline in [name, f"{name}, hand-written on the tally"]:
            if baseline not in HAND_WRITTEN:
                continue
            sql_times = await timed(runs, partial(hand_written, baseline))
            p50s, p95s = statistics.median(sql_times), statistics.quantiles(sql_times, n=20)[18]
            print(
                f"  {baseline}: application p50 {p50a:.1f} ms p95 {p95a:.1f} ms; hand-written SQL p50 {p50s:.1f} ms "
                f"p95 {p95s:.1f} ms; overhead ×{p50a / p50s:.2f} ({p50a - p50s:+.1f} ms)"
            )
    await engine.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--talks", type=int, default=1_000_000)
    parser.add_argument("--units", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--postgres", default="", help="e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/bench")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'summary.db'}"
        started = time.perf_counter()
        await seed(url, arguments.talks, arguments.units)
        print(f"SQLite seeded in {time.perf_counter() - started:.0f} s")
        await measure(url, arguments.runs, "SQLite")
    if arguments.postgres:
        started = time.perf_counter()
        await seed(arguments.postgres, arguments.talks, arguments.units)
        print(f"PostgreSQL seeded in {time.perf_counter() - started:.0f} s")
        await measure(arguments.postgres, arguments.runs, "PostgreSQL")


if __name__ == "__main__":
    asyncio.run(main())
