"""The ledgers as an Excel file a commission prints, stamps and files: the detail ledger (明细账, one row per person
talked to), the rectification ledger (整改台账, one row per problem found) and the summary ledger (汇总账: month ×
kind with every month of the period, rank levels, units).

Each sheet has a title row, a line with scope, period and time of export, a header repeated on every printed page,
real date and time cells, borders, wrapped long text, frozen panes, an autofilter, landscape A4 fitted to the
page width and page numbers in the footer. The data is read from the database first (`ledger_data`); the
workbook is then built from plain values on a worker thread (`workbook_bytes`), so the event loop keeps serving.
"""

from __future__ import annotations

import asyncio
import io
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.ext.asyncio import AsyncSession

from bot.access import Viewer
from bot.cells import inert_row
from bot.coverage import coverage_of, quotas_of
from bot.i18n import display_name, text
from bot.periods import Period
from bot.question import Question
from bot.services import Services
from bot.summary import breakdown, months_of, scope_of, talk_filter
from storage import people, summary

SOURCE_LANGUAGE = "zh-CN"  # the language of the stored values (formats, channels) and of `talkledger import`


def header(language: str, key: str) -> list[str]:
    return text(language, f"ledger_sheet.{key}").split("|")


DETAIL_HEADER = header(SOURCE_LANGUAGE, "detail_header")
ITEMS_HEADER = header(SOURCE_LANGUAGE, "items_header")
FORMATS = {key: text(SOURCE_LANGUAGE, f"ledger_sheet.{key}") for key in ("individual", "collective")}
CHANNELS = {key: text(SOURCE_LANGUAGE, f"ledger_sheet.{key}") for key in ("face", "video", "phone")}
WRAPPED_WIDTH = 40  # a column of long text (内容, 问题) wraps at this width rather than running off the page
THIN = Side(style="thin")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
HEADER_ROW = 3  # title, scope line, header
HEADER_STYLE, BODY_STYLE, WRAPPED_STYLE = "ledger header", "ledger cell", "ledger long text"
DATE_STYLE, TIME_STYLE, MONTH_STYLE = "ledger date", "ledger time", "ledger month"
PERCENT_STYLE = "ledger percent"


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
    """One ledger sheet being laid out: title and scope rows, bordered tables, widths that fit its cells."""

    def __init__(self, book: Workbook, language: str, key: str, title: str, scope_line: str, width: int) -> None:
        self.language = language
        self.sheet = book.create_sheet(text(language, f"ledger_sheet.{key}"))
        self.widths: dict[int, int] = defaultdict(int)
        self.last_row = 0  # counted here: openpyxl's max_row looks at every cell each time
        for row, line in enumerate((title, scope_line), start=1):
            self.write([line])
            self.sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=max(width, 1))
        self.sheet.cell(1, 1).font = Font(bold=True, size=16)
        self.sheet.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
        self.sheet.row_dimensions[1].height = 28

    def write(self, values: Sequence[object]) -> list[Cell]:
        """A row as it is, its cells."""
        _write(self.sheet, values)
        self.last_row += 1
        return [self.sheet.cell(self.last_row, column) for column in range(1, len(values) + 1)]

    def header(self, columns: Sequence[str]) -> None:
        for cell in self.write(columns):
            cell.style = HEADER_STYLE
            self.widths[cell.column] = max(self.widths[cell.column], _width(str(cell.value or "")))

    def row(self, values: Sequence[object], date_style: str = DATE_STYLE) -> list[Cell]:
        """A bordered table row: dates and times as such cells, long text wrapped. Named styles, set by name:
        setting border, format and alignment one by one on every cell is what made 5,000 talks take 18 s."""
        cells = self.write(values)
        for cell in cells:
            value = cell.value
            if isinstance(value, time):
                cell.style, width = TIME_STYLE, 8
            elif isinstance(value, date):
                cell.style, width = date_style, 14
            else:
                width = _width(str(value or "")[: WRAPPED_WIDTH + 1])
                cell.style = WRAPPED_STYLE if width > WRAPPED_WIDTH else BODY_STYLE
            self.widths[cell.column] = max(self.widths[cell.column], min(width, WRAPPED_WIDTH))
        return cells

    def note(self, line: str, width: int) -> None:
        """A line of text under a table, over its width, wrapped."""
        self.write([line])
        row = self.last_row
        self.sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=max(width, 1))
        self.sheet.cell(row, 1).alignment = Alignment(wrap_text=True, vertical="top")
        self.sheet.row_dimensions[row].height = 48

    def finish(self, table_end: int) -> None:
        """Widths; the header frozen and printed on every page, an autofilter over the first table, landscape
        A4 one page wide, page numbers in the footer."""
        sheet = self.sheet
        for column, width in self.widths.items():
            sheet.column_dimensions[get_column_letter(column)].width = max(width, 4) + 2
        sheet.freeze_panes = f"A{HEADER_ROW + 1}"
        sheet.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(max(self.widths))}{table_end}"
        sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0  # as many pages long as it takes
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.print_options.horizontalCentered = True
        sheet.oddFooter.center.text = text(self.language, "ledger_sheet.footer")


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
    book = Workbook()
    _add_styles(book, language)

    def sheet(key: str, columns: list[str]) -> _Sheet:
        title = text(language, f"ledger_sheet.{key}_title", scope=data.title_scope, period=period)
        made = _Sheet(book, language, key, title, scope_line, len(columns))
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
        tally.row([month, *counts, sum(counts)], date_style=MONTH_STYLE)
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
    _month_chart(tally.sheet, data, language, months_end, tally.last_row)
    if data.annual is not None:
        _annual_sheet(sheet, language, data.annual)
    book.remove(book.worksheets[0])  # the empty default sheet
    stream = io.BytesIO()
    book.save(stream)
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
        _shares(ledger.row([number, *row]))
    _shares(ledger.row(annual.quota_total))
    if annual.quota_note:
        ledger.note(annual.quota_note, len(plan_columns))
    ledger.finish(plan_end)


