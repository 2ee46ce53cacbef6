"""Plain-word questions → a structured query. Pure: the text, today's date and the names the asker may name (the
configured kinds and rank levels with their synonyms, the units and people in the asker's scope) in; a `Question`
out, or what was and was not understood, or the readings to choose between.

Every character of the question is accounted for: a period, a measure, a breakdown, a kind, a rank level, a unit,
a person and their role, or a filler word. Whatever is left (a number, a time word, a name not on the roster, a
unit or rank not known) could change the answer, so the question gets no figure: a figure for another question
than the one asked is the worst answer there is.

Examples it answers: 本月约谈多少次 · 上个月各类约谈分别多少 · 上季度告诫约谈几次 · 今年上半年约谈人次按级别统计 ·
2015年1-6月约谈情况 · 去年12月城关区约谈了多少人次 · 今年以来张建平主持了几次约谈 · 今年李华被约谈几次 ·
最近30天集体约谈几次 · 逾期未整改的问题有哪些 · 整改完成率 · 各单位约谈次数排名 · 处级干部本季度被约谈多少人次 ·
兰州市城关区建设局本月约谈多少次 · how many talks this month · reminder talks last quarter by unit ·
person-times in 2015 H1 by rank level · talks held by 张建平 this year · overdue items.

Long because the reader must account for every word of a question, and the parts it reads (measure, breakdown,
kind, rank, unit, person and role, filler) interlock.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache

from bot.questions.periods import Period, find_period, looks_like_time, suggest_periods, year

MEASURES = ("talks", "person_times", "items", "overdue", "completion", "coverage", "quota")
BREAKDOWNS = ("kind", "rank", "unit", "month", "interviewer")

# Words for the default kinds and rank levels → the configured name they mean (bot/config.py keeps them; an
# organisation may configure its own). A word whose name is not configured is not read.
DEFAULT_KIND_SYNONYMS = {  # not 工作 alone: 约谈工作情况 asks about all talks
    "提醒": "提醒约谈",
    "告诫": "告诫约谈",
    "廉政": "廉政谈话",
    "诫勉": "诫勉谈话",
    "work talk": "工作约谈",
    "reminder talk": "提醒约谈",
    "admonition talk": "告诫约谈",
    "admonishment": "诫勉谈话",
    "integrity talk": "廉政谈话",
}
DEFAULT_RANK_SYNONYMS = {
    "厅级": "地厅级",
    "地级": "地厅级",
    "厅局级": "地厅级",
    "处级": "县处级",
    "县级": "县处级",
    "科级": "乡科级",
    "乡级": "乡科级",
    # English rank words only as rank phrases: 'the county 榆中县' names a place, not a rank level
    "prefecture level": "地厅级",
    "bureau level": "地厅级",
    "county level": "县处级",
    "division level": "县处级",
    "township level": "乡科级",
    "section level": "乡科级",
    "other cadres": "其他",
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
    interviewers: tuple[str, ...] = ()  # names: talks they led
    subjects: tuple[str, ...] = ()  # names: talks they were talked to in, and their person-times only
    mine: bool = False  # about the asker's own (我的指标): a quota answer gives their own line
    understood: tuple[str, ...] = field(default=(), compare=False)  # the words that were read


@dataclass(frozen=True)
class Part:
    """One thing understood: `what` is period, measure, breakdown, kind, rank, unit, interviewer, subject,
    collective or mine (the asker's own); `value` the words typed (a period), the name meant, or the measure or
    breakdown's name."""

    what: str
    value: str


@dataclass(frozen=True)
class Reading:
    """One way to read a question, and what was chosen to read it so: a unit (its path), a person's role
    (interviewer / subject), or the question rewritten (`what` = "question", `value` the new text)."""

    choices: tuple[Part, ...]
    question: Question


@dataclass(frozen=True)
class NotUnderstood:
    understood: tuple[Part, ...]
    leftovers: tuple[str, ...] = ()  # the words that could not be read, as typed
    readings: tuple[Reading, ...] = ()  # the nearest questions that can be answered
    unsupported: tuple[Part, ...] = ()  # read, but not a way this measure can be counted (各单位整改完成率)
    competing: tuple[Part, ...] = ()  # figures or breakdowns asked together that one answer cannot give
    future: tuple[Part, ...] = ()  # a period none of which has come: its figure would be a count of nothing


@dataclass(frozen=True)
class Ambiguous:
    """Read whole, but a name means more than one thing (two units called 建设局; a person who may have led the
    talks or been talked to): the asker chooses, nothing is guessed."""

    understood: tuple[Part, ...]
    words: tuple[str, ...]  # the words that can be read more than one way
    readings: tuple[Reading, ...]


def parse_question(
    text: str,
    today: date,
    *,
    kinds: Sequence[str],
    rank_levels: Sequence[str],
    units: Sequence[str],
    people: Sequence[str],
    kind_synonyms: Mapping[str, str] = DEFAULT_KIND_SYNONYMS,
    rank_synonyms: Mapping[str, str] = DEFAULT_RANK_SYNONYMS,
    suggest: bool = True,
) -> Question | NotUnderstood | Ambiguous:
    """Read `text`. `units` (paths) and `people` (names) must be those in the asker's scope only: a name outside it
    then reads exactly like one that does not exist."""
    text = text.strip()
    lowered = text.lower() if len(text.lower()) == len(text) else text
    seen = _Coverage(text, lowered)
    parts: list[Part] = []

    # Names first, then the period in what they leave: 四季青街道 is a unit, not 四季 (Q4) and 青街道.
    unit_choices = _read_units(seen, tuple(units))
    unit_positions = frozenset(i for i, char in enumerate(seen.masked) if char == "\0")
    people_read = _read_people(seen, tuple(people))
    found = find_period(re.sub(NOT_PERIODS, lambda m: "囗" * len(m[0]), seen.outside_names(text)), today)
    if found is not None:
        for start, end in found.spans:
            seen.cover(start, end)
        parts.append(Part("period", found.words))
    people_found = _roles_said_further_on(seen, people_read, found.spans if found is not None else (), unit_positions)

    chosen_kinds = _read_names(seen, kinds, kind_synonyms, standing_for=KIND_NOUNS, alone=True)
    ranks = _read_names(seen, rank_levels, rank_synonyms, standing_for=RANK_NOUNS, alone=False)
    collective = True if seen.take(r"集体|collective") else None
    measures = _read_all(seen, MEASURE_WORDS)
    breakdowns = _read_all(seen, BREAKDOWN_WORDS)
    measure = measures[0] if measures else None
    breakdown = breakdowns[0] if breakdowns else None
    # The asker's own (我的指标): only quotas give a line per person; 我的约谈 elsewhere is left unread, not ignored.
    mine = measure == "quota" and bool(seen.take(r"我的|本人|(?<![a-z])my(?![a-z])"))
    if measure == "coverage":
        seen.take(COVERAGE_WORDS)  # coverage is of the people the plan requires: 一把手 says what that is
    asks = measure is not None or breakdown is not None or re.search(ASKING_WORDS, lowered) is not None
    seen.take(FILLER if breakdown is not None else FILLER_WITHOUT_EACH, filler=True)
    unread = seen.unread()
    leftovers = tuple(seen.shown(start, end) for start, end in unread)

    if measure is not None:
        parts.append(Part("measure", measure))
    if breakdown is not None:
        parts.append(Part("breakdown", breakdown))
    parts += [Part("kind", kind) for kind in chosen_kinds]
    parts += [Part("rank", rank) for rank in ranks]
    if collective:
        parts.append(Part("collective", ""))
    if mine:
        parts.append(Part("mine", ""))
    parts += [Part("unit", paths[0]) for _, paths in unit_choices if len(paths) == 1]
    parts += [Part(role, name) for name, role in people_found if role is not None]

    if leftovers or not asks:
        runs = [text[start:end] for start, end in unread]
        names = (kinds, rank_levels, units, people, kind_synonyms, rank_synonyms)
        return NotUnderstood(tuple(parts), leftovers, _nearest(text, runs, today, names) if suggest else ())
    # Two figures or two breakdowns asked at once (次数、完成率; 按单位按月): one answer would drop the other.
    competing = [] if any(set(measures) <= group for group in ONE_FIGURE) else [Part("measure", m) for m in measures]
    competing += [Part("breakdown", b) for b in breakdowns] if len(breakdowns) > 1 else []
    if competing:
        return NotUnderstood(tuple(p for p in parts if p not in competing), competing=tuple(competing))
    # A filter or breakdown the measure's answer does not apply would be silently dropped: say so instead.
    cannot = UNSUPPORTED.get(measure or "talks", ())
    unsupported = [p for p in parts if p.what in cannot]
    unsupported += [Part("unit", word) for word, paths in unit_choices if len(paths) > 1 and "unit" in cannot]
    unsupported += [Part("subject", name) for name, role in people_found if role is None and "subject" in cannot]
    if unsupported:
        return NotUnderstood(tuple(p for p in parts if p not in unsupported), unsupported=tuple(unsupported))
    if found is not None and found.period.start > today and (measure or "talks") not in ABOUT_THE_FUTURE:
        period_part = Part("period", found.words)
        return NotUnderstood(tuple(p for p in parts if p != period_part), future=(period_part,))

    base = Question(
        period=found.period if found else year(today.year),
        period_named=found is not None,
        measure=measure or "talks",
        breakdown=breakdown,
        kinds=chosen_kinds,
        collective=collective,
        rank_levels=ranks,
        mine=mine,
        understood=tuple(p.value for p in parts if p.what not in ("measure", "breakdown", "collective", "mine")),
    )
    # Each ambiguous name multiplies the readings; each reading is a whole question.
    unit_options = [[(word, path) for path in paths] for word, paths in unit_choices]
    people_options: list[list[tuple[str, str]]] = [
        [(name, role)] if role is not None else [(name, "interviewer"), (name, "subject")]
        for name, role in people_found
    ]
    options: list[Reading] = []
    # Other periods the words may mean (11月到2月 in December, 10月以后): each is a reading, by its dates.
    period_options = [found.period, *found.others] if found is not None else [base.period]
    every_way = itertools.product(period_options, itertools.product(*unit_options), itertools.product(*people_options))
    for chosen_period, chosen_units, chosen_people in itertools.islice(every_way, MAX_READINGS):
        question = replace(
            base,
            period=chosen_period,
            units=_outermost([path for _, path in chosen_units]),
            interviewers=tuple(dict.fromkeys(n for n, r in chosen_people if r == "interviewer")),
            subjects=tuple(dict.fromkeys(n for n, r in chosen_people if r == "subject")),
        )
        choices = [Part("period", chosen_period.label())] if len(period_options) > 1 else []
        choices += [
            Part("unit", path) for (_, path), paths in zip(chosen_units, unit_options, strict=True) if len(paths) > 1
        ]
        choices += [Part(r, n) for (n, r), roles in zip(chosen_people, people_options, strict=True) if len(roles) > 1]
        options.append(Reading(tuple(choices), question))
    if len(options) == 1:
        return options[0].question
    ambiguous = tuple(
        dict.fromkeys(
            ([found.words] if found is not None and found.others else [])
            + [w for w, paths in unit_choices if len(paths) > 1]
            + [n for n, r in people_found if r is None]
        )
    )
    return Ambiguous(tuple(parts), ambiguous, tuple(options))


def asks_for_figures(text: str) -> bool:
    """Whether `text` reads as a question about talks or items at all: a member who asks one is told they may not,
    as /stats tells them, rather than that the bot did not understand."""
    lowered = text.lower()
    return re.search(ASKING_WORDS, lowered) is not None or any(re.search(p, lowered) for p, _ in MEASURE_WORDS)


# Measures whose words may come together in one question, because one answer gives them all (逾期问题: overdue
# items; 整改完成率: completion of items; the sentence gives talks and person-times).
ONE_FIGURE = (
    {"talks", "person_times"},
    {"overdue", "items"},
    {"completion", "items"},
    {"coverage"},
    {"quota"},
)

# What each measure's answer cannot be narrowed or broken down by (bot/questions/summary.py): coverage and
# quotas are of the plan, per person, over the scope; items, overdue items and completion come as one figure;
# overdue items are those overdue today.
_FILTERS = ("kind", "rank", "unit", "interviewer", "subject", "collective")
UNSUPPORTED = {
    "coverage": ("breakdown", *_FILTERS),
    "quota": ("breakdown", *_FILTERS),
    "items": ("breakdown",),
    "overdue": ("breakdown", "period"),  # overdue is a state of today, over talks of any time
    "completion": ("breakdown",),
}

# Measures that have a figure for a time still to come: a quota is set for it. Talks, person-times, items found and
# coverage count what happened; for next month that is nothing, which is not an answer.
ABOUT_THE_FUTURE = ("quota",)

MAX_READINGS = 30  # buttons under one message; beyond them, the asker names the unit by its path

# The first pattern that matches names what is asked for, then how it is broken down; every pattern's words are
# read (逾期未整改的问题: overdue, and 问题 says the same).
# Chinese words for a breakdown by month: their 月 is no month (按月今年约谈多少次 is this year's, month by month).
BY_MONTH = r"按月份?|每个?月|各月份?|逐月"
MEASURE_WORDS = (
    (r"覆盖率|涵盖率|覆盖|coverage", "coverage"),
    (r"指标(?:完成)?(?:进度)?|定额|quota", "quota"),
    (r"逾期未?(?:整改|销号|完成)?|超期未?(?:整改|销号|完成)?|overdue", "overdue"),
    (r"完成率|销号率|completion(?: rate)?", "completion"),
    (r"人次|person[- ]times?", "person_times"),  # not 人数: distinct people, a figure we do not give
    # not 整改了 / 已整改: items rectified, a figure we do not give; 整改 alone names the items to rectify
    # nor 整改中: items being rectified, a state we do not count apart
    (r"(?:新增|新发现|发现)?(?:问题|事项|(?<!已)整改(?![了完好过中]))|items?\b", "items"),
    (r"多少次|几次|次数|how many|number of|(?<![a-z])count(?![a-z])", "talks"),
)
BREAKDOWN_WORDS = (
    (r"各单位|按单位|单位排名|排名|by unit|per unit|by department", "unit"),
    (r"按级别|各级别|级别统计|按职级|各职级|by rank(?: level)?|by level", "rank"),
    (r"各类(?:别)?|分类|各种|按类型|按类别|by kind|by type", "kind"),
    (rf"{BY_MONTH}|by month|monthly", "month"),
    (r"按主谈人|按谈话人|按约谈人|各领导|by interviewer", "interviewer"),
)
# What a kind or rank word stands before: 提醒 alone is 提醒约谈 only before 约谈 or where no talk word is written; 其他
# is a rank only before 干部 (其他约谈 is no rank).
KIND_NOUNS = r"约谈|谈话|talk"
RANK_NOUNS = r"级|干部|人员|level|cadre|official"
# Words that begin with a numeral but are no number: the period reader would take 上个月一共 for a period running on.
NOT_NUMBERS = r"一共|一下|一把手|一起|一并|统一"
NOT_PERIODS = f"{NOT_NUMBERS}|{BY_MONTH}"  # what the period reader is not shown
COVERAGE_WORDS = r"一把手|主要负责人|应谈|unit heads?"
ASKING_WORDS = r"约谈|谈话|talk|情况|统计|汇总"

# Words that ask but do not change what is asked. Not here on purpose: anything with a number or a time, 未 alone
# (未销号的问题 is another figure than 问题), 全市 and the like (a scope), 和 (two names: not a sum we give).
_FILLER_ZH = (
    "请问 请 帮我 帮忙 给我 我想 我们 想知道 知道 查询 查一下 查查 查 看一下 看看 统计一下"
    " 统计 一下 汇总 情况 约谈 谈话 多少 几个 几 一共 总共 共计 合计 共 总数 数量 数据"
    " 分别 是 有哪些 哪些 有 多少个 个 的 了 吗 呢 啊 吧 呀 干部 人员 被约谈 被谈话 开展"
    " 进行 组织 各 按 次 期间 里 内 中 在 都 谢谢"
)
_FILLER_EN = (
    "how many much what what's whats is are was were the a an of in for during on at there did do does we our have has"
    " had held hold conducted total all please show me give tell list talks talk conversations conversation times"
    " so far cadres officials thanks thank you"
)
# 'Each', 'respectively': a figure per thing named (城关区和榆中县分别约谈几次), which only a breakdown gives; without
# one they are left unread rather than answered with one sum.
EACH = ("分别", "各")


def _filler(chinese: list[str]) -> str:
    return "|".join(
        [re.escape(w) for w in sorted(chinese, key=len, reverse=True)]
        + [rf"(?<![a-z']){re.escape(w)}(?![a-z'])" for w in sorted(_FILLER_EN.split(), key=len, reverse=True)]
    )


FILLER = _filler(_FILLER_ZH.split())
FILLER_WITHOUT_EACH = _filler([word for word in _FILLER_ZH.split() if word not in EACH])

# A person's role, read from the words around their name: before the name, or right after it.
_SUBJECT_AFTER = re.compile(r"\s*(被|(?:was |were )?talked (?:to|with)|was interviewed)")
_SUBJECT_BEFORE = re.compile(r"(对|约谈了?|谈话了?|talked (?:to|with)|talks? (?:to|with)|interviewed|with)\s*$")
_INTERVIEWER_AFTER = re.compile(r"\s*(主持|主谈|牵头|约谈|谈了|谈话|held|led|conducted|hold|lead|conduct|chair(?:ed)?)")
_INTERVIEWER_BEFORE = re.compile(r"(由|(?:held |led |conducted |chaired )?by)\s*$")


class _Coverage:
    """Which characters of the question have been read. Words are looked for in `masked`, where what has been read
    is blanked out: a word is never read across another."""

    def __init__(self, typed: str, lowered: str) -> None:
        self.typed, self.text, self.masked = typed, lowered, lowered
        self.read = [_ignorable(c) for c in lowered]
        self.filler = [False] * len(lowered)

    def cover(self, start: int, end: int) -> None:
        self.read[start:end] = [True] * (end - start)
        self.masked = self.masked[:start] + "\0" * (end - start) + self.masked[end:]

    def block(self, start: int, end: int) -> None:
        """Left unread, and no reader may read inside it: a unit-like name that means no unit."""
        self.masked = self.masked[:start] + "\0" * (end - start) + self.masked[end:]

    def take(self, pattern: str | re.Pattern[str], *, filler: bool = False) -> list[re.Match[str]]:
        """Every match of `pattern` on characters not yet read, now read."""
        taken = [found for found in re.finditer(pattern, self.masked) if found.end() > found.start()]
        for found in taken:
            self.cover(found.start(), found.end())
            if filler:
                self.filler[found.start() : found.end()] = [True] * (found.end() - found.start())
        return taken

    def outside_names(self, typed: str) -> str:
        """`typed` with what has been read blotted out by a character no reader knows (offsets kept)."""
        return "".join("囗" if masked == "\0" else char for char, masked in zip(typed, self.masked, strict=True))

    def unread(self) -> list[tuple[int, int]]:
        """The runs of characters nobody read, as [start, end); one filler character between two runs joins them
        (榆中县 is one unknown word, not 榆 and 县)."""
        runs: list[tuple[int, int]] = []
        for unread, group in itertools.groupby(enumerate(self.read), key=lambda pair: not pair[1]):
            if unread:
                positions = [i for i, _ in group]
                start, end = positions[0], positions[-1] + 1
                if runs and start - runs[-1][1] == 1 and self.filler[start - 1]:
                    start = runs.pop()[0]
                runs.append((start, end))
        return runs

    def shown(self, start: int, end: int) -> str:
        """An unread run as the reply quotes it; a kind-like run with the 约谈/谈话 right after it (警示约谈: a kind
        not known), but not a time or a unit-like word (上旬, 永登县)."""
        run = self.typed[start:end]
        suffix = re.match(r"约谈|谈话", self.text[end:]) if re.fullmatch(r"[\u4e00-\u9fff]{2,4}", run) else None
        if suffix is None or re.search(_TIME_CHARACTERS, run) or re.search(_UNIT_ENDINGS, run):
            return run
        return self.typed[start : end + suffix.end()]


_TIME_CHARACTERS = r"[年月日天周季旬期至今前后初底末零〇一二两三四五六七八九十百]"
_UNIT_ENDINGS = r"(局|区|县|市|省|委|部|处|科|办|室|中心|公司|镇|乡|村|街道|所|院|站|队)$"


def _ignorable(character: str) -> bool:
    return character.isspace() or unicodedata.category(character)[0] in "PSZ"


@lru_cache(maxsize=64)
def _unit_spellings(units: tuple[str, ...]) -> tuple[re.Pattern[str] | None, dict[str, tuple[str, ...]]]:
    """Every way to write a unit: its name, or the names of the units above it before it (城关区建设局,
    兰州市城关区建设局), joined or with '/'; each spelling → the paths it may mean."""
    meanings: dict[str, list[str]] = {}
    for path in units:
        names = path.split("/")
        for depth in range(1, len(names) + 1):
            tail = names[-depth:]
            for spelling in {"".join(tail), "/".join(tail)}:
                if len(spelling) >= 2:
                    meanings.setdefault(spelling.lower(), []).append(path)
    if not meanings:
        return None, {}
    pattern = re.compile("|".join(re.escape(s) for s in sorted(meanings, key=len, reverse=True)))
    return pattern, {spelling: tuple(dict.fromkeys(paths)) for spelling, paths in meanings.items()}


def _read_units(seen: _Coverage, units: tuple[str, ...]) -> list[tuple[str, tuple[str, ...]]]:
    """(words, the paths they may mean) for each unit named, longest spelling first. Names written apart are one
    unit named with those above it (兰州市的城关区, 兰州市 城关区, 建设局 of 城关区): they must form one chain, each
    above the next, and mean its last unit, only one; a list of units is joined by 和/、/及/and. A chain that means
    no unit or several is left unread, so the question gets no figure (七里河区建设局, 城关区榆中县建设局)."""
    pattern, meanings = _unit_spellings(units)
    if pattern is None:
        return []
    found = [match for match in pattern.finditer(seen.masked) if match.end() > match.start()]
    chains: list[list[re.Match[str]]] = []
    listed_after: set[int] = set()  # indexes of chains that follow the one before them in a list (和)
    reversed_after: set[int] = set()  # ids of matches followed by "of": the next one is above it
    for previous, match in zip([None, *found], found, strict=False):
        gap = seen.text[previous.end() : match.start()] if previous is not None else ""
        if previous is None or re.fullmatch(_UNIT_LIST_JOINER, gap):
            if previous is not None:
                seen.cover(previous.end(), match.start())  # the 和 of a list of units
                listed_after.add(len(chains))
            chains.append([match])
            continue
        if re.fullmatch(r"\s*of\s*", gap):
            reversed_after.add(id(previous))
        chains[-1].append(match)
    readings: list[tuple[str, tuple[str, ...]]] = []
    for index, chain in enumerate(chains):
        ordered = _chain_order(chain, reversed_after)
        paths = _chain_ends([meanings[m[0]] for m in ordered])
        words = seen.typed[chain[0].start() : chain[-1].end()] if len(chain) > 1 else chain[0][0]
        if len(chain) > 1 and len(paths) != 1:
            for match in chain:
                seen.block(*match.span())
            readings.append(("", ()))
            continue
        for match in chain:
            seen.cover(*match.span())
        readings.append((words, paths))
        if index in listed_after and len(paths) == 1:
            _distribute(readings, listed_after, index, set(units))
    return [reading for reading in readings if reading[1]]


def _distribute(
    readings: list[tuple[str, tuple[str, ...]]], listed_after: set[int], last: int, units: set[str]
) -> None:
    """城关区和榆中县的建设局 may mean both 建设局s as well as 城关区 and 榆中县's 建设局: each unit listed before one
    named with a unit under it (建设局 under 榆中县) that has a unit of that name under it too may mean that one;
    the asker chooses (the reading as written first)."""
    words, (path,) = readings[last]
    names = path.split("/")
    written = re.sub(r"[\s/的]|of", "", words)
    level = next((k for k in range(len(names)) if written.startswith(names[k])), len(names) - 1)
    below = names[level + 1 :]
    if not below:
        return
    index = last
    while index in listed_after:
        index -= 1
        earlier_words, earlier_paths = readings[index]
        if len(earlier_paths) == 1 and (inside := f"{earlier_paths[0]}/{'/'.join(below)}") in units:
            readings[index] = (earlier_words, (earlier_paths[0], inside))


# Between two units of a list; anything else between two unit names joins them into one chain.
_UNIT_LIST_JOINER = r"\s*(?:和|、|及|以及|与|,?\s*and)\s*"


def _chain_order(chain: list[re.Match[str]], reversed_after: set[int]) -> list[re.Match[str]]:
    """The names of a chain from the outermost: 'A of B' names B above A."""
    segments: list[list[re.Match[str]]] = [[]]
    for match in chain:
        segments[-1].append(match)
        if id(match) in reversed_after:
            segments.append([])
    return [match for segment in reversed(segments) for match in segment]


def _chain_ends(meanings: list[tuple[str, ...]]) -> tuple[str, ...]:
    """The paths the last name may mean when each name is of a unit strictly above the next one's."""
    ends = meanings[0]
    for paths in meanings[1:]:
        ends = tuple(p for p in paths if any(p.startswith(above + "/") for above in ends))
    return tuple(dict.fromkeys(ends))


@lru_cache(maxsize=64)
def _people_pattern(people: tuple[str, ...]) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """The names (two characters or more), longest first, and each as written on the roster."""
    names = {name.lower(): name for name in people if len(name) >= 2}
    if not names:
        return None, {}
    return re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))), names


