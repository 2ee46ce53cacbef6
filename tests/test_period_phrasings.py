"""Periods as people write them: a table of phrasings, each with the period written by hand (or None: refused),
read on two days — late November, when quarters and halves of this year have all begun, and mid-January, when
last year's are the recent ones. Then generated periods rendered several ways and read back.

Reading a bare month, quarter or half: the latest one that has begun (in January, 12月 is last December).
Counted back (近N天/past N months): today included, N days or N calendar months back.

dateparser 1.5.0 was run once over both tables (search_dates, languages zh and en, RELATIVE_BASE the table's day,
PREFER_DAY_OF_MONTH first, PREFER_DATES_FROM past; not a dependency): it returns one date, never a span, so at best
the first day of the period. Of 696 phrasings it gave that first day on 131 (a whole period only for single days),
another date on 332 (35 of them phrasings that must be refused), and nothing on 191 that name a period. Our grammar
stays.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.questions.periods import Period, find_period, half, looks_like_time, month, quarter, suggest_periods, year

NOVEMBER = date(2026, 11, 29)  # a Sunday; Q4 and H2 have begun
JANUARY = date(2027, 1, 15)  # a Friday; last year's December, Q4 and H2 are the recent ones


def days(first: str, last: str) -> Period:
    """From `first` to `last`, both included."""
    return Period(date.fromisoformat(first), date.fromisoformat(last) + timedelta(days=1))


def day(which: str) -> Period:
    return days(which, which)


NOVEMBER_TABLE: list[tuple[str, Period | None]] = [
    # days and weeks
    ("今天", day("2026-11-29")),
    ("今日", day("2026-11-29")),
    ("当天", day("2026-11-29")),
    ("昨天", day("2026-11-28")),
    ("昨日", day("2026-11-28")),
    ("前天", day("2026-11-27")),
    ("前一天", day("2026-11-28")),
    ("today", day("2026-11-29")),
    ("yesterday", day("2026-11-28")),
    ("本周", days("2026-11-23", "2026-11-29")),
    ("这周", days("2026-11-23", "2026-11-29")),
    ("这个星期", days("2026-11-23", "2026-11-29")),
    ("本星期", days("2026-11-23", "2026-11-29")),
    ("上周", days("2026-11-16", "2026-11-22")),
    ("上个星期", days("2026-11-16", "2026-11-22")),
    ("上星期", days("2026-11-16", "2026-11-22")),
    ("上礼拜", days("2026-11-16", "2026-11-22")),
    ("上一周", days("2026-11-16", "2026-11-22")),
    ("上上周", days("2026-11-09", "2026-11-15")),
    ("this week", days("2026-11-23", "2026-11-29")),
    ("last week", days("2026-11-16", "2026-11-22")),
    ("previous week", days("2026-11-16", "2026-11-22")),
    ("the week before last", days("2026-11-09", "2026-11-15")),
    ("上周一", day("2026-11-16")),
    ("上周五", day("2026-11-20")),
    ("本周三", day("2026-11-25")),
    ("周三", day("2026-11-25")),
    ("星期天", day("2026-11-29")),
    ("礼拜一", day("2026-11-23")),
    ("周一到周五", days("2026-11-23", "2026-11-27")),
    ("上周五到本周三", days("2026-11-20", "2026-11-25")),
    # counted back from today
    ("近7天", days("2026-11-23", "2026-11-29")),
    ("近七天", days("2026-11-23", "2026-11-29")),
    ("近7日", days("2026-11-23", "2026-11-29")),
    ("最近7天", days("2026-11-23", "2026-11-29")),
    ("最近一周", days("2026-11-23", "2026-11-29")),
    ("近一周", days("2026-11-23", "2026-11-29")),
    ("过去7天", days("2026-11-23", "2026-11-29")),
    ("过去一周", days("2026-11-23", "2026-11-29")),
    ("过去的一周", days("2026-11-23", "2026-11-29")),
    ("7天内", days("2026-11-23", "2026-11-29")),
    ("近7天内", days("2026-11-23", "2026-11-29")),
    ("近10天", days("2026-11-20", "2026-11-29")),
    ("近十天", days("2026-11-20", "2026-11-29")),
    ("近两周", days("2026-11-16", "2026-11-29")),
    ("最近两个星期", days("2026-11-16", "2026-11-29")),
    ("近14天", days("2026-11-16", "2026-11-29")),
    ("近30天", days("2026-10-31", "2026-11-29")),
    ("近三十天", days("2026-10-31", "2026-11-29")),
    ("最近30天", days("2026-10-31", "2026-11-29")),
    ("最近三十日", days("2026-10-31", "2026-11-29")),
    ("过去30天", days("2026-10-31", "2026-11-29")),
    ("30天以内", days("2026-10-31", "2026-11-29")),
    ("三十天之内", days("2026-10-31", "2026-11-29")),
    ("近60天", days("2026-10-01", "2026-11-29")),
    ("近90天", days("2026-09-01", "2026-11-29")),
    ("近九十天", days("2026-09-01", "2026-11-29")),
    ("近100天", days("2026-08-22", "2026-11-29")),
    ("近一百天", days("2026-08-22", "2026-11-29")),
    ("近一个月", days("2026-10-30", "2026-11-29")),
    ("最近1个月", days("2026-10-30", "2026-11-29")),
    ("近两个月", days("2026-09-30", "2026-11-29")),
    ("近2个月", days("2026-09-30", "2026-11-29")),
    ("近三个月", days("2026-08-30", "2026-11-29")),
    ("过去三个月", days("2026-08-30", "2026-11-29")),
    ("最近3个月", days("2026-08-30", "2026-11-29")),
    ("三个月内", days("2026-08-30", "2026-11-29")),
    ("近一个季度", days("2026-08-30", "2026-11-29")),
    ("近半年", days("2026-05-30", "2026-11-29")),
    ("最近半年", days("2026-05-30", "2026-11-29")),
    ("过去半年", days("2026-05-30", "2026-11-29")),
    ("近六个月", days("2026-05-30", "2026-11-29")),
    ("近一年", days("2025-11-30", "2026-11-29")),
    ("过去一年", days("2025-11-30", "2026-11-29")),
    ("过去的一年", days("2025-11-30", "2026-11-29")),
    ("近12个月", days("2025-11-30", "2026-11-29")),
    ("近两年", days("2024-11-30", "2026-11-29")),
    ("近三个月以来", days("2026-08-30", "2026-11-29")),
    ("近两个季度", days("2026-05-30", "2026-11-29")),
    ("两个月内", days("2026-09-30", "2026-11-29")),
    ("last 7 days", days("2026-11-23", "2026-11-29")),
    ("the last 7 days", days("2026-11-23", "2026-11-29")),
    ("last seven days", days("2026-11-23", "2026-11-29")),
    ("past 7 days", days("2026-11-23", "2026-11-29")),
    ("in the past 7 days", days("2026-11-23", "2026-11-29")),
    ("past week", days("2026-11-23", "2026-11-29")),
    ("the past week", days("2026-11-23", "2026-11-29")),
    ("last 30 days", days("2026-10-31", "2026-11-29")),
    ("over the last thirty days", days("2026-10-31", "2026-11-29")),
    ("last 2 weeks", days("2026-11-16", "2026-11-29")),
    ("past two weeks", days("2026-11-16", "2026-11-29")),
    ("past month", days("2026-10-30", "2026-11-29")),
    ("past three months", days("2026-08-30", "2026-11-29")),
    ("the past 3 months", days("2026-08-30", "2026-11-29")),
    ("last 3 months", days("2026-08-30", "2026-11-29")),
    ("last six months", days("2026-05-30", "2026-11-29")),
    ("last 12 months", days("2025-11-30", "2026-11-29")),
    ("past year", days("2025-11-30", "2026-11-29")),
    ("within the last 90 days", days("2026-09-01", "2026-11-29")),
    # months
    ("本月", month(2026, 11)),
    ("这个月", month(2026, 11)),
    ("这月", month(2026, 11)),
    ("当月", month(2026, 11)),
    ("本月内", month(2026, 11)),
    ("在本月", month(2026, 11)),
    ("上月", month(2026, 10)),
    ("上个月", month(2026, 10)),
    ("上一个月", month(2026, 10)),
    ("前一个月", month(2026, 10)),
    ("上上个月", month(2026, 9)),
    ("上上月", month(2026, 9)),
    ("下个月", month(2026, 12)),
    ("this month", month(2026, 11)),
    ("current month", month(2026, 11)),
    ("last month", month(2026, 10)),
    ("previous month", month(2026, 10)),
    ("the month before last", month(2026, 9)),
    ("next month", month(2026, 12)),
    ("3月", month(2026, 3)),
    ("三月", month(2026, 3)),
    ("3月份", month(2026, 3)),
    ("三月份", month(2026, 3)),
    ("11月", month(2026, 11)),
    ("十一月", month(2026, 11)),
    ("12月", month(2025, 12)),  # this December has not begun
    ("十二月", month(2025, 12)),
    ("今年3月", month(2026, 3)),
    ("今年三月份", month(2026, 3)),
    ("今年12月", month(2026, 12)),
    ("去年3月", month(2025, 3)),
    ("去年12月", month(2025, 12)),
    ("去年十二月份", month(2025, 12)),
    ("上一年12月", month(2025, 12)),
    ("前年5月", month(2024, 5)),
    ("2025年3月", month(2025, 3)),
    ("2025年03月", month(2025, 3)),
    ("2025年3月份", month(2025, 3)),
    ("二〇二五年三月", month(2025, 3)),
    ("二零二五年十月", month(2025, 10)),
    ("2025-03", month(2025, 3)),
    ("2025-3", month(2025, 3)),
    ("2025/03", month(2025, 3)),
    ("2025.03", month(2025, 3)),
    ("２０２５年３月", month(2025, 3)),
    ("March", month(2026, 3)),
    ("in March", month(2026, 3)),
    ("December", month(2025, 12)),
    ("March 2025", month(2025, 3)),
    ("Mar 2025", month(2025, 3)),
    ("Mar. 2025", month(2025, 3)),
    ("march 2025", month(2025, 3)),
    ("March of 2025", month(2025, 3)),
    ("March, 2025", month(2025, 3)),
    ("March this year", month(2026, 3)),
    ("March last year", month(2025, 3)),
    ("March of last year", month(2025, 3)),
    ("Sept 2025", month(2025, 9)),
    ("May 2025", month(2025, 5)),
    ("this March", month(2026, 3)),
    ("last March", month(2026, 3)),
    ("last December", month(2025, 12)),
    ("the last month of last year", month(2025, 12)),
    ("25年3月", month(2025, 3)),
    ("25年12月份", month(2025, 12)),
    ("talks in May", month(2026, 5)),
    ("talks in may", month(2026, 5)),
    ("may 2025", month(2025, 5)),
    # days of a month
    ("3月5日", day("2026-03-05")),
    ("3月5号", day("2026-03-05")),
    ("三月五日", day("2026-03-05")),
    ("11月1日", day("2026-11-01")),
    ("11月30日", day("2025-11-30")),  # tomorrow has not come: last year's
    ("十二月三十一日", day("2025-12-31")),
    ("2025年3月5日", day("2025-03-05")),
    ("2025年3月5号", day("2025-03-05")),
    ("2025-03-05", day("2025-03-05")),
    ("2025/3/5", day("2025-03-05")),
    ("2025.3.5", day("2025-03-05")),
    ("2024年2月29日", day("2024-02-29")),
    ("去年3月5日", day("2025-03-05")),
    ("本月5日", day("2026-11-05")),
    ("上月15日", day("2026-10-15")),
    ("March 5", day("2026-03-05")),
    ("March 5th", day("2026-03-05")),
    ("March 5, 2025", day("2025-03-05")),
    ("March 5th 2025", day("2025-03-05")),
    ("5 March 2025", day("2025-03-05")),
    ("the 5th of March", day("2026-03-05")),
    # tenths of a month
    ("3月上旬", days("2026-03-01", "2026-03-10")),
    ("3月中旬", days("2026-03-11", "2026-03-20")),
    ("10月下旬", days("2026-10-21", "2026-10-31")),
    ("2月下旬", days("2026-02-21", "2026-02-28")),
    ("上个月中旬", days("2026-10-11", "2026-10-20")),
    ("2024年2月下旬", days("2024-02-21", "2024-02-29")),
    # quarters
    ("本季度", quarter(2026, 4)),
    ("本季", quarter(2026, 4)),
    ("这个季度", quarter(2026, 4)),
    ("当季", quarter(2026, 4)),
    ("上季度", quarter(2026, 3)),
    ("上个季度", quarter(2026, 3)),
    ("上一季度", quarter(2026, 3)),
    ("上一个季度", quarter(2026, 3)),
    ("前一季度", quarter(2026, 3)),
    ("上季", quarter(2026, 3)),
    ("上上季度", quarter(2026, 2)),
    ("下季度", quarter(2027, 1)),
    ("第一季度", quarter(2026, 1)),
    ("一季度", quarter(2026, 1)),
    ("第三季度", quarter(2026, 3)),
    ("三季度", quarter(2026, 3)),
    ("第3季度", quarter(2026, 3)),
    ("3季度", quarter(2026, 3)),
    ("四季度", quarter(2026, 4)),
    ("今年一季度", quarter(2026, 1)),
    ("今年第二季度", quarter(2026, 2)),
    ("去年四季度", quarter(2025, 4)),
    ("去年第四季度", quarter(2025, 4)),
    ("去年的第四季度", quarter(2025, 4)),
    ("前年三季度", quarter(2024, 3)),
    ("2025年第四季度", quarter(2025, 4)),
    ("2025年四季度", quarter(2025, 4)),
    ("2025年4季度", quarter(2025, 4)),
    ("2025年Q3", quarter(2025, 3)),
    ("二〇二五年第一季度", quarter(2025, 1)),
    ("Q3", quarter(2026, 3)),
    ("q3", quarter(2026, 3)),
    ("Q4 2025", quarter(2025, 4)),
    ("2025 Q4", quarter(2025, 4)),
    ("2025Q1", quarter(2025, 1)),
    ("Q1 of 2025", quarter(2025, 1)),
    ("Q2 of this year", quarter(2026, 2)),
    ("Q4 last year", quarter(2025, 4)),
    ("this quarter", quarter(2026, 4)),
    ("current quarter", quarter(2026, 4)),
    ("last quarter", quarter(2026, 3)),
    ("previous quarter", quarter(2026, 3)),
    ("the quarter before last", quarter(2026, 2)),
    ("next quarter", quarter(2027, 1)),
    ("the first quarter", quarter(2026, 1)),
    ("third quarter", quarter(2026, 3)),
    ("the third quarter of 2025", quarter(2025, 3)),
    ("the fourth quarter of last year", quarter(2025, 4)),
    ("1st quarter of 2025", quarter(2025, 1)),
    ("the last quarter of 2025", quarter(2025, 4)),
    ("25年四季度", quarter(2025, 4)),
    # halves
    ("上半年", half(2026, 1)),
    ("下半年", half(2026, 2)),
    ("今年上半年", half(2026, 1)),
    ("今年下半年", half(2026, 2)),
    ("本年度上半年", half(2026, 1)),
    ("去年上半年", half(2025, 1)),
    ("去年下半年", half(2025, 2)),
    ("去年的下半年", half(2025, 2)),
    ("上年下半年", half(2025, 2)),
    ("前年上半年", half(2024, 1)),
    ("2025年上半年", half(2025, 1)),
    ("2025上半年", half(2025, 1)),
    ("二〇二五年下半年", half(2025, 2)),
    ("二〇二四年上半年", half(2024, 1)),
    ("上个半年", half(2026, 1)),
    ("H1 2025", half(2025, 1)),
    ("2025 H1", half(2025, 1)),
    ("2025H1", half(2025, 1)),
    ("H2", half(2026, 2)),
    ("H2 of last year", half(2025, 2)),
    ("first half", half(2026, 1)),
    ("the first half of the year", half(2026, 1)),
    ("first half of this year", half(2026, 1)),
    ("first half of last year", half(2025, 1)),
    ("the second half of 2025", half(2025, 2)),
    ("second half of the year before last", half(2024, 2)),
    # years
    ("今年", year(2026)),
    ("本年", year(2026)),
    ("本年度", year(2026)),
    ("当年", year(2026)),
    ("这一年", year(2026)),
    ("今年全年", year(2026)),
    ("全年", year(2026)),
    ("去年", year(2025)),
    ("上年", year(2025)),
    ("上年度", year(2025)),
    ("上一年度", year(2025)),
    ("去年全年", year(2025)),
    ("去年一整年", year(2025)),
    ("前年", year(2024)),
    ("大前年", year(2023)),
    ("2025年", year(2025)),
    ("2025年度", year(2025)),
    ("2025年全年", year(2025)),
    ("2025全年", year(2025)),
    ("二〇二五年", year(2025)),
    ("二零二五年", year(2025)),
    ("二〇二四年度", year(2024)),
    ("2025年内", year(2025)),
    ("2025", year(2025)),
    ("in 2025", year(2025)),
    ("this year", year(2026)),
    ("last year", year(2025)),
    ("previous year", year(2025)),
    ("the year before last", year(2024)),
    ("full year 2025", year(2025)),
    ("the whole of last year", year(2025)),
    ("all of 2024", year(2024)),
    ("for the year 2025", year(2025)),
    ("the whole year", year(2026)),
    # from a point up to today
    ("今年以来", days("2026-01-01", "2026-11-29")),
    ("本年以来", days("2026-01-01", "2026-11-29")),
    ("年初至今", days("2026-01-01", "2026-11-29")),
    ("年初以来", days("2026-01-01", "2026-11-29")),
    ("今年年初以来", days("2026-01-01", "2026-11-29")),
    ("今年初至今", days("2026-01-01", "2026-11-29")),
    ("年初到现在", days("2026-01-01", "2026-11-29")),
    ("从年初到今天", days("2026-01-01", "2026-11-29")),
    ("截至目前", days("2026-01-01", "2026-11-29")),
    ("截止目前", days("2026-01-01", "2026-11-29")),
    ("截至今天", days("2026-01-01", "2026-11-29")),
    ("到目前为止", days("2026-01-01", "2026-11-29")),
    ("截至到目前", days("2026-01-01", "2026-11-29")),
    ("今年截至目前", days("2026-01-01", "2026-11-29")),
    ("本月以来", days("2026-11-01", "2026-11-29")),
    ("本月截至目前", days("2026-11-01", "2026-11-29")),
    ("今年1月1日至今", days("2026-01-01", "2026-11-29")),
    ("2025年至今", days("2025-01-01", "2026-11-29")),
    ("今年以来至今", days("2026-01-01", "2026-11-29")),
    ("截止本月底", days("2026-01-01", "2026-11-30")),
    ("今年1-10月份", days("2026-01-01", "2026-10-31")),
    ("本月初至今", days("2026-11-01", "2026-11-29")),
    ("月初以来", days("2026-11-01", "2026-11-29")),
    ("3月以来", days("2026-03-01", "2026-11-29")),
    ("三月份以来", days("2026-03-01", "2026-11-29")),
    ("3月至今", days("2026-03-01", "2026-11-29")),
    ("从3月起", days("2026-03-01", "2026-11-29")),
    ("自3月开始", days("2026-03-01", "2026-11-29")),
    ("从3月到现在", days("2026-03-01", "2026-11-29")),
    ("3月以后", days("2026-03-01", "2026-11-29")),  # or from April: asked (see test_readings_to_choose_from)
    ("3月之后", days("2026-04-01", "2026-11-29")),  # 之后, 后: the point left out
    ("3月后", days("2026-04-01", "2026-11-29")),
    ("10月之后", days("2026-11-01", "2026-11-29")),
    ("3月5日之后", days("2026-03-06", "2026-11-29")),
    ("2025年之后", days("2026-01-01", "2026-11-29")),
    ("11月之后", None),  # no day after November has come
    ("10月起", days("2026-10-01", "2026-11-29")),
    ("6月前", days("2026-01-01", "2026-05-31")),  # as 6月之前
    ("今年头三个月", days("2026-01-01", "2026-03-31")),  # as 今年前三个月
    ("去年以来", days("2025-01-01", "2026-11-29")),
    ("2025年以来", days("2025-01-01", "2026-11-29")),
    ("自2025年3月以来", days("2025-03-01", "2026-11-29")),
    ("从去年12月到现在", days("2025-12-01", "2026-11-29")),
    ("去年10月至今", days("2025-10-01", "2026-11-29")),
    ("三季度以来", days("2026-07-01", "2026-11-29")),
    ("下半年以来", days("2026-07-01", "2026-11-29")),
    ("上周以来", days("2026-11-16", "2026-11-29")),
    ("从上个月开始", days("2026-10-01", "2026-11-29")),
    ("year to date", days("2026-01-01", "2026-11-29")),
    ("YTD", days("2026-01-01", "2026-11-29")),
    ("ytd", days("2026-01-01", "2026-11-29")),
    ("so far this year", days("2026-01-01", "2026-11-29")),
    ("this year so far", days("2026-01-01", "2026-11-29")),
    ("this year to date", days("2026-01-01", "2026-11-29")),
    ("to date", days("2026-01-01", "2026-11-29")),
    ("as of today", days("2026-01-01", "2026-11-29")),
    ("month to date", days("2026-11-01", "2026-11-29")),
    ("since January", days("2026-01-01", "2026-11-29")),
    ("since March", days("2026-03-01", "2026-11-29")),
    ("since March 2025", days("2025-03-01", "2026-11-29")),
    ("since last month", days("2026-10-01", "2026-11-29")),
    ("since 2025", days("2025-01-01", "2026-11-29")),
    ("since the start of the year", days("2026-01-01", "2026-11-29")),
    ("since the beginning of this year", days("2026-01-01", "2026-11-29")),
    ("from March to now", days("2026-03-01", "2026-11-29")),
    ("from March", days("2026-03-01", "2026-11-29")),
    # up to a point, before a point
    ("截至6月底", days("2026-01-01", "2026-06-30")),
    ("截止6月30日", days("2026-01-01", "2026-06-30")),
    ("截至2025年6月底", days("2025-01-01", "2025-06-30")),
    ("截止到10月31日", days("2026-01-01", "2026-10-31")),
    ("截至上月底", days("2026-01-01", "2026-10-31")),
    ("截至去年底", days("2025-01-01", "2025-12-31")),
    ("截至去年年底", days("2025-01-01", "2025-12-31")),
    ("截至三季度末", days("2026-01-01", "2026-09-30")),
    ("截至上半年末", days("2026-01-01", "2026-06-30")),
    ("本季度初至今", days("2026-10-01", "2026-11-29")),
    ("到6月底为止", days("2026-01-01", "2026-06-30")),
    ("截至9月", days("2026-01-01", "2026-09-30")),
    ("until June", days("2026-01-01", "2026-06-30")),
    ("up to June 2025", days("2025-01-01", "2025-06-30")),
    ("through September", days("2026-01-01", "2026-09-30")),
    ("as of June 30", days("2026-01-01", "2026-06-30")),
    ("3月之前", days("2026-01-01", "2026-02-28")),
    ("3月以前", days("2026-01-01", "2026-02-28")),
    ("before March", days("2026-01-01", "2026-02-28")),
    ("before July 2025", days("2025-01-01", "2025-06-30")),
    ("2025年之前", None),  # from when?
    ("before 2025", None),
    # the first months or quarters of a year
    ("今年前三季度", days("2026-01-01", "2026-09-30")),
    ("2025年前三季度", days("2025-01-01", "2025-09-30")),
    ("今年前10个月", days("2026-01-01", "2026-10-31")),
    ("今年前十个月", days("2026-01-01", "2026-10-31")),
    ("去年前两个月", days("2025-01-01", "2025-02-28")),
    ("2025年前3个月", days("2025-01-01", "2025-03-31")),
    ("the first 3 months of 2025", days("2025-01-01", "2025-03-31")),
    ("first three months of the year", days("2026-01-01", "2026-03-31")),
    ("the first two quarters of last year", days("2025-01-01", "2025-06-30")),
    # spans between two points
    ("1月到6月", days("2026-01-01", "2026-06-30")),
    ("1-6月", days("2026-01-01", "2026-06-30")),
    ("1～6月", days("2026-01-01", "2026-06-30")),
    ("1至6月", days("2026-01-01", "2026-06-30")),
    ("1到6月份", days("2026-01-01", "2026-06-30")),
    ("一月至六月", days("2026-01-01", "2026-06-30")),
    ("一至六月", days("2026-01-01", "2026-06-30")),
    ("从1月到6月", days("2026-01-01", "2026-06-30")),
    ("1月至6月期间", days("2026-01-01", "2026-06-30")),
    ("3-5月", days("2026-03-01", "2026-05-31")),
    ("三月至五月", days("2026-03-01", "2026-05-31")),
    ("3月到5月", days("2026-03-01", "2026-05-31")),
    ("2025年3月到5月", days("2025-03-01", "2025-05-31")),
    ("2025年3-5月", days("2025-03-01", "2025-05-31")),
    ("2025年1-6月", days("2025-01-01", "2025-06-30")),
    ("2015年1-6月", days("2015-01-01", "2015-06-30")),
    ("二〇二五年一至六月", days("2025-01-01", "2025-06-30")),
    ("2025年3月至2026年2月", days("2025-03-01", "2026-02-28")),
    ("2025年3月到今年2月", days("2025-03-01", "2026-02-28")),
    ("2025年11月到2026年2月", days("2025-11-01", "2026-02-28")),
    ("去年11月到今年2月", days("2025-11-01", "2026-02-28")),
    ("去年3月到5月", days("2025-03-01", "2025-05-31")),
    ("去年11月到2月", days("2025-11-01", "2026-02-28")),  # February after November: the next year's
    # a span with no year that would end in a year not begun, begun this month: the last complete one
    ("11月到2月", days("2025-11-01", "2026-02-28")),
    ("12月到1月", days("2025-12-01", "2026-01-31")),
    ("9月到本月", days("2026-09-01", "2026-11-30")),
    ("上个月到本月", days("2026-10-01", "2026-11-30")),
    ("2025-03至2025-05", days("2025-03-01", "2025-05-31")),
    ("2025.3-2025.5", days("2025-03-01", "2025-05-31")),
    ("3月5日到4月10日", days("2026-03-05", "2026-04-10")),
    ("3月5日至4月10日", days("2026-03-05", "2026-04-10")),
    ("三月五日到四月十日", days("2026-03-05", "2026-04-10")),
    ("3月5日到10日", days("2026-03-05", "2026-03-10")),
    ("3月5日-10日", days("2026-03-05", "2026-03-10")),
    ("3月5-10日", days("2026-03-05", "2026-03-10")),
    ("11月1日至15日", days("2026-11-01", "2026-11-15")),
    ("11月1号到15号", days("2026-11-01", "2026-11-15")),
    ("2025年3月5日至2026年1月3日", days("2025-03-05", "2026-01-03")),
    ("2025年12月1日到2026年1月31日", days("2025-12-01", "2026-01-31")),
    ("12月1日到1月31日", days("2025-12-01", "2026-01-31")),
    ("2025-03-01至2025-04-15", days("2025-03-01", "2025-04-15")),
    ("3月1日到今天", days("2026-03-01", "2026-11-29")),
    ("一季度到三季度", days("2026-01-01", "2026-09-30")),
    ("一至三季度", days("2026-01-01", "2026-09-30")),
    ("1-3季度", days("2026-01-01", "2026-09-30")),
    ("第一至第三季度", days("2026-01-01", "2026-09-30")),
    ("二季度到三季度", days("2026-04-01", "2026-09-30")),
    ("去年三季度到今年一季度", days("2025-07-01", "2026-03-31")),
    ("2024年至2025年", days("2024-01-01", "2025-12-31")),
    ("2024-2025年", days("2024-01-01", "2025-12-31")),
    ("2024到2025年", days("2024-01-01", "2025-12-31")),
    ("前年到去年", days("2024-01-01", "2025-12-31")),
    ("去年下半年到今年上半年", days("2025-07-01", "2026-06-30")),
    ("上周到本周", days("2026-11-16", "2026-11-29")),
    ("from March to June", days("2026-03-01", "2026-06-30")),
    ("March to June", days("2026-03-01", "2026-06-30")),
    ("March through June", days("2026-03-01", "2026-06-30")),
    ("from March until June 2025", days("2025-03-01", "2025-06-30")),
    ("Jan–Jun 2025", days("2025-01-01", "2025-06-30")),
    ("Jan-Jun 2025", days("2025-01-01", "2025-06-30")),
    ("Jan - Mar", days("2026-01-01", "2026-03-31")),
    ("January to March 2025", days("2025-01-01", "2025-03-31")),
    ("Nov 2025 to Feb 2026", days("2025-11-01", "2026-02-28")),
    ("November to February", days("2025-11-01", "2026-02-28")),
    ("between March and June", days("2026-03-01", "2026-06-30")),
    ("between January and March 2025", days("2025-01-01", "2025-03-31")),
    ("between 2025-03-01 and 2025-04-15", days("2025-03-01", "2025-04-15")),
    ("from 2025-03-01 to 2025-04-15", days("2025-03-01", "2025-04-15")),
    ("March 5 to April 10", days("2026-03-05", "2026-04-10")),
    ("from 5 March to 10 April 2025", days("2025-03-05", "2025-04-10")),
    ("Q1-Q3 2025", days("2025-01-01", "2025-09-30")),
    ("Q1 to Q3", days("2026-01-01", "2026-09-30")),
    ("2025Q2-Q3", days("2025-04-01", "2025-09-30")),
    ("from 2024 to 2025", days("2024-01-01", "2025-12-31")),
    ("2024-2025", days("2024-01-01", "2025-12-31")),
    ("from last month to this month", days("2026-10-01", "2026-11-30")),
    # lists of adjacent points
    ("1月、2月和3月", days("2026-01-01", "2026-03-31")),
    ("1月、2月、3月", days("2026-01-01", "2026-03-31")),
    ("1、2、3月", days("2026-01-01", "2026-03-31")),
    ("一、二、三月份", days("2026-01-01", "2026-03-31")),
    ("2025年1月、2月和3月", days("2025-01-01", "2025-03-31")),
    ("10月和11月", days("2026-10-01", "2026-11-30")),
    ("本月和上月", days("2026-10-01", "2026-11-30")),
    ("一季度和二季度", days("2026-01-01", "2026-06-30")),
    ("一、二季度", days("2026-01-01", "2026-06-30")),
    ("上半年和下半年", year(2026)),
    ("去年和今年", days("2025-01-01", "2026-12-31")),
    ("January and February", days("2026-01-01", "2026-02-28")),
    ("January, February and March", days("2026-01-01", "2026-03-31")),
    ("Q1 and Q2 2025", days("2025-01-01", "2025-06-30")),
    ("1月和3月", None),  # a gap: not one period
    ("1月、3月", None),
    ("一季度和三季度", None),
    ("Q1 and Q3", None),
    ("January and March", None),
    # named but impossible, or not said whole: refused
    ("2025年13月", None),
    ("13月", None),
    ("十三月", None),
    ("0月", None),
    ("第五季度", None),
    ("5季度", None),
    ("第0季度", None),
    ("Q5", None),
    ("Q5 2025", None),
    ("H3 2025", None),
    ("2025-13", None),
    ("2025-02-30", None),
    ("2025年2月30日", None),
    ("2月30日", None),
    ("3月32日", None),
    ("2025年2月29日", None),
    ("近0天", None),
    ("近20252024天", None),  # beyond the calendar
    ("过去三二〇二五半年", None),
    ("the year 2025", year(2025)),
    ("30号到", None),
    ("3月到", None),
    ("3月到13月", None),
    ("1-13月", None),
    ("2026年5月到2025年3月", None),  # backwards, both years said
    ("明年以来", None),
    ("前30日", None),  # the first 30 days of what? (suggest_periods offers 近30天)
    ("前30天", None),
    ("前两个月", None),
    ("前三季度", None),
    ("三十天", None),  # no direction said
    ("三个月", None),
    ("年初", None),  # an edge alone is not a period
    ("月底", None),
    ("上月底", None),
    ("25年", None),  # 2025, or twenty-five years?
    ("3 months", None),
    ("the first 3 months", None),  # of which year?
    # read only in part: refused, not read as the part
    ("本月第一周", None),
    ("今年第一个月", None),
    ("今年年中", None),
    ("1月至今年6月", None),
    ("2025年3月5", None),
    ("上周8", None),
    # not periods at all
    ("", None),
    ("你好", None),
    ("整改完成率", None),
    ("逾期未整改的问题有哪些", None),
    ("各单位约谈次数排名", None),
    ("一把手约谈覆盖率", None),
    ("本人约谈了几次", None),
    ("本单位约谈情况", None),
    ("上级部署的约谈", None),
    ("下属单位约谈了多少人次", None),
    ("第3次约谈", None),
    ("3号文件", None),
    ("约谈2025次", None),
    ("12345", None),
    ("13912345678", None),
    ("how many talks", None),
    ("talks by unit", None),
    ("the last talk", None),
    ("this unit", None),
    ("may I see the overdue items", None),
    # in whole questions
    ("本月约谈多少次", month(2026, 11)),
    ("上个月各类约谈分别多少", month(2026, 10)),
    ("上季度告诫约谈几次", quarter(2026, 3)),
    ("今年上半年约谈人次按级别统计", half(2026, 1)),
    ("2015年1-6月约谈情况", days("2015-01-01", "2015-06-30")),
    ("去年12月城关区约谈了多少人次", month(2025, 12)),
    ("今年以来张建平主持了几次约谈", days("2026-01-01", "2026-11-29")),
    ("最近30天集体约谈几次", days("2026-10-31", "2026-11-29")),
    ("近三十天廉政谈话多少次", days("2026-10-31", "2026-11-29")),
    ("去年下半年城关区告诫约谈多少人次", half(2025, 2)),
    ("去年全年约谈人次", year(2025)),
    ("2025年3月到5月告诫约谈几次", days("2025-03-01", "2025-05-31")),
    ("3-5月各单位约谈人次", days("2026-03-01", "2026-05-31")),
    ("一季度各单位约谈人次", quarter(2026, 1)),
    ("前年上半年县处级干部被约谈多少人次", half(2024, 1)),
    ("去年四季度城关区约谈情况", quarter(2025, 4)),
    ("截至目前今年共约谈多少人次", days("2026-01-01", "2026-11-29")),
    ("从3月到6月按月统计约谈次数", days("2026-03-01", "2026-06-30")),
    ("近一周有没有新的约谈", days("2026-11-23", "2026-11-29")),
    ("本月和上月共约谈多少次", days("2026-10-01", "2026-11-30")),
    ("昨天约谈了几个人", day("2026-11-28")),
    ("2025年度约谈统计", year(2025)),
    ("二〇二五年上半年约谈情况汇总", half(2025, 1)),
    ("本月城关区和榆中县约谈多少次", month(2026, 11)),
    ("本月约谈多少次，和去年比呢", month(2026, 11)),  # the second period is the reader's leftover
    ("张三上个月约谈了几次", month(2026, 10)),  # 三 ends a name: not a number before 上个月
    ("李四3月被约谈几次", month(2026, 3)),
    ("周一鸣约谈了几次", None),  # a name, not Monday
    ("周一的约谈", day("2026-11-23")),
    ("how many talks this month", month(2026, 11)),
    ("how many talks in the last 30 days", days("2026-10-31", "2026-11-29")),
    ("talks in March 2025", month(2025, 3)),
    ("reminder talks last quarter by unit", quarter(2026, 3)),
    ("person-times in Q3 2025 by unit", quarter(2025, 3)),
    ("person-times in 2015 H1 by rank level", half(2015, 1)),
    ("talks from March to June by kind", days("2026-03-01", "2026-06-30")),
    ("how many talks since March", days("2026-03-01", "2026-11-29")),
    ("talks between 2025-03-01 and 2025-04-15", days("2025-03-01", "2025-04-15")),
    ("how many people were talked to in the first half of last year", half(2025, 1)),
    ("talks year to date by unit", days("2026-01-01", "2026-11-29")),
    ("How many talks in May?", month(2026, 5)),
    ("how many talks did we hold in 2025?", year(2025)),
]

JANUARY_TABLE: list[tuple[str, Period | None]] = [
    ("本月", month(2027, 1)),
    ("上个月", month(2026, 12)),
    ("上上个月", month(2026, 11)),
    ("本季度", quarter(2027, 1)),
    ("上季度", quarter(2026, 4)),
    ("上上季度", quarter(2026, 3)),
    ("今年", year(2027)),
    ("去年", year(2026)),
    ("前年", year(2025)),
    ("去年全年", year(2026)),
    ("今年以来", days("2027-01-01", "2027-01-15")),
    ("年初至今", days("2027-01-01", "2027-01-15")),
    ("截至目前", days("2027-01-01", "2027-01-15")),
    ("year to date", days("2027-01-01", "2027-01-15")),
    ("本周", days("2027-01-11", "2027-01-17")),
    ("上周", days("2027-01-04", "2027-01-10")),
    ("上上周", days("2026-12-28", "2027-01-03")),
    ("last week", days("2027-01-04", "2027-01-10")),
    ("今天", day("2027-01-15")),
    ("昨天", day("2027-01-14")),
    ("近7天", days("2027-01-09", "2027-01-15")),
    ("近30天", days("2026-12-17", "2027-01-15")),
    ("近三十天", days("2026-12-17", "2027-01-15")),
    ("近三个月", days("2026-10-16", "2027-01-15")),
    ("past three months", days("2026-10-16", "2027-01-15")),
    ("近半年", days("2026-07-16", "2027-01-15")),
    ("近一年", days("2026-01-16", "2027-01-15")),
    ("last 12 months", days("2026-01-16", "2027-01-15")),
    ("1月", month(2027, 1)),
    ("一月份", month(2027, 1)),
    ("2月", month(2026, 2)),
    ("12月", month(2026, 12)),
    ("十二月份", month(2026, 12)),
    ("去年12月", month(2026, 12)),
    ("今年1月", month(2027, 1)),
    ("December", month(2026, 12)),
    ("January", month(2027, 1)),
    ("last month", month(2026, 12)),
    ("this month", month(2027, 1)),
    ("一季度", quarter(2027, 1)),
    ("二季度", quarter(2026, 2)),
    ("三季度", quarter(2026, 3)),
    ("四季度", quarter(2026, 4)),
    ("第四季度", quarter(2026, 4)),
    ("去年四季度", quarter(2026, 4)),
    ("Q4", quarter(2026, 4)),
    ("Q1", quarter(2027, 1)),
    ("last quarter", quarter(2026, 4)),
    ("this quarter", quarter(2027, 1)),
    ("上半年", half(2027, 1)),
    ("下半年", half(2026, 2)),
    ("去年下半年", half(2026, 2)),
    ("去年上半年", half(2026, 1)),
    ("今年上半年", half(2027, 1)),
    ("H2", half(2026, 2)),
    ("the first half of last year", half(2026, 1)),
    ("last year", year(2026)),
    ("this year", year(2027)),
    ("12月31日", day("2026-12-31")),
    ("1月10日", day("2027-01-10")),
    ("1月20日", day("2026-01-20")),  # this 20 January has not come
    ("1月1日至今", days("2027-01-01", "2027-01-15")),
    ("12月以来", days("2026-12-01", "2027-01-15")),
    ("去年12月至今", days("2026-12-01", "2027-01-15")),
    ("since December", days("2026-12-01", "2027-01-15")),
    ("since last quarter", days("2026-10-01", "2027-01-15")),
    ("1-6月", days("2027-01-01", "2027-06-30")),
    ("3-5月", days("2026-03-01", "2026-05-31")),
    ("11月到2月", days("2026-11-01", "2027-02-28")),
    ("12月到1月", days("2026-12-01", "2027-01-31")),
    ("去年12月到今年1月", days("2026-12-01", "2027-01-31")),
    ("12月和1月", days("2026-12-01", "2027-01-31")),
    ("11月、12月", days("2026-11-01", "2026-12-31")),
    ("去年10月至12月", days("2026-10-01", "2026-12-31")),
    ("去年三季度到四季度", days("2026-07-01", "2026-12-31")),
    ("12月15日到1月15日", days("2026-12-15", "2027-01-15")),
    ("November to January", days("2026-11-01", "2027-01-31")),
    ("Dec–Jan", days("2026-12-01", "2027-01-31")),
    ("截至上月底", days("2026-01-01", "2026-12-31")),
    ("截至去年底", days("2026-01-01", "2026-12-31")),
    ("截至12月底", days("2026-01-01", "2026-12-31")),
    ("去年前三季度", days("2026-01-01", "2026-09-30")),
    ("今年前一个月", days("2027-01-01", "2027-01-31")),
    ("上个月中旬", days("2026-12-11", "2026-12-20")),
    ("上月底", None),
    ("前三季度", None),
    ("2月之前", days("2026-01-01", "2026-01-31")),  # the latest February begun is last year's
    ("1月之前", None),  # nothing of this year comes before January
    ("2026年下半年约谈情况", half(2026, 2)),
    ("去年12月城关区约谈了多少人次", month(2026, 12)),
    ("上季度告诫约谈几次", quarter(2026, 4)),
    ("去年全年各单位约谈人次排名", year(2026)),
    ("2026年度约谈统计", year(2026)),
    ("how many talks last quarter by unit", quarter(2026, 4)),
    ("talks in December", month(2026, 12)),
    ("talks in Q4 2026 by kind", quarter(2026, 4)),
    ("person-times last year", year(2026)),
    ("上周五", day("2027-01-08")),
    ("周六", day("2027-01-09")),  # this Saturday has not come
    ("上周日到本周二", days("2027-01-10", "2027-01-12")),
    ("2026年13月", None),
    ("去年第五季度", None),
    ("12月和2月", None),
]


@pytest.mark.parametrize(("typed", "expected"), NOVEMBER_TABLE)
def test_phrasings_in_november(typed: str, expected: Period | None) -> None:
    found = find_period(typed, NOVEMBER)
    assert (found.period if found else None) == expected


@pytest.mark.parametrize(("typed", "expected"), JANUARY_TABLE)
def test_phrasings_in_january(typed: str, expected: Period | None) -> None:
    found = find_period(typed, JANUARY)
    assert (found.period if found else None) == expected


def test_the_table_is_large_and_has_no_duplicates() -> None:
    assert len(NOVEMBER_TABLE) + len(JANUARY_TABLE) >= 400
    assert len({typed for typed, _ in NOVEMBER_TABLE}) == len(NOVEMBER_TABLE)
    assert len({typed for typed, _ in JANUARY_TABLE}) == len(JANUARY_TABLE)


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("去年下半年城关区告诫约谈多少人次", "去年下半年"),
        ("今年以来张建平主持了几次约谈", "今年以来"),
        ("从3月到6月按月统计约谈次数", "从3月到6月"),
        ("1月至6月期间约谈多少次", "1月至6月期间"),
        ("在本月内约谈了几人", "在本月内"),
        ("3月份以来城关区约谈几次", "3月份以来"),
        ("去年的约谈", "去年的"),
        ("截至2025年6月底为止各类约谈", "截至2025年6月底为止"),
        ("how many talks in the last 30 days", "in the last 30 days"),
        ("talks between 2025-03-01 and 2025-04-15 by unit", "between 2025-03-01 and 2025-04-15"),
        ("本月约谈多少次，和去年比呢", "本月"),
        ("２０２５年３月约谈", "２０２５年３月"),
    ],
)
def test_the_words_cover_the_whole_expression_and_nothing_else(typed: str, words: str) -> None:
    """The question reader counts what lies outside the spans as leftover: glue inside, nothing of the rest."""
    found = find_period(typed, NOVEMBER)
    assert found is not None and found.words == words
    assert [typed[start:end] for start, end in found.spans] == [words]


@pytest.mark.parametrize(
    ("fragment", "readings"),
    [
        ("前30日", ["近30天"]),
        ("三十天", ["近30天"]),
        ("30天", ["近30天"]),
        ("前两个月", ["近2个月", "今年前2个月"]),
        ("前三季度", ["近3季度", "今年前3季度"]),
        ("30 days", ["last 30 days"]),
        ("25年", ["2025年"]),
        ("25年3月", ["25年3月"]),  # read as it stands
        ("1月和3月", ["1月到3月"]),
        ("一季度和三季度", ["1季度到3季度"]),
        ("13月", []),
        ("第五季度", []),
        ("城关区", []),
    ],
)
def test_suggestions_for_what_could_not_be_read(fragment: str, readings: list[str]) -> None:
    suggested = suggest_periods(fragment, NOVEMBER)
    assert [match.words for match in suggested] == readings
    for match in suggested:
        found = find_period(match.words, NOVEMBER)
        assert found is not None and found.period == match.period and found.words == match.words


@pytest.mark.parametrize(
    ("leftover", "time_like"),
    [
        ("三十天", True),
        ("13月", True),
        ("前", True),
        ("同期", True),
        ("上一季", True),
        ("第5", True),
        ("fortnight", True),
        ("March", True),
        ("Q5", True),
        ("历年", True),  # all years: not this year by default
        ("上次", True),
        ("明天", True),
        ("国庆期间", True),
        ("本期", True),
        ("last Monday", True),
        ("in the previous period", True),
        ("FY2025", True),
        ("分别", False),
        ("明细", False),
        ("约谈多少次", False),
        ("城关区", False),
        ("一把手", False),
        ("上级", False),
        ("本单位", False),
        ("by unit", False),
        ("how many talks", False),
    ],
)
def test_what_looks_like_time(leftover: str, time_like: bool) -> None:
    assert looks_like_time(leftover) is time_like


# ------------------------------------------------------------------------------------------------- generated

YEARS = st.integers(2000, 2035)
CHINESE_DIGITS = "〇一二三四五六七八九"


def chinese_numeral(number: int) -> str:
    """12 → 十二, 30 → 三十, 7 → 七: as clerks write months, days and counts."""
    tens, ones = divmod(number, 10)
    if number < 10:
        return CHINESE_DIGITS[number]
    return f"{'' if tens == 1 else CHINESE_DIGITS[tens]}十{CHINESE_DIGITS[ones] if ones else ''}"


def chinese_year(number: int) -> str:
    return "".join(CHINESE_DIGITS[int(digit)] for digit in str(number))


EN_MONTH_NAMES = [date(2001, number, 1).strftime("%B") for number in range(1, 13)]


def read(typed: str, today: date = NOVEMBER) -> Period | None:
    found = find_period(typed, today)
    return found.period if found else None


@given(YEARS, st.integers(1, 12))
def test_generated_months_read_back(year_number: int, month_number: int) -> None:
    expected = month(year_number, month_number)
    name = EN_MONTH_NAMES[month_number - 1]
    for typed in (
        f"{year_number}年{month_number}月",
        f"{chinese_year(year_number)}年{chinese_numeral(month_number)}月",
        f"{year_number}年{chinese_numeral(month_number)}月份",
        f"{year_number}-{month_number:02d}",
        f"{year_number}/{month_number}",
        f"{name} {year_number}",
        f"{name[:3]} {year_number}",
        f"in {name} of {year_number}",
    ):
        assert read(typed) == expected, typed


@given(YEARS, st.integers(1, 4))
def test_generated_quarters_read_back(year_number: int, number: int) -> None:
    expected = quarter(year_number, number)
    ordinal = ["first", "second", "third", "fourth"][number - 1]
    for typed in (
        f"{year_number}年第{number}季度",
        f"{year_number}年{chinese_numeral(number)}季度",
        f"{chinese_year(year_number)}年第{chinese_numeral(number)}季度",
        f"{year_number}Q{number}",
        f"Q{number} {year_number}",
        f"the {ordinal} quarter of {year_number}",
    ):
        assert read(typed) == expected, typed


@given(YEARS, st.integers(1, 2))
def test_generated_halves_read_back(year_number: int, number: int) -> None:
    expected = half(year_number, number)
    for typed in (
        f"{year_number}年{'上' if number == 1 else '下'}半年",
        f"{chinese_year(year_number)}年{'上' if number == 1 else '下'}半年",
        f"{year_number}H{number}",
        f"H{number} {year_number}",
        f"{'first' if number == 1 else 'second'} half of {year_number}",
    ):
        assert read(typed) == expected, typed


@given(YEARS)
def test_generated_years_read_back(year_number: int) -> None:
    for typed in (f"{year_number}年", f"{chinese_year(year_number)}年", f"{year_number}年全年", f"{year_number}"):
        assert read(typed) == year(year_number), typed


@given(YEARS, st.integers(1, 12), st.integers(1, 12))
def test_generated_month_ranges_read_back(year_number: int, first: int, last: int) -> None:
    if first > last:
        first, last = last, first
    expected = Period(month(year_number, first).start, month(year_number, last).end)
    first_name, last_name = EN_MONTH_NAMES[first - 1], EN_MONTH_NAMES[last - 1]
    for typed in (
        f"{year_number}年{first}-{last}月",
        f"{year_number}年{first}月到{last}月",
        f"{year_number}年{chinese_numeral(first)}至{chinese_numeral(last)}月",
        f"{year_number}年{first}月至{year_number}年{last}月",
        f"从{year_number}年{first}月到{last}月份",
        f"{first_name[:3]}–{last_name[:3]} {year_number}",
        f"from {first_name} to {last_name} {year_number}",
        f"between {first_name} {year_number} and {last_name} {year_number}",
    ):
        assert read(typed) == expected, typed


@given(st.dates(date(2000, 1, 1), date(2035, 12, 31)), st.integers(0, 400))
def test_generated_day_ranges_read_back(first: date, length: int) -> None:
    last = first + timedelta(days=length)
    expected = Period(first, last + timedelta(days=1))
    for typed in (
        f"{first.year}年{first.month}月{first.day}日到{last.year}年{last.month}月{last.day}日",
        f"{first.isoformat()}至{last.isoformat()}",
        f"between {first.isoformat()} and {last.isoformat()}",
        f"{first:%B} {first.day}, {first.year} to {last:%B} {last.day}, {last.year}",
    ):
        assert read(typed) == expected, typed
    if first.year == last.year:
        short = f"{first.year}年{first.month}月{first.day}日到{last.month}月{last.day}日"
        assert read(short) == expected, short
        if first.month == last.month:
            assert read(f"{first.year}年{first.month}月{first.day}日到{last.day}日") == expected


@given(st.dates(date(2001, 1, 1), date(2098, 12, 31)), st.integers(1, 120))
def test_generated_windows_count_back_from_today(today: date, count: int) -> None:
    days_back = Period(today - timedelta(days=count - 1), today + timedelta(days=1))
    in_chinese = f"最近{chinese_numeral(count)}天" if count < 100 else f"最近{count}日"
    for typed in (f"近{count}天", in_chinese, f"last {count} days"):
        assert read(typed, today) == days_back, typed
    weeks = min(count, 20)
    assert read(f"过去{weeks}周", today) == Period(today - timedelta(days=7 * weeks - 1), today + timedelta(days=1))
    months = min(count, 36)
    found = read(f"近{months}个月", today)
    assert found is not None and found.end == today + timedelta(days=1)
    before = found.start - timedelta(days=1)  # the day before the window: the same day `months` months back…
    assert (before.year * 12 + before.month) - (today.year * 12 + today.month) == -months
    assert before.day == today.day or before.day < today.day and (before + timedelta(days=1)).month != before.month


@given(st.dates(date(2001, 1, 1), date(2098, 12, 31)), st.integers(0, 3), st.integers(1, 4), st.integers(1, 12))
def test_generated_relative_points_read_back(today: date, back: int, number: int, month_number: int) -> None:
    """Relative years in front of quarters, halves and months; 上 repeated in front of 月, 季度 and 周."""
    year_word = ["今年", "去年", "前年", "大前年"][back]
    that_year = today.year - back
    assert read(f"{year_word}第{chinese_numeral(number)}季度", today) == quarter(that_year, number)
    assert read(f"{year_word}{number}季度", today) == quarter(that_year, number)
    assert read(f"{year_word}{'上' if number % 2 else '下'}半年", today) == half(that_year, 2 - number % 2)
    assert read(f"{year_word}{chinese_numeral(month_number)}月份", today) == month(that_year, month_number)
    assert read(f"{year_word}全年", today) == year(that_year)
    if back == 1:
        assert read(f"Q{number} last year", today) == quarter(that_year, number)
        assert read(f"{EN_MONTH_NAMES[month_number - 1]} last year", today) == month(that_year, month_number)
    months_back = today.month - 1 - back  # 上上个月: months since January of this year, minus `back`
    assert read(f"{'上' * back}{'个' if back else '本'}月", today) == month(
        today.year + months_back // 12, months_back % 12 + 1
    )
    this_quarter = (today.month - 1) // 3
    quarters_back = this_quarter - back
    assert read(f"{'上' * back or '本'}季度", today) == quarter(today.year + quarters_back // 4, quarters_back % 4 + 1)
    monday = today - timedelta(days=today.weekday()) - timedelta(weeks=back)
    assert read(f"{'上' * back or '本'}周", today) == Period(monday, monday + timedelta(days=7))


@given(st.dates(date(2001, 1, 1), date(2098, 12, 31)))
def test_bare_months_quarters_and_halves_are_the_latest_begun(today: date) -> None:
    for number in range(1, 13):
        found = read(f"{number}月", today)
        assert found is not None and found.start <= today < add_year(found.start), number
    for number in range(1, 5):
        found = read(f"第{chinese_numeral(number)}季度", today)
        assert found is not None and found.start <= today < add_year(found.start), number
    for word in ("上半年", "下半年"):
        found = read(word, today)
        assert found is not None and found.start <= today < add_year(found.start), word


def add_year(day: date) -> date:
    return day.replace(year=day.year + 1)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1、" * 2000, None),
        ("上" * 4000, None),
        ("近" * 4000, None),
        ("1月、" * 1300, month(2026, 1)),  # the same month over and over: still January
        ("2025-" * 800, year(2025)),
    ],
)
def test_a_long_odd_message_is_read_in_reasonable_time(typed: str, expected: Period | None) -> None:
    """Lists and relative words are bounded, and points are read once per place: no blow-up on 4096 characters
    (a blow-up shows as a test that does not end; the time itself is not asserted)."""
    assert read(typed) == expected


@given(st.text(max_size=40))
def test_anything_typed_is_read_or_refused_never_crashes(typed: str) -> None:
    found = find_period(typed, NOVEMBER)
    if found is not None:
        assert found.period.start < found.period.end
        assert all(typed[start:end] == found.words for start, end in found.spans)


TIME_WORDS = [
    *"年月日号上下本这个前近和、的第周天底初至到-,",
    *("去年", "前年", "今年", "最近", "过去", "季度", "半年", "上半年", "下半年", "以来", "至今", "截至", "目前"),
    *("年初", "月底", "期间", "从", "城关区", "约谈", "1", "2", "3", "5", "12", "13", "三", "十二", "二〇二五"),
    *("2025", "2024", "Q1", "H2", "March", "last", "this", "the", "of", "past", "days", "months", "year"),
    *("quarter", "to", "and", "since", "between"),
]


@given(st.lists(st.tuples(st.sampled_from(TIME_WORDS), st.booleans()), min_size=1, max_size=7))
def test_time_words_in_any_order_read_the_same_alone_as_in_the_text(words: list[tuple[str, bool]]) -> None:
    """Whatever is read from a jumble of time words (近20252024天 once overflowed the calendar) reads the same
    when its words stand alone: what surrounds an expression never changes what it means."""
    typed = "".join(word + (" " if spaced else "") for word, spaced in words)
    found = find_period(typed, NOVEMBER)
    if found is None:
        return
    assert found.period.start < found.period.end
    alone = find_period(found.words, NOVEMBER)
    assert alone is not None and alone.period == found.period and alone.words == found.words.strip()


@pytest.mark.parametrize(
    ("typed", "today", "readings"),
    [
        # begun this month: only the last complete span; run longer: it or the one under way, asked
        ("11月到2月", NOVEMBER, [days("2025-11-01", "2026-02-28")]),
        ("11月到2月", date(2026, 12, 10), [days("2025-11-01", "2026-02-28"), days("2026-11-01", "2027-02-28")]),
        ("11月到2月", JANUARY, [days("2026-11-01", "2027-02-28")]),  # ends in a year begun: as 上半年 does
        ("去年11月到2月", NOVEMBER, [days("2025-11-01", "2026-02-28")]),  # a year said: as said
        ("11月、12月、1月和2月", NOVEMBER, [days("2025-11-01", "2026-02-28")]),  # a list: the same
        ("12月和1月", date(2026, 12, 10), [days("2025-12-01", "2026-01-31")]),
        ("四季度到一季度", NOVEMBER, [days("2025-10-01", "2026-03-31"), days("2026-10-01", "2027-03-31")]),
        # 以后 with or without the point; 之后 and 起 one reading each
        ("10月以后", NOVEMBER, [days("2026-10-01", "2026-11-29"), days("2026-11-01", "2026-11-29")]),
        ("10月之后", NOVEMBER, [days("2026-11-01", "2026-11-29")]),
        ("11月以后", NOVEMBER, [days("2026-11-01", "2026-11-29")]),  # no day after November has come
        ("10月起", NOVEMBER, [days("2026-10-01", "2026-11-29")]),
        # this week's Monday to Friday, though asked on a Thursday
        ("周一到周五", date(2026, 12, 10), [days("2026-12-07", "2026-12-11")]),
        ("周三到周一", date(2026, 12, 10), []),
    ],
)
def test_readings_to_choose_from(typed: str, today: date, readings: list[Period]) -> None:
    found = find_period(typed, today)
    assert ([found.period, *found.others] if found else []) == readings


@given(st.dates(date(2001, 1, 1), date(2098, 12, 31)), st.integers(1, 12), st.integers(1, 12))
def test_a_span_across_new_year_never_ends_in_a_year_not_begun_unasked(today: date, first: int, last: int) -> None:
    """11月到2月 and its like, any day: each reading has begun; a reading given alone ends in a year that has
    begun; when the span under way runs into next year, the last complete one is offered first."""
    assume(first > last)
    found = find_period(f"{first}月到{last}月", today)
    assert found is not None
    readings = [found.period, *found.others]
    assert all(reading.start <= today for reading in readings)
    assert all(reading.start.month == first and reading.last_day.month == last for reading in readings)
    if len(readings) == 1:
        assert readings[0].last_day.year <= today.year
    else:
        assert readings[0].last_day < today < readings[1].last_day and readings[1].last_day.year > today.year
