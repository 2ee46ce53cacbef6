"""The callback URL as WeCom uses it: URL verification, signature check, replays and duplicates handled once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.clock import ManualClock
from handlers.wecom.events import MalformedCallback, WeComEvent, event_from_xml, parse_xml, render_xml
from tests.wecom_world import AGENT_ID, WeComWorld, wecom_world


@pytest.fixture
async def world(clock: ManualClock) -> AsyncIterator[WeComWorld]:
    async with wecom_world(clock) as built:
        yield built


async def test_url_verification_answers_the_decrypted_echostr(world: WeComWorld) -> None:
    verified, answer = await world.emulator.poster.verify_url()
    assert verified, answer
    async with aiohttp.ClientSession() as session:
        params = {"msg_signature": "0" * 40, "timestamp": "1", "nonce": "2", "echostr": "abcd"}
        async with session.get(world.callback_url, params=params) as response:
            assert response.status == 403


async def test_member_events_arrive_typed(world: WeComWorld) -> None:
    await world.emulator.send_text("zhangsan", "约谈 李四 <今天> & 明天")
    await world.emulator.enter("zhangsan")
    await world.emulator.click_menu("lisi", "menu:mytalks")
    kinds = [(event.kind, event.user_id, event.text, event.event_key) for event in world.accepted]
    assert kinds == [
        ("text", "zhangsan", "约谈 李四 <今天> & 明天", ""),
        ("enter_agent", "zhangsan", "", ""),
        ("menu_click", "lisi", "", "menu:mytalks"),
    ]
    assert world.accepted[0].msg_id and world.accepted[0].agent_id == AGENT_ID


async def test_bad_signature_is_403_and_nothing_is_handled(world: WeComWorld) -> None:
    sealed = world.emulator.poster.seal(
        {"FromUserName": "zhangsan", "MsgType": "text", "Content": "hi", "MsgId": "1", "CreateTime": 1}
    )
    sealed.query["msg_signature"] = "f" * 40
    status = await world.emulator.poster.deliver(sealed)
    assert status == 403 and sealed.statuses == [403] * 4  # WeCom retries; each is refused
    # correctly signed, but the ciphertext is not WeCom's: refused before anything is read
    tampered = "AAAA" + parse_xml(sealed.body)["Encrypt"]
    signature = world.emulator.crypto.sign(sealed.query["timestamp"], sealed.query["nonce"], tampered)
    body = render_xml({"ToUserName": "ww", "Encrypt": tampered, "AgentID": AGENT_ID}).encode()
    async with (
        aiohttp.ClientSession() as session,
        session.post(world.callback_url, params={**sealed.query, "msg_signature": signature}, data=body) as response,
    ):
        assert response.status == 403
    assert world.accepted == []


async def test_replayed_and_duplicated_callbacks_are_handled_once(world: WeComWorld) -> None:
    await world.emulator.send_text("zhangsan", "first")
    assert await world.emulator.poster.replay() == 200  # the same request again, byte for byte
    world.emulator.poster.duplicate_next = 2  # WeCom's retries: same event, fresh nonce and signature
    await world.emulator.send_text("zhangsan", "second")
    await world.emulator.enter("lisi")
    assert [event.text or event.kind for event in world.accepted] == ["first", "second", "enter_agent"]
    assert len(world.emulator.poster.posted) == 5


async def test_stale_callbacks_are_ignored(world: WeComWorld, clock: ManualClock) -> None:
    sealed = world.emulator.poster.seal(
        {"FromUserName": "zhangsan", "MsgType": "text", "Content": "old", "MsgId": "99", "CreateTime": 1}
    )
    clock.advance(timedelta(minutes=10))
    assert await world.emulator.poster.deliver(sealed) == 200
    assert world.accepted == []


async def test_accept_failing_is_retried_by_wecom_and_handled_once(world: WeComWorld) -> None:
    world.failures_left = 1
    sent = await world.emulator.send_text("zhangsan", "while the inbox restarts")
    assert sent.statuses == [500, 200]
    assert [event.text for event in world.accepted] == ["while the inbox restarts"]


async def test_dropped_callback_never_arrives_and_oversized_is_413(world: WeComWorld) -> None:
    world.emulator.poster.drop_next = 1
    await world.emulator.send_text("zhangsan", "lost in transit")
    assert world.accepted == []
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            world.callback_url,
            params={"msg_signature": "a", "timestamp": "1", "nonce": "2"},
            data=b"<xml>" + b" " * 70_000 + b"</xml>",
        ) as response,
    ):
        assert response.status == 413


def test_button_event_xml_is_read_as_wecom_writes_it() -> None:
    plain = render_xml(
        {
            "ToUserName": "ww1",
            "FromUserName": "zhangsan",
            "CreateTime": 1700000000,
            "MsgType": "event",
            "Event": "template_card_event",
            "EventKey": "item:7:done]]>",
            "TaskId": "tl-abc",
            "CardType": "button_interaction",
            "ResponseCode": "RC1",
            "AgentID": 1000002,
        }
    )
    event = event_from_xml(plain)
    assert event == WeComEvent(
        kind="button",
        user_id="zhangsan",
        create_time=1700000000,
        agent_id=1000002,
        event="template_card_event",
        event_key="item:7:done]]>",
        task_id="tl-abc",
        response_code="RC1",
        raw=event.raw,
    )


xml_text = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff", whitelist_characters="\n\t"
    )
)  # XML carries no other control characters, and reads \r as \n


@settings(max_examples=200)
@given(content=xml_text, key=xml_text, user=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-.@", min_size=1))
def test_what_a_member_writes_is_read_back_exactly(content: str, key: str, user: str) -> None:
    text = event_from_xml(
        render_xml({"FromUserName": user, "CreateTime": 5, "MsgType": "text", "Content": content, "MsgId": "12"})
    )
    assert (text.kind, text.user_id, text.text) == ("text", user, content)
    press = event_from_xml(
        render_xml(
            {
                "FromUserName": user,
                "CreateTime": 5,
                "MsgType": "event",
                "Event": "template_card_event",
                "EventKey": key,
                "TaskId": "t",
            }
        )
    )
    assert (press.kind, press.event_key) == ("button", key)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not xml",
        b"<notxml/>",
        b"<xml><MsgType>text</MsgType></xml>",
        b'<!DOCTYPE xml [<!ENTITY a "aaaa">]><xml><FromUserName>&a;</FromUserName></xml>',
    ],
)
def test_what_is_not_a_callback_is_refused(body: bytes) -> None:
    with pytest.raises(MalformedCallback):
        event_from_xml(body)


async def test_a_slow_accept_is_answered_in_time_and_run_once(world: WeComWorld) -> None:
    gate = asyncio.Event()
    runs: list[str] = []

    async def slow_accept(event: WeComEvent) -> None:
        runs.append(event.text)
        await gate.wait()

    world.callback.accept, world.callback.answer_within = slow_accept, 0  # "in time" is now: no waiting in tests
    sealed = world.emulator.poster.seal(
        {"FromUserName": "zhangsan", "CreateTime": 1, "MsgType": "text", "Content": "slow", "MsgId": "77"}
    )
    retry = world.emulator.poster.seal(
        {"FromUserName": "zhangsan", "CreateTime": 1, "MsgType": "text", "Content": "slow", "MsgId": "77"}
    )
    first = await world.callback.receive(sealed.query, sealed.body)
    second = await world.callback.receive(retry.query, retry.body)  # WeCom's retry while the first still runs
    assert (first.status, first.why, second.status) == (503, "still accepting", 503)
    gate.set()
    world.callback.answer_within = 5
    third = await world.callback.receive(retry.query, retry.body)
    assert (third.status, third.why) == (200, "duplicate")
    assert runs == ["slow"]
