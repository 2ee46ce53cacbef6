"""Reading talk times and deadlines as leaders type them: a table written by hand, and generated round trips.

The table's today is Thursday 2025-03-06: this week runs Monday 03-03 to Sunday 03-09, the last one 02-24 to
03-02, the next one 03-10 to 03-16.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.talks.when import (
    Moment,
    Reading,
    Unreadable,
    add_months,
    check_held_at,
    chinese_number,
    read_deadline,
    read_due,
    read_moment,
    read_talk_time,
)

TODAY = date(2025, 3, 6)


def day(month: int, number: int, year: int = 2025) -> date:
    return date(year, month, number)


def at(month: int, number: int, hour: int, minute: int = 0) -> Moment:
    return Moment(day(month, number), time(hour, minute))


def on(month: int, number: int, year: int = 2025) -> Moment:
    return Moment(day(month, number, year), None)


def now(hour: int, minute: int = 0) -> Moment:
    return Moment(TODAY, time(hour, minute))


ASK = "ask"  # the year (or week) was inferred: the bot shows the date back before keeping it

# typed → the moment, (the moment, ASK), or a refusal (reason, the words named)
TALK_TIMES: list[tuple[str, Moment | tuple[Moment, str] | tuple[str, str]]] = [
    # days counted from today, with a time of day
    ("昨天下午3点", at(3, 5, 15)),
    ("前天晚上8点", at(3, 4, 20)),
    ("昨晚8点", at(3, 5, 20)),
    ("今早九点", now(9)),
    ("上月15日", on(2, 15)),
    ("今天 9:30", now(9, 30)),
    ("昨天下午", on(3, 5)),  # a part of the day without its hour: the day only
    ("前天", on(3, 4)),
    ("大前天", on(3, 3)),
    ("昨日上午十点", at(3, 5, 10)),
    ("三天前", on(3, 3)),
    ("两天前下午4点", at(3, 4, 16)),
    ("10天前", on(2, 24)),
    ("明天", on(3, 7)),  # read as tomorrow; the form then says a talk cannot lie ahead
    ("yesterday 3pm", at(3, 5, 15)),
    ("yesterday at 15:00", at(3, 5, 15)),
    ("today 9:30am", now(9, 30)),
    ("the day before yesterday", on(3, 4)),
    ("3 days ago", on(3, 3)),
    ("two days ago", on(3, 4)),
    # a time alone is today's
    ("中午12点", now(12)),
    ("三点半", (now(15, 30), ASK)),  # an hour from 1 to 6 alone: the afternoon's, shown back
    ("3:30", (now(15, 30), ASK)),
    ("03:30", now(3, 30)),
    ("昨天2点", (at(3, 5, 14), ASK)),
    ("九点", now(9)),
    ("十点整", now(10)),
    ("下午3点钟", now(15)),
    ("下午三点半", now(15, 30)),
    ("15:00", now(15)),
    ("下午3点一刻", now(15, 15)),
    ("上午10点三刻", now(10, 45)),
    ("十一点", now(11)),
    ("晚上七点", now(19)),
    ("凌晨2点", now(2)),
    ("中午1点", now(13)),
    ("下午15点", now(15)),
    ("15时30分", now(15, 30)),
    ("3pm", now(15)),
    ("3:30 pm", now(15, 30)),
    ("12am", now(0)),
    # dates, with and without their year
    ("3月5日", on(3, 5)),
    ("3月5号 上午10点半", at(3, 5, 10, 30)),
    ("2025-03-05 15:00", at(3, 5, 15)),
    ("2025/3/5", on(3, 5)),
    ("2025.3.5", on(3, 5)),
    ("2025年3月5日", on(3, 5)),
    ("2025年3月5日下午三点二十分", at(3, 5, 15, 20)),
    ("三月五日", on(3, 5)),
    ("二〇二五年三月五日", on(3, 5)),
    ("二零二五年三月五日上午十点", at(3, 5, 10)),
    ("２０２５－０３－０５", on(3, 5)),
    ("3.5", on(3, 5)),
    ("3.5 下午2点", at(3, 5, 14)),
    ("3月5日15:00", at(3, 5, 15)),
    ("1月15日", on(1, 15)),
    ("March 5", on(3, 5)),
    ("March 5, 2025 at 3pm", at(3, 5, 15)),
    ("5 March 2025", on(3, 5)),
    ("Mar 5 3:30pm", at(3, 5, 15, 30)),
    ("the 5th of March", on(3, 5)),
    ("2024-02-29", on(2, 29, 2024)),
    ("去年12月30日", on(12, 30, 2024)),  # a year written relatively is a year typed
    ("今年1月15日", on(1, 15)),
    ("5号", on(3, 5)),
    ("5号下午3点", at(3, 5, 15)),
    ("20号", (on(2, 20), ASK)),  # not this month's: shown back
    ("31号", (on(1, 31), ASK)),  # February has none
    # weeks: this week's, last week's, or the nearest one behind
    ("上周五", on(2, 28)),
    ("上周五下午3点", at(2, 28, 15)),
    ("本周一", on(3, 3)),
    ("这周二上午9点", at(3, 4, 9)),
    ("周一", on(3, 3)),
    ("星期五", on(2, 28)),
    ("星期四", on(3, 6)),
    ("上星期三", on(2, 26)),
    ("礼拜天", on(3, 2)),
    ("上周日", on(3, 2)),
    ("Friday", on(2, 28)),
    ("this Monday", on(3, 3)),
    # starts and ends
    ("上月底", on(2, 28)),
    ("本月初", on(3, 1)),
    ("年初", on(1, 1)),
    ("去年年底", on(12, 31, 2024)),
    # a year the leader did not type, not this year's: shown back first
    ("12月30日", (on(12, 30, 2024), ASK)),
    ("12月1日", (on(12, 1, 2024), ASK)),
    ("3月7日", (on(3, 7, 2024), ASK)),  # this year's lies ahead
    ("2月29日", (on(2, 29, 2024), ASK)),
    ("last Friday", (on(2, 28), ASK)),  # English "last Friday" is loose: shown back
    # days and times that do not exist, named
    ("2025-02-30", ("no_such_day", "2025-02-30")),
    ("2025-02-29", ("no_such_day", "2025-02-29")),
    ("2月30日", ("no_such_day", "2月30日")),
    ("二月三十日", ("no_such_day", "2月30日")),
    ("13月1日", ("no_such_day", "13月1日")),
    ("32号", ("no_such_day", "32号")),
    ("25点", ("no_such_time", "25点")),
    ("昨天24点", ("no_such_time", "24点")),
    ("下月31日", ("no_such_day", "下月31日")),
    ("昨天25点", ("no_such_time", "25点")),
    ("昨天下午3点70分", ("no_such_time", "下午3点70分")),
    ("上午15点", ("no_such_time", "上午15点")),
    ("13pm", ("no_such_time", "13pm")),
    # not read at all
    ("晚上12点", ("unread", "晚上12点")),  # noon or midnight: not guessed
    ("下辈子", ("unread", "下辈子")),
    ("12", ("unread", "12")),
    ("30天", ("unread", "30天")),  # a span is no talk time
    ("", ("unread", "")),
    ("soon", ("unread", "soon")),
]

# typed → the deadline, (the deadline, ASK), or a refusal (reason, the words named)
DEADLINES: list[tuple[str, date | tuple[date, str] | tuple[str, str]]] = [
    # weeks and days ahead
    ("下周五", day(3, 14)),
    ("本周五", day(3, 7)),
    ("周五", day(3, 7)),
    ("Friday", day(3, 7)),
    ("下下周一", day(3, 17)),
    ("明天", day(3, 7)),
    ("明天下午3点", day(3, 7)),  # a deadline keeps its day
    ("后天", day(3, 8)),
    ("周末", day(3, 9)),
    ("本周内", day(3, 9)),
    ("下周末", day(3, 16)),
    ("next Friday", (day(3, 14), ASK)),
    # spans from today
    ("三个月内", day(6, 6)),
    ("3个月", day(6, 6)),
    ("两个月后", day(5, 6)),
    ("一个月后", day(4, 6)),
    ("半年", day(9, 6)),
    ("半年内", day(9, 6)),
    ("半个月", day(3, 21)),
    ("两周内", day(3, 20)),
    ("2周后", day(3, 20)),
    ("一个星期内", day(3, 13)),
    ("30天内", day(4, 5)),
    ("一百天内", day(6, 14)),
    ("三十天", day(4, 5)),
    ("1年", day(3, 6, 2026)),
    ("一年内", day(3, 6, 2026)),
    ("in 3 months", day(6, 6)),
    ("within 30 days", day(4, 5)),
    ("in two weeks", day(3, 20)),
    ("6 months", day(9, 6)),
    ("half a year", day(9, 6)),
    ("a week from now", day(3, 13)),
    # ends of months, quarters and years
    ("月底", day(3, 31)),
    ("本月底", day(3, 31)),
    ("月内", day(3, 31)),
    ("下月底", day(4, 30)),
    ("下个月底", day(4, 30)),
    ("下月初", day(4, 1)),
    ("3月底", day(3, 31)),
    ("12月底", day(12, 31)),
    ("2026年3月底", day(3, 31, 2026)),
    ("年底", day(12, 31)),
    ("年底前", day(12, 31)),
    ("今年年底", day(12, 31)),
    ("年内", day(12, 31)),
    ("明年底", day(12, 31, 2026)),
    ("季度末", day(3, 31)),
    ("下季度末", day(6, 30)),
    ("三季度末", day(9, 30)),
    ("第四季度末", day(12, 31)),
    ("by end of March", day(3, 31)),
    ("end of April 2026", day(4, 30, 2026)),
    ("end of next month", day(4, 30)),
    ("end of the month", day(3, 31)),
    ("end of the year", day(12, 31)),
    ("end of next year", day(12, 31, 2026)),
    ("end of the quarter", day(3, 31)),
    ("end of Q2", day(6, 30)),
    # dates
    ("6月30日", day(6, 30)),
    ("6月30日前", day(6, 30)),
    ("6月30日之前", day(6, 30)),
    ("截至6月30日", day(6, 30)),
    ("2025-06-30", day(6, 30)),
    ("2025年6月30日", day(6, 30)),
    ("6.30", day(6, 30)),
    ("June 30", day(6, 30)),
    ("by June 30", day(6, 30)),
    ("3月6日", day(3, 6)),  # today
    ("明年1月15日", day(1, 15, 2026)),
    ("明年3月底", day(3, 31, 2026)),
    ("今年6月底", day(6, 30)),
    ("后年底", day(12, 31, 2027)),
    ("end of this year", day(12, 31)),
    ("6月30日前完成", day(6, 30)),
    ("12月31日24时前", day(12, 31)),  # the end of that day
    ("本月20日前", day(3, 20)),
    ("下月5号", day(4, 5)),
    ("下个月十五日", day(4, 15)),
    ("3个月内完成", day(6, 6)),
    ("30日内", day(4, 5)),
    ("20号", day(3, 20)),
    ("5号", (day(4, 5), ASK)),
    # a year the leader did not type, not this year's: shown back first
    ("1月10日", (day(1, 10, 2026), ASK)),
    ("1月15日前", (day(1, 15, 2026), ASK)),
    ("3月5日", (day(3, 5, 2026), ASK)),
    ("2月底", (day(2, 28, 2026), ASK)),
    # read, though behind: the form says the deadline has passed
    ("3天前", day(3, 3)),
    ("昨天", day(3, 5)),
    # refused
    ("2月30日", ("no_such_day", "2月30日")),
    ("0000年底", ("no_such_day", "0000年底")),
    ("9999年12月底后", ("unread", "9999年12月底后")),
    ("9000年", ("unread", "9000年")),
    ("明天25点", ("no_such_time", "25点")),
    ("3月", ("unread", "3月")),  # March, or three months? Not guessed
    ("3月内", ("unread", "3月内")),
    ("下辈子", ("unread", "下辈子")),
    ("尽快", ("unread", "尽快")),
    ("soon", ("unread", "soon")),
]


@pytest.mark.parametrize(("typed", "expected"), TALK_TIMES)
def test_talk_times_as_typed(typed: str, expected: Moment | tuple[object, str]) -> None:
    try:
        reading = read_talk_time(typed, TODAY)
    except Unreadable as refusal:
        assert (refusal.reason, refusal.part) == expected
        return
    if isinstance(expected, Moment):
        assert reading == Reading(expected, confirm=False)
    else:
        assert isinstance(expected[0], Moment), reading
        assert reading == Reading(expected[0], confirm=True)


@pytest.mark.parametrize(("typed", "expected"), DEADLINES)
def test_deadlines_as_typed(typed: str, expected: date | tuple[object, str]) -> None:
    try:
        reading = read_due(typed, TODAY)
    except Unreadable as refusal:
        assert (refusal.reason, refusal.part) == expected
        return
    if isinstance(expected, date):
        assert (reading.moment.day, reading.confirm) == (expected, False)
    else:
        assert (reading.moment.day, reading.confirm) == (expected[0], True)


def test_the_table_is_large_enough() -> None:
    assert len(TALK_TIMES) + len(DEADLINES) >= 80


def test_the_none_returning_readers_agree() -> None:
    assert read_moment("昨天下午3点", TODAY) == at(3, 5, 15)
    assert read_moment("2月30日", TODAY) is None
    assert read_deadline("下周五", TODAY) == day(3, 14)
    assert read_deadline("尽快", TODAY) is None


def test_days_past_the_calendars_end_are_refused_not_raised() -> None:
    last_month = date(9999, 12, 1)
    for typed in ("后年底", "明年3月5日", "999个月", "10000天"):
        with pytest.raises(Unreadable) as refusal:
            read_due(typed, last_month)
        assert refusal.value.reason in ("no_such_day", "unread"), typed


def test_chinese_numbers_keep_their_meaning() -> None:
    assert [chinese_number(n) for n in ("一", "十", "十二", "二十", "二十三", "三十一", "二〇二五", "两")] == [
        1,
        10,
        12,
        20,
        23,
        31,
        2025,
        2,
    ]


# ---- generated round trips ----------------------------------------------------------------------------------

NUMERALS = "〇一二三四五六七八九"


def chinese(number: int) -> str:
    """12 → 十二, 30 → 三十, 7 → 七 (below 100)."""
    tens, ones = divmod(number, 10)
    if tens == 0:
        return NUMERALS[ones]
    return ("" if tens == 1 else NUMERALS[tens]) + "十" + (NUMERALS[ones] if ones else "")


def chinese_year(year: int) -> str:
    return "".join(NUMERALS[int(digit)] for digit in str(year))


ENGLISH_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September"]
ENGLISH_MONTHS += ["October", "November", "December"]


def with_year(when: date) -> list[str]:
    """A date in the forms people type it, its year included."""
    month, number, year = when.month, when.day, when.year
    name = ENGLISH_MONTHS[month - 1]
    return [
        when.isoformat(),
        f"{year}/{month}/{number}",
        f"{year}.{month}.{number}",
        f"{year}年{month}月{number}日",
        f"{chinese_year(year)}年{chinese(month)}月{chinese(number)}日",
        f"{name} {number}, {year}",
        f"{number} {name[:3]} {year}",
    ]


def without_year(when: date) -> list[str]:
    month, number = when.month, when.day
    name = ENGLISH_MONTHS[month - 1]
    return [f"{month}月{number}日", f"{chinese(month)}月{chinese(number)}号", f"{month}.{number}", f"{name} {number}"]


dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


@given(dates, dates)
def test_dates_with_their_year_read_back_exactly(when: date, today: date) -> None:
    for typed in with_year(when):
        assert read_talk_time(typed, today) == Reading(Moment(when, None)), typed
        assert read_due(typed, today).moment.day == when, typed


@given(dates, st.integers(0, 360))
def test_a_date_without_its_year_is_the_nearest_on_the_right_side(today: date, days: int) -> None:
    behind, ahead = today - timedelta(days=days), today + timedelta(days=days)
    for typed in without_year(behind):
        assert read_talk_time(typed, today) == Reading(Moment(behind, None), confirm=behind.year != today.year), typed
    for typed in without_year(ahead):
        assert read_due(typed, today) == Reading(Moment(ahead, None), confirm=ahead.year != today.year), typed


@given(dates, st.integers(0, 23), st.integers(0, 59))
def test_times_of_day_read_back_in_every_form(when: date, hour: int, minute: int) -> None:
    expected = Reading(Moment(when, time(hour, minute)))
    twelve = hour % 12 or 12
    part = {0: "凌晨", 12: "中午"}.get(hour, "上午" if hour < 12 else "下午")
    suffix = "am" if hour < 12 else "pm"
    forms = [
        f"{when.isoformat()} {hour:02d}:{minute:02d}",
        f"{when.year}年{when.month}月{when.day}日{part}{twelve}点{minute}分",
        f"{chinese_year(when.year)}年{chinese(when.month)}月{chinese(when.day)}日{part}{chinese(twelve)}点"
        + (f"{chinese(minute)}分" if minute else ""),
        f"{ENGLISH_MONTHS[when.month - 1]} {when.day}, {when.year} at {twelve}:{minute:02d}{suffix}",
    ]
    for typed in forms:
        assert read_talk_time(typed, TODAY) == expected, typed


@given(dates, st.integers(1, 36))
def test_spans_ahead_in_digits_chinese_and_english(today: date, count: int) -> None:
    assert read_due(f"{count}个月", today).moment.day == add_months(today, count)
    assert read_due(f"{chinese(count)}个月内", today).moment.day == add_months(today, count)
    assert read_due(f"in {count} months", today).moment.day == add_months(today, count)
    assert read_due(f"{chinese(count)}天内", today).moment.day == today + timedelta(days=count)
    assert read_due(f"{count}周后", today).moment.day == today + timedelta(weeks=count)
    assert read_talk_time(f"{chinese(count)}天前", today).moment.day == today - timedelta(days=count)


@given(dates, st.integers(0, 6))
def test_weekdays_fall_in_the_week_named(today: date, weekday: int) -> None:
    name = "一二三四五六日"[weekday]
    monday = today - timedelta(days=today.weekday())
    assert read_due(f"下周{name}", today).moment.day == monday + timedelta(days=7 + weekday)
    assert read_talk_time(f"上星期{name}", today).moment.day == monday + timedelta(days=weekday - 7)
    assert read_talk_time(f"本周{name}", today).moment.day == monday + timedelta(days=weekday)
    behind = read_talk_time(f"周{name}", today).moment.day
    ahead = read_due(f"周{name}", today).moment.day
    assert behind.weekday() == ahead.weekday() == weekday
    assert 0 <= (today - behind).days < 7 and 0 <= (ahead - today).days < 7


@given(st.text(max_size=30))
def test_anything_typed_is_read_or_refused_never_crashes(typed: str) -> None:
    for reader in (read_talk_time, read_due):
        try:
            assert isinstance(reader(typed, TODAY), Reading)
        except Unreadable as refusal:
            assert refusal.reason in ("unread", "no_such_day", "no_such_time")


def test_future_and_too_old_talks_are_refused() -> None:
    moment = datetime(2025, 3, 6, 15, 0)
    assert check_held_at(Moment(date(2025, 3, 6), time(14, 59)), moment, 90) is None
    assert check_held_at(Moment(date(2025, 3, 6), time(15, 1)), moment, 90) == "log.error.future"
    assert check_held_at(Moment(date(2025, 3, 7), None), moment, 90) == "log.error.future"
    assert check_held_at(Moment(date(2025, 3, 6) - timedelta(days=90), None), moment, 90) is None
    assert check_held_at(Moment(date(2025, 3, 6) - timedelta(days=91), None), moment, 90) == "log.error.too_old"


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)), st.integers(0, 60))
def test_adding_months_keeps_the_day_or_takes_the_months_last(start: date, months: int) -> None:
    later = add_months(start, months)
    assert (later.year * 12 + later.month) - (start.year * 12 + start.month) == months
    assert later.day == start.day or (later.day < start.day and (later + timedelta(days=1)).day == 1)
