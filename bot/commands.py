"""What each `talkledger` command does (the arguments and exit codes are bot/cli.py's).

Long because it holds every offline command (db, roster, export, import, inbox) with the checks a command line
needs on its files; each is a short function of its own.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sqlite3
import sys
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.cli import DATABASE_UNREACHABLE, REFUSED, SCHEMA_OUTDATED
from bot.clock import SystemClock
from bot.config import Config
from bot.i18n import text
from bot.questions.periods import find_period
from bot.questions.reader import Question
from bot.questions.summary import talk_filter
from bot.roster import enrollment
from bot.roster import files as roster
from bot.roster.access import Grant, Role, Viewer
from bot.services import Services
from storage import audit, coverage, inbox, people
from storage.db import SchemaOutdated, head_revision, open_engine, prepare, schema_state, sessions, upgrade
from storage.models import Person
from storage.summary import totals as summary_totals

log = logging.getLogger("talkledger")

PROGRESS_EVERY = 500  # rows between two progress lines of a long import
Row = TypeVar("Row")


class RosterRejected(Exception):
    """Raised inside the import transaction so that a file with any bad row imports nothing."""


class Refused(Exception):
    """Input the command cannot take (exit 1): the catalog key and its parameters."""

    def __init__(self, key: str, **detail: object) -> None:
        super().__init__(key)
        self.key, self.detail = key, detail


class NoDatabase(Exception):
    """A command that reads the database was pointed at a SQLite file that does not exist."""


Command = Callable[[Config, argparse.Namespace], Coroutine[Any, Any, int]]


def execute(
    action: str, config: Config, arguments: argparse.Namespace, language: str, runtime: Mapping[str, Command]
) -> int:
    """Run the command named `action` (one of ours, or of the messengers' `runtime`: run, try); its exit code."""
    # The command's own words are in the language chosen for the command line (bot/cli.py); what it writes for
    # others (the bot's replies, ledgers) stays in the organisation's.
    arguments.language = language
    command = ACTIONS.get(action) or runtime[action]
    try:
        return asyncio.run(command(config, arguments))
    except Refused as refused:
        print(text(language, refused.key, **refused.detail), file=sys.stderr)
        return REFUSED
    except NoDatabase:
        print(text(language, "cli.no_database", path=make_url(config.database_url).database), file=sys.stderr)
        return DATABASE_UNREACHABLE
    except SchemaOutdated as error:
        print(text(language, "cli.schema_outdated", current=error.current, head=error.head), file=sys.stderr)
        return SCHEMA_OUTDATED
    except (OperationalError, OSError) as error:
        print(text(language, "cli.database_unreachable", error=error), file=sys.stderr)
        return DATABASE_UNREACHABLE
    except KeyboardInterrupt:
        return 130


async def _with_engine(
    config: Config, work: Callable[[AsyncEngine], Awaitable[int]], *, check: bool = True, existing: bool = False
) -> int:
    """Open the database, check its schema (unless `check` is off) and do `work`. With `existing`, a SQLite file
    that is not there is refused rather than created empty (a read-only command has nothing to read)."""
    if existing and _missing_sqlite_file(config.database_url) is not None:
        raise NoDatabase
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
        print(text(arguments.language, "cli.upgraded", head=head_revision()))
        return 0

    return await _with_engine(config, work, check=False)


async def _db_backup(config: Config, arguments: argparse.Namespace) -> int:
    language = arguments.language
    target: Path = arguments.file
    if target.exists() and not target.is_dir():
        print(text(language, "cli.backup_exists", path=target), file=sys.stderr)
        return 1
    url = make_url(config.database_url)
    if url.get_backend_name() != "sqlite":
        plain = url.set(drivername="postgresql").render_as_string(hide_password=True)
        print(text(language, "cli.backup_postgres", path=target, url=plain))
        return 0
    if _missing_sqlite_file(config.database_url) is not None:
        raise NoDatabase
    _check_target(target, overwrite=False)
    # SQLite's online backup copies a consistent snapshot page by page; the bot may go on writing meanwhile.
    source = sqlite3.connect(f"file:{url.database}?mode=ro", uri=True)
    try:
        with contextlib.closing(source), contextlib.closing(sqlite3.connect(target)) as copy:
            source.backup(copy)
    except sqlite3.Error as error:
        with contextlib.suppress(OSError):
            target.unlink()  # never leave half a backup that looks like one
        raise Refused("cli.out_failed", path=target, error=error) from None
    print(text(language, "cli.backup_done", path=target, size=target.stat().st_size))
    return 0


async def _db_status(config: Config, arguments: argparse.Namespace) -> int:
    async def work(engine: AsyncEngine) -> int:
        state = await schema_state(engine)
        print(text(arguments.language, "cli.status", current=state.current or "none", head=state.head))
        return 0 if state.up_to_date else SCHEMA_OUTDATED

    return await _with_engine(config, work, check=False, existing=True)


async def _inbox_list(config: Config, arguments: argparse.Namespace) -> int:
    language = arguments.language

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

    return await _with_engine(config, work, existing=True)


async def _inbox_retry(config: Config, arguments: argparse.Namespace) -> int:
    language = arguments.language
    if not arguments.all and not arguments.update_ids:
        print(text(language, "cli.inbox_none_retried"), file=sys.stderr)
        return REFUSED

    async def work(engine: AsyncEngine) -> int:
        async with sessions(engine).begin() as session:
            put_back = await inbox.retry(session, None if arguments.all else arguments.update_ids)
        if not put_back:
            print(text(language, "cli.inbox_none_retried"), file=sys.stderr)
            return REFUSED
        print(text(language, "cli.inbox_retried", count=len(put_back)))
        return 0

    return await _with_engine(config, work, existing=True)


async def _roster_import(config: Config, arguments: argparse.Namespace) -> int:
    language = arguments.language
    try:
        _say_reading(language, arguments.file)
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
                result = await roster.import_rows(
                    session, _with_progress(language, rows), SystemClock().now(), actor="cli"
                )
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
    language = arguments.language
    today = SystemClock().now().astimezone(config.organisation.zone).date()
    found = find_period(arguments.period, today)
    if found is None or found.words != arguments.period.strip():  # read whole, or not at all
        print(text(language, "ledger.bad_period", period=arguments.period), file=sys.stderr)
        return 1
    period = found.period
    _check_target(arguments.out, overwrite=arguments.overwrite, suffixes=(".xlsx",))

    async def work(engine: AsyncEngine) -> int:
        services = Services(config=config, sessions=sessions(engine), clock=SystemClock())
        async with services.sessions.begin() as session:
            roots = await people.root_units(session)
            grants = tuple(Grant(Role.COMMISSION, path) for path in roots)
            operator = Viewer(0, "cli", "", grants, config.organisation.default_language)
            question = Question(period=period, period_named=True, measure="talks")
            from bot.ledgers.export import ledger_workbook  # noqa: PLC0415  (XlsxWriter: not loaded by `run`)

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
        _write(arguments.out, lambda path: path.write_bytes(content))
        print(text(language, "ledger.exported", talks=talks, path=arguments.out))
        return 0

    return await _with_engine(config, work, existing=True)


async def _ledger_import(config: Config, arguments: argparse.Namespace) -> int:
    language = arguments.language
    try:
        from bot.ledgers.imports import ITEMS_SHEETS, import_ledger, parse_items, parse_ledger  # noqa: PLC0415  (openpyxl)

        _say_reading(language, arguments.file)
        today = SystemClock().now().astimezone(config.organisation.zone).date()
        rows, errors = parse_ledger(roster.read_table(arguments.file), config, today)
        items_sheet = roster.read_sheet(arguments.file, ITEMS_SHEETS)  # the export's 整改台账, when there is one
        items, item_errors = parse_items(items_sheet, rows) if items_sheet else ([], [])
        errors += item_errors
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
                added, skipped, problems = await import_ledger(
                    session, _with_progress(language, rows), config, SystemClock().now(), items
                )
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
    _check_target(arguments.file, overwrite=arguments.overwrite, suffixes=(".csv", ".xlsx"))

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
        _write(arguments.file, lambda path: roster.write_table(path, table))
        print(text(arguments.language, "roster_file.exported", count=len(table) - 1, path=arguments.file))
        return 0

    return await _with_engine(config, work, existing=True)


async def _roster_invite(config: Config, arguments: argparse.Namespace) -> int:
    language, days = arguments.language, config.invite_valid_days
    username = config.telegram.bot_username or await _bot_username(config)

    async def invite(session: AsyncSession, person: Person) -> str:
        code, _ = await enrollment.create_invite(session, person, now=SystemClock().now(), valid_days=days, actor="cli")
        named = {"name": person.name, "unit": person.unit.path, "days": days}
        if username:
            return text(language, "cli.invite_link", link=enrollment.deep_link(username, code), **named)
        # A link needs the bot's username: say why there is none and how to get one.
        why = "cli.invite_no_username" if not config.telegram.token else "cli.invite_getme_failed"
        print(text(language, why, url=config.telegram.api_base_url), file=sys.stderr)
        return text(language, "cli.invite_code", code=code, **named)

    return await _for_one_person(config, arguments, invite)


async def _roster_unbind(config: Config, arguments: argparse.Namespace) -> int:
    async def unbind(session: AsyncSession, person: Person) -> str:
        done = await enrollment.unbind(session, person, now=SystemClock().now(), actor="cli")
        return text(arguments.language, "cli.unbound" if done else "cli.not_bound", name=person.name)

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
            arguments.language,
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
    if not arguments.name.strip() and arguments.id is None:
        command = arguments.action.removeprefix("roster_")
        raise Refused("cli.person_usage", command=command)

    async def work(engine: AsyncEngine) -> int:
        async with sessions(engine).begin() as session:
            person = await _one_person(session, arguments.language, arguments)
            if person is None:
                return 1
            done = await act(session, person)
        print(done)
        return 0

    return await _with_engine(config, work, existing=True)


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
    import aiohttp  # noqa: PLC0415  (only an invite without a configured username asks the Bot API)

    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http,
            http.get(f"{config.telegram.bot_api_url}{config.telegram.token}/getMe") as response,
        ):
            body = await response.json()
            return str(body["result"]["username"]) if body.get("ok") else ""
    except (aiohttp.ClientError, TimeoutError, KeyError, ValueError):
        return ""


