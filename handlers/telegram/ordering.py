"""Which updates may be handled side by side: different people's, never two of one person's.

An update spends part of its time waiting: for the Bot API's answer to each reply, and on PostgreSQL for the
database's. Handling several at once keeps the process busy meanwhile. One person's updates still run one after
another, in the order they came: their draft, their awaited answer and their button presses build on each other.

On SQLite statements run in line on the event loop (storage/sqlite.py), so a transaction is never interrupted by
another update unless it waits for a lock; handlers commit before they call the Bot API. A database in memory is
one connection shared by all: there, one update at a time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from sqlalchemy import make_url
from telegram import Update
from telegram.ext import BaseUpdateProcessor

from storage.db import sqlite_file

SIDE_BY_SIDE = 16  # updates of different people handled at once on PostgreSQL
SIDE_BY_SIDE_SQLITE = 4  # on SQLite only the Bot API calls are waited for: a few suffice to fill those waits


def updates_at_once(database_url: str) -> int:
    if make_url(database_url).get_backend_name() != "sqlite":
        return SIDE_BY_SIDE
    return SIDE_BY_SIDE_SQLITE if sqlite_file(database_url) else 1


class _Turn:
    """One person's lock, and how many of their updates hold or wait for it."""

    __slots__ = ("lock", "updates")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.updates = 0


class OnePersonAtATime(BaseUpdateProcessor):
    """Up to `max_concurrent_updates` updates at once, each person's in turn."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._turns: dict[int | None, _Turn] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        person = _person_of(update)
        turn = self._turns.setdefault(person, _Turn())
        turn.updates += 1
        try:
            async with turn.lock:
                await coroutine
        finally:
            turn.updates -= 1
            if turn.updates == 0:
                del self._turns[person]  # a long-running bot must not keep a lock for everyone it has seen

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


def _person_of(update: object) -> int | None:
    """The account behind an update (None for those without one: they take their turns together)."""
    if isinstance(update, Update):
        if update.effective_user is not None:
            return update.effective_user.id
        if update.effective_chat is not None:
            return update.effective_chat.id
    return None
