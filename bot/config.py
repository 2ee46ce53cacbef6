"""config.toml, read with tomllib, validated, and overridden by TALKLEDGER_* environment variables.

Every problem is a ConfigError naming the key and what was expected; the CLI prints it and exits 2.

Long because every section of config.toml is read and checked here, one small dataclass each, so that a
setting is documented and validated in one place.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.followup.reminders import ReminderPolicy
from bot.followup.workdays import Calendar
from bot.questions.reader import DEFAULT_KIND_SYNONYMS, DEFAULT_RANK_SYNONYMS
from storage.db import DatabaseTimeouts

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
    "TALKLEDGER_WEBHOOK_SECRET": ("webhook", "secret"),
    "TALKLEDGER_WEBHOOK_URL": ("webhook", "url"),
}
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,256}$")  # what Telegram allows in secret_token, at least 16 long


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
class WeComConfig:
    """One self-built app (自建应用) in one corp, on WeCom or on a private host (政务微信)."""

    corp_id: str
    agent_id: int
    secret: str
    token: str  # the callback's Token (接收消息 → API接收), not an access_token
    encoding_aes_key: str  # the callback's EncodingAESKey, 43 characters
    api_base_url: str = "https://qyapi.weixin.qq.com"
    callback_path: str = "/wecom/callback"
    listen: str = "127.0.0.1"  # where the callback server listens, behind the reverse proxy WeCom calls
    port: int = 8081


WECOM_REQUIRED = ("corp_id", "agent_id", "secret", "token", "encoding_aes_key")
WECOM_OVERRIDABLE = (*WECOM_REQUIRED, "api_base_url")  # TALKLEDGER_WECOM_<KEY>: secrets may stay out of the file


@dataclass(frozen=True)
class OrganisationConfig:
    name: str = "talkledger"
    time_zone: str = "Asia/Shanghai"
    default_language: str = "zh-CN"
    talk_kinds: tuple[str, ...] = DEFAULT_TALK_KINDS
    rank_levels: tuple[str, ...] = DEFAULT_RANK_LEVELS
    # Other words for a kind or a rank level in questions (厅级 → 地厅级): (word, configured name) pairs.
    kind_synonyms: tuple[tuple[str, str], ...] = tuple(DEFAULT_KIND_SYNONYMS.items())
    rank_synonyms: tuple[tuple[str, str], ...] = tuple(DEFAULT_RANK_SYNONYMS.items())

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


@dataclass(frozen=True)
class OutboxConfig:
    per_second: float = 30.0  # Telegram's limit for one bot
    per_chat_per_second: float = 1.0
    sweep_seconds: int = 30  # 0: no automatic sweep (tests call it themselves)


@dataclass(frozen=True)
class WebhookConfig:
    url: str = ""  # the public https URL Telegram posts to (through the reverse proxy)
    listen: str = "127.0.0.1"
    port: int = 8080
    path: str = "/telegram"
    secret: str = ""
    max_body_bytes: int = 1_048_576
    max_depth: int = 32  # objects and arrays within each other; Telegram's updates nest less than 10 deep
    header_timeout_seconds: float = 10.0  # a request head must arrive within this, else the connection is cut
    read_timeout_seconds: float = 10.0  # a request body must arrive within this, else 408


@dataclass(frozen=True)
class ThrottleConfig:
    stranger_refusal_minutes: int = 10  # a chat of someone not on the roster gets one refusal per this many minutes
    invite_failures: int = 5  # wrong invite codes per account, and per code prefix, before further tries are refused
    invite_failure_window_minutes: int = 60  # … for this long after the first wrong one


@dataclass(frozen=True)
class InboxConfig:
    keep_hours: int = 72  # handled updates are kept this long (for an operator looking into a complaint), then pruned
    max_attempts: int = 3  # an update whose handling the process's stopping cut off this often is set aside


@dataclass(frozen=True)
class Config:
    telegram: TelegramConfig = field(default_factory=TelegramConfig)
    database_url: str = "sqlite+aiosqlite:///talkledger.db"
    database: DatabaseTimeouts = field(default_factory=DatabaseTimeouts)
    organisation: OrganisationConfig = field(default_factory=OrganisationConfig)
    invite_valid_days: int = 7
    talk_max_age_days: int = 90
    correction_window_days: int = 7
    reminders: ReminderPolicy = field(default_factory=ReminderPolicy)
    outbox: OutboxConfig = field(default_factory=OutboxConfig)
    webhook: WebhookConfig = field(default_factory=WebhookConfig)
    throttle: ThrottleConfig = field(default_factory=ThrottleConfig)
    inbox: InboxConfig = field(default_factory=InboxConfig)
    log_format: str = "text"  # or "json": one object a line
    wecom: WeComConfig | None = None  # WeCom runs when the [wecom] table (or TALKLEDGER_WECOM_*) is given


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
    for key in WECOM_OVERRIDABLE:
        if environ.get(f"TALKLEDGER_WECOM_{key.upper()}"):
            raw.setdefault("wecom", {})[key] = environ[f"TALKLEDGER_WECOM_{key.upper()}"]
    return parse_config(raw)


def parse_config(raw: dict[str, Any]) -> Config:
    known = {
        "telegram",
        "database",
        "organisation",
        "enrollment",
        "talks",
        "reminders",
        "outbox",
        "webhook",
        "throttle",
        "inbox",
        "logging",
        "wecom",
    }
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

    talk_kinds = _names(organisation, "organisation.talk_kinds", DEFAULT_TALK_KINDS)
    rank_levels = _names(organisation, "organisation.rank_levels", DEFAULT_RANK_LEVELS)

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
        database=_database_timeouts(database),
        organisation=OrganisationConfig(
            name=_string(organisation, "organisation.name", OrganisationConfig.name),
            time_zone=time_zone,
            default_language=language,
            talk_kinds=talk_kinds,
            rank_levels=rank_levels,
            kind_synonyms=_synonyms(organisation, "organisation.kind_synonyms", DEFAULT_KIND_SYNONYMS, talk_kinds),
            rank_synonyms=_synonyms(organisation, "organisation.rank_synonyms", DEFAULT_RANK_SYNONYMS, rank_levels),
        ),
        invite_valid_days=invite_valid_days,
        talk_max_age_days=talk_max_age_days,
        correction_window_days=correction_window_days,
        reminders=_reminders(_section(raw, "reminders")),
        outbox=_outbox(_section(raw, "outbox")),
        webhook=_webhook(_section(raw, "webhook")),
        throttle=_throttle(_section(raw, "throttle")),
        inbox=InboxConfig(
            keep_hours=_count(_section(raw, "inbox"), "inbox.keep_hours", InboxConfig.keep_hours, 1, 24 * 366),
            max_attempts=_count(_section(raw, "inbox"), "inbox.max_attempts", InboxConfig.max_attempts, 1, 100),
        ),
        log_format=_choice(_section(raw, "logging"), "logging.format", ("text", "json")),
        wecom=wecom_config(raw["wecom"]) if "wecom" in raw else None,
    )


def wecom_config(section: dict[str, Any]) -> WeComConfig:
    """The [wecom] table, checked: every key known, the required ones there, agent_id a number, the AES key 43."""
    known = {field.name for field in dataclasses.fields(WeComConfig)}
    for key in section:
        if key not in known:
            raise ConfigError(f"wecom.{key}", f"one of the keys {sorted(known)}")
    for key in WECOM_REQUIRED:
        if not section.get(key):
            raise ConfigError(f"wecom.{key}", "a value (from the app's page in the WeCom admin console)")
    try:
        agent_id = int(section["agent_id"])
    except (TypeError, ValueError):
        raise ConfigError("wecom.agent_id", "the app's AgentId, a number", section["agent_id"]) from None
    key = _string(section, "wecom.encoding_aes_key", "")
    if len(key) != 43:
        raise ConfigError("wecom.encoding_aes_key", "the callback's EncodingAESKey: 43 letters and digits", "<hidden>")
    base = _string(section, "wecom.api_base_url", WeComConfig.api_base_url).rstrip("/")
    if not re.match(r"^https?://[^\s/]+", base):
        raise ConfigError("wecom.api_base_url", "an http(s) URL such as https://qyapi.weixin.qq.com", base)
    path = _string(section, "wecom.callback_path", WeComConfig.callback_path)
    return WeComConfig(
        corp_id=_string(section, "wecom.corp_id", ""),
        agent_id=agent_id,
        secret=_string(section, "wecom.secret", ""),
        token=_string(section, "wecom.token", ""),
        encoding_aes_key=key,
        api_base_url=base,
        callback_path=path if path.startswith("/") else "/" + path,
        listen=_string(section, "wecom.listen", WeComConfig.listen),
        port=_count(section, "wecom.port", WeComConfig.port, 1, 65535),
    )


def _webhook(section: dict[str, Any]) -> WebhookConfig:
    url = _string(section, "webhook.url", "")
    if url and not re.match(r"^https?://[^\s/]+", url):
        raise ConfigError(
            "webhook.url", "the public URL Telegram posts to, such as https://bot.example.org/telegram", url
        )
    secret = _string(section, "webhook.secret", "")
    if secret and not SECRET_PATTERN.match(secret):
        raise ConfigError("webhook.secret", "16 to 256 letters, digits, _ or -", "<hidden>")
    if url and not secret:
        raise ConfigError("webhook.secret", "a secret (or TALKLEDGER_WEBHOOK_SECRET) when webhook.url is set")
    defaults = WebhookConfig()
    path = _string(section, "webhook.path", WebhookConfig.path)
    if not path.startswith("/"):
        raise ConfigError("webhook.path", "a path starting with /", path)
    return WebhookConfig(
        url=url,
        listen=_string(section, "webhook.listen", WebhookConfig.listen),
        port=_count(section, "webhook.port", WebhookConfig.port, 0, 65535),
        path=path,
        secret=secret,
        max_body_bytes=_count(section, "webhook.max_body_bytes", WebhookConfig.max_body_bytes, 1024, 50_000_000),
        max_depth=_count(section, "webhook.max_depth", WebhookConfig.max_depth, 8, 1000),
        header_timeout_seconds=_seconds(section, "webhook.header_timeout_seconds", defaults.header_timeout_seconds),
        read_timeout_seconds=_seconds(section, "webhook.read_timeout_seconds", defaults.read_timeout_seconds),
    )


def _database_timeouts(section: dict[str, Any]) -> DatabaseTimeouts:
    default = DatabaseTimeouts()
    values: dict[str, Any] = {
        **{
            name: _seconds(section, f"database.{name}", getattr(default, name))
            for name in (
                "lease_renew_seconds",
                "lease_expiry_seconds",
                "statement_seconds",
                "lock_seconds",
                "idle_in_transaction_seconds",
                "call_seconds",
                "connect_seconds",
            )
        },
        **{
            name: _count(section, f"database.{name}", getattr(default, name), 1, 3600)
            for name in ("keepalive_idle_seconds", "keepalive_interval_seconds", "keepalive_count")
        },
    }
    found = DatabaseTimeouts(**values)
    if found.lease_expiry_seconds < 2 * found.lease_renew_seconds:
        # The active must be able to miss a renewal and still stand down before the server frees its lock.
        raise ConfigError(
            "database.lease_expiry_seconds", "at least twice database.lease_renew_seconds", found.lease_expiry_seconds
        )
    return found


def _seconds(section: dict[str, Any], key: str, default: float) -> float:
    value = section.get(key.split(".")[-1], default)
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 < value <= 600:
        raise ConfigError(key, "a number of seconds above 0, at most 600", value)
    return float(value)


def _throttle(section: dict[str, Any]) -> ThrottleConfig:
    default = ThrottleConfig()
    return ThrottleConfig(
        stranger_refusal_minutes=_count(
            section, "throttle.stranger_refusal_minutes", default.stranger_refusal_minutes, 0, 10_080
        ),
        invite_failures=_count(section, "throttle.invite_failures", default.invite_failures, 1, 1000),
        invite_failure_window_minutes=_count(
            section, "throttle.invite_failure_window_minutes", default.invite_failure_window_minutes, 1, 10_080
        ),
    )


def _choice(section: dict[str, Any], key: str, choices: tuple[str, ...]) -> str:
    value = _string(section, key, choices[0])
    if value not in choices:
        raise ConfigError(key, f"one of {list(choices)}", value)
    return value


def _reminders(section: dict[str, Any]) -> ReminderPolicy:
    default = ReminderPolicy()
    before = section.get("before_days", list(default.before_days))
    if not isinstance(before, list) or not all(type(d) is int and 1 <= d <= 365 for d in before):
        raise ConfigError("reminders.before_days", "a list of whole numbers of days from 1 to 365", before)
    on_the_day = section.get("on_the_day", default.on_the_day)
    working = section.get("working_days_only", default.working_days_only)
    for key, value in (("on_the_day", on_the_day), ("working_days_only", working)):
        if not isinstance(value, bool):
            raise ConfigError(f"reminders.{key}", "true or false", value)
    quiet = section.get("quiet_hours", [default.quiet_start.strftime("%H:%M"), default.quiet_end.strftime("%H:%M")])
    if not isinstance(quiet, list) or len(quiet) != 2:
        raise ConfigError("reminders.quiet_hours", 'two times such as ["22:00", "08:00"]', quiet)
    return ReminderPolicy(
        before_days=tuple(sorted(set(before), reverse=True)),
        on_the_day=on_the_day,
        overdue_every_days=_count(section, "reminders.overdue_every_days", default.overdue_every_days, 0, 365),
        escalate_after_days=_count(section, "reminders.escalate_after_days", default.escalate_after_days, 0, 365),
        send_at=_time(section.get("send_at", default.send_at.strftime("%H:%M")), "reminders.send_at"),
        quiet_start=_time(quiet[0], "reminders.quiet_hours"),
        quiet_end=_time(quiet[1], "reminders.quiet_hours"),
        working_days_only=working,
        followup_months=_count(section, "reminders.followup_months", default.followup_months, 0, 24),
        draft_nudge_hours=_count(section, "reminders.draft_nudge_hours", default.draft_nudge_hours, 0, 720),
        draft_expiry_days=_count(section, "reminders.draft_expiry_days", default.draft_expiry_days, 0, 3650),
        calendar=Calendar(
            holidays=_dates(section, "reminders.holidays"), workdays=_dates(section, "reminders.workdays")
        ),
    )


def _dates(section: dict[str, Any], key: str) -> frozenset[date]:
    """A list of days, as TOML dates (2027-02-20) or strings ("2027-02-20")."""
    value = section.get(key.split(".")[-1], [])
    expected = 'a list of dates such as ["2027-02-20"]'
    if not isinstance(value, list):
        raise ConfigError(key, expected, value)
    found = set()
    for day in value:
        if isinstance(day, str):
            try:
                day = date.fromisoformat(day)
            except ValueError:
                raise ConfigError(key, expected, day) from None
        if type(day) is not date:
            raise ConfigError(key, expected, day)
        found.add(day)
    return frozenset(found)


def _outbox(section: dict[str, Any]) -> OutboxConfig:
    rates = {}
    for key in ("per_second", "per_chat_per_second"):
        value = section.get(key, getattr(OutboxConfig, key))
        if not isinstance(value, int | float) or isinstance(value, bool) or not 0 < value <= 1000:
            raise ConfigError(f"outbox.{key}", "a number of messages a second above 0", value)
        rates[key] = float(value)
    sweep = _count(section, "outbox.sweep_seconds", OutboxConfig.sweep_seconds, 0, 3600)
    return OutboxConfig(
        per_second=rates["per_second"], per_chat_per_second=rates["per_chat_per_second"], sweep_seconds=sweep
    )


def _count(section: dict[str, Any], key: str, default: int, least: int, most: int) -> int:
    value = section.get(key.split(".")[-1], default)
    if type(value) is not int or not least <= value <= most:
        raise ConfigError(key, f"a whole number from {least} to {most}", value)
    return value


def _time(value: object, key: str) -> time:
    if isinstance(value, str) and re.match(r"^\d{1,2}:\d{2}$", value):
        try:
            return time.fromisoformat(value.zfill(5))
        except ValueError:
            pass
    raise ConfigError(key, "a time of day such as 09:00", value)


def _section(raw: dict[str, Any], name: str) -> dict[str, Any]:
    value = raw.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(name, "a table ([" + name + "])", value)
    return value


def _days(section: dict[str, Any], key: str, default: int, most: int) -> int:
    return _count(section, key, default, 1, most)


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


def _synonyms(
    section: dict[str, Any], key: str, default: dict[str, str], names: tuple[str, ...]
) -> tuple[tuple[str, str], ...]:
    """A table of word → configured name; the defaults (those whose name is configured) when absent."""
    value = section.get(key.split(".")[-1])
    if value is None:
        return tuple((word, name) for word, name in default.items() if name in names)
    if not isinstance(value, dict) or not all(
        isinstance(word, str) and word.strip() and len(word) <= 32 and target in names for word, target in value.items()
    ):
        raise ConfigError(key, f"a table of words, each naming one of {list(names)}", value)
    return tuple((word.strip(), target) for word, target in value.items())
