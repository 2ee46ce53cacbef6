"""Questions in plain words, /stats by buttons, and the buttons under an answer: by unit / kind / month, the
records behind the figure, Excel. The parsing and counting are bot/questions/reader.py and bot/questions/summary.py.

Long because a question reaches the bot three ways (typed words, the /stats buttons, the drill-down under an
answer, typed or pressed), and each ends in the same answer, records, chart or Excel here.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.i18n import display_name, text
from bot.labels import same_label
from bot.questions import periods
from bot.questions import summary as logic
from bot.questions.asking import NAMEABLE, naming_scopes
from bot.questions.period_words import period_name
from bot.questions.reader import Ambiguous, NotUnderstood, Part, Question, Reading, parse_question
from bot.roster.access import Capability, Viewer
from handlers.telegram.common import Context, Handlers, answer, gated, refuse_button, say, services, show_working
from storage import audit, summary
from storage.models import SavedQuestion

PAGE = 10


class _Parsed:
    """Questions already read, for one vocabulary and configuration: the same words on the same day, from an asker
    with the same scope, read the same (the commission asks 本月约谈多少次 again and again), and reading them costs
    more than looking them up."""

    LIMIT = 5_000

    def __init__(self) -> None:
        self.read_with: tuple[object, object] | None = None  # (services, vocabulary) the entries were read with
        self.questions: dict[tuple[str, date, tuple[str, ...]], Reply] = {}


Reply = Question | NotUnderstood | Ambiguous
_PARSED = _Parsed()


async def read_question(context: Context, viewer: Viewer, typed: str) -> Reply:
    """The typed words as a question, knowing the configured kinds and the units and names in the asker's scope
    (no others: a name outside it reads like one that does not exist)."""
    found = services(context)
    today = found.clock.now().astimezone(found.config.organisation.zone).date()
    vocabulary = await found.roster.vocabulary()
    if _PARSED.read_with is None or _PARSED.read_with[0] is not found or _PARSED.read_with[1] is not vocabulary:
        _PARSED.read_with, _PARSED.questions = (found, vocabulary), {}
    scopes = naming_scopes(viewer)
    key = (typed[:300], today, scopes)
    question = _PARSED.questions.get(key)
    if question is None:
        organisation = found.config.organisation
        named = NAMEABLE.nameable(vocabulary, scopes)
        question = parse_question(
            typed[:300],
            today,
            kinds=organisation.talk_kinds,
            rank_levels=organisation.rank_levels,
            units=named.units,
            people=named.people,
            kind_synonyms=dict(organisation.kind_synonyms),
            rank_synonyms=dict(organisation.rank_synonyms),
        )
        if len(_PARSED.questions) >= _PARSED.LIMIT:
            _PARSED.questions.clear()
        _PARSED.questions[key] = question
    return question


async def ask(update: Update, context: Context, viewer: Viewer, typed: str) -> None:
    """A question typed in the chat (called by the message router for people who may ask)."""
    question = await read_question(context, viewer, typed)
    if isinstance(question, Question):
        await _answer_question(update, context, viewer, question)
        return
    readings = [
        [InlineKeyboardButton(label, callback_data=f"sq:{saved}:answer")]
        for label, saved in await _saved_readings(context, viewer, question.readings)
    ]
    examples = [[InlineKeyboardButton(e, callback_data=f"se:{i}")] for i, e in enumerate(logic.EXAMPLES)]
    buttons = readings if isinstance(question, Ambiguous) else readings + examples
    await say(update, explain(viewer.language, question, offers_readings=bool(readings)), InlineKeyboardMarkup(buttons))


def explain(language: str, question: NotUnderstood | Ambiguous, *, offers_readings: bool) -> str:
    """Why there is no figure: what was understood, and what was not or can be read more than one way (with
    buttons to choose, or, where there are none, how to say it)."""
    understood = describe(language, question.understood)
    understood_text = text(language, "stats.understood", parts=understood) if understood else ""
    if isinstance(question, Ambiguous):
        key = "stats.ask.which" if offers_readings else "stats.ask.which_unbuttoned"
        return text(language, key, understood=understood_text, words=_quoted(language, question.words))
    if question.future:  # understood whole, but the time has not come: a 0 would be no answer
        return text(language, "stats.ask.future", understood=understood_text, parts=describe(language, question.future))
    why = ""  # what could not be read; what was read but the answer cannot take; what cannot be asked together
    if question.leftovers:
        why += text(language, "stats.ask.leftovers", words=_quoted(language, question.leftovers))
    if question.unsupported:
        why += text(language, "stats.ask.unsupported", parts=describe(language, question.unsupported))
    if question.competing:
        why += text(language, "stats.ask.competing", parts=describe(language, question.competing))
    nearest = text(language, "stats.ask.nearest") if offers_readings else ""
    return text(language, "stats.not_understood", understood=understood_text, leftovers=why, nearest=nearest)


def describe(language: str, parts: tuple[Part, ...]) -> str:
    """What was understood, in the asker's language: 去年 · 约谈人次 · 兰州市/城关区 · 李华 被约谈."""
    return " · ".join(_part(language, part) for part in parts)


