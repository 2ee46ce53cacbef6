"""The outbox: notifications are rows, planned idempotently, claimed before sending and marked after.

`plan_reminders` turns open items and the policy into rows; `dispatch` checks the policy again, groups each
recipient's due rows into messages (a `Renderer`: one digest a round), and sends them chat by chat in parallel
through a `Notifier` that the assembly hands in (Telegram's lives in handlers/telegram/outbox.py;
the bot-wide rate limit is its bot's, handlers/telegram/ratelimit.py). A crash
between claim and mark leaves rows claimed; `recover` puts them back, so at most what was in flight is sent
twice and nothing is lost.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.followup.reminders import Moment, moments, next_allowed, out_of_quiet_hours, still_to_plan
from bot.roster.access import within
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


class ChatPacing:
    """Telegram takes about one message a second in a private chat. The outbox keeps each chat's messages that far
    apart; the wait holds up only that chat's own sender, never the others (the bot-wide limit is the bot's, see
    handlers/telegram/ratelimit.py)."""

    MARGIN = 0.05  # seconds: what the network may take off the gap between two messages on their way

    def __init__(self, per_second: float) -> None:
        self.interval = 1 / per_second + self.MARGIN
        self._last: dict[int, float] = {}  # chat → loop time of its last message

    async def wait(self, chat_id: int) -> None:
        loop = asyncio.get_running_loop()
        wait = self._last.get(chat_id, -self.interval) + self.interval - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
        self._last[chat_id] = loop.time()
        if len(self._last) > 50_000:  # forget chats long quiet
            horizon = loop.time() - self.interval
            self._last = {chat: at for chat, at in self._last.items() if at > horizon}


@dataclass
class DispatchStats:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    dropped: int = 0
    held: int = 0  # due, but not to be sent now (quiet hours, a day off): moved to the next allowed moment
    throttled: int = 0  # 429s Telegram answered (each honoured: the row waits its retry_after)
    rows: int = 0  # rows sent: a digest carries several in one message
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
    schedule: dict[date, list[Moment]] = {}  # deadline → its moments, for every item with that deadline
    commission: Sequence[tuple[int, str]] | None = None  # read at the first escalation: most runs plan none
    while True:
        async with services.sessions.begin() as session:
            items = await followup.open_items_due_by(session, last_deadline, after_id, batch, scope)
            if not items:
                return created
            after_id = items[-1].id
            wanted: dict[str, dict[str, Any]] = {}
            for item in items:
                if (found := schedule.get(item.deadline)) is None:
                    found = schedule[item.deadline] = moments(item.deadline, policy, zone, now + horizon)
                for moment in still_to_plan(found, item.planned_from, now):
                    payload = {"days": moment.days, "deadline": str(item.deadline)}
                    if moment.kind != "escalate":
                        recipients = item.reminded
                    else:
                        payload["person_id"] = item.responsible_id
                        if item.second_responsible_id is not None:
                            payload["second_id"] = item.second_responsible_id
                        if commission is None:
                            commission = await followup.commission_members(session)
                        recipients = {item.lead_id} | {p for p, scope in commission if within(item.unit, scope)}
                    for recipient in recipients:
                        key = f"r:{item.id}:{moment.name}:{recipient}:{item.deadline}"
                        wanted[key] = _row(key, recipient, moment.kind, moment.at, item.id, payload)
            existing = await followup.existing_keys(session, wanted)
            fresh = [row for key, row in wanted.items() if key not in existing]
            await followup.insert_notifications(session, fresh)
            created += len(fresh)
        if len(items) < batch:
            return created  # the last batch: no query more to find it so


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


@dataclass
class Outgoing:
    """One message to send, and the outbox rows it carries (a digest carries several)."""

    rows: list[int]
    chat_id: int
    text: str
    buttons: Buttons


class Renderer(Protocol):
    async def __call__(self, session: AsyncSession, rows: Sequence[Notification]) -> list[Outgoing]:
        """One recipient's due rows → the messages to send; a row in none of them is dropped."""
        ...


CHATS_AT_ONCE = 64  # recipients being sent to side by side; the bot-wide limiter sets the pace


async def dispatch(
    services: Services, notifier: Notifier, pacing: ChatPacing, render: Renderer, *, release_stuck: bool = True
) -> DispatchStats:
    """Send every due row. A round of rows is claimed (all of each recipient's), rendered in one session (one digest
    a person a round), and sent chat by chat in parallel, so one person's pacing never holds up another's; the next
    round is claimed and rendered while this one goes out, so the limiter never waits for the database. Rows claimed
    longer than STUCK_AFTER ago go back first, unless `release_stuck` is False (a dispatch kicked by an update: the
    scheduled one, every sweep_seconds, sees to them, and an update pays for no write more)."""
    stats = DispatchStats()
    now = services.clock.now()
    if release_stuck:
        async with services.sessions.begin() as session:
            await followup.release_claimed(session, before=now - STUCK_AFTER)
    marks = _Marks(services)
    slots = asyncio.Semaphore(CHATS_AT_ONCE)
    ready = await _next_round(services, render, now, stats)
    while ready is not None:
        sending = (_send_to(services, notifier, pacing, marks, messages, stats, slots) for messages in ready)
        # Every task runs to its end even if one fails; the first failure is raised after.
        following, *sent = await asyncio.gather(
            _next_round(services, render, now, stats), *sending, return_exceptions=True
        )
        for result in (following, *sent):
            if isinstance(result, BaseException):
                raise result
        if isinstance(following, list):
            ready = following
        elif ready:  # rows planned while this round went out (a failure's notice to the interviewer) go out too
            ready = await _next_round(services, render, now, stats)
        else:
            ready = None
    return stats


