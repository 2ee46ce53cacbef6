"""Queries over drafts, talks, their participants, items, attachments and history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Attachment, AwaitedAnswer, LedgerCounter, Talk, TalkChange, TalkDraft

_PENDING = select(
    exists().where(AwaitedAnswer.person_id == bindparam("person")),
    exists().where(TalkDraft.owner_id == bindparam("person"), TalkDraft.active),
)


async def pending(session: AsyncSession, person_id: int) -> tuple[bool, bool]:
    """(the bot awaits an answer from this person, they have a draft open): what a typed message may answer, in one
    query, so that the common case (neither) costs little."""
    awaiting, drafting = (await session.execute(_PENDING, {"person": person_id})).one()
    return bool(awaiting), bool(drafting)


async def active_draft(session: AsyncSession, owner_id: int) -> TalkDraft | None:
    return await session.scalar(
        select(TalkDraft).where(TalkDraft.owner_id == owner_id, TalkDraft.active).order_by(TalkDraft.id.desc())
    )


async def drafts_of(session: AsyncSession, owner_id: int) -> Sequence[TalkDraft]:
    return (
        await session.scalars(
            select(TalkDraft).where(TalkDraft.owner_id == owner_id).order_by(TalkDraft.updated_at.desc())
        )
    ).all()


async def draft_by_id(session: AsyncSession, draft_id: int) -> TalkDraft | None:
    return await session.get(TalkDraft, draft_id)


async def deactivate_drafts(session: AsyncSession, owner_id: int) -> None:
    await session.execute(update(TalkDraft).where(TalkDraft.owner_id == owner_id).values(active=False))


async def next_ledger_number(session: AsyncSession, year: int) -> int:
    """The next number of `year`, counted in the caller's transaction (a row lock on PostgreSQL)."""
    counter = await session.scalar(select(LedgerCounter).where(LedgerCounter.year == year).with_for_update())
    if counter is None:
        counter = LedgerCounter(year=year, last=0)
        session.add(counter)
    counter.last += 1
    await session.flush()
    return counter.last


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


async def talks_logged_by(session: AsyncSession, person_id: int, offset: int, limit: int) -> tuple[Sequence[Talk], int]:
    """A page of the talks this person logged or led, newest first, and how many there are."""
    mine = (Talk.logged_by_id == person_id) | (Talk.lead_id == person_id)
    query = select(Talk).where(~Talk.deleted, mine)
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = (
        await session.scalars(query.order_by(Talk.held_at.desc(), Talk.id.desc()).offset(offset).limit(limit))
    ).all()
    return page, total


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
