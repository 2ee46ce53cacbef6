"""Strangers and guessers are throttled: one refusal per chat per window whatever a stranger sends, replies to the
roster ahead of replies to strangers, and invite codes guessed at most a few times an hour per account and per
code prefix, each burst one audit entry with its count. Through the real bot and the emulator."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bot.clock import ManualClock
from bot.config import Config, OutboxConfig
from bot.i18n import text
from bot.throttle import Failures, OncePerWindow
from handlers.telegram.app import running
from handlers.telegram.transcript import ChatUser, EmulatorClient
from storage import audit, people
from storage.db import open_engine, sessions
from tests.conftest import People

STRANGER = text("zh-CN", "refusal.stranger")
START = datetime(2025, 3, 5, tzinfo=UTC)


# ---- the counters, pure -------------------------------------------------------------------------------------


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 15)), max_size=60), st.integers(0, 12))
def test_once_per_window_says_yes_once_per_key_per_window(steps: list[tuple[int, int]], window: int) -> None:
    counter = OncePerWindow(timedelta(minutes=window))
    last: dict[int, datetime] = {}
    now = START
    for key, minutes in steps:
        now += timedelta(minutes=minutes)
        expected = key not in last or now - last[key] >= timedelta(minutes=window)
        if expected:
            last[key] = now
        assert counter.allow(key, now) == expected


@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 30)), max_size=60), st.integers(1, 4))
def test_failures_refuse_a_key_that_had_its_fill_until_its_window_has_passed(
    steps: list[tuple[int, int]], limit: int
) -> None:
    failures = Failures(limit, timedelta(minutes=60))
    bursts: dict[int, tuple[datetime, int]] = {}
    now = START
    for key, minutes in steps:
        now += timedelta(minutes=minutes)
        started, count = bursts.get(key, (now, 0))
        if now - started >= timedelta(minutes=60):
            started, count = now, 0
        assert failures.exhausted([key], now) == (count >= limit)
        bursts[key] = (started, count + 1)
        assert failures.fail(key, now).count == count + 1


# ---- strangers ------------------------------------------------------------------------------------------------


async def sent_to(control: EmulatorClient, chat_id: int) -> list[str]:
    return [m.get("text", "") for m in await control.get("messages", chat_id=chat_id) if m["from"]["is_bot"]]


async def test_a_stranger_flooding_the_bot_gets_one_refusal_per_window(
    person: People, control: EmulatorClient, clock: ManualClock, config: Config
) -> None:
    stranger = person("陌生人")
    for number in range(60):
        await stranger.send(["你好", "/help", "/log", "本月约谈多少次", "/start", f"/me {number}"][number % 6])
    assert await sent_to(control, stranger.chat_id) == [STRANGER]

    in_group = person("群里的陌生人", chat={"id": -100321, "type": "supergroup", "title": "工作群"})
    for _ in range(20):
        await in_group.send("/stats")
    assert len(await sent_to(control, -100321)) == 1  # one pointer to the private chat

    clock.advance(timedelta(minutes=config.throttle.stranger_refusal_minutes))
    await stranger.send("还在吗")
    await stranger.send("还在吗")
    assert await sent_to(control, stranger.chat_id) == [STRANGER, STRANGER]
    # Buttons pressed, forged or old, within the window: no notice either.
    message_id = (await control.get("messages", chat_id=stranger.chat_id))[-1]["message_id"]
    for data in ("lang:en", "mt:open:1", "it:1:done", "zz"):
        answer = await stranger.press(data=data, message_id=message_id)
        assert answer.get("text") is None, (data, answer)


async def test_replies_to_the_roster_go_ahead_of_replies_to_strangers(
    config: Config, clock: ManualClock, invites: dict[str, str], control: EmulatorClient
) -> None:
    # A budget of 5 messages a second: thirty strangers' refusals take six seconds to send.
    slow = dataclasses.replace(config, outbox=dataclasses.replace(config.outbox, per_second=5))
    assert isinstance(slow.outbox, OutboxConfig)
    async with running(slow, clock, poll_timeout=1) as application:
        member = ChatUser(control, application, 7001, "李华")
        await member.send(f"/start {invites['李华']}")
        first_event = len(await control.get("events", since=0))
        strangers = list(range(8001, 8031))
        for user_id in strangers:
            for words in ("你好", "/log"):
                await control.post("send", {"user": {"id": user_id, "first_name": f"u{user_id}"}, "text": words})
        await member.send("/help")  # written after every stranger's message
        assert "/log" in member.last_reply

        events: list[dict[str, Any]] = []
        while sum(1 for event in events if event["message"]["chat"]["id"] in strangers) < len(strangers):
            fresh = await control.get("events", since=first_event + len(events), timeout=10)
            assert fresh, "the strangers' refusals stopped coming"
            events.extend(fresh)
        order = [event["message"]["chat"]["id"] for event in events if event["kind"] == "sent"]
        for user_id in strangers:
            assert order.count(user_id) == 1 and await sent_to(control, user_id) == [STRANGER]
        answered = order.index(member.chat_id)
        # The member's reply overtook the strangers' refusals still waiting: most are sent after it, not before.
        assert len(order) - answered - 1 >= len(strangers) // 2, json.dumps(order)


# ---- invite guessing ------------------------------------------------------------------------------------------


async def refused_bursts(config: Config) -> list[dict[str, Any]]:
    engine = open_engine(config.database_url)
    try:
        async with sessions(engine)() as session:
            return [
                {"actor": entry.actor, **json.loads(entry.details)}
                for entry in await audit.entries(session, "invite.refused")
            ]
    finally:
        await engine.dispose()


async def linked(config: Config, name: str) -> int | None:
    engine = open_engine(config.database_url)
    try:
        async with sessions(engine)() as session:
            [found] = [p for p in await people.people_within(session, None, name) if p.name == name]
            return found.telegram_user_id
    finally:
        await engine.dispose()


async def test_a_sixth_guess_within_the_hour_is_refused_without_the_code_being_looked_at(
    person: People, invites: dict[str, str], clock: ManualClock, config: Config
) -> None:
    guesser = person("猜码人")
    real = invites["赵敏"]
    for number in range(config.throttle.invite_failures):
        await guesser.send(f"/start WRONG{number}{real[6:]}")
    await guesser.send(f"/start {real}")  # the right code, but the sixth try within the hour
    assert not [line for line in guesser.reply_texts if "赵敏" in line]
    assert await linked(config, "赵敏") is None
    [burst] = await refused_bursts(config)
    assert burst["actor"] == f"telegram:{guesser.user_id}"
    assert burst["attempts"] == config.throttle.invite_failures + 1 and burst["last_reason"] == "throttled"

    clock.advance(timedelta(minutes=config.throttle.invite_failure_window_minutes))
    await guesser.send(f"/start {real}")
    assert "赵敏" in guesser.last_reply
    assert await linked(config, "赵敏") == guesser.user_id


async def test_many_accounts_trying_one_code_prefix_are_stopped_too(
    person: People, invites: dict[str, str], clock: ManualClock, config: Config
) -> None:
    real = invites["孙磊"]
    for number in range(config.throttle.invite_failures):
        await person(f"帮手{number}").send(f"/start {real[:4]}{number}wrong{real[10:]}")
    late = person("后来者")
    await late.send(f"/start {real}")
    assert await linked(config, "孙磊") is None
    bursts = await refused_bursts(config)
    assert [burst["attempts"] for burst in bursts] == [1] * (config.throttle.invite_failures + 1)
    assert bursts[-1]["last_reason"] == "throttled"

    clock.advance(timedelta(minutes=config.throttle.invite_failure_window_minutes))
    await late.send(f"/start {real}")
    assert "孙磊" in late.last_reply
