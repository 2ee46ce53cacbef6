"""Reading talk times and deadlines as leaders type them. Pure; property-based where it fits."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.when import Moment, add_months, check_held_at, read_deadline, read_moment

TODAY = date(2025, 3, 6)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("昨天下午3点", Moment(date(2025, 3, 5), time(15, 0))),
        ("3月5日", Moment(date(2025, 3, 5), None)),
        ("3月5号 上午10点半", Moment(date(2025, 3, 5), time(10, 30))),
        ("2025-03-05 15:00", Moment(date(2025, 3, 5), time(15, 0))),
        ("2025/3/5", Moment(date(2025, 3, 5), None)),
        ("2025年3月5日下午三点二十分", Moment(date(2025, 3, 5), time(15, 20))),
        ("三月五日", Moment(date(2025, 3, 5), None)),
        ("前天晚上8点", Moment(date(2025, 3, 4), time(20, 0))),
        ("今天 9:30", Moment(date(2025, 3, 6), time(9, 30))),
        ("中午12点", Moment(date(2025, 3, 6), time(12, 0))),
        ("yesterday 3pm", Moment(date(2025, 3, 5), time(15, 0))),
        ("12月30日", Moment(date(2024, 12, 30), None)),  # not yet this year: last year's
        ("２０２５－０３－０５", None),  # full-width dashes are not read (digits are)
        ("2025-02-30", None),
        ("25点", None),
        ("12", None),
        ("明天", None),
        ("", None),
    ],
)
def test_typed_moments(typed: str, expected: Moment | None) -> None:
    assert read_moment(typed, TODAY) == expected


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)))
def test_iso_and_chinese_forms_read_back_exactly(moment: datetime) -> None:
    minute = moment.replace(second=0, microsecond=0)
    assert read_moment(minute.strftime("%Y-%m-%d %H:%M"), TODAY) == Moment(minute.date(), minute.time())
    hour = minute.hour % 12 or 12
    part = "上午" if minute.hour < 12 else "下午"
    if minute.hour in (0, 12):
        part = "凌晨" if minute.hour == 0 else "中午"
    chinese = f"{minute.year}年{minute.month}月{minute.day}日{part}{hour}点{minute.minute}分"
    assert read_moment(chinese, TODAY) == Moment(minute.date(), minute.time())


@given(st.text(max_size=30))
def test_anything_typed_is_read_or_refused_never_crashes(typed: str) -> None:
    result = read_moment(typed, TODAY)
    assert result is None or isinstance(result, Moment)
    deadline = read_deadline(typed, TODAY)
    assert deadline is None or isinstance(deadline, date)


def test_future_and_too_old_talks_are_refused() -> None:
    now = datetime(2025, 3, 6, 15, 0)
    assert check_held_at(Moment(date(2025, 3, 6), time(14, 59)), now, 90) is None
    assert check_held_at(Moment(date(2025, 3, 6), time(15, 1)), now, 90) == "log.error.future"
    assert check_held_at(Moment(date(2025, 3, 7), None), now, 90) == "log.error.future"
    assert check_held_at(Moment(date(2025, 3, 6) - timedelta(days=90), None), now, 90) is None
    assert check_held_at(Moment(date(2025, 3, 6) - timedelta(days=91), None), now, 90) == "log.error.too_old"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1个月", date(2025, 4, 6)),
        ("3个月内", date(2025, 6, 6)),
        ("30天", date(2025, 4, 5)),
        ("2周", date(2025, 3, 20)),
        ("6月30日", date(2025, 6, 30)),
        ("1月10日", date(2026, 1, 10)),
        ("2025-06-30", date(2025, 6, 30)),
        ("soon", None),
    ],
)
def test_typed_deadlines(typed: str, expected: date | None) -> None:
    assert read_deadline(typed, TODAY) == expected


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)), st.integers(0, 60))
def test_adding_months_keeps_the_day_or_takes_the_months_last(start: date, months: int) -> None:
    later = add_months(start, months)
    assert (later.year * 12 + later.month) - (start.year * 12 + start.month) == months
    assert later.day == start.day or (later.day < start.day and (later + timedelta(days=1)).day == 1)
