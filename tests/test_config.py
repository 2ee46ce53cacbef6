"""config.toml validation and environment overrides."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.config import DEFAULT_RANK_LEVELS, DEFAULT_TALK_KINDS, ConfigError, load_config
from handlers.main import main

TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ_abc-def"


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_no_file_means_the_documented_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path / "absent.toml", environ={})
    assert config.organisation.time_zone == "Asia/Shanghai"
    assert config.organisation.default_language == "zh-CN"
    assert config.organisation.talk_kinds == DEFAULT_TALK_KINDS
    assert config.organisation.talk_kinds[:3] == ("工作约谈", "提醒约谈", "告诫约谈")
    assert config.organisation.rank_levels == DEFAULT_RANK_LEVELS
    assert config.telegram.token == "" and config.invite_valid_days == 7
    assert config.database_url.startswith("sqlite+aiosqlite://")
    assert config.throttle.stranger_refusal_minutes == 10 and config.throttle.invite_failures == 5
    assert config.throttle.invite_failure_window_minutes == 60
    assert config.webhook.max_depth == 32 and config.webhook.header_timeout_seconds == 10.0
    assert config.webhook.read_timeout_seconds == 10.0


def test_the_example_config_is_valid(tmp_path: Path) -> None:
    example = Path(__file__).parent.parent / "config.example.toml"
    config = load_config(example, environ={})
    assert config.organisation.rank_levels == DEFAULT_RANK_LEVELS
    assert (
        config.organisation.rank_synonyms
        == load_config(tmp_path / "absent.toml", environ={}).organisation.rank_synonyms
    )


def test_rank_and_kind_synonyms_are_configured_words_for_configured_names(tmp_path: Path) -> None:
    config = load_config(tmp_path / "absent.toml", environ={})
    assert ("处级", "县处级") in config.organisation.rank_synonyms
    assert ("提醒", "提醒约谈") in config.organisation.kind_synonyms
    own = load_config(
        write(
            tmp_path, '[organisation]\nrank_levels = ["正处", "其他"]\n[organisation.rank_synonyms]\n"处级" = "正处"\n'
        ),
        environ={},
    )
    assert own.organisation.rank_synonyms == (("处级", "正处"),)
    defaults_dropped = load_config(write(tmp_path, '[organisation]\nrank_levels = ["正处", "其他"]\n'), environ={})
    assert ("处级", "县处级") not in defaults_dropped.organisation.rank_synonyms


def test_the_organisations_own_days_off_and_make_up_working_days(tmp_path: Path) -> None:
    body = '[reminders]\nworking_days_only = true\nworkdays = [2027-02-20]\nholidays = ["2027-02-11"]\n'
    calendar = load_config(write(tmp_path, body), environ={}).reminders.calendar
    assert calendar.workdays == {date(2027, 2, 20)} and calendar.holidays == {date(2027, 2, 11)}


def test_environment_overrides_secrets_and_database(tmp_path: Path) -> None:
    path = write(tmp_path, '[telegram]\napi_base_url = "http://127.0.0.1:8081"\n')
    config = load_config(
        path,
        environ={
            "TALKLEDGER_TOKEN": TOKEN,
            "TALKLEDGER_DATABASE_URL": "postgresql+asyncpg://bot@db/talkledger",
        },
    )
    assert config.telegram.token == TOKEN
    assert config.database_url == "postgresql+asyncpg://bot@db/talkledger"
    assert config.telegram.bot_api_url == "http://127.0.0.1:8081/bot"
    assert config.telegram.file_api_url == "http://127.0.0.1:8081/file/bot"


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ('[organisation]\ntime_zone = "Mars/Olympus"\n', "organisation.time_zone"),
        ('[organisation]\ndefault_language = "fr"\n', "organisation.default_language"),
        ("[organisation]\ntalk_kinds = []\n", "organisation.talk_kinds"),
        ('[organisation]\nrank_levels = ["县处级", "县处级"]\n', "organisation.rank_levels"),
        ('[telegram]\ntoken = "not a token"\n', "telegram.token"),
        ('[telegram]\napi_base_url = "ftp://x"\n', "telegram.api_base_url"),
        ('[database]\nurl = "mysql://x"\n', "database.url"),
        ("[enrollment]\ninvite_valid_days = 0\n", "enrollment.invite_valid_days"),
        ('[enrollment]\ninvite_valid_days = "7"\n', "enrollment.invite_valid_days"),
        ("[organisation]\nname = 5\n", "organisation.name"),
        ("[colour]\nx = 1\n", "colour"),
        ("[throttle]\nstranger_refusal_minutes = -1\n", "throttle.stranger_refusal_minutes"),
        ("[throttle]\ninvite_failures = 0\n", "throttle.invite_failures"),
        ('[throttle]\ninvite_failure_window_minutes = "1h"\n', "throttle.invite_failure_window_minutes"),
        ("[webhook]\nmax_depth = 2\n", "webhook.max_depth"),
        ("[webhook]\nheader_timeout_seconds = 0\n", "webhook.header_timeout_seconds"),
        ("[webhook]\nread_timeout_seconds = true\n", "webhook.read_timeout_seconds"),
        ("[inbox]\nkeep_hours = 0\n", "inbox.keep_hours"),
        ("[inbox]\nmax_attempts = 0\n", "inbox.max_attempts"),
        ("organisation = 3\n", "organisation"),
        ('[organisation.rank_synonyms]\n"处级" = "正处级"\n', "organisation.rank_synonyms"),
        ('[organisation.kind_synonyms]\n"提醒" = 3\n', "organisation.kind_synonyms"),
        ('[reminders]\nworkdays = ["2027-02-30"]\n', "reminders.workdays"),
        ('[reminders]\nholidays = "2027-02-11"\n', "reminders.holidays"),
    ],
)
def test_a_bad_value_names_the_key_and_what_was_expected(tmp_path: Path, body: str, key: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(write(tmp_path, body), environ={})
    assert raised.value.key == key
    assert "expected" in str(raised.value)


def test_the_token_is_never_echoed_in_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(write(tmp_path, '[telegram]\ntoken = "secret-but-wrong"\n'), environ={})
    assert "secret-but-wrong" not in str(raised.value)


def test_the_cli_reports_a_bad_config_without_a_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "[organisation]\ntime_zone = 'Nowhere/City'\n")
    assert main(["--config", str(path), "db", "status"]) == 2
    error = capsys.readouterr().err
    assert "organisation.time_zone" in error and "Asia/Shanghai" in error
    assert "Traceback" not in error


def test_broken_toml_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "[organisation\n")
    assert main(["--config", str(path), "db", "status"]) == 2
    assert "TOML" in capsys.readouterr().err


def test_run_without_a_token_says_how_to_get_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TALKLEDGER_TOKEN", raising=False)
    assert main(["--config", str(tmp_path / "none.toml"), "run"]) == 1
    error = capsys.readouterr().err
    assert "@BotFather" in error and "talkledger try" in error
