"""Fixtures: a database (each test on SQLite and on PostgreSQL), the Bot API emulator,
the real bot polling it, and people who write to the bot through the emulator's control API.

A test that takes `messenger` from `@pytest.mark.parametrize("messenger", MESSENGERS)` runs on each messenger:
in WeCom the same bot takes callbacks from the WeCom emulator, and its people are WeCom members."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import os
import re
import socket
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest

from bot.clock import ManualClock
from bot.config import Config, OutboxConfig, TelegramConfig, WeComConfig
from bot.followup.outbox import DispatchStats
from handlers.telegram.app import TalkApplication, running
from handlers.telegram.emulator import Emulator, EmulatorServer
from handlers.telegram.sandbox import SANDBOX_TOKEN, seed_demo
from handlers.telegram.transcript import ChatUser, EmulatorClient
from handlers.wecom import app as wecom_app
from handlers.wecom.emulator import WeComEmulator, WeComEmulatorServer
from handlers.wecom.transcript import WeComChatUser
from tests.wecom_world import AES_KEY, AGENT_ID, CORP_ID, SECRET, TOKEN

MESSENGERS = ("telegram", "wecom")

FULL_WIDTH = {",": "\uff0c", ";": "\uff1b", ":": "\uff1a", "(": "\uff08", ")": "\uff09", "!": "\uff01", "?": "\uff1f"}


def fw(text: str) -> str:
    """Chinese punctuation as the zh-CN catalog writes it (full width), from ASCII typed in a test; a colon between
    digits (15:00) stays."""

    def widen(found: re.Match[str]) -> str:
        at = found.start()
        between_digits = 0 < at < len(text) - 1 and text[at - 1].isdigit() and text[at + 1].isdigit()
        return found.group() if found.group() == ":" and between_digits else FULL_WIDTH[found.group()]

    return re.sub(r"[,;:()!?]", widen, text)


POSTGRES_ADMIN_URL = os.environ.get("TALKLEDGER_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


async def start_talkledger(
    *arguments: str, cwd: Path | None = None, environment: dict[str, str] | None = None, terminal: int | None = None
) -> asyncio.subprocess.Process:
    """`talkledger ARGUMENTS` in a process of its own, as an operator starts it (no TALKLEDGER_* variables but
    those in `environment`); its standard streams are pipes, or the pseudo-terminal whose side `terminal` is."""
    environment = {
        **{key: value for key, value in os.environ.items() if not key.startswith("TALKLEDGER_")},
        **(environment or {}),
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from handlers.main import main; raise SystemExit(main())",
        *arguments,
        cwd=cwd,
        env=environment,
        stdin=asyncio.subprocess.PIPE if terminal is None else terminal,
        stdout=asyncio.subprocess.PIPE if terminal is None else terminal,
        stderr=asyncio.subprocess.PIPE if terminal is None else terminal,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def config_path(tmp_path: Path, db_url: str) -> Path:
    """A config.toml naming the test's database, for the command line."""
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\nurl = "{db_url}"\n', encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def plain_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI speaks the terminal's language (LANG) unless config.toml sets one: tests start from a neutral
    locale, whatever the developer's machine uses, and set LANG themselves when they mean to."""
    for variable in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


# Every test that uses a database runs on each of these; TALKLEDGER_TEST_DATABASES=sqlite for a quick local run.
DATABASES = os.environ.get("TALKLEDGER_TEST_DATABASES", "sqlite,postgresql").split(",")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "database" in metafunc.fixturenames:
        metafunc.parametrize("database", DATABASES, scope="function")


