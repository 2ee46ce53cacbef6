"""Dates in the talk form end to end: a leader types talk times and deadlines as people write them; what is saved
is read back from the database. The clock stands at 15:00 on Wednesday 2025-03-05 in Lanzhou unless moved."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import ManualClock
from handlers.telegram.transcript import ChatUser
from tests.conftest import Enroll, fw
from tests.test_talklog import ledger, ledger_number, saved_talk, zh

__all__ = ["ledger"]  # the fixture, shared with tests/test_talklog.py


async def start_talk(leader: ChatUser, held: str = "刚才") -> None:
    """An individual talk with 赵敏, up to the first problem's deadline question."""
    await leader.send("/log")
    await leader.press("工作约谈")
    await leader.send("赵敏")
    if held == "刚才":
        await leader.press(held)
    else:
        await leader.send(held)
    await leader.send("落实主体责任情况")


async def deadlines_saved(leader: ChatUser, session: AsyncSession) -> list[date]:
    await leader.press("✅ 确认登记")
    talk = await saved_talk(session, ledger_number(leader.last_reply))
    return [item.deadline for item in talk.items if item.kind == "problem"]


async def test_deadlines_typed_as_next_friday_month_end_and_a_span_are_saved_as_those_days(
    enrolled: Enroll, ledger: AsyncSession
) -> None:
    leader = await enrolled("李华")
    await start_talk(leader, "昨天下午3点")
    await leader.send("工程项目台账不全\n补齐台账")
    await leader.send("下周五")
    assert leader.last_reply.startswith(zh("log.review.title"))
    assert fw("期限:2025-03-14") in leader.last_reply
    await leader.press("➕ 添加问题")
    await leader.send("班子会议记录不规范\n规范会议记录")
    await leader.send("月底")
    assert fw("期限:2025-03-31") in leader.last_reply
    await leader.press("➕ 添加问题")
    await leader.send("食堂经费公示不及时\n每月公示")
    await leader.send("三个月内")
    assert await deadlines_saved(leader, ledger) == [date(2025, 3, 14), date(2025, 3, 31), date(2025, 6, 5)]


async def test_english_deadlines(enrolled: Enroll, ledger: AsyncSession) -> None:
    leader = await enrolled("李华")
    await leader.send("/lang")
    await leader.press("English")
    await leader.send("/log")
    await leader.press("工作约谈")
    await leader.send("赵敏")
    await leader.send("yesterday 3pm")
    await leader.send("Party building")
    await leader.send("Ledger incomplete\nComplete it")
    await leader.send("by end of March")
    await leader.press("➕ Add a problem")
    await leader.send("Minutes missing\nKeep minutes")
    await leader.send("in 2 weeks")
    await leader.press("✅ Confirm")
    talk = await saved_talk(ledger, leader.last_reply.split("ledger number ")[1].split(".")[0])
    assert talk.held_at == datetime(2025, 3, 4, 7, 0, tzinfo=UTC)
    assert [item.deadline for item in talk.items if item.kind == "problem"] == [date(2025, 3, 31), date(2025, 3, 19)]


async def test_a_talk_day_typed_without_its_year_in_january_is_shown_back_yes_keeps_it_no_asks_again(
    enrolled: Enroll, ledger: AsyncSession, clock: ManualClock
) -> None:
    leader = await enrolled("李华")
    clock.set(datetime(2026, 1, 5, 2, 0, tzinfo=UTC))  # 10:00 on Monday 5 January 2026 in Lanzhou
    await leader.send("/log")
    await leader.press("工作约谈")
    await leader.send("赵敏")
    await leader.send("12月20日")
    assert leader.last_reply == zh("log.ask.confirm_day", when="2025-12-20")
    assert await leader.buttons() == ["是", "不是，重新输入", "✖ 取消"]
    await leader.press("不是，重新输入")
    assert leader.last_reply == zh("log.ask.held_at")
    await leader.send("十二月二十日下午3点")
    assert leader.last_reply == zh("log.ask.confirm_day", when="2025-12-20 15:00")
    await leader.press("是")
    assert leader.last_reply == zh("log.ask.topic", limit=200)
    await leader.send("年终述职")
    await leader.press("无问题")
    assert fw("时间:2025-12-20 15:00") in leader.last_reply
    await leader.press("✅ 确认登记")
    assert "2025-000001" in leader.last_reply  # last year's talk takes last year's ledger number
    talk = await saved_talk(ledger, "2025-000001")
    assert talk.held_at == datetime(2025, 12, 20, 7, 0, tzinfo=UTC) and talk.time_known


async def test_a_deadline_typed_without_its_year_in_december_is_shown_back_before_it_is_kept(
    enrolled: Enroll, ledger: AsyncSession, clock: ManualClock
) -> None:
    leader = await enrolled("李华")
    clock.set(datetime(2025, 12, 10, 2, 0, tzinfo=UTC))  # 10:00 on 10 December 2025
    await start_talk(leader)
    await leader.send("工程项目台账不全\n补齐台账")
    await leader.send("1月15日")
    assert leader.last_reply == zh("log.ask.confirm_day", when="2026-01-15")
    await leader.press("不是，重新输入")
    assert leader.last_reply == zh("log.ask.deadline")
    await leader.send("一月十五日前")
    assert leader.last_reply == zh("log.ask.confirm_day", when="2026-01-15")
    await leader.press("是")
    assert fw("期限:2026-01-15") in leader.last_reply
    await leader.press("➕ 添加问题")
    await leader.send("班子会议记录不规范\n规范会议记录")
    await leader.send("2月1日")
    assert leader.last_reply == zh("log.ask.confirm_day", when="2026-02-01")
    await leader.send("12月31日")  # typed instead of Yes or No: a new answer, this year's, kept at once
    assert leader.last_reply.startswith(zh("log.review.title"))
    assert await deadlines_saved(leader, ledger) == [date(2026, 1, 15), date(2025, 12, 31)]


async def test_impossible_days_and_times_and_the_wrong_side_are_refused_by_name_a_guess_shown_back(
    enrolled: Enroll,
) -> None:
    leader = await enrolled("李华")
    await leader.send("/log")
    await leader.press("工作约谈")
    await leader.send("赵敏")
    await leader.send("2月30日")
    assert leader.reply_texts == [zh("log.error.no_such_day", part="2月30日"), zh("log.ask.held_at")]
    await leader.send("昨天25点")
    assert leader.reply_texts == [zh("log.error.no_such_time", part="25点"), zh("log.ask.held_at")]
    await leader.send("下周五")
    assert leader.reply_texts[0] == zh("log.error.future", when="2025-03-14")
    await leader.send("昨天3点")  # without 上午 or 下午: the afternoon's, shown back
    assert leader.last_reply == zh("log.ask.confirm_day", when="2025-03-04 15:00")
    await leader.press("是")
    assert leader.last_reply == zh("log.ask.topic", limit=200)
    await leader.send("主题")
    await leader.send("问题\n措施")
    await leader.send("二月三十日")
    assert leader.reply_texts == [zh("log.error.no_such_day", part="2月30日"), zh("log.ask.deadline")]
    await leader.send("3天前")
    assert leader.reply_texts[0] == zh("log.error.deadline_past", day="2025-03-02")
    await leader.send("4月31日")
    assert leader.reply_texts[0] == zh("log.error.no_such_day", part="4月31日")
    await leader.send("4月30日")
    assert fw("期限:2025-04-30") in leader.last_reply
    assert fw("时间:2025-03-04 15:00") in leader.last_reply
