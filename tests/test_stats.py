"""Summary queries end to end: a fixture ledger whose true figures the test computes on its own, questions
asked in plain words through the emulator, figures checked exactly; drill-down lists match counts."""

from __future__ import annotations

import io
import random
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from sqlalchemy import event, func, select, update

from bot.clock import ManualClock
from bot.config import Config
from bot.i18n import text
from handlers.telegram.app import TalkApplication
from handlers.telegram.transcript import ChatUser, EmulatorClient
from storage import people
from storage.db import open_engine, sessions
from storage.models import Person, SavedQuestion, Talk, TalkParticipant
from tests.conftest import MESSENGERS, Enroll, People, fw

ZONE = ZoneInfo("Asia/Shanghai")
KINDS = ["工作约谈", "提醒约谈", "告诫约谈", "廉政谈话", "诫勉谈话"]
RANKS = ["地厅级", "县处级", "乡科级", "其他"]
SUBJECTS = [  # (name, unit, rank) — the demo roster's unit heads and leaders, and a few more
    ("赵敏", "兰州市/城关区/建设局", "乡科级"),
    ("孙磊", "兰州市/城关区/教育局", "乡科级"),
    ("周涛", "兰州市/榆中县/交通局", "乡科级"),
    ("李华", "兰州市/城关区", "县处级"),
    ("王强", "兰州市/榆中县", "县处级"),
    ("钱进", "兰州市/城关区/财政局", "其他"),
    ("吴刚", "兰州市/榆中县/教育局", "县处级"),
    ("郑洁", "兰州市/市纪委", "地厅级"),
]
LEADS = ["张建平", "李华", "王强"]


@dataclass(frozen=True)
class FixtureTalk:
    held: datetime  # local
    kind: str
    collective: bool
    subjects: tuple[tuple[str, str, str], ...]
    lead: str


def fixture_ledger() -> list[FixtureTalk]:
    chance = random.Random(20250305)
    talks = []
    start = datetime(2024, 10, 1, 8, 0)
    for _ in range(160):
        held = start + timedelta(minutes=chance.randrange(0, 155 * 24 * 60))
        if held >= datetime(2025, 3, 5, 15, 0):
            continue
        collective = chance.random() < 0.25
        subjects = tuple(chance.sample(SUBJECTS, chance.randint(2, 5) if collective else 1))
        talks.append(FixtureTalk(held, chance.choice(KINDS), collective, subjects, chance.choice(LEADS)))
    # Edges: the first minute of this month, the last minute of last month (local time, UTC the day before).
    talks.append(FixtureTalk(datetime(2025, 3, 1, 0, 0), "工作约谈", False, (SUBJECTS[0],), "张建平"))
    talks.append(FixtureTalk(datetime(2025, 2, 28, 23, 59), "告诫约谈", False, (SUBJECTS[3],), "张建平"))
    return talks


def truth(
    talks: list[FixtureTalk],
    start: date,
    end: date,
    *,
    kind: str | None = None,
    collective: bool | None = None,
    unit: str | None = None,
    rank: str | None = None,
    lead: str | None = None,
) -> tuple[int, int]:
    """(talks, person-times), counted straight from the fixture."""
    count = times = 0
    for talk in talks:
        if not start <= talk.held.date() < end or (kind and talk.kind != kind) or (lead and talk.lead != lead):
            continue
        if collective is not None and talk.collective != collective:
            continue
        matching = [
            s
            for s in talk.subjects
            if (unit is None or s[1] == unit or s[1].startswith(unit + "/")) and (rank is None or s[2] == rank)
        ]
        if matching:
            count += 1
            times += len(matching)
    return count, times


@pytest.fixture
async def ledger(config: Config, invites: dict[str, str]) -> list[FixtureTalk]:
    return await seed_ledger(config)


