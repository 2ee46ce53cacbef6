"""Periods as the commission names them: 本月, 上个月, 上季度, 今年上半年, 2015年1-6月, 去年12月, 今年以来,
最近30天, this month, last quarter, 2015 H1, 2025Q1 … Pure: text and today's local date in, a date range out.

A period is [start, end): `end` is the day after the last day, so months, quarters and years add up exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from bot.when import add_months, chinese_number


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # exclusive

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def label(self) -> str:
        return f"{self.start.isoformat()}—{self.last_day.isoformat()}"


def month(year: int, number: int) -> Period:
    start = date(year, number, 1)
    return Period(start, add_months(start, 1))


def quarter(year: int, number: int) -> Period:
    start = date(year, 3 * (number - 1) + 1, 1)
    return Period(start, add_months(start, 3))


def half(year: int, number: int) -> Period:
    start = date(year, 1 if number == 1 else 7, 1)
    return Period(start, add_months(start, 6))


def year(number: int) -> Period:
    return Period(date(number, 1, 1), date(number + 1, 1, 1))


def _numeral(text: str) -> int:
    return int(text) if text.isdigit() else chinese_number(text)


_NUM = r"(\d{1,2}|十[一二]?|[一二三四五六七八九])"


@dataclass(frozen=True)
class PeriodMatch:
    """A period read from a question, and where in the text it was written: the question reader counts those
    characters as explained and looks at whatever is left."""

    period: Period
    words: str  # as typed
    spans: tuple[tuple[int, int], ...]  # [start, end) offsets into the text


def find_period(text: str, today: date) -> PeriodMatch | None:
    """The period named in `text` and where it was named, or None when there is none."""
    lowered = text.lower()
    this_quarter = (today.month - 1) // 3 + 1
    rules: list[tuple[str, object]] = [
        (
            r"(\d{4})\s*年?\s*" + _NUM + r"\s*[-–—~至到]\s*" + _NUM + r"\s*月",
            lambda m: Period(month(int(m[1]), _numeral(m[2])).start, month(int(m[1]), _numeral(m[3])).end),
        ),
        (r"(\d{4})\s*年\s*(上|下)半年", lambda m: half(int(m[1]), 1 if m[2] == "上" else 2)),
        (r"(\d{4})\s*(h[12])\b|\b(h[12])\s*(\d{4})", lambda m: half(int(m[1] or m[4]), int((m[2] or m[3])[1]))),
        (
            r"(\d{4})\s*(?:年\s*)?(?:第\s*)?([一二三四1-4])\s*季度|(\d{4})\s*q([1-4])\b|\bq([1-4])\s*(\d{4})",
            lambda m: quarter(int(m[1] or m[3] or m[6]), _numeral(m[2] or m[4] or m[5])),
        ),
        (r"(\d{4})\s*[-/年]\s*" + _NUM + r"\s*月?(?!\s*[-–—~至到\d日号])", lambda m: month(int(m[1]), _numeral(m[2]))),
        (r"(\d{4})\s*年?(?!\s*[-/\d月第上下q])", lambda m: year(int(m[1]))),
        (
            r"(今年|本年度?|this year)?\s*(上|下)半年|(first|second) half( of (the|this) year)?",
            lambda m: half(today.year, 1 if (m[2] == "上" or m[3] == "first") else 2),
        ),
        (r"(去年|last year)\s*(上|下)半年", lambda m: half(today.year - 1, 1 if m[2] == "上" else 2)),
        (r"(去年|上一?年)\s*" + _NUM + r"\s*月", lambda m: month(today.year - 1, _numeral(m[2]))),
        (r"(今年)?\s*(?<![\d年])" + _NUM + r"\s*月份?(?!\s*[-–—~至到])", lambda m: month(today.year, _numeral(m[2]))),
        (
            r"今年以来|年初以来|本年以来|year to date|so far this year",
            lambda m: Period(date(today.year, 1, 1), today + timedelta(days=1)),
        ),
        (
            r"(最近|近|过去|last|past)\s*(\d{1,3})\s*(天|日|days?)",
            lambda m: Period(today - timedelta(days=int(m[2]) - 1), today + timedelta(days=1)),
        ),
        (r"本月|这个月|当月|this month", lambda m: month(today.year, today.month)),
        (
            r"上个?月|上一个?月|last month|previous month",
            lambda m: month(add_months(today, -1).year, add_months(today, -1).month),
        ),
        (r"本季度?|这个?季度|this quarter", lambda m: quarter(today.year, this_quarter)),
        (
            r"上个?季度|上一个?季度|last quarter|previous quarter",
            lambda m: quarter(today.year if this_quarter > 1 else today.year - 1, this_quarter - 1 or 4),
        ),
        (r"(今年|本年度?)?\s*第?\s*([一二三四1-4])\s*季度", lambda m: quarter(today.year, _numeral(m[2]))),
        (r"今年|本年度?|this year|全年", lambda m: year(today.year)),
        (r"去年|上一?年度?|last year", lambda m: year(today.year - 1)),
    ]
    for pattern, build in rules:
        found = re.search(pattern, lowered)
        if found is None:
            continue
        try:
            period = build(found)  # type: ignore[operator]
        except (ValueError, KeyError):
            return None  # a month 13, a quarter 5: named, but not a period
        if period.start >= period.end:
            return None
        return PeriodMatch(period, text[found.start() : found.end()], (found.span(),))
    return None
