"""A property of every answer with a breakdown, on random ledgers in the real storage: the rows that claim to add
up to the total do (kinds, months, interviewers: talks and person-times; units and rank levels: person-times,
while their talks count a talk once in each unit or level it reaches, as the reply's rule line says, with the
distinct total). Each figure is also counted independently from the generated ledger. Whole-month periods are
answered from the monthly tally, others from the participant rows: both are exercised."""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from bot.clock import ManualClock
from bot.config import Config
from bot.i18n import text
from bot.questions.periods import Period
from bot.questions.reader import Question
from bot.questions.summary import answer, month_by_kind
from bot.roster.access import Grant, Role, Viewer
from bot.services import Services
from storage import people, tally
from storage.db import ensure_schema, open_engine, sessions
from storage.models import Person, Talk, TalkParticipant
from tests.test_stats import rows

ZONE = ZoneInfo("Asia/Shanghai")
KINDS = ["工作约谈", "提醒约谈", "告诫约谈"]
PEOPLE = {
    "赵敏": ("兰州市/城关区/建设局", "乡科级"),
    "孙磊": ("兰州市/城关区/教育局", "乡科级"),
    "钱进": ("兰州市/城关区/建设局/质监站", "其他"),
    "周涛": ("兰州市/榆中县/交通局", "乡科级"),
    "李华": ("兰州市/城关区", "县处级"),
    "王强": ("兰州市/榆中县", "县处级"),
    "郑洁": ("兰州市", "地厅级"),
}
LEADS = ["郑洁", "李华", "王强"]
PERIODS = [
    Period(date(2025, 1, 1), date(2025, 4, 1)),  # whole months: the tally answers
    Period(date(2025, 2, 1), date(2025, 3, 1)),
    Period(date(2025, 1, 10), date(2025, 3, 20)),  # not: the rows answer
]
VIEWERS = ["commission", "district commission", "leader"]
FILTERS: list[dict[str, tuple[str, ...]]] = [{}, {"kinds": ("提醒约谈",)}, {"units": ("兰州市/城关区",)}]

GeneratedTalk = tuple[datetime, str, str, tuple[str, ...]]  # local time, kind, lead, people talked to

talks_strategy = st.lists(
    st.tuples(
        st.integers(0, 100 * 24 * 60 - 1).map(lambda minutes: datetime(2024, 12, 25) + timedelta(minutes=minutes)),
        st.sampled_from(KINDS),
        st.sampled_from(LEADS),
        st.lists(st.sampled_from(sorted(PEOPLE)), min_size=1, max_size=4, unique=True).map(tuple),
    ),
    max_size=25,
)


@pytest.fixture
async def services(db_url: str) -> AsyncIterator[Services]:
    engine = open_engine(db_url)
    await ensure_schema(engine)
    await tally.ensure(engine, ZONE)
    async with sessions(engine).begin() as session:
        for name, (unit, rank) in PEOPLE.items():
            await people.find_or_add(session, name=name, unit_path=unit, rank_level=rank, now=datetime.now(UTC))
    found = Services(
        dataclasses.replace(Config(), database_url=db_url),
        sessions(engine),
        ManualClock(datetime(2025, 7, 1, tzinfo=UTC)),
    )
    yield found
    found.roster.close()
    await engine.dispose()


numbers = itertools.count(1)


async def replace_ledger(services: Services, generated: list[GeneratedTalk]) -> dict[str, Person]:
    async with services.engine.begin() as connection:
        await connection.execute(delete(TalkParticipant))
        await connection.execute(delete(Talk))
        await connection.run_sync(tally.rebuild, ZONE)
    now = datetime(2025, 7, 1, tzinfo=UTC)
    async with services.sessions.begin() as session:
        found = {p.name: p for p in await people.people_within(session, None)}
        for held, kind, lead, subjects in generated:
            session.add(
                Talk(
                    ledger_no=f"P{next(numbers)}",
                    kind=kind,
                    format="collective" if len(subjects) > 1 else "individual",
                    channel="face",
                    held_at=held.replace(tzinfo=ZONE),
                    time_known=True,
                    topic="t",
                    lead_id=found[lead].id,
                    logged_by_id=found[lead].id,
                    deleted=False,
                    created_at=now,
                    updated_at=now,
                    participants=[
                        TalkParticipant(
                            person_id=found[name].id,
                            role="subject",
                            rank_level=PEOPLE[name][1],
                            unit_id=found[name].unit_id,
                        )
                        for name in subjects
                    ],
                )
            )
    return found


def within(unit: str, scope: str) -> bool:
    return unit == scope or unit.startswith(scope + "/")


