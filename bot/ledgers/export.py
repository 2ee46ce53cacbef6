"""The ledgers as an Excel file a commission prints, stamps and files: the detail ledger (明细账, one row per person
talked to), the rectification ledger (整改台账, one row per problem found) and the summary ledger (汇总账: month ×
kind with every month of the period, rank levels, units).

Each sheet has a title row, a line with scope, period and time of export, a header repeated on every printed page,
real date and time cells, borders, wrapped long text, frozen panes, an autofilter, landscape A4 fitted to the
page width and page numbers in the footer. The data is read from the database first (`ledger_data`); the
workbook is then built from plain values on a worker thread (`workbook_bytes`), so the event loop keeps serving.
XlsxWriter in constant-memory mode writes it: for 50,000 talks several times faster than openpyxl, in a fraction
of the memory (bench/ledgers.py).

Long because the workbook is one document: its sheets (明细账, 整改台账, 汇总账, 年度账) share title, scope
and print set-up, and are laid out together.
"""

from __future__ import annotations

import asyncio
import io
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from xlsxwriter import Workbook
from xlsxwriter.format import Format

from bot.i18n import display_name, text
from bot.ledgers.cells import inert_row
from bot.questions.coverage import coverage_of, quotas_of
from bot.questions.periods import Period
from bot.questions.reader import Question
from bot.questions.summary import breakdown, months_of, scope_of, talk_filter
from bot.roster.access import Viewer
from bot.services import Services
from storage import people, summary

SOURCE_LANGUAGE = "zh-CN"  # the language of the stored values (formats, channels) and of `talkledger import`


def header(language: str, key: str) -> list[str]:
    return text(language, f"ledger_sheet.{key}").split("|")


DETAIL_HEADER = header(SOURCE_LANGUAGE, "detail_header")
ITEMS_HEADER = header(SOURCE_LANGUAGE, "items_header")
FORMATS = {key: text(SOURCE_LANGUAGE, f"ledger_sheet.{key}") for key in ("individual", "collective")}
CHANNELS = {key: text(SOURCE_LANGUAGE, f"ledger_sheet.{key}") for key in ("face", "video", "phone")}
WRAPPED_WIDTH = 40  # a column of long text (内容, 问题) wraps at this width rather than running off the page
HEADER_ROW = 3  # title, scope line, header
LINE_HEIGHT = 15  # points a line of text takes in a row (409: the most a row may be)
LINE_WIDTH = 52  # what a wrapped column holds in `_width` units: a CJK character is 1.6 columns wide, not 2


@dataclass(frozen=True)
class Breakdown:
    header: list[str]
    rows: list[tuple[str, int, int]]
    rule: str


@dataclass
class Annual:
    """The annual ledger (年度账): the plan (who must be talked to how often) and the quotas against what was done,
    counted as the chat's coverage and quota answers count them."""

    plan: list[list[object]] = field(default_factory=list)
    plan_total: list[object] = field(default_factory=list)
    plan_note: str = ""
    quotas: list[list[object]] = field(default_factory=list)
    quota_total: list[object] = field(default_factory=list)
    quota_note: str = ""


@dataclass
class LedgerData:
    """Everything the workbook shows, read from the database: plain values a worker thread can lay out."""

    language: str
    title_scope: str
    scope: str
    start: date
    last: date
    exported: datetime  # local
    detail: list[list[object]] = field(default_factory=list)
    items: list[list[object]] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)  # as stored; the sheets show their display names
    months: list[tuple[date, list[int]]] = field(default_factory=list)
    talks: int = 0
    person_times: int = 0
    breakdowns: list[Breakdown] = field(default_factory=list)
    annual: Annual | None = None  # for a calendar year's export only


async def ledger_workbook(session: AsyncSession, services: Services, viewer: Viewer, question: Question) -> bytes:
    data = await ledger_data(session, services, viewer, question)
    return await asyncio.to_thread(workbook_bytes, data)


