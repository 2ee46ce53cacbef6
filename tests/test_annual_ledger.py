"""The annual ledger (年度账) of a year's export: the plan (who must be talked to how often) and the quotas against
what was done, with the same figures the bot answers in the chat for the same year."""

from __future__ import annotations

import io

import openpyxl

from bot.config import Config
from bot.i18n import text
from tests.conftest import Enroll, fw
from tests.test_ledgers import rows
from tests.test_stats import _download, seed_ledger, set_plan

HEADS = ["赵敏", "孙磊", "钱进", "吴刚", "张建平"]


async def test_a_year_s_export_has_the_annual_ledger_with_the_chat_s_coverage_and_quotas(
    enrolled: Enroll, config: Config
) -> None:
    await seed_ledger(config)
    await set_plan(
        config,
        every={name: "quarter" for name in [*HEADS, "周涛"]},
        quota={"张建平": (10, "month"), "李华": (2, "quarter")},
        excused={"周涛": "借调"},
    )
    commission = await enrolled("张建平")
    await commission.send("2025年约谈覆盖率")
    coverage = commission.last_reply
    await commission.send("2025年约谈指标完成情况")
    quotas = commission.last_reply
    await commission.send("2025年约谈多少次")
    await commission.press("导出 Excel")
    book = openpyxl.load_workbook(
        io.BytesIO(await _download(commission, commission.replies[-1]["document"]["file_id"]))
    )
    assert book.sheetnames == ["明细账", "整改台账", "汇总账", "年度账"]
    table = rows(book["年度账"])
    assert table[0][0] == "兰州市 约谈年度台账（2025年1月—12月）"
    assert table[2] == tuple(text("zh-CN", "ledger_sheet.plan_header").split("|"))
    total = next(row for row in table if row[0] == "合计")
    plan = {row[1]: row for row in table[3 : table.index(total)]}
    assert set(plan) >= {*HEADS, "周涛"}
    # Today is 2025-03-05: one quarter window has begun for everyone required.
    assert plan["周涛"][4:9] == (None, None, None, "不计", "不计：借调")
    missed = {name for name, row in plan.items() if row[7] == "否"}
    assert missed and len(missed) < len(HEADS)
    for name in missed:
        assert plan[name][4:7] == (1, 0, "2025-01") and fw(f"  {name}(") in coverage
    counted = [row for row in plan.values() if row[4] is not None]
    assert total[4:8] == (len(counted), len(counted) - len(missed), None, len(counted) - len(missed))
    summary = str(table[table.index(total) + 1][0])
    assert summary in coverage  # the line the chat answers, word for word

    quota_header = tuple(text("zh-CN", "ledger_sheet.quota_header").split("|"))
    start = table.index(quota_header + (None,) * (len(table[2]) - len(quota_header)))
    lines = table[start + 1 :]
    done = {row[1]: row for row in lines if isinstance(row[0], int)}
    for name, row in done.items():
        assert fw(f"{name}:{row[5]}/{row[4]} 次(2025-01-01 至 2025-12-31") in quotas
    assert (done["张建平"][3:5], done["李华"][3:5]) == (("每月 10 次", 120), ("每季度 2 次", 8))
    [quota_total] = [row for row in lines if row[0] == "合计"]
    assert quota_total[4:6] == (128, int(str(done["张建平"][5])) + int(str(done["李华"][5])))
    assert book["年度账"].cell(start + 1 + len(done) + 1, 7).number_format == "0.0%"
    assert "2025-01-01 至 2025-12-31" in str(table[1][0])


async def test_an_export_of_less_than_a_year_has_no_annual_ledger(enrolled: Enroll, config: Config) -> None:
    await seed_ledger(config)
    commission = await enrolled("张建平")
    await commission.send("今年第一季度约谈多少次")
    await commission.press("导出 Excel")
    book = openpyxl.load_workbook(
        io.BytesIO(await _download(commission, commission.replies[-1]["document"]["file_id"]))
    )
    assert book.sheetnames == ["明细账", "整改台账", "汇总账"]


async def test_an_english_year_s_export_has_an_english_annual_sheet(enrolled: Enroll, config: Config) -> None:
    await seed_ledger(config)
    await set_plan(config, every={"赵敏": "quarter"}, quota={"张建平": (10, "month")}, excused={})
    commission = await enrolled("张建平")
    await commission.send("/lang")
    await commission.press("English")
    await commission.send("how many talks in 2025")
    await commission.press(text("en", "stats.button.excel"))
    book = openpyxl.load_workbook(
        io.BytesIO(await _download(commission, commission.replies[-1]["document"]["file_id"]))
    )
    assert book.sheetnames == ["Talks", "Rectification", "Summary", "Annual"]
    table = rows(book["Annual"])
    assert table[2] == tuple(text("en", "ledger_sheet.plan_header").split("|"))
    assert table[3][1:4] == ("赵敏", "兰州市/城关区/建设局", "every quarter")
    quotas = [row for row in table if row[1] == "张建平"]
    assert quotas[-1][3] == "10 a month"
