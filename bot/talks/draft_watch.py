"""Unfinished talk drafts: a leader who left one untouched for `draft_nudge_hours` gets one nudge (in the allowed
hours) with Resume and Discard; a draft untouched for `draft_expiry_days` is discarded, and its owner told."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.followup import outbox
from bot.followup.outbox import Buttons
from bot.i18n import text
from bot.services import Services
from storage import people, talks
from storage.models import Notification, TalkDraft


def _topic(draft: TalkDraft) -> str:
    return str((json.loads(draft.data) if draft.data else {}).get("topic") or "—")


def _stamp(draft: TalkDraft) -> str:
    """Which untouched spell a nudge belongs to: touching the draft starts a new one."""
    return draft.updated_at.isoformat()


async def plan(services: Services, now: datetime) -> int:
    policy = services.config.reminders
    if not policy.draft_nudge_hours and not policy.draft_expiry_days:
        return 0
    nudge_after = timedelta(hours=policy.draft_nudge_hours or policy.draft_expiry_days * 24)
    created = 0
    async with services.sessions.begin() as session:
        for draft in await talks.untouched_drafts(session, now - nudge_after):
            if policy.draft_expiry_days and draft.updated_at <= now - timedelta(days=policy.draft_expiry_days):
                created += await outbox.add_once(
                    session,
                    key=f"dx:{draft.id}",
                    recipient_id=draft.owner_id,
                    kind="draft_expired",
                    due_at=now,
                    topic=_topic(draft),
                    updated=draft.updated_at.isoformat(),
                    days=policy.draft_expiry_days,
                )
                await session.delete(draft)
            elif policy.draft_nudge_hours:
                created += await outbox.add_once(
                    session,
                    key=f"dn:{draft.id}:{int(draft.updated_at.timestamp())}",
                    recipient_id=draft.owner_id,
                    kind="draft_nudge",
                    due_at=now,
                    draft_id=draft.id,
                    stamp=_stamp(draft),
                )
    return created


async def render(session: AsyncSession, services: Services, row: Notification) -> tuple[int, str, Buttons] | None:
    recipient = await people.person_by_id(session, row.recipient_id)
    if recipient is None or recipient.telegram_user_id is None or not recipient.active:
        return None
    language = recipient.language or services.default_language
    zone = services.config.organisation.zone
    payload = json.loads(row.payload)
    if row.kind == "draft_expired":
        updated = datetime.fromisoformat(payload["updated"]).astimezone(zone)
        body = text(
            language,
            "log.draft_expired",
            topic=payload["topic"],
            updated=f"{updated:%Y-%m-%d %H:%M}",
            days=payload["days"],
        )
        return recipient.telegram_user_id, body, []
    draft = await talks.draft_by_id(session, payload["draft_id"])
    if draft is None or _stamp(draft) != payload["stamp"]:
        return None  # finished, discarded or touched since: the nudge has lost its meaning
    updated = draft.updated_at.astimezone(zone)
    body = text(language, "log.draft_nudge", topic=_topic(draft), updated=f"{updated:%m-%d %H:%M}")
    buttons = [
        [
            (text(language, "log.button.resume_draft"), f"lg:resume:{draft.id}"),
            (text(language, "log.button.discard_draft"), f"lg:discard:{draft.id}"),
        ]
    ]
    return recipient.telegram_user_id, body, buttons
