"""The `talkledger` command line: arguments, the language it speaks, and exit codes.

Kept light (no Telegram, SQLAlchemy or openpyxl) so that `--help` and usage errors answer at once; the commands
themselves are in bot/commands.py (the messengers' run and try in handlers/main.py), imported once the arguments
are understood.

Exit codes: 0 done, 1 refused input (usage errors included), 2 bad configuration, 3 schema out of date,
4 database unreachable.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import tomllib
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from bot.config import LANGUAGES, Config, ConfigError, load_config
from bot.i18n import text

if TYPE_CHECKING:
    from bot.commands import Command

REFUSED, BAD_CONFIGURATION, SCHEMA_OUTDATED, DATABASE_UNREACHABLE = 1, 2, 3, 4


def main(argv: list[str] | None = None, runtime: Mapping[str, Command] | None = None) -> int:
    """The command line; `runtime` holds the commands that start a messenger (handlers/main.py hands them in: the
    messenger-free core cannot import them)."""
    argv = sys.argv[1:] if argv is None else argv
    path = _config_path(argv)
    try:
        config: Config | None = load_config(path)
    except ConfigError as error:
        config, config_error = None, error
    language = cli_language(path, config)
    try:
        arguments = build_parser(language).parse_args(argv)
    except SystemExit as exit_:  # --help, --version (0) and usage errors (1, see _Parser.error)
        return int(exit_.code or 0)
    if config is None:
        print(text(language, "cli.config_error", path=path, error=config_error), file=sys.stderr)
        return BAD_CONFIGURATION
    from bot import commands, logs  # noqa: PLC0415  (heavy: only once there is something to do)

    logs.configure(config.log_format, arguments.verbose, (config.telegram.token, config.webhook.secret))
    return commands.execute(arguments.action, config, arguments, language, runtime or {})


def _config_path(argv: list[str]) -> Path:
    """--config wherever it stands (before or after the command), else $TALKLEDGER_CONFIG, else ./config.toml."""
    given = None
    for index, argument in enumerate(argv):  # read by hand: a bad command line is the full parser's to refuse
        if argument == "--config" and index + 1 < len(argv):
            given = argv[index + 1]
        elif argument.startswith("--config="):
            given = argument.removeprefix("--config=")
    return Path(given or os.environ.get("TALKLEDGER_CONFIG") or "config.toml")


def cli_language(path: Path, config: Config | None) -> str:
    """The language the command speaks: the config file's [organisation] default_language when it sets one,
    else the terminal's (LC_ALL, LC_MESSAGES, LANG), else Chinese."""
    if config is not None and _sets_language(path):
        return config.organisation.default_language
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "").lower()
        if value.startswith("zh"):
            return "zh-CN"
        if value.startswith("en"):
            return "en"
        if value and value not in ("c", "posix", "c.utf-8"):
            break
    return LANGUAGES[0]


def _sets_language(path: Path) -> bool:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return False
    organisation = raw.get("organisation")
    return isinstance(organisation, dict) and "default_language" in organisation


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """argparse's help layout with the usage line's prefix in our language."""

    language = LANGUAGES[0]

    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        shown = prefix if prefix is not None else text(self.language, "cli.help.usage")
        super().add_usage(usage, actions, groups, shown)


class _Parser(argparse.ArgumentParser):
    """An argument parser that speaks `language` (see speaking) and refuses bad usage with exit code 1 (2 means
    bad configuration here)."""

    language = LANGUAGES[0]
    formatter: type[_Formatter] = _Formatter

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(add_help=False, formatter_class=self.formatter, **kwargs)
        self.arguments = self.add_argument_group(text(self.language, "cli.help.arguments"))  # omitted when empty
        self.options = self.add_argument_group(text(self.language, "cli.help.options"))
        self.options.add_argument("-h", "--help", action="help", help=text(self.language, "cli.help.help"))

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(REFUSED, text(self.language, "cli.usage_error", prog=self.prog, error=message) + "\n")


def speaking(language: str) -> type[_Parser]:
    """The parser class (and help layout) for one language; subcommands' parsers are made of the same class."""

    class Formatter(_Formatter):
        pass

    class Parser(_Parser):
        pass

    Formatter.language = Parser.language = language
    Parser.formatter = Formatter
    return Parser


