"""The ledgers as an Excel file: the detail ledger (明细账, every field of every talk counted) and the summary
ledger (汇总账: month × kind, rank levels, units), Chinese headers, frozen header row, columns that fit."""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.ext.asyncio import AsyncSession

from bot.access import Viewer
from bot.cells import inert_row
from bot.i18n import text
from bot.question import Question
from bot.services import Services
from bot.summary import breakdown, months_of, talk_filter
from storage import people, summary

DETAIL_HEADER = [
    "台账编号",
    "日期",
    "时间",
    "类型",
    "形式",
    "方式",
    "被约谈人",
    "单位",
    "级别",
    "人次",
    "地点",
    "主题",
    "内容",
    "主谈人",
    "参加人",
    "问题数",
    "登记人",
]
FORMATS = {"individual": "个人", "collective": "集体"}
CHANNELS = {"face": "面谈", "video": "视频", "phone": "电话"}


async def ledger_workbook(session: AsyncSession, services: Services, viewer: Viewer, question: Question) -> bytes:
    zone = services.config.organisation.zone
    where = await talk_filter(session, services, viewer, question)
    talks, _ = await summary.talks_matching(session, where, 0, 10_000_000)
    book = Workbook()
    detail = book.active
    assert detail is not None
    detail.title = "明细账"
    _write(detail, DETAIL_HEADER)
    names: dict[int, str] = {}

    async def name(person_id: int) -> str:
        if person_id not in names:
            person = await people.person_by_id(session, person_id)
            names[person_id] = person.name if person else ""
        return names[person_id]

    for talk in reversed(talks):  # oldest first, as a ledger is kept
        local = talk.held_at.astimezone(zone)
        subjects = [p for p in talk.participants if p.role == "subject"]
        _write(
            detail,
            [
                talk.ledger_no,
                local.strftime("%Y-%m-%d"),
                local.strftime("%H:%M") if talk.time_known else "",
                talk.kind,
                FORMATS.get(talk.format, talk.format),
                CHANNELS.get(talk.channel, talk.channel),
                "、".join(p.person.name for p in subjects),
                "、".join(dict.fromkeys(p.person.unit.path for p in subjects)),
                "、".join(p.rank_level for p in subjects),
                len(subjects),
                talk.place,
                talk.topic,
                talk.content,
                await name(talk.lead_id),
                "、".join(p.person.name for p in talk.participants if p.role == "attendee"),
                sum(1 for item in talk.items if item.kind == "problem"),
                await name(talk.logged_by_id),
            ],
        )
    _finish(detail)

    tally = book.create_sheet("汇总账")
    kinds = list(services.config.organisation.talk_kinds)
    per_month: dict[str, dict[str, int]] = {month: defaultdict(int) for month in months_of(where, zone)}
    for talk in talks:
        per_month.setdefault(talk.held_at.astimezone(zone).strftime("%Y-%m"), defaultdict(int))[talk.kind] += 1
    extra = sorted({kind for counts in per_month.values() for kind in counts} - set(kinds))
    _write(tally, ["月份", *kinds, *extra, "合计"])
    for month in sorted(per_month):
        counts = per_month[month]
        _write(tally, [month, *(counts.get(k, 0) for k in [*kinds, *extra]), sum(counts.values())])
    _write(tally, ["合计", *(sum(per_month[m].get(k, 0) for m in per_month) for k in [*kinds, *extra]), len(talks)])
    person_times = sum(sum(1 for p in talk.participants if p.role == "subject") for talk in talks)
    # Rank levels and units as the bot's answers count them: a talk reaching several counts once in each, which
    # the note under each table says, with the distinct total.
    for title, dimension, rule in (("级别", "rank", "stats.by_rank_rule"), ("单位", "unit", "stats.by_unit_rule")):
        rows = await breakdown(session, services, where, dimension, viewer)
        _write(tally, [])
        _write(tally, [title, "次数", "人次"])
        for label, count, times in rows:
            _write(tally, [label, count, times])
        _write(tally, ["不重复合计", len(talks), person_times])
        _write(tally, [text("zh-CN", rule, sum=sum(r[1] for r in rows), talks=len(talks), person_times=person_times)])
    _finish(tally)
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def _write(sheet: Worksheet, row: Sequence[object]) -> None:
    """One row; a text that a spreadsheet would take for a formula (a topic typed as =HYPERLINK(…)) stays text."""
    sheet.append(inert_row(row))


def _finish(sheet: Worksheet) -> None:
    """Bold, frozen header; each column as wide as its longest cell (CJK characters count double)."""
    sheet.freeze_panes = "A2"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths: dict[str, int] = {}
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is not None:
                value = str(cell.value)
                width = sum(2 if ord(char) > 0x2E80 else 1 for char in value)
                widths[cell.column_letter] = max(widths.get(cell.column_letter, 0), min(width, 60))
    for letter, width in widths.items():
        sheet.column_dimensions[letter].width = width + 2


def rows_of(sheet: Worksheet) -> Sequence[Sequence[object]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]
