"""Messenger faults during normal use: a fifth of the bot's calls to Telegram fail (429, 500, 502, gateway
timeouts) while a leader logs a talk, looks it up, and the person talked to gets and acknowledges the item.
Every step is still answered, the talk is saved once, and the item arrives once."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import ManualClock
from bot.i18n import text
from handlers.telegram.transcript import EmulatorClient
from tests.conftest import Enroll, Sweep
from tests.test_followup import DELIVERED, inbox, new_messages, press_on
from tests.test_talklog import quick_individual_talk

FAULTS = [  # each with its own chance, about 20% of calls in all
    {"status": 429, "retry_after": 1, "chance": 0.03},
    {"status": 500, "chance": 0.06},
    {"status": 502, "chance": 0.06},
    {"status": "timeout", "delay": 0.1, "chance": 0.07},
]


def zh(key: str, /, **params: object) -> str:
    return text("zh-CN", key, **params)


async def test_a_fifth_of_calls_failing_loses_nothing(
    enrolled: Enroll, sweep: Sweep, control: EmulatorClient, clock: ManualClock
) -> None:
    zhao = await enrolled("赵敏")
    leader = await enrolled("李华")
    before = await inbox(zhao)
    for fault in FAULTS:
        await control.post("faults", {"method": "*", "count": 1_000_000, **fault})

    receipt, _ = await quick_individual_talk(leader)  # every press finds the button its prompt carried
    assert receipt.startswith(zh("log.saved", ledger_no="2025-000001"))
    await leader.send("/mytalks")
    assert sum("2025-000001" in said for said in leader.reply_texts) == 1

    for _ in range(6):
        await sweep()
        clock.advance(timedelta(seconds=30))
    arrived = await new_messages(zhao, before)
    assert [message.split("\n")[0] for message in arrived] == [DELIVERED]  # the item and 双报告, one message

    answer = await press_on(zhao, zh("item.button.ack"))
    assert answer.get("text") or zhao.replies

    calls = await control.get("calls")
    failed = [call for call in calls if call.get("status", 200) != 200]
    assert failed, "no fault was injected: the test proves nothing"
