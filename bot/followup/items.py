"""After the talk: items reach the people responsible, who acknowledge, report progress and completion or ask
for more time; the interviewer (or the commission) closes items (销号), sends them back, and decides extensions.

Messenger-free: every message to someone other than the person acting goes through the outbox.

Long because an item's life — delivery, acknowledgement, progress, done, verify, extension, reopening — is one
state machine whose transitions are read together.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.followup.outbox import Buttons, Outgoing, Renderer, add, add_once
from bot.followup.reminders import ReminderPolicy, out_of_quiet_hours
from bot.i18n import text
from bot.roster.access import Role, Viewer
from bot.services import Services
from bot.talks.when import add_months, read_deadline
from storage import audit, followup, people
from storage.models import (
    AwaitedAnswer,
    ExtensionRequest,
    ItemReport,
    Notification,
    Person,
    RectificationItem,
    Talk,
)

REPORT_LIMIT = 1000
STATES = ("open", "overdue", "awaiting", "closed")


def followup_items(talk: Talk, months: int, now: datetime, zone: ZoneInfo) -> list[RectificationItem]:
    """Ningbo's 双报告: each person talked to reports in writing `months` after the talk, planned like an item."""
    if months <= 0:
        return []
    held = talk.held_at.astimezone(zone).date()
    subjects = [p.person_id for p in talk.participants if p.role == "subject"]
    return [
        RectificationItem(
            kind="followup",
            problem="",
            measure="",
            deadline=add_months(held, months),
            responsible_id=person_id,
            state="open",
            created_at=now,
            planned_from=now,
        )
        for person_id in subjects
    ]


async def deliver(session: AsyncSession, services: Services, items: Sequence[RectificationItem]) -> list[Person]:
    """Plan each item's delivery to its responsible person and second responsible leader; those who are not
    enrolled come back, for the interviewer to invite."""
    due = _soon(services)
    unreachable: dict[int, Person] = {}
    for item in items:
        for person_id in responsible_people(item):
            person = await people.person_by_id(session, person_id)
            if person is None:
                continue
            if person.telegram_user_id is None:
                unreachable[person.id] = person
                continue
            await add_once(
                session,
                key=f"d:{item.id}:{person.id}",
                recipient_id=person.id,
                kind="delivery",
                due_at=due,
                item_id=item.id,
            )
    return list(unreachable.values())


def _soon(services: Services) -> datetime:
    return out_of_quiet_hours(services.clock.now(), services.config.reminders, services.config.organisation.zone)


# ---- what the responsible person does ------------------------------------------------------------------------


def responsible_people(item: RectificationItem) -> list[int]:
    """The person responsible and, for 一事两约谈, the second responsible leader: both are told and reminded."""
    return [item.responsible_id] + ([item.second_responsible_id] if item.second_responsible_id else [])


def answers_for(item: RectificationItem, viewer: Viewer) -> bool:
    return viewer.person_id in responsible_people(item)


async def oversees(session: AsyncSession, viewer: Viewer, item: RectificationItem) -> bool:
    """The interviewer of the item's talk, or the commission over the responsible person's unit."""
    talk = await followup.talk_heading(session, item.talk_id)
    if viewer.person_id in (talk.lead_id, talk.logged_by_id):
        return True
    responsible = await people.person_by_id(session, item.responsible_id)
    return responsible is not None and viewer.holds_over(Role.COMMISSION, responsible.unit.path)


@dataclass
class Outcome:
    key: str  # what to tell the person acting (a catalog key)
    params: dict[str, object]


async def acknowledge(connection: AsyncConnection, services: Services, viewer: Viewer, item_id: int) -> Outcome | None:
    """A person responsible has seen the item (✅ 已知悉): each of them (一事两约谈) on their own; None for an item
    not theirs, closed or gone. A second press says the same and writes nothing. Core statements: this is the
    commonest press of all."""
    found = await followup.answerable(connection, item_id)
    if found is None or viewer.person_id not in found.responsible_ids or found.state == "closed":
        return None
    now = services.clock.now()
    if not await followup.acknowledged_by(connection, item_id, viewer.person_id):
        await followup.record_acknowledgement(connection, item_id, viewer.person_id, now)
        await audit.write(
            connection, at=now, actor_person_id=viewer.person_id, action="item.acknowledge", subject=f"item:{item_id}"
        )
    return Outcome("item.acknowledged", {"number": item_id})


