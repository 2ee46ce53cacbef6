"""Answering the commission's questions from the detail ledger: the figure, the breakdown it expects, and the
records behind it, each stating the period and scope it covers."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import text
from bot.questions.answers import Answer
from bot.questions.asking import NAMEABLE, naming_scopes
from bot.questions.coverage import coverage_text, quota_text
from bot.questions.period_words import period_name
from bot.questions.periods import Period
from bot.questions.reader import Question
from bot.roster.access import Role, Viewer
from bot.services import Services
from bot.talks.when import add_months
from storage import people, summary
from storage.summary import TalkFilter

EXAMPLES = ("本月约谈多少次", "上个月各类约谈分别多少", "今年上半年约谈人次按级别统计", "逾期未整改的问题有哪些")

OVERDUE_LISTED = 300  # lines of the overdue list: a few messages; past that, how many more and where


def to_json(question: Question) -> str:
    body = asdict(question)
    body["period"] = [question.period.start.isoformat(), question.period.end.isoformat()]
    return json.dumps(body, ensure_ascii=False)


def from_json(raw: str) -> Question:
    body = json.loads(raw)
    start, end = body.pop("period")
    for key in ("kinds", "rank_levels", "units", "interviewers", "subjects", "understood"):
        body[key] = tuple(body.get(key, ()))
    return Question(period=Period(date.fromisoformat(start), date.fromisoformat(end)), **body)


def scope_of(viewer: Viewer) -> tuple[tuple[str, ...] | None, int | None]:
    """(unit scopes, own person): the commission sees the talks in its scopes; a leader only their own talks."""
    commission = tuple(g.scope for g in viewer.grants if g.role == Role.COMMISSION)
    if commission:
        return commission, None
    return None, viewer.person_id


def _utc(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=zone)


async def talk_filter(session: AsyncSession, services: Services, viewer: Viewer, question: Question) -> TalkFilter:
    zone = services.config.organisation.zone
    scopes, own = scope_of(viewer)
    vocabulary = await services.roster.vocabulary()
    roots = vocabulary.roots
    if scopes is not None and set(roots) <= set(scopes):
        scopes = None  # the whole organisation: no unit condition to check on every row
    named = NAMEABLE.nameable(vocabulary, naming_scopes(viewer))
    where = TalkFilter(
        start=_utc(question.period.start, zone),
        end=_utc(question.period.end, zone),
        kinds=question.kinds,
        collective=question.collective,
        rank_levels=question.rank_levels,
        units=question.units,
        lead_ids=named.person_ids(question.interviewers),
        subject_ids=named.person_ids(question.subjects),
        scopes=scopes,
        own_person=own,
    )
    return await summary.with_tally(session, where, roots)


async def answer(session: AsyncSession, services: Services, viewer: Viewer, question: Question) -> Answer:
    language = viewer.language
    where = await talk_filter(session, services, viewer, question)
    heading = _heading(language, viewer, question)
    if question.measure in ("coverage", "quota"):
        zone = services.config.organisation.zone
        today = services.clock.now().astimezone(zone).date()
        scopes, own = scope_of(viewer)
        if question.measure == "coverage":
            # A leader's own talks say nothing about coverage across units.
            body = await coverage_text(session, scopes if own is None else (), question.period, today, zone, language)
        else:
            # A leader, or anyone asking about their own (我的指标), gets their own line.
            mine = viewer.person_id if own is not None or question.mine else None
            body = await quota_text(session, scopes, mine, question.period, today, zone, language)
        return Answer(text=f"{heading}\n{body}")
    if question.measure in ("overdue", "items", "completion"):
        return await _items_answer(session, services, language, where, question, heading)
    organisation = services.config.organisation
    kinds, ranks = await summary.kinds_and_ranks(session, where)
    # A talk has one kind: the kinds add up to the totals exactly.
    talks, person_times = sum(k[1] for k in kinds), sum(k[2] for k in kinds)
    if talks:
        kind_counts = [(k, t) for k, t, _ in in_order(kinds, organisation.talk_kinds) if t]
        rank_counts = [(r, p) for r, _, p in in_order(ranks, organisation.rank_levels) if p]
        sentence = text(
            language,
            "stats.sentence",
            talks=talks,
            person_times=person_times,
            kinds=_parts(language, kind_counts, "stats.kind_part"),
            ranks=_parts(language, rank_counts, "stats.rank_part"),
        )
    else:
        sentence = text(language, "stats.sentence_none")
    result = Answer(text=f"{heading}\n{sentence}", talks=talks, person_times=person_times)
    if question.breakdown:
        already = {"kind": kinds, "rank": ranks}.get(question.breakdown)
        rows = (
            _configured(services, question.breakdown, already)
            if already is not None
            else await breakdown(session, services, where, question.breakdown, viewer)
        )
        lines = [text(language, f"stats.by.{question.breakdown}")]
        lines += [
            text(language, "stats.row", rank=i, label=label, talks=t, person_times=p)
            for i, (label, t, p) in enumerate(rows, start=1)
        ] or [text(language, "stats.by_none")]
        if question.breakdown in ("unit", "rank"):
            # A talk with people of several units (levels) counts in each: say so, and the distinct total.
            lines.append(
                text(
                    language,
                    f"stats.by_{question.breakdown}_rule",
                    sum=sum(t for _, t, _ in rows),
                    talks=talks,
                    person_times=person_times,
                )
            )
        result = replace(result, text=result.text + "\n\n" + "\n".join(lines), rows=tuple(rows))
    return result


def in_order(rows: Sequence[tuple[object, int, int]], configured: Sequence[str]) -> list[tuple[str, int, int]]:
    """Every configured value in the configured order (zero when absent), then any other value found (a kind
    no longer configured), largest first."""
    found = {str(value): (t, p) for value, t, p in rows}
    ordered = [(value, *found.pop(value, (0, 0))) for value in configured]
    rest = sorted(found.items(), key=lambda item: (-item[1][0], -item[1][1], item[0]))
    return ordered + [(value, t, p) for value, (t, p) in rest]


def _configured(
    services: Services, dimension: str, rows: Sequence[tuple[object, int, int]]
) -> list[tuple[str, int, int]]:
    organisation = services.config.organisation
    return in_order(rows, organisation.talk_kinds if dimension == "kind" else organisation.rank_levels)


async def kept_or_counted(
    services: Services,
    viewer: Viewer,
    question: Question,
    *,
    counting: Callable[[], Awaitable[None]] | None = None,
) -> Answer:
    """The answer: from memory while neither the roster nor the ledger changed since it was counted
    (bot/questions/answers.py), else counted now (`counting` awaited first: the asker is shown that an answer is
    coming)."""
    versions = await services.roster.versions()
    kept = services.answers.get(viewer, question, versions)
    if kept is not None:
        return kept
    if counting is not None:
        await counting()
    async with services.sessions() as session:
        counted = await answer(session, services, viewer, question)
    services.answers.keep(viewer, question, versions, counted)
    return counted


async def breakdown(
    session: AsyncSession, services: Services, where: TalkFilter, dimension: str, viewer: Viewer
) -> list[tuple[str, int, int]]:
    """(label, talks, person-times) rows: kinds and rank levels in the configured order, every month of the
    period in order, units largest first with the units directly under the scope even at zero."""
    if dimension in ("kind", "rank"):
        return _configured(services, dimension, await summary.by_group(session, where, dimension))
    if dimension == "interviewer":
        rows = []
        for lead_id, t, p in await summary.by_group(session, where, "interviewer"):
            person = await people.person_by_id(session, int(str(lead_id)))
            rows.append((person.name if person else "—", t, p))
        return rows
    if dimension == "month":
        zone = services.config.organisation.zone
        talks_in: dict[str, set[int]] = {key: set() for key in months_of(where, zone)}
        times: dict[str, int] = defaultdict(int)
        for talk_id, held_at, count in await summary.talk_times(session, where):
            key = held_at.astimezone(zone).strftime("%Y-%m")
            talks_in.setdefault(key, set()).add(talk_id)
            times[key] += count
        return [(key, len(talks_in[key]), times[key]) for key in sorted(talks_in)]
    # By unit: one level below the scope (the districts of a city), each with its sub-units; a talk counts once
    # in each unit it reaches (the reply says so), a person-time in its person's unit.
    bases = list(where.units) or list(where.scopes or []) or list((await services.roster.vocabulary()).roots)
    depth = min((len(path.split("/")) for path in bases), default=0) + 1
    found = {path: (t, p) for path, t, p in await summary.by_unit(session, where, depth)}
    if where.own_person is None:  # a leader's own talks: only the units they reached, no list of all the others
        for path in await summary.units_at_depth(session, bases, depth):
            found.setdefault(path, (0, 0))
    rows = [(path, t, p) for path, (t, p) in found.items()]
    return sorted(rows, key=lambda row: (-row[1], -row[2], row[0]))


def months_of(where: TalkFilter, zone: ZoneInfo) -> list[str]:
    """Every local month the filter's period touches, in order."""
    day = where.start.astimezone(zone).date().replace(day=1)
    last = (where.end.astimezone(zone) - timedelta(microseconds=1)).date()
    found = []
    while day <= last:
        found.append(day.strftime("%Y-%m"))
        day = add_months(day, 1)
    return found


