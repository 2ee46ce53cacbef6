"""/help, the command menu, /me and /lang for each role, end to end."""

from __future__ import annotations

from bot.i18n import text
from tests.conftest import Enroll, People, fw


def commands_in(help_text: str) -> set[str]:
    return {line.split(" ")[0].lstrip("/") for line in help_text.splitlines() if line.startswith("/")}


async def test_help_shows_each_role_only_what_it_may_do(enrolled: Enroll) -> None:
    member = await enrolled("赵敏")
    leader = await enrolled("李华")
    commission_admin = await enrolled("张建平")
    expected = [
        (member, {"start", "help", "me", "lang", "items"}),
        (leader, {"start", "help", "me", "lang", "items", "log", "resume", "mytalks", "cancel", "followups", "stats"}),
        (
            commission_admin,
            {
                "start",
                "help",
                "me",
                "lang",
                "items",
                "log",
                "resume",
                "mytalks",
                "cancel",
                "followups",
                "stats",
                "ask",
                "group",
                "roster",
                "invite",
                "unbind",
            },
        ),
    ]
    for user, commands in expected:
        await user.send("/help")
        assert user.last_reply.startswith(text("zh-CN", "help.title", name=user.first_name))
        assert commands_in(user.last_reply) == commands
        assert set(await user.menu()) == commands


async def test_a_member_is_refused_what_their_role_does_not_allow(enrolled: Enroll) -> None:
    member = await enrolled("周涛")
    for command in (
        "/roster",
        "/invite 李华",
        "/unbind 李华",
        "/log",
        "/mytalks",
        "/resume",
        "/cancel",
        "/followups",
        "/stats",
    ):
        await member.send(command)
        assert member.reply_texts == [text("zh-CN", "refusal.not_allowed")]


async def test_me_shows_the_person_and_their_scoped_roles(enrolled: Enroll) -> None:
    admin = await enrolled("张建平")
    await admin.send("/me")
    assert "张建平" in admin.last_reply and "市纪委书记" in admin.last_reply and "地厅级" in admin.last_reply
    assert fw("纪委(范围:兰州市)") in admin.last_reply and fw("管理员(范围:兰州市)") in admin.last_reply


async def test_lang_switches_replies_and_menu_to_english_and_back(enrolled: Enroll) -> None:
    leader = await enrolled("王强")
    await leader.send("/lang")
    assert leader.last_reply == text("zh-CN", "lang.choose")
    await leader.press("English")
    assert leader.last_reply == text("en", "lang.set")
    await leader.send("/help")
    assert leader.last_reply.startswith("王强, you can use:")
    assert text("en", "command.help") in leader.last_reply
    await leader.send("unexpected words")  # a leader's free text is taken as a question
    leftovers = text("en", "stats.ask.leftovers", words="'unexpected', 'words'")
    assert leader.last_reply == text("en", "stats.not_understood", understood="", leftovers=leftovers, nearest="")
    await leader.send("/lang")
    await leader.press("中文")
    assert leader.last_reply == text("zh-CN", "lang.set")


async def test_a_stale_language_button_is_answered_and_changes_nothing(enrolled: Enroll) -> None:
    member = await enrolled("孙磊")
    await member.send("/lang")
    message_id = len(await member.messages())
    answer = await member.press(data="lang:fr", message_id=message_id)
    assert answer["text"] == text("zh-CN", "button.stale")
    await member.send("/help")
    assert member.last_reply.startswith(text("zh-CN", "help.title", name="孙磊"))


async def test_the_roster_overview_counts_linked_people_per_unit(enrolled: Enroll) -> None:
    await enrolled("赵敏")
    admin = await enrolled("张建平")
    await admin.send("/roster")
    lines = admin.last_reply.splitlines()
    assert lines[0] == text("zh-CN", "roster.title")
    assert text("zh-CN", "roster.line", unit="兰州市/城关区/建设局", enrolled=1, people=1) in lines
    assert text("zh-CN", "roster.line", unit="兰州市/榆中县/交通局", enrolled=0, people=1) in lines


async def test_a_stranger_speaking_english_is_refused_in_english(person: People) -> None:
    visitor = person("Visitor", language_code="en-GB")
    await visitor.send("hi")
    assert visitor.last_reply == text("en", "refusal.stranger")


async def test_a_member_asking_for_figures_is_told_the_same_true_thing_as_by_stats(enrolled: Enroll) -> None:
    member = await enrolled("赵敏")
    await member.send("/stats")
    refused = member.last_reply
    assert refused == text("zh-CN", "refusal.not_allowed")
    for question in ("本月约谈多少次", "整改完成率", "how many talks this month"):
        await member.send(question)
        assert member.last_reply == refused, question
    await member.send("你好")  # not a question about talks: still "not understood", which is true
    assert member.last_reply == text("zh-CN", "reply.unknown")