async def ask_for(session: AsyncSession, services: Services, viewer: Viewer, purpose: str, target_id: int) -> None:
    """Remember that this person's next text answers `purpose` (a report, an extension, a reason)."""
    existing = await followup.awaited(session, viewer.person_id)
    if existing is None:
        session.add(
            AwaitedAnswer(person_id=viewer.person_id, purpose=purpose, target_id=target_id, at=services.clock.now())
        )
    else:
        existing.purpose, existing.target_id, existing.at = purpose, target_id, services.clock.now()


async def answer(
    session: AsyncSession, services: Services, viewer: Viewer, awaited: AwaitedAnswer, typed: str
) -> Outcome:
    """The text answering what the bot asked: a report, an extension request or a send-back reason."""
    typed = typed.strip()
    if not typed:
        return Outcome("log.error.empty", {})
    if len(typed) > REPORT_LIMIT:
        return Outcome("log.error.too_long", {"limit": REPORT_LIMIT, "length": len(typed)})
    draft = await followup.extension_by_id(session, awaited.target_id) if awaited.purpose == "extend_reason" else None
    item = await followup.item_by_id(session, draft.item_id if draft else awaited.target_id)
    if item is None or item.state == "closed":
        await session.delete(awaited)
        return Outcome("item.gone", {})
    now = services.clock.now()
    talk = await followup.talk_of(session, item)
    if awaited.purpose in ("progress", "done"):
        if not answers_for(item, viewer):
            await session.delete(awaited)
            return Outcome("item.gone", {})
        report = ItemReport(item_id=item.id, person_id=viewer.person_id, kind=awaited.purpose, body=typed, at=now)
        session.add(report)
        await session.flush()
        if awaited.purpose == "done":
            item.state = "awaiting"
        add(
            session,
            key=f"v:{report.id}:{talk.lead_id}",
            recipient_id=talk.lead_id,
            kind="verify" if awaited.purpose == "done" else "progress",
            due_at=_soon(services),
            item_id=item.id,
            report=typed,
            person_id=viewer.person_id,
        )
        _audit(session, services, viewer, f"item.report_{awaited.purpose}", item)
        awaited.purpose, awaited.target_id, awaited.at = "evidence", report.id, now
        return Outcome("item.report_saved", {})
    if awaited.purpose in ("extend", "extend_reason"):
        return await _extension_answer(session, services, viewer, awaited, item, draft, typed)
    if awaited.purpose == "send_back":
        await session.delete(awaited)
        if item.state != "awaiting" or not await oversees(session, viewer, item):
            return Outcome("item.gone", {})
        item.state = "open"
        session.add(ItemReport(item_id=item.id, person_id=viewer.person_id, kind="sent_back", body=typed, at=now))
        for person_id in responsible_people(item):
            add(
                session,
                key=f"b:{item.id}:{now.timestamp()}:{person_id}",
                recipient_id=person_id,
                kind="sent_back",
                due_at=_soon(services),
                item_id=item.id,
                reason=typed,
            )
        _audit(session, services, viewer, "item.send_back", item)
        return Outcome("item.sent_back_done", {})
    await session.delete(awaited)
    return Outcome("item.gone", {})


# Where a date typed before the reason may end: at a space or a mark, or after a whole date or span (日, 号, 月底,
# 个月…), but never inside a number or before 底/初/中/末 (3月底 is not 3 months).
_SEPARATORS = " \t，,。.;；:：、-—"
_CLOSED_ENDINGS = (
    *("日", "号", "内", "前", "后", "底", "末", "天", "周", "星期", "个月"),
    *("month", "months", "day", "days", "week", "weeks"),
)


def _may_end_a_date(head: str, following: str) -> bool:
    """A date may end here without a space: after 日, 个月 and the like, or after its last digit when Chinese text
    follows (2027-03-31需要…)."""
    if following.isdigit() or following in "底初中末":
        return False
    return head.lower().endswith(_CLOSED_ENDINGS) or (head[-1].isdigit() and not following.isascii())


def read_extension(typed: str, today: date) -> tuple[date, str] | None:
    """The new deadline and the reason from one message: the date first (`2027-03-31 需要走招标流程`, or the date on
    its own line and the reason after it); the reason may be empty. None when no date starts the message."""
    first, _, rest = typed.strip().partition("\n")
    for cut in range(min(len(first), 60), 0, -1):
        head, tail = first[:cut], first[cut:]
        if tail and tail[0] not in _SEPARATORS and not _may_end_a_date(head, tail[0]):
            continue
        day = read_deadline(head.strip(), today)
        if day is not None:
            return day, f"{tail}\n{rest}".strip(_SEPARATORS + "\n")
    return None


