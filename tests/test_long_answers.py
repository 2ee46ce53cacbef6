"""Answers longer than one Telegram message (4,096 characters) arrive whole, in several messages, the buttons under
the last; the splitter itself loses nothing (issue 19)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.clock import ManualClock
from bot.config import Config
from bot.i18n import text
from bot.questions.summary import OVERDUE_LISTED
from handlers.telegram.items import MAX_LISTED
from handlers.telegram.long_text import MESSAGE_LIMIT, message_parts, split_message, units
from handlers.telegram.transcript import EmulatorClient
from storage import people
from storage.db import open_engine, sessions
from storage.models import RectificationItem, Talk, TalkParticipant
from tests.conftest import Enroll, Sweep

NOW = datetime(2025, 3, 5, tzinfo=UTC)


def rejoined(body: str, parts: list[str]) -> bool:
    """Whether the parts are the body in order, less at most one newline at each cut."""
    at = 0
    for n, part in enumerate(parts):
        if not body.startswith(part, at):
            return False
        at += len(part)
        if n < len(parts) - 1 and body[at : at + 1] == "\n":
            at += 1
    return at == len(body)


lines = st.lists(st.text(st.characters(codec="utf-8", exclude_characters="\n"), max_size=80), max_size=60)


@given(lines, st.integers(min_value=2, max_value=200))
def test_split_keeps_every_character_in_order_within_the_limit(chosen: list[str], limit: int) -> None:
    body = "\n".join(chosen)
    parts = split_message(body, limit)
    assert parts and all(units(part) <= limit for part in parts)
    assert rejoined(body, parts)


@given(st.text(max_size=3000), st.integers(min_value=2, max_value=500))
def test_split_of_any_text(body: str, limit: int) -> None:
    parts = split_message(body, limit)
    assert all(units(part) <= limit for part in parts) and rejoined(body, parts)


def test_split_prefers_line_ends_and_cuts_a_long_line_hard() -> None:
    assert split_message("short") == ["short"]
    assert split_message("aaa\nbbb\nccc", 7) == ["aaa\nbbb", "ccc"]
    assert split_message("abcdefghij", 4) == ["abcd", "efgh", "ij"]
    assert split_message("ab\n" + "😀" * 3, 4) == ["ab", "😀😀", "😀"]  # two units each: never cut in half
    full = "x" * MESSAGE_LIMIT
    assert split_message(f"{full}\n") == [full, ""] and message_parts(f"{full}\n") == [full]  # no empty message
    assert message_parts("") == [""]  # one message, as before: not the splitter's to refuse


async def add_units(config: Config, count: int, under: str = "兰州市/榆中县") -> list[str]:
    engine = open_engine(config.database_url)
    paths = [f"{under}/第{n:03d}个很长名字的基层单位党支部办公室" for n in range(count)]
    async with sessions(engine).begin() as session:
        for n, path in enumerate(paths):
            await people.add_person(session, name=f"干部{n}", unit_path=path, rank_level="乡科级", now=NOW)
    await engine.dispose()
    return paths


async def test_a_long_roster_arrives_whole_in_several_messages(enrolled: Enroll, config: Config) -> None:
    paths = await add_units(config, 150)
    admin = await enrolled("张建平")
    await admin.send("/roster")
    said = admin.reply_texts
    assert len(said) > 1 and all(len(part) <= MESSAGE_LIMIT for part in said)
    whole = "\n".join(said)
    assert whole.startswith(text("zh-CN", "roster.title"))
    for path in paths:
        assert text("zh-CN", "roster.line", unit=path, people=1, enrolled=0) in whole


async def add_overdue(config: Config, count: int) -> None:
    engine = open_engine(config.database_url)
    async with sessions(engine).begin() as session:
        zhao = await people.person_by_unit_and_name(session, "兰州市/城关区/建设局", "赵敏")
        lead = await people.person_by_unit_and_name(session, "兰州市/城关区", "李华")
        assert zhao is not None and lead is not None
        talk = Talk(
            ledger_no="2025-000001",
            kind="工作约谈",
            format="individual",
            channel="face",
            held_at=NOW - timedelta(days=60),
            time_known=True,
            place="",
            topic="整改",
            content="",
            lead_id=lead.id,
            logged_by_id=lead.id,
            deleted=False,
            created_at=NOW,
            updated_at=NOW,
            items=[],
            attachments=[],
            participants=[
                TalkParticipant(person_id=zhao.id, role="subject", rank_level="乡科级", unit_id=zhao.unit_id)
            ],
        )
        session.add(talk)
        await session.flush()
        session.add_all(
            RectificationItem(
                talk_id=talk.id,
                number=n + 1,
                problem=f"第{n}个问题：工程项目审批程序不规范，监管责任落实不到位，需要限期整改",
                measure="",
                deadline=date(2025, 2, 1),
                responsible_id=zhao.id,
                state="open",
                created_at=NOW,
                kind="problem",
                planned_from=NOW + timedelta(days=365),
            )
            for n in range(count)
        )
    await engine.dispose()


async def test_a_long_overdue_list_arrives_whole_in_several_messages(enrolled: Enroll, config: Config) -> None:
    await add_overdue(config, 90)
    commission = await enrolled("张建平")
    await commission.send("逾期未整改的问题有哪些")
    said = commission.reply_texts
    assert len(said) > 1 and all(len(part) <= MESSAGE_LIMIT for part in said)
    whole = "\n".join(said)
    assert whole.startswith(text("zh-CN", "stats.overdue", count=90, today="2025-03-05"))
    assert len(re.findall(r"^  #\d+ 赵敏", whole, flags=re.MULTILINE)) == 90


async def test_the_buttons_of_a_long_answer_are_under_its_last_part(enrolled: Enroll, config: Config) -> None:
    paths = await add_units(config, 150)
    commission = await enrolled("张建平")
    await commission.send("今年榆中县各单位约谈次数")  # a row for each of its units, none talked to
    said = commission.replies
    assert len(said) > 1
    assert [bool(message.get("reply_markup")) for message in said] == [False] * (len(said) - 1) + [True]
    whole = "\n".join(commission.reply_texts)
    assert all(path in whole for path in paths)
    await commission.press(text("zh-CN", "stats.button.kind"))
    assert text("zh-CN", "stats.by.kind") in commission.last_reply


async def test_past_the_overdue_lists_limit_the_answer_says_how_many_more_and_where(
    enrolled: Enroll, config: Config
) -> None:
    await add_overdue(config, OVERDUE_LISTED + 5)
    commission = await enrolled("张建平")
    await commission.send("逾期未整改的问题有哪些")
    whole = "\n".join(commission.reply_texts)
    assert len(re.findall(r"^  #\d+ 赵敏", whole, flags=re.MULTILINE)) == OVERDUE_LISTED
    more = text("zh-CN", "stats.overdue_more", count=5, excel=text("zh-CN", "stats.button.excel"))
    assert whole.endswith(more)


async def test_followups_say_how_many_of_a_state_are_not_listed(enrolled: Enroll, config: Config) -> None:
    await add_overdue(config, MAX_LISTED + 4)
    leader = await enrolled("李华")
    await leader.send("/followups")
    summary = leader.replies[0]["text"]
    state = text("zh-CN", "followups.state", state=text("zh-CN", "item.state.overdue"), count=MAX_LISTED + 4)
    more = text("zh-CN", "followups.more", count=4, excel=text("zh-CN", "stats.button.excel"))
    assert f"{state}\n" in summary and more in summary
    assert len(re.findall(r"^  .*#\d+ ", summary, flags=re.MULTILINE)) == MAX_LISTED


async def test_items_past_the_cards_shown_are_said_with_how_to_see_them(enrolled: Enroll, config: Config) -> None:
    await add_overdue(config, MAX_LISTED + 2)
    zhao = await enrolled("赵敏")
    await zhao.send("/items")
    cards = [message for message in zhao.replies if message.get("reply_markup")]
    assert len(cards) == MAX_LISTED
    title = text("zh-CN", "item.list_title", count=MAX_LISTED + 2)
    assert cards[0]["text"].startswith(f"{title}\n{text('zh-CN', 'item.list_more', count=2, shown=MAX_LISTED)}\n")


async def test_a_long_report_is_sent_once_though_its_second_part_meets_a_429(
    enrolled: Enroll, config: Config, control: EmulatorClient, sweep: Sweep, clock: ManualClock
) -> None:
    """The quarterly bulletin, its ranking of 150 units in several messages: a 429 after its first part went out
    must not send that part again (the outbox retries a row whole)."""
    await add_units(config, 150, under="兰州市")
    commission = await enrolled("张建平")
    await sweep()  # February's report, due at the start
    await commission.unseen()
    clock.set(datetime(2025, 4, 1, 1, 0, tzinfo=UTC))  # 09:00 in Lanzhou: March's report, then the bulletin
    await control.post(
        "faults", {"method": "sendMessage", "status": 429, "count": 1, "skip": 2, "chat_id": commission.chat_id}
    )
    await sweep()
    clock.set(datetime(2025, 4, 1, 1, 5, tzinfo=UTC))
    await sweep()
    said = [str(message.get("text", "")) for message in await commission.unseen()]
    calls = await control.get("calls", method="sendMessage")
    assert [call["status"] for call in calls if call.get("status") == 429] == [429]  # the fault did land
    bulletin = [n for n, part in enumerate(said) if part.startswith(text("zh-CN", "report.quarterly"))]
    assert len(bulletin) == 1, "the bulletin's first part was sent twice"
    assert said[bulletin[0] :] and len(said) - bulletin[0] > 1 and len(set(said)) == len(said)
