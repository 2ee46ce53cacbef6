"""The question reader as a commission member meets it, through the emulator: a question with any part the reader
cannot explain gets no figure and the part is named; a person as the one talked to or as the interviewer; rank
synonyms; units by path; two units of one name asked about; a name outside the scope read like an unknown one;
every /stats button's answer covers the period its label names. The ledger and its true figures are
tests/test_stats.py's."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.config import Config
from bot.i18n import text
from tests.conftest import Enroll, People
from tests.test_stats import FixtureTalk, figures, seed_ledger, truth

NO_FIGURE = "共开展约谈"


@pytest.fixture
async def ledger(config: Config, invites: dict[str, str]) -> list[FixtureTalk]:
    return await seed_ledger(config)


async def test_a_question_with_a_part_the_reader_cannot_explain_gets_no_figure_and_the_part_is_named(
    enrolled: Enroll, ledger: list[FixtureTalk]
) -> None:
    commission = await enrolled("张建平")
    for typed, leftover in [
        ("三十天约谈多少次", "三十天"),  # a time it cannot read
        ("2025年3月第二周约谈多少次", "2025年3月第二周"),  # a time word
        ("上旬约谈几次", "上旬"),
        ("今年王某被约谈几次", "王某"),  # a name not on the roster
        ("今年永登县约谈多少次", "永登县"),  # a unit not known
        ("今年永登县建设局约谈多少次", "永登县"),
        ("今年正部级干部约谈多少人次", "正部级"),  # a rank level not known
        ("今年警示约谈几次", "警示约谈"),  # a kind not configured
        ("本约谈多少次", "本"),  # typos
        ("今年约谈多好次", "多好"),
    ]:
        await commission.send(typed)
        reply = commission.last_reply
        # No figure: no number in the reply but those typed.
        assert NO_FIGURE not in reply and all(n in typed for n in re.findall(r"\d+", reply)), (typed, reply)
        assert text("zh-CN", "stats.ask.leftovers", words=f"“{leftover}”") in reply, (typed, reply)

    await commission.send("去年城关区约谈了多少人次三十天")
    assert commission.last_reply == text(
        "zh-CN",
        "stats.not_understood",
        understood=text("zh-CN", "stats.understood", parts="去年 · 约谈人次 · 兰州市/城关区"),
        leftovers=text("zh-CN", "stats.ask.leftovers", words="“三十天”"),
        nearest="",
    )


async def test_a_breakdown_or_filter_the_figure_cannot_take_is_said_not_dropped(
    enrolled: Enroll, ledger: list[FixtureTalk]
) -> None:
    commission = await enrolled("张建平")
    await commission.send("各单位整改完成率")
    assert "%" not in commission.last_reply and "整改完成率" in commission.last_reply
    assert text("zh-CN", "stats.ask.unsupported", parts="按单位") in commission.last_reply
    await commission.send("城关区一把手约谈覆盖率")
    assert "%" not in commission.last_reply
    assert text("zh-CN", "stats.ask.unsupported", parts="兰州市/城关区") in commission.last_reply
    await commission.send("今年约谈次数按单位按月")  # two breakdowns: one answer would drop one
    assert NO_FIGURE not in commission.last_reply
    assert text("zh-CN", "stats.ask.competing", parts="按单位 · 按月份") in commission.last_reply


async def test_the_nearest_reading_is_offered_and_answers_when_pressed(
    enrolled: Enroll, ledger: list[FixtureTalk]
) -> None:
    commission = await enrolled("张建平")
    await commission.send("三十天约谈多少次")
    assert NO_FIGURE not in commission.last_reply and text("zh-CN", "stats.ask.nearest") in commission.last_reply
    assert (await commission.buttons())[0] == "近30天约谈多少次"
    await commission.press("近30天约谈多少次")
    assert figures(commission.last_reply) == truth(ledger, date(2025, 2, 4), date(2025, 3, 6))


async def test_a_person_as_the_one_talked_to_and_as_the_interviewer(
    enrolled: Enroll, ledger: list[FixtureTalk]
) -> None:
    commission = await enrolled("张建平")
    so_far = (date(2025, 1, 1), date(2025, 3, 6))
    talked_to = [
        t for t in ledger if so_far[0] <= t.held.date() < so_far[1] and any(s[0] == "李华" for s in t.subjects)
    ]

    await commission.send("今年以来李华被约谈几次")
    assert figures(commission.last_reply) == (len(talked_to), len(talked_to))  # one person-time each: 李华's own
    assert "李华 被约谈" in commission.last_reply.splitlines()[0]
    await commission.send("今年以来对李华约谈多少人次")
    assert figures(commission.last_reply) == (len(talked_to), len(talked_to))

    await commission.send("今年以来李华主持了几次约谈")
    led = truth(ledger, *so_far, lead="李华")
    assert figures(commission.last_reply) == led and led[0] != len(talked_to)
    assert "李华 主持的约谈" in commission.last_reply.splitlines()[0]

    await commission.send("今年以来李华的约谈情况")  # which one? asked, not guessed
    assert NO_FIGURE not in commission.last_reply
    assert await commission.buttons() == ["李华 主持的约谈", "李华 被约谈"]
    await commission.press("李华 被约谈")
    assert figures(commission.last_reply) == (len(talked_to), len(talked_to))


async def test_rank_synonyms_and_units_by_path(enrolled: Enroll, ledger: list[FixtureTalk]) -> None:
    commission = await enrolled("张建平")
    year = (date(2025, 1, 1), date(2026, 1, 1))
    for typed, rank in [("处级干部今年被约谈多少人次", "县处级"), ("科级干部今年被约谈多少人次", "乡科级")]:
        await commission.send(typed)
        assert figures(commission.last_reply) == truth(ledger, *year, rank=rank), typed
    await commission.send("厅级干部今年被约谈多少人次")
    assert figures(commission.last_reply) == truth(ledger, *year, rank="地厅级")
    for typed in (
        "兰州市/城关区/建设局今年约谈多少次",
        "城关区建设局今年约谈多少次",
        "兰州市城关区建设局今年约谈多少次",
    ):
        await commission.send(typed)
        assert figures(commission.last_reply) == truth(ledger, *year, unit="兰州市/城关区/建设局"), typed
        assert "兰州市/城关区/建设局" in commission.last_reply.splitlines()[0]
    await commission.send("兰州市/城关区今年约谈多少次")
    assert figures(commission.last_reply) == truth(ledger, *year, unit="兰州市/城关区")


async def test_a_unit_named_with_those_above_it_written_apart_is_that_unit_or_no_figure(
    enrolled: Enroll, ledger: list[FixtureTalk]
) -> None:
    commission = await enrolled("张建平")
    year = (date(2025, 1, 1), date(2026, 1, 1))
    for typed, unit in [
        ("兰州市的城关区今年约谈多少次", "兰州市/城关区"),  # not 兰州市's figure
        ("兰州市 城关区今年约谈多少次", "兰州市/城关区"),
        ("城关区的教育局今年约谈多少次", "兰州市/城关区/教育局"),  # not asked which 教育局
        ("榆中县里的教育局今年约谈多少次", "兰州市/榆中县/教育局"),
    ]:
        await commission.send(typed)
        assert figures(commission.last_reply) == truth(ledger, *year, unit=unit), typed
        assert unit in commission.last_reply.splitlines()[0], typed
    await commission.send("城关区和榆中县今年约谈多少次")  # a list: the talks of either, each talk once
    in_either = [
        [s for s in t.subjects if s[1].startswith(("兰州市/城关区", "兰州市/榆中县"))]
        for t in ledger
        if year[0] <= t.held.date() < year[1]
    ]
    assert figures(commission.last_reply) == (sum(1 for s in in_either if s), sum(map(len, in_either)))
    for typed, leftover in [
        ("兰州市教育局今年约谈多少次", "兰州市教育局"),  # two 教育局 under 兰州市
        ("市纪委的教育局今年约谈多少次", "市纪委的教育局"),  # none under 市纪委
        ("城关区榆中县教育局今年约谈多少次", "城关区榆中县教育局"),  # two units side by side
        ("请提醒一下今年约谈多少次", "提醒"),  # a verb, not 提醒约谈
        ("今年其他约谈几次", "其他约谈"),  # not the rank 其他
        ("约谈人数是多少", "人数"),  # distinct people: a figure not given, not person-times
    ]:
        await commission.send(typed)
        reply = commission.last_reply
        assert NO_FIGURE not in reply and all(n in typed for n in re.findall(r"\d+", reply)), (typed, reply)
        assert text("zh-CN", "stats.ask.leftovers", words=f"“{leftover}”") in reply, (typed, reply)


async def test_two_units_of_one_name_are_asked_about_and_answered_after_the_press(
    enrolled: Enroll, ledger: list[FixtureTalk]
) -> None:
    commission = await enrolled("张建平")
    await commission.send("今年教育局约谈多少次")  # 城关区 and 榆中县 each have one
    assert NO_FIGURE not in commission.last_reply and "“教育局”" in commission.last_reply
    assert await commission.buttons() == ["兰州市/城关区/教育局", "兰州市/榆中县/教育局"]
    await commission.press("兰州市/榆中县/教育局")
    year = (date(2025, 1, 1), date(2026, 1, 1))
    assert figures(commission.last_reply) == truth(ledger, *year, unit="兰州市/榆中县/教育局")
    assert "兰州市/榆中县/教育局" in commission.last_reply.splitlines()[0]


async def test_a_name_or_unit_outside_the_scope_is_replied_to_exactly_like_an_unknown_one(
    enrolled: Enroll, ledger: list[FixtureTalk]
) -> None:
    leader = await enrolled("李华")  # leads 兰州市/城关区; 王强 and 榆中县 are elsewhere
    for elsewhere, nowhere, question in [
        ("王强", "王某", "今年{}被约谈几次"),
        ("榆中县", "永登县", "今年{}约谈多少次"),
        ("周涛", "周某", "今年以来约谈{}几次"),
    ]:
        await leader.send(question.format(elsewhere))
        outside = leader.last_reply
        outside_buttons = await leader.buttons()
        await leader.send(question.format(nowhere))
        assert outside.replace(elsewhere, "?") == leader.last_reply.replace(nowhere, "?") and NO_FIGURE not in outside
        assert outside_buttons == await leader.buttons()


async def test_every_stats_button_answers_the_period_its_label_names(
    enrolled: Enroll, ledger: list[FixtureTalk], clock: ManualClock
) -> None:
    commission = await enrolled("张建平")
    march = {  # today 2025-03-05: each label and the days it must cover, by hand
        "本月：2025年3月": (date(2025, 3, 1), date(2025, 3, 31)),
        "上月：2025年2月": (date(2025, 2, 1), date(2025, 2, 28)),
        "本季度：2025年第1季度（1—3月）": (date(2025, 1, 1), date(2025, 3, 31)),
        "2025年上半年（1—6月）": (date(2025, 1, 1), date(2025, 6, 30)),
        "今年：2025年": (date(2025, 1, 1), date(2025, 12, 31)),
    }
    november = {  # the first half is over: both halves are offered, each for what it says
        "本月：2025年11月": (date(2025, 11, 1), date(2025, 11, 30)),
        "上月：2025年10月": (date(2025, 10, 1), date(2025, 10, 31)),
        "本季度：2025年第4季度（10—12月）": (date(2025, 10, 1), date(2025, 12, 31)),
        "2025年上半年（1—6月）": (date(2025, 1, 1), date(2025, 6, 30)),
        "2025年下半年（7—12月）": (date(2025, 7, 1), date(2025, 12, 31)),
        "今年：2025年": (date(2025, 1, 1), date(2025, 12, 31)),
    }
    await commission.send("/stats")
    clock.set(datetime(2025, 4, 1, 2, 0, tzinfo=UTC))  # the month turns while the buttons are on the screen
    await commission.press("本月：2025年3月")
    assert commission.last_reply.splitlines()[0] == "📊 2025年3月 · 2025-03-01 至 2025-03-31 · 兰州市"
    clock.set(datetime(2025, 3, 5, 7, 0, tzinfo=UTC))
    for today, expected in ((None, march), (datetime(2025, 11, 20, 2, 0, tzinfo=UTC), november)):
        if today is not None:
            clock.set(today)
        await commission.send("/stats")
        assert await commission.buttons() == list(expected)
        for label, (first, last) in expected.items():
            await commission.send("/stats")
            await commission.press(label)
            heading = commission.last_reply.splitlines()[0]
            named = label.split("：")[-1]
            assert heading == f"📊 {named} · {first} 至 {last} · 兰州市", label
            assert figures(commission.last_reply) == truth(ledger, first, last + timedelta(days=1)), label


async def test_the_group_chat_gets_the_same_account_of_what_was_not_understood(
    enrolled: Enroll, ledger: list[FixtureTalk], person: People
) -> None:
    commission = await enrolled("张建平")
    in_group = person("张建平", chat={"id": -100778, "type": "supergroup", "title": "市纪委工作群"})
    in_group.user_id = commission.user_id
    await in_group.send("/group")
    await in_group.send("/ask 三十天约谈多少次")
    assert NO_FIGURE not in in_group.last_reply and "“三十天”" in in_group.last_reply
    assert in_group.replies[-1].get("reply_markup") is None
    await in_group.send("/ask 今年教育局约谈多少次")  # two units: how to say which, as there are no buttons here
    assert in_group.last_reply == text(
        "zh-CN",
        "stats.ask.which_unbuttoned",
        understood=text("zh-CN", "stats.understood", parts="今年 · 约谈次数"),
        words="“教育局”",
    )
    await in_group.send("/ask 处级干部本月被约谈多少人次")
    assert figures(in_group.last_reply) == truth(ledger, date(2025, 3, 1), date(2025, 4, 1), rank="县处级")


async def test_a_period_still_to_come_gets_no_figure_but_is_said_to_be_to_come(
    enrolled: Enroll, ledger: list[FixtureTalk]
) -> None:
    commission = await enrolled("张建平")
    for typed, when, understood in [
        ("下个月约谈多少次", "下个月", "约谈次数"),
        ("明年城关区约谈几次", "明年", "约谈次数 · 兰州市/城关区"),
    ]:
        await commission.send(typed)
        reply = commission.last_reply
        assert NO_FIGURE not in reply and all(n in typed for n in re.findall(r"\d+", reply)), (typed, reply)
        understood_text = text("zh-CN", "stats.understood", parts=understood)
        assert reply == text("zh-CN", "stats.ask.future", understood=understood_text, parts=when)


async def test_a_period_or_units_read_two_ways_are_asked_about_and_answered_after_the_press(
    enrolled: Enroll, ledger: list[FixtureTalk]
) -> None:
    commission = await enrolled("张建平")
    await commission.send("10月以后约谈多少次")  # with October or from November: asked
    assert NO_FIGURE not in commission.last_reply and "“10月以后”" in commission.last_reply
    assert await commission.buttons() == ["2024-10-01—2025-03-05", "2024-11-01—2025-03-05"]
    await commission.press("2024-11-01—2025-03-05")
    assert figures(commission.last_reply) == truth(ledger, date(2024, 11, 1), date(2025, 3, 6))

    await commission.send("城关区和榆中县的教育局今年约谈多少次")  # 城关区 whole, or its 教育局 too
    assert NO_FIGURE not in commission.last_reply and "“城关区”" in commission.last_reply
    assert await commission.buttons() == ["兰州市/城关区", "兰州市/城关区/教育局"]
    await commission.press("兰州市/城关区/教育局")
    in_either = [
        [s for s in t.subjects if s[1] in ("兰州市/城关区/教育局", "兰州市/榆中县/教育局")]
        for t in ledger
        if date(2025, 1, 1) <= t.held.date() < date(2026, 1, 1)
    ]
    assert figures(commission.last_reply) == (sum(1 for s in in_either if s), sum(map(len, in_either)))
