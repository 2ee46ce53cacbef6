"""Bringing past talks in: `talkledger import FILE` reads the detail sheet's columns (as `export` writes them,
or as a commission keeps them by hand: text dates 2025年3月5日, date cells, several people in one row).

All or nothing: a file with any bad row imports nothing and every bad row is reported. A row whose ledger
number is already in the ledger is skipped, so importing the same file twice adds nothing. People talked to
are matched on the roster by unit and name; those not there are added as un-enrolled entries.

Long because ledger files come in many hand-made shapes (date cells and text dates, merged headers, GBK
CSV, formulas), each refused with the row and column that is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import LANGUAGES, Config
from bot.i18n import stored_names, text
from bot.ledgers.export import CHANNELS, FORMATS, SOURCE_LANGUAGE, header
from bot.roster.files import RosterFileError, RowError
from storage import audit, people, talks
from storage.models import Person, RectificationItem, Talk, TalkParticipant

NAMES = "、"
ITEMS_SHEETS = tuple(text(language, "ledger_sheet.items") for language in LANGUAGES)  # 整改台账, Rectification
NAME_ALONE = {"姓名": "被约谈人", "name": "被约谈人"}  # under a merged 被约谈人 group, the person's name column


@dataclass(frozen=True)
class LedgerRow:
    row: int
    ledger_no: str
    held: datetime  # local, naive
    time_known: bool
    kind: str
    format: str
    channel: str
    subjects: tuple[tuple[str, str, str], ...]  # (name, unit path, rank level)
    place: str
    topic: str
    content: str
    lead: str
    logged_by: str


ITEM_REQUIRED = ("台账编号", "问题", "整改时限", "责任人", "状态")
ITEM_STATES = {"open": "open", "overdue": "open", "awaiting": "awaiting", "closed": "closed"}  # shown → stored


@dataclass(frozen=True)
class ItemRow:
    """A rectification item of the 整改台账 sheet, for the talk of its ledger number."""

    row: int
    ledger_no: str
    problem: str
    measure: str
    deadline: date
    responsible: tuple[str, ...]  # the responsible person, and a second one if named
    state: str  # open | awaiting | closed
    closed: date | None


REQUIRED = ("台账编号", "日期", "类型", "被约谈人", "单位", "级别", "主题", "主谈人")
# What makes a talk: rows of the same ledger number (one row a person talked to) must agree on these.
TALK_COLUMNS = ("日期", "时间", "类型", "形式", "方式", "地点", "主题", "内容", "主谈人", "参加人", "登记人")
HEADER_SEARCH = 20  # title and scope lines above the header: the header is the first row naming 台账编号
EARLIEST = date(2000, 1, 1)
DAY = re.compile(
    r"^(\d{4})\s*(?:[-./／年])\s*(\d{1,2})\s*(?:[-./／月])\s*(\d{1,2})\s*日?(?:\s+(\d{1,2}:\d{2})(?::\d{2})?)?$"
)
TIME = re.compile(r"^(\d{1,2})\s*[:：时]\s*(\d{2})?(?::\d{2})?\s*分?$")


def parse_day(value: str) -> tuple[date, time | None] | None:
    """2025-03-05, 2025年3月5日, 2025.3.5, 2025/3/5 (a date cell's 2025-03-05 15:00 too) → (day, time if given)."""
    found = DAY.match(value.strip())
    if found is None:
        return None
    try:
        day = date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        return None
    return day, parse_time(found[4]) if found[4] else None


def parse_time(value: str) -> time | None:
    """15:00, 15:00:00, 15时30分, 9时."""
    found = TIME.match(value.strip())
    if found is None or int(found[1]) > 23 or (found[2] and int(found[2]) > 59):
        return None
    return time(int(found[1]), int(found[2] or 0))


def _header_names(key: str = "detail_header") -> dict[str, str]:
    """Header text as written (either language's export, or the Chinese names) → the Chinese column name."""
    chinese = header(SOURCE_LANGUAGE, key)
    names = {name: name for name in chinese}
    for language in LANGUAGES:
        names.update(zip(header(language, key), chinese, strict=True))
    return names


def _header_start(table: Sequence[Sequence[str]], names_of: dict[str, str]) -> int:
    """The header row: the first (of the first 20) naming 台账编号, so title lines above it are fine."""
    for index, cells in enumerate(table[:HEADER_SEARCH]):
        if "台账编号" in {names_of.get(cell.strip()) for cell in cells}:
            return index
    if not any(any(cell.strip() for cell in cells) for cells in table):
        raise RosterFileError("roster_file.error.empty")
    raise RosterFileError("roster_file.error.header", missing="台账编号")


def _merged_header(table: Sequence[Sequence[str]], start: int, names_of: dict[str, str]) -> tuple[list[str], int]:
    """(column names, index of the first data row). A hand-kept ledger often has a header of two rows with merged
    cells: 被约谈人 over 姓名 | 单位 | 级别, 约谈时间 over 日期 | 时间, 序号 over both rows. A merged cell's text is
    in its first cell only, so a blank is the group on its left; a name in the second row is the column's name,
    a bare 姓名 (name) under a group being that group's."""
    top = [cell.strip() for cell in table[start]]
    below = [cell.strip() for cell in table[start + 1]] if start + 1 < len(table) else []
    known = [names_of.get(cell) or NAME_ALONE.get(cell.lower()) for cell in below]
    ledger_no = top.index(next(c for c in top if names_of.get(c) == "台账编号"))
    if not any(known) or (ledger_no < len(below) and below[ledger_no]):  # data: a ledger number in its column
        return [names_of.get(cell, cell) for cell in top], start + 1
    header, group = [], ""
    for index in range(max(len(top), len(below))):
        heading = top[index] if index < len(top) else ""
        group = heading or group
        sub = below[index] if index < len(below) else ""
        if not sub:
            header.append(names_of.get(heading, heading))
        elif sub.lower() in NAME_ALONE:
            header.append(names_of.get(group, NAME_ALONE[sub.lower()]))
        else:
            header.append(names_of.get(sub, sub))
    return header, start + 2


def parse_ledger(
    table: Sequence[Sequence[str]], config: Config, today: date | None = None
) -> tuple[list[LedgerRow], list[RowError]]:
    """Rows of the detail ledger as `export` writes them (one row a person talked to, the rows of one talk
    sharing its ledger number) or as kept by hand (several people in one row, separated by 、)."""
    names_of = _header_names()
    start = _header_start(table, names_of)
    header, first = _merged_header(table, start, names_of)
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise RosterFileError("roster_file.error.header", missing="、".join(missing))
    formats = {text(language, f"ledger_sheet.{key}"): key for language in LANGUAGES for key in FORMATS}
    channels = {text(language, f"ledger_sheet.{key}"): key for language in LANGUAGES for key in CHANNELS}
    kinds = stored_names(config.organisation.talk_kinds)  # an English export names them in English
    levels = stored_names(config.organisation.rank_levels)
    rows: dict[str, LedgerRow] = {}
    first_row: dict[str, tuple[int, dict[str, str]]] = {}
    errors: list[RowError] = []
    for number, cells in enumerate(table[first:], start=first + 1):
        value = {name: (cells[i].strip() if i < len(cells) and cells[i] else "") for i, name in enumerate(header)}
        if not any(value.values()):
            continue

        def bad(column: str, reason: str, row: int = number, **detail: str | int) -> None:
            errors.append(RowError(row, column, reason, detail))

        for column in REQUIRED:
            if not value.get(column):
                bad(column, "roster_file.error.required")
        held = None
        day = parse_day(value.get("日期", ""))
        at = parse_time(value["时间"]) if value.get("时间") else None
        if value.get("时间") and at is None:
            bad("时间", "ledger.error.time")
        elif day is None:
            if value.get("日期"):
                bad("日期", "ledger.error.date")
        elif day[0] < EARLIEST or (today is not None and day[0] > today):
            bad("日期", "ledger.error.date_range", earliest=EARLIEST.isoformat(), today=str(today or ""))
        else:
            at = at or day[1]
            held = datetime.combine(day[0], at or time(0, 0))
        if value.get("类型") and value["类型"] not in kinds:
            bad("类型", "ledger.error.kind", allowed="、".join(config.organisation.talk_kinds))
        if value.get("形式") and value["形式"] not in formats:
            bad("形式", "ledger.error.choice", allowed="、".join(FORMATS.values()))
        if value.get("方式") and value["方式"] not in channels:
            bad("方式", "ledger.error.choice", allowed="、".join(CHANNELS.values()))
        names = [n.strip() for n in value.get("被约谈人", "").split(NAMES) if n.strip()]
        units = [u.strip() for u in value.get("单位", "").split(NAMES) if u.strip()]
        ranks = [levels.get(r.strip(), r.strip()) for r in value.get("级别", "").split(NAMES) if r.strip()]
        units = units * len(names) if len(units) == 1 else units
        ranks = ranks * len(names) if len(ranks) == 1 else ranks
        if names and (len(units) != len(names) or len(ranks) != len(names)):
            bad("单位", "ledger.error.counts", people=len(names))
        if any(rank not in config.organisation.rank_levels for rank in ranks):
            bad("级别", "roster_file.error.rank_level", allowed="、".join(config.organisation.rank_levels))
        if value.get("人次") and value["人次"] != str(len(names)):
            bad("人次", "ledger.error.person_times", people=len(names))  # the anti-padding check
        if len(value.get("主题", "")) > 200:
            bad("主题", "roster_file.error.too_long", limit=200)
        ledger_no = value.get("台账编号", "")
        earlier = first_row.get(ledger_no)
        if earlier is not None:
            # Another person of a talk already begun: the talk's own columns must be the same.
            other, talk_values = earlier
            for column in TALK_COLUMNS:
                if column in header and value.get(column, "") != talk_values.get(column, ""):
                    bad(column, "ledger.error.same_talk", other=other)
        else:
            first_row[ledger_no] = (number, value)
        if held is None or any(error.row == number for error in errors):
            continue
        subjects = tuple(zip(names, units, ranks, strict=True))
        if ledger_no in rows:
            talk = rows[ledger_no]
            repeated = {(name, unit) for name, unit, _ in talk.subjects} & {(name, unit) for name, unit, _ in subjects}
            if repeated:
                bad("被约谈人", "roster_file.error.duplicate", other=talk.row)
                continue
            rows[ledger_no] = replace(talk, subjects=talk.subjects + subjects)
            continue
        rows[ledger_no] = LedgerRow(
            row=number,
            ledger_no=ledger_no,
            held=held,
            time_known=at is not None,
            kind=kinds[value["类型"]],
            format=formats.get(value.get("形式", ""), ""),
            channel=channels.get(value.get("方式", ""), "face"),
            subjects=subjects,
            place=value.get("地点", "")[:100],
            topic=value["主题"],
            content=value.get("内容", "")[:2000],
            lead=value["主谈人"],
            logged_by=value.get("登记人") or value["主谈人"],
        )
    # A talk without a stated 形式 is collective when it reached several people.
    talks = [
        row if row.format else replace(row, format="collective" if len(row.subjects) > 1 else "individual")
        for row in rows.values()
    ]
    return talks, errors


def parse_items(table: Sequence[Sequence[str]], talks: Sequence[LedgerRow]) -> tuple[list[ItemRow], list[RowError]]:
    """The 整改台账 sheet as `export` writes it: one row a problem, under the ledger number of a talk in the
    detail sheet. Errors name the sheet with the column."""
    names_of = _header_names("items_header")
    sheet = text(SOURCE_LANGUAGE, "ledger_sheet.items")
    start = _header_start(table, names_of)
    header = [names_of.get(cell.strip(), cell.strip()) for cell in table[start]]
    missing = [name for name in ITEM_REQUIRED if name not in header]
    if missing:
        raise RosterFileError("roster_file.error.header", missing="、".join(f"{sheet}·{name}" for name in missing))
    states = {
        text(language, f"item.state.{shown}"): stored for language in LANGUAGES for shown, stored in ITEM_STATES.items()
    }
    numbers = {talk.ledger_no for talk in talks}
    items: list[ItemRow] = []
    errors: list[RowError] = []
    for number, cells in enumerate(table[start + 1 :], start=start + 2):
        value = {name: (cells[i].strip() if i < len(cells) and cells[i] else "") for i, name in enumerate(header)}
        if not any(value.values()):
            continue
        found = len(errors)

        def bad(column: str, reason: str, row: int = number, **detail: str | int) -> None:
            errors.append(RowError(row, f"{sheet}·{column}", reason, detail))

        for column in ITEM_REQUIRED:
            if not value.get(column):
                bad(column, "roster_file.error.required")
        if value.get("台账编号") and value["台账编号"] not in numbers:
            bad("台账编号", "ledger.error.item_talk", ledger_no=value["台账编号"])
        deadline = parse_day(value.get("整改时限", ""))
        if value.get("整改时限") and deadline is None:
            bad("整改时限", "ledger.error.date")
        closed = parse_day(value["销号日期"]) if value.get("销号日期") else None
        if value.get("销号日期") and closed is None:
            bad("销号日期", "ledger.error.date")
        if value.get("状态") and value["状态"] not in states:
            bad(
                "状态",
                "ledger.error.choice",
                allowed="、".join(text(SOURCE_LANGUAGE, f"item.state.{s}") for s in ITEM_STATES),
            )
        responsible = tuple(name.strip() for name in value.get("责任人", "").split(NAMES) if name.strip())
        if len(responsible) > 2:
            bad("责任人", "ledger.error.responsible")
        if len(errors) > found or deadline is None:
            continue
        items.append(
            ItemRow(
                row=number,
                ledger_no=value["台账编号"],
                problem=value["问题"][:500],
                measure=value.get("整改措施", "")[:500],
                deadline=deadline[0],
                responsible=responsible,
                state=states[value["状态"]],
                closed=closed[0] if closed and states[value["状态"]] == "closed" else None,
            )
        )
    return items, errors


async def import_ledger(
    session: AsyncSession,
    rows: Iterable[LedgerRow],
    config: Config,
    now: datetime,
    items: Sequence[ItemRow] = (),
) -> tuple[int, int, list[RowError]]:
    """(added, already there, errors) — the caller rolls back when there are errors. A talk already there keeps
    its items as they are."""
    zone = config.organisation.zone
    added = skipped = 0
    errors: list[RowError] = []
    items_of: dict[str, list[ItemRow]] = {}
    for item in items:
        items_of.setdefault(item.ledger_no, []).append(item)
    for row in rows:
        if await session.scalar(select(Talk.id).where(Talk.ledger_no == row.ledger_no)):
            skipped += 1
            continue
        lead = await _one_named(session, row.lead)
        logged_by = await _one_named(session, row.logged_by)
        if lead is None:
            errors.append(RowError(row.row, "主谈人", "ledger.error.person", {"name": row.lead}))
            continue
        participants = []
        for name, unit_path, rank in row.subjects:
            person = await people.find_or_add(session, name=name, unit_path=unit_path, rank_level=rank, now=now)
            participants.append(
                TalkParticipant(person_id=person.id, role="subject", rank_level=rank, unit_id=person.unit_id)
            )
        session.add(
            Talk(
                ledger_no=row.ledger_no,
                kind=row.kind,
                format=row.format,
                channel=row.channel,
                held_at=row.held.replace(tzinfo=zone),
                time_known=row.time_known,
                place=row.place,
                topic=row.topic,
                content=row.content,
                lead_id=lead.id,
                logged_by_id=(logged_by or lead).id,
                deleted=False,
                created_at=now,
                updated_at=now,
                participants=participants,
                items=await _items(session, items_of.get(row.ledger_no, []), lead, zone, now, errors),
                attachments=[],
            )
        )
        year, _, serial = row.ledger_no.partition("-")
        if year.isdigit() and serial.isdigit():
            await talks.bump_ledger_counter(session, int(year), int(serial))
        added += 1
    if not errors:
        audit.record(session, at=now, actor="cli", action="ledger.import", added=added, skipped=skipped)
    return added, skipped, errors


async def _items(
    session: AsyncSession, rows: Sequence[ItemRow], lead: Person, zone: ZoneInfo, now: datetime, errors: list[RowError]
) -> list[RectificationItem]:
    """A talk's items, numbered in the sheet's order; reminders are planned from now on, not for the past."""
    sheet = text(SOURCE_LANGUAGE, "ledger_sheet.items")
    made = []
    for number, row in enumerate(rows, start=1):
        responsible = [await _one_named(session, name) for name in row.responsible]
        if any(person is None for person in responsible):
            name = next(name for name, person in zip(row.responsible, responsible, strict=True) if person is None)
            errors.append(RowError(row.row, f"{sheet}·责任人", "ledger.error.person", {"name": name}))
            continue
        found = [person for person in responsible if person is not None]
        closed = datetime.combine(row.closed, time(0, 0), tzinfo=zone) if row.closed else None
        made.append(
            RectificationItem(
                number=number,
                problem=row.problem,
                measure=row.measure,
                deadline=row.deadline,
                responsible_id=found[0].id,
                second_responsible_id=found[1].id if len(found) > 1 else None,
                state=row.state,
                created_at=now,
                kind="problem",
                closed_at=closed,
                closed_by_id=lead.id if closed else None,
                planned_from=now,
            )
        )
    return made


async def _one_named(session: AsyncSession, name: str) -> Person | None:
    found = [person for person in await people.people_within(session, None, name) if person.name == name]
    return found[0] if len(found) == 1 else None