def expected_rows(
    generated: list[GeneratedTalk], period: Period, viewer: str, filters: dict[str, tuple[str, ...]], dimension: str
) -> tuple[tuple[int, int], dict[str, tuple[int, int]]]:
    """(talks, person-times) and the breakdown's non-zero rows, counted from the generated talks alone."""
    scope = "兰州市/城关区" if viewer == "district commission" else "兰州市"
    bases = filters.get("units") or (scope,)
    depth = min(len(base.split("/")) for base in bases) + 1
    talks_in: dict[str, set[int]] = defaultdict(set)
    times: dict[str, int] = defaultdict(int)
    total_talks, total_times = 0, 0
    for number, (held, kind, lead, subjects) in enumerate(generated):
        if not period.start <= held.date() < period.end or kind not in filters.get("kinds", (kind,)):
            continue
        if viewer == "leader" and lead != "李华":
            continue
        matching = [
            name
            for name in subjects
            if within(PEOPLE[name][0], scope)
            and any(within(PEOPLE[name][0], u) for u in filters.get("units", (scope,)))
        ]
        if not matching:
            continue
        total_talks += 1
        total_times += len(matching)
        for name in matching:
            unit, rank = PEOPLE[name]
            label = {
                "kind": kind,
                "month": held.strftime("%Y-%m"),
                "interviewer": lead,
                "rank": rank,
                "unit": "/".join(unit.split("/")[:depth]),
            }[dimension]
            talks_in[label].add(number)
            times[label] += 1
    return (total_talks, total_times), {label: (len(talks_in[label]), times[label]) for label in talks_in}


def figures_of(reply: str) -> tuple[int, int]:
    if text("zh-CN", "stats.sentence_none") in reply:
        return 0, 0
    found = re.search(r"共开展约谈 (\d+) 次.*累计约谈 (\d+) 人次", reply, re.S)
    assert found, reply
    return int(found[1]), int(found[2])


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    generated=talks_strategy,
    period=st.sampled_from(PERIODS),
    viewer=st.sampled_from(VIEWERS),
    filters=st.sampled_from(FILTERS),
)
async def test_every_breakdown_that_claims_to_add_up_does(
    services: Services,
    generated: list[GeneratedTalk],
    period: Period,
    viewer: str,
    filters: dict[str, tuple[str, ...]],
) -> None:
    found = await replace_ledger(services, generated)
    asker = {
        "commission": Viewer(found["郑洁"].id, "郑洁", "兰州市", (Grant(Role.COMMISSION, "兰州市"),), "zh-CN"),
        "district commission": Viewer(
            found["赵敏"].id, "赵敏", "兰州市/城关区", (Grant(Role.COMMISSION, "兰州市/城关区"),), "zh-CN"
        ),
        "leader": Viewer(found["李华"].id, "李华", "兰州市/城关区", (Grant(Role.LEADER, "兰州市/城关区"),), "zh-CN"),
    }[viewer]
    for dimension in ("kind", "month", "interviewer", "rank", "unit"):
        question = Question(period=period, period_named=True, measure="talks", breakdown=dimension, **filters)
        async with services.sessions() as session:
            reply = (await answer(session, services, asker, question)).text
        (talks, times), expected = expected_rows(generated, period, viewer, filters, dimension)
        listed = rows(reply)
        assert figures_of(reply) == (talks, times), reply
        assert {label: row for label, row in listed.items() if row != (0, 0)} == expected, (dimension, reply)
        assert sum(t for t, _ in listed.values()) >= talks and sum(p for _, p in listed.values()) == times, reply
        if dimension in ("unit", "rank"):
            rule = text(
                "zh-CN",
                f"stats.by_{dimension}_rule",
                sum=sum(t for t, _ in listed.values()),
                talks=talks,
                person_times=times,
            )
            assert rule in reply, reply
        else:
            assert sum(t for t, _ in listed.values()) == talks, reply


async def test_the_chart_has_every_month_of_the_period(services: Services) -> None:
    found = await replace_ledger(services, [(datetime(2025, 2, 10, 9, 0), "工作约谈", "郑洁", ("赵敏", "周涛"))])
    commission = Viewer(found["郑洁"].id, "郑洁", "兰州市", (Grant(Role.COMMISSION, "兰州市"),), "zh-CN")
    question = Question(period=PERIODS[0], period_named=True, measure="talks")
    async with services.sessions() as session:
        counts = await month_by_kind(session, services, commission, question)
    assert {month: dict(kinds) for month, kinds in counts.items()} == {
        "2025-01": {},
        "2025-02": {"工作约谈": 1},
        "2025-03": {},
    }
