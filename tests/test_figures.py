"""Figures that add up and answer the period asked (issue 20, issue 13 part 4), end to end through the emulator:
completion rates that count every closed item, by-unit breakdowns that state their rule, quotas for any period."""

from __future__ import annotations

from bot.i18n import text
from tests.conftest import Enroll, Sweep
from tests.test_followup import press_on
from tests.test_talklog import quick_individual_talk


def zh(key: str, /, **params: object) -> str:
    return text("zh-CN", key, **params)


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
