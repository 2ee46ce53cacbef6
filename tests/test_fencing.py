"""Fencing on PostgreSQL, as an operator meets it: the active instance's machine drops off the network. Nothing is
closed — its connections to PostgreSQL simply fall silent — yet the standby must serve within 15 seconds, and the
old active must stop handling rather than hang on, half alive, beside it."""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import make_url
from telegram.ext import Application

from bot.clock import ManualClock
from bot.config import Config, ConfigError, parse_config
from bot.followup.outbox import DispatchStats, SendFailed
from bot.i18n import text
from bot.lease import Lease
from handlers.telegram.app import TalkApplication
from handlers.telegram.emulator import EmulatorServer
from handlers.telegram.inbox import Inbox
from handlers.telegram.outbox import Sweeper, TelegramNotifier
from handlers.telegram.sandbox import SANDBOX_TOKEN, seed_demo
from handlers.telegram.transcript import EmulatorClient
from handlers.telegram.webhook import SECRET_HEADER, WebhookServer
from storage import inbox as rows
from storage.db import DatabaseTimeouts, open_engine, postgres_connect_args, prepare
from tests.conftest import start_talkledger
from tests.test_failover import Watcher, say
from tests.test_webhook import SECRET, webhook_config

TAKEOVER_SECONDS = 15  # the requirement: a user is served again within this long of the network going dark


