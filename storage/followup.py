"""Queries for rectification follow-up: items, reports, extension requests, awaited answers and the outbox.

Long because every query of the follow-up is here (items, reports, the outbox's planning, claiming and
marking), and planning and dispatch share their statements.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, any_, bindparam, func, insert, or_, select, union, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import aliased

from storage.models import (
    AwaitedAnswer,
    ExtensionRequest,
    ItemReport,
    Notification,
    Person,
    RectificationItem,
    RoleGrant,
    Talk,
    Unit,
)

_WHO_ANSWERS = select(
    RectificationItem.responsible_id,
    RectificationItem.second_responsible_id,
    RectificationItem.state,
    RectificationItem.acknowledged_at,
).where(RectificationItem.id == bindparam("item"))
_ACKNOWLEDGE = (
    update(RectificationItem)
    .where(RectificationItem.id == bindparam("item"), RectificationItem.acknowledged_at.is_(None))
    .values(acknowledged_at=bindparam("now"))
)


@dataclass(frozen=True)
class Answerable:
    """What deciding whether a person may acknowledge an item needs."""

    responsible_ids: tuple[int, int | None]
    state: str
    acknowledged: bool


async def answerable(connection: AsyncConnection, item_id: int) -> Answerable | None:
    row = (await connection.execute(_WHO_ANSWERS, {"item": item_id})).first()
    return None if row is None else Answerable((row[0], row[1]), row[2], row[3] is not None)


async def mark_acknowledged(connection: AsyncConnection, item_id: int, now: datetime) -> bool:
    """Set the acknowledgement time unless it is set; whether this call set it."""
    return (await connection.execute(_ACKNOWLEDGE, {"item": item_id, "now": now})).rowcount == 1


_ACKNOWLEDGED_BY = (
    select(ItemReport.id)
    .where(
        ItemReport.item_id == bindparam("item"),
        ItemReport.person_id == bindparam("person"),
        ItemReport.kind == "acknowledged",
    )
    .limit(1)
)


async def acknowledged_by(connection: AsyncConnection, item_id: int, person_id: int) -> bool:
    """Whether this person (one of the item's people responsible) has acknowledged it."""
    return (await connection.execute(_ACKNOWLEDGED_BY, {"item": item_id, "person": person_id})).first() is not None


async def record_acknowledgement(connection: AsyncConnection, item_id: int, person_id: int, now: datetime) -> None:
    """This person's acknowledgement, each responsible person's their own; the item keeps the first one's time."""
    await connection.execute(
        insert(ItemReport), {"item_id": item_id, "person_id": person_id, "kind": "acknowledged", "body": "", "at": now}
    )
    await mark_acknowledged(connection, item_id, now)


async def item_by_id(session: AsyncSession, item_id: int) -> RectificationItem | None:
    return await session.get(RectificationItem, item_id)


async def items_by_ids(session: AsyncSession, item_ids: Iterable[int]) -> dict[int, RectificationItem]:
    wanted = list(set(item_ids))
    if not wanted:
        return {}
    found = await session.scalars(select(RectificationItem).where(RectificationItem.id.in_(wanted)))
    return {item.id: item for item in found.all()}


async def talk_of(session: AsyncSession, item: RectificationItem) -> Talk:
    talk = await session.get(Talk, item.talk_id)
    assert talk is not None
    return talk


@dataclass(frozen=True)
class TalkHeading:
    """What an item's card says of its talk: read alone, without the talk's people, items and attachments."""

    held_at: datetime
    kind: str
    lead_id: int
    logged_by_id: int


async def talk_heading(session: AsyncSession, talk_id: int) -> TalkHeading:
    row = (
        await session.execute(
            select(Talk.held_at, Talk.kind, Talk.lead_id, Talk.logged_by_id).where(Talk.id == talk_id)
        )
    ).one()
    return TalkHeading(row.held_at, row.kind, row.lead_id, row.logged_by_id)


@dataclass(frozen=True)
class CardFacts:
    """What an item's card says besides the item itself: its talk's day and kind, and two names."""

    held_at: datetime
    kind: str
    lead_name: str | None
    responsible_name: str | None
    second_name: str | None  # 一事两约谈: the second responsible leader, if any


_LEAD, _RESPONSIBLE, _SECOND = aliased(Person), aliased(Person), aliased(Person)
_CARD_FACTS = (  # built once: with its aliases it costs more to build than to run
    select(RectificationItem.id, Talk.held_at, Talk.kind, _LEAD.name, _RESPONSIBLE.name, _SECOND.name)
    .join(Talk, Talk.id == RectificationItem.talk_id)
    .outerjoin(_LEAD, _LEAD.id == Talk.lead_id)
    .outerjoin(_RESPONSIBLE, _RESPONSIBLE.id == RectificationItem.responsible_id)
    .outerjoin(_SECOND, _SECOND.id == RectificationItem.second_responsible_id)
    .where(RectificationItem.id.in_(bindparam("items", expanding=True)))
)


async def card_facts(session: AsyncSession, item_ids: Sequence[int]) -> dict[int, CardFacts]:
    """Each item's card facts, for any number of items in one query."""
    rows = (await session.execute(_CARD_FACTS, {"items": list(item_ids)})).all()
    return {
        item_id: CardFacts(held_at, kind, lead_name, name, second)
        for item_id, held_at, kind, lead_name, name, second in rows
    }


# The person's item ids, each way through its own index. Written as one OR, the planner weighed the second
# responsible leader's index by its statistics: nearly every item has none, so once ANALYZE had run the NULLs made
# that index look useless and SQLite read every item instead (issue 18).
_ITEM_IDS_OF_PERSON = union(
    select(RectificationItem.id).where(RectificationItem.responsible_id == bindparam("person")),
    select(RectificationItem.id).where(RectificationItem.second_responsible_id == bindparam("person")),
)
_ITEMS_OF_PERSON = (
    select(RectificationItem)
    .join(Talk, Talk.id == RectificationItem.talk_id)
    .where(~Talk.deleted, RectificationItem.state != "closed", RectificationItem.id.in_(_ITEM_IDS_OF_PERSON))
    .order_by(RectificationItem.deadline, RectificationItem.id)
)


async def items_of_person(session: AsyncSession, person_id: int) -> Sequence[RectificationItem]:
    """Items this person answers for (or is the second responsible leader of) that are not closed."""
    return (await session.scalars(_ITEMS_OF_PERSON, {"person": person_id})).all()


async def items_of_interviewer(
    session: AsyncSession, person_id: int, scopes: Sequence[str] = ()
) -> Sequence[RectificationItem]:
    """Items of the talks this person led or logged, and (for the commission) of anyone in `scopes`."""
    mine = (Talk.lead_id == person_id) | (Talk.logged_by_id == person_id)
    if scopes:
        in_scope = or_(*(or_(Unit.path == s, Unit.path.startswith(s + "/", autoescape=True)) for s in scopes))
        mine = mine | in_scope
    return (
        await session.scalars(
            select(RectificationItem)
            .join(Talk, Talk.id == RectificationItem.talk_id)
            .join(Person, Person.id == RectificationItem.responsible_id)
            .join(Unit, Unit.id == Person.unit_id)
            .where(~Talk.deleted, mine)
            .order_by(RectificationItem.deadline, RectificationItem.id)
        )
    ).all()


@dataclass(frozen=True)
class OpenItem:
    """What planning reminders needs of an open item, read in one query."""

    id: int
    deadline: date
    planned_from: datetime
    responsible_id: int
    enrolled: bool
    unit: str  # the responsible person's unit path
    lead_id: int
    second_responsible_id: int | None = None  # 一事两约谈: reminded like the first
    second_enrolled: bool = False

    @property
    def reminded(self) -> set[int]:
        """Everyone answering for the item who can be messaged."""
        found = {self.responsible_id} if self.enrolled else set()
        if self.second_responsible_id is not None and self.second_enrolled:
            found.add(self.second_responsible_id)
        return found


@dataclass(frozen=True)
class PlanScope:
    """The items a planning run looks at: every open item, or only one talk's, or only one person's (a confirm or
    an enrolment plans its own, not everyone's: issue 18)."""

    talk_id: int | None = None
    responsible_id: int | None = None


EVERY_ITEM = PlanScope()


async def open_items_due_by(
    session: AsyncSession, last_deadline: date, after_id: int, limit: int, scope: PlanScope = EVERY_ITEM
) -> list[OpenItem]:
    """Open items (within `scope`) with a deadline up to `last_deadline` (the only ones with reminders near), in id
    order from `after_id`."""
    query = (
        select(
            RectificationItem.id,
            RectificationItem.deadline,
            RectificationItem.planned_from,
            RectificationItem.created_at,
            RectificationItem.responsible_id,
            Person.telegram_user_id,
            Unit.path,
            Talk.lead_id,
            RectificationItem.second_responsible_id,
            _SECOND.telegram_user_id,
        )
        .join(Talk, Talk.id == RectificationItem.talk_id)
        .join(Person, Person.id == RectificationItem.responsible_id)
        .join(Unit, Unit.id == Person.unit_id)
        .outerjoin(_SECOND, _SECOND.id == RectificationItem.second_responsible_id)
        .where(
            ~Talk.deleted,
            RectificationItem.state != "closed",
            RectificationItem.deadline <= last_deadline,
            RectificationItem.id > after_id,
        )
        .order_by(RectificationItem.id)
        .limit(limit)
    )
    if scope.talk_id is not None:
        query = query.where(RectificationItem.talk_id == scope.talk_id)
    if scope.responsible_id is not None:  # either of the people responsible (一事两约谈)
        query = query.where(
            (RectificationItem.responsible_id == scope.responsible_id)
            | (RectificationItem.second_responsible_id == scope.responsible_id)
        )
    rows = await session.execute(query)
    return [
        OpenItem(
            id=row[0],
            deadline=row[1],
            planned_from=row[2] or row[3],
            responsible_id=row[4],
            enrolled=row[5] is not None,
            unit=row[6],
            lead_id=row[7],
            second_responsible_id=row[8],
            second_enrolled=row[9] is not None,
        )
        for row in rows.all()
    ]


async def insert_notifications(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:  # the table's insert, not the ORM's bulk one: complete rows need none of its per-row bookkeeping
        await session.execute(insert(cast(Table, Notification.__table__)), rows)


async def commission_members(session: AsyncSession) -> Sequence[tuple[int, str]]:
    """Every enrolled person holding the commission role (their id), with the scope they hold it over."""
    return await role_holders(session, "commission")


async def role_holders(session: AsyncSession, role: str) -> Sequence[tuple[int, str]]:
    """Every enrolled, active person holding `role` (their id), with the scope they hold it over: one row each,
    no people or grants loaded (a planning run asks this every time)."""
    rows = await session.execute(
        select(Person.id, Unit.path)
        .join(RoleGrant, RoleGrant.person_id == Person.id)
        .join(Unit, Unit.id == RoleGrant.scope_unit_id)
        .where(RoleGrant.role == role, Person.active, Person.telegram_user_id.is_not(None))
        .order_by(Person.id, Unit.path)
    )
    return [(person_id, path) for person_id, path in rows.all()]


_KEYS_IN_ARRAY = select(Notification.key).where(
    Notification.key == any_(bindparam("keys", type_=postgresql.ARRAY(Notification.key.type)))
)


async def existing_keys(session: AsyncSession, keys: Iterable[str]) -> set[str]:
    wanted = list(keys)
    found: set[str] = set()
    if (await session.connection()).dialect.name == "postgresql":
        # One array parameter: the same statement every time (an IN list is a new statement for each length,
        # prepared again), and a plan that keeps to the unique index.
        for start in range(0, len(wanted), 5000):
            found.update((await session.scalars(_KEYS_IN_ARRAY, {"keys": wanted[start : start + 5000]})).all())
        return found
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update((await session.scalars(select(Notification.key).where(Notification.key.in_(chunk)))).all())
    return found


async def claim_due(session: AsyncSession, now: datetime, limit: int) -> Sequence[Notification]:
    """Due planned rows of the recipients of the first `limit` due rows — all of each one's, so that a person's
    round is rendered together (one digest) — marked claimed in the caller's transaction (skipping rows another
    instance holds)."""
    due = (Notification.state == "planned", Notification.due_at <= now)
    first = select(Notification.recipient_id).where(*due).order_by(Notification.due_at, Notification.id).limit(limit)
    recipients = set((await session.scalars(first)).all())
    if not recipients:
        return []
    rows = (
        await session.scalars(
            select(Notification)
            .where(*due, Notification.recipient_id.in_(recipients))
            .order_by(Notification.due_at, Notification.id)
            .with_for_update(skip_locked=True)
        )
    ).all()
    for row in rows:
        row.state, row.claimed_at, row.attempts = "claimed", now, row.attempts + 1
    return rows


async def release_claimed(session: AsyncSession, before: datetime | None = None) -> int:
    """Claimed rows back to planned: what was in flight when the bot stopped is sent again."""
    query = update(Notification).where(Notification.state == "claimed")
    if before is not None:
        query = query.where(Notification.claimed_at < before)
    result = await session.execute(query.values(state="planned"))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def notification_by_id(session: AsyncSession, notification_id: int) -> Notification | None:
    return await session.get(Notification, notification_id)


async def notifications_by_ids(session: AsyncSession, ids: Sequence[int]) -> Sequence[Notification]:
    """These rows, in the order they fell due."""
    query = select(Notification).where(Notification.id.in_(list(ids))).order_by(Notification.due_at, Notification.id)
    return (await session.scalars(query)).all()


async def mark_sent_many(
    session: AsyncSession, sent: Sequence[tuple[Sequence[int], int | None]], now: datetime
) -> None:
    """Several messages' rows marked sent (each message's rows with its message id) in one statement."""
    values = [
        {"id": row_id, "state": "sent", "sent_message_id": message_id, "sent_at": now, "last_error": ""}
        for ids, message_id in sent
        for row_id in ids
    ]
    if values:
        await session.execute(update(Notification), values)  # by primary key: one executemany


async def people_by_ids(session: AsyncSession, person_ids: Iterable[int]) -> Sequence[Person]:
    """These people, loaded into the session at once (a later `session.get` of one of them asks nothing more)."""
    wanted = list(set(person_ids))
    return (await session.scalars(select(Person).where(Person.id.in_(wanted)))).all() if wanted else []


async def planned_between(session: AsyncSession, after: datetime, until: datetime) -> int:
    """How many notifications wait to be sent after `after` and by `until`."""
    query = select(func.count()).where(
        Notification.state == "planned", Notification.due_at > after, Notification.due_at <= until
    )
    return int((await session.scalar(query)) or 0)


async def mark_dropped(session: AsyncSession, ids: Sequence[int]) -> None:
    await session.execute(update(Notification).where(Notification.id.in_(list(ids))).values(state="dropped"))


async def awaited(session: AsyncSession, person_id: int) -> AwaitedAnswer | None:
    return await session.get(AwaitedAnswer, person_id)


async def extension_by_id(session: AsyncSession, request_id: int) -> ExtensionRequest | None:
    return await session.get(ExtensionRequest, request_id)


async def drop_planned(session: AsyncSession, item_id: int) -> None:
    """Unsent reminders of an item that was closed or got a new deadline."""
    await session.execute(
        update(Notification)
        .where(
            Notification.item_id == item_id,
            Notification.state == "planned",
            Notification.kind.in_(["before", "due", "overdue", "escalate"]),
        )
        .values(state="dropped")
    )