async def _items_answer(
    session: AsyncSession, services: Services, language: str, where: TalkFilter, question: Question, heading: str
) -> Answer:
    today = services.clock.now().astimezone(services.config.organisation.zone).date()
    if question.measure == "overdue":
        # Overdue is a state of today: items of talks from any time in the scope.
        everywhere = TalkFilter(
            **{
                **where.__dict__,
                "start": datetime(1970, 1, 1, tzinfo=ZoneInfo("UTC")),
                "end": datetime(9999, 1, 1, tzinfo=ZoneInfo("UTC")),
            }
        )
        items = await summary.items_in(session, everywhere, overdue_on=today)
        if not items:
            return Answer(text=text(language, "stats.overdue_none", today=today.isoformat()), talks=0)
        lines = [text(language, "stats.overdue", count=len(items), today=today.isoformat())]
        for item in items[:OVERDUE_LISTED]:  # a long list goes as several messages (handlers/telegram/long_text.py)
            person = await people.person_by_id(session, item.responsible_id)
            lines.append(
                text(
                    language,
                    "stats.overdue_line",
                    number=item.id,
                    name=person.name if person else "—",
                    problem=item.problem[:40],
                    deadline=item.deadline.isoformat(),
                    days=(today - item.deadline).days,
                )
            )
        if len(items) > OVERDUE_LISTED:  # said, with where to see them all, never left out silently
            excel = text(language, "stats.button.excel")
            lines.append(text(language, "stats.overdue_more", count=len(items) - OVERDUE_LISTED, excel=excel))
        return Answer(text="\n".join(lines), talks=len(items))
    if question.measure == "items":
        count, closed = await summary.item_counts(session, where)
        if not count:
            return Answer(text=f"{heading}\n{text(language, 'stats.items_none')}", talks=0)
        body = text(language, "stats.items", count=count, closed=closed)
        return Answer(text=f"{heading}\n{body}", talks=count)
    # Completion counts every item that is closed by the same buttons, the 双报告 written report included.
    count, closed, reports = await summary.completion_counts(session, where)
    if not count:
        return Answer(text=f"{heading}\n{text(language, 'stats.completion_none')}", talks=0)
    body = text(language, "stats.completion", rate=f"{closed / count:.1%}", closed=closed, count=count)
    if reports:
        body += "\n" + text(language, "stats.completion_reports", reports=reports)
    return Answer(text=f"{heading}\n{body}", talks=count)


