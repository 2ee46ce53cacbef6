"""Reading the dates typed in the talk form: when a talk was held (it lies behind) and an item's deadline (ahead).

A small grammar, Chinese and English, with Chinese numerals wherever a digit may stand:

    moment   = day [time] | time
    day      = date with year (2025-03-05, 2025年3月5日, March 5 2025) | date without year (3月5日, 3.5, Mar 5)
             | a day counted from today (昨天, 明天, 3天前, 2 days ago) | a weekday (上周五, 下周五, 本周三, Friday)
             | the start or end of a month, quarter, week or year (月底, 下月底, 3月底, 年底, 季度末, end of March)
             | a span from today (三个月内, 半年, 两周内, 30天, in 3 months)
    time     = [上午|下午|晚上|…] hour [点|:] [minute|半|一刻] [am|pm] | 上午|下午|… (the day only)

A deadline may also carry 前 / 之前 / by / before. Pure: the text and today's local date in, a `Reading` out, or
`Unreadable` saying what could not be read (nothing understood, or a day or time that does not exist).

dateparser 1.5 (zh + en, the same relative base) was tried on tests/test_when.py's table first: 34 of 86 talk times
and 17 of 84 deadlines right, and dates given where a refusal is due (6月30日前 → 2024-08-07, 3月, 12).

Long because talk-form dates come in many spoken shapes (今天, 上周三, 3月5日下午, 2026-03-05 14:30), each with
its own ambiguity rule; the grammar is one piece.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

DIGITS = str.maketrans(
    "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19\uff1a\uff0d\uff0f\uff0e", "0123456789:-/."
)  # full-width digits, colon, dash, slash and dot
CHINESE_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
ENGLISH_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
# Written out rather than taken from `calendar`, whose names follow the process's locale.
_MONTHS = ["january", "february", "march", "april", "may", "june"]
_MONTHS += ["july", "august", "september", "october", "november", "december"]
MONTH_NAMES = {name: number for number, name in enumerate(_MONTHS, 1)} | {
    name[:3]: number for number, name in enumerate(_MONTHS, 1)
}
MONTH_NAMES["sept"] = 9
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAY_NAMES = {name: number for number, name in enumerate(_WEEKDAYS)} | {
    name[:3]: number for number, name in enumerate(_WEEKDAYS)
}
WEEKDAY_NAMES |= {"tues": 1, "thur": 3, "thurs": 3}
RELATIVE_DAYS = {
    "大前天": -3,
    "前天": -2,
    "昨天": -1,
    "昨日": -1,
    "今天": 0,
    "今日": 0,
    "明天": 1,
    "明日": 1,
    "后天": 2,
    "大后天": 3,
    "the day before yesterday": -2,
    "yesterday": -1,
    "today": 0,
    "tomorrow": 1,
    "the day after tomorrow": 2,
}
SHORT_DAY_PARTS = {"昨晚": "昨天晚上", "今早": "今天早上", "今晚": "今天晚上", "明早": "明天早上", "明晚": "明天晚上"}
MINUTE_WORDS = {"半": 30, "1刻": 15, "3刻": 45, "钟": 0, "整": 0, "": 0}  # 一刻 is 1刻 once numerals are read
AFTERNOON = ("下午", "晚上", "傍晚", "夜里", "afternoon", "evening", "pm")
MORNING = ("上午", "早上", "早晨", "morning", "am")
YEARS_TRIED = 4  # 2月29日 without a year: the nearest leap year's


@dataclass(frozen=True)
class Moment:
    day: date
    at: time | None  # None: only the day is known

    def local(self) -> datetime:
        return datetime.combine(self.day, self.at or time(0, 0))


@dataclass(frozen=True)
class Reading:
    moment: Moment
    confirm: bool = False  # a year, month, week or half-day was chosen for the user: show the moment back first


class Unreadable(ValueError):
    """What the text could not give: `reason` is unread, no_such_day or no_such_time; `part` the words at fault."""

    def __init__(self, reason: str, part: str = "") -> None:
        super().__init__(reason, part)
        self.reason, self.part = reason, part


def chinese_number(numeral: str) -> int:
    """一 → 1, 十二 → 12, 二十三 → 23, 三十 → 30, 一百二十 → 120; digit by digit without 十/百: 二〇二五 → 2025."""
    if "十" not in numeral and "百" not in numeral:
        return int("".join(str(CHINESE_DIGITS[char]) for char in numeral))
    total = current = 0
    for char in numeral:
        if char in "十百":
            total += (current or 1) * (10 if char == "十" else 100)
            current = 0
        else:
            current = CHINESE_DIGITS[char]
    return total + current


def _normalise(text: str) -> str:
    """Lower case, half-width digits, Chinese numerals as digits, and a space kept only between two Latin words or
    numbers (so 3月5号 上午10点 and March 5, 2025 read alike however they were spaced)."""
    text = text.translate(DIGITS).lower().replace("，", " ").replace(",", " ")
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r" (?![a-z0-9])|(?<![a-z0-9.]) ", "", text)
    text = re.sub("|".join(SHORT_DAY_PARTS), lambda found: SHORT_DAY_PARTS[found.group()], text)
    return re.sub(r"[零〇一二两三四五六七八九十百]+", lambda found: str(chinese_number(found.group())), text)


# ---- the grammar's pieces ------------------------------------------------------------------------------------

_MONTH = "|".join(sorted(MONTH_NAMES, key=len, reverse=True))
_WEEKDAY = "|".join(sorted(WEEKDAY_NAMES, key=len, reverse=True))
_COUNT = r"\d{1,3}|" + "|".join(sorted(ENGLISH_NUMBERS, key=len, reverse=True))
_TIME = (
    r"(?:at ?)?(?P<part>上午|早上|早晨|中午|下午|晚上|傍晚|夜里|凌晨|in the morning|in the afternoon|in the evening)?"
    r"(?:(?P<hour>\d{1,2})(?:(?P<separator>[:点时])(?P<minute>\d{1,2}分?|半|[13]刻|钟|整)?)? ?(?P<suffix>am|pm)?)?"
)
_MOMENT = r"^(?P<day>{day})(?: ?(?P<time>{time}))?$"
_DEADLINE_PREFIX = re.compile(r"^(?:(?:by|before|until|no later than|due|due by) |在|于|截至|截止到?)")
_DEADLINE_SUFFIX = re.compile(r"(?:之前|以前|前|为止|止)?(?:完成|办结|完成整改|整改完成|整改到位)?$")


@dataclass(frozen=True)
class _Context:
    today: date
    ahead: bool  # a deadline: a day without its year, or a bare weekday, is the next one, not the last


class _Parts(dict[str, str | None]):
    """A match's groups, stripped; a group the rule does not have reads as absent (None)."""

    def __missing__(self, key: str) -> None:
        return None


