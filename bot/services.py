"""What every handler needs, handed in by the assembly: config, database sessions, the clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import Config
from bot.questions.answers import AnswerCache
from bot.roster.identity import RosterCache
from bot.throttle import Failures, OncePerWindow
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
    strangers: OncePerWindow = field(init=False, repr=False, compare=False)  # which chats may get a refusal now
    invite_failures: Failures = field(init=False, repr=False, compare=False)  # wrong invite codes, by account, prefix

    def __post_init__(self) -> None:
        object.__setattr__(self, "roster", RosterCache(self.sessions, self.default_language))
        object.__setattr__(self, "saved_questions", SavedQuestionIds(self.engine))
        object.__setattr__(self, "reader", reader(self.engine))
        object.__setattr__(self, "answers", AnswerCache())
        throttle = self.config.throttle
        object.__setattr__(self, "strangers", OncePerWindow(timedelta(minutes=throttle.stranger_refusal_minutes)))
        object.__setattr__(
            self,
            "invite_failures",
            Failures(throttle.invite_failures, timedelta(minutes=throttle.invite_failure_window_minutes)),
        )

    @property
    def engine(self) -> AsyncEngine:
        """For Core statements on a hot path: a connection costs less than an ORM session (no unit of work)."""
        bound: AsyncEngine = self.sessions.kw["bind"]
        return bound

    @property
    def default_language(self) -> str:
        return self.config.organisation.default_language
