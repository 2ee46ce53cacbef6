"""Periods as people name them, in Chinese and English, relative to the organisation's local date. Pure: text and
today's date in, a date range out.

A period is [start, end): `end` is the day after the last day, so months, quarters and years add up exactly.

The reader is a small grammar over tokens, not a list of patterns, so that phrasings nobody listed compose:

- a **point**: a day (3月5日, 2025-03-05, March 5, 今天, 上周五, 上月底), a week (本周, last week),
  a month (3月, 2025-03, March 2025, 上个月, 去年12月), a quarter (三季度, Q4 2025, 去年四季度, 上季度),
  a half (上半年, H1 2025, 前年下半年, first half of last year) or a year (2025, 二〇二五年, 去年全年,
  the year before last); relative at any depth (上上个月, 大前年). A month, quarter or half written without
  a year is the latest one that has begun (in January, 12月 is last December); a day without a year likewise;
- a **span between two points** (1月到6月, 1-6月, 2025年3月至2026年2月, 3月5日到10日, Jan–Jun 2025, between
  2025-03-01 and 2025-04-15): the second point takes the year and month of the first when it does not say them,
  and the first takes the second's when only the second says them; with no year said at all, a span that would
  end in a year not yet begun (11月到2月 in November) is the last complete one, or both are offered (see `span`);
- a span **from a point up to today** (今年以来, 年初至今, 从3月起, since March, this year to date, 截至目前) or **up to
  a point** from the start of its year (截至6月底, until June), or **before** it (3月之前, 3月前), or **after** it
  (10月之后, 10月后: from November; 10月以后: from October or from November, both offered);
- a span **counted back from today** (近7天, 最近一周, 过去三个月, 近半年, 30天内, last 7 days, past three months);
- a **list** of adjacent points (1月、2月和3月, Q1 and Q2): their span; a list with a gap is refused.

Chinese numerals stand wherever digits do (三十, 十二, 二〇二五). What is named but impossible (2025年13月, 第五季度,
2月30日, 3月和5月, 30号到) gives no period at all, never a different one; so does an expression that runs on into
time words the grammar cannot use (本月第一周, 1月至今年6月), rather than the part of it that could be read.

Checked on the table in tests/test_period_phrasings.py: dateparser 1.5 returns single dates, never spans (the
first day of the period on 131 of 696 phrasings; the count is in that file); jionlp (docs/design.md) is heavy and
mis-reads ranges. Our grammar is small and proven by that table.

Long because it is the whole period grammar (tokens, spans, relative and named periods, suggestions for what it
could not read), which must stay one consistent table of readings.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date, timedelta

from bot.talks.when import DIGITS, add_months, chinese_number


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


@dataclass(frozen=True)
class PeriodMatch:
    """A period read from a question, and where in the text it was written: the question reader counts those
    characters as explained and looks at whatever is left."""

    period: Period
    words: str  # as typed
    spans: tuple[tuple[int, int], ...]  # [start, end) offsets into the text
    # Other periods the same words may as well mean (11月到2月 asked in December; 10月以后): the asker chooses
    others: tuple[Period, ...] = ()


class Unreadable(ValueError):
    """A period named but impossible: the text gets no period rather than a different one."""


# ---------------------------------------------------------------------------------------------------------- tokens

# Chinese words and what they are. Longest first when lexing, so 上半年 is a half, not 上 + 半年.
ZH_WORDS: dict[str, tuple[str, int | str]] = {
    **dict.fromkeys(("今年", "本年", "本年度", "今年度", "当年"), ("ryear", 0)),
    **dict.fromkeys(("去年", "上年", "上年度", "上一年", "上一年度", "前一年"), ("ryear", -1)),
    "前年": ("ryear", -2),
    "大前年": ("ryear", -3),
    **dict.fromkeys(("明年", "下一年", "来年"), ("ryear", 1)),
    **dict.fromkeys(("本", "这", "这个", "这一", "当", "本个"), ("rel", 0)),
    **dict.fromkeys(("上", "上个", "上一", "上一个", "前一", "前一个"), ("rel", -1)),
    **dict.fromkeys(("上上", "上上个", "上上一个"), ("rel", -2)),
    **dict.fromkeys(("下", "下个", "下一", "下一个"), ("rel", 1)),
    "年": ("unit", "year"),
    **dict.fromkeys(("月", "月份"), ("unit", "month")),
    "日": ("unit", "day"),
    "号": ("unit", "dom"),
    "天": ("unit", "days"),
    **dict.fromkeys(("周", "星期", "礼拜"), ("unit", "week")),
    **dict.fromkeys(("季度", "季"), ("unit", "quarter")),
    "半年": ("unit", "halfyear"),
    "个": ("cl", ""),
    "第": ("di", ""),
    **dict.fromkeys(("上半年", "上半年度"), ("half", 1)),
    **dict.fromkeys(("下半年", "下半年度"), ("half", 2)),
    "前": ("qian", ""),  # 今年前三个月; 6月前: before June (头 before a number too: see tokens)
    **dict.fromkeys(("近", "最近", "过去", "最近的", "近期"), ("back", "")),
    **dict.fromkeys(("到", "至", "直到", "一直到"), ("to", "到")),
    **dict.fromkeys(("以来", "至今", "迄今", "起", "开始", "起至今", "以来至今"), ("since", "")),
    # After a point: 之后 and 后 leave the point out (10月之后: from November), as both black-box testers read it;
    # 以后 is read either way in official writing (10月以后 often includes October), so the asker chooses.
    **dict.fromkeys(("之后", "后"), ("after", "exclusive")),
    "以后": ("after", "either"),
    **dict.fromkeys(("截至", "截止", "截至到", "截止到", "截止至", "截至于", "截止于"), ("upto", "")),
    "为止": ("weizhi", ""),
    **dict.fromkeys(("之前", "以前"), ("before", "")),
    **dict.fromkeys(("目前", "现在", "当前", "如今"), ("now", "")),
    **dict.fromkeys(("今天", "今日", "当天"), ("rday", 0)),
    **dict.fromkeys(("昨天", "昨日"), ("rday", -1)),
    "前天": ("rday", -2),
    **dict.fromkeys(("全年", "整年", "全年度", "一整年"), ("fullyear", "")),
    "年度": ("yearsuffix", ""),
    "年初": ("yedge", 1),
    **dict.fromkeys(("年末", "年底"), ("yedge", 2)),
    "月初": ("medge", 1),
    **dict.fromkeys(("月末", "月底"), ("medge", 2)),
    **dict.fromkeys(("末", "底"), ("tail", 2)),  # 三季度末, 上半年底
    "初": ("tail", 1),
    "上旬": ("xun", 1),
    "中旬": ("xun", 2),
    "下旬": ("xun", 3),
    **dict.fromkeys(("从", "自", "自从", "由"), ("from", "")),
    **dict.fromkeys(("在", "于"), ("at", "")),
    "的": ("de", ""),
    **dict.fromkeys(("期间", "内", "以内", "之内", "里", "当中"), ("within", "")),
    **dict.fromkeys(("和", "及", "与", "以及", "、"), ("and", "")),
}
# Words that hold two tokens: 去年底 is 去年 + 底 (年 belongs to both).
ZH_SPLIT: dict[str, tuple[tuple[str, int | str, int], ...]] = {
    f"{name}{edge}": (("ryear", value, len(name)), ("yedge", 1 if edge == "初" else 2, 1))
    for name, value in (("今年", 0), ("去年", -1), ("前年", -2), ("明年", 1))
    for edge in "初底末"
}
EN_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
EN_NUMBERS = {
    word: number
    for number, word in enumerate(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]
        + ["thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"]
    )
} | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "ninety": 90, "hundred": 100}
EN_ORDINALS = {
    word: number for number, word in enumerate(["first", "second", "third", "fourth", "fifth", "sixth"], start=1)
}
EN_WORDS: dict[str, tuple[str, int | str]] = {
    **dict.fromkeys(("this", "current"), ("rel", 0)),
    **dict.fromkeys(("previous", "prior"), ("rel", -1)),
    "next": ("rel", 1),
    "last": ("last", ""),
    **dict.fromkeys(("past", "recent"), ("back", "")),
    **dict.fromkeys(("year", "years"), ("unit", "year")),
    **dict.fromkeys(("month", "months"), ("unit", "month")),
    **dict.fromkeys(("quarter", "quarters"), ("unit", "quarter")),
    **dict.fromkeys(("week", "weeks"), ("unit", "week")),
    **dict.fromkeys(("day", "days"), ("unit", "days")),
    "half": ("unit", "halfyear"),
    "today": ("rday", 0),
    "yesterday": ("rday", -1),
    **dict.fromkeys(("now", "present", "date"), ("now", "")),
    "from": ("from", ""),
    "since": ("since_en", ""),
    "between": ("between", ""),
    "and": ("and", ""),
    **{word: ("to", word) for word in ("to", "through", "thru", "till", "until")},
    "up": ("up", ""),
    "as": ("as", ""),
    "of": ("of", ""),
    "the": ("the", ""),
    **dict.fromkeys(("in", "during", "for", "over", "within", "throughout"), ("at", "")),
    "before": ("before", ""),
    "ytd": ("ytd", ""),
    "so": ("so", ""),
    "far": ("far", ""),
    **dict.fromkeys(("full", "whole", "entire", "all"), ("full", "")),
    **dict.fromkeys(("start", "beginning"), ("edge", 1)),
    "end": ("edge", 2),
}

CHINESE_NUMERALS = "零〇一二两三四五六七八九十百"
_LEXER = re.compile(
    r"(?P<ord>\d{1,2}(?:st|nd|rd|th)(?![a-z]))"
    r"|(?P<qh>[qh]\d{1,2}(?![a-z\d]))"
    r"|(?P<num>\d+)"
    r"|(?P<split>" + "|".join(sorted(ZH_SPLIT, key=len, reverse=True)) + ")"
    r"|(?P<zh>" + "|".join(sorted(ZH_WORDS, key=len, reverse=True)) + ")"
    rf"|(?P<cnum>[{CHINESE_NUMERALS}]+)"
    r"|(?P<word>[a-z]+)"
    r"|(?P<dash>[-–—~～])|(?P<slash>/)|(?P<dot>\.)|(?P<comma>[,，])"
    r"|(?P<space>\s+)"
    r"|(?P<other>.)",
    re.DOTALL,
)
SEPARATORS = ("dash", "slash", "dot")
MOST_LISTED = 31  # the days of a month; longer lists are not lists of periods (and would cost time on every token)
MOST_RELATIVE_WORDS = 4  # 上上上个月 at most
# Tokens that, right after a period read, mean it was part of a longer expression (本月第一周, 2025年3月5)
CONTINUING = {"num", "unit", "cl", "di", "xun", "tail", "medge", "yedge", "q", "h", "yearsuffix", "ord", "of", "month"}
# and right before one (25年3月, 前三季度, 上3月)
LEADING = {"num", "unit", "cl", "di", "qian", "back", "ord", "q", "h", "rel", "last", "month"}


@dataclass(frozen=True)
class Token:
    kind: str
    value: int | str
    start: int
    end: int
    digits: int = 0  # a number's digit characters: 4 may be a year (2025, 二〇二五); 0 for 十/百 numerals


def _fold(text: str) -> str:
    """Lower case and half-width digits, one character for one, so offsets stay those of the text."""
    return "".join(char.lower() if len(char.lower()) == 1 else char for char in text.translate(DIGITS))


def tokens(text: str) -> list[Token]:
    folded = _fold(text)
    found: list[Token] = []
    for lexed in _LEXER.finditer(folded):
        kind, surface, start, end = lexed.lastgroup or "other", lexed.group(), lexed.start(), lexed.end()
        if kind == "space":
            continue
        if kind == "num":
            found.append(Token("num", int(surface), start, end, len(surface)))
        elif kind == "cnum":
            digits = 0 if ("十" in surface or "百" in surface) else len(surface)
            found.append(Token("num", chinese_number(surface), start, end, digits))
        elif kind == "ord":
            found.append(Token("ord", int(surface[:-2]), start, end))
        elif kind == "qh":
            found.append(Token(surface[0], int(surface[1:]), start, end))
        elif kind == "split":
            for piece_kind, value, length in ZH_SPLIT[surface]:
                found.append(Token(piece_kind, value, start, start + length))
                start += length
            found[-1] = replace(found[-1], end=end)
        elif kind == "zh":
            piece_kind, value = ZH_WORDS[surface]
            found.append(Token(piece_kind, value, start, end))
        elif kind == "word":
            found.append(_english(surface, text[start:end], start, end))
        elif kind == "dash":
            found.append(Token("dash", "-", start, end))
        else:
            found.append(Token(kind, surface, start, end))
    for index, token in enumerate(found):  # "in may", "may 2025": the month, though "may" alone is the verb
        if token.kind == "other" and token.value == "头" and index + 1 < len(found) and found[index + 1].kind == "num":
            found[index] = replace(token, kind="qian")  # 今年头三个月; not the 头 of 牵头, 带头
        if token.kind == "other" and token.value == "may":
            after_preposition = index > 0 and found[index - 1].kind in ("at", "since_en", "from", "to", "of", "and")
            before_number = index + 1 < len(found) and found[index + 1].kind in ("num", "ord")
            if after_preposition or before_number:
                found[index] = replace(token, kind="month", value=5)
    return found


def _english(word: str, typed: str, start: int, end: int) -> Token:
    if word in EN_MONTHS and (word != "may" or typed == "May"):  # "may" lower-case is more often the verb
        return Token("month", EN_MONTHS[word], start, end)
    if word in EN_NUMBERS:
        return Token("num", EN_NUMBERS[word], start, end, 0)
    if word in EN_ORDINALS:
        return Token("ord", EN_ORDINALS[word], start, end)
    kind, value = EN_WORDS.get(word, ("other", word))
    return Token(kind, value, start, end)


# ----------------------------------------------------------------------------------------------------------- points

# Words that follow a time in a question and begin no name: 周五约谈 is Friday's talks, though 周一鸣 is a name.
_AFTER_A_TIME = re.compile(r"约谈|谈话|共|一共|总共|有|多少|几|被|主持")

# What makes 前 after a point a word of its own rather than "before": 3月前往 (went in March), 6月前后 (about June).
_NOT_BEFORE = re.compile(r"往|任|期|夕|后|面|列|沿|景|来|去|线|方|身|辈|者|述|文|提|置|进|行")

# and 后 "after": 10月后期 (late October), 3月后来.
_NOT_AFTER = re.compile(r"期|面|来|续|半|天|勤|备|果|者|方|段")

LAST_DAY = -1  # the day field of 月底 / end of June


@dataclass(frozen=True)
class Spec:
    """A point as written: the fields said (None when not said), `unit` the finest of them. 'bare' is a number
    whose unit comes from the other end of a span (the 1 of 1-6月); 'fixed' a period already known (a week)."""

    unit: str  # year | half | quarter | month | day | fixed | bare
    year: int | None = None
    month: int | None = None  # the month, or the month of a day
    day: int | None = None
    number: int | None = None  # a quarter's or half's number, or the bare number
    fixed: Period | None = None
    grain: str = ""  # what a fixed period is (week, first months …), so a list mixes only like with like
    edge: bool = False  # 年初 / 月底: only as one end of a span


ABOVE = {"day": ("year", "month"), "month": ("year",), "quarter": ("year",), "half": ("year",)}


def _checked(value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        raise Unreadable(value)
    return value


def _day_of(year_number: int, month_number: int, day: int) -> date:
    if day == LAST_DAY:
        day = calendar.monthrange(year_number, month_number)[1]
    try:
        return date(year_number, month_number, day)
    except ValueError as error:
        raise Unreadable(day) from error


def period_of(spec: Spec) -> Period:
    """The period of a point whose fields are all known."""
    if spec.fixed is not None:
        return spec.fixed
    assert spec.year is not None
    try:
        if spec.unit == "year":
            return year(spec.year)
        assert spec.number is not None or spec.month is not None
        if spec.unit == "half":
            return half(spec.year, spec.number or 0)
        if spec.unit == "quarter":
            return quarter(spec.year, spec.number or 0)
        if spec.unit == "month":
            return month(spec.year, spec.month or 0)
    except ValueError as error:
        raise Unreadable(spec) from error
    assert spec.month is not None and spec.day is not None
    day = _day_of(spec.year, spec.month, spec.day)
    return Period(day, day + timedelta(days=1))


def complete(spec: Spec, today: date) -> Spec:
    """Fill in what was not said: the latest such point that has begun by today."""
    if spec.fixed is not None or spec.unit == "year" or (spec.year is not None and spec.unit != "day"):
        return spec
    if spec.unit == "bare" or spec.day is None and spec.unit == "day":
        raise Unreadable(spec)
    if spec.unit == "day" and spec.month is None:
        first = date(today.year, today.month, 1)
        for back in range(3):  # the 31st: this month, or the last month that has one
            candidate = add_months(first, -back)
            try:
                if _day_of(candidate.year, candidate.month, spec.day or 0) <= today:
                    return replace(spec, year=candidate.year, month=candidate.month)
            except Unreadable:
                continue
        raise Unreadable(spec)
    if spec.year is not None:
        return spec
    this_year = replace(spec, year=today.year)
    return this_year if period_of(this_year).start <= today else replace(spec, year=today.year - 1)


def inherit(source: Spec, spec: Spec) -> tuple[Spec, tuple[str, ...]]:
    """`spec` with the year (and month, for a day) it did not say taken from `source`."""
    taken = tuple(
        field
        for field in ABOVE.get(spec.unit, ())
        if getattr(spec, field) is None and getattr(source, field) is not None
    )
    return replace(spec, **{field: getattr(source, field) for field in taken}), taken


def shifted(spec: Spec, field: str, step: int) -> Spec:
    """The same point a year (or, for a day, a month) later or earlier."""
    assert spec.year is not None
    if field == "year":
        return replace(spec, year=spec.year + step)
    moved = add_months(date(spec.year, spec.month or 1, 1), step)
    return replace(spec, year=moved.year, month=moved.month)


def unbare(spec: Spec, unit: str) -> Spec:
    """The 1 of 1-6月 takes 月 from the other end."""
    if spec.unit != "bare":
        return spec
    assert spec.number is not None
    if unit == "month":
        return replace(spec, unit=unit, month=_checked(spec.number, 1, 12), number=None)
    if unit == "quarter":
        return replace(spec, unit=unit, number=_checked(spec.number, 1, 4))
    if unit == "half":
        return replace(spec, unit=unit, number=_checked(spec.number, 1, 2))
    if unit == "day":
        return replace(spec, unit=unit, day=_checked(spec.number, 1, 31), number=None)
    if unit == "year" and spec.year is None and 1900 <= spec.number <= 2100:
        return replace(spec, unit=unit, year=spec.number, number=None)
    raise Unreadable(spec)


def following(previous: Spec, spec: Spec, today: date) -> Spec:
    """The complete point after `previous`, taking its year/month when not said (11月到2月: February next year)."""
    spec, taken = inherit(previous, spec)
    spec = complete(spec, today)
    if taken and period_of(spec).start < period_of(previous).start:
        spec = shifted(spec, taken[-1], 1)
    return spec


def between(first: Spec, second: Spec, today: date) -> Period:
    """From the start of `first` to the end of `second`."""
    first = unbare(first, second.unit)
    first, taken_back = inherit(second, first)
    first = complete(first, today)
    second = following(first, second, today)
    if taken_back and period_of(second).start < period_of(first).start:
        first = shifted(first, taken_back[-1], -1)  # Nov–Feb 2025: November 2024
    start, end = period_of(first), period_of(second)
    if end.start < start.start:
        raise Unreadable((first, second))
    return Period(start.start, end.end)


def adjacent(items: list[Spec], today: date) -> Period:
    """The span of a list of points of one kind with no gap (1月、2月和3月)."""
    last_unit = items[-1].unit
    items = [unbare(item, last_unit) for item in items]
    if len({(item.unit, item.grain) for item in items}) > 1:
        raise Unreadable(items)
    for index in range(len(items) - 2, -1, -1):
        items[index] = inherit(items[index + 1], items[index])[0]
    items[0] = complete(items[0], today)
    for index in range(1, len(items)):
        items[index] = following(items[index - 1], items[index], today)
    periods = sorted({period_of(item) for item in items}, key=lambda period: period.start)
    if any(a.end != b.start for a, b in zip(periods, periods[1:], strict=False)):
        raise Unreadable(items)  # 1月和3月: not one period
    return Period(periods[0].start, periods[-1].end)


def counted_back(count: int, unit: str, today: date) -> Period:
    """The last `count` days/weeks/months…, today included."""
    if count <= 0:
        raise Unreadable(count)
    end = today + timedelta(days=1)
    if unit in ("days", "day"):
        return Period(today - timedelta(days=count - 1), end)
    if unit == "week":
        return Period(today - timedelta(days=7 * count - 1), end)
    months = {"month": 1, "quarter": 3, "halfyear": 6, "year": 12}[unit] * count
    return Period(add_months(today, -months) + timedelta(days=1), end)


# ----------------------------------------------------------------------------------------------------------- grammar

Parsed = tuple[Spec, int]


class Reader:
    """Recursive descent over the tokens; each rule takes a token index and returns what it read and the index
    after it, or None. Unreadable propagates: a named but impossible period refuses the whole text."""

    def __init__(self, text: str, today: date) -> None:
        self.text = text
        self.tokens = tokens(text)
        self.today = today
        self.points: dict[tuple[int, bool, bool], Parsed | None] = {}
        self.others: tuple[Period, ...] = ()  # other readings of the expression read last (see PeriodMatch)

    # -- helpers
    def at(self, index: int, kind: str, value: int | str | None = None) -> bool:
        if index >= len(self.tokens):
            return False
        token = self.tokens[index]
        return token.kind == kind and (value is None or token.value == value)

    def value(self, index: int) -> int:
        value = self.tokens[index].value
        assert isinstance(value, int)
        return value

    def unit_at(self, index: int, *units: str) -> bool:
        return self.at(index, "unit") and self.tokens[index].value in units

    def zh_unit_at(self, index: int, *units: str) -> bool:
        """A Chinese unit word: 3月 is March, "3 months" is not."""
        return self.unit_at(index, *units) and not self.text[self.tokens[index].start].isascii()

    def small_number(self, index: int) -> bool:
        return self.at(index, "num") and self.tokens[index].digits != 4

    def year_number(self, index: int) -> bool:
        return self.at(index, "num") and self.tokens[index].digits == 4 and 1900 <= self.value(index) <= 2100

    def adjacent_tokens(self, index: int) -> bool:
        return index + 1 < len(self.tokens) and self.tokens[index].end == self.tokens[index + 1].start

    def time_like(self, index: int) -> bool:
        return index >= len(self.tokens) or self.tokens[index].kind not in ("other", "comma", "de", "at", "and")

    def touching(self, before: int, after: int) -> bool:
        """Nothing but spaces between two tokens."""
        return not self.text[self.tokens[before].end : self.tokens[after].start].strip()

    def cut_short(self, start: int, end: int) -> bool:
        """Whether what was read runs on into, or follows from, time words it could not use."""
        runs_on = end < len(self.tokens) and self.tokens[end].kind in CONTINUING and self.touching(end - 1, end)
        follows = start > 0 and self.tokens[start - 1].kind in LEADING and self.touching(start - 1, start)
        return runs_on or follows and not self.in_a_word(start - 1)

    def in_a_word(self, index: int) -> bool:
        """A numeral at the end of a Chinese word, as in the names 张三, 李四, 区5: not a time word (the word is the
        question reader's leftover, not the period's)."""
        token = self.tokens[index]
        return (
            token.kind == "num"
            and index > 0
            and not (self.text[token.start].isascii() and self.text[token.start - 1].isascii())
            and self.tokens[index - 1].kind == "other"
            and self.tokens[index - 1].end == token.start
            and not self.text[token.start - 1].isspace()
        )

    # -- expressions
    def expression(self, index: int) -> tuple[Period, int] | None:
        self.others = ()
        while self.at(index, "at") or self.at(index, "the"):
            index += 1
        counted = self.rolling(index)
        if counted is not None:
            period, end = counted
            while self.at(end, "within") or self.at(end, "since"):
                end += 1  # 近三个月以来: the same window
            return period, end
        read = self.between_and(index) or self.up_to(index) or self.since(index) or self.compound(index)
        if read is None:
            return None
        period, end = read
        while self.at(end, "within"):
            end += 1
        return period, end

    def rolling(self, index: int) -> tuple[Period, int] | None:
        """近7天, 最近一周, 过去三个月, 近半年, the last 7 days, past week; 30天内 (a count alone says no direction)."""
        if self.at(index, "the"):
            index += 1
        if self.at(index, "back") or self.at(index, "last"):
            needs_count = self.at(index, "last")  # last week is a calendar week, last 7 days a window
            index += 1
            if self.at(index, "de"):
                index += 1
            count = 1
            if self.at(index, "num"):
                count, index = self.value(index), index + 1
            elif needs_count:
                return None
        elif self.small_number(index):
            count, index = self.value(index), index + 1
            if not self.at(index + (2 if self.at(index, "cl") else 1), "within"):
                return None
        else:
            return None
        if self.at(index, "cl"):
            index += 1
        if not self.unit_at(index, "days", "day", "week", "month", "quarter", "year", "halfyear"):
            return None
        return counted_back(count, str(self.tokens[index].value), self.today), index + 1

    def between_and(self, index: int) -> tuple[Period, int] | None:
        if not self.at(index, "between"):
            return None
        first = self.point(index + 1, bare=True)
        if first is None or not self.at(first[1], "and"):
            return None
        second = self.point(first[1] + 1, day_alone=True)
        if second is None:
            raise Unreadable(self.text)
        return self.span(first[0], second[0]), second[1]

    def up_to(self, index: int) -> tuple[Period, int] | None:
        """截至6月底, until June, as of today, 到目前为止 (from the start of that year)."""
        if self.at(index, "upto"):
            index += 1
        elif self.at(index, "up") and self.at(index + 1, "to") or self.at(index, "as") and self.at(index + 1, "of"):
            index += 2
        elif self.at(index, "to") and self.tokens[index].value in ("到", "until", "till", "through"):
            index += 1
        elif self.at(index, "to") and self.at(index + 1, "now"):
            index += 1  # to date
        elif self.at(index, "so") and self.at(index + 1, "far"):
            index += 2
            if self.at(index, "rel", 0) and self.unit_at(index + 1, "year"):
                index += 2  # so far this year
            return Period(date(self.today.year, 1, 1), self.today + timedelta(days=1)), index
        elif self.at(index, "ytd"):
            return Period(date(self.today.year, 1, 1), self.today + timedelta(days=1)), index + 1
        else:
            return None
        if self.at(index, "now"):
            end, index = self.today + timedelta(days=1), index + 1
        else:
            point = self.point(index)
            if point is None:
                return None
            end, index = period_of(complete(point[0], self.today)).end, point[1]
        if self.at(index, "weizhi"):
            index += 1
        start = date((end - timedelta(days=1)).year, 1, 1)
        return Period(start, end), index

    def since(self, index: int) -> tuple[Period, int] | None:
        """since March, before June (their Chinese follow the point: see compound)."""
        if not (self.at(index, "since_en") or self.at(index, "before")):
            return None
        point = self.point(index + 1)
        if point is None:
            return None
        if self.at(index, "before"):
            return self.before_point(point[0]), point[1]
        return self.since_point(point[0]), point[1]

    def before_point(self, spec: Spec) -> Period:
        """From the start of the point's year to just before it; before a year is unbounded: refused."""
        if spec.unit == "year" or spec.edge:
            raise Unreadable(spec)
        end = period_of(complete(spec, self.today)).start
        if end.month == 1 and end.day == 1:
            raise Unreadable(spec)
        return Period(date(end.year, 1, 1), end)

    def after_point(self, spec: Spec, how: str) -> Period:
        """10月之后: from the day after the point to today; 10月以后: that, or from the point itself (asked)."""
        inclusive = self.since_point(spec)
        start = period_of(complete(spec, self.today)).end
        if start > self.today:  # after a point still running no day has come: 以后 can only include it
            if how == "either":
                return inclusive
            raise Unreadable(spec)
        exclusive = Period(start, inclusive.end)
        if how == "either":
            self.others = (exclusive,)
            return inclusive
        return exclusive

    def span(self, first: Spec, second: Spec) -> Period:
        """The span between two points, and, when no year is said and it would end in a year that has not begun
        (11月到2月 asked in November or December), the reading a clerk means. Such a span, read as the latest
        one that has begun, is mostly still to come: a clerk counting it means the last complete one (November
        last year to February this year). When it began this month that is the only reading; when it has run
        longer (asked in December) the one under way is as likely, so the asker chooses between the two. A span
        ending in a year that has begun (11月到2月 asked in January, 1月到6月 in May) reads as 上半年 does:
        the latest that has begun."""
        if first.grain == second.grain == "weekday":  # 周一到周五: this week's, though Friday may be to come
            monday = self.today - timedelta(days=self.today.weekday())
            start, end = (monday + timedelta(days=period_of(point).start.weekday()) for point in (first, second))
            if end < start:
                raise Unreadable((first, second))
            return Period(start, end + timedelta(days=1))
        return self.begun_year(between(first, second, self.today), (first, second))

    def begun_year(self, period: Period, points: tuple[Spec, ...]) -> Period:
        """See `span`: a span (or list, 11月、12月和1月) of points with no year said, ending in a year not begun."""
        if any(point.year is not None for point in points) or period.last_day.year <= self.today.year:
            return period
        complete_one = Period(add_months(period.start, -12), add_months(period.end, -12))
        if (period.start.year, period.start.month) == (self.today.year, self.today.month):
            return complete_one
        self.others = (period,)
        return complete_one

    def since_point(self, spec: Spec) -> Period:
        begun = period_of(complete(spec, self.today)).start
        if begun > self.today:
            raise Unreadable(spec)
        return Period(begun, self.today + timedelta(days=1))

    def compound(self, index: int) -> tuple[Period, int] | None:
        """A point, and what follows it: a span to a second point, 以来, 之前, a list."""
        said_from = self.at(index, "from")
        if said_from:
            index += 1
        to_date = self.at(index + 1, "to") and self.at(index + 2, "now")
        if to_date and self.unit_at(index, "year", "month", "quarter", "week"):  # year to date, month to date
            point = self.relative(index, offset=0)
            assert point is not None
            return self.since_point(point[0]), index + 3
        first = self.point(index, bare=True)
        if first is None:
            return None
        spec, index = first
        if self.at(index, "to") or self.at(index, "dash"):
            connector = index
            if self.at(index + 1, "now"):
                end = index + 2
                if self.at(end, "weizhi"):
                    end += 1
                return self.since_point(spec), end
            second = self.point(index + 1, day_alone=True)
            if second is not None:
                end = second[1]
                if self.at(end, "weizhi"):
                    end += 1
                return self.span(spec, second[0]), end
            if spec.unit == "bare" or self.tokens[connector].value in ("到", "-") and self.time_like(index + 1):
                raise Unreadable(self.text)  # 30号到, 3月到13月
        if self.at(index, "upto") and self.at(index + 1, "now"):
            return self.since_point(spec), index + 2  # 今年截至目前
        if self.at(index, "since") or (self.at(index, "so") and self.at(index + 1, "far")):
            end = index + (2 if self.at(index, "so") else 1)
            while self.at(end, "since"):
                end += 1
            return self.since_point(spec), end
        before_said = (
            self.at(index, "qian")
            and self.text[self.tokens[index].start] == "前"
            and not self.at(index + 1, "num")
            and not _NOT_BEFORE.match(self.text, self.tokens[index].end)
        )
        if self.at(index, "before") or before_said:
            return self.before_point(spec), index + 1  # 6月之前, 6月前 (not 6月前三天, 6月前后)
        word_after = self.at(index, "after") and self.text[self.tokens[index].start : self.tokens[index].end] == "后"
        if (
            self.at(index, "after")
            and not spec.edge
            and not (word_after and _NOT_AFTER.match(self.text, self.tokens[index].end))
        ):
            return self.after_point(spec, str(self.tokens[index].value)), index + 1
        if self.at(index, "and") or self.at(index, "comma"):
            listed = self.listed(spec, index)
            if listed is not None:
                return listed
        if spec.unit == "bare" or spec.edge:
            return None
        if said_from:
            return self.since_point(spec), index
        if self.at(index, "de") and (index + 1 == len(self.tokens) or not self.time_like(index + 1)):
            index += 1  # 去年的(约谈)
        return period_of(complete(spec, self.today)), index

    def listed(self, first: Spec, index: int) -> tuple[Period, int] | None:
        items, end = [first], index
        while (self.at(end, "and") or self.at(end, "comma")) and len(items) < MOST_LISTED:
            following_point = self.point(end + 1, bare=True)
            if following_point is None:
                break
            items.append(following_point[0])
            end = following_point[1]
        if len(items) < 2 or items[-1].unit == "bare":
            return None
        if self.at(index, "comma") and not any(self.at(i, "and") for i in range(index, end)):
            return None  # 去年，今年呢: two questions, not a list
        units = {unbare(item, items[-1].unit).unit for item in items}
        if len(units) > 1:
            if first.unit == "bare":
                raise Unreadable(self.text)
            return None  # 本月和去年: two periods, the reader sees the second as leftover
        return self.begun_year(adjacent(items, self.today), tuple(items)), end

    # -- points
    def point(self, index: int, *, bare: bool = False, day_alone: bool = False) -> Parsed | None:
        """The longest point at `index` (remembered: lists and spans ask again for the same places)."""
        key = (index, bare, day_alone)
        if key not in self.points:
            self.points[key] = self.read_point(index, bare=bare, day_alone=day_alone)
        return self.points[key]

    def read_point(self, index: int, *, bare: bool, day_alone: bool) -> Parsed | None:
        if self.at(index, "the"):
            index += 1
        readings = [
            reading
            for reading in (
                self.dated(index),
                self.chinese(index, bare=bare, day_alone=day_alone),
                self.relative(index),
                self.english(index),
            )
            if reading is not None
        ]
        if not readings:
            return None
        spec, end = max(readings, key=lambda reading: reading[1])
        if self.at(end, "tail") and spec.unit in ("quarter", "half", "year", "month") and not spec.edge:
            whole = period_of(complete(spec, self.today))  # 三季度末: the last day of the third quarter
            edge_day = whole.start if self.value(end) == 1 else whole.last_day
            return Spec("day", edge_day.year, edge_day.month, edge_day.day, edge=True), end + 1
        return spec, end

    def dated(self, index: int) -> Parsed | None:
        """2025-03-05, 2025/3/5, 2025.03, 2025-03."""
        if not (self.year_number(index) and self.adjacent_tokens(index)):
            return None
        separator = self.tokens[index + 1].kind
        if separator not in SEPARATORS or not self.adjacent_tokens(index + 1):
            return None
        if not (self.at(index + 2, "num") and self.tokens[index + 2].digits in (1, 2)):
            return None
        year_number, month_number = self.value(index), _checked(self.value(index + 2), 1, 12)
        if (
            self.at(index + 3, separator)
            and self.adjacent_tokens(index + 2)
            and self.adjacent_tokens(index + 3)
            and self.at(index + 4, "num")
            and self.tokens[index + 4].digits in (1, 2)
        ):
            day = self.value(index + 4)
            _day_of(year_number, month_number, day)
            return Spec("day", year_number, month_number, day), index + 5
        return Spec("month", year_number, month_number), index + 3

    def year_prefix(self, index: int) -> tuple[int, int] | None:
        """2025年, 二〇二五年, 去年, 2025 (before 上半年, Q1 …); the index after it."""
        if self.year_number(index):
            if self.unit_at(index + 1, "year") or self.at(index + 1, "yearsuffix"):
                return self.value(index), index + 2
            # a bare 2025 is a year unless a word runs on from it (2025人, 2025次)
            if not self.text[self.tokens[index].end : self.tokens[index].end + 1].isalnum():
                return self.value(index), index + 1
            following_token = self.tokens[index + 1]
            if following_token.kind not in ("other", "num"):
                return self.value(index), index + 1
            return None
        if self.at(index, "ryear"):
            return self.today.year + self.value(index), index + 1
        return None

    def chinese(self, index: int, *, bare: bool, day_alone: bool) -> Parsed | None:
        prefix = self.year_prefix(index)
        short_year = self.at(index, "num") and self.tokens[index].digits == 2 and self.zh_unit_at(index + 1, "year")
        if prefix is None and short_year:  # 25年3月: 2025, but 25年 alone may be a count of years
            return self.within_year(index + 2, 2000 + self.value(index), bare=bare, day_alone=False)
        if prefix is None:
            if self.at(index, "fullyear"):
                return Spec("year", self.today.year), index + 1
            return self.within_year(index, None, bare=bare, day_alone=day_alone)
        year_number, index = prefix
        after = index + 1 if self.at(index, "de") else index
        within = self.within_year(after, year_number, bare=bare, day_alone=False)
        if within is not None:
            return within
        while self.at(index, "fullyear") or self.at(index, "yearsuffix"):
            index += 1
        return Spec("year", year_number), index

    def within_year(self, index: int, year_number: int | None, *, bare: bool, day_alone: bool) -> Parsed | None:
        """What follows a year, or stands without one: 3月, 3月5日, 6月底, 三季度, 上半年, 前三个月, 年底."""
        if self.small_number(index):
            number = self.value(index)
            if self.zh_unit_at(index + 1, "month") or self.at(index + 1, "medge"):
                return self.in_month(index + 1, year_number, _checked(number, 1, 12), bare=bare)
            if self.zh_unit_at(index + 1, "quarter"):
                return Spec("quarter", year_number, number=_checked(number, 1, 4)), index + 2
            if self.zh_unit_at(index + 1, "day", "dom") and day_alone and year_number is None:
                return Spec("day", day=_checked(number, 1, 31)), index + 2
            if bare and (self.at(index + 1, "to") or self.at(index + 1, "dash") or self.at(index + 1, "and")):
                return Spec("bare", year_number, number=number), index + 1
            return None
        if self.at(index, "di") and self.at(index + 1, "num"):
            number = self.value(index + 1)
            if self.zh_unit_at(index + 2, "quarter"):
                return Spec("quarter", year_number, number=_checked(number, 1, 4)), index + 3
            if self.zh_unit_at(index + 2, "halfyear"):
                return Spec("half", year_number, number=_checked(number, 1, 2)), index + 3
            if bare and (self.at(index + 2, "to") or self.at(index + 2, "dash") or self.at(index + 2, "and")):
                return Spec("bare", year_number, number=number), index + 2
            return None
        if self.at(index, "half"):
            return Spec("half", year_number, number=self.value(index)), index + 1
        if self.at(index, "q") or self.at(index, "h"):
            return self.english_quarter(index, year_number)
        first_one = self.at(index, "rel", -1) and self.text[self.tokens[index].start] == "前"  # 今年前一个月
        if (first_one or self.at(index, "qian") and self.at(index + 1, "num")) and year_number is not None:
            count = 1 if first_one else self.value(index + 1)
            end = index + 1 if first_one else index + 2
            if self.at(end, "cl"):
                end += 1
            if self.unit_at(end, "month", "quarter"):
                months = _checked(count, 1, 12) if self.unit_at(end, "month") else 3 * _checked(count, 1, 4)
                start = date(year_number, 1, 1)
                return Spec(
                    "fixed", year_number, fixed=Period(start, add_months(start, months)), grain="first"
                ), end + 1
            return None
        if self.at(index, "yedge"):
            first_day = self.value(index) == 1
            return Spec("day", year_number, 1 if first_day else 12, 1 if first_day else 31, edge=True), index + 1
        if self.at(index, "medge") and year_number is None:
            return Spec("day", day=1 if self.value(index) == 1 else LAST_DAY, edge=True), index + 1
        return None

    def in_month(self, index: int, year_number: int | None, month_number: int, *, bare: bool) -> Parsed:
        """After 3月 (index at 月): a day, 月底, 上旬, or the month itself."""
        if self.at(index, "medge"):
            day = 1 if self.value(index) == 1 else LAST_DAY
            return Spec("day", year_number, month_number, day, edge=True), index + 1
        index += 1
        if self.at(index, "num") and self.zh_unit_at(index + 1, "day", "dom"):
            return Spec("day", year_number, month_number, _checked(self.value(index), 1, 31)), index + 2
        if self.at(index, "xun"):
            whole = period_of(complete(Spec("month", year_number, month_number), self.today))
            tenth = self.value(index)
            start = whole.start + timedelta(days=10 * (tenth - 1))
            end = whole.end if tenth == 3 else start + timedelta(days=10)
            return Spec("fixed", start.year, fixed=Period(start, end), grain="xun"), index + 1
        if bare and self.at(index, "num") and (self.at(index + 1, "to") or self.at(index + 1, "dash")):
            return Spec("bare", year_number, month_number, number=self.value(index)), index + 1
        return Spec("month", year_number, month_number), index

    def relative(self, index: int, offset: int | None = None) -> Parsed | None:
        """上个月, 上上周, 本季度, 下半年 … (offset given: the unit at index, that many back: year to date)."""
        if offset is None:
            offset, start = 0, index
            while (self.at(index, "rel") or self.at(index, "last")) and index - start < MOST_RELATIVE_WORDS:
                offset += -1 if self.at(index, "last") else self.value(index)
                index += 1
            if index == start:
                return self.before_last(index) or self.day(index) or self.weekday_alone(index)
            if self.at(index, "cl"):
                index += 1
        if not self.at(index, "unit") and not self.at(index, "medge"):
            return None
        if offset == -1 and self.at(index + 1, "of") and self.unit_at(index, "month", "quarter", "halfyear"):
            said = self.english_year(index + 1)  # the last quarter of 2025
            if said is None:
                return None
            unit_name = str(self.tokens[index].value)
            if unit_name == "month":
                return Spec("month", said[0], 12), said[1]
            return Spec(
                "quarter" if unit_name == "quarter" else "half", said[0], number=4 if unit_name == "quarter" else 2
            ), said[1]
        today = self.today
        unit = str(self.tokens[index].value)
        if self.at(index, "medge"):
            moved = add_months(date(today.year, today.month, 1), offset)
            day = 1 if self.value(index) == 1 else LAST_DAY
            return Spec("day", moved.year, moved.month, day, edge=True), index + 1
        if unit == "month":
            moved = add_months(date(today.year, today.month, 1), offset)
            return self.in_month(index, moved.year, moved.month, bare=False)
        if unit == "quarter":
            count = today.year * 4 + (today.month - 1) // 3 + offset
            return Spec("quarter", count // 4, number=count % 4 + 1), index + 1
        if unit == "halfyear":
            count = today.year * 2 + (today.month - 1) // 6 + offset
            return Spec("half", count // 2, number=count % 2 + 1), index + 1
        if unit == "year":
            return Spec("year", today.year + offset), index + 1
        if unit == "week":
            monday = today - timedelta(days=today.weekday()) + timedelta(weeks=offset)
            weekday = self.weekday(index + 1)
            if weekday is not None:  # 上周五, 本周一
                moved_day = monday + timedelta(days=weekday)
                return Spec("day", moved_day.year, moved_day.month, moved_day.day), index + 2
            week = Period(monday, monday + timedelta(days=7))
            return Spec("fixed", monday.year, fixed=week, grain="week"), index + 1
        if unit in ("days", "day"):
            moved_day = today + timedelta(days=offset)
            return Spec("day", moved_day.year, moved_day.month, moved_day.day), index + 1
        return None

    def weekday(self, index: int) -> int | None:
        """周一 … 周日, 星期三, 礼拜天: the day's index from Monday, or None (index after 周)."""
        if not (index < len(self.tokens) and self.tokens[index - 1].end == self.tokens[index].start):
            return None
        if self.zh_unit_at(index, "day", "days"):
            return 6
        if self.at(index, "num") and self.tokens[index].digits == 1:
            return _checked(self.value(index), 1, 6) - 1
        return None

    def weekday_alone(self, index: int) -> Parsed | None:
        """周三 without 本/上: the latest Wednesday, today included."""
        if not self.zh_unit_at(index, "week"):
            return None
        weekday = self.weekday(index + 1)
        runs_on = (
            index + 2 < len(self.tokens)
            and self.tokens[index + 2].kind == "other"
            and self.adjacent_tokens(index + 1)
            and not _AFTER_A_TIME.match(self.text, self.tokens[index + 2].start)
        )
        if weekday is None or runs_on:  # 周一鸣 is a name more likely than Monday
            return None
        moved_day = self.today - timedelta(days=(self.today.weekday() - weekday) % 7)
        return Spec("day", moved_day.year, moved_day.month, moved_day.day, grain="weekday"), index + 2

    def before_last(self, index: int) -> Parsed | None:
        """the month before last, the year before last."""
        if self.at(index, "unit") and self.at(index + 1, "before") and self.at(index + 2, "last"):
            found = self.relative(index, offset=-2)
            return (found[0], index + 3) if found else None
        return None

    def day(self, index: int) -> Parsed | None:
        if not self.at(index, "rday"):
            return None
        day = self.today + timedelta(days=self.value(index))
        return Spec("day", day.year, day.month, day.day), index + 1

    # -- English points
    def english_year(self, index: int) -> tuple[int, int] | None:
        """2025, this year, last year, the year before last, (of) the year."""
        if self.at(index, "of"):
            index += 1
        if self.year_number(index):
            return self.value(index), index + 1
        if self.at(index, "the"):
            index += 1
            if self.unit_at(index, "year"):
                if self.at(index + 1, "before") and self.at(index + 2, "last"):
                    return self.today.year - 2, index + 3
                if self.year_number(index + 1):
                    return self.value(index + 1), index + 2  # the year 2025
                return self.today.year, index + 1
        if (self.at(index, "rel") or self.at(index, "last")) and self.unit_at(index + 1, "year"):
            offset = -1 if self.at(index, "last") else self.value(index)
            return self.today.year + offset, index + 2
        if self.at(index, "ryear"):
            return self.today.year + self.value(index), index + 1
        return None

    def english(self, index: int) -> Parsed | None:
        if self.at(index, "month"):
            return self.english_month(index)
        if (self.at(index, "rel", 0) or self.at(index, "last")) and self.at(index + 1, "month"):
            month_number = self.value(index + 1)  # this March; last March: the latest before this month
            earlier = self.at(index, "last") and month_number >= self.today.month
            return Spec("month", self.today.year - earlier, month_number), index + 2
        if self.unit_at(index, "year") and self.text[self.tokens[index].start] == "y" and self.year_number(index + 1):
            return Spec("year", self.value(index + 1)), index + 2  # (for) the year 2025
        if self.at(index, "ord", 1) and self.at(index + 1, "num") and self.unit_at(index + 2, "month", "quarter"):
            said = self.english_year(index + 3)  # the first 3 months of 2025
            if said is None:
                return None
            count = self.value(index + 1)
            months = _checked(count, 1, 12) if self.unit_at(index + 2, "month") else 3 * _checked(count, 1, 4)
            start = date(said[0], 1, 1)
            return Spec("fixed", said[0], fixed=Period(start, add_months(start, months)), grain="first"), said[1]
        if (self.at(index, "ord") or self.small_number(index)) and not self.unit_at(index + 1, "month"):
            return self.english_day_first(index) or self.english_ordinal(index)
        if self.at(index, "q") or self.at(index, "h"):
            return self.english_quarter(index, None)
        if self.year_number(index) and (self.at(index + 1, "q") or self.at(index + 1, "h")):
            return self.english_quarter(index + 1, self.value(index))
        if self.at(index, "full"):
            after = index + 1
            if self.at(after, "of") or self.unit_at(after, "year"):
                after += 1
            said = self.english_year(after)
            if said is None and self.unit_at(index + 1, "year"):
                return Spec("year", self.today.year), index + 2
            return (Spec("year", said[0]), said[1]) if said else None
        if self.at(index, "edge") and self.at(index + 1, "of"):
            said = self.english_year(index + 1)
            if said is None and self.at(index + 2, "the") and self.unit_at(index + 3, "month"):
                edge = self.value(index)
                first = edge == 1
                return (
                    Spec("day", self.today.year, self.today.month, 1 if first else LAST_DAY, edge=True),
                    index + 4,
                )
            if said is not None:
                first = self.value(index) == 1
                return Spec("day", said[0], 1 if first else 12, 1 if first else 31, edge=True), said[1]
        return None

    def english_month(self, index: int) -> Parsed:
        """March, March 5, March 5th 2025, Mar 2025, March of last year."""
        month_number, index = self.value(index), index + 1
        if self.at(index, "dot"):
            index += 1
        day: int | None = None
        if self.at(index, "ord") or (self.small_number(index) and self.tokens[index].digits in (1, 2)):
            day, index = _checked(self.value(index), 1, 31), index + 1
        after = index + 1 if self.at(index, "comma") else index
        said = self.english_year(after)
        year_number, index = (said[0], said[1]) if said else (None, index)
        if day is None:
            return Spec("month", year_number, month_number), index
        return Spec("day", year_number, month_number, day), index

    def english_day_first(self, index: int) -> Parsed | None:
        """5 March 2025, the 5th of March."""
        after = index + 2 if self.at(index + 1, "of") else index + 1
        if not self.at(after, "month"):
            return None
        day = _checked(self.value(index), 1, 31)
        month_spec, end = self.english_month(after)
        return replace(month_spec, unit="day", day=day), end

    def english_ordinal(self, index: int) -> Parsed | None:
        """the third quarter (of 2025), the first half of last year."""
        if not self.at(index, "ord") or not self.unit_at(index + 1, "quarter", "halfyear"):
            return None
        is_quarter = self.unit_at(index + 1, "quarter")
        number = _checked(self.value(index), 1, 4 if is_quarter else 2)
        said = self.english_year(index + 2)
        year_number, end = (said[0], said[1]) if said else (None, index + 2)
        return Spec("quarter" if is_quarter else "half", year_number, number=number), end

    def english_quarter(self, index: int, year_number: int | None) -> Parsed:
        """Q3, Q4 2025, 2025Q1, H1 of last year."""
        is_quarter = self.at(index, "q")
        number = _checked(self.value(index), 1, 4 if is_quarter else 2)
        index += 1
        if year_number is None:
            said = self.english_year(index)
            if said is not None:
                year_number, index = said
        return Spec("quarter" if is_quarter else "half", year_number, number=number), index


# ----------------------------------------------------------------------------------------------------------- API


def find_period(text: str, today: date) -> PeriodMatch | None:
    """The first period named in `text` and where it was named, or None when there is none or when one is named
    but cannot be read whole (2025年13月, 第五季度, 1月和3月)."""
    reader = Reader(text, today)
    try:
        for index, token in enumerate(reader.tokens):
            if token.kind in ("other", "comma", "dash", "slash", "dot"):
                continue
            found = reader.expression(index)
            if found is None and token.kind == "qian" and reader.at(index + 1, "num"):
                return None  # 前三季度: the first three of which year? Not the third quarter.
            if found is not None:
                period, end = found
                if reader.cut_short(index, end):
                    return None  # 25年3月 read as 3月, 1月至今年6月 as 1月至今: a different period
                start_at, end_at = token.start, reader.tokens[end - 1].end
                return PeriodMatch(period, text[start_at:end_at], ((start_at, end_at),), reader.others)
    except (ValueError, OverflowError):  # Unreadable, or a date beyond the calendar (近20252024天)
        return None
    return None


_TIME_WORDS = re.compile(
    rf"[\d{CHINESE_NUMERALS}年月日号周季天旬今昨]"
    r"|前|去年|[上下本这当][个一]?[周月季年半旬星]|上上|近|最近|过去|以来|至今|截[至止]|目前|期间|同期|同比|环比"
    r"|历年|往年|历来|以往|上次|上回|下次|日前|将来|未来|明天|明年|明日|后天|春节|国庆|元旦|清明|端午|中秋|节前|节后|[期本上]期|期[初末]"
    r"|\b(?:" + "|".join(EN_MONTHS) + r"|q[1-4]|h[12]|ytd|today|yesterday|tomorrow|tonight|since|until|till|ago"
    r"|days?|weeks?|months?|quarters?|years?|half|fortnight|weekend|date|decade|season|period|fiscal|fy\d*"
    r"|previous|recent(?:ly)?|lately|earlier|(?:mon|tues|wednes|thurs|fri|satur|sun)days?|morning|afternoon|evening)\b",
    re.IGNORECASE,
)
# Words with a time character and no time meaning, so they do not look like one.
_NOT_TIME = re.compile(r"日常|周边|周围|号召|编号|年龄|年轻|天气|一把手|前往|前任|提前|当天候")


def looks_like_time(text: str) -> bool:
    """Whether a piece of a question could be a date or time the reader did not read: a digit or Chinese numeral,
    年/月/日/号/周/季/天/今/昨/前, 去年, 上/下/本 before a time unit, 近/最近/过去, 以来, 截至, or an English month,
    week, day, quarter or year word. The question reader refuses to give a figure when a leftover looks like this."""
    return _TIME_WORDS.search(_NOT_TIME.sub("", _fold(text))) is not None


def _numerals_as_digits(text: str) -> str:
    return re.sub(rf"[{CHINESE_NUMERALS}]+", lambda found: str(chinese_number(found.group())), text.translate(DIGITS))


def suggest_periods(fragment: str, today: date) -> tuple[PeriodMatch, ...]:
    """The nearest readings (at most 3) of a time-like fragment that could not be read, for "did you mean"
    buttons: 前30日 → 近30天, 三十天 → 近30天, 前三个月 → 近3个月 / 今年前3个月, 25年 → 2025年, 1月和3月 → 1月到3月.
    Each match's words are the reading as a button would show it; its span covers those words."""
    typed = fragment.strip()
    counted = re.search(r"(天|日|周|星期|个月|季度|年|days?|weeks?|months?)$", typed)
    candidates = [typed]
    if re.match(r"\d{2}年", typed):
        candidates.append(f"20{typed}")  # 25年 → 2025年
    elif re.fullmatch(r"[^和、与及]+[和、与及][^和、与及]+", typed):
        candidates.append(re.sub(r"[和、与及]", "到", typed))  # 1月和3月: a gap; 1月到3月 is one period
    elif counted and typed.isascii():
        candidates.append(f"last {typed}")
    elif counted:
        bare = typed.removeprefix("前")
        candidates += [f"近{bare}", f"最近{bare}"]
        if typed.startswith("前"):
            candidates.append(f"今年{typed}")
    candidates += [re.sub(r"(到|至|-|~|to)$", "", typed).strip()]
    readings: dict[Period, PeriodMatch] = {}
    for candidate in candidates:
        if not candidate:
            continue
        found = find_period(candidate, today)
        if found is None or found.words != candidate or found.period in readings:
            continue
        words = re.sub(r"^近(\d+)日$", r"近\1天", _numerals_as_digits(candidate))
        readings[found.period] = PeriodMatch(found.period, words, ((0, len(words)),))
    return tuple(readings.values())[:3]
