"""The `talkledger` command as an operator meets it on a fresh machine: the real process, its words, its exit codes
(0 done, 1 refused input, 2 bad configuration, 3 schema out of date, 4 database unreachable)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.i18n import text
from tests.conftest import start_talkledger
from tests.test_roster import GOOD, HEADER, cli, write_csv


@dataclass
class Finished:
    code: int
    out: str
    err: str


def talkledger(*arguments: str, cwd: Path, **environment: str) -> Finished:
    """Run `talkledger ARGUMENTS` to its end in `cwd`."""

    async def run() -> Finished:
        process = await start_talkledger(*arguments, cwd=cwd, environment=environment)
        out, err = await asyncio.wait_for(process.communicate(), 120)
        assert process.returncode is not None
        return Finished(process.returncode, out.decode(), err.decode())

    return asyncio.run(run())


@pytest.fixture
def configured(tmp_path: Path, db_url: str) -> Path:
    """A config.toml naming a database that holds the GOOD roster; the working directory is tmp_path."""
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\nurl = "{db_url}"\n', encoding="utf-8")
    assert cli(path, "roster", "import", str(write_csv(tmp_path / "roster.csv", GOOD))) == 0
    return path


def test_an_output_path_that_cannot_be_written_is_refused_input_not_a_database_failure(
    tmp_path: Path, configured: Path, db_url: str
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    attempts = [
        ("export", "--period", "2025", "--out", "/nonexistent/x.xlsx"),
        ("export", "--period", "2025", "--out", str(folder)),
        ("roster", "export", "/nonexistent/r.csv"),
    ]
    if db_url.startswith("sqlite"):  # PostgreSQL's backup is a printed pg_dump line, no file written
        attempts += [("db", "backup", "/nonexistent/b.db")]
    for arguments in attempts:
        done = talkledger(*arguments, cwd=tmp_path)
        assert done.code == 1, (arguments, done)
        assert "Traceback" not in done.err and "数据库" not in done.err, (arguments, done.err)
        assert "/nonexistent" in done.err or str(folder) in done.err
    missing_folder = talkledger("export", "--period", "2025", "--out", "/nonexistent/x.xlsx", cwd=tmp_path)
    assert missing_folder.err.strip() == text(
        "zh-CN", "cli.out_no_folder", path="/nonexistent/x.xlsx", folder="/nonexistent"
    )
    assert list(folder.iterdir()) == []


def test_a_read_only_command_refuses_a_database_that_does_not_exist(tmp_path: Path) -> None:
    for arguments in (
        ("export", "--period", "2025", "--out", "x.xlsx"),
        ("roster", "export", "r.csv"),
        ("db", "status"),
    ):
        done = talkledger(*arguments, cwd=tmp_path)
        assert done.code == 4, (arguments, done)
        assert done.err.strip() == text("zh-CN", "cli.no_database", path="talkledger.db")
    assert sorted(path.name for path in tmp_path.iterdir()) == []  # no empty talkledger.db, no empty output


def test_export_keeps_an_existing_file_and_writes_only_xlsx(tmp_path: Path, configured: Path) -> None:
    kept = tmp_path / "ledger.xlsx"
    kept.write_bytes(b"last month's ledger")
    done = talkledger("export", "--period", "2025", "--out", str(kept), cwd=tmp_path)
    assert done.code == 1 and done.err.strip() == text("zh-CN", "cli.out_exists", path=kept)
    assert kept.read_bytes() == b"last month's ledger"
    assert talkledger("export", "--period", "2025", "--out", str(kept), "--overwrite", cwd=tmp_path).code == 0
    assert kept.read_bytes()[:2] == b"PK"  # an xlsx (zip) now

    misnamed = talkledger("export", "--period", "2025", "--out", "x.csv", cwd=tmp_path)
    assert misnamed.code == 1 and ".xlsx" in misnamed.err and not (tmp_path / "x.csv").exists()

    roster_copy = tmp_path / "roster.csv"  # the file the roster came from
    before = roster_copy.read_bytes()
    assert talkledger("roster", "export", str(roster_copy), cwd=tmp_path).code == 1
    assert roster_copy.read_bytes() == before


def test_config_may_follow_the_command(tmp_path: Path, configured: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = talkledger("roster", "export", "r.csv", "--config", str(configured), cwd=elsewhere)
    assert done.code == 0, done
    assert "张建平" in (elsewhere / "r.csv").read_text(encoding="utf-8-sig")
    no_token = talkledger("run", "--config", str(configured), cwd=elsewhere)
    assert no_token.code == 1 and no_token.err.strip() == text("zh-CN", "cli.no_token")


def test_usage_errors_are_refused_input_with_a_usage_line(tmp_path: Path) -> None:
    for arguments in (
        ("export", "--period", "2025"),
        ("roster", "exclude", "赵敏", "--from", "2025-01-01"),
        ("--config",),
    ):
        done = talkledger(*arguments, cwd=tmp_path)
        assert done.code == 1, (arguments, done)
        assert done.err.startswith("用法：talkledger"), done.err
    assert list(tmp_path.iterdir()) == []


def test_invite_without_a_name_shows_its_usage_and_without_a_username_says_how_to_get_a_link(
    tmp_path: Path, configured: Path
) -> None:
    nameless = talkledger("roster", "invite", cwd=tmp_path)
    assert nameless.code == 1
    assert nameless.err.strip() == text("zh-CN", "cli.person_usage", command="invite")

    code_only = talkledger("roster", "invite", "赵敏", cwd=tmp_path)
    assert code_only.code == 0 and "/start " in code_only.out
    assert code_only.err.strip() == text("zh-CN", "cli.invite_no_username", url="https://api.telegram.org")
    linked = talkledger("roster", "invite", "赵敏", cwd=tmp_path, TALKLEDGER_BOT_USERNAME="lanzhou_bot")
    assert linked.code == 0 and "https://t.me/lanzhou_bot?start=" in linked.out and linked.err == ""


def test_help_speaks_the_configured_language_or_the_terminals(tmp_path: Path) -> None:
    chinese = talkledger("--help", cwd=tmp_path)
    assert chinese.code == 0 and chinese.out.startswith("用法：talkledger")
    assert "TALKLEDGER_DATABASE_URL" in chinese.out and "退出码" in chinese.out
    english = talkledger("export", "--help", cwd=tmp_path, LANG="en_GB.UTF-8")
    assert english.code == 0 and english.out.startswith("usage: talkledger export")
    assert text("en", "cli.help.out").split(" (")[0] in " ".join(english.out.split())
    (tmp_path / "config.toml").write_text('[organisation]\ndefault_language = "zh-CN"\n', encoding="utf-8")
    configured = talkledger("export", "--help", cwd=tmp_path, LANG="en_GB.UTF-8")
    assert configured.out.startswith("用法：talkledger export") and text("zh-CN", "cli.help.out") in configured.out
    english_errors = talkledger("export", cwd=tmp_path, LANG="en_US.UTF-8", LC_ALL="en_US.UTF-8")
    assert english_errors.code == 1 and "用法" in english_errors.err  # the file's language wins over LC_ALL


def test_version(tmp_path: Path) -> None:
    done = talkledger("--version", cwd=tmp_path)
    assert done.code == 0 and done.out.startswith("talkledger ") and done.out.split()[1][0].isdigit()


def test_a_long_roster_import_reports_progress_on_stderr(tmp_path: Path, db_url: str) -> None:
    (tmp_path / "config.toml").write_text(f'[database]\nurl = "{db_url}"\n', encoding="utf-8")
    rows = [HEADER] + [[f"兰州市/单位{n % 40}", f"人员{n}", "科员", "其他", ""] for n in range(1050)]
    done = talkledger("roster", "import", str(write_csv(tmp_path / "big.csv", rows)), cwd=tmp_path)
    assert done.code == 0, done.err
    progress = [line for line in done.err.splitlines() if "/1050" in line]
    assert progress == [text("zh-CN", "cli.progress", done=n, total=1050) for n in (500, 1000)]
    assert "1050" in done.out