class Stopwatch:
    """A monotonic clock that stands still until moved."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_the_lease_is_confirmed_only_while_its_last_confirmation_is_recent(database: str, db_url: str) -> None:
    engine = open_engine(db_url)
    stopwatch = Stopwatch()
    lease = Lease(engine, DatabaseTimeouts(lease_renew_seconds=2.5, lease_expiry_seconds=10), stopwatch)
    try:
        assert not lease.confirmed()  # not yet acquired
        assert await lease.try_acquire()
        assert lease.confirmed()
        stopwatch.now += 4.9
        assert lease.confirmed()
        stopwatch.now += 0.1  # a renewal missed: five seconds, half the expiry, and the active stands down
        assert lease.confirmed() is (database == "sqlite")  # an flock is held as long as the process lives
        assert await lease.try_acquire()  # confirmed again
        assert lease.confirmed()
    finally:
        await lease.release()
        await engine.dispose()
    assert not lease.confirmed()


async def test_a_second_instance_cannot_take_a_confirmed_lease(db_url: str) -> None:
    first_engine, second_engine = open_engine(db_url), open_engine(db_url)
    first, second = Lease(first_engine), Lease(second_engine)
    try:
        assert await first.try_acquire()
        assert not await second.try_acquire()
        assert not second.confirmed()
        await first.release()
        assert await second.try_acquire()
    finally:
        for lease, engine in ((first, first_engine), (second, second_engine)):
            await lease.release()
            await engine.dispose()


async def test_an_instance_not_confirmed_active_stores_updates_but_hands_none_over(
    config: Config, clock: ManualClock
) -> None:
    """Stored, so nothing is lost, and left NEW for whichever instance is active; nothing reaches the handlers."""
    engine = open_engine(config.database_url)
    confirmed = False
    inbox = Inbox(engine, clock, config.inbox, fence=lambda: confirmed)
    inbox.application = Application.builder().token(SANDBOX_TOKEN).build()
    message = {"message_id": 1, "date": 0, "chat": {"id": 7001, "type": "private"}, "text": "/me"}
    try:
        await prepare(engine, config.organisation.zone)
        await inbox.accept([{"update_id": 1, "message": message}])
        assert inbox.application.update_queue.qsize() == 0
        assert inbox.in_hand == set()
        async with engine.connect() as connection:
            assert [row.update_id for row in await rows.waiting(connection)] == [1]
        confirmed = True
        await inbox.accept([{"update_id": 2, "message": {**message, "message_id": 2}}])
        assert inbox.application.update_queue.qsize() == 1
    finally:
        await engine.dispose()


async def test_an_instance_not_confirmed_active_sends_nothing_from_the_outbox(
    bot: TalkApplication, control: EmulatorClient, emulator: EmulatorServer
) -> None:
    """A reminder the standby may be sending by now is not sent a second time by the old active."""
    emulator.emulator.chats[7001] = {"id": 7001, "type": "private", "first_name": "李华"}
    fenced = TelegramNotifier(bot.bot, fence=lambda: False)
    with pytest.raises(SendFailed):
        await fenced.send(7001, "提醒", [])
    bot.bot_data["fence"] = lambda: False
    assert await Sweeper(bot, bot.bot_data["services"]).sweep() == DispatchStats()
    events = await control.get("events", since=0, timeout=0)
    assert not [event for event in events if event["kind"] == "sent"]
    await TelegramNotifier(bot.bot).send(7001, "提醒", [])  # the same, confirmed: sent
    events = await control.get("events", since=0, timeout=0)
    assert [event["message"]["text"] for event in events if event["kind"] == "sent"] == ["提醒"]


async def test_a_webhook_of_an_instance_not_confirmed_active_sends_telegram_elsewhere(
    config: Config, clock: ManualClock
) -> None:
    """503 to the update (not stored, so Telegram posts it again, through the reverse proxy to the other instance)
    and to /readyz, which the reverse proxy checks."""
    config = webhook_config(config)
    engine = open_engine(config.database_url)
    server = WebhookServer(config.webhook, engine)
    confirmed = False
    await prepare(engine, config.organisation.zone)
    await server.start()
    server.inbox = Inbox(engine, clock, config.inbox, fence=lambda: confirmed)
    server.application = Application.builder().token(SANDBOX_TOKEN).build()
    server.inbox.application = server.application
    base = f"http://127.0.0.1:{config.webhook.port}"
    update = {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}}}
    try:
        async with aiohttp.ClientSession(headers={SECRET_HEADER: SECRET}) as http:
            async with http.post(f"{base}{config.webhook.path}", json=update) as response:
                assert response.status == 503
            async with http.get(f"{base}/readyz") as response:
                assert response.status == 503
            async with engine.connect() as connection:
                assert await rows.waiting(connection) == []  # not stored: Telegram still has it
            confirmed = True
            async with http.post(f"{base}{config.webhook.path}", json=update) as response:
                assert response.status == 200
            async with http.get(f"{base}/readyz") as response:
                assert response.status == 200
    finally:
        await server.stop()
        await engine.dispose()


def test_database_timeouts_are_read_from_the_database_section() -> None:
    found = parse_config({"database": {"lease_renew_seconds": 1, "lease_expiry_seconds": 4, "statement_seconds": 30}})
    assert (found.database.lease_renew_seconds, found.database.lease_expiry_seconds) == (1.0, 4.0)
    assert found.database.statement_seconds == 30.0
    assert parse_config({}).database == DatabaseTimeouts()
    settings = postgres_connect_args(found.database)
    assert settings["command_timeout"] == found.database.call_seconds
    assert settings["server_settings"]["statement_timeout"] == "30000"
    assert settings["server_settings"]["idle_in_transaction_session_timeout"] == "10000"
    assert settings["server_settings"]["tcp_keepalives_count"] == "3"


@pytest.mark.parametrize(
    ("section", "key"),
    [
        ({"lease_renew_seconds": 5, "lease_expiry_seconds": 8}, "database.lease_expiry_seconds"),
        ({"statement_seconds": 0}, "database.statement_seconds"),
        ({"lock_seconds": "5s"}, "database.lock_seconds"),
        ({"keepalive_count": 2.5}, "database.keepalive_count"),
    ],
)
def test_database_timeouts_that_cannot_work_are_refused_by_name(section: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError) as refused:
        parse_config({"database": section})
    assert refused.value.key == key


class DarkableLink:
    """A TCP proxy on 127.0.0.1 in front of PostgreSQL that can go dark: it stops forwarding both ways and accepts
    new connections without answering them, and closes nothing — a lost network, not a crashed process."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.dark = asyncio.Event()
        self.listen_port = 0
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []
        self._pipes: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.listen_port = self._server.sockets[0].getsockname()[1]

    def cut(self) -> None:
        self.dark.set()

    async def _accept(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        self._writers.append(client_writer)
        if self.dark.is_set():
            return  # accepted, and never a byte in reply
        server_reader, server_writer = await asyncio.open_connection(self.host, self.port)
        self._writers.append(server_writer)
        self._pipes.append(asyncio.ensure_future(self._pipe(client_reader, server_writer)))
        self._pipes.append(asyncio.ensure_future(self._pipe(server_reader, client_writer)))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            data = await reader.read(65536)
            if self.dark.is_set():
                return  # what was in flight is lost; nothing is closed, nothing more is read
            if not data:
                writer.close()  # a close before the cut passes through, as on a working network
                return
            writer.write(data)
            await writer.drain()

    async def close(self) -> None:
        for pipe in self._pipes:
            pipe.cancel()
        for writer in self._writers:
            writer.close()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


async def collect(stream: asyncio.StreamReader | None, into: list[str]) -> None:
    """Read a process's log as it comes, so that a full pipe never holds the process up."""
    assert stream is not None
    while line := await stream.readline():
        into.append(line.decode(errors="replace"))


def config_file(path: Path, emulator: EmulatorServer, database_url: str) -> Path:
    path.write_text(
        f'[telegram]\ntoken = "{SANDBOX_TOKEN}"\napi_base_url = "{emulator.url}"\n'
        f'[database]\nurl = "{database_url}"\n[organisation]\ndefault_language = "zh-CN"\n'
        "[outbox]\nsweep_seconds = 1\n",
        encoding="utf-8",
    )
    return path


async def test_the_active_goes_dark_and_the_standby_serves_within_15_seconds(
    database: str, tmp_path: Path, config: Config, emulator: EmulatorServer, control: EmulatorClient
) -> None:
    if database != "postgresql":
        pytest.skip("fencing is about PostgreSQL's sessions; on SQLite the lock is a file on the same machine")
    codes = {name: code for name, _, code in await seed_demo(config)}
    direct = make_url(config.database_url)
    assert direct.host is not None and direct.port is not None
    link = DarkableLink(direct.host, direct.port)
    await link.start()
    through_link = direct.set(host="127.0.0.1", port=link.listen_port).render_as_string(hide_password=False)
    active_config = config_file(tmp_path / "active.toml", emulator, through_link)
    standby_config = config_file(tmp_path / "standby.toml", emulator, config.database_url)

    watcher = Watcher(control)
    active_log: list[str] = []
    active = await start_talkledger("--config", str(active_config), "run")
    standby = None
    background = [asyncio.ensure_future(collect(active.stderr, active_log))]
    try:
        assert active.stdout is not None
        line = (await asyncio.wait_for(active.stdout.readline(), 30)).decode()
        assert line.strip() == text("zh-CN", "cli.running", username="talkledger_bot")
        standby = await start_talkledger("--config", str(standby_config), "run")
        background.append(asyncio.ensure_future(collect(standby.stderr, [])))
        assert standby.stdout is not None
        line = (await asyncio.wait_for(standby.stdout.readline(), 30)).decode()
        assert line.strip() == text("zh-CN", "cli.standby")

        # 李华 joins: the active serves through the link.
        li = {"id": 7001, "first_name": "李华", "language_code": "zh-CN"}
        joined = await say(control, watcher, li, f"/start {codes['李华']}")
        assert any("李华" in message.get("text", "") for message in joined)

        link.cut()
        cut_at = time.monotonic()
        before = len(watcher.sent)
        await control.post("send", {"user": li, "text": "/help"})

        # Served within the bound, by the standby: it says it is running, and the reply comes.
        line = (await asyncio.wait_for(standby.stdout.readline(), TAKEOVER_SECONDS)).decode()
        assert line.strip() == text("zh-CN", "cli.running", username="talkledger_bot")
        while not any(m["chat"]["id"] == li["id"] for m in watcher.sent[before:]):
            assert time.monotonic() - cut_at < TAKEOVER_SECONDS, "no reply within 15 s of the cut"
            await watcher.poll(timeout=0.5)
        served_after = time.monotonic() - cut_at

        # The old active stepped down and handles nothing: /help was answered once, and so is the next message.
        assert any("stepping down" in line for line in active_log), "".join(active_log[-20:])
        await watcher.poll(timeout=1.0)
        helped = [m for m in watcher.sent[before:] if m["chat"]["id"] == li["id"]]
        before = len(watcher.sent)
        again = await say(control, watcher, li, "/help")
        assert len(again) == len(helped), (served_after, again, helped)
        assert active.returncode is None  # alive, standing by: not crashed out of the way
    finally:
        for process in (active, standby):
            if process is not None and process.returncode is None:
                process.kill()
                await process.wait()
        for task in background:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await link.close()
