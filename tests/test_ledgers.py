"""The exported workbook as a filed ledger (issue 16 part 1): opened with openpyxl as Excel would, each sheet has
its title and scope rows, the header printed on every page, landscape A4 one page wide, an autofilter, date cells,
every month of the period, and totals equal to what the bot answers in the chat."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import re
import threading
import zipfile
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select

from bot.clock import ManualClock
from bot.config import Config
from bot.i18n import text
from bot.ledgers import export
from bot.ledgers.export import DETAIL_HEADER, LedgerData, header, workbook_bytes
from bot.ledgers.imports import parse_ledger
from handlers.telegram.sandbox import seed_demo
from handlers.telegram.transcript import EmulatorClient
from storage import people
from storage.db import open_engine, sessions
from storage.models import RectificationItem, Talk
from tests.conftest import Enroll
from tests.test_figures import FIRST_QUARTER, ZONE, seed
from tests.test_inert_exports import log_talk_with_topic
from tests.test_roster import cli
from tests.test_stats import _download, figures

DATE_FORMAT = 'yyyy"年"m"月"d"日"'


def rows(sheet: Worksheet) -> list[tuple[object, ...]]:
    return list(sheet.iter_rows(values_only=True))


def assert_printable(sheet: Worksheet, columns: str, last_row: int) -> None:
    """The header on every printed page, landscape A4 one page wide, filter over the table, page numbers."""
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    # One page wide: 1 is the schema's default for fitToWidth, which a writer may leave out of the file.
    assert (sheet.page_setup.fitToWidth or 1, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.auto_filter.ref == f"A3:{columns}{last_row}"
    assert sheet.freeze_panes == "A4"
    assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text


async def test_the_exported_workbook_is_a_ledger_to_print_with_the_chat_s_figures(
    enrolled: Enroll, config: Config, clock: ManualClock
) -> None:
    await seed(config, FIRST_QUARTER)
    await log_talk_with_topic(await enrolled("李华"), "项目资金管理")  # today, 2025-03-05, with one problem
    commission = await enrolled("张建平")
    await commission.send("今年第一季度约谈多少次")
    talks, person_times = figures(commission.last_reply)
    assert (talks, person_times) == (4, 5)
    await commission.press("导出 Excel")
    book = openpyxl.load_workbook(
        io.BytesIO(await _download(commission, commission.replies[-1]["document"]["file_id"]))
    )
    assert book.sheetnames == ["明细账", "整改台账", "汇总账"]
    exported = f"导出时间：{clock.now().astimezone(ZONE):%Y-%m-%d %H:%M}"

    detail = book["明细账"]
    table = rows(detail)
    assert table[0][0] == "兰州市 约谈明细台账（2025年1月—3月）"
    assert table[1][0] == f"范围：兰州市　期间：2025-01-01 至 2025-03-31　{exported}"
    assert table[2][:5] == ("序号", "台账编号", "日期", "时间", "类型")
    # One row a person talked to, numbered; the collective talk of 2025-02-10 has a row for each of its two.
    assert [row[0] for row in table[3:]] == list(range(1, person_times + 1))
    assert len({row[1] for row in table[3:]}) == talks
    collective = [(datetime(2025, 2, 10), "赵敏"), (datetime(2025, 2, 10), "周涛")]
    assert [(row[2], row[7]) for row in table[4:6]] == collective
    assert detail["C4"].is_date and detail["C4"].number_format == DATE_FORMAT
    assert detail["D4"].value == time(10, 0) and detail["D4"].is_date
    assert detail["A4"].border.left.style == "thin"
    assert_printable(detail, "R", 3 + person_times)

    items = book["整改台账"]
    table = rows(items)
    assert table[0][0] == "兰州市 约谈整改台账（2025年1月—3月）"
    assert "|".join(map(str, table[2])) == "序号|台账编号|被约谈人|问题|整改措施|整改时限|责任人|状态|销号日期|逾期天数"
    [item] = table[3:]
    assert item[0] == 1 and item[2:5] == ("赵敏", "工程项目台账不全", "一个月内补齐")
    assert isinstance(item[5], datetime) and item[5] > datetime(2025, 3, 5) and items["F4"].number_format == DATE_FORMAT
    assert item[7:] == ("整改中", None, 0)
    assert_printable(items, "J", 4)

    tally = book["汇总账"]
    table = rows(tally)
    assert table[0][0] == "兰州市 约谈汇总台账（2025年1月—3月）"
    assert table[2][0] == "月份" and table[2][-1] == "合计"
    # Every month of the quarter, March's talk logged today included; totals as the chat said.
    assert [row[0] for row in table[3:7]] == [datetime(2025, 1, 1), datetime(2025, 2, 1), datetime(2025, 3, 1), "合计"]
    assert [row[-1] for row in table[3:7]] == [1, 2, 1, talks]
    assert tally["A4"].is_date and tally["A4"].number_format == 'yyyy"年"m"月"'
    assert_printable(tally, "G", 7)  # five kinds of talk, month and total
    distinct = [row for row in table if row[0] == "不重复合计"]
    assert [row[1:3] for row in distinct] == [(talks, person_times)] * 2


@pytest.mark.parametrize("language", ["zh-CN", "en"])
async def test_an_exported_ledger_imports_back_into_an_empty_database_unchanged(
    enrolled: Enroll, config: Config, tmp_path: Path, language: str
) -> None:
    await seed(config, FIRST_QUARTER)
    await log_talk_with_topic(await enrolled("李华"), "项目资金管理")  # today, 2025-03-05, with one problem
    await close_an_item_and_add_one_with_two_responsible(config)
    commission = await enrolled("张建平")
    if language == "en":  # English sheets, headers, kinds, ranks, formats and states read back as well
        await commission.send("/lang")
        await commission.press("English")
        await commission.send("how many talks in 2025 Q1")
    else:
        await commission.send("今年第一季度约谈多少次")
    await commission.press(text(language, "stats.button.excel"))
    exported = tmp_path / "exported.xlsx"
    exported.write_bytes(await _download(commission, commission.replies[-1]["document"]["file_id"]))

    other = dataclasses.replace(config, database_url=f"sqlite+aiosqlite:///{tmp_path / 'other.db'}")
    await seed_demo(other)
    config_file = tmp_path / "other.toml"
    config_file.write_text(f'[database]\nurl = "{other.database_url}"\n', encoding="utf-8")
    assert await asyncio.to_thread(cli, config_file, "import", str(exported)) == 0
    assert await talks_of(other) == await talks_of(config)
    before = await items_of(config)
    assert len(before) == 2 and {item[5] for item in before} == {"open", "closed"}
    assert await items_of(other) == before
    assert await asyncio.to_thread(cli, config_file, "import", str(exported)) == 0  # twice: nothing more
    assert await items_of(other) == before


async def close_an_item_and_add_one_with_two_responsible(config: Config) -> None:
    """The logged talk's item closed on 2025-03-04, and a second item, open, with a second responsible person."""
    engine = open_engine(config.database_url)
    try:
        async with sessions(engine).begin() as session:
            talk = await session.scalar(select(Talk).where(Talk.topic == "项目资金管理"))
            assert talk is not None
            [item] = [item for item in talk.items if item.kind == "problem"]
            item.state, item.closed_at = "closed", datetime(2025, 3, 4, 9, 0, tzinfo=ZONE)
            second = [p for p in await people.people_within(session, None) if p.name == "王强"][0]
            talk.items.append(
                RectificationItem(
                    number=len(talk.items) + 1,
                    kind="problem",
                    problem="会议记录不规范",
                    measure="建立会议记录制度",
                    deadline=date(2025, 4, 30),
                    responsible_id=item.responsible_id,
                    second_responsible_id=second.id,
                    state="open",
                    created_at=item.created_at,
                )
            )
    finally:
        await engine.dispose()


