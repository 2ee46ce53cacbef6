"""Benchmark: the outbox against the emulator rate-limited to 30 messages/s, and planning at scale.

    .venv/bin/python bench/outbox.py [--people 2000] [--reminders 10000] [--items 1000000]

Prints figures; asserts nothing. 1) 2,000 people with 1–10 items each (skewed: most have a few, some many),
10,000 reminders due in the same round: plan and dispatch through the real bot to the emulator, which enforces
Telegram's limits (30/s for the bot, 1/s in a chat) and runs in a process of its own, as Telegram is remote
(`--same-process` serves it on the bot's own event loop, which then does both sides' work); messages delivered
(one digest a person), the rate as a fraction of the limit, 429s by kind, reminders lost and people messaged
twice. 2) The time to plan reminders for 1,000,000 open items.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import multiprocessing
import random
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path

import aiohttp
import asyncpg
from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.clock import ManualClock  # noqa: E402
from bot.config import Config, OutboxConfig, TelegramConfig  # noqa: E402
from bot.followup.outbox import plan_reminders  # noqa: E402
from bot.services import Services  # noqa: E402
from handlers.telegram.app import running  # noqa: E402
from handlers.telegram.emulator import Emulator, EmulatorServer  # noqa: E402
from handlers.telegram.ratelimit import BotWideLimiter  # noqa: E402
from handlers.telegram.sandbox import SANDBOX_TOKEN  # noqa: E402
from handlers.telegram.transport import RosterFirst  # noqa: E402
from storage.db import ensure_schema, open_engine, sessions  # noqa: E402
from storage.models import Notification, Person, RectificationItem, Talk, Unit  # noqa: E402

NOW = datetime(2025, 3, 5, 1, 30, tzinfo=UTC)  # 09:30 in Lanzhou, when the day's reminders are due
FIRST_USER = 10_000_000


async def seed(url: str, people: int, items: int, deadlines: list[date], owners: list[int] | None = None) -> None:
    """`people` enrolled people, one talk per 100 items, `items` open items cycling through `deadlines`; item n
    belongs to person `owners[n]` (default: people in turn)."""
    engine = open_engine(url)
    await ensure_schema(engine)
    made = NOW - timedelta(days=40)
    async with engine.begin() as connection:
        await connection.execute(insert(Unit), [{"id": 1, "name": "兰州市", "path": "兰州市", "parent_id": None}])
        for start in range(0, people, 20_000):
            await connection.execute(
                insert(Person),
                [
                    {
                        "id": i + 1,
                        "name": f"干部{i}",
                        "pinyin": "",
                        "position": "",
                        "rank_level": "乡科级",
                        "unit_id": 1,
                        "telegram_user_id": FIRST_USER + i,
                        "language": "zh-CN",
                        "active": True,
                        "created_at": made,
                        "updated_at": made,
                    }
                    for i in range(start, min(people, start + 20_000))
                ],
            )
        talks = max(1, items // 100)
        for start in range(0, talks, 20_000):
            await connection.execute(
                insert(Talk),
                [
                    {
                        "id": t + 1,
                        "ledger_no": f"2025-{t + 1:07d}",
                        "kind": "工作约谈",
                        "format": "individual",
                        "channel": "face",
                        "held_at": made,
                        "time_known": True,
                        "place": "",
                        "topic": "bench",
                        "content": "",
                        "lead_id": 1,
                        "logged_by_id": 1,
                        "deleted": False,
                        "created_at": made,
                        "updated_at": made,
                    }
                    for t in range(start, min(talks, start + 20_000))
                ],
            )
        for start in range(0, items, 50_000):
            await connection.execute(
                insert(RectificationItem),
                [
                    {
                        "id": n + 1,
                        "talk_id": n // 100 + 1,
                        "number": n % 100 + 1,
                        "problem": "问题",
                        "measure": "措施",
                        "deadline": deadlines[n % len(deadlines)],
                        "responsible_id": owners[n] if owners else n % people + 1,
                        "second_responsible_id": None,
                        "state": "open",
                        "created_at": made,
                        "kind": "problem",
                        "planned_from": made,
                    }
                    for n in range(start, min(items, start + 50_000))
                ],
            )
    await engine.dispose()


def skewed_counts(people: int, total: int, most: int = 10) -> list[int]:
    """How many items each person has: 1 to `most`, most people few, some many, summing to `total`."""
    chance = random.Random(20261129)
    weights = [1 / k for k in range(1, most + 1)]
    counts = chance.choices(range(1, most + 1), weights, k=people)
    while (gap := total - sum(counts)) != 0:  # even out to the total, keeping each within 1..most
        i = chance.randrange(people)
        step = 1 if gap > 0 else -1
        if 1 <= counts[i] + step <= most:
            counts[i] += step
    return counts


def _serve_emulator(people: int, limit: float, told: Connection) -> None:
    """In a process of its own, as Telegram is: the emulator with the bench's people, until terminated."""

    async def serve() -> None:
        emulator = Emulator(token=SANDBOX_TOKEN, per_second=limit, per_chat_per_second=1)
        for i in range(people):
            emulator.chats[FIRST_USER + i] = {"id": FIRST_USER + i, "type": "private", "first_name": f"干部{i}"}
        told.send(await EmulatorServer(emulator).start())
        await asyncio.Event().wait()

    asyncio.run(serve())


