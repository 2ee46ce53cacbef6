"""The cheap mix the first updates benchmark replayed on a backlog (questions, /items, /mytalks, /help, /me, /log and
/cancel, acknowledgements), kept for bench/wecom.py, which compares the same bot in Telegram and in WeCom on it.
bench/updates.py is the realistic benchmark (whole flows, steady rates, per-class latency).

    .venv/bin/python bench/mix.py [--updates 3000] [--postgres URL] [--inbox]

Each bot runs in a process of its own, polling an emulator in this process. Printed for each: start-up time,
idle RSS; throughput on a backlog (updates/s and CPU microseconds per update, from the process's own CPU
time); reply latency p50/p95 at an offered load of 300 updates/s; peak RSS. Then the ratio of CPU per update.
Asserts nothing. With --inbox, talkledger runs a second time with its inbox taken out (bench/no_inbox.py).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from handlers.telegram.emulator import Emulator, EmulatorServer  # noqa: E402
from handlers.telegram.sandbox import SANDBOX_TOKEN  # noqa: E402
from storage.db import ensure_schema, open_engine  # noqa: E402
from storage.models import (  # noqa: E402
    Person,
    RectificationItem,
    RoleGrant,
    Talk,
    TalkParticipant,
    Unit,
    UnitAncestor,
)

PEOPLE, COMMISSION, LEADERS = 1000, 10, 90
FIRST_USER = 2_000_000
SENTINEL = PEOPLE  # one more commission member, outside the mix: the last of a backlog, answered after all others
QUESTIONS = ["本月约谈多少次", "上个月各类约谈分别多少", "今年约谈人次按级别统计", "各单位约谈次数排名", "整改完成率"]
ROOT = Path(__file__).resolve().parent.parent


async def seed(url: str) -> None:
    engine = open_engine(url)
    await ensure_schema(engine)
    now = datetime.now(UTC)
    units = [{"id": 1, "name": "兰州市", "path": "兰州市", "parent_id": None}] + [
        {"id": 2 + d, "name": f"区{d}", "path": f"兰州市/区{d}", "parent_id": 1} for d in range(20)
    ]
    chance = random.Random(5)
    async with engine.begin() as connection:
        await connection.execute(insert(Unit), units)
        await connection.execute(
            insert(UnitAncestor),
            [{"unit_id": 1, "ancestor_id": 1, "depth": 1, "unit_depth": 1}]
            + [
                {"unit_id": u["id"], "ancestor_id": a, "depth": d, "unit_depth": 2}
                for u in units[1:]
                for a, d in ((1, 1), (u["id"], 2))
            ],
        )
        await connection.execute(
            insert(Person),
            [
                {
                    "id": i + 1,
                    "name": f"干部{i}",
                    "pinyin": "",
                    "position": "",
                    "rank_level": ["县处级", "乡科级", "其他"][i % 3],
                    "unit_id": 1 if i < COMMISSION or i == SENTINEL else 2 + i % 20,
                    "telegram_user_id": FIRST_USER + i,
                    "language": "zh-CN",
                    "active": True,
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(PEOPLE + 1)
            ],
        )
        commission = [*range(COMMISSION), SENTINEL]
        grants = [{"person_id": i + 1, "role": "commission", "scope_unit_id": 1} for i in commission]
        grants += [
            {"person_id": i + 1, "role": "leader", "scope_unit_id": 2 + i % 20}
            for i in range(COMMISSION, COMMISSION + LEADERS)
        ]
        await connection.execute(insert(RoleGrant), grants)
        members = range(COMMISSION + LEADERS, PEOPLE)
        talks, participants, items = [], [], []
        for n, member in enumerate(members):
            held = now - timedelta(days=chance.randrange(1, 200))
            lead = COMMISSION + chance.randrange(LEADERS) + 1
            talks.append(
                {
                    "id": n + 1,
                    "ledger_no": f"B-{n + 1:06d}",
                    "kind": chance.choice(["工作约谈", "提醒约谈", "告诫约谈"]),
                    "format": "individual",
                    "channel": "face",
                    "held_at": held,
                    "time_known": True,
                    "place": "",
                    "topic": "主体责任落实情况",
                    "content": "",
                    "lead_id": lead,
                    "logged_by_id": lead,
                    "deleted": False,
                    "created_at": held,
                    "updated_at": held,
                }
            )
            participants.append(
                {
                    "talk_id": n + 1,
                    "person_id": member + 1,
                    "role": "subject",
                    "rank_level": ["县处级", "乡科级", "其他"][member % 3],
                    "unit_id": 2 + member % 20,
                    "held_at": held,
                    "kind": talks[-1]["kind"],
                    "counted": True,
                }
            )
            items.append(
                {
                    "id": n + 1,
                    "talk_id": n + 1,
                    "number": 1,
                    "problem": "台账不全",
                    "measure": "一个月内补齐",
                    "deadline": date.today() + timedelta(days=30),
                    "responsible_id": member + 1,
                    "state": "open",
                    "created_at": held,
                    "kind": "problem",
                    "planned_from": now + timedelta(days=3650),  # the bench measures updates, not reminders
                }
            )
        await connection.execute(insert(Talk), talks)
        await connection.execute(insert(TalkParticipant), participants)
        await connection.execute(insert(RectificationItem), items)
    await engine.dispose()


@dataclass
class Action:
    user: int  # index into the people
    text: str = ""
    item: int = 0  # a button press acknowledging this item


SHARES = {"questions": (0.0, 0.30), "leaders": (0.30, 0.45), "members": (0.45, 0.70), "buttons": (0.70, 1.0)}
ONLY: tuple[float, float] = (0.0, 1.0)  # --only narrows the mix to one share, to see what each costs


def mix(chance: random.Random, count: int) -> list[Action]:
    actions = []
    for _ in range(count):
        roll = ONLY[0] + chance.random() * (ONLY[1] - ONLY[0])
        if roll < 0.30:
            actions.append(Action(chance.randrange(COMMISSION + LEADERS), chance.choice(QUESTIONS)))
        elif roll < 0.45:
            actions.append(
                Action(
                    chance.randrange(COMMISSION, COMMISSION + LEADERS), chance.choice(["/mytalks", "/log", "/cancel"])
                )
            )
        elif roll < 0.70:
            actions.append(
                Action(chance.randrange(COMMISSION + LEADERS, PEOPLE), chance.choice(["/items", "/help", "/me"]))
            )
        else:
            member = chance.randrange(COMMISSION + LEADERS, PEOPLE)
            actions.append(Action(member, item=member - COMMISSION - LEADERS + 1))
    return actions


@dataclass
class Load:
    emulator: Emulator
    waiting: dict[str, tuple[float, asyncio.Future[float]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.emulator.observer = self.observe

    def observe(self, call: dict[str, Any]) -> None:
        params = call["params"]
        key = f"q{params['callback_query_id']}" if "callback_query_id" in params else f"c{params.get('chat_id')}"
        found = self.waiting.pop(key, None)
        if found is not None and not found[1].done():
            found[1].set_result(time.perf_counter() - found[0])

    def _wait(self, key: str, reply: asyncio.Future[float]) -> None:
        if key in self.waiting:
            reply.set_result(float("nan"))  # this person already waits for a reply: this one cannot be told apart
        else:
            self.waiting[key] = (time.perf_counter(), reply)

    async def act(self, action: Action) -> asyncio.Future[float]:
        """Push the update; a future for the time until the bot's first call in reply."""
        user_id = FIRST_USER + action.user
        user = {"id": user_id, "is_bot": False, "first_name": f"干部{action.user}", "language_code": "zh-CN"}
        reply: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        if action.item:
            shown = self.emulator.api_sendMessage(
                {
                    "chat_id": user_id,
                    "text": "事项",
                    "reply_markup": {"inline_keyboard": [[{"text": "收到", "callback_data": f"it:{action.item}:ack"}]]},
                }
            )
            record = self.emulator.messages[user_id][-1]
            assert record["message_id"] == shown["message_id"]
            query = str(len(self.emulator.callbacks) * 7919 + 100000)
            self._wait(f"q{query}", reply)
            self.emulator.callbacks[query] = {"answered": False, "text": None, "show_alert": False}
            body = {
                "id": query,
                "from": user,
                "message": shown,
                "chat_instance": str(user_id),
                "data": f"it:{action.item}:ack",
            }
            await self.emulator._push_update({"callback_query": body})
        else:
            self._wait(f"c{user_id}", reply)
            content: dict[str, Any] = {"text": action.text}
            if action.text.startswith("/"):
                content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(action.text.split()[0])}]
            await self.emulator._user_message({"user": user}, **content)
        return reply


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory(pid: int, key: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


class Driver(Protocol):
    """Pushes an action to the bot through its messenger's emulator (Load; bench/wecom.py's for WeCom)."""

    waiting: dict[str, tuple[float, asyncio.Future[float]]]

    async def act(self, action: Action) -> asyncio.Future[float]: ...


async def measure(name: str, command: list[str], ready: str, load: Driver, updates: int) -> float:
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE, cwd=ROOT)
    assert process.stdout is not None
    while ready not in (await asyncio.wait_for(process.stdout.readline(), 60)).decode():
        pass
    start_up = time.perf_counter() - started
    await asyncio.sleep(1.0)
    idle_rss = memory(process.pid, "VmRSS")
    try:
        # Warm-up, then a backlog: throughput and CPU per update.
        for action in mix(random.Random(1), 200):
            await load.act(action)
        await asyncio.wait_for(await load.act(Action(SENTINEL, "/help")), 120)
        backlog = mix(random.Random(2), updates)
        cpu_before, began = cpu_seconds(process.pid), time.perf_counter()
        for action in backlog:
            await load.act(action)
        load.waiting.clear()
        await asyncio.wait_for(await load.act(Action(SENTINEL, "/help")), 600)
        elapsed, cpu = time.perf_counter() - began, cpu_seconds(process.pid) - cpu_before
        per_update = cpu / (updates + 1) * 1e6
        # Offered load of 300 updates/s; people take turns so that each has one update outstanding.
        latencies: list[asyncio.Future[float]] = []
        offered = mix(random.Random(3), updates)
        t0 = time.perf_counter()
        for n, action in enumerate(offered):
            delay = t0 + n / 300 - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            latencies.append(await load.act(action))
        done = await asyncio.wait_for(asyncio.gather(*latencies), 120)
        times = sorted(x * 1000 for x in done if x == x)
        p50, p95 = statistics.median(times), statistics.quantiles(times, n=20)[18]
        peak = memory(process.pid, "VmHWM")
        print(
            f"  {name}: start-up {start_up:.2f} s; idle RSS {idle_rss:.0f} MB; {updates / elapsed:.0f} updates/s; "
            f"CPU {per_update:.0f} µs/update; at 300/s: p50 {p50:.1f} ms p95 {p95:.1f} ms; peak RSS {peak:.0f} MB",
            flush=True,
        )
        return per_update
    finally:
        process.terminate()
        await process.wait()