async def _extension_answer(
    session: AsyncSession,
    services: Services,
    viewer: Viewer,
    awaited: AwaitedAnswer,
    item: RectificationItem,
    draft: ExtensionRequest | None,
    typed: str,
) -> Outcome:
    """An extension request, in one message (date and reason) or two (the date, then the reason asked for)."""
    today = services.clock.now().astimezone(services.config.organisation.zone).date()
    read = read_extension(typed, today)
    if draft is not None and (read is None or read[1]):
        requested, reason = draft.requested, typed  # the reason asked for (a date alone would correct the date)
    elif read is None:
        return Outcome("item.error.extension_unreadable", {"deadline": item.deadline.isoformat()})
    else:
        requested, reason = read
    if requested <= item.deadline:
        return Outcome("item.error.extension_date", {"deadline": item.deadline.isoformat()})
    if draft is None:
        draft = ExtensionRequest(item_id=item.id, person_id=viewer.person_id, state="draft", at=services.clock.now())
        session.add(draft)
    draft.requested, draft.reason = requested, reason.strip()[:500]
    if not draft.reason:  # a date alone: keep it and ask why
        await session.flush()
        awaited.purpose, awaited.target_id = "extend_reason", draft.id
        return Outcome("item.ask.extend_reason", {"deadline": requested.isoformat()})
    draft.state, draft.at = "pending", services.clock.now()
    await session.flush()
    talk = await followup.talk_of(session, item)
    add(
        session,
        key=f"x:{draft.id}",
        recipient_id=talk.lead_id,
        kind="extension",
        due_at=_soon(services),
        item_id=item.id,
        request_id=draft.id,
        person_id=viewer.person_id,
        requested=requested.isoformat(),
        reason=draft.reason,
    )
    await session.delete(awaited)
    _audit(session, services, viewer, "item.extension_request", item)
    return Outcome("item.extension_sent", {"deadline": requested.isoformat()})


async def close(session: AsyncSession, services: Services, viewer: Viewer, item: RectificationItem) -> Outcome:
    """销号: the item is done; no more reminders."""
    now = services.clock.now()
    item.state, item.closed_at, item.closed_by_id = "closed", now, viewer.person_id
    session.add(ItemReport(item_id=item.id, person_id=viewer.person_id, kind="closed", body="", at=now))
    await followup.drop_planned(session, item.id)
    for person_id in responsible_people(item):
        add(
            session,
            key=f"c:{item.id}" if person_id == item.responsible_id else f"c:{item.id}:{person_id}",
            recipient_id=person_id,
            kind="closed",
            due_at=_soon(services),
            item_id=item.id,
        )
    _audit(session, services, viewer, "item.close", item)
    return Outcome("item.closed_done", {})


async def decide_extension(
    session: AsyncSession, services: Services, viewer: Viewer, request: ExtensionRequest, approve: bool
) -> Outcome:
    item = await followup.item_by_id(session, request.item_id)
    if item is None or request.state != "pending":
        return Outcome("item.gone", {})
    now = services.clock.now()
    request.state, request.decided_by_id = ("approved" if approve else "declined"), viewer.person_id
    if approve:
        item.deadline, item.planned_from = request.requested, now
        await followup.drop_planned(session, item.id)  # reminders are planned anew for the new deadline
    add(
        session,
        key=f"xd:{request.id}",
        recipient_id=request.person_id,
        kind="extension_approved" if approve else "extension_declined",
        due_at=_soon(services),
        item_id=item.id,
        requested=request.requested.isoformat(),
    )
    _audit(session, services, viewer, f"item.extension_{request.state}", item)
    return Outcome("item.extension_decided", {"deadline": item.deadline.isoformat()})


def _audit(session: AsyncSession, services: Services, viewer: Viewer, action: str, item: RectificationItem) -> None:
    audit.record(
        session,
        at=services.clock.now(),
        actor_person_id=viewer.person_id,
        action=action,
        subject=f"item:{item.id}",
    )


# ---- what the messages say -------------------------------------------------------------------------------


def item_state(item: RectificationItem, today: date) -> str:
    if item.state == "open" and item.deadline < today:
        return "overdue"
    return item.state


