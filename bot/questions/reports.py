"""Reports without asking: last month's summary to the commission on the 1st at 09:00 local, and each quarter
the bulletin with the per-unit ranking and the overdue items. Planned into the outbox by the sweep, keyed by
period: a run missed while the bot was down goes out when it is back, once."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.followup import outbox
from bot.followup.outbox import Buttons
from bot.i18n import text
from bot.questions.periods import Period, month, quarter
from bot.questions.reader import Question
from bot.questions.summary import answer
from bot.roster.identity import viewer_of
from bot.services import Services
from storage import followup, people
from storage.models import Notification

SEND_AT = time(9, 0)
CATCH_UP = timedelta(days=7)  # a run missed while the bot was down is sent if it is back within this


def due_reports(now_local: datetime) -> list[tuple[str, Period, datetime]]:
    """(kind, period, due local time) of the reports whose time has come this month (and not long ago)."""
    first = datetime.combine(now_local.date().replace(day=1), SEND_AT, tzinfo=now_local.tzinfo)
    if not first <= now_local < first + CATCH_UP:
        return []
    previous = first.date() - timedelta(days=1)
    found = [("monthly", month(previous.year, previous.month), first)]
    if first.month in (1, 4, 7, 10):
        found.append(("quarterly", quarter(previous.year, (previous.month - 1) // 3 + 1), first))
    return found


async def plan_reports(services: Services, now: datetime) -> int:
    zone = services.config.organisation.zone
    created = 0
    async with services.sessions.begin() as session:
        members = {person_id for person_id, _ in await followup.commission_members(session)}
        for kind, period, due in due_reports(now.astimezone(zone)):
            for person_id in sorted(members):
                created += await outbox.add_once(
                    session,
                    key=f"{kind}:{period.start}:{person_id}",
                    recipient_id=person_id,
                    kind=kind,
                    due_at=due,
                    start=period.start.isoformat(),
                    end=period.end.isoformat(),
                )
    return created


async def render(session: AsyncSession, services: Services, row: Notification) -> tuple[int, str, Buttons] | None:
    recipient = await people.person_by_id(session, row.recipient_id)
    if recipient is None or recipient.telegram_user_id is None or not recipient.active:
        return None
    viewer = viewer_of(recipient, services.default_language)
    payload = json.loads(row.payload)
    period = Period(date.fromisoformat(payload["start"]), date.fromisoformat(payload["end"]))
    quarterly = row.kind == "quarterly"
    summary = await answer(
        session,
        services,
        viewer,
        Question(period=period, period_named=True, measure="talks", breakdown="unit" if quarterly else None),
    )
    body = f"{text(viewer.language, f'report.{row.kind}')}\n{summary.text}"
    if quarterly:
        overdue = await answer(session, services, viewer, Question(period=period, period_named=True, measure="overdue"))
        body += "\n\n" + overdue.text
    return recipient.telegram_user_id, body, []
