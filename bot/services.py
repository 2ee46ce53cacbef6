"""What every handler needs, handed in by the assembly: config, database sessions, the clock."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.answers import AnswerCache
from bot.clock import Clock
from bot.config import Config
from bot.identity import RosterCache
from storage.db import reader
from storage.questions import SavedQuestionIds


@dataclass(frozen=True)
class Services:
    config: Config
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    bot_username: str = ""  # known once the bot has asked the Bot API who it is
    roster: RosterCache = field(init=False, repr=False, compare=False)
    saved_questions: SavedQuestionIds = field(init=False, repr=False, compare=False)
    reader: AsyncEngine = field(init=False, repr=False, compare=False)  # storage.db.reader: single reads
    answers: AnswerCache = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "roster", RosterCache(self.sessions, self.default_language))
        object.__setattr__(self, "saved_questions", SavedQuestionIds(self.engine))
        object.__setattr__(self, "reader", reader(self.engine))
        object.__setattr__(self, "answers", AnswerCache())

    @property
    def engine(self) -> AsyncEngine:
        """For Core statements on a hot path: a connection costs less than an ORM session (no unit of work)."""
        bound: AsyncEngine = self.sessions.kw["bind"]
        return bound

    @property
    def default_language(self) -> str:
        return self.config.organisation.default_language
