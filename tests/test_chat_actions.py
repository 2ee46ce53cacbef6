"""What a person sees while a slow answer is prepared: "typing…" (or "sending a photo / file…") comes before the
answer, and a figure answered from memory comes without it (issue 19). Ordering, never time."""

from __future__ import annotations

from typing import Any

from bot.i18n import text
from handlers.telegram.transcript import ChatUser, EmulatorClient
from tests.conftest import Enroll


async def seen(control: EmulatorClient, user: ChatUser, since: int) -> list[tuple[str, str]]:
    """(kind, what) of the bot's actions in this person's chat after event `since`: ("chat_action", "typing"),
    ("sent", "text" | "photo" | "document")."""
    events: list[dict[str, Any]] = await control.get("events", since=since, timeout=0)
    found = []
    for event in events:
        message = event["message"]
        if message.get("chat", {}).get("id") != user.chat_id:
            continue
        if event["kind"] == "chat_action":
            found.append(("chat_action", str(message["action"])))
        elif event["kind"] == "sent":
            what = next((key for key in ("photo", "document") if key in message), "text")
            found.append(("sent", what))
    return found


async def last_seq(control: EmulatorClient) -> int:
    events: list[dict[str, Any]] = await control.get("events", since=0, timeout=0)
    return int(events[-1]["seq"]) if events else 0


async def test_typing_shows_before_a_counted_answer_and_not_for_one_from_memory(
    enrolled: Enroll, control: EmulatorClient
) -> None:
    commission = await enrolled("张建平")
    since = await last_seq(control)
    await commission.send("今年以来约谈多少次")
    assert await seen(control, commission, since) == [("chat_action", "typing"), ("sent", "text")]
    since = await last_seq(control)
    await commission.send("今年以来约谈多少次")  # the same figure, kept: answered at once, no "typing…" flash
    assert await seen(control, commission, since) == [("sent", "text")]
    since = await last_seq(control)
    await commission.press(text("zh-CN", "stats.button.unit"))  # another question: counted
    assert await seen(control, commission, since) == [("chat_action", "typing"), ("sent", "text")]


async def test_the_chart_and_the_excel_file_say_they_are_coming_before_they_come(
    enrolled: Enroll, control: EmulatorClient
) -> None:
    commission = await enrolled("张建平")
    await commission.send("今年以来约谈多少次")
    since = await last_seq(control)
    await commission.press(text("zh-CN", "stats.button.chart"))
    # Two charts, one a measure (talks by month, person-times by rank level), after the one action.
    assert await seen(control, commission, since) == [
        ("chat_action", "upload_photo"),
        ("sent", "photo"),
        ("sent", "photo"),
    ]
    since = await last_seq(control)
    await commission.press(text("zh-CN", "stats.button.excel"))
    assert await seen(control, commission, since) == [("chat_action", "upload_document"), ("sent", "document")]
