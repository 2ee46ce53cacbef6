"""The period and question parsers, pure: every example of the issue, and generated periods at their edges."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.questions.periods import Period, find_period, half, month, quarter, year
from bot.questions.reader import NotUnderstood, Question, parse_question

TODAY = date(2025, 3, 6)
NAMES = dict(
    kinds=["工作约谈", "提醒约谈", "告诫约谈", "廉政谈话", "诫勉谈话"],
    rank_levels=["地厅级", "县处级", "乡科级", "其他"],
    units=["兰州市", "兰州市/城关区", "兰州市/城关区/建设局", "兰州市/榆中县"],
    people=["张建平", "李华", "赵敏"],
)
THIS_YEAR = Period(date(2025, 1, 1), date(2026, 1, 1))


@pytest.mark.parametrize(
    ("typed", "period", "measure", "breakdown", "filters"),
    [
        ("本月约谈多少次", month(2025, 3), "talks", None, {}),
        ("上个月各类约谈分别多少", month(2025, 2), "talks", "kind", {}),
        ("上季度告诫约谈几次", quarter(2024, 4), "talks", None, {"kinds": ("告诫约谈",)}),
        ("今年上半年约谈人次按级别统计", half(2025, 1), "person_times", "rank", {}),
        ("2015年1-6月约谈情况", Period(date(2015, 1, 1), date(2015, 7, 1)), "talks", None, {}),
        ("去年12月城关区约谈了多少人次", month(2024, 12), "person_times", None, {"units": ("兰州市/城关区",)}),
        (
            "今年以来张建平主持了几次约谈",
            Period(date(2025, 1, 1), date(2025, 3, 7)),
            "talks",
            None,
            {"interviewers": ("张建平",)},
        ),
        ("最近30天集体约谈几次", Period(date(2025, 2, 5), date(2025, 3, 7)), "talks", None, {"collective": True}),
        ("逾期未整改的问题有哪些", THIS_YEAR, "overdue", None, {}),
        ("整改完成率", THIS_YEAR, "completion", None, {}),
        ("各单位约谈次数排名", THIS_YEAR, "talks", "unit", {}),
        ("县处级干部本季度被约谈多少人次", quarter(2025, 1), "person_times", None, {"rank_levels": ("县处级",)}),
        ("how many talks this month", month(2025, 3), "talks", None, {}),
        ("reminder talks last quarter by unit", quarter(2024, 4), "talks", "unit", {"kinds": ("提醒约谈",)}),
        ("person-times in 2015 H1 by rank level", half(2015, 1), "person_times", "rank", {}),
        ("overdue items", THIS_YEAR, "overdue", None, {}),
    ],
)
def test_every_example_of_the_issue(
    typed: str, period: Period, measure: str, breakdown: str | None, filters: dict[str, object]
) -> None:
    question = parse_question(typed, TODAY, **NAMES)
    assert isinstance(question, Question)
    assert (question.period, question.measure, question.breakdown) == (period, measure, breakdown)
    for key, value in filters.items():
        assert getattr(question, key) == value, key
    for key in {"kinds", "rank_levels", "units", "interviewers"} - set(filters):
        assert getattr(question, key) == (), key


@pytest.mark.parametrize("typed", ["你好", "天气怎么样", "", "12345", "谢谢"])
def test_what_is_not_a_question_is_not_understood(typed: str) -> None:
    assert isinstance(parse_question(typed, TODAY, **NAMES), NotUnderstood)


@given(st.dates(min_value=date(2001, 1, 1), max_value=date(2098, 12, 31)))
def test_relative_periods_contain_today_or_end_where_the_next_begins(today: date) -> None:
    this_month = find_period("本月", today)
    last_month = find_period("上个月", today)
    this_quarter = find_period("本季度", today)
    last_quarter = find_period("上季度", today)
    this_year = find_period("今年", today)
    assert this_month and last_month and this_quarter and last_quarter and this_year
    assert this_month.period.start <= today < this_month.period.end and this_month.period.start.day == 1
    assert last_month.period.end == this_month.period.start
    assert (
        this_quarter.period.start <= today < this_quarter.period.end
        and last_quarter.period.end == this_quarter.period.start
    )
    assert this_quarter.period.start.month in (1, 4, 7, 10)
    assert this_year.period == year(today.year)
    so_far = find_period("今年以来", today)
    assert so_far and so_far.period == Period(date(today.year, 1, 1), today + timedelta(days=1))
    recent = find_period("最近30天", today)
    assert recent and (recent.period.end - recent.period.start).days == 30 and recent.period.last_day == today


@given(st.integers(1990, 2099), st.integers(1, 12))
def test_months_end_where_the_next_begins_leap_years_included(year_number: int, month_number: int) -> None:
    period = month(year_number, month_number)
    assert period.end == (period.last_day + timedelta(days=1)) and period.end.day == 1
    if month_number == 2:
        leap = year_number % 4 == 0 and (year_number % 100 != 0 or year_number % 400 == 0)
        assert period.last_day.day == (29 if leap else 28)
    found = find_period(f"{year_number}年{month_number}月", TODAY)
    assert found and found.period == period


@given(st.integers(1990, 2099), st.integers(1, 4))
def test_quarters_and_halves_tile_the_year(year_number: int, number: int) -> None:
    quarters = [quarter(year_number, q) for q in range(1, 5)]
    assert quarters[0].start == date(year_number, 1, 1) and quarters[-1].end == date(year_number + 1, 1, 1)
    assert all(a.end == b.start for a, b in zip(quarters, quarters[1:], strict=False))
    assert half(year_number, 1).end == half(year_number, 2).start == date(year_number, 7, 1)
    for typed in (f"{year_number}Q{number}", f"{year_number}年第{number}季度"):
        found = find_period(typed, TODAY)
        assert found and found.period == quarters[number - 1], typed
