"""Queries over drafts, talks, their participants, items, attachments and history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.models import Attachment, AwaitedAnswer, LedgerCounter, Talk, TalkChange, TalkDraft
from storage.upsert import insert_for

_PENDING = select(
    exists().where(AwaitedAnswer.person_id == bindparam("person")),
    exists().where(TalkDraft.owner_id == bindparam("person"), TalkDraft.active),
)


async def pending(connection: AsyncConnection, person_id: int) -> tuple[bool, bool]:
    """(the bot awaits an answer from this person, they have a draft open): what a typed message may answer, in one
    query, so that the common case (neither) costs little."""
    awaiting, drafting = (await connection.execute(_PENDING, {"person": person_id})).one()
    return bool(awaiting), bool(drafting)


_ACTIVE_DRAFT = (
    select(TalkDraft)
    .where(TalkDraft.owner_id == bindparam("owner"), TalkDraft.active)
    .order_by(TalkDraft.id.desc())
    .limit(1)
)


async def active_draft(session: AsyncSession, owner_id: int) -> TalkDraft | None:
    return await session.scalar(_ACTIVE_DRAFT, {"owner": owner_id})


async def drafts_of(session: AsyncSession, owner_id: int) -> Sequence[TalkDraft]:
    return (
        await session.scalars(
            select(TalkDraft).where(TalkDraft.owner_id == owner_id).order_by(TalkDraft.updated_at.desc())
        )
    ).all()


async def draft_by_id(session: AsyncSession, draft_id: int) -> TalkDraft | None:
    return await session.get(TalkDraft, draft_id)


async def untouched_drafts(session: AsyncSession, since: datetime) -> Sequence[TalkDraft]:
    """Drafts of new talks (not corrections) nobody has touched since `since`."""
    query = select(TalkDraft).where(TalkDraft.talk_id.is_(None), TalkDraft.updated_at <= since)
    return (await session.scalars(query.order_by(TalkDraft.id))).all()


async def deactivate_drafts(session: AsyncSession, owner_id: int) -> None:
    # Only the active ones: the owner's old drafts stay (inactive) and need no write.
    await session.execute(
        update(TalkDraft).where(TalkDraft.owner_id == owner_id, TalkDraft.active).values(active=False)
    )


async def next_ledger_number(session: AsyncSession, year: int) -> int:
    """The next number of `year`, taken in the caller's transaction by one atomic increment: two talks saved at
    the same moment (or the first two of a year) never get the same number, on either database."""
    connection = await session.connection()
    first = insert_for(connection, LedgerCounter).values(year=year, last=1)
    taken = first.on_conflict_do_update(
        index_elements=[LedgerCounter.year], set_={"last": LedgerCounter.last + 1}
    ).returning(LedgerCounter.last)
    return int((await connection.execute(taken)).scalar_one())


async def bump_ledger_counter(session: AsyncSession, year: int, serial: int) -> None:
    """Imported numbers are taken: the next talk logged in that year numbers after them."""
    counter = await session.scalar(select(LedgerCounter).where(LedgerCounter.year == year).with_for_update())
    if counter is None:
        session.add(LedgerCounter(year=year, last=serial))
    elif counter.last < serial:
        counter.last = serial
    await session.flush()


async def talk_by_id(session: AsyncSession, talk_id: int) -> Talk | None:
    talk = await session.get(Talk, talk_id)
    return None if talk is None or talk.deleted else talk


@dataclass(frozen=True)
class TalkLine:
    """What a list of talks shows of each."""

    id: int
    ledger_no: str
    held_at: datetime
    kind: str
    topic: str


_MINE = (~Talk.deleted, (Talk.logged_by_id == bindparam("person")) | (Talk.lead_id == bindparam("person")))
_COUNT_LOGGED_BY = select(func.count()).where(*_MINE)
# The count is taken in a subquery of its own, which the planner cannot merge with the page around it: with both
# in one, PostgreSQL read every talk newest first through the held_at index (the page's order, and a LIMIT it took
# for a short read), filtering as it went, because the window counting them all must see every row (issue 18).
_COUNTED = (
    select(Talk.id, Talk.ledger_no, Talk.held_at, Talk.kind, Talk.topic, func.count().over().label("total"))
    .where(*_MINE)
    .subquery()
)
_LOGGED_BY = (
    select(_COUNTED)
    .order_by(_COUNTED.c.held_at.desc(), _COUNTED.c.id.desc())
    .offset(bindparam("offset"))
    .limit(bindparam("limit"))
)


async def talks_logged_by(session: AsyncSession, person_id: int, offset: int, limit: int) -> tuple[list[TalkLine], int]:
    """A page of the talks this person logged or led, newest first, and how many there are: one statement, the
    count riding along on every row (a window over all of them, taken before the page is cut)."""
    rows = (await session.execute(_LOGGED_BY, {"person": person_id, "offset": offset, "limit": limit})).all()
    if not rows and offset > 0:  # a page past the end (the list shrank): the count alone
        total = await session.scalar(_COUNT_LOGGED_BY, {"person": person_id}) or 0
    else:
        total = int(rows[0][5]) if rows else 0
    return [TalkLine(*row[:5]) for row in rows], total


async def draft_attachments(session: AsyncSession, draft_id: int) -> Sequence[Attachment]:
    return (await session.scalars(select(Attachment).where(Attachment.draft_id == draft_id))).all()


async def attach_to_talk(session: AsyncSession, draft_id: int, talk_id: int) -> None:
    await session.execute(
        update(Attachment).where(Attachment.draft_id == draft_id).values(talk_id=talk_id, draft_id=None)
    )


async def changes_of(session: AsyncSession, talk_id: int) -> Sequence[TalkChange]:
    return (
        await session.scalars(select(TalkChange).where(TalkChange.talk_id == talk_id).order_by(TalkChange.id))
    ).all()


def record_change(
    session: AsyncSession, talk: Talk, *, at: datetime, actor_id: int, field: str, before: str, after: str
) -> None:
    session.add(TalkChange(talk_id=talk.id, at=at, actor_id=actor_id, field=field, before=before, after=after))