async def ledger_data(session: AsyncSession, services: Services, viewer: Viewer, question: Question) -> LedgerData:
    language = viewer.language
    zone = services.config.organisation.zone
    where = await talk_filter(session, services, viewer, question)
    talks, _ = await summary.talks_matching(session, where, 0, 10_000_000)
    scopes, own = scope_of(viewer)
    scope = text(language, "stats.scope_own", name=viewer.name) if own is not None else "、".join(scopes or ())
    data = LedgerData(
        language=language,
        title_scope=scope if own is not None else "、".join(path.split("/")[-1] for path in scopes or ()),
        scope=scope,
        start=question.period.start,
        last=question.period.last_day,
        exported=services.clock.now().astimezone(zone).replace(tzinfo=None),
    )
    names: dict[int, str] = {}

    async def name(person_id: int | None) -> str:
        if person_id is None:
            return ""
        if person_id not in names:
            person = await people.person_by_id(session, person_id)
            names[person_id] = person.name if person else ""
        return names[person_id]

    today = services.clock.now().astimezone(zone).date()
    # Unit and rank level as they were at the talk, as the summary counts them, not where the person is now.
    units = await people.unit_paths(session, (p.unit_id for talk in talks for p in talk.participants))
    for talk in reversed(talks):  # oldest first, as a ledger is kept
        local = talk.held_at.astimezone(zone)
        subjects = [p for p in talk.participants if p.role == "subject"]
        problems = [item for item in talk.items if item.kind == "problem"]
        shared = {
            "lead": await name(talk.lead_id),
            "attendees": "、".join(p.person.name for p in talk.participants if p.role == "attendee"),
            "logged_by": await name(talk.logged_by_id),
        }
        for subject in subjects:
            data.detail.append(
                [
                    talk.ledger_no,
                    local.date(),
                    local.time().replace(second=0, microsecond=0) if talk.time_known else None,
                    display_name(language, talk.kind),
                    text(language, f"ledger_sheet.{talk.format}"),
                    text(language, f"ledger_sheet.{talk.channel}"),
                    subject.person.name,
                    units.get(subject.unit_id, subject.person.unit.path),
                    display_name(language, subject.rank_level),
                    1,
                    talk.place,
                    talk.topic,
                    talk.content,
                    shared["lead"],
                    shared["attendees"],
                    len(problems),
                    shared["logged_by"],
                ]
            )
        for item in problems:
            closed = item.closed_at.astimezone(zone).date() if item.closed_at else None
            data.items.append(
                [
                    talk.ledger_no,
                    "、".join(p.person.name for p in subjects),
                    item.problem,
                    item.measure,
                    item.deadline,
                    "、".join(filter(None, [await name(item.responsible_id), await name(item.second_responsible_id)])),
                    text(language, f"item.state.{item.state}"),
                    closed,
                    max(0, ((closed or today) - item.deadline).days),
                ]
            )

    data.kinds = list(services.config.organisation.talk_kinds)
    per_month: dict[str, dict[str, int]] = {month: defaultdict(int) for month in months_of(where, zone)}
    for talk in talks:
        per_month.setdefault(talk.held_at.astimezone(zone).strftime("%Y-%m"), defaultdict(int))[talk.kind] += 1
    data.kinds += sorted({kind for counts in per_month.values() for kind in counts} - set(data.kinds))
    data.months = [
        (date.fromisoformat(f"{month}-01"), [per_month[month].get(kind, 0) for kind in data.kinds])
        for month in sorted(per_month)
    ]
    data.talks = len(talks)
    data.person_times = sum(sum(1 for p in talk.participants if p.role == "subject") for talk in talks)
    # Rank levels and units as the bot's answers count them: a talk reaching several counts once in each, which
    # the note under each table says, with the distinct total.
    for key, dimension, rule in (
        ("rank_header", "rank", "stats.by_rank_rule"),
        ("unit_header", "unit", "stats.by_unit_rule"),
    ):
        rows = await breakdown(session, services, where, dimension, viewer)
        if dimension == "rank":
            rows = [(display_name(language, label), t, p) for label, t, p in rows]
        note = text(language, rule, sum=sum(r[1] for r in rows), talks=data.talks, person_times=data.person_times)
        data.breakdowns.append(Breakdown(header(language, key), rows, note))
    period = question.period
    if (period.start.month, period.start.day) == (1, 1) and period.end == date(period.start.year + 1, 1, 1):
        data.annual = await annual_data(session, viewer, period, today, zone)
    return data