async def items_of(config: Config) -> list[tuple[object, ...]]:
    """Problems as the 整改台账 shows them: talk, problem, measure, deadline, responsible, state, day closed."""
    engine = open_engine(config.database_url)
    try:
        async with sessions(engine)() as session:
            found = await session.scalars(select(Talk).order_by(Talk.ledger_no))
            names = {p.id: p.name for p in await people.people_within(session, None)}
            return [
                (
                    talk.ledger_no,
                    item.problem,
                    item.measure,
                    item.deadline,
                    (names[item.responsible_id], names.get(item.second_responsible_id or 0)),
                    item.state,
                    item.closed_at.astimezone(ZONE).date() if item.closed_at else None,
                )
                for talk in found
                for item in sorted(talk.items, key=lambda item: item.number)
                if item.kind == "problem"
            ]
    finally:
        await engine.dispose()


async def talks_of(config: Config) -> list[tuple[object, ...]]:
    engine = open_engine(config.database_url)
    try:
        async with sessions(engine)() as session:
            found = await session.scalars(select(Talk).order_by(Talk.ledger_no))
            return [
                (
                    talk.ledger_no,
                    talk.held_at,
                    talk.kind,
                    talk.format,
                    talk.topic,
                    sorted((p.person.name, p.rank_level, p.role) for p in talk.participants),
                )
                for talk in found
            ]
    finally:
        await engine.dispose()


