"""The [wecom] table and its TALKLEDGER_WECOM_* overrides."""

from __future__ import annotations

import pytest

from handlers.wecom.config import DEFAULT_API_BASE_URL, WeComConfig, WeComConfigError, load_wecom_config
from tests.wecom_world import AES_KEY

TABLE = {"corp_id": "ww1", "agent_id": "1000002", "secret": "from-file", "token": "t", "encoding_aes_key": AES_KEY}


def test_table_with_defaults_and_secrets_from_the_environment() -> None:
    config = load_wecom_config(TABLE, {"TALKLEDGER_WECOM_SECRET": "from-env"})
    assert config == WeComConfig("ww1", 1000002, "from-env", "t", AES_KEY, DEFAULT_API_BASE_URL, "/wecom/callback")
    private = load_wecom_config({**TABLE, "api_base_url": "https://wx.gov.example/", "callback_path": "wx"}, {})
    assert (private.api_base_url, private.callback_path) == ("https://wx.gov.example", "/wx")


@pytest.mark.parametrize(
    "table",
    [
        {key: value for key, value in TABLE.items() if key != "secret"},
        {**TABLE, "agent_id": "app"},
        {**TABLE, "encoding_aes_key": AES_KEY[:-1]},
        {**TABLE, "corpid": "typo"},
    ],
)
def test_mistakes_are_named(table: dict[str, str]) -> None:
    with pytest.raises(WeComConfigError):
        load_wecom_config(table, {})
