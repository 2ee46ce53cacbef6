"""`talkledger import` (past talks, all or nothing, idempotent) and `talkledger export --period`."""

from __future__ import annotations

import csv
import re
import zipfile
from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.config import Config
from bot.i18n import text
from bot.ledgers.export import DETAIL_HEADER, ITEMS_HEADER
from bot.ledgers.imports import parse_day, parse_ledger
from tests.conftest import fw
from tests.test_roster import GOOD, cli, write_csv

DATE_FORMS = (
    "{year}-{month:02d}-{day:02d}",
    "{year}年{month}月{day}日",
    "{year}.{month}.{day}",
    "{year}/{month}/{day}",
)
HEADER = DETAIL_HEADER[1:]  # the columns `talkledger export` writes after its 序号, as a ledger kept by hand
PAST = [
    HEADER,
    [
        "2015-000001",
        "2015-03-02",
        "09:30",
        "工作约谈",
        "个人",
        "面谈",
        "赵敏",
        "兰州市/城关区/建设局",
        "乡科级",
        "1",
        "市纪委",
        "落实两个责任",
        "",
        "张建平",
        "",
        "0",
        "",
    ],
    [
        "2015-000002",
        "2015-04-10",
        "",
        "告诫约谈",
        "集体",
        "面谈",
        "赵敏、周涛",
        "兰州市/城关区/建设局、兰州市/榆中县/交通局",
        "乡科级",
        "2",
        "",
        "四风问题",
        "",
        "张建平",
        "",
        "0",
        "李华",
    ],
    [
        "2015-000003",
        "2015-07-01",
        "15:00",
        "提醒约谈",
        "个人",
        "电话",
        "新人甲",
        "兰州市/城关区/财政局",
        "其他",
        "1",
        "",
        "迟报漏报",
        "",
        "李华",
        "",
        "0",
        "",
    ],
]


def zh(key: str, /, **params: object) -> str:
    return text("zh-CN", key, **params)


