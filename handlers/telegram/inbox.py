"""Store, then acknowledge: every update is written to the inbox table before the Bot API hears that we have it
(the webhook's 200, the next getUpdates offset), and handled from there.

- Exactly once in effect: an update counts as handled in the same transaction as the first write its handling
  makes (a draft's answer, a confirmed talk, a reported item), so a crash either undoes both or keeps both; one that
  writes nothing is marked when its handling ends. A crash re-runs only what was in flight and wrote nothing yet.
- On start-up (and when a standby becomes active) the rows left unhandled are handled first, in the order they
  came; the ordering of handlers/telegram/ordering.py keeps each person's in turn.
- Dead letters: an update PTB cannot parse, one whose handler failed (the person was told it did not take effect),
  or one cut off by the process stopping `max_attempts` times is set aside with its error and logged once; it
  never holds up the updates after it. `talkledger inbox` lists them and puts them back.
- Handled rows are pruned after `[inbox] keep_hours`.
"""

from __future__ import annotations

import contextvars
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import ORMExecuteState, Session
from telegram import Update
from telegram.ext import Application

from bot.clock import Clock
from bot.config import InboxConfig
from bot.lease import Fence, always
from storage import inbox as rows
from storage.inbox import Received

log = logging.getLogger(__name__)
PRUNE_EVERY = timedelta(hours=1)


@dataclass
class InHand:
    """The update being handled in this task, and whether a transaction of its handling has marked it handled."""

    update_id: int
    now: datetime
    marked: bool = False


_in_hand: contextvars.ContextVar[InHand | None] = contextvars.ContextVar("talkledger_inbox_in_hand", default=None)
WROTE, MARKING = "talkledger_inbox_wrote", "talkledger_inbox_marking"


@event.listens_for(Session, "after_flush")
def _note_flush(session: Session, _context: object) -> None:
    if _in_hand.get() is not None:
        session.info[WROTE] = True  # a flush runs only with something to write


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state: ORMExecuteState) -> None:
    if _in_hand.get() is not None and (state.is_insert or state.is_update or state.is_delete):
        state.session.info[WROTE] = True


@event.listens_for(Session, "before_commit")
def _mark_with_the_first_write(session: Session) -> None:
    """The update's first writing transaction also marks it handled: its effect and the mark commit together."""
    hand = _in_hand.get()
    if hand is None or hand.marked:
        return
    if not (session.info.get(WROTE) or session.new or session.dirty or session.deleted):
        return  # a transaction that only read: re-running it costs nothing
    rows.mark_handled_in(session, hand.update_id, hand.now)
    session.info[MARKING] = hand


@event.listens_for(Session, "after_commit")
def _marked(session: Session) -> None:
    hand = session.info.pop(MARKING, None)
    if hand is not None:
        hand.marked = True
    session.info.pop(WROTE, None)


@event.listens_for(Session, "after_rollback")
def _not_marked(session: Session) -> None:
    session.info.pop(MARKING, None)
    session.info.pop(WROTE, None)


def received(payload: dict[str, Any]) -> Received:
    """An update as the Bot API sent it (a JSON object with an integer update_id), ready to store."""
    user_id = None
    for key, value in payload.items():
        if key != "update_id" and isinstance(value, dict):
            sender = value.get("from") or value.get("user")
            if isinstance(sender, dict) and type(sender.get("id")) is int:
                user_id = sender["id"]
            break
    return Received(payload["update_id"], user_id, json.dumps(payload, ensure_ascii=False))


def describe(error: BaseException) -> str:
    """The error on one line: a dead letter is logged as one line."""
    return " ".join(f"{type(error).__name__}: {error}".split())