def _part(language: str, part: Part) -> str:
    if part.what == "measure":
        return text(language, f"stats.measure.{part.value}")
    if part.what == "breakdown":
        return text(language, f"stats.breakdown.{part.value}")
    if part.what in ("interviewer", "subject"):
        return text(language, f"stats.role.{part.what}", name=part.value)
    if part.what in ("collective", "mine"):
        return text(language, "log.format.collective" if part.what == "collective" else "stats.ask.mine")
    return part.value  # a period as typed, a kind, a rank level, a unit path, a rewritten question


def _quoted(language: str, words: tuple[str, ...]) -> str:
    return text(language, "stats.ask.separator").join(text(language, "stats.ask.quoted", word=w) for w in words)


async def _saved_readings(context: Context, viewer: Viewer, readings: tuple[Reading, ...]) -> list[tuple[str, int]]:
    """(button label, saved question id) for each reading: the button answers exactly that question."""
    found = services(context)
    saved = []
    for reading in readings:
        question_id = await found.saved_questions.id_for(
            viewer.person_id, logic.to_json(reading.question), found.clock.now()
        )
        saved.append((describe(viewer.language, reading.choices)[:60], question_id))
    return saved


async def _answer_question(update: Update, context: Context, viewer: Viewer, question: Question) -> None:
    found = services(context)
    saved_id = await found.saved_questions.id_for(viewer.person_id, logic.to_json(question), found.clock.now())
    # Counting a large ledger takes seconds; a figure from memory comes at once, with no "typing…" flash.
    result = await logic.kept_or_counted(
        found, viewer, question, counting=lambda: show_working(update, ChatAction.TYPING)
    )
    language = viewer.language
    buttons = [
        [(text(language, f"stats.button.{name}"), f"sq:{saved_id}:{name}") for name in ("unit", "kind", "month")],
        [
            (text(language, "stats.button.records"), f"sq:{saved_id}:records:0"),
            (text(language, "stats.button.excel"), f"sq:{saved_id}:excel"),
            (text(language, "stats.button.chart"), f"sq:{saved_id}:chart"),
        ],
    ]
    markup = buttons if question.measure in ("talks", "person_times") else None
    if markup is not None:
        _last_answers(context)[viewer.person_id] = saved_id
    if update.effective_chat is not None:
        await say(update, result.text, markup)


def stats_periods(today: date) -> dict[str, periods.Period]:
    """The periods /stats offers, by button id: each button says the period it covers (see `period_label`)."""
    last_month = today.replace(day=1) - timedelta(days=1)
    offered = {
        "this_month": periods.month(today.year, today.month),
        "last_month": periods.month(last_month.year, last_month.month),
        "this_quarter": periods.quarter(today.year, (today.month - 1) // 3 + 1),
        "first_half": periods.half(today.year, 1),
    }
    if today.month >= 7:
        offered["second_half"] = periods.half(today.year, 2)
    offered["this_year"] = periods.year(today.year)
    return offered


def period_label(language: str, button: str, period: periods.Period) -> str:
    """本月：2025年3月 · 2025年上半年（1—6月）: the period in the same words as the answer's heading."""
    key = "half" if button.endswith("_half") else button
    return text(language, f"stats.period.{key}", name=period_name(language, period))


def _today(context: Context) -> date:
    found = services(context)
    return found.clock.now().astimezone(found.config.organisation.zone).date()


@gated(Capability.STATS)
async def stats_command(update: Update, context: Context, viewer: Viewer) -> None:
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    period_label(viewer.language, name, period),
                    callback_data=f"sp:{period.start.isoformat()}:{period.end.isoformat()}",
                )
            ]
            for name, period in stats_periods(_today(context)).items()
        ]
    )
    await answer(update, viewer.language, "stats.choose_period", markup=markup)


