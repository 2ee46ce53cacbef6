"""Nothing accepted is lost: `talkledger run` (polling, and webhook) under mixed load from several people — leaders
logging talks, people reporting their items done, questions — is killed with -9 again and again and started anew.
Afterwards every update sent has been handled exactly once in effect: every talk saved once, every report of
completion recorded once, nothing left unhandled in the inbox."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.config import Config
from bot.i18n import text
from handlers.telegram.emulator import EmulatorServer
from handlers.telegram.sandbox import SANDBOX_TOKEN, seed_demo
from handlers.telegram.transcript import EmulatorClient
from storage.db import open_engine, sessions
from storage.models import InboxUpdate, ItemReport, RectificationItem, Talk
from tests.conftest import start_talkledger
from tests.test_failover import FIRST_USER, Watcher, seed_due_reminders, texts
from tests.test_webhook import SECRET, free_port

LEADERS = {"李华": (7002, "赵敏"), "王强": (7003, "周涛")}  # name: (account, the person they talk to)
ASKER = ("张建平", 7001)  # the commission, asking for figures meanwhile
TALKS_EACH = 3
REPORTERS = 6
KILLS = 3
REPLY_SECONDS = 20.0  # longer than a restart: an action sent while the bot is down is answered after it


def zh(key: str, /, **params: object) -> str:
    return text("zh-CN", key, **params)


class Bot:
    """`talkledger run` as a process, killed with -9 and started again on demand."""

    def __init__(self, config_file: Path, webhook: bool) -> None:
        self.arguments = ["--config", str(config_file), "run", *(["--webhook"] if webhook else [])]
        self.process: asyncio.subprocess.Process | None = None
        self.kills = 0

    async def start(self) -> None:
        self.process = await start_talkledger(*self.arguments)
        assert self.process.stdout is not None
        line = (await asyncio.wait_for(self.process.stdout.readline(), 30)).decode()
        assert line.strip() == zh("cli.running", username="talkledger_bot"), line

    async def kill_and_restart(self) -> None:
        assert self.process is not None
        self.process.kill()  # kill -9: no clean-up of any kind
        await self.process.wait()
        self.kills += 1
        await self.start()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()


class Feed(Watcher):
    """The emulator's event stream, read by one task for everyone (several readers would each add the same events)."""

    def __init__(self, control: EmulatorClient) -> None:
        super().__init__(control)
        self.news = asyncio.Condition()

    async def follow(self) -> None:
        while True:
            seen = len(self.sent)
            await self.poll(timeout=1.0)
            if len(self.sent) > seen:
                async with self.news:
                    self.news.notify_all()

    async def wait(self, seconds: float) -> None:
        """Until new events come, or for at most `seconds`."""
        async with self.news:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.news.wait(), seconds)


class Person:
    """Someone acting through the emulator, as their phone would: wait for the bot's answer before the next step."""

    def __init__(self, control: EmulatorClient, watcher: Feed, account: int, name: str) -> None:
        self.control, self.watcher = control, watcher
        self.user = {"id": account, "first_name": name, "language_code": "zh-CN"}

    async def send(self, words: str) -> list[str]:
        before = len(self.watcher.sent)
        await self.control.post("send", {"user": self.user, "text": words})
        return await self.answer(before)

    async def press(self, label: str) -> list[str]:
        before = len(self.watcher.sent)
        await self.control.post("press", {"user": self.user, "chat_id": self.user["id"], "label": label})
        return await self.answer(before)

    async def answer(self, before: int) -> list[str]:
        """The bot's messages in this chat after `before`: waits for the first, then briefly for any more (none when
        the answer was lost with a killed process)."""
        deadline = time.monotonic() + REPLY_SECONDS
        while time.monotonic() < deadline:
            if any(m["chat"]["id"] == self.user["id"] for m in self.watcher.sent[before:]):
                await self.watcher.wait(0.3)  # a question often follows a notice
                return texts([m for m in self.watcher.sent[before:] if m["chat"]["id"] == self.user["id"]])
            await self.watcher.wait(deadline - time.monotonic())
        return []


async def log_talks(person: Person, leader: str, talked_to: str, done: list[str]) -> None:
    """The quick path, TALKS_EACH times. A step whose answer died with the process is picked up as a person would:
    /log, then "continue" the open draft."""
    for k in range(TALKS_EACH):
        topic = f"{leader}第{k + 1}次约谈"
        steps: list[tuple[str, str]] = [
            ("send", "/log"),
            ("press", "工作约谈"),
            ("send", talked_to),
            ("press", "刚才"),
            ("send", topic),
            ("send", "台账不全\n一个月内补齐"),
            ("press", "1个月"),
            ("press", "✅ 确认登记"),
        ]
        for action, value in steps:
            for _ in range(3):
                try:
                    said = await (person.send(value) if action == "send" else person.press(value))
                except LookupError:  # the button's message was lost: ask for the draft again
                    said = []
                    if any(s.startswith(zh("log.saved", ledger_no="")[:5]) for s in await person.send("/log")):
                        break
                    with contextlib.suppress(LookupError):
                        await person.press(zh("log.button.continue"))
                    continue
                if said:
                    break
        done.append(topic)


