"""Plain-word questions → a structured query. Pure: the text, today's date and the names the roster and the
configuration know (kinds, rank levels, units, people) in; a `Question` out, or what was understood.

Examples it answers: 本月约谈多少次 · 上个月各类约谈分别多少 · 上季度告诫约谈几次 · 今年上半年约谈人次按级别统计 ·
2015年1-6月约谈情况 · 去年12月城关区约谈了多少人次 · 今年以来张建平主持了几次约谈 · 最近30天集体约谈几次 ·
逾期未整改的问题有哪些 · 整改完成率 · 各单位约谈次数排名 · 县处级干部本季度被约谈多少人次 · how many talks this month ·
reminder talks last quarter by unit · person-times in 2015 H1 by rank level · overdue items.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from bot.periods import Period, find_period, year

MEASURES = ("talks", "person_times", "items", "overdue", "completion", "coverage", "quota")
BREAKDOWNS = ("kind", "rank", "unit", "month", "interviewer")

# English names of the default kinds, and short Chinese names, → the configured kind they mean.
KIND_WORDS = {
    "work talk": "工作约谈",
    "reminder talk": "提醒约谈",
    "admonition talk": "告诫约谈",
    "admonishment": "诫勉谈话",
    "integrity talk": "廉政谈话",
    "工作": "工作约谈",
    "提醒": "提醒约谈",
    "告诫": "告诫约谈",
    "廉政": "廉政谈话",
    "诫勉": "诫勉谈话",
}
RANK_WORDS = {
    "prefecture": "地厅级",
    "county": "县处级",
    "division": "县处级",
    "township": "乡科级",
    "section": "乡科级",
}


@dataclass(frozen=True)
class Question:
    period: Period
    period_named: bool  # False: the default (this year) was taken
    measure: str
    breakdown: str | None = None
    kinds: tuple[str, ...] = ()
    collective: bool | None = None
    rank_levels: tuple[str, ...] = ()
    units: tuple[str, ...] = ()  # unit paths: each with its sub-units
    interviewers: tuple[str, ...] = ()  # names
    mine: bool = False  # about the asker's own (我的指标): a quota answer gives their own line
    understood: tuple[str, ...] = field(default=(), compare=False)  # the words that were read


@dataclass(frozen=True)
class NotUnderstood:
    understood: tuple[str, ...]


def parse_question(
    text: str,
    today: date,
    *,
    kinds: Sequence[str],
    rank_levels: Sequence[str],
    units: Sequence[str],
    people: Sequence[str],
) -> Question | NotUnderstood:
    """Read `text`; `units` are unit paths and `people` names on the roster, to recognise filters."""
    lowered = text.lower().strip()
    understood: list[str] = []
    found = find_period(text, today)
    if found is not None:
        understood.append(found.words)

    measure = _first(MEASURE_WORDS, lowered)
    if measure is not None:
        understood.append(measure)

    breakdown = _first(BREAKDOWN_WORDS, lowered)
    if breakdown:
        understood.append(f"by {breakdown}")

    chosen_kinds = tuple(kind for kind in kinds if kind in text)
    if not chosen_kinds:
        chosen_kinds = tuple(
            dict.fromkeys(
                kind
                for word, kind in KIND_WORDS.items()
                if kind in kinds and re.search(rf"{word}s?\b" if word.isascii() else word, lowered)
            )
        )
    collective = True if ("集体" in text or "collective" in lowered) else None
    ranks = tuple(level for level in rank_levels if level in text) or tuple(
        dict.fromkeys(level for word, level in RANK_WORDS.items() if word in lowered and level in rank_levels)
    )
    chosen_units = tuple(path for path in units if path.split("/")[-1] in text and len(path.split("/")[-1]) >= 2)
    interviewers = tuple(name for name in people if len(name) >= 2 and name in text)
    understood += [*chosen_kinds, *ranks, *(u.split("/")[-1] for u in chosen_units), *interviewers]
    if collective:
        understood.append("集体")

    asks_something = (
        measure is not None
        or breakdown is not None
        or any(word in lowered for word in ("约谈", "谈话", "talk", "情况", "统计", "汇总"))
    )
    if not asks_something:
        return NotUnderstood(tuple(understood))
    period = found.period if found else year(today.year)
    return Question(
        period=period,
        period_named=found is not None,
        measure=measure or "talks",
        breakdown=breakdown,
        kinds=chosen_kinds,
        collective=collective,
        rank_levels=ranks,
        units=_outermost(chosen_units),
        interviewers=interviewers,
        mine=re.search(r"我的|本人|\bmy\b", lowered) is not None,
        understood=tuple(understood),
    )


# The first pattern that matches names what is asked for, then how it is broken down.
MEASURE_WORDS = (
    (r"覆盖率|涵盖率|覆盖|coverage", "coverage"),
    (r"指标|定额|quota", "quota"),
    (r"逾期|超期|overdue", "overdue"),
    (r"完成率|销号率|completion", "completion"),
    (r"人次|person[- ]times?|人数", "person_times"),
    (r"问题|事项|整改|items?\b", "items"),
    (r"多少次|几次|次数|how many|number of|count", "talks"),
)
BREAKDOWN_WORDS = (
    (r"各单位|按单位|单位排名|排名|by unit|per unit|by department", "unit"),
    (r"按级别|各级别|级别统计|by rank|by level", "rank"),
    (r"各类|分类|各种|按类型|分别|by kind|by type", "kind"),
    (r"按月|每月|各月|逐月|by month|monthly", "month"),
    (r"按主谈人|按谈话人|各领导|by interviewer", "interviewer"),
)


def _first(words: tuple[tuple[str, str], ...], lowered: str) -> str | None:
    return next((name for pattern, name in words if re.search(pattern, lowered)), None)


def _outermost(paths: Sequence[str]) -> tuple[str, ...]:
    """Units named, without those inside another named one (城关区 covers 城关区/建设局)."""
    return tuple(p for p in paths if not any(p != q and p.startswith(q + "/") for q in paths))