@gated(Capability.STATS)
async def period_button(update: Update, context: Context, viewer: Viewer) -> None:
    """sp:<start>:<end>: the period the button's label named when it was shown, even if pressed after the month
    turned (a question typed anew asks about the new one)."""
    _, _, dates = (update.callback_query.data or "").partition(":") if update.callback_query else ("", "", "")
    try:
        start, end = (date.fromisoformat(day) for day in dates.split(":"))
    except ValueError:
        start = end = date.min
    if not start < end:
        await refuse_button(update, viewer.language, "button.stale")
        return
    if update.callback_query is not None:
        await update.callback_query.answer()
    chosen = periods.Period(start, end)
    await _answer_question(update, context, viewer, Question(period=chosen, period_named=True, measure="talks"))


@gated(Capability.STATS)
async def example_button(update: Update, context: Context, viewer: Viewer) -> None:
    index = (update.callback_query.data or "").partition(":")[2] if update.callback_query else ""
    if not index.isdigit() or int(index) >= len(logic.EXAMPLES):
        await refuse_button(update, viewer.language, "button.stale")
        return
    if update.callback_query is not None:
        await update.callback_query.answer()
    await ask(update, context, viewer, logic.EXAMPLES[int(index)])


@gated(Capability.STATS)
async def question_button(update: Update, context: Context, viewer: Viewer) -> None:
    """sq:<saved>:answer|unit|kind|month|records:<page>|excel|chart — the question, or the same another way;
    re-authorised."""
    query = update.callback_query
    assert query is not None
    parts = (query.data or "").split(":")
    saved_id = int(parts[1]) if len(parts) >= 3 and parts[1].isdigit() else None
    await _drill(update, context, viewer, saved_id, parts[2:])


DRILL_DOWNS = ("unit", "kind", "month", "records", "excel", "chart")


async def typed_drill(update: Update, context: Context, viewer: Viewer, typed: str) -> bool:
    """A label of the buttons under this person's last answer (按单位, 查看明细 …) typed instead of pressed: the
    press. False when it is no such label, or no answer with buttons was given in this process."""
    saved_id = _last_answers(context).get(viewer.person_id)
    if saved_id is None or not viewer.may(Capability.STATS):
        return False
    for name in DRILL_DOWNS:
        if same_label(text(viewer.language, f"stats.button.{name}"), typed):
            await _drill(update, context, viewer, saved_id, [name, "0"] if name == "records" else [name])
            return True
    return False


def _last_answers(context: Context) -> dict[int, int]:
    """person id → the saved question whose answer, with its buttons, they were shown last."""
    found: dict[int, int] = context.bot_data.setdefault("last_answers", {})
    return found


async def _drill(update: Update, context: Context, viewer: Viewer, saved_id: int | None, action: list[str]) -> None:
    """The saved question again, or another way (`action`: a button's data after the id)."""
    found = services(context)
    async with found.sessions.begin() as session:
        saved = await session.get(SavedQuestion, saved_id) if saved_id is not None and action else None
        if saved is None or saved.person_id != viewer.person_id:
            saved = None
        else:
            question = logic.from_json(saved.body)
    if saved is None and update.callback_query is None:  # typed: the answer it named is gone
        await answer(update, viewer.language, "button.stale")
        return
    if saved is None:
        await refuse_button(update, viewer.language, "button.stale")
        return
    name = action[0]
    if name == "answer":  # a reading offered for a question not understood whole
        await _acknowledge(update)
        await _answer_question(update, context, viewer, question)
    elif name in ("unit", "kind", "month"):
        await _acknowledge(update)
        await _answer_question(update, context, viewer, Question(**{**question.__dict__, "breakdown": name}))
    elif name == "records" and len(action) == 2 and action[1].isdigit():
        await _records(update, context, viewer, saved.id, question, int(action[1]))
    elif name == "excel":
        await _acknowledge(update)
        await _excel(update, context, viewer, question)
    elif name == "chart":
        await _acknowledge(update)
        await _chart(update, context, viewer, question)
    else:
        await refuse_button(update, viewer.language, "button.stale")


async def _acknowledge(update: Update) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer()