def _read_people(seen: _Coverage, people: tuple[str, ...]) -> list[tuple[str, str | None, tuple[int, int]]]:
    """(name, interviewer / subject / None when the words do not say, where the name is) for each person named.
    Names joined by 和/、/and are a list with one role, said once for all (约谈李华和王强, 张建平和李华主持)."""
    pattern, names = _people_pattern(people)
    if pattern is None:
        return []
    text = seen.text
    found = seen.take(pattern)
    roles: list[str | None] = []
    for match in found:
        start, end = match.span()
        role: str | None = None
        for role_named, markers in (
            ("subject", (_SUBJECT_AFTER.match(text, end), _SUBJECT_BEFORE.search(text, 0, start))),
            ("interviewer", (_INTERVIEWER_BEFORE.search(text, 0, start), _INTERVIEWER_AFTER.match(text, end))),
        ):
            if any(markers):
                role = role_named
                for marker in filter(None, markers):
                    seen.cover(*marker.span(1))
                break
        roles.append(role)
    read = [(names[match[0]], role, match.span()) for match, role in zip(found, roles, strict=True)]
    return _one_role_for_each_list(seen, read)


def _one_role_for_each_list(
    seen: _Coverage, people: list[tuple[str, str | None, tuple[int, int]]]
) -> list[tuple[str, str | None, tuple[int, int]]]:
    """Names joined by 和/、/and are a list: the role said for one of them is said for all, and the 和 is read. Two
    roles in one list: the 和 stays unread (张建平和李华的约谈: who led, who was talked to?)."""
    lists: list[list[int]] = []
    for i, (_, _, (start, _)) in enumerate(people):
        if i and re.fullmatch(_UNIT_LIST_JOINER, seen.text[people[i - 1][2][1] : start]):
            lists[-1].append(i)
        else:
            lists.append([i])
    roles = [role for _, role, _ in people]
    for members in lists:
        said = {roles[i] for i in members} - {None}
        if len(members) > 1 and len(said) == 1:
            roles[members[0] : members[-1] + 1] = [said.pop()] * len(members)
            for previous, following in itertools.pairwise(members):
                seen.cover(people[previous][2][1], people[following][2][0])
    return [(name, role, span) for (name, _, span), role in zip(people, roles, strict=True)]


