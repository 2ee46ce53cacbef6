"""`talkledger import` (past talks, all or nothing, idempotent) and `talkledger export --period`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from bot.export import DETAIL_HEADER
from tests.conftest import fw
from tests.test_roster import GOOD, cli, write_csv

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
