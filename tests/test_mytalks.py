"""After confirming: /mytalks, corrections within the window, the commission's corrections, the history; and
a bot restart in the middle of logging a talk."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import ManualClock
from bot.config import Config
from bot.i18n import text
from handlers.telegram.app import running
from handlers.telegram.transcript import ChatUser, EmulatorClient
from storage import audit
from storage.db import open_engine, sessions
from tests.conftest import Enroll, fw
from tests.test_talklog import ledger_number, quick_individual_talk


def zh(key: str, /, **params: object) -> str:
    return text("zh-CN", key, **params)


async def test_mytalks_lists_newest_first_in_pages_and_opens_one(enrolled: Enroll, clock: ManualClock) -> None:
    leader = await enrolled("李华")
    await leader.send("/mytalks")
    assert leader.last_reply == zh("mytalks.empty")
    for _ in range(6):
        await quick_individual_talk(leader)
        clock.advance(timedelta(hours=1))
    await leader.send("/mytalks")
    lines = leader.last_reply.splitlines()
    assert lines[0] == zh("mytalks.title", total=6, page=1, pages=2)
    assert [line.split(" · ")[0] for line in lines[1:]] == [f"2025-00000{n}" for n in (6, 5, 4, 3, 2)]
    await leader.press("下一页 ▶")
    assert leader.last_reply.splitlines()[1].startswith("2025-000001")
    await leader.press(leader_button := (await leader.buttons())[0])
    assert leader.last_reply.startswith("2025-000001\n") and "赵敏" in leader.last_reply
    assert leader_button.startswith("2025-000001")


async def test_a_leader_corrects_within_the_window_and_the_history_shows_it(
    enrolled: Enroll, clock: ManualClock, config: Config
) -> None:
    leader = await enrolled("李华")
    receipt, _ = await quick_individual_talk(leader)
    ledger_no = ledger_number(receipt)
    clock.advance(timedelta(days=6))
    await leader.send("/mytalks")
    await leader.press((await leader.buttons())[0])
    await leader.press("✏️ 更正")
    assert leader.last_reply.startswith(zh("log.review.correcting"))
    await leader.press("✏️ 主题")
    await leader.send("更正:落实主体责任")
    await leader.press("✏️ 地点")
    await leader.send("区委会议室")
    await leader.press("✅ 确认登记")
    assert leader.last_reply.startswith(zh("log.corrected", ledger_no=ledger_no, fields="地点、主题"))
    await leader.send("/mytalks")
    await leader.press((await leader.buttons())[0])
    assert fw("主题:") + "更正:落实主体责任" in leader.last_reply
    assert zh("mytalks.history") in leader.last_reply
    assert leader.last_reply.count("李华 修改了") == 2

    clock.advance(timedelta(days=2))  # now past the 7-day window
    await leader.send("/mytalks")
    await leader.press((await leader.buttons())[0])
    assert "✏️ 更正" not in await leader.buttons()

    engine = open_engine(config.database_url)
    async with sessions(engine)() as session:
        actions = [entry.action for entry in await audit.entries(session)]
    await engine.dispose()
    assert actions.count("talk.create") == 1 and actions.count("talk.correct") == 1


async def test_the_commission_corrects_any_talk_in_its_scope(enrolled: Enroll, clock: ManualClock) -> None:
    leader = await enrolled("李华")
    commission = await enrolled("张建平")
    other = await enrolled("王强")
    receipt, _ = await quick_individual_talk(leader)
    talk_id = 1
    clock.advance(timedelta(days=30))
    await commission.send("/mytalks")
    assert commission.last_reply == zh("mytalks.empty")  # not theirs, but they may still open it by button
    await commission.send("/lang")
    message_id = commission.replies[-1]["message_id"]
    await commission.press(data=f"mt:open:{talk_id}", message_id=message_id)
    assert commission.last_reply.startswith(ledger_number(receipt))
    await commission.press("✏️ 更正")
    await commission.press("✏️ 类型")
    await commission.press("告诫约谈")
    await commission.press("✅ 确认登记")
    assert commission.last_reply.startswith(zh("log.corrected", ledger_no=ledger_number(receipt), fields="类型"))
    await commission.send("上个月告诫约谈几次")  # the corrected kind is what the tallies count
    assert "共开展约谈 1 次" in commission.last_reply
    await commission.send("上个月工作约谈几次")
    assert "共开展约谈 0 次" in commission.last_reply
    # Another leader may not even open it.
    await other.send("/lang")
    answer = await other.press(data=f"mt:open:{talk_id}", message_id=other.replies[-1]["message_id"])
    assert answer["text"] == zh("button.stale")


async def test_a_restart_mid_conversation_keeps_every_typed_answer(
    config: Config, clock: ManualClock, control: EmulatorClient, invites: dict[str, str]
) -> None:
    async with running(config, clock, poll_timeout=1) as application:
        leader = ChatUser(control, application, 6001, "李华")
        await leader.send(f"/start {invites['李华']}")
        await leader.send("/log")
        await leader.press("工作约谈")
        await leader.send("赵敏")
        await leader.send("昨天上午9点")
        await leader.send("重启前输入的主题")
        await leader.send("重启前输入的问题")
    async with running(config, clock, poll_timeout=1) as application:
        leader.application = application
        await leader.send("这是重启后输入的措施")  # the bot still knows it asked for the measure
        await leader.press("1个月")
        assert "重启前输入的主题" in leader.last_reply and "重启前输入的问题" in leader.last_reply
        await leader.press("✅ 确认登记")
        assert leader.last_reply.startswith(zh("log.saved", ledger_no="2025-000001"))
        assert "这是重启后输入的措施" in leader.last_reply
        await leader.send("/resume")
        assert leader.last_reply == zh("log.resume_none")


async def test_resume_lists_open_drafts_and_log_offers_to_continue(enrolled: Enroll) -> None:
    leader = await enrolled("李华")
    await leader.send("/log")
    await leader.press("工作约谈")
    await leader.send("赵敏")
    await leader.press("刚才")
    await leader.send("第一条草稿")
    await leader.send("/log")
    assert leader.last_reply == zh("log.open_draft", topic="第一条草稿")
    await leader.press("新建一条")
    assert leader.last_reply == zh("log.ask.kind")
    await leader.send("/resume")
    assert leader.last_reply == zh("log.resume_title")
    labels = await leader.buttons()
    assert len(labels) == 2 and any(label.endswith("第一条草稿") for label in labels)
    await leader.press(next(label for label in labels if label.endswith("第一条草稿")))
    assert leader.last_reply.startswith(zh("log.ask.problem", number=1)[:10])
