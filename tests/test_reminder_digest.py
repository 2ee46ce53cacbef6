"""One message per person per round: reminders due together come as a digest with a button per item, the most
urgent first, marked 黄/红; escalations likewise. Each button brings its own item."""

from __future__ import annotations

from bot.clock import ManualClock
from handlers.telegram.transcript import ChatUser
from tests.conftest import Enroll, Sweep
from tests.test_followup import at, zh
from tests.test_talklog import quick_individual_talk


async def three_items(enrolled: Enroll, sweep: Sweep) -> tuple[ChatUser, ChatUser]:
    """李华 talks with 赵敏 three times on 2025-03-05: three items due 2025-04-05 (items 1, 3 and 5)."""
    zhao, leader = await enrolled("赵敏"), await enrolled("李华")
    for _ in range(3):
        await quick_individual_talk(leader)
    await sweep()
    return leader, zhao


async def test_three_reminders_due_together_are_one_message_with_a_button_each(
    enrolled: Enroll, sweep: Sweep, clock: ManualClock
) -> None:
    leader, zhao = await three_items(enrolled, sweep)
    before = len(await zhao.bot_messages())
    clock.set(at("2025-03-29 09:00"))
    stats = await sweep()
    [digest] = (await zhao.bot_messages())[before:]
    assert stats.sent == 1 and stats.rows == 3
    body = str(digest["text"])
    assert body.startswith(zh("item.digest.reminders", count=3))
    assert body.count(zh("item.urgency.yellow")) == 3 and body.count(zh("item.digest.before", days=7)) == 3
    buttons = [row[0] for row in digest["reply_markup"]["inline_keyboard"]]
    assert [b["callback_data"] for b in buttons] == ["it:1:show", "it:3:show", "it:5:show"]
    assert all(b["text"].startswith("🟡") for b in buttons)

    await zhao.press(buttons[1]["text"], message_id=digest["message_id"])  # the second item's card, its buttons
    card = (await zhao.bot_messages())[-1]
    assert str(card["text"]).startswith("事项 #3（" + zh("item.urgency.yellow"))
    acknowledged = await zhao.press("✅ 已知悉", message_id=card["message_id"])
    assert acknowledged["text"] == zh("item.acknowledged", number=3)  # item 3, not 1 or 5


async def test_overdue_items_come_first_marked_red_and_the_escalation_is_one_digest(
    enrolled: Enroll, sweep: Sweep, clock: ManualClock
) -> None:
    commission = await enrolled("张建平")
    leader, zhao = await three_items(enrolled, sweep)
    clock.set(at("2025-04-12 09:00"))  # 7 days overdue, all three: one escalation digest to the lead
    lead_before = len(await leader.bot_messages())
    commission_before = len(await commission.bot_messages())
    await sweep()
    [escalation] = (await leader.bot_messages())[lead_before:]
    body = str(escalation["text"])
    assert body.startswith(zh("item.digest.escalate", count=3)) and body.count("赵敏") == 3
    assert body.count(zh("item.urgency.red")) == 3 and body.count(zh("item.digest.overdue", days=7)) == 3
    assert len((await commission.bot_messages())[commission_before:]) == 1
    await leader.press(escalation["reply_markup"]["inline_keyboard"][2][0]["text"], message_id=escalation["message_id"])
    assert "#5" in leader.last_reply

    await leader.send("/followups")
    assert leader.reply_texts[0].count(zh("item.urgency.red").strip()) == 3
    await zhao.send("/items")
    assert zh("item.urgency.red").strip() in zhao.reply_texts[0]
