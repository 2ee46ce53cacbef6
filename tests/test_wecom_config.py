"""The [wecom] table and its TALKLEDGER_WECOM_* overrides."""

from __future__ import annotations

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