async def seed_ledger(config: Config) -> list[FixtureTalk]:
    """The fixture ledger written to the database, after the demo roster."""
    talks = fixture_ledger()
    engine = open_engine(config.database_url)
    now = datetime(2025, 3, 5, tzinfo=UTC)
    async with sessions(engine).begin() as session:
        found: dict[str, Person] = {}
        for name, unit_path, rank in SUBJECTS:
            found[name] = await people.find_or_add(session, name=name, unit_path=unit_path, rank_level=rank, now=now)
        for name in LEADS:
            if name not in found:
                match = [p for p in await people.people_within(session, None, name) if p.name == name]
                found[name] = match[0]
        for number, talk in enumerate(sorted(talks, key=lambda t: t.held), start=1):
            session.add(
                Talk(
                    ledger_no=f"{talk.held.year}-{number:06d}",
                    kind=talk.kind,
                    format="collective" if talk.collective else "individual",
                    channel="face",
                    held_at=talk.held.replace(tzinfo=ZONE),
                    time_known=True,
                    place="",
                    topic=f"主题{number}",
                    content="",
                    lead_id=found[talk.lead].id,
                    logged_by_id=found[talk.lead].id,
                    deleted=False,
                    created_at=now,
                    updated_at=now,
                    items=[],
                    attachments=[],
                    participants=[
                        TalkParticipant(
                            person_id=found[s[0]].id, role="subject", rank_level=s[2], unit_id=found[s[0]].unit_id
                        )
                        for s in talk.subjects
                    ],
                )
            )
    await engine.dispose()
    return talks


def figures(reply: str) -> tuple[int, int]:
    found = re.search(r"共开展约谈 (\d+) 次.*累计约谈 (\d+) 人次", reply, re.S)
    assert found, reply
    return int(found[1]), int(found[2])


def rows(reply: str) -> dict[str, tuple[int, int]]:
    return {
        m[1]: (int(m[2]), int(m[3])) for m in re.finditer(r"^\d+\. (.+?)\uff1a(\d+) 次\uff0c(\d+) 人次$", reply, re.M)
    }


THIS_MONTH = (date(2025, 3, 1), date(2025, 4, 1))
LAST_MONTH = (date(2025, 2, 1), date(2025, 3, 1))


@pytest.mark.parametrize("messenger", MESSENGERS)
async def test_the_commission_asks_in_plain_words_and_gets_exact_figures(
    enrolled: Enroll, ledger: list[FixtureTalk], messenger: str
) -> None:
    commission = await enrolled("张建平")

    await commission.send("本月约谈多少次")
    assert figures(commission.last_reply) == truth(ledger, *THIS_MONTH)
    assert "2025-03-01 至 2025-03-31 · 兰州市" in commission.last_reply

    await commission.send("上个月各类约谈分别多少")
    by_kind = rows(commission.last_reply)
    assert by_kind == {k: truth(ledger, *LAST_MONTH, kind=k) for k in KINDS if truth(ledger, *LAST_MONTH, kind=k)[0]}
    assert figures(commission.last_reply) == truth(ledger, *LAST_MONTH)

    await commission.send("上季度告诫约谈几次")
    assert figures(commission.last_reply) == truth(ledger, date(2024, 10, 1), date(2025, 1, 1), kind="告诫约谈")

    await commission.send("今年上半年约谈人次按级别统计")
    by_rank = rows(commission.last_reply)
    for rank in ("地厅级", "县处级", "乡科级", "其他"):
        expected = truth(ledger, date(2025, 1, 1), date(2025, 7, 1), rank=rank)
        assert by_rank.get(rank, (0, 0)) == expected, rank

    await commission.send("去年12月城关区约谈了多少人次")
    assert figures(commission.last_reply) == truth(ledger, date(2024, 12, 1), date(2025, 1, 1), unit="兰州市/城关区")

    await commission.send("今年以来张建平主持了几次约谈")
    assert figures(commission.last_reply) == truth(ledger, date(2025, 1, 1), date(2025, 3, 6), lead="张建平")

    await commission.send("最近30天集体约谈几次")
    assert figures(commission.last_reply) == truth(ledger, date(2025, 2, 4), date(2025, 3, 6), collective=True)

    await commission.send("县处级干部本季度被约谈多少人次")
    assert figures(commission.last_reply) == truth(ledger, date(2025, 1, 1), date(2025, 4, 1), rank="县处级")

    await commission.send("2015年1-6月约谈情况")
    assert figures(commission.last_reply) == (0, 0) and "2015-01-01 至 2015-06-30" in commission.last_reply

    await commission.send("各单位约谈次数排名")
    ranking = rows(commission.last_reply)
    year = (date(2025, 1, 1), date(2026, 1, 1))
    for unit in ("兰州市/城关区", "兰州市/榆中县", "兰州市/市纪委"):
        assert ranking[unit] == truth(ledger, *year, unit=unit), unit
    talks_per_unit = [count for count, _ in ranking.values()]
    assert talks_per_unit == sorted(talks_per_unit, reverse=True)


