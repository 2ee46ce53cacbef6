"""Logging a talk end to end, as transcripts: a leader types and presses buttons; the database is read back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import ManualClock
from bot.config import Config
from bot.i18n import text
from handlers.telegram.transcript import ChatUser
from storage.db import ensure_schema, open_engine, sessions
from storage.models import Talk
from storage.talks import next_ledger_number
from tests.conftest import MESSENGERS, Enroll, People, fw


def zh(key: str, /, **params: object) -> str:
    return text("zh-CN", key, **params)


@pytest.fixture
async def ledger(config: Config) -> AsyncIterator[AsyncSession]:
    engine = open_engine(config.database_url)
    async with sessions(engine)() as session:
        yield session
    await engine.dispose()


async def saved_talk(session: AsyncSession, ledger_no: str) -> Talk:
    session.expire_all()
    talk = await session.scalar(select(Talk).where(Talk.ledger_no == ledger_no))
    assert talk is not None, ledger_no
    return talk


def ledger_number(reply: str) -> str:
    return reply.split("台账编号 ")[1].split("。")[0]


async def quick_individual_talk(leader: ChatUser) -> tuple[str, int]:
    """The quick path: an individual talk with one item when the defaults fit; (receipt, actions)."""
    actions = 0

    async def act(step: object) -> None:
        nonlocal actions
        actions += 1
        await step  # type: ignore[misc]

    await act(leader.send("/log"))
    await act(leader.press("工作约谈"))
    await act(leader.send("zm"))  # pinyin initials of 赵敏, the only match in 李华's units
    await act(leader.press("刚才"))
    await act(leader.send("落实全面从严治党主体责任情况"))
    await act(leader.send("工程项目台账不全\n一个月内补齐并建立月报制度"))
    await act(leader.press("1个月"))
    await act(leader.press("✅ 确认登记"))
    return leader.last_reply, actions


@pytest.mark.parametrize("messenger", MESSENGERS)
async def test_the_quick_path_takes_eight_actions_and_saves_every_field_exactly(
    enrolled: Enroll, ledger: AsyncSession, messenger: str
) -> None:
    leader = await enrolled("李华")
    receipt, actions = await quick_individual_talk(leader)
    assert actions <= 8
    assert receipt.startswith(zh("log.saved", ledger_no="2025-000001"))
    talk = await saved_talk(ledger, "2025-000001")
    assert (talk.kind, talk.format, talk.channel) == ("工作约谈", "individual", "face")
    assert talk.held_at == datetime(2025, 3, 5, 7, 0, tzinfo=UTC) and talk.time_known
    assert talk.topic == "落实全面从严治党主体责任情况" and talk.place == "" and talk.content == ""
    subjects = [p for p in talk.participants if p.role == "subject"]
    assert [(p.person.name, p.rank_level) for p in subjects] == [("赵敏", "乡科级")]
    assert talk.lead_id == talk.logged_by_id and talk.lead_id != subjects[0].person_id
    [item, report] = talk.items
    assert (item.number, item.problem, item.measure) == (1, "工程项目台账不全", "一个月内补齐并建立月报制度")
    assert item.deadline == date(2025, 4, 5) and item.responsible_id == subjects[0].person_id
    assert item.state == "open" and item.second_responsible_id is None
    # Ningbo's 双报告: a written report three months after the talk, planned like an item.
    assert (report.kind, report.deadline, report.responsible_id) == ("followup", date(2025, 6, 5), item.responsible_id)


async def test_an_individual_talk_with_two_items_typed_step_by_step(enrolled: Enroll, ledger: AsyncSession) -> None:
    leader = await enrolled("李华")
    await leader.send("/log")
    await leader.press("✓ 个人")  # the default: pressing it keeps it
    await leader.press("视频")
    await leader.press("提醒约谈")
    await leader.send("孙")
    assert leader.reply_texts[0] == zh("log.chosen", name="孙磊")
    await leader.send("昨天下午3点")
    await leader.send("教育经费管理")
    await leader.send("食堂经费公示不及时")
    assert leader.last_reply == zh("log.ask.measure", problem="食堂经费公示不及时")
    await leader.send("每月公示")
    await leader.send("2025-04-30")
    assert leader.last_reply.startswith(zh("log.review.title"))
    await leader.press("➕ 添加问题")
    await leader.send("班子会议记录不规范")
    await leader.send("规范会议记录")
    await leader.press("3个月")
    await leader.press("✏️ 地点")
    await leader.send("区纪委谈话室")
    await leader.press("✏️ 内容")
    await leader.send("通报了巡察发现的问题,提出整改要求。")
    await leader.press("✅ 确认登记")
    talk = await saved_talk(ledger, ledger_number(leader.last_reply))
    assert (talk.kind, talk.channel, talk.place) == ("提醒约谈", "video", "区纪委谈话室")
    assert talk.held_at == datetime(2025, 3, 4, 7, 0, tzinfo=UTC)
    assert talk.content == "通报了巡察发现的问题,提出整改要求。"
    assert [(i.number, i.problem, i.measure, i.deadline) for i in talk.items if i.kind == "problem"] == [
        (1, "食堂经费公示不及时", "每月公示", date(2025, 4, 30)),
        (2, "班子会议记录不规范", "规范会议记录", date(2025, 6, 5)),
    ]


async def test_a_collective_talk_with_five_people_is_one_talk_and_five_person_times(
    enrolled: Enroll, ledger: AsyncSession, config: Config
) -> None:
    commission = await enrolled("张建平")  # the commission covers the whole city
    await commission.send("/log")
    await commission.press("集体")
    await commission.press("告诫约谈")
    for name in ("赵敏", "孙磊", "周涛", "李华", "王强"):
        await commission.send(name)
        await commission.press(
            f"{name} · "
            + {
                "赵敏": "兰州市/城关区/建设局",
                "孙磊": "兰州市/城关区/教育局",
                "周涛": "兰州市/榆中县/交通局",
                "李华": "兰州市/城关区",
                "王强": "兰州市/榆中县",
            }[name]
        )
    assert zh("log.ask.subjects_collective", count=5, chosen="赵敏、孙磊、周涛、李华、王强") == commission.last_reply
    await commission.press("完成")
    await commission.press("刚才")
    await commission.send("城建系统作风问题集体约谈")
    await commission.send("工程审批拖延\n限期清理积压审批")
    await commission.press("3个月")
    assert commission.last_reply == zh("log.ask.responsible")
    await commission.press("李华")
    await commission.press("✅ 确认登记")
    talk = await saved_talk(ledger, ledger_number(commission.last_reply))
    subjects = [p for p in talk.participants if p.role == "subject"]
    assert talk.format == "collective" and len(subjects) == 5
    assert sorted(p.rank_level for p in subjects) == ["乡科级", "乡科级", "乡科级", "县处级", "县处级"]
    assert talk.items[0].responsible_id == next(p.person_id for p in subjects if p.person.name == "李华")


async def test_one_matter_two_talks_names_a_second_responsible_leader(enrolled: Enroll, ledger: AsyncSession) -> None:
    leader = await enrolled("李华")
    await leader.send("/log")
    await leader.press("工作约谈")
    await leader.send("赵敏")
    await leader.press("刚才")
    await leader.send("项目资金拨付问题")
    await leader.send("资金拨付滞后\n本月内完成拨付")
    await leader.press("1个月")
    await leader.press("👥 问题1第二责任人")
    await leader.send("lh")  # 李华 himself, responsible for 城关区
    await leader.press("✅ 确认登记")
    talk = await saved_talk(ledger, ledger_number(leader.last_reply))
    assert talk.items[0].second_responsible_id == talk.logged_by_id
    assert "第二责任人 李华" in leader.last_reply


async def test_bad_inputs_get_a_clear_reply_and_the_question_again(enrolled: Enroll) -> None:
    leader = await enrolled("李华")
    await leader.send("/log")
    await leader.send("约谈")  # text while a button is awaited (a button's whole label would be taken as its press)
    assert leader.reply_texts == [zh("log.error.use_buttons"), zh("log.ask.kind")]
    await leader.press("工作约谈")
    await leader.send("周涛")  # 榆中县 is not 李华's
    assert leader.reply_texts[0] == zh("log.error.no_match", query="周涛")
    await leader.send("x" * 65)
    assert leader.reply_texts[0] == zh("log.error.too_long", limit=64, length=65)
    await leader.send("赵敏")
    await leader.send("下辈子")
    assert leader.reply_texts[0] == zh("log.error.date", typed="下辈子")
    await leader.send("明天上午")  # read, and refused as what it is: tomorrow
    assert leader.reply_texts[0] == zh("log.error.future", when="2025-03-06")
    await leader.send("2025-03-06 10:00")
    assert leader.reply_texts[0] == zh("log.error.future", when="2025-03-06 10:00")
    await leader.send("2024-01-01")
    assert leader.reply_texts[0] == zh("log.error.too_old", when="2024-01-01", days=90)
    await leader.press("刚才")
    await leader.send_file("photo", "record.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20)  # a photo where text is wanted
    assert leader.reply_texts == [zh("log.error.file_here"), zh("log.ask.topic", limit=200)]
    await leader.send("   ")
    await leader.send("主" * 201)
    assert leader.reply_texts[0] == zh("log.error.too_long", limit=200, length=201)
    await leader.send("主题")
    await leader.send("问题")
    await leader.send("措施")
    await leader.send("下辈子")
    assert leader.reply_texts[0] == zh("log.error.deadline", typed="下辈子")
    await leader.send("2025-01-01")
    assert leader.reply_texts[0] == zh("log.error.deadline_past", day="2025-01-01")
    await leader.send("2030-01-01")
    assert leader.reply_texts[0] == zh("log.error.deadline_range", years=3)


async def test_editing_on_the_review_screen_and_the_way_back(enrolled: Enroll, ledger: AsyncSession) -> None:
    leader = await enrolled("李华")
    await leader.send("/log")
    await leader.press("工作约谈")
    await leader.send("赵敏")
    await leader.press("⬅ 返回")  # back to the person
    assert leader.last_reply == zh("log.ask.subjects")
    await leader.send("孙磊")
    await leader.press("📅 选日期")
    await leader.press("3")  # 2025-03-03 on the calendar
    await leader.send("初始主题")
    await leader.press("无问题")
    assert leader.last_reply.startswith(zh("log.review.title"))
    await leader.press("✏️ 主题")
    await leader.send("更正后的主题")
    await leader.press("✏️ 类型")
    await leader.press("廉政谈话")
    await leader.press("✏️ 时间")
    await leader.send("3月4日上午9点")
    await leader.press("✏️ 主谈人")
    await leader.send("张建平")
    await leader.press("✏️ 参加人")
    await leader.send("王强")
    await leader.press("王强 · 兰州市/榆中县")
    await leader.press("完成")
    assert "更正后的主题" in leader.last_reply and fw("主谈人:张建平") in leader.last_reply
    await leader.press("✅ 确认登记")
    talk = await saved_talk(ledger, ledger_number(leader.last_reply))
    assert (talk.kind, talk.topic) == ("廉政谈话", "更正后的主题")
    assert [item.kind for item in talk.items] == ["followup"]
    assert talk.held_at == datetime(2025, 3, 4, 1, 0, tzinfo=UTC)
    assert [p.person.name for p in talk.participants if p.role == "attendee"] == ["王强"]
    assert talk.lead_id != talk.logged_by_id


async def test_cancel_asks_before_discarding(enrolled: Enroll) -> None:
    leader = await enrolled("李华")
    await leader.send("/cancel")
    assert leader.last_reply == zh("log.nothing_to_cancel")
    await leader.send("/log")
    await leader.press("工作约谈")
    await leader.send("/cancel")
    assert leader.last_reply == zh("log.ask.cancel")
    await leader.press(fw("否,继续填写"))
    assert leader.last_reply == zh("log.ask.subjects")
    await leader.press("✖ 取消")
    await leader.press(fw("是,放弃"))
    assert leader.last_reply == zh("log.discarded")
    await leader.send("/resume")
    assert leader.last_reply == zh("log.resume_none")


async def test_stale_and_forged_buttons_change_nothing(enrolled: Enroll) -> None:
    leader = await enrolled("李华")
    await leader.send("/log")
    kind_prompt = leader.replies[-1]["message_id"]
    await leader.press("工作约谈")
    old = await leader.press(data="t:1:1:kind:1", message_id=kind_prompt)  # the kind prompt again
    assert old["text"] == zh("button.stale")
    forged = await leader.press(data="t:999:1:confirm", message_id=kind_prompt)
    assert forged["text"] == zh("button.stale")
    other = await enrolled("王强")
    stolen = await other.press(data="t:1:2:new", message_id=1)  # another leader's draft
    assert stolen["text"] == zh("button.stale")
    await leader.send("赵敏")
    assert leader.reply_texts[0] == zh("log.chosen", name="赵敏")


async def test_members_strangers_and_groups_are_refused(enrolled: Enroll, person: People) -> None:
    make = person
    member = await enrolled("赵敏")
    await member.send("/log")
    assert member.reply_texts == [zh("refusal.not_allowed")]
    stranger = make("Stranger")
    await stranger.send("/log")
    assert stranger.reply_texts == [zh("refusal.stranger")]
    leader = await enrolled("李华")
    in_group = make("李华", chat={"id": -100200, "type": "group", "title": "班子群"})
    in_group.user_id = leader.user_id
    await in_group.send("/log")
    assert len(in_group.replies) == 1 and "https://t.me/talkledger_bot" in in_group.last_reply
    await leader.send("/resume")
    assert leader.last_reply == zh("log.resume_none")


async def test_someone_not_on_the_roster_is_added_as_an_unenrolled_entry(
    enrolled: Enroll, ledger: AsyncSession
) -> None:
    leader = await enrolled("李华")
    await leader.send("/log")
    await leader.press("工作约谈")
    await leader.send("陈新")
    await leader.press("➕ 名册中没有此人")
    await leader.send("陈新")
    await leader.send("城关区/财政局")
    assert leader.last_reply == zh("log.ask.new_rank", name="陈新", unit="兰州市/城关区/财政局")
    await leader.press("乡科级")
    assert leader.reply_texts[0] == zh("log.chosen", name="陈新")
    await leader.press("刚才")
    await leader.send("新任职廉政谈话")
    await leader.press("无问题")
    await leader.press("✅ 确认登记")
    talk = await saved_talk(ledger, ledger_number(leader.last_reply))
    [subject] = talk.participants
    assert subject.person.name == "陈新" and subject.person.telegram_user_id is None
    assert subject.person.unit.path == "兰州市/城关区/财政局"


@pytest.mark.parametrize("messenger", MESSENGERS)
async def test_attachments_are_kept_with_the_talk(enrolled: Enroll, ledger: AsyncSession, messenger: str) -> None:
    leader = await enrolled("李华")
    await leader.send("/log")
    await leader.press("工作约谈")
    await leader.send("赵敏")
    await leader.press("刚才")
    await leader.send("签字记录")
    await leader.press("无问题")
    await leader.press("✏️ 附件")
    await leader.send_file("photo", "signed.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 16 + b"signed")
    assert leader.reply_texts[0] == zh("log.attach.saved", count=1)
    await leader.send_file("document", "记录.pdf", b"%PDF-1.4 talk record")
    await leader.press("完成")
    assert fw("附件:2 个") in leader.last_reply
    await leader.press("✅ 确认登记")
    talk = await saved_talk(ledger, ledger_number(leader.last_reply))
    assert [(a.kind, a.file_name) for a in talk.attachments][1] == ("document", "记录.pdf")
    await ledger.refresh(talk.attachments[1], ["content"])
    assert talk.attachments[1].content == b"%PDF-1.4 talk record"


async def test_ledger_numbers_count_per_year(enrolled: Enroll, clock: ManualClock) -> None:
    leader = await enrolled("李华")
    first, _ = await quick_individual_talk(leader)
    second, _ = await quick_individual_talk(leader)
    assert "2025-000001" in first and "2025-000002" in second
    clock.set(datetime(2026, 1, 2, 2, 0, tzinfo=UTC))
    third, _ = await quick_individual_talk(leader)
    assert "2026-000001" in third


async def test_three_people_logging_at_the_same_moment_each_get_their_own_talk(
    enrolled: Enroll, ledger: AsyncSession
) -> None:
    """Different people's updates are handled side by side (handlers/telegram/ordering.py): their steps
    interleave, their drafts, receipts and ledger numbers stay their own."""
    loggers = {name: await enrolled(name) for name in ("张建平", "李华", "王强")}
    subjects = {"张建平": "孙磊", "李华": "赵敏", "王强": "周涛"}

    async def all_at_once(step: Callable[[str, ChatUser], Awaitable[object]]) -> None:
        await asyncio.gather(*(step(name, user) for name, user in loggers.items()))

    await all_at_once(lambda _, user: user.send("/log"))
    await all_at_once(lambda _, user: user.press("工作约谈"))
    await all_at_once(lambda name, user: user.send(subjects[name]))
    await all_at_once(lambda _, user: user.press("刚才"))
    await all_at_once(lambda name, user: user.send(f"{name}的谈话主题"))
    await all_at_once(lambda _, user: user.send("台账不全\n一个月内补齐"))
    await all_at_once(lambda _, user: user.press("1个月"))
    await all_at_once(lambda _, user: user.press("✅ 确认登记"))
    numbers = {name: ledger_number(user.last_reply) for name, user in loggers.items()}
    assert sorted(numbers.values()) == ["2025-000001", "2025-000002", "2025-000003"]
    for name, number in numbers.items():
        talk = await saved_talk(ledger, number)
        assert talk.topic == f"{name}的谈话主题"
        assert [p.person.name for p in talk.participants if p.role == "subject"] == [subjects[name]]


async def test_two_talks_saved_at_the_same_moment_get_different_numbers(db_url: str) -> None:
    """The second saver waits for the first one's transaction (a row lock on PostgreSQL, the write lock on
    SQLite) and then takes the next number, also for the first two talks of a year."""
    engine = open_engine(db_url)
    await ensure_schema(engine)
    make = sessions(engine)
    try:
        async with make() as first, make() as second:
            taken_first = await next_ledger_number(first, 2027)
            waiting = asyncio.create_task(next_ledger_number(second, 2027))
            await asyncio.sleep(0.1)
            assert not waiting.done()
            await first.commit()
            taken_second = await asyncio.wait_for(waiting, 10)
            await second.commit()
        async with make() as session:
            assert (taken_first, taken_second) == (1, 2)
            assert await next_ledger_number(session, 2027) == 3
    finally:
        await engine.dispose()