class Inbox:
    """The inbox of the active instance: takes updates in (stored first), hands them to the Application, and records
    how each one ended."""

    def __init__(self, engine: AsyncEngine, clock: Clock, config: InboxConfig, fence: Fence = always) -> None:
        self.engine = engine
        self.fence = fence
        self.clock = clock
        self.config = config
        self.application: Application[Any, Any, Any, Any, Any, Any] | None = None
        self.in_hand: set[int] = set()  # stored and given to the Application, not yet finished
        self._finished: set[int] = set()  # finished since the last look for waiting rows began
        self._pruned_at: datetime | None = None

    async def accept(self, payloads: Sequence[dict[str, Any]]) -> None:
        """Store these updates, then hand them over. When this returns they are safe: acknowledge them."""
        batch = [received(payload) for payload in payloads]
        fresh = {one.update_id for one in batch}
        self.in_hand |= fresh  # before the commit: a look for waiting rows must not take them meanwhile
        try:
            async with self.engine.begin() as connection:
                stored = await rows.store(connection, batch, self.clock.now())
        except BaseException:
            self.in_hand -= fresh
            raise
        self.in_hand -= fresh - stored  # sent again: the first copy is (or was) handled already
        for payload in payloads:
            if payload["update_id"] in stored:
                await self._hand_over(payload["update_id"], payload)

    async def recover(self) -> None:
        """Before anything new: what a stopped process left unhandled, in order; those cut off too often set aside."""
        async with self.engine.begin() as connection:
            again, cut_off = await rows.unhandled(connection, self.config.max_attempts)
            for row in cut_off:
                error = f"the process stopped while handling it {row.attempts} times"
                await rows.set_dead(connection, row.update_id, error, self.clock.now())
        for row in cut_off:
            log.error("update %s set aside as a dead letter: %s", row.update_id, error)
        if again:
            log.warning("handling %d updates left unhandled by the last run", len(again))
        for row in again:
            self.in_hand.add(row.update_id)
            await self._hand_over(row.update_id, None, row.raw)

    async def tidy(self) -> None:
        """Now and then: take up rows put back by `talkledger inbox retry`, and prune old handled rows."""
        self._finished.clear()
        async with self.engine.connect() as connection:
            found = await rows.waiting(connection)
        for row in found:
            if row.update_id not in self.in_hand and row.update_id not in self._finished:
                self.in_hand.add(row.update_id)
                await self._hand_over(row.update_id, None, row.raw)
        now = self.clock.now()
        if self._pruned_at is None or now - self._pruned_at >= PRUNE_EVERY:
            async with self.engine.begin() as connection:
                pruned = await rows.prune(connection, now - timedelta(hours=self.config.keep_hours))
            self._pruned_at = now
            if pruned:
                log.info("pruned %d handled updates from the inbox", pruned)

    def begin(self, update_id: int) -> tuple[InHand, contextvars.Token[InHand | None]]:
        """Handling starts (in the update's own task): its transactions know which update they serve."""
        hand = InHand(update_id, self.clock.now())
        return hand, _in_hand.set(hand)

    async def finish(self, hand: InHand, token: contextvars.Token[InHand | None], error: Exception | None) -> None:
        """Handling ended: handled, or a dead letter when its handler failed (the error handler has logged it)."""
        _in_hand.reset(token)
        try:
            if error is not None:
                async with self.engine.begin() as connection:
                    await rows.set_dead(connection, hand.update_id, describe(error), self.clock.now())
            elif not hand.marked:
                async with self.engine.begin() as connection:
                    await rows.mark_handled(connection, hand.update_id, self.clock.now())
        finally:  # only once marked: a look for waiting rows must not take it again
            self.in_hand.discard(hand.update_id)
            self._finished.add(hand.update_id)

    async def _hand_over(self, update_id: int, payload: dict[str, Any] | None, raw: str = "") -> None:
        """Parse in our code (a failure is a dead letter, not a stuck loop) and queue it for the Application."""
        application = self.application
        assert application is not None, "the inbox hands updates only to a running Application"
        if not self.fence():
            # Not confirmed active: the row stays unhandled in the database, for whichever instance is active.
            self.in_hand.discard(update_id)
            log.warning("update %s left in the inbox: this instance is not confirmed active", update_id)
            return
        try:
            update = Update.de_json(payload if payload is not None else json.loads(raw), application.bot)
        except Exception as error:  # noqa: BLE001  whatever the malformed field provokes in PTB
            await self._set_aside(update_id, f"not an update PTB can read: {describe(error)}")
            return
        await application.update_queue.put(update)

    async def _set_aside(self, update_id: int, error: str) -> None:
        try:
            async with self.engine.begin() as connection:
                await rows.set_dead(connection, update_id, error, self.clock.now())
        finally:
            self.in_hand.discard(update_id)
            self._finished.add(update_id)
        log.error("update %s set aside as a dead letter: %s", update_id, error)
