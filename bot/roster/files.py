"""Roster files (.csv, .xlsx): read, validate all or nothing, import, export.

Matching rule on re-import: a row with an 编号/id matches the person with that roster id (so a person can
move units); a row without one matches the person with the same unit path and name. Matched people are
updated, unmatched rows are added, and people missing from the file are left as they are.

Long because a roster file is read, checked cell by cell (each refusal naming row and column), imported and
written back in one format; the parts share the column table.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bot.ledgers.cells import inert_row, restored
from bot.roster.access import ROLE_ALIASES, Role
from storage import audit, people
from storage.models import Person

# Column → the header names accepted for it; the first is what export writes.
COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("编号", "id"),
    "unit": ("单位", "unit"),
    "name": ("姓名", "name"),
    "position": ("职务", "position"),
    "rank_level": ("级别", "rank_level", "rank level", "rank"),
    "roles": ("角色", "roles"),
    "every": ("约谈频次", "talk_every"),
    "quota": ("约谈指标", "quota"),
    "wecom": ("企业微信账号", "wecom_user_id", "wecom"),  # the member's corp UserID: links them in WeCom, no invite
}
WECOM_USER_ID = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")  # WeCom's UserID: letters, digits and _ . @ -
# The annual ledger's columns: how often someone must be talked to (每半年), how many talks they must hold (10/月).
EVERY = {"每月": "month", "每季度": "quarter", "每半年": "half", "每年": "year"}
EVERY_WORDS = {**EVERY, **{value: value for value in EVERY.values()}}
PER = {"月": "month", "季度": "quarter", "半年": "half", "年": "year"}
QUOTA = re.compile(
    r"^(\d{1,4})\s*(?:次)?\s*/\s*(月|季度|半年|年|month|quarter|half|year)$|^每(月|季度|半年|年)\s*(\d{1,4})\s*次?$"
)
REQUIRED = ("unit", "name", "rank_level")
LIMITS = {"unit": 500, "name": 64, "position": 128, "unit_segment": 100}
ROLE_SEPARATORS = re.compile(r"[,;，；、\s]+")


@dataclass(frozen=True)
class RowError:
    """A bad cell: `reason` is a catalog key, `detail` fills it in."""

    row: int
    column: str
    reason: str
    detail: dict[str, str | int] = field(default_factory=dict)


@dataclass(frozen=True)
class RosterRow:
    row: int
    person_id: int | None
    unit: str
    name: str
    position: str
    rank_level: str
    roles: tuple[tuple[Role, str], ...]  # (role, scope unit path)
    talk_every: str = ""
    quota: tuple[int, str] | None = None
    wecom_user_id: str = ""


@dataclass(frozen=True)
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: tuple[RowError, ...] = ()


class RosterFileError(Exception):
    """The file as a whole cannot be read (format, header); `reason` is a catalog key."""

    def __init__(self, reason: str, **detail: str) -> None:
        super().__init__(reason)
        self.reason, self.detail = reason, detail


def read_table(path: Path) -> list[list[str]]:
    """The file's rows as text cells, header first: dates as 2025-03-05, times as 15:00, a formula as its saved
    value. A CSV may be UTF-8 or GB18030 (GBK), as Excel saves it on a Chinese Windows."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        text = _decoded(path.read_bytes())
        return [[restored(cell) for cell in row] for row in csv.reader(io.StringIO(text))]
    if suffix == ".xlsx":
        return _xlsx_rows(path) or []
    raise RosterFileError("roster_file.error.format", suffix=suffix or path.name)


def read_sheet(path: Path, names: Sequence[str]) -> list[list[str]] | None:
    """The rows of the workbook's first sheet named one of `names`, as `read_table` reads them; None when the
    file has no such sheet (or is a CSV, which has one table only)."""
    return _xlsx_rows(path, names) if path.suffix.lower() == ".xlsx" else None


