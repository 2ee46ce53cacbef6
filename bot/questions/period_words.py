"""A period in words, for the /stats buttons and the heading of every answer: the button and the heading name the
same period the same way, so what a button says is what its answer covers."""

from __future__ import annotations

from bot.i18n import text
from bot.questions.periods import Period, half, month, quarter, year


def period_name(language: str, period: Period) -> str | None:
    """The whole month, quarter, half or year `period` is, in words (2025年3月, 2025年上半年（1—6月）); None for
    any other span, which the dates alone name."""
    start = period.start
    if start.day != 1:
        return None
    if period == month(start.year, start.month):
        return text(language, "period.month", year=start.year, month=start.month)
    if start.month % 3 == 1 and period == quarter(start.year, start.month // 3 + 1):
        number = start.month // 3 + 1
        return text(language, "period.quarter", year=start.year, number=number, first=start.month, last=start.month + 2)
    if period == half(start.year, 1):
        return text(language, "period.first_half", year=start.year)
    if period == half(start.year, 2):
        return text(language, "period.second_half", year=start.year)
    if period == year(start.year):
        return text(language, "period.year", year=start.year)
    return None