async def test_english_questions(enrolled: Enroll, ledger: list[FixtureTalk]) -> None:
    commission = await enrolled("张建平")
    await commission.send("/lang")
    await commission.press("English")
    await commission.send("how many talks this month")
    talks, times = truth(ledger, *THIS_MONTH)
    assert f"{talks} talks in all" in commission.last_reply and f"{times} person-times in all" in commission.last_reply
    await commission.send("reminder talks last quarter by unit")
    quarter = (date(2024, 10, 1), date(2025, 1, 1))
    expected = truth(ledger, *quarter, kind="提醒约谈", unit="兰州市/城关区")
    assert f"兰州市/城关区: {expected[0]} talks, {expected[1]} person-times" in commission.last_reply
    await commission.send("person-times in 2025 H1 by rank level")
    expected = truth(ledger, date(2025, 1, 1), date(2025, 7, 1), rank="乡科级")
    assert f"乡科级: {expected[0]} talks, {expected[1]} person-times" in commission.last_reply


@pytest.mark.parametrize("messenger", MESSENGERS)
async def test_the_records_behind_a_figure_match_it(
    enrolled: Enroll, ledger: list[FixtureTalk], messenger: str
) -> None:
    commission = await enrolled("张建平")
    await commission.send("上个月约谈多少次")
    talks, _ = figures(commission.last_reply)
    listed: list[str] = []
    await commission.press("查看明细")
    while True:
        listed += [line for line in commission.last_reply.splitlines()[1:] if line]
        assert commission.last_reply.splitlines()[0].endswith(fw(f"共 {talks} 条):"))
        if "下一页 ▶" not in await commission.buttons():
            break
        await commission.press("下一页 ▶")
    assert len(listed) == len(set(listed)) == talks
    assert all(line.split(" · ")[1].startswith("2025-02") for line in listed)


@pytest.mark.parametrize("messenger", MESSENGERS)
async def test_the_excel_file_has_the_detail_and_summary_ledgers(
    enrolled: Enroll, ledger: list[FixtureTalk], control: EmulatorClient, messenger: str
) -> None:
    commission = await enrolled("张建平")
    await commission.send("上个月约谈多少次")
    talks, times = figures(commission.last_reply)
    await commission.press("导出 Excel")
    document = commission.replies[-1]["document"]
    assert document["file_name"] == "talkledger-2025-02-01-2025-02-28.xlsx"
    content = await _download(commission, document["file_id"])
    book = openpyxl.load_workbook(io.BytesIO(content))
    detail = list(book["明细账"].iter_rows(values_only=True))
    assert detail[2][:5] == ("序号", "台账编号", "日期", "时间", "类型") and book["明细账"].freeze_panes == "A4"
    # One row a person talked to: the ledger numbers count the talks, the rows (each one 人次) the person-times.
    assert len({row[1] for row in detail[3:]}) == talks and sum(int(row[10]) for row in detail[3:]) == times
    assert [row[0] for row in detail[3:]] == list(range(1, times + 1))
    tally = list(book["汇总账"].iter_rows(values_only=True))
    assert tally[2][0] == "月份" and tally[3][0] == datetime(2025, 2, 1) and tally[3][-1] == talks


async def _download(user: ChatUser, file_id: str) -> bytes:
    return await user.download(file_id)


async def test_a_leader_sees_only_their_own_talks_and_a_member_nothing(
    enrolled: Enroll, ledger: list[FixtureTalk]
) -> None:
    leader = await enrolled("王强")
    await leader.send("今年以来约谈多少次")
    assert figures(leader.last_reply) == truth(ledger, date(2025, 1, 1), date(2025, 3, 6), lead="王强")
    assert "王强 主持或登记的谈话" in leader.last_reply
    member = await enrolled("赵敏")
    await member.send("本月约谈多少次")  # told the same true thing as /stats tells them, no figure
    assert member.last_reply == text("zh-CN", "refusal.not_allowed")
    await member.send("/stats")
    assert member.last_reply == text("zh-CN", "refusal.not_allowed")


