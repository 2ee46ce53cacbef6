"""Extension requests: the new deadline and the reason in one message or two; a date that cannot be read is
said to be unreadable, with examples, never "not later"."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.followup.items import read_extension
from tests.conftest import Enroll, Sweep
from tests.test_followup import inbox, new_messages, press_on, setup_talk, zh

TODAY = date(2025, 3, 5)


async def test_the_reason_on_the_same_line_as_the_date(enrolled: Enroll, sweep: Sweep) -> None:
    leader, zhao = await setup_talk(enrolled, sweep)
    lead_before = await inbox(leader)
    await press_on(zhao, "⏳ 申请延期")
    await zhao.send("2025-05-31 需要走招标流程")
    assert zhao.last_reply == zh("item.extension_sent", deadline="2025-05-31")
    await sweep()
    [request] = await new_messages(leader, lead_before)
    assert request.startswith(zh("item.notice.extension", name="赵敏", requested="2025-05-31", reason="需要走招标流程"))


async def test_a_date_alone_is_kept_and_the_reason_asked_for(enrolled: Enroll, sweep: Sweep) -> None:
    leader, zhao = await setup_talk(enrolled, sweep)
    lead_before = await inbox(leader)
    await press_on(zhao, "⏳ 申请延期")
    await zhao.send("2025年5月31日")
    assert zhao.last_reply == zh("item.ask.extend_reason", deadline="2025-05-31")
    await sweep()
    assert await new_messages(leader, lead_before) == []  # nothing reaches the interviewer without a reason
    await zhao.send("需要协调专项资金")
    assert zhao.last_reply == zh("item.extension_sent", deadline="2025-05-31")
    await sweep()
    [request] = await new_messages(leader, lead_before)
    assert request.startswith(
        zh("item.notice.extension", name="赵敏", requested="2025-05-31", reason="需要协调专项资金")
    )
    await leader.press("同意延期")
    assert leader.last_reply == zh("item.extension_decided", deadline="2025-05-31")


async def test_an_unreadable_date_is_named_as_such_and_loses_nothing(enrolled: Enroll, sweep: Sweep) -> None:
    leader, zhao = await setup_talk(enrolled, sweep)
    await press_on(zhao, "⏳ 申请延期")
    await zhao.send("等招标结束再说")
    assert zhao.last_reply == zh("item.error.extension_unreadable", deadline="2025-04-05")
    await zhao.send("下个月再说")
    assert zhao.last_reply == zh("item.error.extension_unreadable", deadline="2025-04-05")
    await zhao.send("2025-03-20 需要走招标流程")  # read, but not later
    assert zhao.last_reply == zh("item.error.extension_date", deadline="2025-04-05")
    await zhao.send("5月底前需要走招标流程")  # still waiting for the answer: nothing was lost
    assert zhao.last_reply == zh("item.extension_sent", deadline="2025-05-31")


REASONS = st.text(st.sampled_from("需要走招标流程资金协调 abcXYZ，。"), min_size=0, max_size=30).filter(
    lambda reason: not reason[:1].isascii() or reason[:1] == " "  # run on without a space, Chinese text only
)


@given(st.dates(min_value=TODAY, max_value=date(2030, 12, 31)), REASONS, st.sampled_from([" ", "\n", "，", ""]))
def test_a_date_then_a_reason_reads_back_as_both(day: date, reason: str, between: str) -> None:
    typed = f"{day.isoformat()}{between}{reason}"
    found = read_extension(typed, TODAY)
    assert found is not None and found[0] == day
    assert found[1] == reason.strip(" \t，,。.;；:：、-—\n")


@given(st.integers(1, 24))
def test_spans_in_months_and_days(count: int) -> None:
    found = read_extension(f"{count}个月 等待批复", TODAY)
    assert found is not None and found[1] == "等待批复" and found[0] > TODAY
    assert read_extension(f"{count}天内 等待批复", TODAY) == (TODAY + timedelta(days=count), "等待批复")
