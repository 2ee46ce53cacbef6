"""Roster files: validation (pure), and import/export through the CLI on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.config import DEFAULT_RANK_LEVELS
from bot.roster.access import Role
from bot.roster.files import parse_rows
from handlers.main import main
from storage import people
from storage.db import ensure_schema, open_engine, sessions
from tests.conftest import fw

HEADER = ["单位", "姓名", "职务", "级别", "角色"]
GOOD = [
    HEADER,
    ["兰州市/市纪委", "张建平", "市纪委书记", "地厅级", "commission@兰州市, admin@兰州市"],
    ["兰州市/城关区", "李华", "区委书记", "县处级", "领导"],
    ["兰州市/城关区/建设局", "赵敏", "局长", "乡科级", ""],
    [],
    ["兰州市/榆中县/交通局", "周涛", "局长", "乡科级", "member"],
]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        csv.writer(stream).writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def cli(config_path: Path, *arguments: str) -> int:
    return main(["--config", str(config_path), *arguments])


def roster_of(db_url: str) -> list[tuple[str, str, str, str, list[str]]]:
    async def read() -> list[tuple[str, str, str, str, list[str]]]:
        engine = open_engine(db_url)
        try:
            await ensure_schema(engine)
            async with sessions(engine)() as session:
                return [
                    (
                        p.unit.path,
                        p.name,
                        p.position,
                        p.rank_level,
                        sorted(f"{g.role}@{g.scope_unit.path}" for g in p.grants),
                    )
                    for p in await people.everyone(session)
                ]
        finally:
            await engine.dispose()

    return asyncio.run(read())


# ---- validation, pure ------------------------------------------------------------------------------------


def test_good_rows_parse_with_roles_and_scopes() -> None:
    rows, errors = parse_rows(GOOD, DEFAULT_RANK_LEVELS)
    assert errors == []
    assert [row.row for row in rows] == [2, 3, 4, 6]  # spreadsheet row numbers; the blank line is skipped
    assert rows[0].roles == ((Role.COMMISSION, "兰州市"), (Role.ADMIN, "兰州市"))
    assert rows[1].roles == ((Role.LEADER, "兰州市/城关区"),)
    assert rows[3].roles == ()


def test_every_bad_row_is_reported_with_row_column_and_reason() -> None:
    table = [
        HEADER,
        ["兰州市//建设局", "赵敏", "局长", "乡科级", ""],
        ["兰州市/城关区", "", "局长", "处级", "boss"],
        ["兰州市/城关区", "李" * 65, "", "县处级", ""],
        ["兰州市/城关区", "李华", "区委书记", "县处级", ""],
        ["兰州市/城关区", "李华", "区委书记", "县处级", ""],
    ]
    rows, errors = parse_rows(table, DEFAULT_RANK_LEVELS)
    found = {(error.row, error.column, error.reason) for error in errors}
    assert found == {
        (2, "单位", "roster_file.error.unit"),
        (3, "姓名", "roster_file.error.required"),
        (3, "级别", "roster_file.error.rank_level"),
        (3, "角色", "roster_file.error.roles"),
        (4, "姓名", "roster_file.error.too_long"),
        (6, "姓名", "roster_file.error.duplicate"),
    }


@given(
    st.lists(
        st.tuples(st.text(max_size=8), st.text(max_size=8), st.sampled_from(["县处级", "其他", "x", ""])), max_size=8
    )
)
def test_parsing_never_crashes_and_accounts_for_every_row(cells: list[tuple[str, str, str]]) -> None:
    table = [HEADER] + [[unit, name, "", rank, ""] for unit, name, rank in cells]
    rows, errors = parse_rows(table, DEFAULT_RANK_LEVELS)
    nonblank = [number for number, (unit, name, rank) in enumerate(cells, start=2) if (unit + name + rank).strip()]
    reported = {row.row for row in rows} | {error.row for error in errors}
    assert reported == set(nonblank)
    assert not ({row.row for row in rows} & {error.row for error in errors})


# ---- the CLI, on both databases --------------------------------------------------------------------------


def test_import_csv_then_reimport_updates_instead_of_duplicating(
    tmp_path: Path, config_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(config_path, "roster", "import", str(write_csv(tmp_path / "roster.csv", GOOD))) == 0
    assert "新增 4 人" in capsys.readouterr().out
    changed = [row[:] for row in GOOD]
    changed[3][2] = "副局长"  # 赵敏 is now deputy head
    changed.append(["兰州市/城关区/教育局", "孙磊", "局长", "乡科级", ""])
    assert cli(config_path, "roster", "import", str(write_csv(tmp_path / "again.csv", changed))) == 0
    assert fw("新增 1 人,更新 1 人,未变 3 人") in capsys.readouterr().out
    roster = roster_of(db_url)
    assert len(roster) == 5
    assert ("兰州市/城关区/建设局", "赵敏", "副局长", "乡科级", []) in roster
    assert ("兰州市/市纪委", "张建平", "市纪委书记", "地厅级", ["admin@兰州市", "commission@兰州市"]) in roster


def test_a_file_with_bad_rows_imports_nothing(
    tmp_path: Path, config_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = GOOD + [["兰州市/城关区", "王五", "", "科级", ""], ["兰州市/城关区", "", "", "其他", ""]]
    assert cli(config_path, "roster", "import", str(write_csv(tmp_path / "bad.csv", bad))) == 1
    error = capsys.readouterr().err
    assert "2 处错误" in error
    assert fw("第 7 行,“级别”列") in error and fw("第 8 行,“姓名”列:不能为空") in error
    assert roster_of(db_url) == []


def test_xlsx_import_and_export_round_trip(
    tmp_path: Path, config_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    rows: list[list[object]] = [
        HEADER,
        ["兰州市/城关区", "李华", "区委书记", "县处级", "leader"],
        ["兰州市/城关区/建设局", "赵敏", 2024, "乡科级", None],
    ]
    assert cli(config_path, "roster", "import", str(write_xlsx(tmp_path / "in.xlsx", rows))) == 0
    assert cli(config_path, "roster", "export", str(tmp_path / "out.xlsx")) == 0
    assert cli(config_path, "roster", "export", str(tmp_path / "out.csv")) == 0
    capsys.readouterr()
    before = roster_of(db_url)
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx").worksheets[0]
    exported = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert exported[0] == ["编号", "单位", "姓名", "职务", "级别", "角色", "约谈频次", "约谈指标", "企业微信账号"]
    assert exported[2][1:] == ["兰州市/城关区/建设局", "赵敏", "2024", "乡科级", None, None, None, None]
    # Re-importing what was exported changes nothing.
    assert cli(config_path, "roster", "import", str(tmp_path / "out.csv")) == 0
    assert "未变 2 人" in capsys.readouterr().out
    assert roster_of(db_url) == before


def test_an_exported_id_lets_a_person_move_units(
    tmp_path: Path, config_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    cli(config_path, "roster", "import", str(write_csv(tmp_path / "roster.csv", GOOD)))
    cli(config_path, "roster", "export", str(tmp_path / "out.csv"))
    with (tmp_path / "out.csv").open(encoding="utf-8-sig") as stream:
        table = list(csv.reader(stream))
    moved = next(row for row in table if row[2] == "赵敏")
    moved[1] = "兰州市/城关区/教育局"
    assert cli(config_path, "roster", "import", str(write_csv(tmp_path / "moved.csv", table))) == 0
    names = [(unit, name) for unit, name, *_ in roster_of(db_url)]
    assert ("兰州市/城关区/教育局", "赵敏") in names and len(names) == 4
    table.append(["999", "兰州市", "无名", "", "其他", ""])
    assert cli(config_path, "roster", "import", str(write_csv(tmp_path / "ghost.csv", table))) == 1
    assert "没有这个编号" in capsys.readouterr().err


def test_unsupported_and_headerless_files_are_explained(
    tmp_path: Path, config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "roster.txt").write_text("x")
    assert cli(config_path, "roster", "import", str(tmp_path / "roster.txt")) == 1
    assert ".txt" in capsys.readouterr().err
    assert cli(config_path, "roster", "import", str(write_csv(tmp_path / "h.csv", [["name"], ["x"]]))) == 1
    assert "单位" in capsys.readouterr().err
    assert cli(config_path, "roster", "import", str(tmp_path / "missing.csv")) == 1


def test_cli_invite_and_unbind(tmp_path: Path, config_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cli(config_path, "roster", "import", str(write_csv(tmp_path / "roster.csv", GOOD)))
    capsys.readouterr()
    assert cli(config_path, "roster", "invite", "赵敏") == 0
    output = capsys.readouterr().out
    assert "赵敏" in output and "/start " in output  # no bot username configured: the code to send
    config_path.write_text(config_path.read_text() + '[telegram]\nbot_username = "lz_talks_bot"\n')
    assert cli(config_path, "roster", "invite", "--id", "3") == 0
    assert "https://t.me/lz_talks_bot?start=" in capsys.readouterr().out
    assert cli(config_path, "roster", "invite", "无此人") == 1
    assert "无此人" in capsys.readouterr().err
    assert cli(config_path, "roster", "unbind", "赵敏") == 0
    assert "尚未绑定" in capsys.readouterr().out


def test_the_annual_ledger_columns_and_exclusions(
    tmp_path: Path, config_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = [
        [*HEADER, "约谈频次", "约谈指标"],
        ["兰州市/市纪委", "张建平", "市纪委书记", "地厅级", "commission@兰州市", "", "每月10次"],
        ["兰州市/城关区/建设局", "赵敏", "局长", "乡科级", "", "每半年", ""],
        ["兰州市/城关区/教育局", "孙磊", "局长", "乡科级", "", "每周", "十次"],
    ]
    assert cli(config_path, "roster", "import", str(write_csv(tmp_path / "bad.csv", plan))) == 1
    error = capsys.readouterr().err
    assert fw("第 4 行,“约谈频次”列") in error and fw("第 4 行,“约谈指标”列") in error
    plan[3][5:] = ["每季度", "30/季度"]
    assert cli(config_path, "roster", "import", str(write_csv(tmp_path / "plan.csv", plan))) == 0
    assert cli(config_path, "roster", "export", str(tmp_path / "out.csv")) == 0
    exported = (tmp_path / "out.csv").read_text(encoding="utf-8-sig")
    assert "每半年" in exported and "10/月" in exported and "30/季度" in exported
    assert (
        cli(config_path, "roster", "exclude", "孙磊", "--from", "2025-01-01", "--to", "2025-06-30", "--reason", "借调")
        == 0
    )
    assert "孙磊" in capsys.readouterr().out
