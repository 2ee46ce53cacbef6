"""Migrations and the refusal to start on a schema older than the code, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from handlers.main import main
from storage.db import head_revision, open_engine, schema_state, upgrade

TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ_abc-def"


async def make_old_database(db_url: str) -> None:
    """A database made by the first release (revision 0001), with a person in it."""
    engine = open_engine(db_url)
    try:
        await upgrade(engine, "0001")
        now = datetime(2025, 1, 2, tzinfo=UTC)
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO units (id, name, path) VALUES (1, '兰州市', '兰州市')"))
            await connection.execute(
                text(
                    "INSERT INTO people (id, name, position, rank_level, unit_id, active, created_at, updated_at) "
                    "VALUES (1, '张建平', '市纪委书记', '地厅级', 1, true, :now, :now)"
                ),
                {"now": now},
            )
    finally:
        await engine.dispose()


def test_an_old_schema_is_refused_until_upgraded_and_data_survives(
    tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(make_old_database(db_url))
    config = tmp_path / "config.toml"
    config.write_text(
        f'[telegram]\ntoken = "{TOKEN}"\napi_base_url = "http://127.0.0.1:9"\n[database]\nurl = "{db_url}"\n'
    )

    assert main(["--config", str(config), "run"]) == 3
    error = capsys.readouterr().err
    assert "talkledger db upgrade" in error and "0001" in error and head_revision() in error
    assert "Traceback" not in error
    assert main(["--config", str(config), "roster", "export", str(tmp_path / "out.csv")]) == 3
    assert main(["--config", str(config), "db", "status"]) == 3
    capsys.readouterr()

    assert main(["--config", str(config), "db", "upgrade"]) == 0
    assert head_revision() in capsys.readouterr().out
    assert main(["--config", str(config), "db", "status"]) == 0
    assert main(["--config", str(config), "roster", "export", str(tmp_path / "out.csv")]) == 0
    assert "张建平" in (tmp_path / "out.csv").read_text(encoding="utf-8-sig")


async def test_upgrading_twice_is_harmless_and_reaches_head(db_url: str) -> None:
    engine = open_engine(db_url)
    try:
        state = await schema_state(engine)
        assert state.empty and state.current is None
        await upgrade(engine)
        await upgrade(engine)
        state = await schema_state(engine)
        assert state.up_to_date and state.current == head_revision()
    finally:
        await engine.dispose()


def test_an_unreachable_database_is_reported_plainly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[database]\nurl = "postgresql+asyncpg://nobody@127.0.0.1:9/none"\n')
    assert main(["--config", str(config), "db", "status"]) == 4
    error = capsys.readouterr().err
    assert "无法连接数据库" in error and "Traceback" not in error


def test_the_head_read_from_file_names_is_alembics_head() -> None:
    from alembic.script import ScriptDirectory

    from storage.db import _alembic_config

    assert head_revision() == ScriptDirectory.from_config(_alembic_config()).get_current_head()