async def test_not_understood_says_so_and_offers_examples(enrolled: Enroll, ledger: list[FixtureTalk]) -> None:
    commission = await enrolled("张建平")
    await commission.send("天气怎么样")
    leftovers = text("zh-CN", "stats.ask.leftovers", words="“天气怎么样”")
    assert commission.last_reply == text(
        "zh-CN", "stats.not_understood", understood="", leftovers=leftovers, nearest=""
    )
    assert "共开展约谈" not in commission.last_reply
    await commission.press("本月约谈多少次")
    assert figures(commission.last_reply) == truth(ledger, *THIS_MONTH)


@pytest.mark.parametrize("messenger", MESSENGERS)
async def test_stats_by_buttons(enrolled: Enroll, ledger: list[FixtureTalk], messenger: str) -> None:
    commission = await enrolled("张建平")
    await commission.send("/stats")
    await commission.press("上月：2025年2月")
    assert figures(commission.last_reply) == truth(ledger, *LAST_MONTH)
    await commission.press("按月份")
    assert rows(commission.last_reply) == {"2025-02": truth(ledger, *LAST_MONTH)}
    stale = await commission.press(data="sq:99999:unit", message_id=commission.replies[-1]["message_id"])
    assert stale["text"] == text("zh-CN", "button.stale")


async def test_the_same_question_asked_again_reuses_its_saved_row(
    enrolled: Enroll, ledger: list[FixtureTalk], config: Config
) -> None:
    commission = await enrolled("张建平")

    def question_ids() -> set[str]:
        markup = commission.replies[-1]["reply_markup"]["inline_keyboard"]
        return {button["callback_data"].split(":")[1] for row in markup for button in row}

    await commission.send("上个月约谈多少次")
    first = question_ids()
    await commission.send("本月约谈多少次")
    other = question_ids()
    await commission.send("上个月约谈多少次")
    assert question_ids() == first and len(first) == 1 and other != first
    await commission.press("查看明细")  # the reused row still answers its buttons
    assert commission.last_reply.splitlines()[0].endswith(fw(f"共 {truth(ledger, *LAST_MONTH)[0]} 条):"))
    engine = open_engine(config.database_url)
    async with engine.connect() as connection:
        saved = (await connection.execute(select(SavedQuestion.body))).scalars().all()
    await engine.dispose()
    assert len(saved) == len(set(saved)) == 2


async def test_a_repeated_question_is_answered_from_memory_until_the_ledger_changes(
    enrolled: Enroll, ledger: list[FixtureTalk], config: Config, bot: TalkApplication
) -> None:
    leader = await enrolled("李华")
    own = truth(ledger, *THIS_MONTH, lead="李华")
    statements: list[str] = []
    engine = bot.bot_data["services"].engine
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *args: statements.append(args[2]))

    def counted() -> bool:
        return any("talk_participants" in s or "talk_tallies" in s for s in statements)

    await leader.send("本月约谈多少次")
    assert figures(leader.last_reply) == own and counted()
    statements.clear()
    await leader.send("本月约谈多少次")
    assert figures(leader.last_reply) == own and not counted()  # from memory

    # A talk logged through the bot is in the next answer.
    await leader.send("/log")
    await leader.press("工作约谈")
    await leader.send("zm")  # 赵敏
    await leader.press("刚才")
    await leader.send("落实主体责任情况")
    await leader.send("台账不全\n一个月内补齐")
    await leader.press("1个月")
    await leader.press("✅ 确认登记")
    statements.clear()
    await leader.send("本月约谈多少次")
    assert figures(leader.last_reply) == (own[0] + 1, own[1] + 1) and counted()

    # So is an operator's correction in SQL, outside the bot and its code: the database's triggers tell.
    other = open_engine(config.database_url)
    async with other.begin() as connection:
        newest = await connection.scalar(select(func.max(Talk.id)))
        await connection.execute(update(TalkParticipant).where(TalkParticipant.talk_id == newest).values(counted=False))
    await other.dispose()
    await leader.send("本月约谈多少次")
    assert figures(leader.last_reply) == own


async def test_another_persons_saved_question_is_refused(
    enrolled: Enroll, ledger: list[FixtureTalk], person: People
) -> None:
    commission = await enrolled("张建平")
    await commission.send("本月约谈多少次")
    leader = await enrolled("李华")
    await leader.send("/stats")
    answer = await leader.press(data="sq:1:records:0", message_id=leader.replies[-1]["message_id"])
    assert answer["text"] == text("zh-CN", "button.stale")