async def _next_round(
    services: Services, render: Renderer, now: datetime, stats: DispatchStats
) -> list[list[Outgoing]] | None:
    """The next due rows claimed and rendered: each recipient's messages (none when all were held back or dropped);
    None when nothing is due."""
    async with services.sessions.begin() as session:
        rows = await followup.claim_due(session, now, CLAIM_BATCH)
        kept = [row.id for row in rows if not _held_back(services, row, now)]
    if not rows:
        return None
    stats.held += len(rows) - len(kept)
    async with services.sessions() as session:
        by_recipient: dict[int, list[Notification]] = defaultdict(list)
        for row in await followup.notifications_by_ids(session, kept):
            by_recipient[row.recipient_id].append(row)
        await followup.people_by_ids(session, by_recipient)  # the renderer finds each recipient without asking
        rendered = [await render(session, claimed) for claimed in by_recipient.values()]
    carried = {row_id for messages in rendered for message in messages for row_id in message.rows}
    dropped = [row_id for row_id in kept if row_id not in carried]
    if dropped:  # no longer relevant (item closed, deadline moved, a later reminder says it) or no chat
        async with services.sessions.begin() as session:
            await followup.mark_dropped(session, dropped)
        stats.dropped += len(dropped)
    return [messages for messages in rendered if messages]


def _held_back(services: Services, row: Notification, now: datetime) -> bool:
    """The policy again at sending time: a row due while the bot was down, or a retry, may have come due in quiet
    hours or on a day off. Such a row goes back, unclaimed and its attempt not counted, to the next allowed moment."""
    allowed = next_allowed(now, row.kind, services.config.reminders, services.config.organisation.zone)
    if allowed <= now:
        return False
    row.state, row.due_at, row.claimed_at, row.attempts = "planned", allowed, None, row.attempts - 1
    return True


class _Marks:
    """Sent rows are marked by one writer at a time, everything waiting in one transaction: the writes stay few
    however many chats send at once (no transaction a message, no writers queueing for the lock), and each sender
    still goes on only once its rows are marked, so a crash sends again at most what was in flight."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._waiting: list[tuple[Sequence[int], int | None, asyncio.Future[None]]] = []
        self._writing = asyncio.Lock()

    async def sent(self, rows: Sequence[int], message_id: int | None) -> None:
        marked: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((rows, message_id, marked))
        async with self._writing:
            if marked.done():  # another sender wrote it with theirs
                return
            batch, self._waiting = self._waiting, []
            try:
                async with self.services.sessions.begin() as session:
                    sent = [(ids, message_id) for ids, message_id, _ in batch]
                    await followup.mark_sent_many(session, sent, self.services.clock.now())
            except BaseException:
                self._waiting[:0] = [entry for entry in batch if entry[2] is not marked]  # theirs: written next
                raise
            for *_, done in batch:
                if done is not marked:
                    done.set_result(None)


async def _send_to(
    services: Services,
    notifier: Notifier,
    pacing: ChatPacing,
    marks: _Marks,
    messages: list[Outgoing],
    stats: DispatchStats,
    slots: asyncio.Semaphore,
) -> None:
    """One recipient's messages, in order, each one's rows marked."""
    for message in messages:
        await pacing.wait(message.chat_id)
        await _send_one(services, notifier, marks, message, stats, slots)


async def _send_one(
    services: Services,
    notifier: Notifier,
    marks: _Marks,
    message: Outgoing,
    stats: DispatchStats,
    slots: asyncio.Semaphore,
) -> None:
    failure: SendFailed | None = None
    message_id = None
    try:
        async with slots:
            message_id = await notifier.send(message.chat_id, message.text, message.buttons)
    except SendFailed as error:
        failure = error
    if failure is None:
        await marks.sent(message.rows, message_id)
        stats.sent += 1
        stats.rows += len(message.rows)
        return
    given_up, now = False, services.clock.now()
    async with services.sessions.begin() as session:
        for row in await followup.notifications_by_ids(session, message.rows):
            row.last_error = failure.reason[:300]
            if failure.permanent or row.attempts >= MAX_ATTEMPTS:
                row.state, given_up = "failed", True
                await _report_unreachable(session, services, row, failure.reason)
                continue
            delay = failure.retry_after or min(5 * 2 ** (row.attempts - 1), 3600)
            policy, zone = services.config.reminders, services.config.organisation.zone
            row.state, row.due_at = "planned", next_allowed(now + timedelta(seconds=delay), row.kind, policy, zone)
    stats.errors.append(failure.reason)
    if failure.retry_after is not None:
        stats.throttled += 1
    if given_up:
        stats.failed += 1
    else:
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
        recipients |= {p for p, scope in await followup.commission_members(session) if within(unit, scope)}
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
