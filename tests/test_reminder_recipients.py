"""Reminders reach everyone responsible, end to end: 一事两约谈's second responsible leader gets the item, their own
buttons and reminders, and the escalation names both."""

from __future__ import annotations

from sqlalchemy import select

from bot.clock import ManualClock
from bot.config import Config
from handlers.telegram.transcript import ChatUser
from storage import audit
from storage.db import open_engine, sessions
from storage.models import Person
from tests.conftest import Enroll, People, Sweep
from tests.test_followup import at, inbox, new_messages, press_on, zh
from tests.test_talklog import quick_individual_talk


async def talk_with_a_second_leader(leader: ChatUser) -> None:
    """李华 talks with 赵敏; the item's second responsible leader is 孙磊; due 2025-04-05."""
    await leader.send("/log")
    await leader.press("工作约谈")
    await leader.send("zm")
    await leader.press("刚才")
    await leader.send("落实全面从严治党主体责任情况")
    await leader.send("工程项目台账不全\n一个月内补齐并建立月报制度")
    await leader.press("1个月")
    await leader.press("👥 问题1第二责任人")
    await leader.send("sl")
    await leader.press("✅ 确认登记")
    assert "第二责任人 孙磊" in leader.last_reply, leader.last_reply


async def test_the_second_responsible_leader_gets_the_item_and_reminders_and_is_named_in_escalation(
    enrolled: Enroll, sweep: Sweep, clock: ManualClock
) -> None:
    commission = await enrolled("张建平")
    zhao, sun, leader = await enrolled("赵敏"), await enrolled("孙磊"), await enrolled("李华")
    sun_before = await inbox(sun)
    await talk_with_a_second_leader(leader)
    await sweep()
    [delivery] = await new_messages(sun, sun_before)
    assert delivery.startswith(zh("item.notice.delivery")) and "工程项目台账不全" in delivery
    assert zh("item.two_responsible", first="赵敏", second="孙磊") in delivery
    acknowledged = await press_on(sun, "✅ 已知悉")  # his own buttons act on the item
    assert acknowledged["text"] == zh("item.acknowledged", number=1)

    for moment, notice in (("2025-03-29 09:00", zh("item.notice.before", days=7)), ("2025-04-08 09:00", None)):
        clock.set(at(moment))
        zhao_before, sun_before = await inbox(zhao), await inbox(sun)
        await sweep()
        for user, before in ((zhao, zhao_before), (sun, sun_before)):
            arrived = [m for m in await new_messages(user, before) if "工程项目台账不全" in m]
            assert len(arrived) == 1, (user.first_name, moment, arrived)
            assert notice is None or arrived[0].startswith(notice)
    clock.set(at("2025-04-12 09:00"))
    lead_before, commission_before = await inbox(leader), await inbox(commission)
    await sweep()
    both = zh("item.two_responsible", first="赵敏", second="孙磊")
    escalation = zh("item.notice.escalate", name=both, days=7)
    assert [m[: len(escalation)] for m in await new_messages(leader, lead_before)] == [escalation]
    assert [m[: len(escalation)] for m in await new_messages(commission, commission_before)] == [escalation]

    await press_on(sun, "✔️ 报告完成")  # the second leader reports it done; the interviewer closes it: both are told
    await sun.send("台账已补齐")
    await sweep()
    await press_on(leader, "✅ 销号")
    zhao_before, sun_before = await inbox(zhao), await inbox(sun)
    await sweep()
    for user, before in ((zhao, zhao_before), (sun, sun_before)):
        assert [m[:8] for m in await new_messages(user, before)] == [zh("item.notice.closed")[:8]]


async def test_a_person_linked_after_the_talk_is_welcomed_with_their_open_items(
    enrolled: Enroll, person: People, sweep: Sweep
) -> None:
    leader = await enrolled("李华")
    await quick_individual_talk(leader)
    code = leader.reply_texts[-2].split("start=")[1]
    zhao = person("赵敏")
    await zhao.send(f"/start {code}")
    welcome, first, second = zhao.reply_texts
    assert welcome.startswith("赵敏，") and "兰州市/城关区/建设局 局长" in welcome
    assert first.startswith(zh("item.list_title", count=2)) and "工程项目台账不全" in first
    assert zh("item.followup_problem") in second
    acknowledged = await press_on(zhao, "✅ 已知悉")  # the welcome's buttons act on the item
    assert acknowledged["text"] == zh("item.acknowledged", number=1)
    before = await inbox(zhao)
    await sweep()
    assert await new_messages(zhao, before) == []  # and the items do not come a second time


async def test_each_responsible_leader_acknowledges_on_their_own(
    enrolled: Enroll, sweep: Sweep, config: Config
) -> None:
    zhao, sun, leader = await enrolled("赵敏"), await enrolled("孙磊"), await enrolled("李华")
    await talk_with_a_second_leader(leader)
    await sweep()
    for user in (sun, zhao, sun):  # 孙磊 first, then 赵敏 (her acknowledgement counts too), then 孙磊 again
        acknowledged = await press_on(user, "✅ 已知悉")
        assert acknowledged["text"] == zh("item.acknowledged", number=1)
    engine = open_engine(config.database_url)
    async with sessions(engine)() as session:
        entries = await audit.entries(session, "item.acknowledge")
    await engine.dispose()
    # One acknowledgement each, in the order they pressed; a second press writes nothing.
    assert [(entry.actor_person_id, entry.subject) for entry in entries] == [
        (await person_id(config, "孙磊"), "item:1"),
        (await person_id(config, "赵敏"), "item:1"),
    ]


async def person_id(config: Config, name: str) -> int:
    engine = open_engine(config.database_url)
    async with sessions(engine)() as session:
        found = await session.scalar(select(Person.id).where(Person.name == name))
    await engine.dispose()
    assert found is not None
    return found