async def start_emulator() -> tuple[Emulator, EmulatorServer]:
    """The Bot API emulator, with a private chat for each person of the seed."""
    emulator = Emulator(token=SANDBOX_TOKEN)
    for i in range(PEOPLE + 1):
        emulator.chats[FIRST_USER + i] = {"id": FIRST_USER + i, "type": "private", "first_name": f"干部{i}"}
    server = EmulatorServer(emulator)
    await server.start()
    return emulator, server


def write_config(folder: str, url: str, messenger: str) -> Path:
    """config.toml for a database and a messenger's table (e.g. [telegram] with the emulator's URL)."""
    config = Path(folder) / "config.toml"
    # The emulator is not the messenger: no 30 messages/s cap, so the bot's own cost shows.
    config.write_text(f'{messenger}[database]\nurl = "{url}"\n[outbox]\nper_second = 1000\n', encoding="utf-8")
    return config


async def run(url: str, label: str, updates: int, inbox: bool = False) -> None:
    await seed(url)
    emulator, server = await start_emulator()
    with tempfile.TemporaryDirectory() as folder:
        config = write_config(folder, url, f'[telegram]\ntoken = "{SANDBOX_TOKEN}"\napi_base_url = "{server.url}"\n')
        print(f"{label}:", flush=True)
        try:
            echo = await measure(
                "echo bot",
                [sys.executable, "bench/echo.py", server.url, SANDBOX_TOKEN],
                "ready",
                Load(emulator),
                updates,
            )
            talkledger = "from handlers.main import main; raise SystemExit(main())"
            arguments = ["--config", str(config), "run"]
            ours = await measure(
                "talkledger", [sys.executable, "-c", talkledger, *arguments], "talkledger", Load(emulator), updates
            )
            print(f"  CPU per update: talkledger / echo = ×{ours / echo:.2f}", flush=True)
            if inbox:
                bare = await measure(
                    "talkledger without its inbox",
                    [sys.executable, "-c", f"import bench.no_inbox; {talkledger}", *arguments],
                    "talkledger",
                    Load(emulator),
                    updates,
                )
                print(
                    f"  the inbox: {ours - bare:.0f} µs CPU per update; talkledger with / without it = "
                    f"×{ours / bare:.2f}",
                    flush=True,
                )
        finally:
            await server.stop()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument(
        "--postgres", default="", help="an empty database, e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/bench"
    )
    parser.add_argument("--only", choices=sorted(SHARES), help="one part of the mix alone")
    parser.add_argument("--inbox", action="store_true", help="also run talkledger without its inbox: its cost")
    arguments = parser.parse_args()
    if arguments.only:
        global ONLY
        ONLY = SHARES[arguments.only]
    with tempfile.TemporaryDirectory() as folder:
        await run(f"sqlite+aiosqlite:///{Path(folder) / 'updates.db'}", "SQLite", arguments.updates, arguments.inbox)
    if arguments.postgres:
        await run(arguments.postgres, "PostgreSQL", arguments.updates, arguments.inbox)


if __name__ == "__main__":
    asyncio.run(main())
