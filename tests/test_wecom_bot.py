"""The bot in WeCom, end to end, for what only WeCom has: members named in the roster by their WeCom account
(no invite), the app menu, cards with more choices than fit (pages), and a member's text kept as typed. The
transcripts both messengers share are parametrised in their own files (test_talklog, test_followup, test_stats,
test_enrollment)."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import ManualClock
from bot.config import Config, WeComConfig
from bot.i18n import text
from handlers.telegram.app import TalkApplication
from handlers.wecom import app as wecom_app
from handlers.wecom.emulator import WeComEmulator, WeComEmulatorServer
from handlers.wecom.events import parse_xml
from handlers.wecom.transcript import WeComChatUser
from tests.conftest import Enroll
from tests.test_roster import HEADER, cli, write_csv
from tests.test_talklog import ledger, ledger_number, saved_talk  # noqa: F401  (ledger: a fixture)
from tests.wecom_world import AES_KEY, AGENT_ID, CORP_ID, SECRET, TOKEN

pytestmark = pytest.mark.parametrize("messenger", ["wecom"])
ZONE = ZoneInfo("Asia/Shanghai")


def zh(key: str, /, **params: object) -> str:
    return text("zh-CN", key, **params)


async def test_a_member_named_in_the_roster_by_their_wecom_account_needs_no_invite(
    bot: TalkApplication, wecom_emulator: WeComEmulatorServer, config_path: Path, tmp_path: Path, messenger: str
) -> None:
    roster = [
        [*HEADER, "企业微信账号"],
        ["兰州市/城关区/建设局", "赵敏", "局长", "乡科级", "", "ZhaoMin"],
        ["兰州市/城关区", "李华", "区委书记", "县处级", "leader", ""],
    ]
    imported = await asyncio.to_thread(cli, config_path, "roster", "import", str(write_csv(tmp_path / "r.csv", roster)))
    assert imported == 0
    zhao = WeComChatUser(wecom_emulator.emulator, bot, "ZhaoMin", "赵敏")
    await zhao.send("/me")
    assert "赵敏" in zhao.last_reply and "兰州市/城关区/建设局" in zhao.last_reply
    # Someone else in the corp, not on the roster by account: a stranger until they use an invite.
    other = WeComChatUser(wecom_emulator.emulator, bot, "LiHua2", "李华")
    await other.send("/me")
    assert "赵敏" not in other.last_reply and "李华" not in other.last_reply


async def test_the_app_menu_holds_the_everyday_commands_and_a_click_runs_one(
    enrolled: Enroll, wecom_emulator: WeComEmulatorServer, messenger: str
) -> None:
    zhao = await enrolled("赵敏")
    assert set(await zhao.menu()) == {"log", "items", "stats", "mytalks", "help"}
    assert isinstance(zhao, WeComChatUser)
    posted = await wecom_emulator.emulator.click_menu(zhao.user_id, "/help")
    await zhao._after(posted)
    assert "/items" in zhao.last_reply


async def test_a_calendar_of_a_whole_month_is_paged_and_a_day_on_a_later_page_is_taken(
    enrolled: Enroll,
    ledger: AsyncSession,  # noqa: F811  (the fixture imported above)
    messenger: str,
) -> None:
    leader = await enrolled("李华")
    await leader.send("/log")
    await leader.press("工作约谈")
    await leader.send("zm")
    await leader.press(zh("log.button.calendar"))
    await leader.press("3")  # a month's days and the month buttons fill several cards: 3 is on a later page
    topic = "  落实<全面>从严治党 & “主体责任” 情况 "  # kept as typed, markup-like characters included
    await leader.send(topic)
    await leader.press(zh("log.button.no_problems"))
    await leader.press(zh("log.button.confirm"))
    talk = await saved_talk(ledger, ledger_number(leader.last_reply))
    assert talk.held_at.astimezone(ZONE).date() == date(2025, 3, 3)
    assert talk.topic == topic.strip()


async def test_a_voice_note_or_a_location_gets_the_same_helpful_reply_as_in_telegram(
    enrolled: Enroll, wecom_emulator: WeComEmulatorServer, messenger: str
) -> None:
    zhao = await enrolled("赵敏")
    assert isinstance(zhao, WeComChatUser)
    await zhao._after(
        await wecom_emulator.emulator.send_media(zhao.user_id, "voice", "note.amr", b"#!AMR\n" + b"0" * 32)
    )
    assert zhao.last_reply == zh("reply.unknown")
    posted = await wecom_emulator.emulator.poster.post_event(
        {
            "ToUserName": wecom_emulator.emulator.corp_id,
            "FromUserName": zhao.user_id,
            "CreateTime": int(wecom_emulator.emulator.now()),
            "MsgType": "location",
            "Location_X": "36.06",
            "Location_Y": "103.83",
            "Scale": "15",
            "Label": "兰州市城关区",
            "MsgId": "7000000000000000999",
            "AgentID": wecom_emulator.emulator.agent_id,
        }
    )
    await zhao._after(posted)
    assert zhao.last_reply == zh("reply.unknown")


async def test_an_invite_made_in_wecom_is_a_line_to_type_not_a_telegram_link(enrolled: Enroll, messenger: str) -> None:
    admin = await enrolled("张建平")
    await admin.send("/invite 周涛")
    assert "/start " in admin.last_reply and "t.me" not in admin.last_reply


async def test_a_standby_instance_takes_no_callback_and_wecom_brings_it_again(
    config: Config, clock: ManualClock, invites: dict[str, str], messenger: str
) -> None:
    """While this instance may not act (another holds the database lock), a callback is refused with an error, so
    WeCom posts it again (to whichever instance then answers); nothing is stored or answered here."""
    server = WeComEmulatorServer(WeComEmulator(CORP_ID, SECRET, AGENT_ID, TOKEN, AES_KEY, clock=clock))
    wecom = WeComConfig(CORP_ID, AGENT_ID, SECRET, TOKEN, AES_KEY, api_base_url=await server.start())
    active = False
    try:
        async with wecom_app.running(config, wecom, clock, port=0, fence=lambda: active) as runtime:
            server.emulator.set_callback_url(runtime.callback_url)
            refused = await server.emulator.send_text("lihua", f"/start {invites['李华']}")
            assert all(status != 200 for status in refused.statuses) and server.emulator.sent["lihua"] == []
            active = True  # the lock is ours now: WeCom's next try is taken
            member = WeComChatUser(server.emulator, runtime.application, "lihua", "李华")
            await member._after(await server.emulator.poster.post_event(event_from_xml_fields(refused.plain)))
            assert "李华" in member.last_reply
    finally:
        await server.stop()


def event_from_xml_fields(plain: str) -> dict[str, str | int]:
    """The same callback again, as WeCom's retry brings it (same MsgId, new nonce)."""
    return dict(parse_xml(plain))
