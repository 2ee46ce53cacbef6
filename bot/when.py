"""Reading the date and time of a talk as leaders type it: 昨天下午3点, 3月5日, 2025-03-05 15:00, today 9:30.

Pure: `read_moment` takes the text and today's local date; checking against now is `check_held_at`.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

DIGITS = str.maketrans(
    "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19\uff1a", "0123456789:"
)  # full-width
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
RELATIVE_DAYS = {"今天": 0, "今日": 0, "today": 0, "昨天": 1, "昨日": 1, "yesterday": 1, "前天": 2}
AFTERNOON = ("下午", "晚上", "傍晚", "pm")
DAY_PARTS = "上午|早上|早晨|中午|下午|晚上|傍晚|凌晨|am|pm"

_DATE = (
    r"(?:(?P<year>\d{4})[-/.年](?P<month>\d{1,2})[-/.月](?P<day>\d{1,2})[日号]?"
    r"|(?P<short_month>\d{1,2})月(?P<short_day>\d{1,2})[日号]?"
    r"|(?P<relative>今天|今日|昨天|昨日|前天|today|yesterday))"
)
_TIME = rf"(?:(?P<part>{DAY_PARTS})?(?P<hour>\d{{1,2}})(?:[:点时](?P<minute>\d{{1,2}}|半)?分?)?(?P<suffix>am|pm)?)"
_MOMENT = re.compile(rf"^(?:{_DATE})?(?:{_TIME})?$")


@dataclass(frozen=True)
class Moment:
    day: date
    at: time | None  # None: only the day is known

    def local(self) -> datetime:
        return datetime.combine(self.day, self.at or time(0, 0))


def _normalise(text: str) -> str:
    text = text.translate(DIGITS).strip().lower()
    text = re.sub(r"\s+", "", text)
    return re.sub(r"[零〇一二两三四五六七八九十]+", lambda found: str(chinese_number(found.group())), text)


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


def read_moment(text: str, today: date) -> Moment | None:
    """The moment `text` names, or None when it cannot be read. A month and day without a year is the latest
    such day not after today."""
    found = _MOMENT.match(_normalise(text))
    if found is None or not text.strip():
        return None
    parts = found.groupdict()
    try:
        day = _day(parts, today)
        at = _time(parts)
    except ValueError:
        return None
    if day is None and at is None:
        return None
    bare_number = parts["hour"] is not None and not any(parts[key] for key in ("part", "minute", "suffix"))
    if day is None and bare_number:
        return None  # "12" alone is not a time
    return Moment(day or today, at)


def _day(parts: dict[str, str | None], today: date) -> date | None:
    if parts["relative"]:
        return today - timedelta(days=RELATIVE_DAYS[parts["relative"]])
    if parts["year"]:
        return date(int(parts["year"]), int(parts["month"] or 0), int(parts["day"] or 0))
    if parts["short_month"]:
        day = date(today.year, int(parts["short_month"]), int(parts["short_day"] or 0))
        return day if day <= today else date(today.year - 1, day.month, day.day)
    return None


def _time(parts: dict[str, str | None]) -> time | None:
    if parts["hour"] is None:
        return None
    hour = int(parts["hour"])
    minute = 30 if parts["minute"] == "半" else int(parts["minute"] or 0)
    period = parts["part"] or parts["suffix"]
    if period in AFTERNOON and hour < 12 or period == "中午" and hour < 11:
        hour += 12
    elif period in ("凌晨", "am") and hour == 12:
        hour = 0
    return time(hour, minute)


def check_held_at(moment: Moment, now_local: datetime, max_age_days: int) -> str | None:
    """A catalog key saying why the moment cannot be a talk's time, or None when it can."""
    if moment.day > now_local.date() or (moment.at is not None and moment.local() > now_local.replace(tzinfo=None)):
        return "log.error.future"
    if moment.day < now_local.date() - timedelta(days=max_age_days):
        return "log.error.too_old"
    return None


def read_deadline(text: str, today: date) -> date | None:
    """A deadline: a date as above (without time), or "N个月"/"N天"/"N周" from today."""
    normalised = _normalise(text)
    relative = re.match(r"^(\d{1,3})(个月|月|天|日|周|星期|months?|days?|weeks?)(内|后)?$", normalised)
    if relative:
        count, unit = int(relative.group(1)), relative.group(2)
        if unit in ("个月", "月") or unit.startswith("month"):
            return add_months(today, count)
        return today + timedelta(days=count * (7 if unit in ("周", "星期") or unit.startswith("week") else 1))
    found = re.match(rf"^{_DATE}$", normalised)
    if found is None:
        return None
    parts = found.groupdict()
    try:
        if parts["short_month"]:
            day = date(today.year, int(parts["short_month"]), int(parts["short_day"] or 0))
            return day if day >= today else date(today.year + 1, day.month, day.day)  # deadlines lie ahead
        return _day(parts, today)
    except ValueError:
        return None


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter (1月31日 + 1个月 → 2月28日)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