async def test_the_monthly_and_quarterly_reports_arrive_without_asking(
    enrolled: Enroll, ledger: list[FixtureTalk], clock: ManualClock, bot: TalkApplication
) -> None:
    commission = await enrolled("张建平")
    sweep = bot.bot_data["sweeper"].sweep

    def at(local: str) -> datetime:
        return datetime.fromisoformat(local).replace(tzinfo=ZONE).astimezone(UTC)

    async def reports() -> list[str]:
        return [str(m["text"]) for m in await commission.bot_messages() if str(m.get("text", "")).startswith("📅")]

    await sweep()  # 2025-03-05: February's report, due on the 1st, was missed: it goes out now, once
    [february] = await reports()
    assert february.startswith(text("zh-CN", "report.monthly"))
    assert figures(february) == truth(ledger, *LAST_MONTH)
    await sweep()
    assert len(await reports()) == 1

    clock.set(at("2025-04-01 08:59"))
    await sweep()
    assert len(await reports()) == 1
    clock.set(at("2025-04-01 09:00"))
    await sweep()
    march, bulletin = (await reports())[1:]
    assert figures(march) == truth(ledger, *THIS_MONTH)
    assert bulletin.startswith(text("zh-CN", "report.quarterly"))
    assert figures(bulletin) == truth(ledger, date(2025, 1, 1), date(2025, 4, 1))
    assert "按单位" in bulletin and text("zh-CN", "stats.overdue_none", today="2025-04-01") in bulletin
    clock.set(at("2025-05-20 10:00"))  # May's run was missed for too long: not sent late
    await sweep()
    assert len(await reports()) == 3


async def test_the_charts_are_phone_sized_pngs_with_every_label_in_the_cjk_font(
    enrolled: Enroll, ledger: list[FixtureTalk]
) -> None:
    from bot.ledgers.chart import glyphs_missing

    commission = await enrolled("张建平")
    await commission.send("今年以来约谈多少次")
    await commission.press("图表")
    months, ranks = commission.replies[-2:]  # one chart a measure
    assert months["caption"] == text("zh-CN", "stats.chart_title", start="2025-01-01", end="2025-03-05")
    assert ranks["caption"] == text("zh-CN", "stats.rank_chart_title", start="2025-01-01", end="2025-03-05")
    for photo in (months, ranks):
        content = await _download(commission, photo["photo"][-1]["file_id"])
        assert content[:8] == b"\x89PNG\r\n\x1a\n"
        assert 600 < photo["photo"][-1]["width"] <= 1280
    labels = [*KINDS, *RANKS, months["caption"], ranks["caption"], text("zh-CN", "stats.chart_axis")]
    assert glyphs_missing([*labels, text("zh-CN", "stats.rank_chart_axis")]) == set()


