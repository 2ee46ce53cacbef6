"""What every handler needs, handed in by the assembly: config, database sessions, the clock."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import Config
from bot.identity import ViewerCache


@dataclass(frozen=True)
class Services:
    config: Config
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    bot_username: str = ""  # known once the bot has asked the Bot API who it is
    viewers: ViewerCache = field(default_factory=ViewerCache)

    @property
    def default_language(self) -> str:
        return self.config.organisation.default_language