def _missing_sqlite_file(url: str) -> str | None:
    """The path of a SQLite database file that does not exist, or None (there, in memory, or PostgreSQL)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return None if Path(parsed.database).exists() else parsed.database


def _check_target(path: Path, *, overwrite: bool, suffixes: tuple[str, ...] = ()) -> None:
    """Refuse an output path the command could not or should not write, before any work is done."""
    if path.is_dir():
        raise Refused("cli.out_is_folder", path=path)
    if suffixes and path.suffix.lower() not in suffixes:
        raise Refused("cli.out_suffix", path=path, suffixes=" ".join(suffixes))
    folder = path.parent
    if not folder.is_dir():
        raise Refused("cli.out_no_folder", path=path, folder=folder)
    if path.exists() and not overwrite:
        raise Refused("cli.out_exists", path=path)
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise Refused("cli.out_failed", path=path, error=os.strerror(13))


def _write(path: Path, write: Callable[[Path], object]) -> None:
    """Write an output file; a failure (disk full, permissions) is the operator's to fix, not the database's."""
    try:
        write(path)
    except OSError as error:
        raise Refused("cli.out_failed", path=path, error=error.strerror or error) from None


def _say_reading(language: str, path: Path) -> None:
    print(text(language, "cli.reading", path=path), file=sys.stderr, flush=True)


def _with_progress(language: str, rows: list[Row]) -> Iterator[Row]:
    """The rows, with a line on stderr every PROGRESS_EVERY of them so a long import is not silent."""
    total = len(rows)
    for done, row in enumerate(rows, start=1):
        yield row
        if done % PROGRESS_EVERY == 0 and done < total:
            print(text(language, "cli.progress", done=done, total=total), file=sys.stderr, flush=True)


ACTIONS: dict[str, Command] = {
    "export": _ledger_export,
    "import": _ledger_import,
    "db_upgrade": _db_upgrade,
    "db_status": _db_status,
    "db_backup": _db_backup,
    "inbox_list": _inbox_list,
    "inbox_retry": _inbox_retry,
    "roster_import": _roster_import,
    "roster_export": _roster_export,
    "roster_invite": _roster_invite,
    "roster_unbind": _roster_unbind,
    "roster_exclude": _roster_exclude,
}
