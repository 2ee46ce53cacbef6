"""China's working days, for reminders that keep to them: chinese-calendar where it covers the date (official
holidays and make-up working days 调休, as published by the State Council), beyond it the `holidays` package's
China calendar (holidays computed by rule, no make-up days), and the organisation's own lists, which win over both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

import chinese_calendar
import holidays


@cache
def _by_rule() -> holidays.HolidayBase:
    """The `holidays` package's China calendar; it computes a year when first asked about it."""
    return holidays.China()


def published(year: int) -> bool:
    """Whether chinese-calendar knows this year (its holidays and make-up working days)."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


@dataclass(frozen=True)
class Calendar:
    holidays: frozenset[date] = field(default_factory=frozenset)  # local days off, or holidays not yet published
    workdays: frozenset[date] = field(default_factory=frozenset)  # make-up working days (调休) not yet published

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:  # a year the State Council has not published (or the package does not have)
            return day.weekday() < 5 and day not in _by_rule()

    def with_make_up_days(self, year: int) -> bool:
        """Whether a calendar that knows the make-up working days covers this year: chinese-calendar, or the
        organisation's own list of them naming a day of that year."""
        return published(year) or any(day.year == year for day in self.workdays)

    def uncovered_years(self, today: date) -> list[int]:
        """The years of the coming 12 months that only the rule-based calendar covers (no make-up days)."""
        last = today + timedelta(days=364)
        return [year for year in range(today.year, last.year + 1) if not self.with_make_up_days(year)]
