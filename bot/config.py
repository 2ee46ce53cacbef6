"""config.toml, read with tomllib, validated, and overridden by TALKLEDGER_* environment variables.

Every problem is a ConfigError naming the key and what was expected; the CLI prints it and exits 2.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LANGUAGES = ("zh-CN", "en")
DEFAULT_TALK_KINDS = ("工作约谈", "提醒约谈", "告诫约谈", "廉政谈话", "诫勉谈话")
DEFAULT_RANK_LEVELS = ("地厅级", "县处级", "乡科级", "其他")
TOKEN_PATTERN = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")

# Environment variable → (section, key). Secrets and the database URL never need to be in the file.
ENVIRONMENT = {
    "TALKLEDGER_TOKEN": ("telegram", "token"),
    "TALKLEDGER_API_BASE_URL": ("telegram", "api_base_url"),
    "TALKLEDGER_BOT_USERNAME": ("telegram", "bot_username"),
    "TALKLEDGER_DATABASE_URL": ("database", "url"),
}


class ConfigError(Exception):
    def __init__(self, key: str, expected: str, got: object = None) -> None:
        self.key, self.expected, self.got = key, expected, got
        shown = "" if got is None else f", got {got!r}"
        super().__init__(f"{key}: expected {expected}{shown}")


@dataclass(frozen=True)
class TelegramConfig:
    token: str = ""
    api_base_url: str = "https://api.telegram.org"
    bot_username: str = ""

    @property
    def bot_api_url(self) -> str:
        return f"{self.api_base_url.rstrip('/')}/bot"

    @property
    def file_api_url(self) -> str:
        return f"{self.api_base_url.rstrip('/')}/file/bot"


@dataclass(frozen=True)
class OrganisationConfig:
    name: str = "talkledger"
    time_zone: str = "Asia/Shanghai"
    default_language: str = "zh-CN"
    talk_kinds: tuple[str, ...] = DEFAULT_TALK_KINDS
    rank_levels: tuple[str, ...] = DEFAULT_RANK_LEVELS

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


@dataclass(frozen=True)
class Config:
    telegram: TelegramConfig = field(default_factory=TelegramConfig)
    database_url: str = "sqlite+aiosqlite:///talkledger.db"
    organisation: OrganisationConfig = field(default_factory=OrganisationConfig)
    invite_valid_days: int = 7
    talk_max_age_days: int = 90
    correction_window_days: int = 7


def load_config(path: Path | None, environ: dict[str, str] | None = None) -> Config:
    """Read `path` (absent file: all defaults), then apply the environment."""
    environ = dict(os.environ) if environ is None else environ
    raw: dict[str, Any] = {}
    if path is not None and path.exists():
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(str(path), f"valid TOML ({error})") from None
    for variable, (section, key) in ENVIRONMENT.items():
        if environ.get(variable):
            raw.setdefault(section, {})[key] = environ[variable]
    return parse_config(raw)


def parse_config(raw: dict[str, Any]) -> Config:
    known = {"telegram", "database", "organisation", "enrollment", "talks"}
    for section in raw:
        if section not in known:
            raise ConfigError(section, f"one of the sections {sorted(known)}")
    telegram = _section(raw, "telegram")
    database = _section(raw, "database")
    organisation = _section(raw, "organisation")
    enrollment = _section(raw, "enrollment")
    talk_settings = _section(raw, "talks")

    token = _string(telegram, "telegram.token", "")
    if token and not TOKEN_PATTERN.match(token):
        raise ConfigError("telegram.token", "a bot token from @BotFather like 123456:ABC-DEF…", "<hidden>")
    api_base_url = _string(telegram, "telegram.api_base_url", TelegramConfig.api_base_url)
    if not re.match(r"^https?://[^\s/]+", api_base_url):
        raise ConfigError("telegram.api_base_url", "an http(s) URL such as https://api.telegram.org", api_base_url)

    database_url = _string(database, "database.url", Config.database_url)
    if not re.match(r"^(sqlite\+aiosqlite|postgresql\+asyncpg)://", database_url):
        raise ConfigError("database.url", "a URL starting sqlite+aiosqlite:// or postgresql+asyncpg://", database_url)

    time_zone = _string(organisation, "organisation.time_zone", OrganisationConfig.time_zone)
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError("organisation.time_zone", "an IANA time zone such as Asia/Shanghai", time_zone) from None
    language = _string(organisation, "organisation.default_language", OrganisationConfig.default_language)
    if language not in LANGUAGES:
        raise ConfigError("organisation.default_language", f"one of {list(LANGUAGES)}", language)

    invite_valid_days = _days(enrollment, "enrollment.invite_valid_days", Config.invite_valid_days, 365)
    talk_max_age_days = _days(talk_settings, "talks.max_age_days", Config.talk_max_age_days, 3650)
    correction_window_days = _days(talk_settings, "talks.correction_window_days", Config.correction_window_days, 365)

    return Config(
        telegram=TelegramConfig(
            token=token,
            api_base_url=api_base_url,
            bot_username=_string(telegram, "telegram.bot_username", "").lstrip("@"),
        ),
        database_url=database_url,
        organisation=OrganisationConfig(
            name=_string(organisation, "organisation.name", OrganisationConfig.name),
            time_zone=time_zone,
            default_language=language,
            talk_kinds=_names(organisation, "organisation.talk_kinds", DEFAULT_TALK_KINDS),
            rank_levels=_names(organisation, "organisation.rank_levels", DEFAULT_RANK_LEVELS),
        ),
        invite_valid_days=invite_valid_days,
        talk_max_age_days=talk_max_age_days,
        correction_window_days=correction_window_days,
    )


def _section(raw: dict[str, Any], name: str) -> dict[str, Any]:
    value = raw.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(name, "a table ([" + name + "])", value)
    return value


def _days(section: dict[str, Any], key: str, default: int, most: int) -> int:
    value = section.get(key.split(".")[-1], default)
    if type(value) is not int or not 1 <= value <= most:
        raise ConfigError(key, f"a whole number of days from 1 to {most}", value)
    return value


def _string(section: dict[str, Any], key: str, default: str) -> str:
    value = section.get(key.split(".")[-1], default)
    if not isinstance(value, str):
        raise ConfigError(key, "a string", value)
    return value.strip()


def _names(section: dict[str, Any], key: str, default: tuple[str, ...]) -> tuple[str, ...]:
    value = section.get(key.split(".")[-1], list(default))
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(item, str) and item.strip() and len(item) <= 32 for item in value)
        or len(set(value)) != len(value)
    ):
        raise ConfigError(key, "a non-empty list of distinct names, each at most 32 characters", value)
    return tuple(item.strip() for item in value)
