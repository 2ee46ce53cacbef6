"""The working-days calendar's own warning: reminders that keep to working days need a calendar that knows the
make-up working days (调休). When the coming 12 months are not fully covered by one, the log says so at start-up,
and the admins get one message a month (at start-up or on the 1st, whichever comes first)."""

from __future__ import annotations

import json
import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.followup import outbox
from bot.followup.outbox import Buttons
from bot.i18n import text
from bot.services import Services
from storage import followup, people
from storage.models import Notification

log = logging.getLogger(__name__)


def uncovered_years(services: Services, now: datetime) -> list[int]:
    """The years to warn about: none unless reminders keep to working days."""
    policy = services.config.reminders
    if not policy.working_days_only:
        return []
    return policy.calendar.uncovered_years(now.astimezone(services.config.organisation.zone).date())


async def warn(services: Services, now: datetime, *, at_start: bool = False) -> int:
    """Log the gap (at start-up) and plan this month's message to each admin; the number of messages planned."""
    years = uncovered_years(services, now)
    if not years:
        return 0
    local = now.astimezone(services.config.organisation.zone)
    if at_start:
        log.warning(
            "working days for %s are computed by rule, without make-up working days (调休): "
            "list them in [reminders] workdays and holidays",
            ", ".join(map(str, years)),
        )
    elif local.day != 1:
        return 0
    created = 0
    async with services.sessions.begin() as session:
        for admin_id, _ in await followup.role_holders(session, "admin"):
            created += await outbox.add_once(
                session,
                key=f"cal:{local:%Y-%m}:{admin_id}",
                recipient_id=admin_id,
                kind="calendar",
                due_at=now,
                years=",".join(map(str, years)),
            )
    return created


async def render(session: AsyncSession, services: Services, row: Notification) -> tuple[int, str, Buttons] | None:
    recipient = await people.person_by_id(session, row.recipient_id)
    if recipient is None or recipient.telegram_user_id is None or not recipient.active:
        return None
    years = json.loads(row.payload)["years"]
    language = recipient.language or services.default_language
    return recipient.telegram_user_id, text(language, "report.calendar_gap", years=years), []