async def annual_data(session: AsyncSession, viewer: Viewer, period: Period, today: date, zone: ZoneInfo) -> Annual:
    """The plan and quota tables with the scopes the chat's answers use: a leader's own quota, no coverage."""
    language = viewer.language
    scopes, own = scope_of(viewer)
    annual = Annual()
    plan = await coverage_of(session, scopes if own is None else (), period, today, zone)
    counted = [line for line in plan.lines if line.excused is None]
    for line in plan.lines:
        every = text(language, "ledger_sheet.every", per=text(language, f"coverage.per.{line.person.talk_every}"))
        if line.excused is not None:
            figures: list[object] = [None, None, "", text(language, "ledger_sheet.covered_excused")]
            note = text(language, "ledger_sheet.excused", reason=line.excused)
        else:
            state = text(language, "ledger_sheet.covered_no" if line.gaps else "ledger_sheet.covered_yes")
            gaps = "、".join(f"{w.start:%Y-%m}" for w in line.gaps)
            figures, note = [len(line.windows), len(line.windows) - len(line.gaps), gaps, state], ""
        annual.plan.append([line.person.name, line.person.unit.path, every, *figures, note])
    due = sum(len(line.windows) for line in counted)
    talked = due - sum(len(line.gaps) for line in counted)
    total = text(language, "ledger_sheet.total")
    annual.plan_total = [total, "", "", "", due, talked, "", plan.covered, ""]
    annual.plan_note = plan.summary(language) if plan.lines else text(language, "coverage.none_required")
    quotas = await quotas_of(session, scopes, viewer.person_id if own is not None else None, period, zone)
    for quota in quotas:
        each = text(
            language, "ledger_sheet.quota_each", per=text(language, f"coverage.per.{quota.per}"), each=quota.each
        )
        share = quota.done / quota.quota if quota.quota else None
        annual.quotas.append([quota.person.name, quota.person.unit.path, each, quota.quota, quota.done, share])
    planned = sum(quota.quota or 0 for quota in quotas)
    done = sum(quota.done for quota in quotas)
    annual.quota_total = [total, "", "", "", planned, done, done / planned if planned else None]
    annual.quota_note = "" if quotas else text(language, "coverage.no_quotas")
    return annual


def period_label(language: str, start: date, last: date) -> str:
    """2026年1月—11月 for whole months, the days otherwise."""
    if start.day != 1 or (last + timedelta(days=1)).day != 1:
        key = "period_days"
    elif (start.year, start.month) == (last.year, last.month):
        key = "period_month"
    elif start.year == last.year:
        key = "period_months_same_year"
    else:
        key = "period_months"
    return text(language, f"ledger_sheet.{key}", start=start, last=last)


