"""The `[wecom]` table: one self-built app (自建应用) in one corp, on WeCom or a private host (政务微信)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

DEFAULT_API_BASE_URL = "https://qyapi.weixin.qq.com"
# Secrets may stay out of config.toml: TALKLEDGER_WECOM_SECRET etc. win over the table.
SECRET_FIELDS = ("corp_id", "agent_id", "secret", "token", "encoding_aes_key", "api_base_url")


class WeComConfigError(ValueError):
    pass


@dataclass(frozen=True)
class WeComConfig:
    corp_id: str
    agent_id: int
    secret: str
    token: str
    encoding_aes_key: str
    api_base_url: str = DEFAULT_API_BASE_URL
    callback_path: str = "/wecom/callback"


def load_wecom_config(table: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> WeComConfig:
    """A WeComConfig from the `[wecom]` table, with TALKLEDGER_WECOM_<FIELD> overriding it."""
    environ = os.environ if environ is None else environ
    known = {field.name for field in fields(WeComConfig)}
    unknown = set(table) - known
    if unknown:
        raise WeComConfigError(f"[wecom]: unknown keys {sorted(unknown)}")
    values: dict[str, Any] = dict(table)
    for name in SECRET_FIELDS:
        override = environ.get(f"TALKLEDGER_WECOM_{name.upper()}")
        if override:
            values[name] = override
    missing = [name for name in ("corp_id", "agent_id", "secret", "token", "encoding_aes_key") if not values.get(name)]
    if missing:
        raise WeComConfigError(f"[wecom]: missing {', '.join(missing)}")
    try:
        values["agent_id"] = int(values["agent_id"])
    except (TypeError, ValueError) as error:
        raise WeComConfigError("[wecom]: agent_id must be a number") from error
    if len(str(values["encoding_aes_key"])) != 43:
        raise WeComConfigError("[wecom]: encoding_aes_key must be 43 characters")
    values["api_base_url"] = str(values.get("api_base_url") or DEFAULT_API_BASE_URL).rstrip("/")
    path = str(values.get("callback_path") or "/wecom/callback")
    values["callback_path"] = path if path.startswith("/") else "/" + path
    return WeComConfig(**{key: values[key] for key in known if key in values})
