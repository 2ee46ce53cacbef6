"""Hostile input end to end: bodies the webhook server must refuse without falling over (nested too deep, too
big, too slow), updates of shapes no real client sends (a message without a chat), forged button data with numbers
out of any range, and edited messages — through the real bot, the emulator and the real webhook server."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.config import Config
from bot.i18n import text
from handlers.telegram.app import TalkApplication
from handlers.telegram.transcript import ChatUser, EmulatorClient
from handlers.telegram.webhook import nested_deeper
from storage.db import open_engine, sessions
from storage.models import TalkDraft
from tests.conftest import Enroll, People
from tests.test_talklog import quick_individual_talk
from tests.test_webhook import SECRET, instance, webhook_config

STALE = text("zh-CN", "button.stale")


def zh(key: str, /, **params: object) -> str:
    return text("zh-CN", key, **params)


def failures(caplog: pytest.LogCaptureFixture) -> list[str]:
    """What was logged as an error: an update that failed in a handler, or aiohttp's unhandled exceptions."""
    return [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]


# ---- the webhook server ---------------------------------------------------------------------------------------


@dataclasses.dataclass
class Hook:
    config: Config
    application: TalkApplication
    http: aiohttp.ClientSession

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.config.webhook.port}"

    async def post(self, body: Any, headers: dict[str, str] | None = None) -> tuple[int, str]:
        sent = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET, **(headers or {})}
        async with self.http.post(f"{self.base}/telegram", data=body, headers=sent) as response:
            return response.status, await response.text()

    async def raw(self, head: bytes) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """A connection that has sent `head` and nothing more, as a slow or stalled client."""
        reader, writer = await asyncio.open_connection("127.0.0.1", self.config.webhook.port)
        writer.write(head)
        await writer.drain()
        return reader, writer


@pytest.fixture
async def hook(config: Config, clock: ManualClock, invites: dict[str, str]) -> AsyncIterator[Hook]:
    hooked = webhook_config(config)
    hooked = dataclasses.replace(
        hooked,
        webhook=dataclasses.replace(hooked.webhook, header_timeout_seconds=0.5, read_timeout_seconds=0.5),
    )
    async with instance(hooked, clock) as became, aiohttp.ClientSession() as http:
        application = await asyncio.wait_for(became.get(), 30)
        assert application is not None
        yield Hook(hooked, application, http)


def nested(depth: int) -> bytes:
    return b'{"update_id": 70001, "message": ' + b"[" * depth + b"]" * depth + b"}"


async def test_deeply_nested_bodies_get_400_and_the_server_goes_on(
    hook: Hook, caplog: pytest.LogCaptureFixture
) -> None:
    assert await hook.post(nested(100_000)) == (400, "not JSON")
    assert await hook.post(nested(hook.config.webhook.max_depth + 1)) == (400, "nested too deep")
    assert await hook.post(b'{"update_id": 70002, "a": ' + b'{"b": ' * 40 + b"1" + b"}" * 40 + b"}") == (
        400,
        "nested too deep",
    )
    assert (await hook.post(b'{"update_id": 99999999999999999999999}'))[0] == 400  # no BIGINT holds it
    assert (await hook.post(b'{"update_id": true}'))[0] == 400
    assert (await hook.post(b'{"update_id": 70003, "x": 1' + b"0" * 5000 + b"}"))[0] == 400  # an int past 4300 digits
    assert (await hook.post(b"\xff\xfe{}"))[0] == 400
    assert failures(caplog) == []
    async with hook.http.get(f"{hook.base}/readyz") as response:
        assert response.status == 200


def test_nesting_is_measured_without_recursion() -> None:
    deep: Any = []
    for _ in range(200_000):
        deep = [deep]
    assert nested_deeper(deep, 32)
    assert not nested_deeper({"a": [{"b": [1, 2, {"c": "x"}]}]}, 5)
    assert nested_deeper({"a": [{"b": [1, 2, {"c": "x"}]}]}, 4)


