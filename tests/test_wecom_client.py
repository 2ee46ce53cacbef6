"""The WeCom API client against the emulator: tokens, splitting, cards and their updates, files, errors."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest

from bot.clock import ManualClock
from handlers.wecom.cards import new_task_id, page_of, pressed_card, render_card
from handlers.wecom.errors import WeComError, WeComPermanentFailure, WeComRetryLater
from tests.wecom_world import AGENT_ID, WeComWorld, wecom_world


@pytest.fixture
async def world(clock: ManualClock) -> AsyncIterator[WeComWorld]:
    async with wecom_world(clock, members={"zhangsan", "lisi"}) as built:
        yield built


def texts(world: WeComWorld, user: str) -> list[str]:
    return [record["text"] for record in world.emulator.sent[user] if record["kind"] == "text"]


async def test_token_is_cached_and_refreshed_when_wecom_expires_it(world: WeComWorld) -> None:
    await world.client.send_text("zhangsan", "one")
    await world.client.send_text("zhangsan", "two")
    assert world.emulator.token_fetches == 1
    world.emulator.expire_tokens()
    await world.client.send_text("zhangsan", "three")
    assert texts(world, "zhangsan") == ["one", "two", "three"]
    assert world.emulator.token_fetches == 2
    assert [call["errcode"] for call in world.emulator.calls if call["method"] == "message/send"] == [0, 0, 42001, 0]


async def test_token_is_renewed_before_it_expires_once_for_many_senders(world: WeComWorld, clock: ManualClock) -> None:
    await world.client.send_text("zhangsan", "morning")
    clock.advance(timedelta(seconds=7200 - 60))  # inside the margin: renewed before WeCom would refuse it
    await asyncio.gather(*(world.client.send_text("lisi", f"n{n}") for n in range(20)))
    assert world.emulator.token_fetches == 2 and world.client.token_fetches == 2
    clock.advance(timedelta(seconds=60))  # now WeCom's token is over: a new one, still no call refused
    await world.client.send_text("lisi", "evening")
    assert world.emulator.token_fetches == 3
    assert all(call["errcode"] == 0 for call in world.emulator.calls)


async def test_an_invalid_token_is_retried_once_then_reported(world: WeComWorld) -> None:
    world.emulator.inject("message/send", 40014)
    await world.client.send_text("zhangsan", "after a bad token")
    world.emulator.inject("message/send", 40014, count=2)
    with pytest.raises(WeComError) as raised:
        await world.client.send_text("zhangsan", "twice bad")
    assert raised.value.errcode == 40014
    assert texts(world, "zhangsan") == ["after a bad token"]


async def test_long_text_arrives_whole_in_pieces_of_2048_bytes(world: WeComWorld) -> None:
    text = "\n".join(f"第{n}项整改:" + "落实主体责任" * 12 for n in range(60))
    msgids = await world.client.send_text("zhangsan", text)
    pieces = texts(world, "zhangsan")
    assert len(msgids) == len(pieces) > 1
    assert "".join(pieces) == text and all(len(piece.encode()) <= 2048 for piece in pieces)


async def test_a_long_text_cut_short_by_a_limit_resumes_without_repeating(world: WeComWorld) -> None:
    text = "\n".join(f"第{n}项:" + "整改" * 100 for n in range(30))
    world.emulator.per_member_per_minute = 2
    with pytest.raises(WeComRetryLater) as raised:
        await world.client.send_text("lisi", text)
    assert raised.value.sent_pieces == 2
    world.emulator.per_member_per_minute = 0
    await world.client.send_text("lisi", text, start=raised.value.sent_pieces)
    assert "".join(texts(world, "lisi")) == text


async def test_rate_limit_is_retry_later(world: WeComWorld, clock: ManualClock) -> None:
    world.emulator.per_member_per_minute = 2
    await world.client.send_text("zhangsan", "1")
    await world.client.send_text("zhangsan", "2")
    with pytest.raises(WeComRetryLater) as raised:
        await world.client.send_text("zhangsan", "3")
    assert raised.value.errcode == 45009 and raised.value.retry_after > 0
    await world.client.send_text("lisi", "another member is not held back")
    clock.advance(timedelta(seconds=61))
    await world.client.send_text("zhangsan", "3")
    assert texts(world, "zhangsan") == ["1", "2", "3"]
    world.emulator.inject("*", 45033)
    with pytest.raises(WeComRetryLater):
        await world.client.send_text("lisi", "busy")


async def test_member_outside_the_visible_range_is_a_permanent_failure(world: WeComWorld) -> None:
    with pytest.raises(WeComPermanentFailure) as raised:
        await world.client.send_text("wangwu", "hello")
    assert raised.value.user_ids == ("wangwu",) and raised.value.errcode == 81013
    world.emulator.inject("message/send", 60111)
    with pytest.raises(WeComPermanentFailure):
        await world.client.send_text("zhangsan", "hello")


async def test_card_press_then_update_replaces_the_card(world: WeComWorld) -> None:
    choices = [(f"被约谈人{n}", f"person:{n}") for n in range(9)]
    task_id = new_task_id()
    sent = await world.client.send_card("zhangsan", render_card("找到以下人员\n请选择", choices, task_id))
    assert sent.response_code
    next_key = world.emulator.card("zhangsan", task_id)["button_list"][-1]["key"]  # type: ignore[index]
    await world.emulator.press("zhangsan", task_id, next_key)
    press = world.accepted[-1]
    assert (press.kind, press.task_id, page_of(press.event_key)) == ("button", task_id, 1)
    await world.client.update_card(["zhangsan"], press.response_code, render_card("找到以下人员", choices, task_id, 1))
    shown = world.emulator.card("zhangsan", task_id)
    assert shown is not None and [b["key"] for b in shown["button_list"]][1] == "person:5"
    await world.emulator.press("zhangsan", task_id, "person:7")
    chosen = world.accepted[-1]
    assert chosen.event_key == "person:7"
    await world.client.update_card(["zhangsan"], chosen.response_code, pressed_card(shown, "被约谈人7"))
    assert world.emulator.sent["zhangsan"][-1]["kind"] == "card_update"
    with pytest.raises(LookupError):  # greyed out: nothing left to press
        await world.emulator.press("zhangsan", task_id, "person:7")
    with pytest.raises(WeComError):  # a response_code serves once
        await world.client.update_card(["zhangsan"], chosen.response_code, pressed_card(shown, "again"))


async def test_files_and_menu(world: WeComWorld) -> None:
    media_id = await world.client.upload_media("file", "约谈台账.xlsx", b"PK\x03\x04 an xlsx")
    await world.client.send_file("lisi", media_id)
    record = world.emulator.sent["lisi"][-1]
    assert (record["kind"], record["filename"], record["content"]) == ("file", "约谈台账.xlsx", b"PK\x03\x04 an xlsx")
    menu = {"button": [{"type": "click", "name": "我的约谈", "key": "menu:mytalks"}]}
    await world.client.create_menu(AGENT_ID, menu)
    assert world.emulator.menus[AGENT_ID] == menu
    with pytest.raises(WeComError) as raised:
        await world.client.create_menu(AGENT_ID, {"button": [{"type": "click", "name": "x", "key": "k" * 129}]})
    assert raised.value.errcode == 40019


async def test_control_api_over_http(world: WeComWorld) -> None:
    base = world.client.config.api_base_url
    async with aiohttp.ClientSession() as session:

        async def control(action: str, body: dict[str, object]) -> dict[str, object]:
            async with session.post(f"{base}/control/{action}", json=body) as response:
                answer: dict[str, object] = await response.json()
                return answer

        assert (await control("send", {"user": "zhangsan", "text": "你好"}))["statuses"] == [200]
        await control("callback_faults", {"duplicate": 1})
        await control("click_menu", {"user": "zhangsan", "key": "menu:help"})
        assert [event.kind for event in world.accepted] == ["text", "menu_click"]
        await control("faults", {"method": "message/send", "errcode": 45009, "count": 1})
        with pytest.raises(WeComRetryLater):
            await world.client.send_text("zhangsan", "held back")
        await control("expire_tokens", {})
        await world.client.send_text("zhangsan", "through")
        async with session.get(f"{base}/control/sent", params={"user": "zhangsan"}) as response:
            assert [record["text"] for record in await response.json()] == ["through"]
        answer = await control("press", {"user": "zhangsan", "task_id": "none", "key": "k"})
        assert answer["ok"] is False
