"""The [wecom] table and its TALKLEDGER_WECOM_* overrides."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import ConfigError, WeComConfig, load_config, wecom_config
from tests.wecom_world import AES_KEY

TABLE = {"corp_id": "ww1", "agent_id": "1000002", "secret": "from-file", "token": "t", "encoding_aes_key": AES_KEY}


def test_table_with_defaults_and_secrets_from_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f'[wecom]\ncorp_id = "ww1"\nagent_id = 1000002\ntoken = "t"\nencoding_aes_key = "{AES_KEY}"\n')
    config = load_config(path, {"TALKLEDGER_WECOM_SECRET": "from-env"})
    assert config.wecom == WeComConfig("ww1", 1000002, "from-env", "t", AES_KEY)
    assert load_config(tmp_path / "absent.toml", {}).wecom is None  # no [wecom]: Telegram only
    private = wecom_config({**TABLE, "api_base_url": "https://wx.gov.example/", "callback_path": "wx"})
    assert (private.api_base_url, private.callback_path) == ("https://wx.gov.example", "/wx")


@pytest.mark.parametrize(
    "table",
    [
        {key: value for key, value in TABLE.items() if key != "secret"},
        {**TABLE, "agent_id": "app"},
        {**TABLE, "encoding_aes_key": AES_KEY[:-1]},
        {**TABLE, "corpid": "typo"},
        {**TABLE, "port": 0},
    ],
)
def test_mistakes_are_named(table: dict[str, str]) -> None:
    with pytest.raises(ConfigError):
        wecom_config(table)


def test_the_example_configs_wecom_table_uncommented_is_valid_with_the_secrets_from_the_environment(
    tmp_path: Path,
) -> None:
    """config.example.toml's [wecom] is commented out (copying the example must not start WeCom); uncommented as
    the README says, with the secrets in the environment, it is a valid app whose other values are the defaults."""
    example = Path(__file__).parent.parent / "config.example.toml"
    assert load_config(example, environ={}).wecom is None
    table = re.search(r"^# \[wecom\]\n(?:#.*\n)+", example.read_text(encoding="utf-8"), re.MULTILINE)
    assert table is not None
    path = tmp_path / "config.toml"
    path.write_text(re.sub(r"^# ", "", table.group(), flags=re.MULTILINE), encoding="utf-8")
    secrets = {"SECRET": "s3cret", "TOKEN": "tok", "ENCODING_AES_KEY": AES_KEY}
    config = load_config(path, environ={f"TALKLEDGER_WECOM_{key}": value for key, value in secrets.items()})
    assert config.wecom == WeComConfig("ww0123456789abcdef", 1000002, "s3cret", "tok", AES_KEY)