def _decoded(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RosterFileError("roster_file.error.encoding")


def _xlsx_rows(path: Path, names: Sequence[str] | None = None) -> list[list[str]] | None:
    import zipfile  # noqa: PLC0415
    from xml.etree.ElementTree import ParseError  # noqa: PLC0415

    from openpyxl.utils.exceptions import InvalidFileException  # noqa: PLC0415

    try:
        return _xlsx_table(path, names)
    except FileNotFoundError:
        raise
    # What a damaged or foreign file makes openpyxl raise, while opening or while reading the rows.
    except (zipfile.BadZipFile, InvalidFileException, ParseError, KeyError, ValueError, TypeError, OSError) as error:
        raise RosterFileError("roster_file.error.corrupt", name=path.name) from error


def _xlsx_table(path: Path, names: Sequence[str] | None) -> list[list[str]] | None:
    import openpyxl  # noqa: PLC0415  (heavy: loaded when a spreadsheet is read)
    from openpyxl.utils import get_column_letter  # noqa: PLC0415

    # Twice: the saved values, and the formulas to tell a formula without a saved value from an empty cell.
    values = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        chosen = [sheet.title for sheet in values.worksheets if names is None or sheet.title in names][:1]
        if not chosen:
            return None
        formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
        try:
            table: list[list[str]] = []
            rows = zip(
                values[chosen[0]].iter_rows(values_only=True),
                formulas[chosen[0]].iter_rows(values_only=True),
                strict=False,
            )
            for number, (saved, written) in enumerate(rows, start=1):
                for column, (value, formula) in enumerate(zip(saved, written, strict=False), start=1):
                    if value is None and isinstance(formula, str) and formula.startswith("="):
                        raise RosterFileError("roster_file.error.formula", cell=f"{get_column_letter(column)}{number}")
                table.append([_cell_text(value) for value in saved])
            return table
        finally:
            formulas.close()
    finally:
        values.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return f"{value:%H:%M}"
    if isinstance(value, timedelta):  # a duration cell, as a time of day when under a day
        return f"{value.seconds // 3600:02d}:{value.seconds % 3600 // 60:02d}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return restored(str(value))


def parse_rows(table: Sequence[Sequence[str]], rank_levels: Sequence[str]) -> tuple[list[RosterRow], list[RowError]]:
    """Validate every row; the import goes ahead only when the error list is empty."""
    if not table:
        raise RosterFileError("roster_file.error.empty")
    header = [cell.strip().lower() for cell in table[0]]
    positions: dict[str, int] = {}
    for column, names in COLUMNS.items():
        for index, cell in enumerate(header):
            if cell in names:
                positions[column] = index
    missing = [COLUMNS[column][0] for column in REQUIRED if column not in positions]
    if missing:
        raise RosterFileError("roster_file.error.header", missing="、".join(missing))

    rows: list[RosterRow] = []
    errors: list[RowError] = []
    seen: dict[tuple[str, str] | int, int] = {}
    seen_wecom: dict[str, int] = {}
    for number, cells in enumerate(table[1:], start=2):
        values = {
            column: (cells[index].strip() if index < len(cells) and cells[index] else "")
            for column, index in positions.items()
        }
        if not any(values.values()):
            continue  # blank lines in spreadsheets are common and harmless
        row_errors = _check_row(number, values, rank_levels)
        key: tuple[str, str] | int = (
            int(values["id"]) if values.get("id", "").isdigit() else (_unit_path(values["unit"]), values["name"])
        )
        if key in seen:
            row_errors.append(RowError(number, COLUMNS["name"][0], "roster_file.error.duplicate", {"other": seen[key]}))
        seen.setdefault(key, number)
        if wecom := values.get("wecom"):
            if wecom in seen_wecom:
                row_errors.append(
                    RowError(number, COLUMNS["wecom"][0], "roster_file.error.duplicate", {"other": seen_wecom[wecom]})
                )
            seen_wecom.setdefault(wecom, number)
        if row_errors:
            errors.extend(row_errors)
            continue
        rows.append(
            RosterRow(
                row=number,
                person_id=int(values["id"]) if values.get("id") else None,
                unit=_unit_path(values["unit"]),
                name=values["name"],
                position=values.get("position", ""),
                rank_level=values["rank_level"],
                roles=_parse_roles(values.get("roles", ""), _unit_path(values["unit"])) or (),
                talk_every=EVERY_WORDS.get(values.get("every", ""), ""),
                quota=_parse_quota(values.get("quota", "")),
                wecom_user_id=values.get("wecom", ""),
            )
        )
    return rows, errors


def _unit_path(text: str) -> str:
    return "/".join(part.strip() for part in re.split(r"[/／]", text))


def _check_row(number: int, values: dict[str, str], rank_levels: Sequence[str]) -> list[RowError]:
    errors: list[RowError] = []

    def bad(column: str, reason: str, **detail: str | int) -> None:
        errors.append(RowError(number, COLUMNS[column][0], reason, detail))

    if values.get("id") and not values["id"].isdigit():
        bad("id", "roster_file.error.id")
    unit = _unit_path(values.get("unit", ""))
    if not values.get("unit"):
        bad("unit", "roster_file.error.required")
    elif len(unit) > LIMITS["unit"] or any(not part or len(part) > LIMITS["unit_segment"] for part in unit.split("/")):
        bad("unit", "roster_file.error.unit", limit=LIMITS["unit_segment"])
    for column in ("name", "position"):
        if len(values.get(column, "")) > LIMITS[column]:
            bad(column, "roster_file.error.too_long", limit=LIMITS[column])
    if not values.get("name"):
        bad("name", "roster_file.error.required")
    if not values.get("rank_level"):
        bad("rank_level", "roster_file.error.required")
    elif values["rank_level"] not in rank_levels:
        bad("rank_level", "roster_file.error.rank_level", allowed="、".join(rank_levels))
    if values.get("every") and values["every"] not in EVERY_WORDS:
        bad("every", "roster_file.error.every", allowed="、".join(EVERY))
    if values.get("quota") and _parse_quota(values["quota"]) is None:
        bad("quota", "roster_file.error.quota")
    if values.get("wecom") and not WECOM_USER_ID.match(values["wecom"]):
        bad("wecom", "roster_file.error.wecom")
    if _parse_roles(values.get("roles", ""), unit) is None:
        bad("roles", "roster_file.error.roles", allowed=", ".join(role.value for role in Role))
    return errors


def _parse_quota(text: str) -> tuple[int, str] | None:
    """ "10/月" or "每月10次" → (10, "month")."""
    found = QUOTA.match(text.strip())
    if found is None:
        return None
    count, per = (found[1], found[2]) if found[1] else (found[4], found[3])
    return int(count), PER.get(per, per)


def _quota_text(count: int | None, per: str) -> str:
    names = {value: key for key, value in PER.items()}
    return f"{count}/{names.get(per, per)}" if count else ""


def _parse_roles(text: str, own_unit: str) -> tuple[tuple[Role, str], ...] | None:
    """`leader, commission@兰州市` → ((leader, own unit), (commission, 兰州市)); None when unreadable."""
    grants: list[tuple[Role, str]] = []
    for token in filter(None, ROLE_SEPARATORS.split(text)):
        name, _, scope = token.partition("@")
        role = ROLE_ALIASES.get(name) or next((role for role in Role if role.value == name.lower()), None)
        scope_path = _unit_path(scope) if scope else own_unit
        if role is None or any(not part for part in scope_path.split("/")):
            return None
        if role is not Role.MEMBER and (role, scope_path) not in grants:
            grants.append((role, scope_path))
    return tuple(grants)


async def import_rows(session: AsyncSession, rows: Iterable[RosterRow], now: datetime, actor: str) -> ImportResult:
    """Apply validated rows in the caller's transaction; roster ids that do not exist are errors."""
    created = updated = unchanged = 0
    errors: list[RowError] = []
    for row in rows:
        person: Person | None
        if row.person_id is not None:
            person = await people.person_by_id(session, row.person_id)
            if person is None:
                errors.append(RowError(row.row, COLUMNS["id"][0], "roster_file.error.unknown_id"))
                continue
        else:
            person = await people.person_by_unit_and_name(session, row.unit, row.name)
        if row.wecom_user_id:
            holder = await people.person_by_wecom(session, row.wecom_user_id)
            if holder is not None and holder is not person:
                taken = RowError(row.row, COLUMNS["wecom"][0], "roster_file.error.wecom_taken", {"name": holder.name})
                errors.append(taken)
                continue
        unit = await people.ensure_unit(session, row.unit)
        grants = [(role.value, await people.ensure_unit(session, scope)) for role, scope in row.roles]
        if person is None:
            person = await people.add_person(
                session, name=row.name, unit_path=row.unit, rank_level=row.rank_level, now=now, position=row.position
            )
            _set_plan(person, row)
            people.set_grants(person, grants)
            created += 1
            continue
        before = _snapshot(person)
        person.name, person.position, person.rank_level, person.unit = row.name, row.position, row.rank_level, unit
        person.unit_id = unit.id
        person.pinyin = people.pinyin_key(row.name)
        person.active = True
        _set_plan(person, row)
        people.set_grants(person, grants)
        if _snapshot(person) == before:
            unchanged += 1
        else:
            person.updated_at = now
            updated += 1
    if not errors:
        audit.record(
            session, at=now, actor=actor, action="roster.import", created=created, updated=updated, unchanged=unchanged
        )
    return ImportResult(created, updated, unchanged, tuple(errors))


def _set_plan(person: Person, row: RosterRow) -> None:
    person.wecom_user_id = row.wecom_user_id or None
    person.talk_every = row.talk_every
    person.quota_talks, person.quota_per = row.quota if row.quota else (None, "")


def _snapshot(person: Person) -> tuple[object, ...]:
    grants = sorted((grant.role, grant.scope_unit_id or grant.scope_unit.id) for grant in person.grants)
    plan = (person.talk_every, person.quota_talks, person.quota_per, person.wecom_user_id)
    return (person.name, person.position, person.rank_level, person.unit_id, person.active, grants, plan)


def roster_table(everyone: Iterable[Person]) -> list[list[str]]:
    """The roster in the import format, header first."""
    table = [[names[0] for names in COLUMNS.values()]]
    for person in everyone:
        roles = [
            grant.role if grant.scope_unit.path == person.unit.path else f"{grant.role}@{grant.scope_unit.path}"
            for grant in sorted(person.grants, key=lambda grant: (grant.role, grant.scope_unit.path))
        ]
        table.append(
            [
                str(person.id),
                person.unit.path,
                person.name,
                person.position,
                person.rank_level,
                ",".join(roles),
                {v: k for k, v in EVERY.items()}.get(person.talk_every, ""),
                _quota_text(person.quota_talks, person.quota_per),
                person.wecom_user_id or "",
            ]
        )
    return table


def write_table(path: Path, table: Sequence[Sequence[str]]) -> None:
    """Every cell as text no spreadsheet evaluates (bot.ledgers.cells); `read_table` gives the same table back."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as stream:
            csv.writer(stream).writerows(inert_row(row) for row in table)
    elif suffix == ".xlsx":
        import openpyxl  # noqa: PLC0415  (heavy: loaded when a spreadsheet is written)

        workbook = openpyxl.Workbook()
        sheet = workbook.active
        assert sheet is not None
        for row in table:
            sheet.append(inert_row(row))
        sheet.freeze_panes = "A2"
        workbook.save(path)
    else:
        raise RosterFileError("roster_file.error.format", suffix=suffix or path.name)
