"""What a newcomer tripped over in the chat: drafts listed by who and what, a one-letter search that picked
someone unasked, a button's label typed instead of pressed, and English numbers ("1 months")."""

from __future__ import annotations

from bot.i18n import text
from handlers.telegram.transcript import ChatUser
from tests.conftest import Enroll


def zh(key: str, /, **params: object) -> str:
    return text("zh-CN", key, **params)


async def up_to_the_topic(leader: ChatUser, kind: str = "工作约谈", now: str = "刚才") -> None:
    await leader.send("/log")
    await leader.press(kind)
    await leader.send("赵敏")
    await leader.press(now)


async def test_resume_lists_each_draft_with_its_kind_and_people(enrolled: Enroll) -> None:
    leader = await enrolled("李华")
    await up_to_the_topic(leader, kind="告诫约谈")
    await leader.send("落实两个责任")
    await leader.send("/log")
    await leader.press("新建一条")
    await leader.send("/resume")
    assert leader.last_reply == zh("log.resume_title")
    labels = await leader.buttons()
    assert any(label.endswith(" · 告诫约谈 · 赵敏 · 落实两个责任") for label in labels), labels
    assert any(label.endswith(" · — · — · —") for label in labels), labels  # the new, empty draft


async def test_a_single_letter_shows_the_match_to_press_rather_than_picking_it(enrolled: Enroll) -> None:
    leader = await enrolled("李华")
    await leader.send("/log")
    await leader.press("工作约谈")
    await leader.send("z")  # 赵敏 is the only z in 李华's district, but one letter is not a name
    assert leader.last_reply == zh("log.ask.subjects")
    assert "赵敏 · 兰州市/城关区/建设局" in await leader.buttons()
    await leader.press("赵敏 · 兰州市/城关区/建设局")
    assert leader.last_reply.startswith(zh("log.ask.held_at")[:8])
    await leader.send("/cancel")
    await leader.press("是，放弃")
    await leader.send("/log")
    await leader.press("工作约谈")
    await leader.send("zm")  # the initials in full still pick at once
    assert leader.last_reply.startswith(zh("log.ask.held_at")[:8])


async def test_typing_a_buttons_label_is_pressing_it(enrolled: Enroll) -> None:
    leader = await enrolled("李华")
    await leader.send("/log")
    await leader.send("告诫约谈")
    assert leader.last_reply == zh("log.ask.subjects")
    await leader.send("赵敏")
    await leader.send("刚才")
    assert leader.last_reply.startswith(zh("log.ask.topic", limit=200)[:6])
    await leader.send("告诫约谈")  # the kind question's label, typed at the topic: a topic, not a press
    assert leader.last_reply.startswith(zh("log.ask.problem", number=1)[:8])
    await leader.send("无问题")
    assert "告诫约谈" in leader.last_reply and zh("log.button.confirm") in await leader.buttons()


async def test_english_says_1_month(enrolled: Enroll) -> None:
    leader = await enrolled("李华")
    await leader.send("/lang")
    await leader.press("English")
    await up_to_the_topic(leader, now=text("en", "log.button.now"))
    await leader.send("Two duties")
    await leader.send("Cars used privately\nA booking register")
    labels = await leader.buttons()
    assert {"1 month", "3 months", "6 months"} <= set(labels), labels
