"""Operations: backups while the bot may be running, and log lines machines can read that never show the token."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from pathlib import Path

import pytest

from bot.config import Config
from bot.logs import JsonLines, Redacting
from handlers.telegram.sandbox import SANDBOX_TOKEN, seed_demo
from tests.test_roster import cli


def test_db_backup_copies_a_sqlite_database_and_explains_postgresql(
    tmp_path: Path, config: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(seed_demo(config))
    config_path = tmp_path / "config.toml"
    config_path.write_text(f'[database]\nurl = "{config.database_url}"\n', encoding="utf-8")
    copy = tmp_path / "backup.db"
    assert cli(config_path, "db", "backup", str(copy)) == 0
    said = capsys.readouterr().out
    if config.database_url.startswith("sqlite"):
        with sqlite3.connect(copy) as backup:
            names = {row[0] for row in backup.execute("SELECT name FROM people")}
        assert {"张建平", "李华", "赵敏"} <= names
        assert str(copy) in said
        assert cli(config_path, "db", "backup", str(copy)) == 1  # never overwrites
    else:
        assert "pg_dump" in said and not copy.exists()
        assert "postgres" in said


def record(message: str, *args: object, error: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(error), error, error.__traceback__) if error else None
    return logging.LogRecord("talkledger", logging.ERROR, __file__, 1, message, args, exc_info)


def test_json_logs_are_one_object_a_line_with_the_traceback_and_no_token() -> None:
    try:
        raise RuntimeError(f"calling https://api.telegram.org/bot{SANDBOX_TOKEN}/sendMessage failed")
    except RuntimeError as error:
        failure = error
    line = JsonLines((SANDBOX_TOKEN,)).format(record("update %s failed: %s", 42, '{"text": "你好"}', error=failure))
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR" and entry["message"] == 'update 42 failed: {"text": "你好"}'
    assert "RuntimeError" in entry["traceback"] and "<redacted>" in entry["traceback"]
    assert SANDBOX_TOKEN not in line and SANDBOX_TOKEN.split(":")[1] not in line


def test_text_logs_hide_the_token_too() -> None:
    line = Redacting((SANDBOX_TOKEN,), "%(message)s").format(record("GET /bot%s/getMe", SANDBOX_TOKEN))
    assert line == "GET /bot<redacted>/getMe"