async def _records(
    update: Update, context: Context, viewer: Viewer, saved_id: int, question: Question, page: int
) -> None:
    found = services(context)
    zone = found.config.organisation.zone
    language = viewer.language
    async with found.sessions.begin() as session:
        where = await logic.talk_filter(session, found, viewer, question)
        talks, total = await summary.talks_matching(session, where, page * PAGE, PAGE)
        past_the_last = total > 0 and not talks  # a forged or stale button: nothing shown, nothing audited
        if not past_the_last:
            audit.record(
                session,
                at=found.clock.now(),
                actor_person_id=viewer.person_id,
                action="stats.records",
                subject=f"question:{saved_id}",
                page=page,
                total=total,
            )
        lines = [
            text(
                language,
                "stats.records_title",
                first=page * PAGE + 1 if total else 0,
                last=page * PAGE + len(talks),
                total=total,
            )
        ]
        for talk in talks:
            subjects = "、".join(p.person.name for p in talk.participants if p.role == "subject")
            lines.append(
                text(
                    language,
                    "stats.record_line",
                    ledger_no=talk.ledger_no,
                    kind=talk.kind,
                    day=f"{talk.held_at.astimezone(zone):%Y-%m-%d}",
                    subjects=subjects[:60],
                )
            )
    if not total:
        await answer(update, language, "stats.no_records")
        return
    if past_the_last:
        await refuse_button(update, language, "button.stale")
        return
    if update.callback_query is not None:
        await update.callback_query.answer()
    navigation = []
    if page > 0:
        navigation.append(
            InlineKeyboardButton(
                text(language, "stats.button.previous"), callback_data=f"sq:{saved_id}:records:{page - 1}"
            )
        )
    if (page + 1) * PAGE < total:
        navigation.append(
            InlineKeyboardButton(text(language, "stats.button.next"), callback_data=f"sq:{saved_id}:records:{page + 1}")
        )
    await say(update, "\n".join(lines), InlineKeyboardMarkup([navigation]) if navigation else None)


async def _excel(update: Update, context: Context, viewer: Viewer, question: Question) -> None:
    found = services(context)
    chat = update.effective_chat
    await show_working(update, ChatAction.UPLOAD_DOCUMENT)  # a large ledger takes seconds to build
    from bot.ledgers.export import ledger_data, workbook_bytes  # noqa: PLC0415  (XlsxWriter: loaded when asked for)

    async with found.sessions.begin() as session:
        data = await ledger_data(session, found, viewer, question)
        audit.record(
            session,
            at=found.clock.now(),
            actor_person_id=viewer.person_id,
            action="stats.export",
            subject=f"{question.period.start}/{question.period.end}",
        )
    # Laid out on a worker thread, the transaction closed: other people's questions are answered meanwhile.
    content = await asyncio.to_thread(workbook_bytes, data)
    name = f"talkledger-{question.period.start}-{question.period.last_day}.xlsx"
    caption = text(viewer.language, "stats.excel_caption", start=question.period.start, end=question.period.last_day)
    if chat is not None:
        await chat.send_document(content, filename=name, caption=caption)


async def _chart(update: Update, context: Context, viewer: Viewer, question: Question) -> None:
    """Two charts, one a measure: talks by month stacked by kind, person-times by rank level."""
    found = services(context)
    chat = update.effective_chat
    await show_working(update, ChatAction.UPLOAD_PHOTO)  # two charts drawn: a moment
    async with found.sessions() as session:
        counts = await logic.month_by_kind(session, found, viewer, question)
        where = await logic.talk_filter(session, found, viewer, question)
        ranks = await logic.breakdown(session, found, where, "rank", viewer)
    language, start, end = viewer.language, question.period.start, question.period.last_day
    kinds = found.config.organisation.talk_kinds
    names = {kind: display_name(language, kind) for kind in {*kinds, *(k for c in counts.values() for k in c)}}
    title = text(language, "stats.chart_title", start=start, end=end)
    rank_title = text(language, "stats.rank_chart_title", start=start, end=end)
    from bot.ledgers.chart import month_kind_chart, rank_chart  # noqa: PLC0415  (Pillow: loaded when a chart is asked for)

    months = await asyncio.to_thread(month_kind_chart, counts, kinds, title, text(language, "stats.chart_axis"), names)
    levels = [(display_name(language, label), times) for label, _, times in ranks]
    by_rank = await asyncio.to_thread(rank_chart, levels, rank_title, text(language, "stats.rank_chart_axis"))
    if chat is not None:
        await chat.send_photo(months, caption=title)
        await chat.send_photo(by_rank, caption=rank_title)


HANDLERS: Handlers = [
    CommandHandler("stats", stats_command),
    CallbackQueryHandler(period_button, pattern=r"^sp:"),
    CallbackQueryHandler(example_button, pattern=r"^se:"),
    CallbackQueryHandler(question_button, pattern=r"^sq:"),
]
