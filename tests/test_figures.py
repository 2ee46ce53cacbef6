"""Figures that add up and answer the period asked (issue 20, issue 13 part 4), end to end through the emulator:
completion rates that count every closed item, by-unit breakdowns that state their rule and agree with the
quarterly ranking and the Excel summary, quotas for any period, empty answers in words, rank levels in order."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import openpyxl

from bot.clock import ManualClock
from bot.config import Config
from bot.i18n import text
from storage import people
from storage.db import open_engine, sessions
from storage.models import Talk, TalkParticipant
from tests.conftest import Enroll, Sweep
from tests.test_followup import press_on
from tests.test_stats import _download, figures, rows
from tests.test_talklog import quick_individual_talk

ZONE = ZoneInfo("Asia/Shanghai")


def zh(key: str, /, **params: object) -> str:
    return text("zh-CN", key, **params)


async def seed(config: Config, talks: list[tuple[str, str, tuple[str, ...]]]) -> None:
    """Talks of the demo roster as (local time, lead, people talked to); several people make a collective talk."""
    engine = open_engine(config.database_url)
    now = datetime(2025, 3, 5, tzinfo=UTC)
    async with sessions(engine).begin() as session:
        found = {p.name: p for p in await people.people_within(session, None)}
        for number, (held, lead, subjects) in enumerate(talks, start=1):
            session.add(
                Talk(
                    ledger_no=f"2025-{900000 + number}",
                    kind="工作约谈",
                    format="collective" if len(subjects) > 1 else "individual",
                    channel="face",
                    held_at=datetime.fromisoformat(held).replace(tzinfo=ZONE),
                    time_known=True,
                    topic=f"主题{number}",
                    lead_id=found[lead].id,
                    logged_by_id=found[lead].id,
                    deleted=False,
                    created_at=now,
                    updated_at=now,
                    participants=[
                        TalkParticipant(
                            person_id=found[name].id,
                            role="subject",
                            rank_level=found[name].rank_level,
                            unit_id=found[name].unit_id,
                        )
                        for name in subjects
                    ],
                )
            )
    await engine.dispose()


async def set_quotas(config: Config, quotas: dict[str, tuple[int, str]]) -> None:
    engine = open_engine(config.database_url)
    async with sessions(engine).begin() as session:
        for person in await people.people_within(session, None):
            person.quota_talks, person.quota_per = quotas.get(person.name, (None, ""))
    await engine.dispose()


# One collective talk reaching 城关区 and 榆中县, two individual talks in 城关区; nothing for 市纪委.
FIRST_QUARTER = [
    ("2025-01-20 10:00", "张建平", ("李华",)),
    ("2025-02-10 09:00", "张建平", ("赵敏", "周涛")),
    ("2025-02-12 15:00", "李华", ("孙磊",)),
]


async def test_a_cross_unit_talk_in_the_unit_breakdown_the_ranking_and_the_excel_summary_agree(
    enrolled: Enroll, config: Config, clock: ManualClock, sweep: Sweep
) -> None:
    commission = await enrolled("张建平")
    await seed(config, FIRST_QUARTER)
    # Per unit reached: the collective talk counts in both districts; person-times in each person's unit.
    expected = {"兰州市/城关区": (3, 3), "兰州市/榆中县": (1, 1), "兰州市/市纪委": (0, 0)}
    rule = zh("stats.by_unit_rule", sum=4, talks=3, person_times=4)

    await commission.send("今年第一季度各单位约谈次数排名")
    reply = commission.last_reply
    assert figures(reply) == (3, 4)
    assert rows(reply) == expected and list(rows(reply)) == list(expected)  # largest first, the empty unit last
    assert rule in reply
    assert sum(times for _, times in rows(reply).values()) == figures(reply)[1]

    await commission.press("导出 Excel")
    book = openpyxl.load_workbook(
        io.BytesIO(await _download(commission, commission.replies[-1]["document"]["file_id"]))
    )
    sheet = list(book["汇总账"].iter_rows(values_only=True))
    sheet = [tuple(row[:3]) if row[1:] and row[1] is not None else row[:1] for row in sheet]
    units = sheet.index(("单位", "次数", "人次"))
    assert {row[0]: (row[1], row[2]) for row in sheet[units + 1 : units + 4]} == expected
    assert sheet[units + 4][:3] == ("不重复合计", 3, 4) and sheet[units + 5][0] == rule
    months = [datetime(2025, 1, 1), datetime(2025, 2, 1), datetime(2025, 3, 1), "合计"]
    assert [row[0] for row in sheet[3:7]] == months  # March: no talks, still a row
    assert [row[-1] for row in book["汇总账"].iter_rows(min_row=4, max_row=7, max_col=7, values_only=True)] == [
        1,
        2,
        0,
        3,
    ]
    ranks = sheet.index(("级别", "次数", "人次"))
    assert sheet[ranks + 1 : ranks + 6] == [
        ("地厅级", 0, 0),
        ("县处级", 1, 1),
        ("乡科级", 2, 3),
        ("其他", 0, 0),
        ("不重复合计", 3, 4),
    ]

    # The quarterly bulletin ranks the units by the same rule and says so.
    clock.set(datetime(2025, 4, 1, 9, 0, tzinfo=ZONE).astimezone(UTC))
    await sweep()
    said = [str(m.get("text", "")) for m in await commission.bot_messages()]
    [bulletin] = [message for message in said if message.startswith(zh("report.quarterly"))]
    assert rows(bulletin) == expected and rule in bulletin and figures(bulletin) == (3, 4)


async def test_rank_levels_in_order_and_every_month_of_the_period(enrolled: Enroll, config: Config) -> None:
    commission = await enrolled("张建平")
    await seed(config, FIRST_QUARTER)
    await commission.send("今年上半年约谈人次按级别统计")
    by_rank = rows(commission.last_reply)
    assert list(by_rank.items()) == [("地厅级", (0, 0)), ("县处级", (1, 1)), ("乡科级", (2, 3)), ("其他", (0, 0))]
    assert zh("stats.by_rank_rule", sum=3, talks=3, person_times=4) in commission.last_reply
    assert "县处级 1 人次、乡科级 3 人次" in commission.last_reply  # the sentence in the configured order too
    await commission.send("今年上半年按月统计约谈次数")
    by_month = rows(commission.last_reply)
    assert list(by_month.items()) == [
        ("2025-01", (1, 1)),
        ("2025-02", (2, 3)),
        ("2025-03", (0, 0)),
        ("2025-04", (0, 0)),
        ("2025-05", (0, 0)),
        ("2025-06", (0, 0)),
    ]
    await commission.send("今年第一季度城关区各单位约谈次数排名")  # the units directly under 城关区, none left out
    assert rows(commission.last_reply) == {
        "兰州市/城关区/教育局": (1, 1),
        "兰州市/城关区/建设局": (1, 1),
        "兰州市/城关区": (1, 1),  # 李华 himself, in the district and not in one of its bureaus
    }


async def test_empty_answers_are_worded(enrolled: Enroll, config: Config) -> None:
    commission = await enrolled("张建平")
    await commission.send("逾期未整改的问题有哪些")
    assert commission.last_reply == zh("stats.overdue_none", today="2025-03-05")
    await commission.send("2015年1-6月约谈情况")
    assert zh("stats.sentence_none") in commission.last_reply
    await commission.send("2015年约谈按主谈人统计")
    assert commission.last_reply.endswith(zh("stats.by.interviewer") + "\n" + zh("stats.by_none"))
    await commission.send("整改完成率")
    assert zh("stats.completion_none") in commission.last_reply
    await commission.send("本月整改问题")
    assert zh("stats.items_none") in commission.last_reply
    await commission.send("本年度约谈覆盖率")
    assert zh("coverage.none_required") in commission.last_reply
    for reply in commission.reply_texts:
        assert "—" not in reply and not re.search(r"共 0 个\uff1a", reply), reply


async def test_quotas_for_the_period_asked_as_the_commission_and_as_a_leader(enrolled: Enroll, config: Config) -> None:
    await set_quotas(config, {"张建平": (10, "month"), "李华": (10, "month"), "孙磊": (30, "quarter")})
    commission = await enrolled("张建平")
    leader = await enrolled("李华")
    await seed(
        config,
        [
            ("2024-12-20 10:00", "李华", ("赵敏",)),
            ("2025-02-03 10:00", "李华", ("赵敏",)),
            ("2025-02-17 10:00", "李华", ("孙磊",)),
            ("2025-03-03 10:00", "李华", ("赵敏",)),
            ("2025-03-04 10:00", "李华", ("孙磊",)),
            ("2025-03-05 09:00", "李华", ("赵敏", "孙磊")),
            ("2025-02-21 10:00", "张建平", ("李华",)),
        ],
    )

    def line(name: str, done: int, quota: int, start: str, end: str, each: int = 10, per: str = "月") -> str:
        mark = "✅" if done >= quota else "⏳"
        return zh(
            "coverage.quota_line",
            mark=mark,
            name=name,
            done=done,
            quota=quota,
            start=start,
            end=end,
            per=per,
            each=each,
        )

    await commission.send("上个月约谈指标完成情况")
    assert "2025-02-01 至 2025-02-28" in commission.last_reply.splitlines()[0]
    assert commission.last_reply.splitlines()[2:] == [
        line("李华", 2, 10, "2025-02-01", "2025-02-28"),
        line("孙磊", 0, 10, "2025-02-01", "2025-02-28", each=30, per="季度"),  # 30 a quarter: 10 a month
        line("张建平", 1, 10, "2025-02-01", "2025-02-28"),
    ]  # by unit path, then name
    await commission.send("本季度约谈指标完成情况")
    assert "2025-01-01 至 2025-03-31" in commission.last_reply.splitlines()[0]
    assert line("李华", 5, 30, "2025-01-01", "2025-03-31") in commission.last_reply
    assert line("孙磊", 0, 30, "2025-01-01", "2025-03-31", each=30, per="季度") in commission.last_reply
    await commission.send("今年约谈指标完成情况")
    assert line("张建平", 1, 120, "2025-01-01", "2025-12-31") in commission.last_reply
    assert line("孙磊", 0, 120, "2025-01-01", "2025-12-31", each=30, per="季度") in commission.last_reply
    await commission.send("我的约谈指标完成了多少")  # the commission member's own line only
    assert commission.last_reply.splitlines()[2:] == [line("张建平", 1, 120, "2025-01-01", "2025-12-31")]
    await commission.send("近30天约谈指标完成情况")  # not whole months: the talks, and no comparison made up
    assert (
        zh("coverage.quota_line_uneven", name="李华", done=4, start="2025-02-04", end="2025-03-05", per="月", each=10)
        in commission.last_reply
    )

    await leader.send("我的约谈指标完成了多少")
    assert leader.last_reply.splitlines()[2:] == [line("李华", 5, 120, "2025-01-01", "2025-12-31")]
    await leader.send("本月指标完成情况")
    assert leader.last_reply.splitlines()[2:] == [line("李华", 3, 10, "2025-03-01", "2025-03-31")]
    await leader.send("本月约谈多少次")
    assert figures(leader.last_reply)[0] == 3  # the same three talks
    await leader.send("上个月约谈指标完成情况")
    assert leader.last_reply.splitlines()[2:] == [line("李华", 2, 10, "2025-02-01", "2025-02-28")]
    await leader.send("本季度约谈指标完成情况")
    assert leader.last_reply.splitlines()[2:] == [line("李华", 5, 30, "2025-01-01", "2025-03-31")]
    await leader.send("今年约谈指标完成情况")
    assert leader.last_reply.splitlines()[2:] == [line("李华", 5, 120, "2025-01-01", "2025-12-31")]
    other = await enrolled("王强")
    await other.send("本月指标完成情况")
    assert other.last_reply.splitlines()[1] == zh("coverage.no_own_quota")


async def test_the_completion_rate_counts_a_closed_written_report(enrolled: Enroll, sweep: Sweep) -> None:
    commission = await enrolled("张建平")
    zhao = await enrolled("赵敏")
    leader = await enrolled("李华")
    await quick_individual_talk(leader)  # one problem item, and the 双报告 written-report item
    await sweep()
    await press_on(zhao, "✔️ 报告完成", containing=zh("item.followup_problem"))
    await zhao.send("书面报告已提交")
    await zhao.press("完成")
    await sweep()
    await leader.press("✅ 销号")
    assert leader.last_reply == zh("item.closed_done")
    await commission.send("整改完成率")
    assert zh("stats.completion", rate="50.0%", closed=1, count=2) in commission.last_reply
    assert zh("stats.completion_reports", reports=1) in commission.last_reply
