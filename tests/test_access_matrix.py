"""The access matrix end to end: every role × every command, buttons on one's own and on another unit's talk and
item, forged callback data, a stranger and a group chat. What is refused is refused with the refusal text alone:
no topic, problem or name leaks into it.

The expectations are written out here from the roles table in the README, not read from bot/roster/access.py."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.config import Config
from bot.i18n import text
from bot.roster.access import Capability
from handlers.telegram.transcript import ChatUser
from storage.db import open_engine, sessions
from storage.models import RectificationItem, Talk
from tests.conftest import Enroll, People, Sweep
from tests.test_talklog import quick_individual_talk

MEMBER = {"start", "help", "me", "lang", "items"}
LEADER = MEMBER | {"log", "resume", "mytalks", "cancel", "stats", "followups"}
ALLOWED = {
    "赵敏": MEMBER,  # member of 兰州市/城关区/建设局
    "李华": LEADER,  # leader of 兰州市/城关区
    "王强": LEADER,  # leader of 兰州市/榆中县
    "张建平": LEADER | {"ask", "roster", "invite", "unbind", "group"},  # commission and admin of 兰州市
}
SECRET_WORDS = ["工程项目台账不全", "赵敏"]  # the topic's problem and the person talked to, in 李华's talk


def zh(key: str, /, **params: object) -> str:
    return text("zh-CN", key, **params)


def refused(user: ChatUser) -> bool:
    return user.last_reply == zh("refusal.not_allowed")


@pytest.fixture
async def talk_and_item(enrolled: Enroll, sweep: Sweep, config: Config) -> tuple[ChatUser, int, int]:
    """李华 talks with 赵敏 and gives her one item: 李华, and the ids of the talk and the item."""
    leader = await enrolled("李华")
    await quick_individual_talk(leader)
    await sweep()
    engine = open_engine(config.database_url)
    async with sessions(engine)() as session:
        talk = (await session.scalars(Talk.__table__.select())).first()
        item = (await session.scalars(RectificationItem.__table__.select())).first()
    await engine.dispose()
    assert talk is not None and item is not None
    return leader, int(talk), int(item)


@pytest.mark.parametrize("name", list(ALLOWED))
async def test_every_role_meets_every_command_as_the_roles_table_says(enrolled: Enroll, name: str) -> None:
    user = await enrolled(name)
    for capability in Capability:
        await user.send(f"/{capability.value}")
        if capability.value in ALLOWED[name]:
            assert not refused(user), f"{name} was refused /{capability.value}"
        else:
            assert refused(user), f"{name} was let through /{capability.value}: {user.last_reply}"
        await user.send("/cancel")  # leave no conversation open for the next command


async def test_a_stranger_gets_one_refusal_for_everything(person: People, clock: ManualClock, config: Config) -> None:
    stranger = person("陌生人")
    window = timedelta(minutes=config.throttle.stranger_refusal_minutes)  # one refusal per chat per window
    for capability in Capability:
        if capability is Capability.START:
            continue
        clock.advance(window)
        await stranger.send(f"/{capability.value} 赵敏")
        assert stranger.last_reply == zh("refusal.stranger")
    clock.advance(window)
    await stranger.send("本月约谈多少次")
    assert stranger.last_reply == zh("refusal.stranger")
    clock.advance(window)
    answer = await stranger.press(data="mt:open:1", message_id=1) if await stranger.bot_messages() else None
    assert answer is None or answer.get("text") in (zh("refusal.stranger"), zh("button.stale"))


FORGED = [
    "mt:open:{talk}",
    "mt:fix:{talk}",
    "it:{item}:ack",
    "it:{item}:done",
    "it:{item}:progress",
    "it:{item}:extend",
    "iv:{item}:close",
    "iv:{item}:back",
    "ix:1:yes",
    "sq:1:records:0",
    "sq:1:excel",
    "t:1:1:confirm",
]


@pytest.mark.parametrize("name", ["王强", "周涛", "孙磊"])
async def test_forged_buttons_naming_another_units_talk_or_item_reveal_nothing(
    enrolled: Enroll, talk_and_item: tuple[ChatUser, int, int], name: str
) -> None:
    """王强 leads another district; 周涛 is a member there; 孙磊 is a member in the same district as 赵敏."""
    _, talk, item = talk_and_item
    user = await enrolled(name)
    await user.send("/help")
    anchor = (await user.bot_messages())[-1]["message_id"]
    for pattern in FORGED:
        data = pattern.format(talk=talk, item=item)
        answer = await user.press(data=data, message_id=anchor)
        shown = [str(answer.get("text") or "")] + [str(m.get("text") or "") for m in user.replies]
        for word in SECRET_WORDS:
            assert not any(word in said for said in shown), f"{name} pressing {data} saw {shown}"


async def test_the_person_talked_to_sees_their_own_item_and_the_leader_their_own_talk(
    enrolled: Enroll, talk_and_item: tuple[ChatUser, int, int]
) -> None:
    """The same buttons do work for the people they belong to: the refusals above are not blanket ones."""
    leader, talk, _ = talk_and_item
    zhao = await enrolled("赵敏")
    await zhao.send("/items")
    assert any(SECRET_WORDS[0] in said for said in zhao.reply_texts)
    await leader.send("/help")
    anchor = (await leader.bot_messages())[-1]["message_id"]
    await leader.press(data=f"mt:open:{talk}", message_id=anchor)
    assert any(SECRET_WORDS[0] in str(m.get("text")) or "赵敏" in str(m.get("text")) for m in leader.replies)


async def test_in_a_group_chat_commands_reveal_nothing(talk_and_item: tuple[ChatUser, int, int]) -> None:
    leader, _, _ = talk_and_item
    group = {"id": -100555, "type": "supergroup", "title": "城关区工作群"}
    in_group = ChatUser(leader.client, leader.application, leader.user_id, "李华", chat=group)
    for command in ("/log", "/mytalks", "/items", "/followups", "/stats", "/roster", "/ask 本月约谈多少次"):
        await in_group.send(command)
        assert in_group.replies, f"{command} in a group got no answer at all"
        for message in in_group.replies:
            for word in SECRET_WORDS:
                assert word not in str(message.get("text")), f"{command} in a group showed {word}"