async def test_oversize_bodies_get_413_with_or_without_a_length(hook: Hook) -> None:
    limit = hook.config.webhook.max_body_bytes
    assert (await hook.post(b"{" + b" " * (limit + 10) + b"}"))[0] == 413

    async def chunks() -> AsyncIterator[bytes]:  # chunked transfer: no Content-Length to refuse it by
        yield b'{"update_id": 70004, "padding": "'
        for _ in range(limit // 65536 + 2):
            yield b"x" * 65536
        yield b'"}'

    assert (await hook.post(chunks()))[0] == 413


async def test_a_client_that_sends_its_headers_slowly_is_cut_off(hook: Hook) -> None:
    reader, writer = await hook.raw(b"POST /telegram HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appl")
    try:
        # The head never ends: the server closes the connection when the header timeout is up.
        assert await asyncio.wait_for(reader.read(), 10) == b""
    finally:
        writer.close()


async def test_a_client_that_sends_its_body_slowly_gets_408_and_is_cut_off(hook: Hook) -> None:
    head = (
        b"POST /telegram HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"X-Telegram-Bot-Api-Secret-Token: " + SECRET.encode() + b"\r\nContent-Length: 1000\r\n\r\n"
    )
    reader, writer = await hook.raw(head + b'{"update_id": 70005, ')
    try:
        answer = await asyncio.wait_for(reader.read(), 10)  # all the server says, until it closes
        assert answer.startswith(b"HTTP/1.1 408"), answer[:80]
    finally:
        writer.close()


def private_message(user_id: int, words: str, **extra: Any) -> dict[str, Any]:
    return {
        "message_id": 1,
        "date": 1741158000,
        "from": {"id": user_id, "is_bot": False, "first_name": "李华"},
        "chat": {"id": user_id, "type": "private"},
        "text": words,
        "entities": [{"type": "bot_command", "offset": 0, "length": len(words.split()[0])}],
        **extra,
    }


async def test_updates_of_unexpected_shapes_never_crash_the_webhook(
    hook: Hook, caplog: pytest.LogCaptureFixture, control: EmulatorClient, invites: dict[str, str]
) -> None:
    chatless = private_message(7001, "/log")
    del chatless["chat"]
    shapes: list[dict[str, Any]] = [
        {"update_id": 70010, "message": chatless},
        {"update_id": 70011, "edited_message": {**private_message(7001, "/log"), "edit_date": 1741158100}},
        {
            "update_id": 70012,
            "callback_query": {
                "id": "5",
                "chat_instance": "1",
                "from": {"id": 7001, "is_bot": False, "first_name": "x"},
            },
        },
        {"update_id": 70013, "message_reaction_count": {"chat": {"id": 7001, "type": "private"}, "message_id": 1}},
        {"update_id": 70014},
    ]
    for shape in shapes:
        status, _ = await hook.post(json.dumps(shape))
        assert status == 200, shape
        await asyncio.wait_for(hook.application.handled_event(shape["update_id"]).wait(), 10)
    for broken in ({"update_id": 70020, "message": "text"}, {"update_id": 70021, "message": {"chat": 5}}):
        assert (await hook.post(json.dumps(broken)))[0] == 200  # stored, then set aside (PTB cannot read it)
    # Each unreadable update is a dead letter, logged once (handlers/telegram/inbox.py); nothing else failed.
    dead = [line for line in failures(caplog) if "set aside as a dead letter" in line]
    assert [line.split()[1] for line in dead] == ["70020", "70021"]
    assert [line for line in failures(caplog) if line not in dead] == []
    li = ChatUser(control, hook.application, 7001, "李华")
    await li.send(f"/start {invites['李华']}")
    assert "李华" in li.last_reply  # and the bot still answers


# ---- polling: shapes, forged buttons, edits --------------------------------------------------------------------


async def push(user: ChatUser, update: dict[str, Any]) -> None:
    pushed = await user.client.post("update", {"update": update})
    await asyncio.wait_for(user.application.handled_event(pushed["update_id"]).wait(), 15)


async def test_a_message_without_a_chat_is_set_aside_and_the_bot_goes_on(
    enrolled: Enroll, caplog: pytest.LogCaptureFixture
) -> None:
    leader = await enrolled("李华")
    for words in ("/log", "/mytalks", "本月约谈多少次", "/start abc"):
        message = private_message(leader.user_id, words)
        del message["chat"]
        await push(leader, {"message": message})
    assert failures(caplog) == []
    await leader.send("/help")
    assert leader.last_reply


FORGED = [
    "mt:page:99999999999999999999",
    "mt:open:99999999999999999999",
    "mt:page:999999999999",
    "mt:page:7",
    "mt:page:\u0661\u0662",  # Arabic-Indic digits: str.isdigit says yes, the database says no
    "mt:open:\u00b2",
    "it:99999999999999999999:ack",
    "iv:18446744073709551616:close",
    "ix:99999999999999999999:yes",
    "lg:resume:99999999999999999999",
    "t:99999999999999999999:1:kind:0",
    "t:1:99999999999999999999:kind:0",
    "sq:99999999999999999999:records:0",
    "sq:1:records:99999999999999999999",
    "sq:1:records:50",
    "se:99999999999999999999",
    "sp:99999999999999999999",
    "lang:99999999999999999999",
]


async def test_forged_numbers_out_of_range_get_the_stale_button_notice(
    enrolled: Enroll, caplog: pytest.LogCaptureFixture
) -> None:
    leader = await enrolled("李华")
    await quick_individual_talk(leader)
    await leader.send("本月约谈多少次")  # a saved question, number 1, with a records button
    await leader.send("/mytalks")
    assert "1/1" in leader.last_reply
    message_id = int(leader.replies[-1]["message_id"])
    for data in FORGED:
        answer = await leader.press(data=data, message_id=message_id)
        assert answer.get("text") == STALE, (data, answer)
    assert not [line for line in (await leader.unseen()) if "页" in str(line.get("text"))]  # no page was shown
    assert failures(caplog) == []


async def test_editing_a_sent_command_runs_nothing_again(
    enrolled: Enroll, person: People, config: Config, caplog: pytest.LogCaptureFixture
) -> None:
    leader = await enrolled("李华")
    await leader.send("/log")
    kinds = leader.last_reply
    sent = [message for message in await leader.messages() if not message["from"]["is_bot"]]
    log_message = next(message for message in reversed(sent) if message.get("text") == "/log")
    await leader.edit(log_message["message_id"], "/log")
    assert leader.reply_texts == [zh("reply.edit_ignored")]
    await leader.edit(log_message["message_id"], "/cancel")
    assert leader.reply_texts == [zh("reply.edit_ignored")]
    engine = open_engine(config.database_url)
    try:
        async with sessions(engine)() as session:
            assert await session.scalar(select(func.count()).select_from(TalkDraft)) == 1
    finally:
        await engine.dispose()
    # The draft goes on from where it was: the question asked before the edits is still the one to answer.
    await leader.press("工作约谈")
    assert leader.last_reply != kinds and leader.last_reply

    stranger = person("陌生人")
    await stranger.send("/help")
    first = [message for message in await stranger.messages() if not message["from"]["is_bot"]][-1]
    await stranger.edit(first["message_id"], "/log")
    assert stranger.replies == []  # a stranger's edit costs nothing
    assert failures(caplog) == []