@pytest.fixture
async def db_url(database: str, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database for this test."""
    if database == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    name = f"tl_{uuid.uuid4().hex[:12]}"
    try:
        admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    except (OSError, asyncpg.PostgresError) as error:
        if os.environ.get("CI"):
            raise  # CI must test PostgreSQL; a developer without it may skip
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {error}")
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        server = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
        yield f"{server}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2025, 3, 5, 7, 0, tzinfo=UTC))  # 15:00 in Lanzhou


@pytest.fixture
async def emulator() -> AsyncIterator[EmulatorServer]:
    server = EmulatorServer(Emulator(token=SANDBOX_TOKEN))
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def config(db_url: str, emulator: EmulatorServer) -> Config:
    return dataclasses.replace(
        Config(),
        telegram=TelegramConfig(token=SANDBOX_TOKEN, api_base_url=emulator.url),
        database_url=db_url,
        # Tests sweep the outbox themselves, after moving the clock; no per-chat pause slows them down.
        outbox=OutboxConfig(per_second=1000, per_chat_per_second=1000, sweep_seconds=0),
    )


@pytest.fixture
async def invites(config: Config, clock: ManualClock) -> dict[str, str]:
    """The demo roster (see handlers/telegram/sandbox.py), seeded before the bot starts: name → invite code."""
    return {name: code for name, _, code in await seed_demo(config, clock)}


@pytest.fixture
def messenger() -> str:
    return "telegram"


@pytest.fixture
def wecom_emulator(clock: ManualClock) -> WeComEmulatorServer:
    """The WeCom emulator, started by `bot` when the test runs on WeCom."""
    return WeComEmulatorServer(WeComEmulator(CORP_ID, SECRET, AGENT_ID, TOKEN, AES_KEY, clock=clock))


@pytest.fixture
async def bot(
    config: Config, clock: ManualClock, messenger: str, wecom_emulator: WeComEmulatorServer
) -> AsyncIterator[TalkApplication]:
    if messenger == "telegram":
        async with running(config, clock, poll_timeout=1) as application:
            yield application
        return
    wecom = WeComConfig(CORP_ID, AGENT_ID, SECRET, TOKEN, AES_KEY, api_base_url=await wecom_emulator.start())
    try:
        async with wecom_app.running(config, wecom, clock, port=0) as runtime:
            wecom_emulator.emulator.set_callback_url(runtime.callback_url)
            yield runtime.application
    finally:
        await wecom_emulator.stop()


@pytest.fixture
async def control(emulator: EmulatorServer) -> AsyncIterator[EmulatorClient]:
    async with EmulatorClient(emulator.url) as client:
        yield client


People = Callable[..., ChatUser]


@pytest.fixture
def person(
    bot: TalkApplication, control: EmulatorClient, messenger: str, wecom_emulator: WeComEmulatorServer
) -> People:
    """A new messenger account: person("赵敏") → a ChatUser with an id nobody else has (in WeCom, a member)."""
    ids = itertools.count(5001)

    def make(first_name: str, language_code: str = "zh-CN", chat: dict[str, object] | None = None) -> ChatUser:
        if messenger == "wecom":
            emulator = wecom_emulator.emulator
            member = WeComChatUser(emulator, bot, f"member{next(ids)}", first_name, language_code=language_code)
            return member  # type: ignore[return-value]  # the same surface as ChatUser's
        return ChatUser(control, bot, next(ids), first_name, language_code=language_code, chat=chat)

    return make


Enroll = Callable[[str], Awaitable[ChatUser]]


@pytest.fixture
def enrolled(person: People, invites: dict[str, str]) -> Enroll:
    """A demo person who has opened their invite link."""

    async def enroll(name: str) -> ChatUser:
        user = person(name)
        await user.send(f"/start {invites[name]}")
        assert name in user.last_reply
        return user

    return enroll


Sweep = Callable[[], Awaitable[DispatchStats]]


@pytest.fixture
def sweep(bot: TalkApplication) -> Sweep:
    """Plan and send what the outbox holds for the clock's now, as the scheduled job does."""

    async def run() -> DispatchStats:
        stats: DispatchStats = await bot.bot_data["sweeper"].sweep()
        return stats

    return run
