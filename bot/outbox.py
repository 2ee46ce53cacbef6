"""The outbox: notifications are rows, planned idempotently, claimed before sending and marked after.

`plan_reminders` turns open items and the policy into rows; `dispatch` sends the due ones through a rate
limiter and a `Notifier` that the assembly hands in (Telegram's lives in handlers/outbox.py). A crash
between claim and mark leaves rows claimed; `recover` puts them back, so at most what was in flight is sent
twice and nothing is lost.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.access import within
from bot.reminders import next_allowed, out_of_quiet_hours, to_plan
from bot.services import Services
from storage import followup, people
from storage.followup import EVERY_ITEM, PlanScope
from storage.models import Notification

log = logging.getLogger(__name__)

REMINDER_KINDS = ("before", "due", "overdue")
CLAIM_BATCH = 200
MAX_ATTEMPTS = 8
STUCK_AFTER = timedelta(minutes=10)


class SendFailed(Exception):
    """A message could not be sent. Permanent: the person blocked the bot or has no chat; never retried."""

    def __init__(self, reason: str, *, permanent: bool = False, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason, self.permanent, self.retry_after = reason, permanent, retry_after


Buttons = Sequence[Sequence[tuple[str, str]]]  # rows of (label, callback data)


class Notifier(Protocol):
    async def send(self, chat_id: int, text: str, buttons: Buttons) -> int: ...


class RateLimiter:
    """At most `per_second` sends in any second overall and `per_chat` in any second per chat (sliding windows,
    a little wider than a second so that network jitter cannot squeeze one more into the server's window)."""

    WINDOW = 1.03

    def __init__(self, per_second: float, per_chat: float) -> None:
        self.per_second, self.per_chat = per_second, per_chat
        self._sent: deque[float] = deque()
        self._chat_sent: dict[int, deque[float]] = defaultdict(deque)
        self._paused_until = 0.0

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    def wait_time(self, chat_id: int) -> float:
        now = time.monotonic()
        waits = [self._paused_until - now]
        for sent, limit in ((self._sent, self.per_second), (self._chat_sent[chat_id], self.per_chat)):
            while sent and sent[0] <= now - self.WINDOW:
                sent.popleft()
            if len(sent) >= limit:
                waits.append(sent[len(sent) - int(limit)] + self.WINDOW - now)
        return max(0.0, *waits)

    async def acquire(self, chat_id: int) -> None:
        while (wait := self.wait_time(chat_id)) > 0:
            await asyncio.sleep(wait)
        now = time.monotonic()
        self._sent.append(now)
        self._chat_sent[chat_id].append(now)


@dataclass
class DispatchStats:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    dropped: int = 0
    held: int = 0  # due, but not to be sent now (quiet hours, a day off): moved to the next allowed moment
    errors: list[str] = field(default_factory=list)


def add(
    session: AsyncSession,
    *,
    key: str,
    recipient_id: int,
    kind: str,
    due_at: datetime,
    item_id: int | None = None,
    **payload: Any,
) -> Notification:
    """A row for the outbox (the caller makes sure `key` is new, or lets the unique key refuse it)."""
    row = Notification(**_row(key, recipient_id, kind, due_at, item_id, payload))
    session.add(row)
    return row


async def add_once(session: AsyncSession, **fields: Any) -> bool:
    """`add` unless a row with this key exists already."""
    if await followup.existing_keys(session, [fields["key"]]):
        return False
    add(session, **fields)
    return True


async def plan_reminders(
    services: Services, now: datetime, horizon: timedelta, batch: int = 5000, scope: PlanScope = EVERY_ITEM
) -> int:
    """Rows for every reminder and escalation (of the items in `scope`) falling due by `now + horizon`; the number
    of new rows."""
    policy, zone = services.config.reminders, services.config.organisation.zone
    last_deadline = (now + horizon).astimezone(zone).date() + timedelta(days=max(policy.before_days, default=0) + 1)
    created, after_id = 0, 0
    async with services.sessions.begin() as session:
        commission = await followup.commission_members(session)
    while True:
        async with services.sessions.begin() as session:
            items = await followup.open_items_due_by(session, last_deadline, after_id, batch, scope)
            if not items:
                return created
            after_id = items[-1].id
            wanted: dict[str, dict[str, Any]] = {}
            for item in items:
                for moment in to_plan(item.deadline, policy, zone, item.planned_from, now, horizon):
                    payload = {"days": moment.days, "deadline": str(item.deadline)}
                    if moment.kind != "escalate":
                        recipients = item.reminded
                    else:
                        payload["person_id"] = item.responsible_id
                        if item.second_responsible_id is not None:
                            payload["second_id"] = item.second_responsible_id
                        recipients = {item.lead_id} | {p.id for p, scope in commission if within(item.unit, scope)}
                    for recipient in recipients:
                        key = f"r:{item.id}:{moment.name}:{recipient}:{item.deadline}"
                        wanted[key] = _row(key, recipient, moment.kind, moment.at, item.id, payload)
            existing = await followup.existing_keys(session, wanted)
            fresh = [row for key, row in wanted.items() if key not in existing]
            await followup.insert_notifications(session, fresh)
            created += len(fresh)


def _row(
    key: str, recipient_id: int, kind: str, due_at: datetime, item_id: int | None, payload: dict[str, Any]
) -> dict[str, Any]:
    return dict(
        key=key,
        recipient_id=recipient_id,
        item_id=item_id,
        kind=kind,
        due_at=due_at,
        state="planned",
        attempts=0,
        last_error="",
        payload=json.dumps(payload, ensure_ascii=False) if payload else "",
    )


async def recover(services: Services) -> int:
    """At start-up: whatever was claimed by a previous run goes back to planned."""
    async with services.sessions.begin() as session:
        return await followup.release_claimed(session)


async def dispatch(services: Services, notifier: Notifier, limiter: RateLimiter, render: Renderer) -> DispatchStats:
    """Send every due row. Each row is claimed, sent, and marked in its own transaction."""
    stats = DispatchStats()
    now = services.clock.now()
    async with services.sessions.begin() as session:
        await followup.release_claimed(session, before=now - STUCK_AFTER)
    while True:
        async with services.sessions.begin() as session:
            rows = await followup.claim_due(session, now, CLAIM_BATCH)
            claimed = [row.id for row in rows if not _held_back(services, row, now)]
        stats.held += len(rows) - len(claimed)
        if not rows:
            return stats
        for notification_id in claimed:
            await _send_one(services, notifier, limiter, render, notification_id, stats)


def _held_back(services: Services, row: Notification, now: datetime) -> bool:
    """The policy again at sending time: a row due while the bot was down, or a retry, may have come due in quiet
    hours or on a day off. Such a row goes back, unclaimed and its attempt not counted, to the next allowed moment."""
    allowed = next_allowed(now, row.kind, services.config.reminders, services.config.organisation.zone)
    if allowed <= now:
        return False
    row.state, row.due_at, row.claimed_at, row.attempts = "planned", allowed, None, row.attempts - 1
    return True


class Renderer(Protocol):
    async def __call__(self, session: AsyncSession, row: Notification) -> tuple[int, str, Buttons] | None: ...


async def _send_one(
    services: Services,
    notifier: Notifier,
    limiter: RateLimiter,
    render: Renderer,
    notification_id: int,
    stats: DispatchStats,
) -> None:
    async with services.sessions() as session:
        row = await followup.notification_by_id(session, notification_id)
        message = await render(session, row) if row is not None else None
    if message is None:
        async with services.sessions.begin() as session:
            row = await followup.notification_by_id(session, notification_id)
            if row is not None:
                row.state = "dropped"  # no longer relevant (item closed, deadline moved) or no chat to send to
        stats.dropped += 1
        return
    chat_id, body, buttons = message
    await limiter.acquire(chat_id)
    failure: SendFailed | None = None
    message_id = None
    try:
        message_id = await notifier.send(chat_id, body, buttons)
    except SendFailed as error:
        failure = error
    now = services.clock.now()
    async with services.sessions.begin() as session:
        row = await followup.notification_by_id(session, notification_id)
        assert row is not None
        if failure is None:
            row.state, row.sent_message_id, row.sent_at, row.last_error = "sent", message_id, now, ""
            stats.sent += 1
            return
        row.last_error = failure.reason[:300]
        stats.errors.append(failure.reason)
        if failure.permanent or row.attempts >= MAX_ATTEMPTS:
            row.state = "failed"
            stats.failed += 1
            await _report_unreachable(session, services, row, failure.reason)
            return
        if failure.retry_after:
            limiter.pause(failure.retry_after)
        delay = failure.retry_after or min(5 * 2 ** (row.attempts - 1), 3600)
        policy, zone = services.config.reminders, services.config.organisation.zone
        row.state, row.due_at = "planned", next_allowed(now + timedelta(seconds=delay), row.kind, policy, zone)
        stats.retried += 1


async def _report_unreachable(session: AsyncSession, services: Services, row: Notification, reason: str) -> None:
    """Tell the interviewer and the commission, once per unreachable person, that messages do not arrive."""
    if row.kind == "unreachable":
        return
    recipients: set[int] = set()
    unit = ""
    if row.item_id is not None:
        item = await followup.item_by_id(session, row.item_id)
        if item is not None:
            talk = await followup.talk_of(session, item)
            recipients.add(talk.lead_id)
            unreachable = await people.person_by_id(session, row.recipient_id)  # a second leader talked to elsewhere
            unit = unreachable.unit.path if unreachable else ""
    if unit:
        recipients |= {p.id for p, scope in await followup.commission_members(session) if within(unit, scope)}
    due = out_of_quiet_hours(services.clock.now(), services.config.reminders, services.config.organisation.zone)
    for recipient in recipients - {row.recipient_id}:
        await add_once(
            session,
            key=f"u:{row.recipient_id}:{recipient}",
            recipient_id=recipient,
            kind="unreachable",
            due_at=due,
            item_id=row.item_id,
            person_id=row.recipient_id,
            reason=reason[:200],
        )