async def describe_items(
    session: AsyncSession, services: Services, items: Sequence[RectificationItem], language: str
) -> list[str]:
    """Each item's card, in one query however many there are."""
    facts = await followup.card_facts(session, [item.id for item in items])
    zone = services.config.organisation.zone
    today = services.clock.now().astimezone(zone).date()
    cards = []
    for item in items:
        fact = facts[item.id]
        problem = item.problem if item.kind == "problem" else text(language, "item.followup_problem")
        cards.append(
            text(
                language,
                "item.card",
                number=item.id,
                problem=problem,
                measure=item.measure or "—",
                deadline=item.deadline.isoformat(),
                day=f"{fact.held_at.astimezone(zone):%Y-%m-%d}",
                kind=fact.kind,
                lead=fact.lead_name or "—",
                responsible=responsible_names(language, fact.responsible_name, fact.second_name),
                state=urgency_mark(language, item, today, services.config.reminders)
                + text(language, f"item.state.{item_state(item, today)}"),
            )
        )
    return cards


def responsible_names(language: str, first: str | None, second: str | None) -> str:
    if second is None:
        return first or "—"
    return text(language, "item.two_responsible", first=first or "—", second=second)


async def describe_item(session: AsyncSession, services: Services, item: RectificationItem, language: str) -> str:
    return (await describe_items(session, services, [item], language))[0]


def person_buttons(item: RectificationItem, language: str) -> Buttons:
    return [
        [
            (text(language, "item.button.ack"), f"it:{item.id}:ack"),
            (text(language, "item.button.progress"), f"it:{item.id}:progress"),
        ],
        [
            (text(language, "item.button.done"), f"it:{item.id}:done"),
            (text(language, "item.button.extend"), f"it:{item.id}:extend"),
        ],
    ]


def verify_buttons(item: RectificationItem, language: str) -> Buttons:
    return [
        [
            (text(language, "item.button.close"), f"iv:{item.id}:close"),
            (text(language, "item.button.send_back"), f"iv:{item.id}:back"),
        ]
    ]


def reminder_wording(kind: str, deadline: date, today: date) -> tuple[str, int]:
    """What a reminder says, counted from the day it is sent: one moved off a holiday, or held back, still tells
    the days truly left or overdue."""
    left = (deadline - today).days
    if kind == "escalate":
        return kind, max(-left, 0)
    if left > 0:
        return "before", left
    return ("due", 0) if left == 0 else ("overdue", -left)


REMINDER_KINDS = ("before", "due", "overdue")


def renderer(services: Services) -> Renderer:
    """The outbox's renderer for item notifications: one recipient's due rows → messages. Reminders due in the same
    round come as one digest (a line and a button per item, the most urgent first), escalations likewise, and a
    talk's new items as one message a talk; a single one comes as the item's card with its buttons."""

    async def render(session: AsyncSession, rows: Sequence[Notification]) -> list[Outgoing]:
        recipient = await people.person_by_id(session, rows[0].recipient_id) if rows else None
        if recipient is None or recipient.telegram_user_id is None or not recipient.active:
            return []
        chat, language = recipient.telegram_user_id, recipient.language or services.default_language
        today = services.clock.now().astimezone(services.config.organisation.zone).date()
        found = await followup.items_by_ids(session, (row.item_id for row in rows if row.item_id))
        items: dict[int, RectificationItem | None] = {
            row.item_id: found.get(row.item_id) for row in rows if row.item_id
        }
        messages: list[Outgoing] = []
        reminders: dict[int, list[Notification]] = {}  # item → its live reminder rows (several after a gap)
        escalations: dict[int, list[Notification]] = {}
        delivered: dict[int, dict[int, list[Notification]]] = {}  # talk → item → its delivery rows
        for row in rows:
            item = items.get(row.item_id) if row.item_id else None
            if row.kind in REMINDER_KINDS or row.kind == "escalate":
                if item is not None and _still_meant(row, item):
                    (escalations if row.kind == "escalate" else reminders).setdefault(item.id, []).append(row)
                continue
            if row.kind == "delivery" and item is not None:
                delivered.setdefault(item.talk_id, {}).setdefault(item.id, []).append(row)
                continue
            one = await _render_one(session, services, row, item, language, today)
            if one is not None:
                messages.append(Outgoing([row.id], chat, *one))
        # A talk's new items come together (one message a talk), as do a round's reminders and escalations.
        groups = [(grouped, "item.digest.delivery") for grouped in delivered.values()]
        groups += [(reminders, "item.digest.reminders"), (escalations, "item.digest.escalate")]
        for grouped, digest in groups:
            if len(grouped) == 1:
                [(item_id, carried)] = grouped.items()
                one = await _render_one(session, services, carried[-1], items[item_id], language, today)
                if one is not None:
                    messages.append(Outgoing([row.id for row in carried], chat, *one))
            elif grouped:
                listed = [item for item_id in grouped if (item := items[item_id]) is not None]
                body, buttons = await _digest(session, services, digest, listed, language, today)
                messages.append(
                    Outgoing([row.id for carried in grouped.values() for row in carried], chat, body, buttons)
                )
        return messages

    return render