async def test_english_charts_have_english_captions_kinds_and_rank_levels(
    enrolled: Enroll, ledger: list[FixtureTalk], monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.ledgers import chart

    drawn: dict[str, list[str]] = {}
    month_kind_chart, rank_chart = chart.month_kind_chart, chart.rank_chart

    def months_drawn(counts: Any, kinds: Any, title: str, axis: str, names: Any = None) -> bytes:
        drawn["kinds"] = [names[kind] for kind in kinds]
        return month_kind_chart(counts, kinds, title, axis, names)

    def ranks_drawn(rows: Any, title: str, axis: str) -> bytes:
        drawn["ranks"] = [label for label, _ in rows]
        return rank_chart(rows, title, axis)

    monkeypatch.setattr(chart, "month_kind_chart", months_drawn)
    monkeypatch.setattr(chart, "rank_chart", ranks_drawn)
    commission = await enrolled("张建平")
    await commission.send("/lang")
    await commission.press("English")
    await commission.send("how many talks this year")
    await commission.press(text("en", "stats.button.chart"))
    months, ranks = commission.replies[-2:]
    assert months["caption"] == text("en", "stats.chart_title", start="2025-01-01", end="2025-12-31")
    assert ranks["caption"] == text("en", "stats.rank_chart_title", start="2025-01-01", end="2025-12-31")
    assert all(photo["photo"][-1]["width"] <= 1280 for photo in (months, ranks))
    assert drawn == {
        "kinds": ["Work talk", "Reminder talk", "Warning talk", "Integrity talk", "Admonition talk"],
        "ranks": ["Prefecture level", "County level", "Township level", "Other"],
    }


async def set_plan(
    config: Config, *, every: dict[str, str], quota: dict[str, tuple[int, str]], excused: dict[str, str]
) -> None:
    from storage import coverage

    engine = open_engine(config.database_url)
    async with sessions(engine).begin() as session:
        for person in await people.people_within(session, None):
            person.talk_every = every.get(person.name, "")
            person.quota_talks, person.quota_per = quota.get(person.name, (None, ""))
            if person.name in excused:
                coverage.add_exclusion(session, person, date(2025, 1, 1), date(2025, 12, 31), excused[person.name])
    await engine.dispose()


async def test_coverage_of_required_people_and_quota_progress(
    enrolled: Enroll, ledger: list[FixtureTalk], config: Config
) -> None:
    heads = ["赵敏", "孙磊", "钱进", "吴刚", "张建平"]  # 张建平 leads talks but is never talked to
    await set_plan(
        config,
        every={name: "quarter" for name in [*heads, "周涛"]},
        quota={"张建平": (10, "month")},
        excused={"周涛": "借调"},
    )
    commission = await enrolled("张建平")
    await commission.send("本年度一把手约谈覆盖率")
    # This year up to 2025-03-05 is one quarter window (Q1) for everyone required.
    talked = {s[0] for t in ledger if date(2025, 1, 1) <= t.held.date() < date(2025, 4, 1) for s in t.subjects}
    covered = [name for name in heads if name in talked]
    assert 0 < len(covered) < len(heads)
    rate = f"{len(covered) / len(heads):.1%}"
    assert (
        text("zh-CN", "coverage.summary", rate=rate, covered=len(covered), required=len(heads), excused=1)
        in commission.last_reply
    )
    assert fw("不计:周涛(借调)") in commission.last_reply
    for name in set(heads) - set(covered):
        assert fw(f"  {name}(") in commission.last_reply
    await commission.send("本月约谈指标完成情况")
    led = sum(1 for t in ledger if t.lead == "张建平" and date(2025, 3, 1) <= t.held.date() < date(2025, 4, 1))
    assert led > 0
    assert fw(f"张建平:{led}/10 次(2025-03-01 至 2025-03-31;指标每月 10 次)") in commission.last_reply
    await commission.send("约谈指标完成情况")  # no period: this year, as the heading says, the quota scaled to it
    led = sum(1 for t in ledger if t.lead == "张建平" and t.held.year == 2025)
    assert fw("今年(2025-01-01 至 2025-12-31)") in commission.last_reply
    assert fw(f"张建平:{led}/120 次(2025-01-01 至 2025-12-31;指标每月 10 次)") in commission.last_reply


async def test_the_commission_group_gets_aggregates_and_never_records(
    enrolled: Enroll, ledger: list[FixtureTalk], person: People
) -> None:
    commission = await enrolled("张建平")
    group = {"id": -100777, "type": "supergroup", "title": "市纪委工作群"}
    in_group = person("张建平", chat=group)
    in_group.user_id = commission.user_id
    await in_group.send("/ask 本月约谈多少次")  # not registered yet: a pointer to the private chat only
    assert "https://t.me/talkledger_bot" in in_group.last_reply and "约谈" not in in_group.last_reply[:4]
    await in_group.send("/group")
    assert in_group.last_reply == text("zh-CN", "group.on")
    await in_group.send("/ask 本月约谈多少次")
    assert figures(in_group.last_reply) == truth(ledger, *THIS_MONTH)
    assert in_group.replies[-1].get("reply_markup") is None  # no records, Excel or chart buttons here
    await in_group.send("/ask 逾期未整改的问题有哪些")
    assert in_group.last_reply == text("zh-CN", "group.aggregates_only")
    leader = await enrolled("李华")
    as_leader = person("李华", chat=group)
    as_leader.user_id = leader.user_id
    await as_leader.send("/ask 本月约谈多少次")
    assert as_leader.last_reply == text("zh-CN", "refusal.not_allowed")
    await in_group.send("/group off")
    await in_group.send("/ask 本月约谈多少次")
    assert "https://t.me/talkledger_bot" in in_group.last_reply