async def report_done(person: Person, number: int, reported: list[int]) -> None:
    """/items, "report done" on the item, then the report itself."""
    for _ in range(3):
        await person.send("/items")
        try:
            await person.press(zh("item.button.done"))
        except LookupError:
            continue  # the list's message died with the process: ask again
        break
    await person.send(f"已整改完毕{number}")
    reported.append(number)


async def ask(person: Person, asked: list[str]) -> None:
    for _ in range(4):
        await person.send("本月约谈多少次")
        asked.append("本月约谈多少次")


@contextlib.asynccontextmanager
async def bot_under(tmp_path: Path, config: Config, emulator: EmulatorServer, webhook: bool) -> AsyncIterator[Bot]:
    hook = ""
    if webhook:
        port = free_port()
        hook = f'[webhook]\nurl = "http://127.0.0.1:{port}/telegram"\nport = {port}\nsecret = "{SECRET}"\n'
    config_file = tmp_path / "config.toml"
    config_file.write_text(
        f'[telegram]\ntoken = "{SANDBOX_TOKEN}"\napi_base_url = "{emulator.url}"\n'
        f'[database]\nurl = "{config.database_url}"\n[organisation]\ndefault_language = "zh-CN"\n'
        f"[outbox]\nper_second = 1000\nper_chat_per_second = 1000\nsweep_seconds = 1\n{hook}",
        encoding="utf-8",
    )
    bot = Bot(config_file, webhook)
    await bot.start()
    try:
        yield bot
    finally:
        await bot.stop()


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_kill_9_under_mixed_load_loses_nothing_and_does_nothing_twice(
    mode: str, tmp_path: Path, config: Config, emulator: EmulatorServer, control: EmulatorClient
) -> None:
    codes = {name: code for name, _, code in await seed_demo(config)}
    await seed_due_reminders(config, emulator, REPORTERS, remind=False)
    chance = random.Random(20261129)
    watcher = Feed(control)
    following = asyncio.create_task(watcher.follow())
    async with bot_under(tmp_path, config, emulator, webhook=mode == "webhook") as bot:
        leaders = {name: Person(control, watcher, account, name) for name, (account, _) in LEADERS.items()}
        asker = Person(control, watcher, ASKER[1], ASKER[0])
        for name, someone in [*leaders.items(), (ASKER[0], asker)]:
            assert any(name in said for said in await someone.send(f"/start {codes[name]}"))
        enrolled_at = len(watcher.sent)
        reporters = [Person(control, watcher, FIRST_USER + i, f"干部{i}") for i in range(REPORTERS)]

        logged: list[str] = []
        reported: list[int] = []
        asked: list[str] = []
        load = [
            *(log_talks(leaders[name], name, talked_to, logged) for name, (_, talked_to) in LEADERS.items()),
            *(report_done(person, i, reported) for i, person in enumerate(reporters)),
            ask(asker, asked),
        ]
        working = asyncio.gather(*load)
        # Kills at random moments of the load: after a random number of the bot's messages.
        seen = 0
        while bot.kills < KILLS and not working.done():
            seen += chance.randint(5, 25)
            while len(watcher.sent) < seen and not working.done():
                await watcher.wait(1.0)
            if not working.done():
                await bot.kill_and_restart()
        await asyncio.wait_for(working, 300)
        assert bot.kills >= 1, "the load ended before any kill: the test proves nothing"

        # Let the last updates be handled: an inbox with nothing new left.
        engine = open_engine(config.database_url)
        try:
            deadline = time.monotonic() + 20
            while True:
                async with sessions(engine)() as session:
                    states = dict(
                        (await session.execute(select(InboxUpdate.state, func.count()).group_by(InboxUpdate.state)))
                        .tuples()
                        .all()
                    )
                if not states.get("new") or time.monotonic() > deadline:
                    break
                await watcher.wait(0.5)
            async with sessions(engine)() as session:
                dead = (await session.scalars(select(InboxUpdate.raw).where(InboxUpdate.state == "dead"))).all()
            assert not states.get("new") and not dead, (states, dead)

            async with sessions(engine)() as session:
                topics = list((await session.scalars(select(Talk.topic))).all())
                reports = list(
                    (
                        await session.execute(
                            select(ItemReport.body, RectificationItem.state).join(
                                RectificationItem, RectificationItem.id == ItemReport.item_id
                            )
                        )
                    ).tuples()
                )
        finally:
            await engine.dispose()
    following.cancel()
    topics = [topic for topic in topics if "次约谈" in topic]  # not the talk seeded for the items
    expected_topics = sorted(f"{name}第{k + 1}次约谈" for name in LEADERS for k in range(TALKS_EACH))
    assert sorted(topics) == expected_topics, "a talk was lost or saved twice"
    assert sorted(body for body, _ in reports) == sorted(f"已整改完毕{i}" for i in range(REPORTERS))
    assert {state for _, state in reports} == {"awaiting"}
    # The asker, who led the seeded talk, is also asked to verify the reports: count the answers (their heading).
    answers = [
        m for m in watcher.sent[enrolled_at:] if m["chat"]["id"] == ASKER[1] and str(m.get("text")).startswith("📊")
    ]
    assert len(asked) <= len(answers) <= len(asked) + bot.kills, [str(m.get("text"))[:60] for m in answers]
