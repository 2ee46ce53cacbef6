"""The question reader accounts for every word: what it reads exactly, what it refuses and names, what it asks
about. Pure: no bot, no database (the emulator tests are in tests/test_stats.py)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.questions.periods import Period, half, month, quarter, year
from bot.questions.reader import Ambiguous, NotUnderstood, Part, Question, parse_question

TODAY = date(2025, 3, 6)
UNITS = [
    "兰州市",
    "兰州市/市纪委",
    "兰州市/城关区",
    "兰州市/城关区/建设局",
    "兰州市/城关区/教育局",
    "兰州市/榆中县",
    "兰州市/榆中县/建设局",
]
NAMES = dict(
    kinds=["工作约谈", "提醒约谈", "告诫约谈", "廉政谈话", "诫勉谈话"],
    rank_levels=["地厅级", "县处级", "乡科级", "其他"],
    units=UNITS,
    people=["张建平", "李华", "王强", "赵敏"],
)


def read(typed: str, **names: object) -> Question | NotUnderstood | Ambiguous:
    return parse_question(typed, TODAY, **{**NAMES, **names})  # type: ignore[arg-type]


ANSWERED = [
    # (question, period, measure, other fields that must be set; every other filter must be empty)
    ("本月约谈多少次", month(2025, 3), "talks", {}),
    ("请问上个月一共约谈了多少次？", month(2025, 2), "talks", {}),
    ("2025年3月约谈情况", month(2025, 3), "talks", {}),
    ("今年上半年约谈人次按级别统计", half(2025, 1), "person_times", {"breakdown": "rank"}),
    ("去年城关区约谈多少人次", year(2024), "person_times", {"units": ("兰州市/城关区",)}),
    ("本月兰州市/城关区约谈多少次", month(2025, 3), "talks", {"units": ("兰州市/城关区",)}),
    ("本月城关区/建设局约谈多少次", month(2025, 3), "talks", {"units": ("兰州市/城关区/建设局",)}),
    ("本月兰州市城关区建设局约谈多少次", month(2025, 3), "talks", {"units": ("兰州市/城关区/建设局",)}),
    ("本月榆中县建设局约谈多少次", month(2025, 3), "talks", {"units": ("兰州市/榆中县/建设局",)}),
    ("今年李华被约谈几次", year(2025), "talks", {"subjects": ("李华",)}),
    ("今年对李华约谈几次", year(2025), "talks", {"subjects": ("李华",)}),
    ("今年约谈李华几次", year(2025), "talks", {"subjects": ("李华",)}),
    ("今年李华主持了几次约谈", year(2025), "talks", {"interviewers": ("李华",)}),
    ("今年李华约谈了多少人次", year(2025), "person_times", {"interviewers": ("李华",)}),
    ("今年由李华主持的约谈多少次", year(2025), "talks", {"interviewers": ("李华",)}),
    ("今年张建平约谈王强几次", year(2025), "talks", {"interviewers": ("张建平",), "subjects": ("王强",)}),
    ("talks held by 李华 this year", year(2025), "talks", {"interviewers": ("李华",)}),
    ("how many talks with 李华 this year", year(2025), "talks", {"subjects": ("李华",)}),
    ("厅级干部去年被约谈多少人次", year(2024), "person_times", {"rank_levels": ("地厅级",)}),
    ("处级干部本月被约谈多少人次", month(2025, 3), "person_times", {"rank_levels": ("县处级",)}),
    ("科级干部本月被约谈多少人次", month(2025, 3), "person_times", {"rank_levels": ("乡科级",)}),
    ("县处级干部本月被约谈多少人次", month(2025, 3), "person_times", {"rank_levels": ("县处级",)}),
    ("person-times of county level cadres last month", month(2025, 2), "person_times", {"rank_levels": ("县处级",)}),
    ("上季度提醒约谈几次", quarter(2024, 4), "talks", {"kinds": ("提醒约谈",)}),
    ("上季度提醒几次", quarter(2024, 4), "talks", {"kinds": ("提醒约谈",)}),
    ("reminder talks last quarter", quarter(2024, 4), "talks", {"kinds": ("提醒约谈",)}),
    ("本月集体约谈几次", month(2025, 3), "talks", {"collective": True}),
    ("整改完成率", year(2025), "completion", {"period_named": False}),
    ("逾期未整改的问题有哪些", year(2025), "overdue", {"period_named": False}),
    # A unit named with those above it, written apart: the unit named last, under the ones before it
    ("本月兰州市的城关区约谈几次", month(2025, 3), "talks", {"units": ("兰州市/城关区",)}),
    ("本月兰州市 城关区约谈几次", month(2025, 3), "talks", {"units": ("兰州市/城关区",)}),
    ("本月兰州市-城关区约谈几次", month(2025, 3), "talks", {"units": ("兰州市/城关区",)}),
    ("本月兰州市，城关区约谈几次", month(2025, 3), "talks", {"units": ("兰州市/城关区",)}),
    ("talks in 城关区 of 兰州市 this month", month(2025, 3), "talks", {"units": ("兰州市/城关区",)}),
    ("talks in 兰州市 城关区 this month", month(2025, 3), "talks", {"units": ("兰州市/城关区",)}),
    ("本月兰州市的城关区建设局约谈几次", month(2025, 3), "talks", {"units": ("兰州市/城关区/建设局",)}),
    ("本月城关区的建设局约谈几次", month(2025, 3), "talks", {"units": ("兰州市/城关区/建设局",)}),
    ("本月城关区里的建设局约谈几次", month(2025, 3), "talks", {"units": ("兰州市/城关区/建设局",)}),
    ("本月城关区 建设局约谈几次", month(2025, 3), "talks", {"units": ("兰州市/城关区/建设局",)}),
    ("本月城关区，建设局约谈几次", month(2025, 3), "talks", {"units": ("兰州市/城关区/建设局",)}),
    ("talks in 建设局 of 城关区 this month", month(2025, 3), "talks", {"units": ("兰州市/城关区/建设局",)}),
    ("talks in 建设局 of 城关区 of 兰州市 this month", month(2025, 3), "talks", {"units": ("兰州市/城关区/建设局",)}),
    ("本月榆中县的建设局约谈几次", month(2025, 3), "talks", {"units": ("兰州市/榆中县/建设局",)}),
    ("本月兰州市榆中县的建设局约谈几次", month(2025, 3), "talks", {"units": ("兰州市/榆中县/建设局",)}),
    # A list of units: each with its sub-units
    ("本月城关区和榆中县约谈几次", month(2025, 3), "talks", {"units": ("兰州市/城关区", "兰州市/榆中县")}),
    ("本月城关区、榆中县约谈几次", month(2025, 3), "talks", {"units": ("兰州市/城关区", "兰州市/榆中县")}),
    ("talks in 城关区 and 榆中县 this month", month(2025, 3), "talks", {"units": ("兰州市/城关区", "兰州市/榆中县")}),
    (
        "本月城关区建设局和榆中县约谈几次",
        month(2025, 3),
        "talks",
        {"units": ("兰州市/城关区/建设局", "兰州市/榆中县")},
    ),
    # A kind word alone where no other talk word is written; a rank word only as a rank phrase
    ("提醒谈话今年几次", year(2025), "talks", {"kinds": ("提醒约谈",)}),
    ("提醒今年几次", year(2025), "talks", {"kinds": ("提醒约谈",)}),
    ("其他干部本月约谈多少次", month(2025, 3), "talks", {"rank_levels": ("其他",)}),
    ("county-level cadres talks this month", month(2025, 3), "talks", {"rank_levels": ("县处级",)}),
    ("count of talks this month", month(2025, 3), "talks", {}),
    ("本月整改事项有多少", month(2025, 3), "items", {}),
    # Other words for a breakdown
    ("今年每个月约谈多少次", year(2025), "talks", {"breakdown": "month"}),
    ("今年约谈按月份统计", year(2025), "talks", {"breakdown": "month"}),
    ("今年按类别统计约谈次数", year(2025), "talks", {"breakdown": "kind"}),
    ("今年约谈按职级统计", year(2025), "talks", {"breakdown": "rank"}),
    ("今年约谈按约谈人统计", year(2025), "talks", {"breakdown": "interviewer"}),
    # A list of people, their role said once for all
    ("今年约谈李华和王强几次", year(2025), "talks", {"subjects": ("李华", "王强")}),
    ("今年张建平和李华主持了几次约谈", year(2025), "talks", {"interviewers": ("张建平", "李华")}),
    ("talks held by 张建平 and 李华 this year", year(2025), "talks", {"interviewers": ("张建平", "李华")}),
    ("今年张建平约谈李华、王强几次", year(2025), "talks", {"interviewers": ("张建平",), "subjects": ("李华", "王强")}),
    # The role said after a period between it and the name
    ("张建平本月主持约谈几次", month(2025, 3), "talks", {"interviewers": ("张建平",)}),
    ("李华今年被约谈几次", year(2025), "talks", {"subjects": ("李华",)}),
    # Once refused: an interviewer and a subject with a period between; lists of ranks or kinds; more periods
    ("张建平今年约谈李华几次", year(2025), "talks", {"interviewers": ("张建平",), "subjects": ("李华",)}),
    ("县处级和乡科级干部今年被约谈多少人次", year(2025), "person_times", {"rank_levels": ("县处级", "乡科级")}),
    ("今年处级、科级干部被约谈多少人次", year(2025), "person_times", {"rank_levels": ("县处级", "乡科级")}),
    ("今年提醒约谈和告诫约谈几次", year(2025), "talks", {"kinds": ("提醒约谈", "告诫约谈")}),
    ("今年头三个月约谈多少次", Period(date(2025, 1, 1), date(2025, 4, 1)), "talks", {}),
    ("2月前约谈多少次", month(2025, 1), "talks", {}),
    ("周一到周五约谈多少次", Period(date(2025, 3, 3), date(2025, 3, 8)), "talks", {}),  # this week's, Friday to come
    ("how many talks did 张建平 hold this year", year(2025), "talks", {"interviewers": ("张建平",)}),
    ("talks chaired by 张建平 this year", year(2025), "talks", {"interviewers": ("张建平",)}),
    ("张建平牵头本月约谈几次", month(2025, 3), "talks", {"interviewers": ("张建平",)}),  # not 头 of 头三个月
    # Units, people, kinds and ranks before the period as after it
    ("城关区今年约谈多少次", year(2025), "talks", {"units": ("兰州市/城关区",)}),
    ("城关区和榆中县本月约谈几人次", month(2025, 3), "person_times", {"units": ("兰州市/城关区", "兰州市/榆中县")}),
    ("县处级今年被约谈多少人次", year(2025), "person_times", {"rank_levels": ("县处级",)}),
    ("张建平本月约谈了几次", month(2025, 3), "talks", {"interviewers": ("张建平",)}),
    ("告诫约谈今年多少次", year(2025), "talks", {"kinds": ("告诫约谈",)}),
    ("提醒约谈城关区今年几次", year(2025), "talks", {"kinds": ("提醒约谈",), "units": ("兰州市/城关区",)}),
    ("按月今年约谈多少次", year(2025), "talks", {"breakdown": "month"}),  # 按月 is no month before 今年
    ("各月份去年约谈次数", year(2024), "talks", {"breakdown": "month"}),
    # A list of people before the period, their role said after it, once for all
    ("李华和王强今年被约谈几次", year(2025), "talks", {"subjects": ("李华", "王强")}),
    ("李华、王强本月被约谈几次", month(2025, 3), "talks", {"subjects": ("李华", "王强")}),
    ("张建平和李华今年主持了几次约谈", year(2025), "talks", {"interviewers": ("张建平", "李华")}),
    ("张建平、李华本月主持约谈几次", month(2025, 3), "talks", {"interviewers": ("张建平", "李华")}),
    # A unit between the name and its role, as before the name (城关区张建平主持约谈几次)
    (
        "张建平今年在城关区主持约谈几次",
        year(2025),
        "talks",
        {"interviewers": ("张建平",), "units": ("兰州市/城关区",)},
    ),
    ("李华本月在榆中县被约谈几次", month(2025, 3), "talks", {"subjects": ("李华",), "units": ("兰州市/榆中县",)}),
    (
        "张建平和李华城关区今年主持约谈几次",
        year(2025),
        "talks",
        {"interviewers": ("张建平", "李华"), "units": ("兰州市/城关区",)},
    ),
    (
        "张建平和李华今年约谈王强几次",
        year(2025),
        "talks",
        {"interviewers": ("张建平", "李华"), "subjects": ("王强",)},
    ),
]


@pytest.mark.parametrize(("typed", "period", "measure", "fields"), ANSWERED)
def test_a_question_read_whole_is_answered_as_asked(
    typed: str, period: Period, measure: str, fields: dict[str, object]
) -> None:
    question = read(typed)
    assert isinstance(question, Question), question
    assert (question.period, question.measure) == (period, measure)
    expected = {
        "breakdown": None,
        "kinds": (),
        "collective": None,
        "rank_levels": (),
        "units": (),
        "interviewers": (),
        "subjects": (),
        "period_named": True,
        **fields,
    }
    assert {key: getattr(question, key) for key in expected} == expected


REFUSED = [
    # (question, a leftover the reply must name): a number, a time word, a name or unit not known, a rank or kind
    # not known, a typo
    ("三十天约谈多少次", "三十天"),
    ("前30日约谈多少次", "前30日"),
    ("2025年3月第二周约谈多少次", "2025年3月第二周"),
    ("上旬约谈几次", "上旬"),
    ("本月约谈3次以上的有多少", "3次以上"),
    ("今年王某被约谈几次", "王某"),
    ("今年永登县约谈多少次", "永登县"),
    ("今年永登县建设局约谈多少次", "永登县"),
    ("今年正部级干部约谈多少人次", "正部级"),
    ("今年副处级干部约谈多少人次", "副"),
    ("今年警示约谈几次", "警示约谈"),
    ("本约谈多少次", "本"),
    ("今年约谈多好次", "多好"),
    ("未整改的问题有多少", "未"),
    ("本月约谈工作情况", "工作"),  # the work of talking, not 工作约谈
    ("how many talks this moth", "moth"),
    # Unit names that form no chain to exactly one unit: never the figure of the first, or of two units
    ("本月市纪委建设局约谈几次", "市纪委建设局"),  # no 建设局 under 市纪委
    ("本月市纪委的建设局约谈几次", "市纪委的建设局"),
    ("本月兰州市建设局约谈几次", "兰州市建设局"),  # two 建设局 under 兰州市
    ("本月建设局城关区约谈几次", "建设局城关区"),  # the wrong way round
    ("本月城关区榆中县建设局约谈几次", "城关区榆中县建设局"),  # siblings, nothing joining them
    ("本月城关区和永登县约谈几次", "和永登县"),
    # Verbs and ordinary words are no filters
    ("请提醒一下本月约谈多少次", "提醒"),
    ("本月约谈多少次，提醒一下", "提醒"),
    ("提醒我本月约谈几次", "提醒我"),
    ("本月其他约谈几次", "其他约谈"),
    ("talks in the county 榆中县 this month", "county"),
    ("talks in 榆中县 county this month", "county"),
    ("约谈人数是多少", "人数"),  # distinct people, not person-times
    ("整改了多少个问题", "整改"),  # items rectified, not all items
    ("已整改的问题有多少", "已整改"),
    ("今年张建平和李华的约谈情况", "和"),  # a list whose role is not said
    ("张建平和李华今年的约谈情况", "和"),
    # 'Each', 'respectively' after a list asks a figure per name, not their sum nor a breakdown by kind
    ("城关区和榆中县分别约谈几次", "分别约谈"),
    ("城关区和榆中县各约谈几次", "各"),
    ("1月和2月分别约谈几次", "分别约谈"),
    ("本月和上月各约谈几次", "各"),
    ("上半年和下半年分别约谈几次", "分别约谈"),
    ("整改中的问题有多少", "整改"),  # items being rectified: a state not counted apart
    ("县处级和乡科级干部分别被约谈多少人次", "分别"),
    # 前 after a point is "before" only as a word of its own
    ("3月前往城关区约谈几次", "前往"),
    ("2月前后约谈多少次", "前后"),
    ("去年10月后期约谈多少次", "后期"),  # late October, not after it
]


@pytest.mark.parametrize(("typed", "leftover"), REFUSED)
def test_a_question_with_anything_unread_gets_no_figure_and_the_unread_part_is_named(typed: str, leftover: str) -> None:
    reply = read(typed)
    assert isinstance(reply, NotUnderstood), reply
    assert leftover in reply.leftovers


def test_what_was_understood_is_said_with_what_was_not() -> None:
    reply = read("去年城关区约谈了多少人次三十天")
    assert isinstance(reply, NotUnderstood)
    assert reply.understood == (
        Part("period", "去年"),
        Part("measure", "person_times"),
        Part("unit", "兰州市/城关区"),
    )
    assert reply.leftovers == ("三十天",)


def test_a_period_with_chinese_numerals_is_offered_as_the_nearest_reading() -> None:
    reply = read("三十天约谈多少次")
    assert isinstance(reply, NotUnderstood)
    [reading] = reply.readings
    assert reading.choices == (Part("question", "近30天约谈多少次"),)
    assert reading.question.period == Period(date(2025, 2, 5), date(2025, 3, 7))


def test_a_name_outside_the_scope_reads_exactly_like_one_that_does_not_exist() -> None:
    inside_chengguan = dict(
        units=[u for u in UNITS if u.startswith("兰州市/城关区")], people=["李华", "赵敏"]
    )  # 王强 and 榆中县 exist, elsewhere
    for elsewhere, nowhere in (("王强", "王某"), ("榆中县", "永登县")):
        seen = read(f"本月{elsewhere}被约谈几次", **inside_chengguan)
        unknown = read(f"本月{nowhere}被约谈几次", **inside_chengguan)
        assert isinstance(seen, NotUnderstood) and isinstance(unknown, NotUnderstood)
        assert (seen.understood, seen.leftovers) == (unknown.understood, (elsewhere,))
        assert unknown.leftovers == (nowhere,) and not seen.readings and not unknown.readings


@pytest.mark.parametrize("typed", ["区4和区5今年约谈多少次", "今年区4和区5约谈多少次"])
def test_a_unit_outside_the_scope_before_or_after_the_period_is_named_alone(typed: str) -> None:
    """A leader of 区4 asks about 区5 too: no figure, and the reply names 区5, whichever comes first (the 5 of 区5
    does not make 今年 unreadable)."""
    reply = read(typed, units=["兰州市/区4"])
    assert isinstance(reply, NotUnderstood), reply
    assert reply.leftovers == ("和区5",) and Part("period", "今年") in reply.understood


def test_two_units_of_one_name_are_asked_about_never_guessed() -> None:
    reply = read("本月建设局约谈多少次")
    assert isinstance(reply, Ambiguous) and reply.words == ("建设局",)
    assert [(r.choices, r.question.units) for r in reply.readings] == [
        ((Part("unit", path),), (path,)) for path in ("兰州市/城关区/建设局", "兰州市/榆中县/建设局")
    ]
    assert all(r.question.period == month(2025, 3) for r in reply.readings)


@pytest.mark.parametrize(
    "typed",
    [
        "今年李华的约谈情况",
        "李华今年的约谈情况",
        # Two roles said for one name (由 before it: who held; 被 after the period: who was talked to): asked.
        "由李华今年被约谈几次",
        "城关区由李华今年被约谈几次",
    ],
)
def test_a_person_named_without_their_role_is_asked_about(typed: str) -> None:
    reply = read(typed)
    assert isinstance(reply, Ambiguous) and reply.words == ("李华",)
    assert [(r.question.interviewers, r.question.subjects) for r in reply.readings] == [
        (("李华",), ()),
        ((), ("李华",)),
    ]


def test_configured_synonyms_and_only_those() -> None:
    own = dict(rank_levels=["正处", "其他"], rank_synonyms={"处级": "正处"})
    question = read("处级干部本月被约谈多少人次", **own)
    assert isinstance(question, Question) and question.rank_levels == ("正处",)
    refused = read("科级干部本月被约谈多少人次", **own)
    assert isinstance(refused, NotUnderstood) and "科级" in refused.leftovers


def test_only_a_question_naming_no_period_gets_the_default() -> None:
    question = read("城关区约谈多少次")
    assert isinstance(question, Question) and not question.period_named and question.period == year(2025)


EXAMPLES = [typed for typed, *_ in ANSWERED]
STRANGERS = "甲乙丙丁戊己庚辛壬癸欧阳诸葛"


def _insert(typed: str, position: int, extra: str) -> str:
    return typed[:position] + extra + typed[position:]


@given(st.sampled_from(EXAMPLES), st.integers(0, 60), st.text(STRANGERS, min_size=1, max_size=3))
def test_any_example_with_an_unknown_name_inserted_is_refused(typed: str, position: int, extra: str) -> None:
    reply = read(_insert(typed, position % (len(typed) + 1), extra))
    assert isinstance(reply, NotUnderstood)
    assert any(c in leftover for leftover in reply.leftovers for c in extra)


@given(st.sampled_from(EXAMPLES), st.integers(0, 60), st.integers(0, 9))
def test_any_example_with_a_stray_digit_inserted_is_refused(typed: str, position: int, digit: int) -> None:
    position %= len(typed) + 1
    neighbours = typed[max(position - 1, 0) : position + 1]
    if any(c.isascii() and c.isalnum() for c in neighbours):
        return  # next to a number or a word it writes another one: 30天 → 305天, last quarter → last1 quarter
    reply = read(_insert(typed, position, str(digit)))
    assert isinstance(reply, NotUnderstood) and reply.leftovers  # the digit, or what it took away from (本1月: 本)


def test_a_unit_whose_name_holds_a_time_word_is_read_as_the_unit() -> None:
    units = ["兰州市", "兰州市/西固区", "兰州市/西固区/四季青街道", "兰州市/七里河区"]
    for typed, unit, period in [
        ("四季青街道本月约谈多少次", "兰州市/西固区/四季青街道", month(2025, 3)),  # not 四季 (Q4) and 青街道
        ("本月七里河区约谈多少次", "兰州市/七里河区", month(2025, 3)),
    ]:
        question = read(typed, units=units)
        assert isinstance(question, Question) and (question.units, question.period) == ((unit,), period), typed


@pytest.mark.parametrize(
    ("typed", "unsupported"),
    [
        ("各单位整改完成率", (Part("breakdown", "unit"),)),  # completion comes as one figure
        ("逾期问题按类型", (Part("breakdown", "kind"),)),
        ("上个月逾期问题有哪些", (Part("period", "上个月"),)),  # overdue is as of today
        ("城关区一把手约谈覆盖率", (Part("unit", "兰州市/城关区"),)),  # coverage is of the whole scope's plan
        ("本月告诫约谈指标完成情况", (Part("kind", "告诫约谈"),)),
    ],
)
def test_a_filter_or_breakdown_the_measure_cannot_apply_is_said_not_dropped(
    typed: str, unsupported: tuple[Part, ...]
) -> None:
    reply = read(typed)
    assert isinstance(reply, NotUnderstood) and reply.unsupported == unsupported and not reply.leftovers


@pytest.mark.parametrize(
    ("typed", "competing"),
    [
        (
            "本月约谈次数、整改完成率",
            (Part("measure", "completion"), Part("measure", "items"), Part("measure", "talks")),
        ),
        ("今年约谈次数按单位按月", (Part("breakdown", "unit"), Part("breakdown", "month"))),
    ],
)
def test_two_figures_or_breakdowns_at_once_are_said_not_one_dropped(typed: str, competing: tuple[Part, ...]) -> None:
    reply = read(typed)
    assert isinstance(reply, NotUnderstood) and reply.competing == competing and not reply.leftovers


@pytest.mark.parametrize("typed", ["逾期未整改的问题有哪些", "整改完成率", "本月约谈次数、人次", "今年约谈人次、次数"])
def test_words_of_one_figure_together_are_one_question(typed: str) -> None:
    assert isinstance(read(typed), Question)


@pytest.mark.parametrize(
    ("typed", "today", "periods"),
    [
        # 11月到2月 asked in December: the last complete span or the one under way
        (
            "11月到2月约谈多少次",
            date(2025, 12, 10),
            [Period(date(2024, 11, 1), date(2025, 3, 1)), Period(date(2025, 11, 1), date(2026, 3, 1))],
        ),
        # 以后: from October, or from November
        (
            "10月以后约谈多少次",
            date(2025, 11, 20),
            [Period(date(2025, 10, 1), date(2025, 11, 21)), Period(date(2025, 11, 1), date(2025, 11, 21))],
        ),
    ],
)
def test_a_period_read_two_ways_is_asked_about(typed: str, today: date, periods: list[Period]) -> None:
    reply = parse_question(typed, today, **NAMES)  # type: ignore[arg-type]
    assert isinstance(reply, Ambiguous), reply
    assert [r.question.period for r in reply.readings] == periods
    assert [r.choices for r in reply.readings] == [(Part("period", p.label()),) for p in periods]


@pytest.mark.parametrize(
    ("typed", "when"),
    [
        ("下个月约谈多少次", "下个月"),
        ("明年约谈几次", "明年"),
        ("下季度城关区约谈多少人次", "下季度"),
        ("明年整改问题有多少", "明年"),
    ],
)
def test_a_period_still_to_come_gets_no_figure_and_is_said_to_be_to_come(typed: str, when: str) -> None:
    reply = read(typed)
    assert isinstance(reply, NotUnderstood) and reply.future == (Part("period", when),), reply
    assert Part("period", when) not in reply.understood


def test_a_quota_for_a_period_still_to_come_is_answered() -> None:
    question = read("下个月约谈指标")
    assert isinstance(question, Question) and question.period == month(2025, 4)


@pytest.mark.parametrize("typed", ["本月城关区和榆中县的建设局约谈多少次", "本月城关区和榆中县建设局约谈多少次"])
def test_a_list_of_units_before_a_unit_they_may_all_hold_is_asked_about(typed: str) -> None:
    """城关区和榆中县的建设局: both 建设局s, or 城关区 and 榆中县's 建设局; the asker chooses."""
    reply = read(typed)
    assert isinstance(reply, Ambiguous) and reply.words == ("城关区",), reply
    assert [r.question.units for r in reply.readings] == [
        ("兰州市/城关区", "兰州市/榆中县/建设局"),
        ("兰州市/城关区/建设局", "兰州市/榆中县/建设局"),
    ]


@given(st.dates(date(2001, 1, 1), date(2098, 12, 31)), st.sampled_from(["下个月", "下季度", "明年", "下半年", "下周"]))
def test_any_day_a_period_still_to_come_gets_no_count(today: date, when: str) -> None:
    """下半年 asked in the first half is to come; asked in the second it is the one under way, and counted."""
    reply = parse_question(f"{when}约谈多少次", today, **NAMES)  # type: ignore[arg-type]
    if isinstance(reply, Question):
        assert reply.period.start <= today
    else:
        assert isinstance(reply, NotUnderstood) and reply.future == (Part("period", when),)
