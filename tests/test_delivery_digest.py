"""A new talk's items reach the person talked to as one message: a line and a button per item, each button
bringing its own item's card with the buttons to act on it."""

from __future__ import annotations

from handlers.telegram.transcript import ChatUser
from tests.conftest import Enroll, Sweep
from tests.test_followup import zh


async def talk_with_two_problems(leader: ChatUser) -> None:
    """李华 talks with 赵敏 now: two problems (due in one and three months) and the 双报告 (items 1, 2 and 3)."""
    await leader.send("/log")
    await leader.press("工作约谈")
    await leader.send("zm")
    await leader.press("刚才")
    await leader.send("落实全面从严治党主体责任情况")
    await leader.send("工程项目台账不全\n一个月内补齐并建立月报制度")
    await leader.press("1个月")
    await leader.press("➕ 添加问题")
    await leader.send("班子会议记录不规范")
    await leader.send("规范会议记录")
    await leader.press("3个月")
    await leader.press("✅ 确认登记")


async def test_a_talks_items_are_one_message_with_a_button_each(enrolled: Enroll, sweep: Sweep) -> None:
    zhao, leader = await enrolled("赵敏"), await enrolled("李华")
    before = len(await zhao.bot_messages())
    await talk_with_two_problems(leader)
    stats = await sweep()
    [delivery] = (await zhao.bot_messages())[before:]
    assert stats.rows >= 3 and stats.sent == 1
    body = str(delivery["text"])
    assert body.startswith(zh("item.digest.delivery", count=3, lead="李华"))
    assert "工程项目台账不全" in body and "班子会议记录不规范" in body and zh("item.followup_problem")[:6] in body
    assert "2025-04-05" in body and "2025-06-05" in body
    buttons = [row[0] for row in delivery["reply_markup"]["inline_keyboard"]]
    assert sorted(b["callback_data"] for b in buttons) == ["it:1:show", "it:2:show", "it:3:show"]

    second = next(b for b in buttons if "班子会议" in b["text"])
    await zhao.press(second["text"], message_id=delivery["message_id"])  # that item's card, with its buttons
    card = (await zhao.bot_messages())[-1]
    assert "班子会议记录不规范" in str(card["text"]) and "工程项目台账不全" not in str(card["text"])
    number = second["callback_data"].split(":")[1]
    acknowledged = await zhao.press("✅ 已知悉", message_id=card["message_id"])
    assert acknowledged["text"] == zh("item.acknowledged", number=number)  # that item, not another
    assert (await sweep()).sent == 0  # nothing is sent twice

