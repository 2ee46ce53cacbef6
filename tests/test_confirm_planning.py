"""A confirm (or an enrolment) plans the reminders of its own items only; everyone else's are the scheduled
sweep's (issue 18: every confirm planned the whole outbox, reading every item due soon)."""

from __future__ import annotations

from sqlalchemy import event

from bot.clock import ManualClock
from handlers.telegram.app import TalkApplication
from storage.followup import PlanScope
from tests.conftest import Enroll, Sweep
from tests.test_followup import DELIVERED, at, inbox, new_messages, setup_talk, zh
from tests.test_talklog import quick_individual_talk


async def test_a_confirm_plans_its_own_items_and_leaves_other_reminders_to_the_sweep(
    enrolled: Enroll, sweep: Sweep, clock: ManualClock, bot: TalkApplication
) -> None:
    leader, zhao = await setup_talk(enrolled, sweep)  # talk 1: an item due 2025-04-05, delivered
    clock.set(at("2025-03-29 09:00"))  # its 7-day reminder falls due now, not planned yet
    before = await inbox(zhao)
    receipt, _ = await quick_individual_talk(leader)  # talk 2, confirmed now: its items are delivered
    talk_id = 2
    assert receipt.startswith(zh("log.saved", ledger_no="2025-000002"))
    await bot.bot_data["sweeper"].sweep(PlanScope(talk_id=talk_id))  # what the confirm's kick runs
    arrived = await new_messages(zhao, before)
    assert [m.split("\n")[0] for m in arrived] == [DELIVERED], arrived  # talk 2's item and 双报告, one message
    before = await inbox(zhao)
    await sweep()  # the scheduled sweep plans everyone's: talk 1's reminder goes out with it
    arrived = await new_messages(zhao, before)
    assert len(arrived) == 1 and arrived[0].startswith(zh("item.notice.before", days=7)), arrived


async def test_a_kicked_sweep_with_no_escalation_reads_no_roles_and_writes_no_release(
    enrolled: Enroll, sweep: Sweep, clock: ManualClock, bot: TalkApplication
) -> None:
    """Each confirm and enrolment kicks one: it read every commission member (people, grants and their units) and
    released stuck claims, whatever it planned (issue 18)."""
    leader, zhao = await setup_talk(enrolled, sweep)
    before = await inbox(zhao)
    await quick_individual_talk(leader)  # talk 2: its items' deadlines are weeks away, no escalation near
    statements: list[str] = []
    engine = bot.bot_data["services"].engine.sync_engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        await bot.bot_data["sweeper"].sweep(PlanScope(talk_id=2))
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert [m.split("\n")[0] for m in await new_messages(zhao, before)] == [DELIVERED]  # still delivered
    assert not [s for s in statements if "role_grants.role =" in s], statements  # who holds a role
    assert not [s for s in statements if "claimed_at <" in s], statements
    assert len([s for s in statements if "rectification_items.deadline <=" in s]) == 1, statements  # one batch
