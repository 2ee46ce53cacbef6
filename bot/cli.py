"""The `talkledger` command: run the bot, try it in the sandbox, upgrade the database, keep the roster."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sqlite3
import sys
from collections.abc import Awaitable, Callable, Coroutine
from datetime import date
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot import enrollment, logs, roster
from bot.access import Grant, Role, Viewer
from bot.app import serve
from bot.clock import SystemClock
from bot.config import Config, ConfigError, load_config
from bot.i18n import text
from bot.periods import find_period
from bot.question import Question
from bot.sandbox import try_bot
from bot.services import Services
from bot.summary import talk_filter
from storage import audit, coverage, inbox, people
from storage.db import SchemaOutdated, head_revision, open_engine, prepare, schema_state, sessions, upgrade
from storage.models import Person
from storage.summary import totals as summary_totals

log = logging.getLogger("talkledger")


class RosterRejected(Exception):
    """Raised inside the import transaction so that a file with any bad row imports nothing."""


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    path = Path(arguments.config or os.environ.get("TALKLEDGER_CONFIG") or "config.toml")
    try:
        config = load_config(path)
    except ConfigError as error:
        print(text("zh-CN", "cli.config_error", path=path, error=error), file=sys.stderr)
        return 2
    logs.configure(config.log_format, arguments.verbose, (config.telegram.token, config.webhook.secret))
    language = config.organisation.default_language
    command: Callable[[Config, argparse.Namespace], Coroutine[Any, Any, int]] = arguments.action
    try:
        return asyncio.run(command(config, arguments))
    except SchemaOutdated as error:
        print(text(language, "cli.schema_outdated", current=error.current, head=error.head), file=sys.stderr)
        return 3
    except (OperationalError, OSError) as error:
        print(text(language, "cli.database_unreachable", error=error), file=sys.stderr)
        return 4
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="talkledger", description="A messenger bot for supervisory talks.")
    parser.add_argument("--config", help="path of config.toml (default: $TALKLEDGER_CONFIG or ./config.toml)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what the bot does")
    parser.set_defaults(action=_start)
    commands = parser.add_subparsers(title="commands")
    run = commands.add_parser("run", help="run the bot (needs a token); a second instance stands by")
    run.add_argument("--webhook", action="store_true", help="take updates on the [webhook] server instead of polling")
    run.set_defaults(action=_run, webhook=False)
    commands.add_parser("try", help="try the bot locally, no token needed").set_defaults(action=_try)

    exporting_ledger = commands.add_parser("export", help="write the ledgers of a period to .xlsx")
    exporting_ledger.add_argument("--period", required=True, help="e.g. 2025H1, 2025Q1, 2025-03, 2025")
    exporting_ledger.add_argument("--out", required=True, type=Path)
    exporting_ledger.set_defaults(action=_ledger_export)
    importing_ledger = commands.add_parser("import", help="bring in past talks from .xlsx or .csv (all or nothing)")
    importing_ledger.add_argument("file", type=Path)
    importing_ledger.set_defaults(action=_ledger_import)

    database = commands.add_parser("db", help="the database schema").add_subparsers(title="db commands", required=True)
    database.add_parser("upgrade", help="upgrade the schema to this version").set_defaults(action=_db_upgrade)
    database.add_parser("status", help="show the schema revision").set_defaults(action=_db_status)
    backup = database.add_parser("backup", help="copy the SQLite database while the bot runs (PostgreSQL: pg_dump)")
    backup.add_argument("file", type=Path, help="where to write the copy")
    backup.set_defaults(action=_db_backup)

    inbox_command = commands.add_parser("inbox", help="list updates set aside (dead letters); retry them")
    inbox_command.set_defaults(action=_inbox_list)
    retrying = inbox_command.add_subparsers(title="inbox commands").add_parser(
        "retry", help="hand dead letters to the bot again"
    )
    retrying.add_argument("update_ids", nargs="*", type=int, metavar="ID", help="update ids from the listing")
    retrying.add_argument("--all", action="store_true", help="every dead letter")
    retrying.set_defaults(action=_inbox_retry)

    roster_commands = commands.add_parser("roster", help="units, people, invites").add_subparsers(
        title="roster commands", required=True
    )
    importing = roster_commands.add_parser("import", help="import a .csv or .xlsx roster (all or nothing)")
    importing.add_argument("file", type=Path)
    importing.set_defaults(action=_roster_import)
    exporting = roster_commands.add_parser("export", help="write the roster to .csv or .xlsx")
    exporting.add_argument("file", type=Path)
    exporting.set_defaults(action=_roster_export)
    for name, action, about in (
        ("invite", _roster_invite, "create an invite link for a person"),
        ("unbind", _roster_unbind, "unlink a person's messenger account"),
    ):
        sub = roster_commands.add_parser(name, help=about)
        sub.add_argument("name", nargs="?", default="", help="the person's name, or part of it")
        sub.add_argument("--id", type=int, help="the person's roster id (see roster export)")
        sub.set_defaults(action=action)
    excusing = roster_commands.add_parser("exclude", help="excuse a person from coverage for a while (seconded…)")
    excusing.add_argument("name", nargs="?", default="")
    excusing.add_argument("--id", type=int)
    excusing.add_argument("--from", dest="start", required=True, type=date.fromisoformat, help="YYYY-MM-DD")
    excusing.add_argument("--to", dest="end", required=True, type=date.fromisoformat, help="YYYY-MM-DD, inclusive")
    excusing.add_argument("--reason", required=True)
    excusing.set_defaults(action=_roster_exclude)
    return parser


async def _start(config: Config, arguments: argparse.Namespace) -> int:
    """No command: run the bot if there is a token, otherwise open the sandbox."""
    if config.telegram.token:
        return await _run(config, arguments)
    print(text(config.organisation.default_language, "cli.no_token_trying"))
    return await _try(config, arguments)


async def _run(config: Config, arguments: argparse.Namespace) -> int:
    if not config.telegram.token:
        print(text(config.organisation.default_language, "cli.no_token"), file=sys.stderr)
        return 1
    language = config.organisation.default_language
    if arguments.webhook and not config.webhook.url:
        print(text(language, "cli.no_webhook_url"), file=sys.stderr)
        return 1
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stop.set)
    await serve(
        config,
        stop,
        use_webhook=arguments.webhook,
        on_active=lambda app: print(text(language, "cli.running", username=app.bot.username), flush=True),
        on_standby=lambda: print(text(language, "cli.standby"), flush=True),
    )
    return 0


async def _try(config: Config, arguments: argparse.Namespace) -> int:
    return await try_bot(config)


async def _with_engine(config: Config, work: Callable[[AsyncEngine], Awaitable[int]], *, check: bool = True) -> int:
    engine = open_engine(config.database_url)
    try:
        if check:
            await prepare(engine, config.organisation.zone)
        return await work(engine)
    finally:
        await engine.dispose()


async def _db_upgrade(config: Config, arguments: argparse.Namespace) -> int:
    async def work(engine: AsyncEngine) -> int:
        await upgrade(engine)
        print(text(config.organisation.default_language, "cli.upgraded", head=head_revision()))
        return 0

    return await _with_engine(config, work, check=False)


async def _db_backup(config: Config, arguments: argparse.Namespace) -> int:
    language = config.organisation.default_language
    target: Path = arguments.file
    if target.exists():
        print(text(language, "cli.backup_exists", path=target), file=sys.stderr)
        return 1
    url = make_url(config.database_url)
    if url.get_backend_name() != "sqlite":
        plain = url.set(drivername="postgresql").render_as_string(hide_password=True)
        print(text(language, "cli.backup_postgres", path=target, url=plain))
        return 0
    # SQLite's online backup copies a consistent snapshot page by page; the bot may go on writing meanwhile.
    source = sqlite3.connect(f"file:{url.database}?mode=ro", uri=True)
    with contextlib.closing(source), contextlib.closing(sqlite3.connect(target)) as copy:
        source.backup(copy)
    print(text(language, "cli.backup_done", path=target, size=target.stat().st_size))
    return 0


async def _db_status(config: Config, arguments: argparse.Namespace) -> int:
    async def work(engine: AsyncEngine) -> int:
        state = await schema_state(engine)
        print(
            text(config.organisation.default_language, "cli.status", current=state.current or "none", head=state.head)
        )
        return 0 if state.up_to_date else 3

    return await _with_engine(config, work, check=False)


async def _inbox_list(config: Config, arguments: argparse.Namespace) -> int:
    language = config.organisation.default_language

    async def work(engine: AsyncEngine) -> int:
        async with sessions(engine)() as session:
            dead = await inbox.dead_letters(session)
        if not dead:
            print(text(language, "cli.inbox_empty"))
            return 0
        print(text(language, "cli.inbox_dead", count=len(dead)))
        zone = config.organisation.zone
        for row in dead:
            received = row.received_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
            raw = row.raw if len(row.raw) <= 300 else row.raw[:300] + "…"
            user = "-" if row.user_id is None else row.user_id
            print(
                text(
                    language,
                    "cli.inbox_row",
                    update_id=row.update_id,
                    received=received,
                    user=user,
                    error=row.error,
                    raw=raw,
                )
            )
        return 0

    return await _with_engine(config, work)


async def _inbox_retry(config: Config, arguments: argparse.Namespace) -> int:
    language = config.organisation.default_language
    if not arguments.all and not arguments.update_ids:
        print(text(language, "cli.inbox_none_retried"), file=sys.stderr)
        return 1

    async def work(engine: AsyncEngine) -> int:
        async with sessions(engine).begin() as session:
            put_back = await inbox.retry(session, None if arguments.all else arguments.update_ids)
        if not put_back:
            print(text(language, "cli.inbox_none_retried"), file=sys.stderr)
            return 1
        print(text(language, "cli.inbox_retried", count=len(put_back)))
        return 0

    return await _with_engine(config, work)


async def _roster_import(config: Config, arguments: argparse.Namespace) -> int:
    language = config.organisation.default_language
    try:
        table = roster.read_table(arguments.file)
        rows, errors = roster.parse_rows(table, config.organisation.rank_levels)
    except roster.RosterFileError as error:
        print(text(language, error.reason, **error.detail), file=sys.stderr)
        return 1
    except (OSError, UnicodeDecodeError, ValueError) as error:
        print(text(language, "roster_file.error.unreadable", reason=error), file=sys.stderr)
        return 1

    async def work(engine: AsyncEngine) -> int:
        try:
            async with sessions(engine).begin() as session:
                result = await roster.import_rows(session, rows, SystemClock().now(), actor="cli")
                if result.errors:
                    raise RosterRejected(result.errors)
        except RosterRejected as rejected:
            return _report_errors(language, list(rejected.args[0]))
        print(
            text(
                language,
                "roster_file.imported",
                created=result.created,
                updated=result.updated,
                unchanged=result.unchanged,
            )
        )
        return 0

    if errors:
        return _report_errors(language, errors)
    return await _with_engine(config, work)


async def _ledger_export(config: Config, arguments: argparse.Namespace) -> int:
    language = config.organisation.default_language
    today = SystemClock().now().astimezone(config.organisation.zone).date()
    found = find_period(arguments.period, today)
    if found is None or found.words != arguments.period.strip():  # read whole, or not at all
        print(text(language, "ledger.bad_period", period=arguments.period), file=sys.stderr)
        return 1
    period = found.period

    async def work(engine: AsyncEngine) -> int:
        services = Services(config=config, sessions=sessions(engine), clock=SystemClock())
        async with services.sessions.begin() as session:
            roots = await people.root_units(session)
            operator = Viewer(0, "cli", "", tuple(Grant(Role.COMMISSION, path) for path in roots), language)
            question = Question(period=period, period_named=True, measure="talks")
            from bot.export import ledger_workbook  # noqa: PLC0415  (openpyxl: not loaded by `run`)

            content = await ledger_workbook(session, services, operator, question)
            talks, _ = await summary_totals(session, await talk_filter(session, services, operator, question))
            audit.record(
                session,
                at=services.clock.now(),
                actor="cli",
                action="stats.export",
                subject=f"{period.start}/{period.end}",
                path=str(arguments.out),
            )
        arguments.out.write_bytes(content)
        print(text(language, "ledger.exported", talks=talks, path=arguments.out))
        return 0

    return await _with_engine(config, work)


async def _ledger_import(config: Config, arguments: argparse.Namespace) -> int:
    language = config.organisation.default_language
    try:
        from bot.ledger import import_ledger, parse_ledger  # noqa: PLC0415  (openpyxl: not loaded by `run`)

        today = SystemClock().now().astimezone(config.organisation.zone).date()
        rows, errors = parse_ledger(roster.read_table(arguments.file), config, today)
    except roster.RosterFileError as error:
        print(text(language, error.reason, **error.detail), file=sys.stderr)
        return 1
    except (OSError, UnicodeDecodeError, ValueError) as error:
        print(text(language, "roster_file.error.unreadable", reason=error), file=sys.stderr)
        return 1
    if errors:
        return _report_errors(language, errors, "ledger.rejected")

    async def work(engine: AsyncEngine) -> int:
        try:
            async with sessions(engine).begin() as session:
                added, skipped, problems = await import_ledger(session, rows, config, SystemClock().now())
                if problems:
                    raise RosterRejected(problems)
        except RosterRejected as rejected:
            return _report_errors(language, list(rejected.args[0]), "ledger.rejected")
        print(text(language, "ledger.imported", added=added, skipped=skipped))
        return 0

    return await _with_engine(config, work)


def _report_errors(language: str, errors: list[roster.RowError], headline: str = "roster_file.rejected") -> int:
    print(text(language, headline, count=len(errors)), file=sys.stderr)
    for error in errors:
        print(
            text(
                language,
                "roster_file.row_error",
                row=error.row,
                column=error.column,
                reason=text(language, error.reason, **error.detail),
            ),
            file=sys.stderr,
        )
    return 1


async def _roster_export(config: Config, arguments: argparse.Namespace) -> int:
    async def work(engine: AsyncEngine) -> int:
        async with sessions(engine).begin() as session:
            everyone = await people.everyone(session)
            table = roster.roster_table(everyone)
            audit.record(
                session,
                at=SystemClock().now(),
                actor="cli",
                action="roster.export",
                subject=str(arguments.file),
                count=len(everyone),
            )
        try:
            roster.write_table(arguments.file, table)
        except roster.RosterFileError as error:
            print(text(config.organisation.default_language, error.reason, **error.detail), file=sys.stderr)
            return 1
        print(
            text(
                config.organisation.default_language, "roster_file.exported", count=len(table) - 1, path=arguments.file
            )
        )
        return 0

    return await _with_engine(config, work)


async def _roster_invite(config: Config, arguments: argparse.Namespace) -> int:
    language, days = config.organisation.default_language, config.invite_valid_days
    username = config.telegram.bot_username or await _bot_username(config)

    async def invite(session: AsyncSession, person: Person) -> str:
        code, _ = await enrollment.create_invite(session, person, now=SystemClock().now(), valid_days=days, actor="cli")
        named = {"name": person.name, "unit": person.unit.path, "days": days}
        if username:
            return text(language, "cli.invite_link", link=enrollment.deep_link(username, code), **named)
        return text(language, "cli.invite_code", code=code, **named)

    return await _for_one_person(config, arguments, invite)


async def _roster_unbind(config: Config, arguments: argparse.Namespace) -> int:
    async def unbind(session: AsyncSession, person: Person) -> str:
        done = await enrollment.unbind(session, person, now=SystemClock().now(), actor="cli")
        return text(config.organisation.default_language, "cli.unbound" if done else "cli.not_bound", name=person.name)

    return await _for_one_person(config, arguments, unbind)


async def _roster_exclude(config: Config, arguments: argparse.Namespace) -> int:
    async def exclude(session: AsyncSession, person: Person) -> str:
        coverage.add_exclusion(session, person, arguments.start, arguments.end, arguments.reason)
        audit.record(
            session,
            at=SystemClock().now(),
            actor="cli",
            action="coverage.exclude",
            subject=f"person:{person.id}",
            start=str(arguments.start),
            end=str(arguments.end),
        )
        return text(
            config.organisation.default_language,
            "cli.excluded",
            name=person.name,
            start=arguments.start,
            end=arguments.end,
        )

    return await _for_one_person(config, arguments, exclude)


async def _for_one_person(
    config: Config, arguments: argparse.Namespace, act: Callable[[AsyncSession, Person], Awaitable[str]]
) -> int:
    """Find the one person the arguments name, act on them in one transaction, print what was done."""

    async def work(engine: AsyncEngine) -> int:
        async with sessions(engine).begin() as session:
            person = await _one_person(session, config.organisation.default_language, arguments)
            if person is None:
                return 1
            done = await act(session, person)
        print(done)
        return 0

    return await _with_engine(config, work)


async def _one_person(session: AsyncSession, language: str, arguments: argparse.Namespace) -> Person | None:
    """The one person named on the command line (by --id, exact name or part of a name), or None after
    saying why."""
    name = arguments.name.strip()
    if arguments.id is not None:
        person = await people.person_by_id(session, arguments.id)
        found = [person] if person is not None else []
    elif name:
        found = list(await people.people_within(session, None, name))
        exact = [person for person in found if person.name == name]
        found = exact if len(exact) == 1 else found
    else:
        found = []
    if len(found) == 1:
        return found[0]
    query = name if arguments.id is None else str(arguments.id)
    if not found:
        print(text(language, "cli.no_person", query=query), file=sys.stderr)
        return None
    print(text(language, "cli.many_people", query=query), file=sys.stderr)
    for person in found:
        print(f"  --id {person.id}  {person.name}  {person.unit.path}  {person.position}", file=sys.stderr)
    return None


async def _bot_username(config: Config) -> str:
    """Ask the Bot API for the bot's username; "" when there is no token or no answer."""
    if not config.telegram.token:
        return ""
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http,
            http.get(f"{config.telegram.bot_api_url}{config.telegram.token}/getMe") as response,
        ):
            body = await response.json()
            return str(body["result"]["username"]) if body.get("ok") else ""
    except (aiohttp.ClientError, TimeoutError, KeyError, ValueError):
        return ""