class _Sheet:
    """One ledger sheet being laid out, row after row (XlsxWriter's constant-memory mode writes each row out as
    the next begins): title and scope rows, bordered tables, widths that fit its cells."""

    def __init__(
        self, book: Workbook, looks: _Looks, language: str, key: str, title: str, scope_line: str, width: int
    ) -> None:
        self.language, self.looks = language, looks
        self.name = text(language, f"ledger_sheet.{key}")
        self.sheet = book.add_worksheet(self.name)
        self.widths: dict[int, int] = defaultdict(int)
        self.last_row = 0  # rows written; the next row's index (0-based)
        self.sheet.set_row(0, 28)
        self.sheet.merge_range(0, 0, 0, max(width, 1) - 1, title, looks.title)
        self.sheet.merge_range(1, 0, 1, max(width, 1) - 1, scope_line, looks.plain)
        self.last_row = 2

    def write(self, values: Sequence[object], looks: Sequence[Format | None] = ()) -> None:
        """A row as it is; a text is always written as text, never read as a formula, number or link."""
        row = self.last_row
        for column, value in enumerate(inert_row(values)):
            look = looks[column] if column < len(looks) else None
            if value is None or value == "":  # an empty cell, not an empty text
                self.sheet.write_blank(row, column, None, look)
            elif isinstance(value, str):
                self.sheet.write_string(row, column, value, look)
            elif isinstance(value, date | time):
                self.sheet.write_datetime(row, column, value, look)
            elif isinstance(value, int | float):
                self.sheet.write_number(row, column, value, look)
            else:
                self.sheet.write_string(row, column, str(value), look)
        self.last_row += 1

    def header(self, columns: Sequence[str]) -> None:
        self.write(columns, [self.looks.header] * len(columns))
        for column, name in enumerate(columns):
            self.widths[column] = max(self.widths[column], _width(name))

    def row(self, values: Sequence[object], month: bool = False, percent: bool = False) -> None:
        """A bordered table row: dates and times as such cells, long text wrapped; with `percent`, the last
        column a share shown as a percentage."""
        looks = self.looks
        chosen: list[Format | None] = []
        lines = 1
        for column, value in enumerate(values):
            if isinstance(value, time):
                look, width = looks.time, 8
            elif isinstance(value, date):
                look, width = (looks.month if month else looks.date), 17  # 2025年12月12日
            elif percent and column == len(values) - 1 and isinstance(value, float):
                look, width = looks.percent, 8
            else:
                shown = str(value if value is not None else "")
                width = _width(shown[: WRAPPED_WIDTH + 1])
                look = looks.wrapped if width > WRAPPED_WIDTH else looks.body
                if width > WRAPPED_WIDTH:
                    lines = max(lines, sum(-(-_width(line) // LINE_WIDTH) for line in shown.splitlines()))
            chosen.append(look)
            self.widths[column] = max(self.widths[column], min(width, WRAPPED_WIDTH))
        if lines > 1:  # a wrapped text's lines, all shown: neither Excel nor LibreOffice fits the row on opening
            self.sheet.set_row(self.last_row, min(LINE_HEIGHT * lines, 409))
        self.write(values, chosen)

    def note(self, line: str, width: int) -> None:
        """A line of text under a table, over its width, wrapped."""
        self.sheet.set_row(self.last_row, 48)
        self.sheet.merge_range(self.last_row, 0, self.last_row, max(width, 1) - 1, line, self.looks.note)
        self.last_row += 1

    def finish(self, table_end: int) -> None:
        """Widths; the header frozen and printed on every page, an autofilter over the first table (its last
        row `table_end`, 1-based), landscape A4 one page wide, page numbers in the footer."""
        sheet = self.sheet
        for column, width in self.widths.items():
            sheet.set_column(column, column, max(width, 4) + 2)
        sheet.freeze_panes(HEADER_ROW, 0)
        sheet.autofilter(HEADER_ROW - 1, 0, table_end - 1, max(self.widths))
        sheet.repeat_rows(HEADER_ROW - 1)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)  # one page wide, as many long as it takes
        sheet.center_horizontally()
        sheet.set_footer("&C" + text(self.language, "ledger_sheet.footer"))


@dataclass(frozen=True)
class _Looks:
    """The workbook's cell formats, made once and shared by every cell that looks the same."""

    title: Format
    plain: Format
    header: Format
    body: Format
    wrapped: Format
    note: Format
    date: Format
    time: Format
    month: Format
    percent: Format

    @classmethod
    def of(cls, book: Workbook, language: str) -> _Looks:
        def look(**properties: object) -> Format:
            return book.add_format({"border": 1, "valign": "top", **properties})

        def number(key: str) -> Format:
            return look(num_format=text(language, f"ledger_sheet.{key}"))

        return cls(
            title=book.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"}),
            plain=book.add_format({}),
            header=look(bold=True, bg_color="#D9D9D9", align="center", valign="vcenter", text_wrap=True),
            body=look(),
            wrapped=look(text_wrap=True),
            note=book.add_format({"text_wrap": True, "valign": "top"}),
            date=number("date_format"),
            time=number("time_format"),
            month=number("month_format"),
            percent=look(num_format="0.0%"),
        )


def workbook_bytes(data: LedgerData) -> bytes:
    """The workbook laid out from `data`: CPU work only, safe on a worker thread."""
    language = data.language
    period = period_label(language, data.start, data.last)
    scope_line = text(
        language,
        "ledger_sheet.scope_line",
        scope=data.scope,
        start=data.start.isoformat(),
        last=data.last.isoformat(),
        exported=f"{data.exported:%Y-%m-%d %H:%M}",
    )
    stream = io.BytesIO()
    book = Workbook(stream, {"constant_memory": True})
    looks = _Looks.of(book, language)

    def sheet(key: str, columns: list[str]) -> _Sheet:
        title = text(language, f"ledger_sheet.{key}_title", scope=data.title_scope, period=period)
        made = _Sheet(book, looks, language, key, title, scope_line, len(columns))
        made.header(columns)
        return made

    for key, rows in (("detail", data.detail), ("items", data.items)):
        ledger = sheet(key, header(language, f"{key}_header"))
        for number, row in enumerate(rows, start=1):
            ledger.row([number, *row])
        ledger.finish(ledger.last_row)

    total = text(language, "ledger_sheet.total")
    width = len(data.kinds) + 2
    kinds = [display_name(language, kind) for kind in data.kinds]
    tally = sheet("tally", [text(language, "ledger_sheet.month_header"), *kinds, total])
    for month, counts in data.months:
        tally.row([month, *counts, sum(counts)], month=True)
    column_totals = [sum(counts[index] for _, counts in data.months) for index in range(len(data.kinds))]
    tally.row([total, *column_totals, data.talks])
    months_end = tally.last_row
    for part in data.breakdowns:
        tally.write([])
        tally.header(part.header)
        for label, count, times in part.rows:
            tally.row([label, count, times])
        tally.row([text(language, "ledger_sheet.distinct_total"), data.talks, data.person_times])
        tally.note(part.rule, width)
    tally.finish(months_end)
    _month_chart(book, tally, data, language, months_end)
    if data.annual is not None:
        _annual_sheet(sheet, language, data.annual)
    book.close()
    return stream.getvalue()


def _annual_sheet(sheet: Callable[[str, list[str]], _Sheet], language: str, annual: Annual) -> None:
    """年度账: the plan table (its total and the coverage line the chat gives), then the quota table."""
    plan_columns = header(language, "plan_header")
    ledger = sheet("annual", plan_columns)
    for number, row in enumerate(annual.plan, start=1):
        ledger.row([number, *row])
    ledger.row(annual.plan_total)
    plan_end = ledger.last_row
    ledger.note(annual.plan_note, len(plan_columns))
    ledger.write([])
    ledger.header(header(language, "quota_header"))
    for number, row in enumerate(annual.quotas, start=1):
        ledger.row([number, *row], percent=True)
    ledger.row(annual.quota_total, percent=True)
    if annual.quota_note:
        ledger.note(annual.quota_note, len(plan_columns))
    ledger.finish(plan_end)


def _width(value: str) -> int:
    """Columns a text takes: CJK characters count double."""
    return sum(2 if ord(char) > 0x2E80 else 1 for char in value)


def _month_chart(book: Workbook, tally: _Sheet, data: LedgerData, language: str, months_end: int) -> None:
    """A native Excel chart of the monthly tally under the tables: stacked columns, one series a kind."""
    if not data.months or not data.kinds:
        return
    chart = book.add_chart({"type": "column", "subtype": "stacked"})
    first, last = HEADER_ROW, months_end - 2  # 0-based rows of the months, the total row left out
    for column in range(1, len(data.kinds) + 1):
        chart.add_series(
            {
                "name": [tally.name, HEADER_ROW - 1, column],
                "categories": [tally.name, first, 0, last, 0],
                "values": [tally.name, first, column, last, column],
                "overlap": 100,  # stacked bars sit on each other, not side by side
            }
        )
    chart.set_title({"name": text(language, "ledger_sheet.chart_title")})
    # The months as months, not date serials; whole talks on the value axis of a small tally.
    chart.set_x_axis({"num_format": text(language, "ledger_sheet.month_format")})
    most = max(sum(counts) for _, counts in data.months)
    value_axis = {"name": text(language, "ledger_sheet.chart_axis"), "major_gridlines": {"visible": False}, "min": 0}
    chart.set_y_axis(value_axis | ({"major_unit": 1} if most <= 10 else {}))
    chart.set_size({"width": max(600, 45 * len(data.months) + 230), "height": 340})  # px
    tally.sheet.set_h_pagebreaks([tally.last_row + 1])  # printed on a page of its own, never cut in two
    tally.sheet.insert_chart(tally.last_row + 1, 0, chart)