def _shares(cells: list[Cell]) -> None:
    """The last column of a quota row is a share of the quota: shown as a percentage."""
    if isinstance(cells[-1].value, float):
        cells[-1].style = PERCENT_STYLE


def _width(value: str) -> int:
    """Columns a text takes: CJK characters count double."""
    return sum(2 if ord(char) > 0x2E80 else 1 for char in value)


def _add_styles(book: Workbook, language: str) -> None:
    def style(name: str, **looks: object) -> NamedStyle:
        made = NamedStyle(name=name, border=BORDER, **looks)  # type: ignore[arg-type]
        book.add_named_style(made)
        return made

    style(HEADER_STYLE, font=Font(bold=True), fill=HEADER_FILL, alignment=Alignment("center", "center", wrap_text=True))
    style(BODY_STYLE, alignment=Alignment(vertical="top"))
    style(WRAPPED_STYLE, alignment=Alignment(vertical="top", wrap_text=True))
    style(PERCENT_STYLE, number_format="0.0%", alignment=Alignment(vertical="top"))
    for name, key in ((DATE_STYLE, "date_format"), (TIME_STYLE, "time_format"), (MONTH_STYLE, "month_format")):
        style(name, number_format=text(language, f"ledger_sheet.{key}"), alignment=Alignment(vertical="top"))


def _month_chart(sheet: Worksheet, data: LedgerData, language: str, months_end: int, last_row: int) -> None:
    """A native Excel chart of the monthly tally under the tables: stacked columns, one series a kind."""
    if not data.months or not data.kinds:
        return
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "stacked"
    chart.overlap = 100  # stacked bars sit on each other, not side by side
    chart.title = text(language, "ledger_sheet.chart_title")
    chart.y_axis.title = text(language, "ledger_sheet.chart_axis")
    chart.y_axis.majorGridlines = None
    series = Reference(sheet, min_col=2, max_col=len(data.kinds) + 1, min_row=HEADER_ROW, max_row=months_end - 1)
    chart.add_data(series, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=HEADER_ROW + 1, max_row=months_end - 1))
    chart.height, chart.width = 9, max(16, 1.2 * len(data.months) + 6)  # cm
    sheet.add_chart(chart, f"A{last_row + 2}")


def _write(sheet: Worksheet, row: Sequence[object]) -> None:
    """One row; a text that a spreadsheet would take for a formula (a topic typed as =HYPERLINK(…)) stays text."""
    sheet.append(inert_row(row))