def _heading(language: str, viewer: Viewer, question: Question) -> str:
    scopes, own = scope_of(viewer)
    scope = text(language, "stats.scope_own", name=viewer.name) if own is not None else "、".join(scopes or ())
    filters = [
        *question.kinds,
        *question.rank_levels,
        *question.units,  # whole paths: two units may share a name
        *(text(language, "stats.role.interviewer", name=name) for name in question.interviewers),
        *(text(language, "stats.role.subject", name=name) for name in question.subjects),
    ]
    if question.collective:
        filters.append(text(language, "log.format.collective"))
    key = "stats.heading" if question.period_named else "stats.heading_default"
    name = period_name(language, question.period) if question.period_named else None
    return text(
        language,
        key,
        name=text(language, "stats.ask.period_heading", name=name) if name else "",
        start=question.period.start.isoformat(),
        end=question.period.last_day.isoformat(),
        scope=scope,
        filters=(" · " + "、".join(filters)) if filters else "",
    )


def _parts(language: str, pairs: Sequence[tuple[object, int]], key: str) -> str:
    separator = "、" if language == "zh-CN" else ", "
    return separator.join(text(language, key, name=name, count=count) for name, count in pairs) or "—"


async def month_by_kind(
    session: AsyncSession, services: Services, viewer: Viewer, question: Question
) -> dict[str, dict[str, int]]:
    """Talks per local month and kind: what the chart draws."""
    zone = services.config.organisation.zone
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    where = await talk_filter(session, services, viewer, question)
    for month in months_of(where, zone):  # a month without talks is a bar group at zero, not a gap closed up
        counts[month] = defaultdict(int)
    for held_at, kind in await summary.talk_kinds(session, where):
        counts[held_at.astimezone(zone).strftime("%Y-%m")][kind] += 1
    return counts