def _roles_said_further_on(
    seen: _Coverage,
    people_read: list[tuple[str, str | None, tuple[int, int]]],
    period_spans: tuple[tuple[int, int], ...],
    unit_positions: frozenset[int],
) -> list[tuple[str, str | None]]:
    """People and their roles, a role not yet said read after a period or units written between it and the name
    (张建平本月主持约谈几次, 张建平今年在城关区主持约谈几次: both are read by now), then for the whole list the name
    ends (李华和王强今年被约谈). The marker may be read already: in 张建平今年约谈李华, 约谈 says both who led (张建平)
    and who was talked to (李华), as it does without the period."""
    text = seen.text
    found_people: list[tuple[str, str | None, tuple[int, int]]] = []
    for name, role, (start, end) in people_read:
        after, passed = end, False
        while True:
            while after < len(text) and text[after].isspace():
                after += 1
            period_end = next((span_end for span_start, span_end in period_spans if span_start == after), None)
            unit_at = after + 1 if text.startswith("在", after) else after
            if period_end is not None:
                # 李华今年的约谈情况 is 李华的约谈情况 (either role, asked about), not 李华约谈: the 的 read with it
                passed = not text[:period_end].endswith("的")
                after = period_end
                if not passed:
                    break
            elif unit_at in unit_positions:
                while unit_at in unit_positions:
                    unit_at += 1
                after, passed = unit_at, True
            else:
                break
        if passed:
            for role_named, marker in (
                ("subject", _SUBJECT_AFTER.match(text, after)),
                ("interviewer", _INTERVIEWER_AFTER.match(text, after)),
            ):
                if marker is not None:
                    if role is None:
                        role = role_named
                        seen.cover(*marker.span(1))
                    elif role != role_named:  # 由李华今年被约谈: two roles said for one name, so neither: asked
                        role = None
                    break
        found_people.append((name, role, (start, end)))
    return [(name, role) for name, role, _ in _one_role_for_each_list(seen, found_people)]