def build_parser(language: str) -> _Parser:
    def say(key: str) -> str:
        return text(language, f"cli.help.{key}")

    parser_class = speaking(language)
    parser = parser_class(prog="talkledger", description=say("description"), epilog=say("epilog"))
    _global_options(parser.options, language, top=True)
    parser.options.add_argument("--version", action="version", version=f"talkledger {_version()}", help=say("version"))
    parser.set_defaults(action="start", webhook=False)  # no command: `run` (polling) when there is a token
    commands = parser.add_subparsers(title=say("commands"), metavar="COMMAND", parser_class=parser_class)

    def command(name: str, action: str, owner: Any = commands) -> _Parser:
        sub: _Parser = owner.add_parser(name, help=say(action), description=say(action), epilog=say("epilog"))
        _global_options(sub.options, language, top=False)
        sub.set_defaults(action=action)
        return sub

    run = command("run", "run")
    run.options.add_argument("--webhook", action="store_true", default=False, help=say("webhook"))
    run.options.add_argument("--messenger", choices=("telegram", "wecom"), default=None, help=say("messenger"))
    trying = command("try", "try")
    trying.options.add_argument(
        "--messenger", choices=("telegram", "wecom"), default="telegram", help=say("try_messenger")
    )

    exporting_ledger = command("export", "export")
    exporting_ledger.options.add_argument("--period", required=True, metavar="PERIOD", help=say("period"))
    exporting_ledger.options.add_argument("--out", required=True, type=Path, metavar="FILE.xlsx", help=say("out"))
    exporting_ledger.options.add_argument("--overwrite", action="store_true", help=say("overwrite"))
    importing_ledger = command("import", "import")
    importing_ledger.arguments.add_argument("file", type=Path, metavar="FILE", help=say("ledger_file"))

    database_parser = commands.add_parser("db", help=say("db"), description=say("db"))
    _global_options(database_parser.options, language, top=False)
    database = database_parser.add_subparsers(
        title=say("commands"), metavar="COMMAND", required=True, parser_class=parser_class
    )
    command("upgrade", "db_upgrade", database)
    command("status", "db_status", database)
    backup = command("backup", "db_backup", database)
    backup.arguments.add_argument("file", type=Path, metavar="FILE", help=say("backup_file"))

    inbox_parser = command("inbox", "inbox_list")
    inbox_commands = inbox_parser.add_subparsers(title=say("commands"), metavar="COMMAND", parser_class=parser_class)
    retrying = command("retry", "inbox_retry", inbox_commands)
    retrying.arguments.add_argument("update_ids", nargs="*", type=int, metavar="ID", help=say("inbox_ids"))
    retrying.options.add_argument("--all", action="store_true", help=say("inbox_all"))

    roster_parser = commands.add_parser("roster", help=say("roster"), description=say("roster"))
    _global_options(roster_parser.options, language, top=False)
    roster = roster_parser.add_subparsers(
        title=say("commands"), metavar="COMMAND", required=True, parser_class=parser_class
    )
    importing = command("import", "roster_import", roster)
    importing.arguments.add_argument("file", type=Path, metavar="FILE", help=say("roster_file"))
    exporting = command("export", "roster_export", roster)
    exporting.arguments.add_argument("file", type=Path, metavar="FILE", help=say("roster_out"))
    exporting.options.add_argument("--overwrite", action="store_true", help=say("overwrite"))
    for name in ("invite", "unbind", "exclude"):
        sub = command(name, f"roster_{name}", roster)
        sub.arguments.add_argument("name", nargs="?", default="", metavar="NAME", help=say("person_name"))
        sub.options.add_argument("--id", type=int, metavar="N", help=say("person_id"))
        if name == "exclude":
            sub.options.add_argument("--from", dest="start", required=True, type=_day, metavar="YYYY-MM-DD")
            sub.options.add_argument("--to", dest="end", required=True, type=_day, metavar="YYYY-MM-DD")
            sub.options.add_argument("--reason", required=True, help=say("reason"))
    return parser


def _global_options(group: Any, language: str, *, top: bool) -> None:
    """--config and -v, accepted before the command and after it (`talkledger run --config FILE`)."""
    # Below a command, an option not given must not undo the same option given before the command.
    config_default, verbose_default = (None, False) if top else (argparse.SUPPRESS, argparse.SUPPRESS)
    group.add_argument("--config", metavar="FILE", default=config_default, help=text(language, "cli.help.config"))
    group.add_argument(
        "-v", "--verbose", action="store_true", default=verbose_default, help=text(language, "cli.help.verbose")
    )


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r}: YYYY-MM-DD") from None


@functools.cache
def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415

    try:
        return version("talkledger")
    except PackageNotFoundError:
        return "unknown"