@asynccontextmanager
async def emulator_at(people: int, limit: float, same_process: bool) -> AsyncIterator[str]:
    """The emulator's URL: served by another process (as Telegram is remote), or by this one's event loop."""
    if same_process:
        emulator = Emulator(token=SANDBOX_TOKEN, per_second=limit, per_chat_per_second=1)
        for i in range(people):
            emulator.chats[FIRST_USER + i] = {"id": FIRST_USER + i, "type": "private", "first_name": f"干部{i}"}
        server = EmulatorServer(emulator)
        try:
            yield await server.start()
        finally:
            await server.stop()
        return
    ours, theirs = multiprocessing.Pipe()
    process = multiprocessing.get_context("spawn").Process(target=_serve_emulator, args=(people, limit, theirs))
    process.start()
    try:
        yield await asyncio.to_thread(ours.recv)
    finally:
        process.terminate()
        process.join()


@asynccontextmanager
async def fresh_database(postgres: str | None) -> AsyncIterator[str]:
    """A new empty database: a SQLite file, or (given the server's admin URL) a PostgreSQL database made for the
    run and dropped after."""
    if postgres is None:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        return
    name = f"tl_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(postgres)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        server = postgres.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
        yield f"{server}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def dispatch_benchmark(
    people: int, reminders: int, limit: float, same_process: bool, postgres: str | None
) -> None:
    async with fresh_database(postgres) as url:
        tomorrow = (NOW + timedelta(hours=8)).date() + timedelta(days=1)
        counts = skewed_counts(people, reminders)
        owners = [person + 1 for person, count in enumerate(counts) for _ in range(count)]
        await seed(url, people, reminders, [tomorrow], owners)
        clock = ManualClock(NOW)
        async with emulator_at(people, limit, same_process) as api:
            config = dataclasses.replace(
                Config(),
                database_url=url,
                telegram=TelegramConfig(token=SANDBOX_TOKEN, api_base_url=api),
                outbox=OutboxConfig(per_second=limit, per_chat_per_second=1, sweep_seconds=0),
            )
            async with running(config, clock, poll_timeout=1) as application:
                sweeper = application.bot_data["sweeper"]
                started = time.perf_counter()
                planned = await plan_reminders(sweeper.services, NOW, timedelta(minutes=1))
                planning = time.perf_counter() - started
                started = time.perf_counter()
                stats = await sweeper.sweep()
                elapsed = time.perf_counter() - started
                later = stats
                for _ in range(20):  # what a 429 sent back goes at the next sweeps
                    if not later.retried:
                        break
                    clock.advance(timedelta(seconds=30))
                    later = await sweeper.sweep()
                limiter = application.bot.rate_limiter
                limiter = limiter.inner if isinstance(limiter, RosterFirst) else limiter
                seen = dict(limiter.throttled) if isinstance(limiter, BotWideLimiter) else {}
                async with sweeper.services.sessions() as session:
                    states = Counter((await session.scalars(select(Notification.state))).all())
            async with aiohttp.ClientSession() as http, http.get(f"{api}/control/calls") as answer:
                sends = [call for call in await answer.json() if call["method"] == "sendMessage"]
        throttled = Counter(call["cause"] for call in sends if call["status"] == 429)
        per_chat = Counter(call["params"]["chat_id"] for call in sends if call["status"] == 200)
        messaged = sum(1 for i in range(people) if per_chat[FIRST_USER + i] >= 1)
        rate = stats.sent / elapsed
        delivered = sorted(call["at"] for call in sends if call["status"] == 200)
        span = delivered[-1] - delivered[0] if len(delivered) > 1 else 0.0
        sending = (len(delivered) - 1) / span if span else 0.0  # from the first message to the last, no planning
        where = "in this process" if same_process else "in a process of its own"
        print(
            f"dispatch: {people} people with 1–{max(counts)} items (median {sorted(counts)[people // 2]}, "
            f"{sum(1 for c in counts if c >= 8)} with 8 or more); {planned} reminders planned in {planning:.2f} s; "
            f"the emulator {where}"
        )
        print(
            f"dispatch: {stats.sent} messages ({stats.rows} reminders) delivered in {elapsed:.1f} s = "
            f"{rate:.2f} msg/s = {rate / limit:.1%} of the {limit:g}/s limit (the sweep's planning included; "
            f"first to last message {sending:.2f} msg/s = {sending / limit:.1%}); {len(sends)} sendMessage calls"
        )
        print(
            f"dispatch: 429s at the emulator by kind {dict(throttled) or 0}, in "
            f"{len({call['params']['chat_id'] for call in sends if call['status'] == 429})} chats; seen by the "
            f"bot's limiter {seen or 0}; outbox retried {stats.retried} (sent at the next sweeps), "
            f"failed {stats.failed + later.failed}"
        )
        print(
            f"dispatch: reminders not sent {reminders - states['sent']} (states {dict(states)}), people never "
            f"messaged {people - messaged}, people messaged more than once {sum(1 for n in per_chat.values() if n > 1)}"
        )


