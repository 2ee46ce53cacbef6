"""Active/standby as an operator runs it: two `talkledger run` processes on one database. The active one is killed
with -9 while reminders are going out and a talk is half logged; the standby takes over within 10 seconds, every
reminder arrives (at most the one in flight twice), and the conversation goes on where it was."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from bot.config import Config
from bot.i18n import text
from handlers.telegram.emulator import EmulatorServer
from handlers.telegram.sandbox import SANDBOX_TOKEN, seed_demo
from handlers.telegram.transcript import EmulatorClient
from storage.db import open_engine, sessions
from storage.models import Notification, Person, RectificationItem, Talk
from tests.conftest import start_talkledger

REMINDED = 60  # people with a reminder due
FIRST_USER = 900_000


async def seed_due_reminders(
    config: Config, emulator: EmulatorServer, count: int = REMINDED, *, remind: bool = True
) -> None:
    """People with an open item each (FIRST_USER + i is 干部i's account) and, unless told otherwise, its "due
    today" reminder in the outbox, due now."""
    engine = open_engine(config.database_url)
    now = datetime.now(UTC)
    deadline = date.today()
    async with sessions(engine).begin() as session:
        lead = (await session.execute(Person.__table__.select().where(Person.name == "张建平"))).first()
        assert lead is not None
        unit_id = lead.unit_id
        people = [
            Person(
                name=f"干部{i}",
                pinyin="",
                position="",
                rank_level="乡科级",
                unit_id=unit_id,
                telegram_user_id=FIRST_USER + i,
                language="zh-CN",
                active=True,
                created_at=now,
                updated_at=now,
            )
            for i in range(count)
        ]
        session.add_all(people)
        talk = Talk(
            ledger_no="2026-999999",
            kind="工作约谈",
            format="individual",
            channel="face",
            held_at=now - timedelta(days=3),
            time_known=True,
            place="",
            topic="故障转移",
            content="",
            lead_id=lead.id,
            logged_by_id=lead.id,
            deleted=False,
            created_at=now,
            updated_at=now,
            items=[],
            attachments=[],
            participants=[],
        )
        session.add(talk)
        await session.flush()
        items = [
            RectificationItem(
                talk_id=talk.id,
                number=i + 1,
                problem=f"问题{i}",
                measure="",
                deadline=deadline,
                responsible_id=person.id,
                state="open",
                created_at=now,
                kind="problem",
                planned_from=now + timedelta(days=365),  # only the rows below: planning adds nothing
            )
            for i, person in enumerate(people)
        ]
        session.add_all(items)
        await session.flush()
        if remind:
            await session.execute(
                insert(Notification),
                [
                    {
                        "key": f"failover:{item.id}",
                        "recipient_id": item.responsible_id,
                        "item_id": item.id,
                        "kind": "due",
                        "due_at": now - timedelta(minutes=1),
                        "state": "planned",
                        "attempts": 0,
                        "last_error": "",
                        "payload": f'{{"deadline": "{deadline}"}}',
                    }
                    for item in items
                ],
            )
    await engine.dispose()
    for i in range(count):
        emulator.emulator.chats[FIRST_USER + i] = {"id": FIRST_USER + i, "type": "private", "first_name": f"干部{i}"}


class Watcher:
    """What the bot sends, read from the emulator's event stream."""

    def __init__(self, control: EmulatorClient) -> None:
        self.control = control
        self.since = 0
        self.sent: list[dict[str, Any]] = []

    async def poll(self, timeout: float = 1.0) -> None:
        events = await self.control.get("events", since=self.since, timeout=timeout)
        if events:
            self.since = events[-1]["seq"]
            self.sent += [e["message"] for e in events if e["kind"] == "sent"]

    def reminders(self) -> Counter[int]:
        return Counter(m["chat"]["id"] for m in self.sent if m["chat"]["id"] >= FIRST_USER)

    async def replies_to(self, chat_id: int, before: int) -> list[dict[str, Any]]:
        """The bot's messages in the chat since `before`: waits for the first, then briefly for any more."""
        deadline = time.monotonic() + 20
        while not any(m["chat"]["id"] == chat_id for m in self.sent[before:]):
            assert time.monotonic() < deadline, f"no reply in chat {chat_id}"
            await self.poll()
        await self.poll(timeout=0.3)
        return [m for m in self.sent[before:] if m["chat"]["id"] == chat_id]


async def say(control: EmulatorClient, watcher: Watcher, user: dict[str, Any], words: str) -> list[dict[str, Any]]:
    before = len(watcher.sent)
    await control.post("send", {"user": user, "text": words})
    return await watcher.replies_to(user["id"], before)


async def press(control: EmulatorClient, watcher: Watcher, user: dict[str, Any], label: str) -> list[dict[str, Any]]:
    before = len(watcher.sent)
    await control.post("press", {"user": user, "chat_id": user["id"], "label": label})
    return await watcher.replies_to(user["id"], before)


def texts(messages: list[dict[str, Any]]) -> list[str]:
    return [m.get("text", "") for m in messages]


def labels(messages: list[dict[str, Any]]) -> list[str]:
    keyboards = [(m.get("reply_markup") or {}).get("inline_keyboard", []) for m in messages]
    return [button["text"] for keyboard in keyboards for row in keyboard for button in row]


async def test_kill_9_the_active_instance_and_the_standby_takes_over(
    tmp_path: Path, config: Config, emulator: EmulatorServer, control: EmulatorClient
) -> None:
    codes = {name: code for name, _, code in await seed_demo(config)}
    await seed_due_reminders(config, emulator)
    # Slow enough that the kill lands in the middle of the reminders.
    await control.post("rate_limit", {"per_second": 200, "per_chat_per_second": 100})
    config_file = tmp_path / "config.toml"
    config_file.write_text(
        f'[telegram]\ntoken = "{SANDBOX_TOKEN}"\napi_base_url = "{emulator.url}"\n'
        f'[database]\nurl = "{config.database_url}"\n[organisation]\ndefault_language = "zh-CN"\n'
        "[outbox]\nper_second = 10\nsweep_seconds = 1\n"
        # The instances run on the wall clock: no quiet hours, or at night the reminders would rightly wait.
        '[reminders]\nquiet_hours = ["00:00", "00:00"]\n',
        encoding="utf-8",
    )
    watcher = Watcher(control)
    first = await start_talkledger("--config", str(config_file), "run")
    second = None
    try:
        assert first.stdout is not None
        line = (await asyncio.wait_for(first.stdout.readline(), 30)).decode()
        assert line.strip() == text("zh-CN", "cli.running", username="talkledger_bot")
        second = await start_talkledger("--config", str(config_file), "run")
        assert second.stdout is not None
        line = (await asyncio.wait_for(second.stdout.readline(), 30)).decode()
        assert line.strip() == text("zh-CN", "cli.standby")

        # 李华 starts logging a talk and gets as far as choosing its kind.
        li = {"id": 7001, "first_name": "李华", "language_code": "zh-CN"}
        assert any("李华" in said for said in texts(await say(control, watcher, li, f"/start {codes['李华']}")))
        asked = await say(control, watcher, li, "/log")
        assert "工作约谈" in labels(asked)
        await press(control, watcher, li, "工作约谈")

        while sum(watcher.reminders().values()) < 10:
            await watcher.poll()
        first.kill()  # kill -9: no clean-up of any kind
        killed_at = time.monotonic()
        await first.wait()

        line = (await asyncio.wait_for(second.stdout.readline(), 30)).decode()
        assert line.strip() == text("zh-CN", "cli.running", username="talkledger_bot")
        assert time.monotonic() - killed_at < 10

        # The conversation goes on at the step after the kind: who was talked to.
        replies = texts(await say(control, watcher, li, "赵敏"))
        assert text("zh-CN", "log.chosen", name="赵敏") in replies, replies

        deadline = time.monotonic() + 60
        while len(watcher.reminders()) < REMINDED and time.monotonic() < deadline:
            await watcher.poll()
        received = watcher.reminders()
        assert len(received) == REMINDED, f"{REMINDED - len(received)} reminders lost"
        twice = [chat for chat, count in received.items() if count > 1]
        assert len(twice) <= 1, f"sent twice: {twice}"  # only the one in flight at the kill may repeat
    finally:
        for process in (first, second):
            if process is not None and process.returncode is None:
                process.kill()
                await process.wait()
