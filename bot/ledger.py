"""Bringing past talks in: `talkledger import FILE` reads the detail sheet's columns (as `export` writes them).

All or nothing: a file with any bad row imports nothing and every bad row is reported. A row whose ledger
number is already in the ledger is skipped, so importing the same file twice adds nothing. People talked to
are matched on the roster by unit and name; those not there are added as un-enrolled entries.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Config
from bot.export import CHANNELS, FORMATS
from bot.roster import RosterFileError, RowError
from storage import audit, people, talks
from storage.models import Person, Talk, TalkParticipant

NAMES = "、"


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


def parse_ledger(table: Sequence[Sequence[str]], config: Config) -> tuple[list[LedgerRow], list[RowError]]:
    if not table:
        raise RosterFileError("roster_file.error.empty")
    header = [cell.strip() for cell in table[0]]
    missing = [
        name
        for name in ("台账编号", "日期", "类型", "被约谈人", "单位", "级别", "主题", "主谈人")
        if name not in header
    ]
    if missing:
        raise RosterFileError("roster_file.error.header", missing="、".join(missing))
    formats = {label: key for key, label in FORMATS.items()}
    channels = {label: key for key, label in CHANNELS.items()}
    rows: list[LedgerRow] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for number, cells in enumerate(table[1:], start=2):
        value = {name: (cells[i].strip() if i < len(cells) and cells[i] else "") for i, name in enumerate(header)}
        if not any(value.values()):
            continue

        def bad(column: str, reason: str, row: int = number, **detail: str | int) -> None:
            errors.append(RowError(row, column, reason, detail))

        for column in ("台账编号", "日期", "类型", "被约谈人", "单位", "级别", "主题", "主谈人"):
            if not value.get(column):
                bad(column, "roster_file.error.required")
        held = None
        try:
            day = date.fromisoformat(value.get("日期", ""))
            at = time.fromisoformat(value["时间"]) if value.get("时间") else None
            held = datetime.combine(day, at or time(0, 0))
        except ValueError:
            if value.get("日期"):
                bad("日期", "ledger.error.date")
        if value.get("类型") and value["类型"] not in config.organisation.talk_kinds:
            bad("类型", "ledger.error.kind", allowed="、".join(config.organisation.talk_kinds))
        if value.get("形式", "个人") not in formats and value.get("形式"):
            bad("形式", "ledger.error.choice", allowed="、".join(formats))
        if value.get("方式") and value["方式"] not in channels:
            bad("方式", "ledger.error.choice", allowed="、".join(channels))
        names = [n.strip() for n in value.get("被约谈人", "").split(NAMES) if n.strip()]
        units = [u.strip() for u in value.get("单位", "").split(NAMES) if u.strip()]
        ranks = [r.strip() for r in value.get("级别", "").split(NAMES) if r.strip()]
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
        if ledger_no in seen:
            bad("台账编号", "roster_file.error.duplicate", other=seen[ledger_no])
        seen.setdefault(ledger_no, number)
        if held is None or any(error.row == number for error in errors):
            continue
        format_key = formats.get(value.get("形式", ""), "collective" if len(names) > 1 else "individual")
        rows.append(
            LedgerRow(
                row=number,
                ledger_no=ledger_no,
                held=held,
                time_known=bool(value.get("时间")),
                kind=value["类型"],
                format=format_key,
                channel=channels.get(value.get("方式", ""), "face"),
                subjects=tuple(zip(names, units, ranks, strict=True)),
                place=value.get("地点", "")[:100],
                topic=value["主题"],
                content=value.get("内容", "")[:2000],
                lead=value["主谈人"],
                logged_by=value.get("登记人") or value["主谈人"],
            )
        )
    return rows, errors


async def import_ledger(
    session: AsyncSession, rows: Iterable[LedgerRow], config: Config, now: datetime
) -> tuple[int, int, list[RowError]]:
    """(added, already there, errors) — the caller rolls back when there are errors."""
    zone = config.organisation.zone
    added = skipped = 0
    errors: list[RowError] = []
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
                items=[],
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


async def _one_named(session: AsyncSession, name: str) -> Person | None:
    found = [person for person in await people.people_within(session, None, name) if person.name == name]
    return found[0] if len(found) == 1 else None
