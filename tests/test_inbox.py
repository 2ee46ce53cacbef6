"""The inbox: every update is stored before it is acknowledged and handled from there; one that cannot be handled is
set aside as a dead letter, logged once, listed and retried by `talkledger inbox`, and never holds up the others."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.clock import ManualClock
from bot.config import Config
from bot.i18n import text
from handlers.main import main
from handlers.telegram.app import TalkApplication, running
from handlers.telegram.inbox import Inbox
from handlers.telegram.transcript import ChatUser, EmulatorClient
from storage.db import open_engine, prepare, sessions
from storage.inbox import Received, store
from storage.models import AuditEntry, InboxUpdate, Talk
from tests.conftest import Enroll
from tests.test_talklog import quick_individual_talk
from tests.test_webhook import instance, webhook_config

# A poll without the fields PTB 22 requires: what a Bot API server of another version may send.
UNREADABLE = {"poll": {"id": "1"}}


def zh(key: str, /, **params: object) -> str:
    return text("zh-CN", key, **params)


async def inbox_rows(config: Config) -> dict[int, InboxUpdate]:
    engine = open_engine(config.database_url)
    try:
        async with sessions(engine)() as session:
            return {row.update_id: row for row in (await session.scalars(select(InboxUpdate))).all()}
    finally:
        await engine.dispose()


def run_cli(config: Config, tmp_path: Path, *arguments: str) -> int:
    config_file = tmp_path / "cli.toml"
    config_file.write_text(f'[database]\nurl = "{config.database_url}"\n', encoding="utf-8")
    return main(["--config", str(config_file), *arguments])


@contextlib.asynccontextmanager
async def active_bot(config: Config, clock: ManualClock, mode: str) -> AsyncIterator[TalkApplication]:
    """The bot polling the emulator, or taking its updates by webhook."""
    if mode == "polling":
        async with running(config, clock, poll_timeout=1) as application:
            yield application
        return
    async with instance(webhook_config(config), clock) as became:
        application = await asyncio.wait_for(became.get(), 30)
        assert application is not None
        yield application


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_an_unreadable_update_between_two_good_ones_is_set_aside_and_listed(
    mode: str,
    config: Config,
    clock: ManualClock,
    invites: dict[str, str],
    control: EmulatorClient,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with active_bot(config, clock, mode) as application:
        li = ChatUser(control, application, 7001, "李华")
        await li.send(f"/start {invites['李华']}")
        assert "李华" in li.last_reply
        bad = (await control.post("update", {"update": UNREADABLE}))["update_id"]
        await li.send("/help")
        assert li.replies, "the update after the unreadable one was not answered"
        await li.send("/me")
        assert "李华" in li.last_reply
    about_it = [record for record in caplog.records if str(bad) in record.getMessage()]
    assert len(about_it) == 1, [record.getMessage() for record in about_it]
    assert "\n" not in about_it[0].getMessage() and about_it[0].exc_info is None

    rows = await inbox_rows(config)
    assert rows[bad].state == "dead" and "Poll" in rows[bad].error
    assert json.loads(rows[bad].raw) == {"update_id": bad, **UNREADABLE}
    assert all(row.state == "handled" for number, row in rows.items() if number != bad)

    capsys.readouterr()
    assert await asyncio.to_thread(run_cli, config, tmp_path, "inbox") == 0
    listing = capsys.readouterr().out
    assert zh("cli.inbox_dead", count=1) in listing
    assert f"  {bad}  " in listing and '"poll"' in listing


async def test_a_failed_handler_is_a_dead_letter_that_talkledger_inbox_retry_hands_back(
    config: Config,
    clock: ManualClock,
    invites: dict[str, str],
    enrolled: Enroll,
    bot: TalkApplication,
    control: EmulatorClient,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    li = await enrolled("李华")
    # The Bot API refuses the reply for a moment: the handler fails, the person is told to try again.
    await control.post("faults", {"method": "sendMessage", "status": 400, "count": 1, "description": "Bad Request"})
    await li.send("/me")
    assert li.last_reply == zh("reply.try_again")
    failed = max(number for number, row in (await inbox_rows(config)).items())
    assert (await inbox_rows(config))[failed].state == "dead"

    assert await asyncio.to_thread(run_cli, config, tmp_path, "inbox", "retry", "999999999") == 1
    assert await asyncio.to_thread(run_cli, config, tmp_path, "inbox", "retry", str(failed)) == 0
    assert zh("cli.inbox_retried", count=1) in capsys.readouterr().out
    inbox: Inbox = bot.bot_data["inbox"]
    bot.handled_event(failed).clear()  # set by its first, failed run
    await inbox.tidy()  # as the running bot does every few seconds
    await asyncio.wait_for(bot.handled_event(failed).wait(), 10)
    assert (await inbox_rows(config))[failed].state == "handled"
    assert "李华" in (await li.bot_messages())[-1]["text"]
    capsys.readouterr()
    assert await asyncio.to_thread(run_cli, config, tmp_path, "inbox") == 0
    assert zh("cli.inbox_empty") in capsys.readouterr().out


async def test_updates_left_unhandled_are_handled_first_at_the_next_start(
    config: Config, clock: ManualClock, invites: dict[str, str], control: EmulatorClient
) -> None:
    """What a crash leaves: updates stored (acknowledged) but not handled. The next start handles them first."""
    async with running(config, clock, poll_timeout=1) as application:
        li = ChatUser(control, application, 7001, "李华")
        await li.send(f"/start {invites['李华']}")
        await li.send("/log")
        await li.press("工作约谈")
    # Stored by the process that died: the leader's next three answers.
    chat = {"id": 7001, "type": "private", "first_name": "李华"}
    sender = {"id": 7001, "is_bot": False, "first_name": "李华"}
    answers = ["zm", "/help", "落实主体责任"]
    left = [
        {
            "update_id": 9000 + i,
            "message": {"message_id": 900 + i, "date": 0, "chat": chat, "from": sender, "text": said},
        }
        for i, said in enumerate(answers)
    ]
    left[1]["message"]["entities"] = [{"type": "bot_command", "offset": 0, "length": 5}]
    engine = open_engine(config.database_url)
    try:
        async with engine.begin() as connection:
            batch = [Received(u["update_id"], 7001, json.dumps(u, ensure_ascii=False)) for u in left]
            await store(connection, batch, clock.now())
    finally:
        await engine.dispose()

    async with running(config, clock, poll_timeout=1) as application:
        for update in left:
            await asyncio.wait_for(application.handled_event(update["update_id"]).wait(), 10)
        li = ChatUser(control, application, 7001, "李华")
        said = [m.get("text", "") for m in await li.bot_messages()]
        assert zh("log.chosen", name="赵敏") in said
    rows = await inbox_rows(config)
    assert all(rows[u["update_id"]].state == "handled" for u in left)
    # Only the first can have been in hand when the process stopped (one person's updates run in turn).
    assert [rows[u["update_id"]].attempts for u in left] == [1, 0, 0]


async def test_an_update_cut_off_max_attempts_times_is_set_aside_and_the_rest_go_on(
    config: Config, clock: ManualClock, invites: dict[str, str], control: EmulatorClient
) -> None:
    chat = {"id": 7001, "type": "private", "first_name": "李华"}
    sender = {"id": 7001, "is_bot": False, "first_name": "李华"}
    engine = open_engine(config.database_url)
    try:
        async with engine.begin() as connection:
            start = {
                "update_id": 50,
                "message": {
                    "message_id": 1,
                    "date": 0,
                    "chat": chat,
                    "from": sender,
                    "text": f"/start {invites['李华']}",
                    "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
                },
            }
            await store(connection, [Received(50, 7001, json.dumps(start, ensure_ascii=False))], clock.now())
            # The process died while handling it, max_attempts - 1 times after the first.
            await connection.execute(
                update(InboxUpdate).where(InboxUpdate.update_id == 50).values(attempts=config.inbox.max_attempts - 1)
            )
    finally:
        await engine.dispose()
    async with running(config, clock, poll_timeout=1) as application:
        li = ChatUser(control, application, 7001, "李华")
        await li.send("/help")  # handled: the cut-off update does not hold it up
        assert li.replies
    rows = await inbox_rows(config)
    assert rows[50].state == "dead" and str(config.inbox.max_attempts) in rows[50].error


async def test_handled_rows_are_pruned_after_the_configured_time(
    config: Config, clock: ManualClock, enrolled: Enroll, bot: TalkApplication
) -> None:
    li = await enrolled("李华")
    await li.send("/help")
    inbox: Inbox = bot.bot_data["inbox"]
    await inbox.tidy()
    assert len(await inbox_rows(config)) == 2
    clock.advance(timedelta(hours=config.inbox.keep_hours + 1))
    await li.send("/me")
    await inbox.tidy()
    rows = await inbox_rows(config)
    assert len(rows) == 1 and next(iter(rows.values())).handled_at == clock.now()


async def test_a_talk_confirmation_posted_again_saves_nothing_twice(
    config: Config, clock: ManualClock, invites: dict[str, str], control: EmulatorClient
) -> None:
    """Telegram posts an update again when our 200 was lost (or polling fetches it again after a crash between
    storing a batch and confirming it): the stored copy stands, and the confirmation is not run a second time."""
    async with active_bot(config, clock, "webhook") as application:
        leader = ChatUser(control, application, 7001, "李华")
        await leader.send(f"/start {invites['李华']}")
        await ChatUser(control, application, 7002, "赵敏").send(f"/start {invites['赵敏']}")
        receipt, _ = await quick_individual_talk(leader)
        assert receipt.startswith(zh("log.saved", ledger_no="2025-000001"))
        rows = await inbox_rows(config)
        confirm = max(rows)
        assert rows[confirm].state == "handled"
        before = len(await leader.bot_messages())

        await control.post("update", {"update": json.loads(rows[confirm].raw)})  # the same update_id again
        await leader.send("/help")  # posted after the copy: once this is handled, the copy has been taken
        assert len(await leader.bot_messages()) == before + len(leader.replies)
    engine = open_engine(config.database_url)
    try:
        async with sessions(engine)() as session:
            assert len((await session.scalars(select(Talk))).all()) == 1
    finally:
        await engine.dispose()


async def test_the_mark_commits_with_the_first_write_and_not_without_it(config: Config, clock: ManualClock) -> None:
    engine = open_engine(config.database_url)
    try:
        await prepare(engine, config.organisation.zone)
        inbox = Inbox(engine, clock, config.inbox)
        async with engine.begin() as connection:
            await store(connection, [Received(n, None, "{}") for n in (1, 2, 3)], clock.now())
        make = sessions(engine)

        hand, token = inbox.begin(1)
        with contextlib.suppress(RuntimeError):
            async with make.begin() as session:
                session.add(AuditEntry(at=clock.now(), actor="test", action="x", subject="", details="{}"))
                raise RuntimeError("the handler fails before its commit")
        assert not hand.marked
        async with make.begin() as session:  # a read only: nothing to mark with
            await session.scalars(select(InboxUpdate))
        assert not hand.marked
        async with make.begin() as session:
            session.add(AuditEntry(at=clock.now(), actor="test", action="x", subject="", details="{}"))
        assert hand.marked
        await inbox.finish(hand, token, None)

        hand, token = inbox.begin(2)  # reads only: marked when its handling ends
        async with make() as session:
            await session.scalars(select(InboxUpdate))
        assert not hand.marked
        await inbox.finish(hand, token, None)

        async with make() as session:  # no update in hand: nothing marked
            session.add(AuditEntry(at=clock.now(), actor="test", action="x", subject="", details="{}"))
            await session.commit()
        states = {row.update_id: row.state for row in (await make().scalars(select(InboxUpdate))).all()}
        assert states == {1: "handled", 2: "handled", 3: "new"}
    finally:
        await engine.dispose()