def _read_names(
    seen: _Coverage, configured: Sequence[str], synonyms: Mapping[str, str], *, standing_for: str, alone: bool
) -> tuple[str, ...]:
    """The configured names (kinds, rank levels) named, by name or synonym, longest words first. A word without
    the noun it stands for (`standing_for`: 提醒 for 提醒约谈, 其他 for 其他干部) is that name only directly before
    the noun, or, when it may stand `alone`, where the question writes the noun nowhere else (上季度提醒几次);
    otherwise it is an ordinary word (请提醒一下本月约谈多少次, 本月其他约谈几次) and left unread."""
    words = {name.lower(): name for name in configured}
    words.update({word.lower(): name for word, name in synonyms.items() if name in configured})
    if not words:
        return ()
    pattern = "|".join(
        rf"(?<![a-z]){'[- ]'.join(map(re.escape, w.split()))}s?(?![a-z])" if w.isascii() else re.escape(w)
        for w in sorted(words, key=len, reverse=True)
    )
    matches = [found for found in re.finditer(pattern, seen.masked) if found.end() > found.start()]
    inside = {i for found in matches for i in range(*found.span())}
    noun_elsewhere = any(noun.start() not in inside for noun in re.finditer(standing_for, seen.masked))
    named = []
    previous_end: int | None = None
    for found in matches:
        bare = not re.search(standing_for, found[0])
        before_noun = re.match(rf"\s*(?:{standing_for})", seen.masked[found.end() :])
        if bare and not before_noun and (noun_elsewhere or not alone):
            continue
        seen.cover(*found.span())
        if previous_end is not None and re.fullmatch(_UNIT_LIST_JOINER, seen.text[previous_end : found.start()]):
            seen.cover(previous_end, found.start())  # 县处级和乡科级: a list, any of them, as units are
        previous_end = found.end()
        word = found[0].lower()
        named.append(words[word if word in words else word.removesuffix("s").replace("-", " ")])
    return tuple(dict.fromkeys(named))