def _still_meant(row: Notification, item: RectificationItem) -> bool:
    """A reminder loses its meaning when the item is closed or its deadline moved (the new one has its own)."""
    payload = json.loads(row.payload) if row.payload else {}
    return item.state != "closed" and payload.get("deadline") == str(item.deadline)


def urgency(item: RectificationItem, today: date, policy: ReminderPolicy) -> str | None:
    """三色预警 as commissions mark it: red when overdue, yellow when due within the warning window (the earliest
    reminder before the deadline), nothing otherwise or once reported done."""
    if item.state != "open":
        return None
    left = (item.deadline - today).days
    if left < 0:
        return "red"
    return "yellow" if left <= max(policy.before_days, default=0) else None


def urgency_mark(language: str, item: RectificationItem, today: date, policy: ReminderPolicy) -> str:
    found = urgency(item, today, policy)
    return text(language, f"item.urgency.{found}") if found else ""


async def _digest(
    session: AsyncSession,
    services: Services,
    title: str,
    items: Sequence[RectificationItem],
    language: str,
    today: date,
) -> tuple[str, Buttons]:
    """Several items in one message: a line each and a button each (which brings the item's card), most overdue
    first."""
    policy = services.config.reminders
    facts = await followup.card_facts(session, [item.id for item in items])
    ordered = sorted(items, key=lambda item: (item.deadline, item.id))
    lead = facts[ordered[0].id].lead_name or "—"  # a delivery's heading names the talk's lead (one talk a digest)
    lines, buttons = [text(language, title, count=len(ordered), lead=lead)], []
    for item in ordered:
        fact = facts[item.id]
        problem = item.problem if item.kind == "problem" else text(language, "item.followup_problem")
        wording, days = reminder_wording("due", item.deadline, today)
        mark = urgency_mark(language, item, today, policy)
        lines.append(
            text(
                language,
                f"{title}_line",
                mark=mark,
                number=item.id,
                problem=problem[:60],
                when=text(language, f"item.digest.{wording}", days=days),
                deadline=item.deadline.isoformat(),
                responsible=responsible_names(language, fact.responsible_name, fact.second_name),
            ).strip()
        )
        label = text(language, "item.digest.button", mark=mark.split(" ")[0], number=item.id, problem=problem[:16])
        buttons.append([(label.strip(), f"it:{item.id}:show")])
    return "\n".join(lines), buttons


async def _render_one(
    session: AsyncSession,
    services: Services,
    row: Notification,
    item: RectificationItem | None,
    language: str,
    today: date,
) -> tuple[str, Buttons] | None:
    """One notification as one message: what happened, then the item's card, with the buttons it calls for."""
    payload = json.loads(row.payload) if row.payload else {}
    if item is None and row.kind != "unreachable":
        return None
    reminder = item is not None and row.kind in (*REMINDER_KINDS, "escalate")
    card = await describe_item(session, services, item, language) if item is not None else ""
    about = await people.person_by_id(session, payload["person_id"]) if "person_id" in payload else None
    name = about.name if about else "—"
    if "second_id" in payload:  # an escalation names both people responsible
        second = await people.person_by_id(session, payload["second_id"])
        name = responsible_names(language, name, second.name if second else None)
    kind, days = row.kind, payload.get("days", 0)
    if reminder and item is not None:
        kind, days = reminder_wording(row.kind, item.deadline, today)
    body = text(
        language,
        f"item.notice.{kind}",
        days=days,
        name=name,
        report=payload.get("report", ""),
        reason=payload.get("reason", ""),
        requested=payload.get("requested", ""),
    )
    buttons: Buttons = []
    if item is not None and row.kind in ("delivery", *REMINDER_KINDS, "sent_back"):
        buttons = person_buttons(item, language)
    elif item is not None and row.kind == "verify":
        buttons = verify_buttons(item, language)
    elif row.kind == "extension":
        request_id = payload.get("request_id")
        buttons = [
            [
                (text(language, "item.button.approve"), f"ix:{request_id}:yes"),
                (text(language, "item.button.decline"), f"ix:{request_id}:no"),
            ]
        ]
    return f"{body}\n\n{card}".strip(), buttons