async def planning_benchmark(items: int, postgres: str | None) -> None:
    async with fresh_database(postgres) as url:
        today = (NOW + timedelta(hours=8)).date()
        deadlines = [today + timedelta(days=d) for d in range(-30, 31)]  # due within two months either side
        started = time.perf_counter()
        await seed(url, 10_000, items, deadlines)
        print(f"planning: seeded {items} open items in {time.perf_counter() - started:.1f} s")
        engine = open_engine(url)
        services = Services(
            config=dataclasses.replace(Config(), database_url=url), sessions=sessions(engine), clock=ManualClock(NOW)
        )
        started = time.perf_counter()
        created = await plan_reminders(services, NOW, timedelta(minutes=1))
        first = time.perf_counter() - started
        started = time.perf_counter()
        again = await plan_reminders(services, NOW, timedelta(minutes=1))
        second = time.perf_counter() - started
        await engine.dispose()
        print(
            f"planning: {items} open items → {created} rows in {first:.1f} s; "
            f"the next sweep (nothing new: {again} rows) in {second:.1f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=2_000)
    parser.add_argument("--reminders", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--limit", type=float, default=30.0)
    parser.add_argument("--same-process", action="store_true", help="serve the emulator on the bot's event loop")
    parser.add_argument("--postgres", metavar="ADMIN_URL", help="on PostgreSQL (e.g. postgresql://postgres@host/db)")
    arguments = parser.parse_args()
    asyncio.run(
        dispatch_benchmark(
            arguments.people, arguments.reminders, arguments.limit, arguments.same_process, arguments.postgres
        )
    )
    asyncio.run(planning_benchmark(arguments.items, arguments.postgres))


if __name__ == "__main__":
    main()