Rule = Callable[[_Parts, _Context, str], Reading]


def _day(year: int, month: int, day: int, part: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise Unreadable("no_such_day", part) from None


def _nearest(context: _Context, build: Callable[[int], date], part: str) -> Reading:
    """The day `build(year)` nearest today on the right side (behind for a talk, ahead for a deadline). The year
    was not typed: when it is not this year's, the user is asked."""
    today = context.today
    step = 1 if context.ahead else -1
    for offset in range(YEARS_TRIED + 1):
        try:
            found = build(today.year + step * offset)
        except ValueError:
            continue
        if (found >= today) if context.ahead else (found <= today):
            return Reading(Moment(found, None), confirm=found.year != today.year)
    raise Unreadable("no_such_day", part)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter (1月31日 + 1个月 → 2月28日)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _month_of(day: date, shift: int) -> tuple[int, int]:
    shifted = add_months(day.replace(day=1), shift)
    return shifted.year, shifted.month


RELATIVE_YEARS = {"前": -2, "去": -1, "last": -1, "今": 0, "本": 0, "当": 0, "this": 0, "明": 1, "next": 1, "后": 2}
# 上月 / 下周 / 上上季度 …: how many months, weeks or quarters from the present one
RELATIVE_SHIFTS = {"上上": -2, "上": -1, "上个": -1, "last": -1, "本": 0, "这": 0, "这个": 0, "当": 0, "this": 0}
RELATIVE_SHIFTS |= {"下": 1, "下个": 1, "next": 1, "下下": 2}


def _typed_year(parts: _Parts, context: _Context) -> int | None:
    """The year written with the day (2026年, 明年, 2026), or None when it was left out."""
    if parts["year"]:
        return int(parts["year"])
    if parts["rel_year"]:
        return context.today.year + RELATIVE_YEARS[parts["rel_year"]]
    return None


def _month_number(parts: _Parts) -> int:
    name = parts["name"]
    return MONTH_NAMES[name] if name else int(parts["m"] or 0)


def _date(parts: _Parts, context: _Context, part: str) -> Reading:
    """2025-03-05 / 2025年3月5日 / 明年1月15日 / 3月5日 / 3.5 / March 5 / 5 March 2025."""
    month, day = _month_number(parts), int(parts["d"] or 0)
    _day(2000, month, day, part)  # a day no year has (2月30日) is named as such
    year = _typed_year(parts, context)
    if year is not None:
        return Reading(Moment(_day(year, month, day, part), None))
    return _nearest(context, lambda year: date(year, month, day), part)


def _day_of_month(parts: _Parts, context: _Context, part: str) -> Reading:
    """5号 / 20日: this month's, or the nearest month's on the right side (then shown back)."""
    today, number = context.today, int(parts["d"] or 0)
    if not 1 <= number <= 31:
        raise Unreadable("no_such_day", part)
    for offset in range(3):
        year, month = _month_of(today, offset if context.ahead else -offset)
        if number > calendar.monthrange(year, month)[1]:
            continue
        found = date(year, month, number)
        if (found >= today) if context.ahead else (found <= today):
            return Reading(Moment(found, None), confirm=(year, month) != (today.year, today.month))
    raise Unreadable("no_such_day", part)


def _day_of_named_month(parts: _Parts, context: _Context, part: str) -> Reading:
    """本月20日 / 下月5号 / 上个月15日."""
    year, month = _month_of(context.today, RELATIVE_SHIFTS[parts["which"] or "本"])
    return Reading(Moment(_day(year, month, int(parts["d"] or 0), part), None))


def _relative_day(parts: _Parts, context: _Context, part: str) -> Reading:
    return Reading(Moment(context.today + timedelta(days=RELATIVE_DAYS[parts["word"] or ""]), None))


SPAN_DAYS = {"天": 1, "日": 1, "day": 1, "days": 1, "周": 7, "星期": 7, "个星期": 7, "礼拜": 7, "个礼拜": 7}
SPAN_DAYS |= {"week": 7, "weeks": 7}
SPAN_MONTHS = {"个月": 1, "month": 1, "months": 1, "年": 12, "year": 12, "years": 12}
BACKWARDS = ("前", "以前", "之前", "ago")


def _span(parts: _Parts, context: _Context, part: str) -> Reading:
    """N天前 / 3个月后 / 三个月内 / in 3 months / 2 days ago; a bare count (30天) lies ahead, so only a deadline."""
    unit, direction = parts["unit"] or "", parts["direction"] or ""
    if not direction and not context.ahead:
        raise Unreadable("unread", part)  # "30天" is no talk time
    count = _number(parts["n"]) * (-1 if direction in BACKWARDS else 1)
    if unit in SPAN_MONTHS:
        return Reading(Moment(add_months(context.today, count * SPAN_MONTHS[unit]), None))
    return Reading(Moment(context.today + timedelta(days=count * SPAN_DAYS[unit]), None))


def _number(word: str | None) -> int:
    return ENGLISH_NUMBERS[word] if word in ENGLISH_NUMBERS else int(word or 0)


def _half(parts: _Parts, context: _Context, part: str) -> Reading:
    """半年 / half a year (six months), 半个月 / half a month (fifteen days)."""
    if parts["unit"] in ("年", "year"):
        return Reading(Moment(add_months(context.today, 6), None))
    return Reading(Moment(context.today + timedelta(days=15), None))


def _weekday(parts: _Parts, context: _Context, part: str) -> Reading:
    """上周五 / 本周三 / 下周五: that week's day (weeks start on Monday); a bare 周五 or Friday is the nearest one
    on the right side; English next / last Friday is read as 下周五 / 上周五 and shown back, as English is loose."""
    which, name = parts["which"] or "", parts["wd"] or ""
    weekday = WEEKDAY_NAMES[name] if name in WEEKDAY_NAMES else ("1234567".find(name) if name.isdigit() else 6)
    if which:
        monday = context.today - timedelta(days=context.today.weekday())
        day = monday + timedelta(days=7 * RELATIVE_SHIFTS[which] + weekday)
        return Reading(Moment(day, None), confirm=which in ("last", "next"))
    gap = (weekday - context.today.weekday()) % 7
    if context.ahead:
        return Reading(Moment(context.today + timedelta(days=gap), None))
    return Reading(Moment(context.today - timedelta(days=(7 - gap) % 7), None))


def _edge_day(parts: _Parts, year: int, first_month: int, last_month: int) -> date:
    """The first day of `first_month` for 初 / start of, else the last day of `last_month`."""
    if parts["edge"] in ("初", "start", "beginning"):
        return date(year, first_month, 1)
    return _month_end(year, last_month)


def _month_edge(parts: _Parts, context: _Context, part: str) -> Reading:
    """月底 / 下月底 / 上月末 / 下月初 / 3月底 / 2026年3月底 / 明年3月底 / end of March / end of next month."""
    if not (parts["m"] or parts["name"]):
        shifted_year, shifted_month = _month_of(context.today, RELATIVE_SHIFTS[parts["which"] or "本"])
        return Reading(Moment(_edge_day(parts, shifted_year, shifted_month, shifted_month), None))
    month = _month_number(parts)
    if not 1 <= month <= 12:
        raise Unreadable("no_such_day", part)
    typed = _typed_year(parts, context)
    if typed is not None:
        return Reading(Moment(_edge_day(parts, typed, month, month), None))
    return _nearest(context, lambda year: _edge_day(parts, year, month, month), part)


def _quarter_end(parts: _Parts, context: _Context, part: str) -> Reading:
    """季度末 / 本季度末 / 下季度末 / 三季度末 / end of Q3 / end of the quarter."""
    if parts["q"]:
        quarter = int(parts["q"])
        if not 1 <= quarter <= 4:
            raise Unreadable("no_such_day", part)
        return _nearest(context, lambda year: _month_end(year, quarter * 3), part)
    year, month = _month_of(context.today, 3 * RELATIVE_SHIFTS[parts["which"] or "本"])
    return Reading(Moment(_month_end(year, (month - 1) // 3 * 3 + 3), None))


def _year_edge(parts: _Parts, context: _Context, part: str) -> Reading:
    """年底 / 年内 / 明年底 / 2026年底 / 年初 / end of the year / end of 2026."""
    typed = _typed_year(parts, context)
    year = context.today.year if typed is None else typed
    return Reading(Moment(_edge_day(parts, year, 1, 12), None))


def _week_end(parts: _Parts, context: _Context, part: str) -> Reading:
    """周末 / 本周内 / 下周末 / end of the week: that week's Sunday."""
    weeks = RELATIVE_SHIFTS[parts["which"] or "本"]
    return Reading(Moment(context.today + timedelta(days=6 - context.today.weekday() + 7 * weeks), None))


_YEAR_ZH = r"(?:(?P<year>\d{4})年|(?P<rel_year>前|去|今|明|后)年)?"
_YEAR_EN = r"(?: (?P<year>\d{4}))?"
_ORDINAL = r"(?:st|nd|rd|th)?"
_EDGE_EN = r"(?:the )?(?P<edge>end|start|beginning) of (?:the )?"
_WHICH = r"(?P<which>上上|上个?|下下|下个?|本|这个?|当)"
_WHICH_EN = r"(?:(?P<which>last|next|this) )"
_DIRECTION = r"(?P<direction>以?前|之前|以?后|之后|以?内|之内)"
RULES: list[tuple[str, Rule]] = [
    # dates: with a year, with a relative year, or without
    (r"(?P<year>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})", _date),
    (rf"{_YEAR_ZH}(?P<m>\d{{1,2}})月(?P<d>\d{{1,2}})[日号]?", _date),
    (r"(?P<m>\d{1,2})\.(?P<d>\d{1,2})", _date),
    (rf"(?P<name>{_MONTH})\.? ?(?P<d>\d{{1,2}}){_ORDINAL}{_YEAR_EN}", _date),
    (rf"(?:the )?(?P<d>\d{{1,2}}){_ORDINAL} (?:of )?(?P<name>{_MONTH})\.?{_YEAR_EN}", _date),
    (r"(?P<d>\d{1,2})[日号]", _day_of_month),
    (rf"{_WHICH}?个?月(?P<d>\d{{1,2}})[日号]", _day_of_named_month),
    # days and spans counted from today
    ("(?P<word>" + "|".join(sorted(RELATIVE_DAYS, key=len, reverse=True)) + ")", _relative_day),
    (rf"(?P<n>\d{{1,3}}) ?(?P<unit>个月|天|周|个?星期|个?礼拜|年){_DIRECTION}?", _span),
    (rf"(?P<n>\d{{1,3}})(?P<unit>日){_DIRECTION}", _span),
    (rf"(?:in |within )?(?P<n>{_COUNT}) (?P<unit>days?|weeks?|months?|years?)(?: (?P<direction>ago|later))?", _span),
    (rf"(?P<n>{_COUNT}) (?P<unit>days?|weeks?|months?|years?) from now", _span),
    (r"(?:in |within )?half (?:a |an )?(?P<unit>year|month)", _half),
    (r"半个?(?P<unit>年|月)(?:以?内|之内|以?后|之后)?", _half),
    # weekdays
    (rf"{_WHICH}? ?(?:周|星期|礼拜)(?P<wd>[1-7日天])", _weekday),
    (rf"{_WHICH_EN}?(?P<wd>{_WEEKDAY})", _weekday),
    # starts and ends of weeks, months, quarters and years
    (r"(?:本|这)?(?:周|星期)(?:末|内)|(?P<which>下)(?:周|星期)末", _week_end),
    (r"(?:the )?end of (?:the |this )?week|(?:the )?end of (?P<which>next) week|(?:this )?weekend", _week_end),
    (rf"{_WHICH}?月月?(?P<edge>底|末|初|内)", _month_edge),
    (rf"{_YEAR_ZH}(?P<m>\d{{1,2}})月份?(?P<edge>底|末|初)", _month_edge),  # 3月内: March, or 3个月内? Not read
    (rf"{_EDGE_EN}(?:this |the )?(?:(?P<which>last|next) )?month|month[ -]end", _month_edge),
    (rf"{_EDGE_EN}(?P<name>{_MONTH}){_YEAR_EN}", _month_edge),
    (rf"{_WHICH}?季度?(?:末|底|内)", _quarter_end),
    (r"第?(?P<q>\d)季度?(?:末|底)", _quarter_end),
    (rf"{_EDGE_EN}(?:this |the )?(?:(?P<which>last|next) )?quarter|(?:the )?end of q(?P<q>\d)", _quarter_end),
    (r"(?:(?P<year>\d{4})|(?P<rel_year>本|今|当|前|去|明|后))?年年?(?P<edge>底|末|初|内)", _year_edge),
    (rf"{_EDGE_EN}(?:this |the )?(?:(?P<rel_year>last|next) )?year|year[ -]end", _year_edge),
    (r"(?:the )?end of (?P<year>\d{4})", _year_edge),
]
_COMPILED = [(re.compile(_MOMENT.format(day=pattern, time=_TIME)), rule) for pattern, rule in RULES]
_TIME_ONLY = re.compile(rf"^(?P<time>{_TIME})$")


def _clean(groups: dict[str, str | None]) -> _Parts:
    return _Parts({key: value.strip() if value else value for key, value in groups.items()})


def _time_of_day(parts: _Parts, part: str, *, deadline: bool) -> tuple[time | None, bool]:
    """下午3点 → 15:00, 三点半 → 15:30, 9:30pm → 21:30, 09:30 → 9:30; a day part alone (下午) gives no time. And
    whether the half of the day was guessed: an hour from 1 to 6 without 上午/下午 or am/pm is the afternoon's
    (talks are held in working hours), to be shown back."""
    if parts["hour"] is None:
        if parts["suffix"]:
            raise Unreadable("unread", part)
        return None, False
    hour, minute_text = int(parts["hour"]), (parts["minute"] or "").removesuffix("分")
    minute = MINUTE_WORDS[minute_text] if minute_text in MINUTE_WORDS else int(minute_text or 0)
    period = (parts["part"] or parts["suffix"] or "").removeprefix("in the ")
    if deadline and (hour, minute, period) == (24, 0, ""):
        return None, False  # 12月31日24时: the end of that day
    if hour > 23 or minute > 59 or (period in MORNING or parts["suffix"]) and hour > 12:
        raise Unreadable("no_such_time", part)
    if period in ("晚上", "夜里") and hour == 12:
        raise Unreadable("unread", part)  # noon or midnight: not guessed
    guessed = not period and len(parts["hour"]) == 1 and 1 <= hour <= 6
    if period in AFTERNOON and hour < 12 or period == "中午" and hour < 11 or guessed:
        hour += 12
    elif period in ("凌晨", "am") and hour == 12:
        hour = 0
    return time(hour, minute), guessed


def _with_time(reading: Reading, parts: _Parts, context: _Context) -> Reading:
    """The day read, with the time typed after it; a deadline keeps only its day (its time is still checked)."""
    if not parts["time"]:
        return reading
    if parts["hour"] is None and not parts["part"]:
        raise Unreadable("unread", parts["time"])  # "at" and nothing after it
    at, guessed = _time_of_day(parts, parts["time"], deadline=context.ahead)
    if context.ahead:
        return reading
    return Reading(Moment(reading.moment.day, at), reading.confirm or guessed)


def _read(text: str, context: _Context) -> Reading:
    normalised = _normalise(text)
    for pattern, rule in _COMPILED:
        found = pattern.match(normalised)
        if found is not None:
            parts = _clean(found.groupdict())
            try:
                reading = rule(parts, context, parts["day"] or "")
            except Unreadable:
                raise
            except (ValueError, OverflowError):  # year 0, or a span past the calendar's end
                raise Unreadable("no_such_day", parts["day"] or "") from None
            return _with_time(reading, parts, context)
    found = _TIME_ONLY.match(normalised)
    if found is not None:
        parts = _clean(found.groupdict())
        if any(parts[key] for key in ("part", "separator", "suffix")):  # "12" alone is not a time
            return _with_time(Reading(Moment(context.today, None)), parts, context)
    raise Unreadable("unread", text.strip())


def read_talk_time(text: str, today: date) -> Reading:
    """When a talk was held, as typed; a day without its year is the latest such day not after today."""
    return _read(text, _Context(today, ahead=False))


def read_due(text: str, today: date) -> Reading:
    """An item's deadline, as typed; a day without its year is the next such day. By / 前 / 之前 are the same day
    (the deadline is the last day allowed); a time of day is read but a deadline keeps only its day."""
    context = _Context(today, ahead=True)
    try:
        return _read(text, context)
    except Unreadable as refusal:
        if refusal.reason != "unread":
            raise
        trimmed = _DEADLINE_SUFFIX.sub("", _DEADLINE_PREFIX.sub("", _normalise(text)))
        if trimmed == _normalise(text) or not trimmed:
            raise
        try:
            return _read(trimmed, context)
        except Unreadable as second:
            if second.reason != "unread":
                raise
            raise refusal from None


def read_moment(text: str, today: date) -> Moment | None:
    """The moment `text` names, or None when it cannot be read (see read_talk_time)."""
    try:
        return read_talk_time(text, today).moment
    except Unreadable:
        return None


def read_deadline(text: str, today: date) -> date | None:
    """A deadline's day, or None when it cannot be read (see read_due)."""
    try:
        return read_due(text, today).moment.day
    except Unreadable:
        return None


def check_held_at(moment: Moment, now_local: datetime, max_age_days: int) -> str | None:
    """A catalog key saying why the moment cannot be a talk's time, or None when it can."""
    if moment.day > now_local.date() or (moment.at is not None and moment.local() > now_local.replace(tzinfo=None)):
        return "log.error.future"
    if moment.day < now_local.date() - timedelta(days=max_age_days):
        return "log.error.too_old"
    return None