def _read_all(seen: _Coverage, words: tuple[tuple[str, str], ...]) -> list[str]:
    """The names whose words were read, the first pattern's first."""
    return list(dict.fromkeys(name for pattern, name in words if seen.take(pattern)))


def _outermost(paths: Sequence[str]) -> tuple[str, ...]:
    """Units named, without those inside another named one (城关区 covers 城关区/建设局)."""
    unique = list(dict.fromkeys(paths))
    return tuple(p for p in unique if not any(p != q and p.startswith(q + "/") for q in unique))


def _nearest(
    text: str,
    leftovers: Iterable[str],
    today: date,
    names: tuple[Sequence[str], Sequence[str], Sequence[str], Sequence[str], Mapping[str, str], Mapping[str, str]],
) -> tuple[Reading, ...]:
    """Questions close to `text` that can be answered: each unread run replaced by a period it may have meant."""
    kinds, rank_levels, units, people, kind_synonyms, rank_synonyms = names
    readings = []
    for leftover in leftovers:
        for replacement in nearest_periods(leftover, today):
            rewritten = re.sub(re.escape(leftover), replacement, text, count=1, flags=re.IGNORECASE)
            question = parse_question(
                rewritten,
                today,
                kinds=kinds,
                rank_levels=rank_levels,
                units=units,
                people=people,
                kind_synonyms=kind_synonyms,
                rank_synonyms=rank_synonyms,
                suggest=False,
            )
            if isinstance(question, Question):
                readings.append(Reading((Part("question", rewritten),), question))
    return tuple(readings[:MAX_READINGS])


def nearest_periods(fragment: str, today: date) -> list[str]:
    """Periods a time-like fragment the period reader could not read may have meant, as words it reads whole
    (前30日 → 近30天)."""
    if not looks_like_time(fragment):
        return []
    return [found.words for found in suggest_periods(fragment, today)]