@pytest.fixture
def config_path(tmp_path: Path, db_url: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\nurl = "{db_url}"\n', encoding="utf-8")
    assert cli(path, "roster", "import", str(write_csv(tmp_path / "roster.csv", GOOD))) == 0
    return path


def test_past_talks_import_once_and_export_by_period(
    tmp_path: Path, config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = write_csv(tmp_path / "ledger.csv", PAST)
    assert cli(config_path, "import", str(ledger)) == 0
    assert fw("新增 3 条,已存在 0 条") in capsys.readouterr().out
    assert cli(config_path, "import", str(ledger)) == 0
    assert fw("新增 0 条,已存在 3 条") in capsys.readouterr().out

    assert cli(config_path, "export", "--period", "2015H1", "--out", str(tmp_path / "h1.xlsx")) == 0
    assert "2 条" in capsys.readouterr().out
    book = openpyxl.load_workbook(tmp_path / "h1.xlsx")
    detail = list(book["明细账"].iter_rows(values_only=True))
    # One row a person talked to: the collective talk of 2015-04-10 has two, each one person-time.
    assert [row[:2] for row in detail[3:]] == [(1, "2015-000001"), (2, "2015-000002"), (3, "2015-000002")]
    assert [(row[7], row[10], row[17]) for row in detail[4:]] == [("赵敏", 1, "李华"), ("周涛", 1, "李华")]
    tally = list(book["汇总账"].iter_rows(values_only=True))
    assert tally[2][:4] == ("月份", "工作约谈", "提醒约谈", "告诫约谈")
    # Every month of the period has its row, the months without talks at zero.
    assert [row[0] for row in tally[3:9]] == [datetime(2015, number, 1) for number in range(1, 7)]
    assert [row[tally[2].index("合计")] for row in tally[3:9]] == [0, 0, 1, 1, 0, 0] and tally[9][0] == "合计"
    assert cli(config_path, "export", "--period", "someday", "--out", str(tmp_path / "x.xlsx")) == 1


def test_a_ledger_with_bad_rows_imports_nothing(
    tmp_path: Path, config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = [row[:] for row in PAST]
    bad[1][9] = "3"  # padded person-times
    bad[2][1] = "2015-02-30"
    bad[3][3] = "闲谈"
    assert cli(config_path, "import", str(write_csv(tmp_path / "bad.csv", bad))) == 1
    error = capsys.readouterr().err
    assert "3 处错误" in error
    assert fw("第 2 行,“人次”列") in error and fw("第 3 行,“日期”列") in error and fw("第 4 行,“类型”列") in error
    assert cli(config_path, "export", "--period", "2015", "--out", str(tmp_path / "y.xlsx")) == 0
    assert "0 条" in capsys.readouterr().out


def test_export_refuses_a_period_read_only_in_part(
    tmp_path: Path, config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """2015-03 is not "2015-03 to 05": a period read only in part is refused, never exported for the part."""
    assert cli(config_path, "export", "--period", "2015-03 to 05", "--out", str(tmp_path / "x.xlsx")) == 1
    assert "2015-03 to 05" in capsys.readouterr().err
    assert not (tmp_path / "x.xlsx").exists()
    assert cli(config_path, "export", "--period", "2015年3-5月", "--out", str(tmp_path / "y.xlsx")) == 0
    assert (tmp_path / "y.xlsx").exists()


def saved_values(path: Path, values: dict[str, str]) -> Path:
    """Give formula cells the results Excel saves with them (openpyxl writes formulas without)."""
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    for cell, value in values.items():
        sheet = re.sub(rf'(<c r="{cell}"[^>]*>\s*<f>[^<]*</f>)\s*<v\s*/>', rf"\g<1><v>{value}</v>", sheet)
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as target:
        for name, content in parts.items():
            target.writestr(name, content)
    return path


def test_a_hand_kept_workbook_with_date_cells_text_dates_and_saved_formulas_imports(
    tmp_path: Path, config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows: list[list[object]] = [list(row) for row in PAST]
    rows[1][1:3] = [datetime(2015, 3, 2), time(9, 30)]  # Excel date and time cells
    rows[2][1] = "2015年4月10日"
    rows[3][1:3] = ["2015.7.1", "15时"]
    rows[1][9] = rows[2][9] = "=1+0"  # 人次 as formulas; the second one's result is 2
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["兰州市 约谈明细台账（2015年）"])  # a title above the header, as commissions keep them
    for row in rows:
        sheet.append(row)
    book.save(tmp_path / "ledger.xlsx")
    assert cli(config_path, "import", str(saved_values(tmp_path / "ledger.xlsx", {"J3": "1", "J4": "2"}))) == 0
    assert fw("新增 3 条,已存在 0 条") in capsys.readouterr().out

    assert cli(config_path, "export", "--period", "2015", "--out", str(tmp_path / "2015.xlsx")) == 0
    detail = list(openpyxl.load_workbook(tmp_path / "2015.xlsx")["明细账"].iter_rows(min_row=4, values_only=True))
    assert [row[2:4] for row in detail] == [
        (datetime(2015, 3, 2), time(9, 30)),
        (datetime(2015, 4, 10), None),
        (datetime(2015, 4, 10), None),
        (datetime(2015, 7, 1), time(15, 0)),
    ]


def test_a_ledger_with_a_two_row_header_of_merged_cells_imports(
    tmp_path: Path, config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["兰州市 约谈台账（2015年）"])
    sheet.append(["序号", "台账编号", "约谈时间", None, "类型", "被约谈人", None, None, "主题", "主谈人", "备注"])
    sheet.append([None, None, "日期", "时间", None, "姓名", "单位", "级别", None, None, None])
    for cells in ("A2:A3", "B2:B3", "C2:D2", "E2:E3", "F2:H2", "I2:I3", "J2:J3", "K2:K3"):
        sheet.merge_cells(cells)
    sheet.append([1, "2015-000001", datetime(2015, 3, 2), time(9, 30), "工作约谈", "赵敏", "兰州市/城关区/建设局"])
    sheet["H4"], sheet["I4"], sheet["J4"] = "乡科级", "落实两个责任", "张建平"
    sheet.append([2, "2015-000002", "2015年4月10日", None, "告诫约谈", "周涛", "兰州市/榆中县/交通局", "乡科级"])
    sheet["I5"], sheet["J5"], sheet["K5"] = "作风问题", "张建平", "无"
    book.save(tmp_path / "merged.xlsx")
    assert cli(config_path, "import", str(tmp_path / "merged.xlsx")) == 0
    assert fw("新增 2 条,已存在 0 条") in capsys.readouterr().out
    assert cli(config_path, "export", "--period", "2015", "--out", str(tmp_path / "2015.xlsx")) == 0
    detail = list(openpyxl.load_workbook(tmp_path / "2015.xlsx")["明细账"].iter_rows(min_row=4, values_only=True))
    assert [(row[1], row[2], row[3], row[4], row[7], row[9], row[12]) for row in detail] == [
        ("2015-000001", datetime(2015, 3, 2), time(9, 30), "工作约谈", "赵敏", "乡科级", "落实两个责任"),
        ("2015-000002", datetime(2015, 4, 10), None, "告诫约谈", "周涛", "乡科级", "作风问题"),
    ]


def test_a_bad_row_under_a_two_row_header_is_named_by_its_row_in_the_file(
    tmp_path: Path, config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        ["序号", "台账编号", "日期", "类型", "被约谈人", "", "", "主题", "主谈人"],
        ["", "", "", "", "姓名", "单位", "级别", "", ""],
        ["1", "2015-000001", "2015-03-02", "工作约谈", "赵敏", "兰州市/城关区/建设局", "乡科级", "落实", "张建平"],
        ["2", "2015-000002", "2015-03-40", "工作约谈", "周涛", "兰州市/榆中县/交通局", "乡科级", "落实", "张建平"],
    ]
    path = tmp_path / "ledger.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows(rows)
    assert cli(config_path, "import", str(path)) == 1
    assert fw("第 4 行,“日期”列") in capsys.readouterr().err  # the line of the file, counting both header rows


def test_rectification_items_import_with_their_talk_and_bad_ones_are_named_by_sheet_row_and_column(
    tmp_path: Path, config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = openpyxl.Workbook()
    detail = book.active
    assert detail is not None
    detail.title = "明细账"
    for row in PAST[:2]:
        detail.append(row)
    items = book.create_sheet("整改台账")
    items.append(["兰州市 约谈整改台账（2015年）"])
    items.append(ITEMS_HEADER)
    items.append([1, "2015-000001", "赵敏", "台账不全", "补齐", datetime(2015, 4, 2), "赵敏", "整改中", None, 0])
    items.append([2, "2015-000009", "赵敏", "作风问题", "", "2015-05-01", "赵敏", "已办结", None, 0])
    book.save(tmp_path / "ledger.xlsx")
    assert cli(config_path, "import", str(tmp_path / "ledger.xlsx")) == 1
    error = capsys.readouterr().err
    assert fw("第 4 行,“整改台账·台账编号”列") in error and "2015-000009" in error
    assert fw("第 4 行,“整改台账·状态”列") in error

    items.delete_rows(4)
    book.save(tmp_path / "ledger.xlsx")
    assert cli(config_path, "import", str(tmp_path / "ledger.xlsx")) == 0
    assert cli(config_path, "export", "--period", "2015", "--out", str(tmp_path / "2015.xlsx")) == 0
    exported = list(openpyxl.load_workbook(tmp_path / "2015.xlsx")["整改台账"].iter_rows(min_row=4, values_only=True))
    assert [row[1:8] for row in exported] == [
        ("2015-000001", "赵敏", "台账不全", "补齐", datetime(2015, 4, 2), "赵敏", "整改中")
    ]


def test_a_formula_without_a_saved_result_is_named_by_its_cell(
    tmp_path: Path, config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows: list[list[object]] = [list(row) for row in PAST]
    rows[2][9] = "=1+1"
    path = tmp_path / "ledger.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)
    assert cli(config_path, "import", str(path)) == 1
    error = capsys.readouterr().err
    assert error.strip().splitlines()[-1] == zh("roster_file.error.formula", cell="J3")


def test_a_gbk_csv_from_excel_on_chinese_windows_imports(
    tmp_path: Path, config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [row[:] for row in PAST]
    rows[1][1], rows[2][1], rows[3][1] = "2015/3/2", "2015-4-10", "2015年7月1日"
    path = tmp_path / "ledger.csv"
    with path.open("w", encoding="gbk", newline="") as stream:
        csv.writer(stream).writerows(rows)
    assert cli(config_path, "import", str(path)) == 0
    assert fw("新增 3 条,已存在 0 条") in capsys.readouterr().out


def test_a_corrupt_file_gets_one_line_and_impossible_dates_are_refused(
    tmp_path: Path, config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corrupt = tmp_path / "台账.xlsx"
    corrupt.write_bytes(b"PK\x03\x04 not really a workbook")
    assert cli(config_path, "import", str(corrupt)) == 1
    error = capsys.readouterr().err
    assert (
        error.strip().splitlines()[-1] == zh("roster_file.error.corrupt", name="台账.xlsx") and "Traceback" not in error
    )

    # A real workbook whose sheet is cut short: opens, then fails while its rows are read.
    book = openpyxl.Workbook()
    for row in PAST:
        book.active.append(row)  # type: ignore[union-attr]
    book.save(tmp_path / "cut.xlsx")
    with zipfile.ZipFile(tmp_path / "cut.xlsx") as whole:
        parts = {name: whole.read(name) for name in whole.namelist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"][:400]
    with zipfile.ZipFile(tmp_path / "cut.xlsx", "w") as cut:
        for name, content in parts.items():
            cut.writestr(name, content)
    assert cli(config_path, "import", str(tmp_path / "cut.xlsx")) == 1
    assert capsys.readouterr().err.strip().splitlines()[-1] == zh("roster_file.error.corrupt", name="cut.xlsx")

    rows = [row[:] for row in PAST]
    rows[1][1], rows[2][1] = "1999-12-31", "2999-01-01"
    assert cli(config_path, "import", str(write_csv(tmp_path / "dates.csv", rows))) == 1
    error = capsys.readouterr().err
    assert zh("ledger.rejected", count=2) in error and "名册" not in error
    assert fw("第 2 行,“日期”列") in error and fw("第 3 行,“日期”列") in error


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)), st.sampled_from(DATE_FORMS))
def test_the_usual_ways_of_writing_a_date_read_as_that_date(day: date, form: str) -> None:
    written = form.format(year=day.year, month=day.month, day=day.day)
    assert parse_day(written) == (day, None)


@given(st.text(max_size=12))
def test_anything_else_reads_as_no_date_or_a_real_one(written: str) -> None:
    found = parse_day(written)
    assert found is None or isinstance(found[0], date)


@given(st.lists(st.integers(1, 4), min_size=1, max_size=len(HEADER)), st.booleans())
def test_a_header_split_over_two_rows_of_merged_groups_reads_as_the_flat_header(
    sizes: list[int], name_alone: bool
) -> None:
    """Any run of columns may sit under a merged group cell (its text in the first cell only, the column names
    in the row below); a column outside a group is merged down both rows. The rows read the same. 台账编号 stands
    on its own: the header is found by it."""
    top: list[str] = []
    below: list[str] = []
    index = 0
    for number, size in enumerate([1, *sizes]):
        columns = HEADER[index : index + size]
        if not columns:
            break
        if size == 1:  # a column of its own, merged over both rows
            top.append(columns[0])
            below.append("")
        else:
            top += [f"栏目{number}"] + [""] * (len(columns) - 1)
            below += columns
        index += size
    top += HEADER[index:]
    below += [""] * (len(HEADER) - index)
    if name_alone and "被约谈人" in below:  # 姓名 under a group named 被约谈人, as commissions write it
        position = below.index("被约谈人")
        if top[position] == "" or top[position].startswith("栏目"):
            start = max(i for i in range(position + 1) if top[i])
            top[start], below[position] = "被约谈人", "姓名"
    config = Config()
    flat = parse_ledger([["台账"], HEADER, *PAST[1:]], config, date(2025, 3, 5))
    split = parse_ledger([["台账"], top, below, *PAST[1:]], config, date(2025, 3, 5))
    assert flat[1] == [] and split[1] == []
    assert [replace(talk, row=talk.row - 1) for talk in split[0]] == flat[0]  # one header row more