def test_an_english_ledger_reads_as_english_and_whole_months_or_days_are_named() -> None:
    data = LedgerData(
        language="en",
        title_scope="兰州市",
        scope="兰州市",
        start=date(2025, 1, 5),
        last=date(2025, 2, 3),
        exported=datetime(2025, 3, 5, 15, 0),
        kinds=["工作约谈"],
        months=[(date(2025, 1, 1), [0]), (date(2025, 2, 1), [0])],
    )
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(data)))
    assert book.sheetnames == ["Talks", "Rectification", "Summary"]
    assert book["Talks"]["A1"].value == "兰州市 talk ledger (05 January 2025–03 February 2025)"
    assert book["Talks"]["A3"].value == "No." and book["Summary"]["A3"].value == "Month"
    chinese = openpyxl.load_workbook(io.BytesIO(workbook_bytes(dataclasses.replace(data, language="zh-CN"))))
    assert chinese["明细账"]["A1"].value == "兰州市 约谈明细台账（2025年1月5日—2025年2月3日）"
    months = dataclasses.replace(data, language="zh-CN", start=date(2024, 11, 1), last=date(2025, 2, 28))
    assert openpyxl.load_workbook(io.BytesIO(workbook_bytes(months)))["汇总账"]["A1"].value == (
        "兰州市 约谈汇总台账（2024年11月—2025年2月）"
    )


