"""A button's label typed instead of pressed counts as the press where that keyboard waits: under an answer's
figures (按单位 …) and on an item's card (报告进展 …) — issue 19."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import delete

from bot.config import Config
from bot.i18n import text
from bot.labels import bare, same_label
from storage.db import open_engine, sessions
from storage.models import SavedQuestion
from tests.conftest import Enroll, Sweep
from tests.test_long_answers import add_overdue


def zh(key: str, **params: object) -> str:
    return text("zh-CN", key, **params)


def test_a_label_typed_without_its_emoji_or_spaces_is_the_label() -> None:
    assert same_label("📝 报告进展", "报告进展") and same_label("📝 报告进展", " 报告进展 ")
    assert same_label("导出 Excel", "导出excel") and same_label("✔️ 报告完成", "报告完成")
    assert not same_label("📝 报告进展", "报告") and not same_label("◀", "▶") and not same_label("◀", "")


@given(st.text(max_size=20), st.sampled_from(["", " ", "📝 ", "✔️"]), st.sampled_from(["", " ", "\n"]))
def test_a_label_typed_with_or_without_its_decoration_is_itself(label: str, before: str, after: str) -> None:
    assert same_label(label, before + label + after) == bool(bare(label))


async def test_a_drill_down_label_typed_is_the_press(enrolled: Enroll) -> None:
    commission = await enrolled("张建平")
    await commission.send("上个月约谈多少次")
    await commission.press(zh("stats.button.unit"))
    pressed = commission.last_reply
    await commission.send("上个月约谈多少次")
    await commission.send("按单位")
    assert commission.last_reply == pressed  # last month by unit, not this year's 按单位
    await commission.send("查看明细")
    assert commission.last_reply == zh("stats.no_records")


async def test_an_item_label_typed_acts_on_the_persons_one_open_item(enrolled: Enroll, config: Config) -> None:
    await add_overdue(config, 1)
    zhao = await enrolled("赵敏")
    await zhao.send("报告进展")
    assert zhao.last_reply.startswith(zh("item.ask.progress", number=1, deadline="2025-02-01")[:8])
    await zhao.send("已完成图纸复核")
    assert zhao.last_reply.startswith(zh("item.report_saved")[:6])
    await zhao.send("已知悉")
    assert zhao.last_reply == zh("item.acknowledged", number=1)


async def test_with_several_items_a_typed_label_asks_which(enrolled: Enroll, config: Config) -> None:
    await add_overdue(config, 3)
    zhao = await enrolled("赵敏")
    await zhao.send("报告进展")
    assert zhao.last_reply == zh("item.typed_which", count=3, label=zh("item.button.progress"))


async def test_a_typed_drill_down_whose_answer_is_gone_is_told_so(enrolled: Enroll, config: Config) -> None:
    commission = await enrolled("张建平")
    await commission.send("上个月约谈多少次")
    engine = open_engine(config.database_url)
    async with sessions(engine).begin() as session:
        await session.execute(delete(SavedQuestion))
    await engine.dispose()
    await commission.send("按单位")
    assert commission.last_reply == zh("button.stale")


async def test_done_evidence_and_closing_by_typed_labels(enrolled: Enroll, config: Config, sweep: Sweep) -> None:
    await add_overdue(config, 1)
    leader = await enrolled("李华")
    zhao = await enrolled("赵敏")
    await zhao.send("报告完成")
    assert zhao.last_reply == zh("item.ask.done", number=1)
    await zhao.send("已按要求整改完毕")
    assert zhao.last_reply.startswith(zh("item.report_saved")[:6])
    await zhao.send("完成")  # the evidence button's label
    assert zhao.last_reply == zh("item.evidence_done")
    await sweep()
    await leader.unseen()
    await leader.send("销号")  # the one item awaiting 李华's verification
    assert zhao.last_reply != zh("item.closed_done") and leader.last_reply == zh("item.closed_done")
    await leader.send("/followups")
    assert zh("followups.state", state=zh("item.state.closed"), count=1) in leader.last_reply


async def test_with_several_items_awaiting_verification_a_typed_label_asks_which(
    enrolled: Enroll, config: Config
) -> None:
    await add_overdue(config, 2)
    leader = await enrolled("李华")
    zhao = await enrolled("赵敏")
    for number in (1, 2):
        await zhao.press(zh("item.button.done"), data=f"it:{number}:done")
        await zhao.send(f"第{number}项已整改")
    await leader.send("退回")
    assert leader.last_reply == zh("item.typed_which_awaiting", count=2, label=zh("item.button.send_back"))
