"""Rectification follow-up end to end: items reach the person talked to, reminders fall due as the clock
moves, reports are verified, extensions decided, failures reported — all through the emulator."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.clock import ManualClock
from bot.config import Config
from bot.i18n import text
from handlers.telegram.app import running
from handlers.telegram.transcript import ChatUser, EmulatorClient
from storage import audit
from storage.db import open_engine, sessions
from storage.models import RectificationItem
from tests.conftest import MESSENGERS, Enroll, People, Sweep
from tests.test_talklog import quick_individual_talk

ZONE = ZoneInfo("Asia/Shanghai")


def zh(key: str, /, **params: object) -> str:
    return text("zh-CN", key, **params)


DELIVERED = text("zh-CN", "item.digest.delivery", count=2, lead="李华")  # a quick talk's item and 双报告


def at(local: str) -> datetime:
    return datetime.fromisoformat(local).replace(tzinfo=ZONE).astimezone(UTC)


async def inbox(user: ChatUser) -> list[str]:
    """What the bot has sent this person without being asked (everything, in order)."""
    return [str(m.get("text", "")) for m in await user.bot_messages()]


async def new_messages(user: ChatUser, before: list[str]) -> list[str]:
    return (await inbox(user))[len(before) :]


async def press_on(user: ChatUser, label: str, containing: str = "工程项目台账不全") -> dict[str, object]:
    """Press `label` on the newest message that mentions `containing` (several items may show the same buttons); on
    a list of items (a talk's delivery, a digest), first that item's button, which brings its card."""
    for message in reversed(await user.bot_messages()):
        if containing in str(message.get("text", "")) and message.get("reply_markup"):
            labels = [button["text"] for row in message["reply_markup"]["inline_keyboard"] for button in row]
            if label not in labels:
                opening = next(found for found in labels if containing[:6] in found)
                await user.press(opening, message_id=message["message_id"])
                return await press_on(user, label, containing)
            return await user.press(label, message_id=message["message_id"])
    raise AssertionError(f"no message with {containing!r} and buttons")


async def setup_talk(enrolled: Enroll, sweep: Sweep) -> tuple[ChatUser, ChatUser]:
    """李华 talks with 赵敏 at 15:00 on 2025-03-05; one item due 2025-04-05; the deliveries are swept out."""
    zhao = await enrolled("赵敏")
    leader = await enrolled("李华")
    await quick_individual_talk(leader)
    await sweep()
    return leader, zhao


async def acknowledgements(config: Config) -> tuple[list[str], list[datetime | None]]:
    """The acknowledgement audit entries' subjects, and every item's acknowledgement time."""
    engine = open_engine(config.database_url)
    async with sessions(engine)() as session:
        entries = [entry.subject for entry in await audit.entries(session, "item.acknowledge")]
        times = list(
            (await session.scalars(select(RectificationItem.acknowledged_at).order_by(RectificationItem.id))).all()
        )
    await engine.dispose()
    return entries, times


async def test_items_are_delivered_on_confirmation_with_their_buttons(
    enrolled: Enroll, sweep: Sweep, config: Config
) -> None:
    leader, zhao = await setup_talk(enrolled, sweep)
    [delivered] = (await zhao.bot_messages())[-1:]  # the problem and the 双报告, in one message
    listed = str(delivered["text"])
    assert listed.startswith(zh("item.digest.delivery", count=2, lead="李华"))
    assert "工程项目台账不全" in listed and "2025-04-05" in listed
    assert zh("item.followup_problem")[:20] in listed and "2025-06-05" in listed
    assert (await sweep()).sent == 0  # nothing is sent twice
    [opening, _] = [row[0]["text"] for row in delivered["reply_markup"]["inline_keyboard"]]
    await zhao.press(opening, message_id=delivered["message_id"])
    card = (await zhao.bot_messages())[-1]
    problem = str(card["text"])
    assert "工程项目台账不全" in problem and "2025-04-05" in problem and "2025-03-05" in problem and "李华" in problem
    labels = [b["text"] for row in card["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["✅ 已知悉", "📝 报告进展", "✔️ 报告完成", "⏳ 申请延期"]
    before = len(await zhao.bot_messages())
    acknowledged = await press_on(zhao, "✅ 已知悉")
    assert acknowledged["text"] == zh("item.acknowledged", number=1)  # the press's own notice, no new message
    assert len(await zhao.bot_messages()) == before
    entries, times = await acknowledgements(config)
    assert entries == ["item:1"] and times[0] is not None and times[1:] == [None]
    again = await press_on(zhao, "✅ 已知悉")  # a second press changes nothing and says the same
    assert again["text"] == zh("item.acknowledged", number=1)
    assert await acknowledgements(config) == (entries, times)


@pytest.mark.parametrize("messenger", MESSENGERS)
async def test_every_default_reminder_at_its_local_time_and_escalation(
    enrolled: Enroll, sweep: Sweep, clock: ManualClock, messenger: str
) -> None:
    commission = await enrolled("张建平")
    leader, zhao = await setup_talk(enrolled, sweep)
    expected = [
        ("2025-03-29 09:00", zh("item.notice.before", days=7)),
        ("2025-04-04 09:00", zh("item.notice.before", days=1)),
        ("2025-04-05 09:00", zh("item.notice.due")),
        ("2025-04-08 09:00", zh("item.notice.overdue", days=3)),
        ("2025-04-11 09:00", zh("item.notice.overdue", days=6)),
        ("2025-04-14 09:00", zh("item.notice.overdue", days=9)),
    ]
    for moment, notice in expected:
        before = await inbox(zhao)
        clock.set(at(moment) - timedelta(minutes=1))
        await sweep()
        assert await new_messages(zhao, before) == [], moment
        clock.set(at(moment))
        await sweep()
        arrived = await new_messages(zhao, before)
        assert len(arrived) == 1 and arrived[0].startswith(notice), (moment, arrived)
        if moment == "2025-04-11 09:00":  # escalation is the next morning, once, to the lead and the commission
            lead_before, commission_before = await inbox(leader), await inbox(commission)
            clock.set(at("2025-04-12 09:00"))
            await sweep()
            escalation = zh("item.notice.escalate", name="赵敏", days=7)
            assert [m[: len(escalation)] for m in await new_messages(leader, lead_before)] == [escalation]
            assert [m[: len(escalation)] for m in await new_messages(commission, commission_before)] == [escalation]


async def test_quiet_hours_hold_a_late_delivery_until_morning(
    enrolled: Enroll, sweep: Sweep, clock: ManualClock
) -> None:
    zhao = await enrolled("赵敏")
    leader = await enrolled("李华")
    clock.set(at("2025-03-05 23:10"))
    await quick_individual_talk(leader)
    before = await inbox(zhao)
    await sweep()
    assert await new_messages(zhao, before) == []
    clock.set(at("2025-03-06 07:59"))
    await sweep()
    assert await new_messages(zhao, before) == []
    clock.set(at("2025-03-06 08:00"))
    await sweep()
    assert len(await new_messages(zhao, before)) == 1  # the talk's item and 双报告, in one message


@pytest.mark.parametrize("messenger", MESSENGERS)
async def test_progress_completion_send_back_and_closing(
    enrolled: Enroll, sweep: Sweep, clock: ManualClock, messenger: str
) -> None:
    leader, zhao = await setup_talk(enrolled, sweep)
    lead_before = await inbox(leader)
    await press_on(zhao, "📝 报告进展")
    assert zhao.last_reply == zh("item.ask.progress", number=1)
    await zhao.send("已补齐2月份台账")
    assert zhao.last_reply == zh("item.report_saved")
    await sweep()
    [progress] = await new_messages(leader, lead_before)
    assert progress.startswith(zh("item.notice.progress", name="赵敏", report="已补齐2月份台账"))

    await press_on(zhao, "✔️ 报告完成")
    await zhao.send("台账已全部补齐,月报制度已建立")
    await zhao.send_file("photo", "ledger.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 16)
    assert zhao.last_reply == zh("item.evidence_saved")
    await zhao.press("完成")
    await sweep()
    verify = (await leader.bot_messages())[-1]
    assert str(verify["text"]).startswith(zh("item.notice.verify", name="赵敏", report="台账已全部补齐,月报制度已建立"))
    await leader.press("↩️ 退回")
    await leader.send("缺少3月份月报")
    assert leader.last_reply == zh("item.sent_back_done")
    zhao_before = await inbox(zhao)
    await sweep()
    [sent_back] = await new_messages(zhao, zhao_before)
    assert sent_back.startswith(zh("item.notice.sent_back", reason="缺少3月份月报"))

    await press_on(zhao, "✔️ 报告完成")
    await zhao.send("3月份月报已补充")
    await sweep()
    await leader.press("✅ 销号")
    assert leader.last_reply == zh("item.closed_done")
    zhao_before = await inbox(zhao)
    await sweep()
    assert [m[:10] for m in await new_messages(zhao, zhao_before)] == [zh("item.notice.closed")[:10]]
    # A closed item gets no more reminders: the problem item stays silent through its deadline; the 双报告
    # report item (still open) is the only one that reminds.
    clock.set(at("2025-04-20 09:00"))
    zhao_before = await inbox(zhao)
    await sweep()
    assert await new_messages(zhao, zhao_before) == []
    await leader.send("/followups")
    assert zh("followups.state", state=zh("item.state.closed"), count=1) in leader.last_reply
    await zhao.send("/items")
    assert any(said.startswith(zh("item.list_title", count=1)) for said in zhao.reply_texts)


async def test_extension_approved_moves_the_reminders_and_declined_keeps_them(
    enrolled: Enroll, sweep: Sweep, clock: ManualClock
) -> None:
    leader, zhao = await setup_talk(enrolled, sweep)
    await press_on(zhao, "⏳ 申请延期")
    await zhao.send("2025-03-01\n太早的日期")
    assert zhao.last_reply == zh("item.error.extension_date", deadline="2025-04-05")
    await zhao.send("2025-05-31\n需要协调专项资金")
    assert zhao.last_reply == zh("item.extension_sent", deadline="2025-05-31")
    await sweep()
    assert str((await leader.bot_messages())[-1]["text"]).startswith(
        zh("item.notice.extension", name="赵敏", requested="2025-05-31", reason="需要协调专项资金")
    )
    await leader.press("同意延期")
    assert leader.last_reply == zh("item.extension_decided", deadline="2025-05-31")
    zhao_before = await inbox(zhao)
    await sweep()
    assert (await new_messages(zhao, zhao_before))[0].startswith(
        zh("item.notice.extension_approved", requested="2025-05-31")
    )
    # The old deadline passes in silence; the new one's reminders come.
    for moment in ("2025-03-29 09:00", "2025-04-05 09:00", "2025-04-08 09:00"):
        clock.set(at(moment))
        zhao_before = await inbox(zhao)
        await sweep()
        assert await new_messages(zhao, zhao_before) == [], moment
    clock.set(at("2025-05-24 09:00"))
    await sweep()
    assert (await inbox(zhao))[-1].startswith(zh("item.notice.before", days=7))

    await press_on(zhao, "⏳ 申请延期")
    await zhao.send("2025-08-31\n再延期")
    await sweep()
    await leader.press("不同意")
    assert leader.last_reply == zh("item.extension_decided", deadline="2025-05-31")
    zhao_before = await inbox(zhao)
    await sweep()
    assert (await new_messages(zhao, zhao_before))[0].startswith(zh("item.notice.extension_declined"))


async def test_the_followup_report_is_reminded_like_an_item(enrolled: Enroll, sweep: Sweep, clock: ManualClock) -> None:
    leader, zhao = await setup_talk(enrolled, sweep)
    await press_on(zhao, "✔️ 报告完成")  # the problem item is done and closed, so only the 双报告 report remains
    await zhao.send("已整改")
    await sweep()
    await leader.press("✅ 销号")
    await sweep()
    clock.set(at("2025-05-29 09:00"))
    zhao_before = await inbox(zhao)
    await sweep()
    [reminder] = await new_messages(zhao, zhao_before)
    assert reminder.startswith(zh("item.notice.before", days=7)) and zh("item.followup_problem") in reminder


async def test_unenrolled_people_get_an_invite_link_to_forward(enrolled: Enroll, person: People) -> None:
    leader = await enrolled("李华")
    await quick_individual_talk(leader)
    invite = leader.reply_texts[-2]
    assert invite.startswith("赵敏 尚未绑定账号") and "https://t.me/talkledger_bot?start=" in invite
    code = invite.split("start=")[1]
    zhao = person("赵敏")
    await zhao.send(f"/start {code}")
    assert "赵敏" in zhao.last_reply


async def test_a_blocked_recipient_is_reported_once_to_the_interviewer_and_commission(
    enrolled: Enroll, sweep: Sweep, control: EmulatorClient, clock: ManualClock
) -> None:
    commission = await enrolled("张建平")
    zhao = await enrolled("赵敏")
    leader = await enrolled("李华")
    await control.post("block", {"user_id": zhao.user_id})
    await quick_individual_talk(leader)
    stats = await sweep()
    assert stats.failed == 1  # the talk's delivery; the lead and the commission are each told once
    unreachable = zh("item.notice.unreachable", name="赵敏", reason="Forbidden: bot was blocked by the user")
    assert (await inbox(leader))[-1].startswith(unreachable)
    assert (await inbox(commission))[-1].startswith(unreachable)
    clock.set(at("2025-03-29 09:00"))
    stats = await sweep()
    assert stats.failed == 1 and stats.sent == 0  # the reminder fails too, but nobody is told twice


async def test_messenger_faults_are_retried_until_delivered(
    enrolled: Enroll, sweep: Sweep, control: EmulatorClient, clock: ManualClock
) -> None:
    zhao = await enrolled("赵敏")
    leader = await enrolled("李华")
    before = await inbox(zhao)
    await control.post("faults", {"method": "sendMessage", "status": 502, "count": 1, "chat_id": zhao.user_id})
    await control.post(
        "faults", {"method": "sendMessage", "status": "timeout", "delay": 6, "count": 1, "chat_id": zhao.user_id}
    )
    await control.post(
        "faults", {"method": "sendMessage", "status": 429, "retry_after": 1, "count": 1, "chat_id": zhao.user_id}
    )
    await quick_individual_talk(leader)
    for _ in range(6):
        await sweep()
        clock.advance(timedelta(seconds=30))
    arrived = await new_messages(zhao, before)
    assert [message.split("\n")[0] for message in arrived] == [DELIVERED]


async def test_a_bot_killed_mid_dispatch_loses_nothing(
    config: Config, clock: ManualClock, control: EmulatorClient, invites: dict[str, str]
) -> None:
    names = ["赵敏", "孙磊"]
    async with running(config, clock, poll_timeout=1) as application:
        people = {name: ChatUser(control, application, 7000 + i, name) for i, name in enumerate(names)}
        for name, user in people.items():
            await user.send(f"/start {invites[name]}")
        leader = ChatUser(control, application, 7100, "李华")
        await leader.send(f"/start {invites['李华']}")
        for subject in ("zm", "sl"):
            await leader.send("/log")
            await leader.press("工作约谈")
            await leader.send(subject)
            await leader.press("刚才")
            await leader.send("主题")
            await leader.send("问题\n措施")
            await leader.press("1个月")
            await leader.press("✅ 确认登记")
        # The first delivery hangs; the bot is killed while waiting for it, with rows claimed and unsent.
        await control.post("faults", {"method": "sendMessage", "status": "timeout", "delay": 30, "count": 1})
        sweep = asyncio.create_task(application.bot_data["sweeper"].sweep())
        await asyncio.sleep(1.5)
        sweep.cancel()
    async with running(config, clock, poll_timeout=1) as application:
        await application.bot_data["sweeper"].sweep()
    for user in people.values():
        texts = [str(m.get("text", ""))[:10] for m in await user.bot_messages()]
        assert texts.count(DELIVERED[:10]) == 1, texts  # the problem and the 双报告, once


async def test_the_scheduled_sweep_delivers_without_being_asked(
    config: Config, clock: ManualClock, control: EmulatorClient, invites: dict[str, str]
) -> None:
    """With a sweep interval configured, APScheduler (PTB's JobQueue) plans and sends on its own."""
    scheduled = dataclasses.replace(config, outbox=dataclasses.replace(config.outbox, sweep_seconds=1))
    async with running(scheduled, clock, poll_timeout=1) as application:
        zhao = ChatUser(control, application, 7200, "赵敏")
        await zhao.send(f"/start {invites['赵敏']}")
        leader = ChatUser(control, application, 7201, "李华")
        await leader.send(f"/start {invites['李华']}")
        await quick_individual_talk(leader)
        for _ in range(100):  # the job runs in the background: look until it has delivered (at most 10 s)
            if len(await inbox(zhao)) >= 2:
                break
            await asyncio.sleep(0.1)
        assert [m.split("\n")[0] for m in (await inbox(zhao))[1:]] == [DELIVERED]


async def test_the_commission_follows_up_and_verifies_items_in_its_scope(enrolled: Enroll, sweep: Sweep) -> None:
    commission = await enrolled("张建平")
    leader, zhao = await setup_talk(enrolled, sweep)
    await press_on(zhao, "✔️ 报告完成")
    await zhao.send("已全部整改")
    await commission.send("/followups")
    assert (
        text("zh-CN", "followups.state", state=text("zh-CN", "item.state.awaiting"), count=1)
        in commission.reply_texts[0]
    )
    await commission.press("✅ 销号")
    assert commission.last_reply == zh("item.closed_done")
    other = await enrolled("王强")  # a leader of another district may not verify
    await other.send("/followups")
    assert other.last_reply == zh("followups.none")
