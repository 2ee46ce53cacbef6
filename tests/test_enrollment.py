"""Enrollment end to end: people open invite links and write to the real bot through the emulator."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.config import Config
from bot.i18n import text
from handlers.telegram.transcript import EmulatorClient
from storage import audit
from storage.db import open_engine, sessions
from tests.conftest import MESSENGERS, Enroll, People

STRANGER = text("zh-CN", "refusal.stranger")


async def audit_actions(config: Config) -> list[str]:
    engine = open_engine(config.database_url)
    try:
        async with sessions(engine)() as session:
            return [entry.action for entry in await audit.entries(session)]
    finally:
        await engine.dispose()


@pytest.mark.parametrize("messenger", MESSENGERS)
async def test_a_valid_code_links_the_account_and_greets_by_name_and_role(
    person: People, invites: dict[str, str], config: Config, messenger: str
) -> None:
    zhao = person("Zhao")
    await zhao.send(f"/start {invites['李华']}")
    assert "李华" in zhao.last_reply
    assert "兰州市/城关区" in zhao.last_reply and "领导干部" in zhao.last_reply
    assert "invite.redeem" in await audit_actions(config)
    # The command menu of this chat now shows what a leader may do, and nothing an admin may.
    menu = await zhao.menu()
    assert "help" in menu and "invite" not in menu


@pytest.mark.parametrize("messenger", MESSENGERS)
async def test_a_stranger_is_refused_whatever_they_write(
    person: People, invites: dict[str, str], clock: ManualClock, config: Config, messenger: str
) -> None:
    stranger = person("Someone")
    for message in ("hello", "/help", "/invite 张建平", "/roster", "/start", "/me"):
        clock.advance(timedelta(minutes=config.throttle.stranger_refusal_minutes))  # one refusal per window
        await stranger.send(message)
        assert stranger.reply_texts == [STRANGER], message
    # A stranger's reply never names anyone on the roster.
    for name in invites:
        assert name not in STRANGER


async def test_a_stranger_pressing_a_button_changes_nothing(person: People, enrolled: Enroll) -> None:
    admin = await enrolled("张建平")
    await admin.send("/lang")
    stranger = person("Someone")
    stranger.chat = {"id": admin.user_id, "type": "private"}  # a forged press on another chat's keyboard
    answer = await stranger.press("English")
    assert answer["text"] == STRANGER
    await admin.send("/help")
    assert "您可以使用" in admin.last_reply  # still Chinese


@pytest.mark.parametrize("messenger", MESSENGERS)
async def test_used_expired_and_invalid_codes_get_the_same_polite_refusal(
    person: People, invites: dict[str, str], clock: ManualClock, config: Config, messenger: str
) -> None:
    first = person("First")
    await first.send(f"/start {invites['赵敏']}")
    assert "赵敏" in first.last_reply

    second = person("Second")
    window = timedelta(minutes=config.throttle.stranger_refusal_minutes)
    await second.send(f"/start {invites['赵敏']}")  # used
    assert second.reply_texts == [STRANGER]
    clock.advance(window)
    await second.send("/start AAAAAAAAAAAAAAAAAAAAAA")  # never issued
    assert second.reply_texts == [STRANGER]
    clock.advance(window)
    await second.send("/start ../../etc/passwd")  # not even a code
    assert second.reply_texts == [STRANGER]

    clock.advance(timedelta(days=7, seconds=1))
    late = person("Late")
    await late.send(f"/start {invites['孙磊']}")  # expired after 7 days
    assert late.reply_texts == [STRANGER]
    # Each account's refused codes are one audit entry with their count (the path-like one never reached the
    # database).
    assert (await audit_actions(config)).count("invite.refused") == 2


async def test_a_code_still_works_just_before_it_expires(
    person: People, invites: dict[str, str], clock: ManualClock
) -> None:
    clock.advance(timedelta(days=6, hours=23))
    sun = person("Sun")
    await sun.send(f"/start {invites['孙磊']}")
    assert "孙磊" in sun.last_reply


async def test_an_account_linked_to_one_person_cannot_take_another_code(
    enrolled: Enroll, invites: dict[str, str]
) -> None:
    zhao = await enrolled("赵敏")
    await zhao.send(f"/start {invites['孙磊']}")
    assert zhao.last_reply == text("zh-CN", "start.already_bound", name="赵敏")
    await zhao.send("/me")
    assert "赵敏" in zhao.last_reply


async def test_group_chats_get_a_pointer_to_the_private_chat_and_nothing_else(person: People, enrolled: Enroll) -> None:
    admin = await enrolled("张建平")
    in_group = person("张建平", chat={"id": -100123, "type": "supergroup", "title": "纪委工作群"})
    in_group.user_id = admin.user_id
    for command in ("/help", "/roster", "/invite 赵敏"):
        await in_group.send(command)
        assert len(in_group.replies) == 1
        assert "https://t.me/talkledger_bot" in in_group.last_reply
        assert "兰州市" not in in_group.last_reply
    await in_group.send("just chatting")
    assert in_group.replies == []


async def test_an_admin_invites_from_the_chat_and_the_link_enrolls(person: People, enrolled: Enroll) -> None:
    admin = await enrolled("张建平")
    await admin.send("/invite 周涛")
    link = admin.last_reply.split("\n")[1]
    assert link.startswith("https://t.me/talkledger_bot?start=")
    zhou = person("Zhou")
    await zhou.send("/start " + link.split("start=")[1])
    assert "周涛" in zhou.last_reply


async def test_invite_asks_which_person_when_several_match(enrolled: Enroll) -> None:
    admin = await enrolled("张建平")
    await admin.send("/invite 局")  # no one is named 局: nothing matches
    assert admin.last_reply == text("zh-CN", "invite.no_match", query="局")
    await admin.send("/invite")
    assert admin.last_reply == text("zh-CN", "invite.usage")


async def test_invite_is_for_admins_only_and_buttons_are_reauthorised(enrolled: Enroll) -> None:
    leader = await enrolled("李华")
    await leader.send("/invite 赵敏")
    assert leader.last_reply == text("zh-CN", "refusal.not_allowed")
    # The leader forges an invite button press (on their own /lang keyboard) naming someone: refused.
    await leader.send("/lang")
    answer = await leader.press(data="invite:4", message_id=len(await leader.messages()))
    assert answer["text"] == text("zh-CN", "refusal.not_allowed")
    assert leader.replies == []


async def test_admin_buttons_outside_scope_or_forged_ids_are_stale(enrolled: Enroll) -> None:
    admin = await enrolled("张建平")
    await admin.send("/lang")
    message_id = len(await admin.messages())
    for forged in ("invite:999999", "invite:abc", "unbind:", "nonsense", "invite:" + "9" * 40):
        answer = await admin.press(data=forged, message_id=message_id)
        assert answer["text"] == text("zh-CN", "button.stale"), forged


async def test_an_admin_unbinds_an_account_and_it_becomes_a_stranger(enrolled: Enroll, config: Config) -> None:
    zhao = await enrolled("赵敏")
    admin = await enrolled("张建平")
    await admin.send("/unbind 赵敏")  # one match: a yes/no question, not a choice among one
    assert admin.last_reply == text("zh-CN", "unbind.confirm", name="赵敏", unit="兰州市/城关区/建设局")
    await admin.press(text("zh-CN", "unbind.confirm_button", name="赵敏"))
    assert admin.last_reply == text("zh-CN", "unbind.done", name="赵敏")
    await zhao.send("/help")
    assert zhao.reply_texts == [STRANGER]
    assert "account.unbind" in await audit_actions(config)


async def test_a_messenger_hiccup_is_retried_or_answered(enrolled: Enroll, control: EmulatorClient) -> None:
    member = await enrolled("赵敏")
    # Rate limited once: the bot waits the retry_after and sends the reply.
    await control.post("faults", {"method": "sendMessage", "status": 429, "retry_after": 1, "count": 1})
    await member.send("/help")
    assert member.last_reply.startswith(text("zh-CN", "help.title", name="赵敏"))
    # A 502 once: tried again, and the answer arrives.
    await control.post("faults", {"method": "sendMessage", "status": 502, "count": 1})
    await member.send("/me")
    assert len(member.reply_texts) == 1 and "赵敏" in member.last_reply
    # Failing every attempt: the answer is lost, so the person is told their action did not take effect.
    await control.post("faults", {"method": "sendMessage", "status": 502, "count": 4})
    await member.send("/me")
    assert member.reply_texts == [text("zh-CN", "reply.try_again")]