async def test_another_person_s_question_is_answered_while_a_large_ledger_is_built(
    enrolled: Enroll, config: Config, control: EmulatorClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = ("李华", "赵敏", "周涛", "孙磊")
    await seed(
        config,
        [
            (f"2025-0{1 + n % 2}-{1 + n % 28:02d} 09:00", "张建平", (names[n % 4], names[(n + 1) % 4]))
            for n in range(300)
        ],
    )
    commission, leader = await enrolled("张建平"), await enrolled("王强")
    await commission.send("今年以来约谈多少次")
    # The real layout, held until the other person has had their answer: were it built on the event loop, the
    # loop would stand still here and the answer would come only after the file.
    layout, building, release = export.workbook_bytes, threading.Event(), threading.Event()

    def held(data: LedgerData) -> bytes:
        building.set()
        release.wait(timeout=5)
        return layout(data)

    monkeypatch.setattr(export, "workbook_bytes", held)
    since = (await control.get("events"))[-1]["seq"]
    exporting = asyncio.create_task(commission.press("导出 Excel"))
    assert await asyncio.to_thread(building.wait, 10)  # the bot has read the ledger and is laying it out
    await leader.send("今年以来约谈多少次")
    release.set()
    await exporting
    assert figures(leader.last_reply) == (0, 0)
    events = [
        (event["kind"], event["message"]["chat"]["id"], event["message"])
        for event in await control.get("events", since=since)
    ]
    seen = [
        "upload_document"
        if kind == "chat_action" and message.get("action") == "upload_document"
        else "document"
        if "document" in message
        else "answer"
        if chat == leader.chat_id and kind == "sent"
        else None
        for kind, chat, message in events
    ]
    assert [step for step in seen if step] == ["upload_document", "answer", "document"]
    book = openpyxl.load_workbook(
        io.BytesIO(await _download(commission, commission.replies[-1]["document"]["file_id"]))
    )
    assert len(list(book["明细账"].iter_rows(min_row=4))) == 600  # two people in each of the 300 talks


def test_a_long_content_wraps_in_a_row_tall_enough_to_show_it() -> None:
    content = "就工程项目管理、资金使用和作风建设中存在的问题进行约谈，提出整改要求。" * 4  # 136 characters
    row: list[object] = ["2025-000001", date(2025, 3, 2), None, "工作约谈", "个人", "面谈", "赵敏", "兰州市"]
    row += ["乡科级", 1, "", "主题", content, "张建平", "", 0, "张建平"]
    data = LedgerData(
        language="zh-CN",
        title_scope="兰州市",
        scope="兰州市",
        start=date(2025, 1, 1),
        last=date(2025, 3, 31),
        exported=datetime(2025, 3, 5, 15, 0),
        detail=[row, [*row[:12], "短", *row[13:]]],
    )
    detail = openpyxl.load_workbook(io.BytesIO(workbook_bytes(data)))["明细账"]
    assert detail["N4"].value == content and detail["N4"].alignment.wrap_text
    assert 42 <= detail.column_dimensions["N"].width < 43  # wrapped at 40 columns, not one line across the page
    assert detail.row_dimensions[4].height >= 5 * 15  # 136 characters of about 26 a line
    assert detail.row_dimensions[5].height is None  # a short text: the default height


def test_the_summary_ledger_has_a_native_stacked_chart_of_the_monthly_tally() -> None:
    data = LedgerData(
        language="zh-CN",
        title_scope="兰州市",
        scope="兰州市",
        start=date(2025, 1, 1),
        last=date(2025, 3, 31),
        exported=datetime(2025, 3, 5, 15, 0),
        kinds=["工作约谈", "提醒约谈"],
        months=[(date(2025, 1, 1), [1, 0]), (date(2025, 2, 1), [0, 0]), (date(2025, 3, 1), [2, 1])],
        talks=4,
    )
    with zipfile.ZipFile(io.BytesIO(workbook_bytes(data))) as book:
        [chart] = [name for name in book.namelist() if name.startswith("xl/charts/chart")]
        xml = book.read(chart).decode()
    xml = re.sub(r"<(/?)c:", r"<\1", xml)  # the chart namespace's prefix, if the writer uses one

    def refs(tag: str, kind: str) -> list[str]:
        """Where a series takes its name, values or categories, as A1 references without quotes or $."""
        found = re.findall(rf"<{tag}><{kind}><f>([^<]+)</f>", xml)
        return [ref.replace("'", "").replace("$", "") for ref in found]

    assert '<grouping val="stacked"' in xml and '<barDir val="col"' in xml
    # One series a kind, its name from the header and its values the months' rows, the months as categories.
    assert refs("tx", "strRef") == ["汇总账!B3", "汇总账!C3"]
    assert refs("val", "numRef") == ["汇总账!B4:B6", "汇总账!C4:C6"]
    assert refs("cat", "numRef") == ["汇总账!A4:A6"] * 2


def test_a_ledger_exported_in_english_reads_back_as_the_same_talks(config: Config) -> None:
    english = header("en", "detail_header")
    chinese = [
        1, "2025-000001", "2025-03-02", "09:30", "工作约谈", "个人", "面谈", "赵敏", "兰州市/城关区/建设局", "乡科级",
        "1", "", "落实两个责任", "", "张建平", "", "0", "",
    ]  # fmt: skip
    english_row = [str(cell) for cell in [*chinese[:4], "Work talk", "individual", "face to face", *chinese[7:9]]]
    english_row += ["Township level", *[str(cell) for cell in chinese[10:]]]
    title = ["兰州市 talk ledger (March 2025)"]
    files = [[title, [], DETAIL_HEADER, [str(cell) for cell in chinese]], [title, [], english, english_row]]
    read = [parse_ledger(table, config, date(2025, 3, 5)) for table in files]
    assert read[0] == read[1] and read[0][1] == [] and len(read[0][0]) == 1
    [talk] = read[0][0]
    assert (talk.row, talk.format, talk.channel, talk.held) == (4, "individual", "face", datetime(2025, 3, 2, 9, 30))


CJK = re.compile(r"[\u2e80-\u9fff\uff00-\uffef]")


async def test_an_english_ledger_names_kinds_and_rank_levels_in_english(enrolled: Enroll, config: Config) -> None:
    await seed(config, FIRST_QUARTER)
    commission = await enrolled("张建平")
    await commission.send("/lang")
    await commission.press("English")
    await commission.send("how many talks in 2025 H1")
    await commission.press(text("en", "stats.button.excel"))
    content = await _download(commission, commission.replies[-1]["document"]["file_id"])
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Talks", "Rectification", "Summary"]
    detail = rows(book["Talks"])
    columns = {name: index for index, name in enumerate(detail[2])}
    shown = [row[columns["Kind"]] for row in detail[3:]] + [row[columns["Rank level"]] for row in detail[3:]]
    assert set(shown) == {"Work talk", "County level", "Township level"}
    summary = rows(book["Summary"])
    headers = [row for row in summary if row and row[0] in ("Month", "Rank level", "Unit")]
    assert headers[0][:3] == ("Month", "Work talk", "Reminder talk")
    ranks = summary[summary.index(headers[1]) + 1 : summary.index(headers[1]) + 5]
    assert [row[0] for row in ranks] == ["Prefecture level", "County level", "Township level", "Other"]
    # Every text but names of units and people (the rows of the detail and the unit table) is English.
    units = summary[summary.index(headers[2]) + 1 :]
    words = [cell for row in [*detail[:3], *summary[: summary.index(headers[2]) + 1]] for cell in row]
    words += [*shown, *[row[0] for row in units if row[0] in ("Distinct total",)]]
    assert not [word for word in words if isinstance(word, str) and CJK.search(word.replace("兰州市", ""))]
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        chart = next(archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/charts/chart"))
    assert not CJK.search(chart.replace("Summary", ""))  # series names are cell references to English headers


async def test_the_detail_ledger_gives_the_unit_a_person_was_in_at_the_talk(enrolled: Enroll, config: Config) -> None:
    await seed(config, FIRST_QUARTER[:1])  # 李华, in 兰州市/城关区 at the talk
    engine = open_engine(config.database_url)
    async with sessions(engine).begin() as session:
        [moved] = [person for person in await people.people_within(session, None) if person.name == "李华"]
        before = moved.unit.path
        elsewhere = await people.ensure_unit(session, "兰州市/榆中县/调入单位")
        moved.unit, moved.unit_id = elsewhere, elsewhere.id
    await engine.dispose()
    commission = await enrolled("张建平")
    await commission.send("今年第一季度约谈多少次")
    await commission.press("导出 Excel")
    book = openpyxl.load_workbook(
        io.BytesIO(await _download(commission, commission.replies[-1]["document"]["file_id"]))
    )
    [row] = book["明细账"].iter_rows(min_row=4, values_only=True)
    assert (row[7], row[8]) == ("李华", before) and before.startswith("兰州市/城关区")
