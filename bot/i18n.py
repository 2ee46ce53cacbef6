"""The language catalogs (bot/locales/<language>.toml): every user-facing text, by key.

A word that depends on a number is written `{days|day|days}`: the first form when `days` is 1, else the second
(English; Chinese needs no plural forms). The number itself is a placeholder of its own: "{days} {days|day|days}".
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from bot.config import LANGUAGES

LOCALES = Path(__file__).parent / "locales"
PLURAL = re.compile(r"\{(\w+)\|([^{}|]*)\|([^{}|]*)\}")  # {days|day|days}


@cache
def catalog(language: str) -> dict[str, str]:
    """The flat key → text mapping of one language."""
    with (LOCALES / f"{language}.toml").open("rb") as stream:
        return dict(_flatten(tomllib.load(stream)))


def _flatten(table: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    for key, value in table.items():
        if isinstance(value, dict):
            items.extend(_flatten(value, f"{prefix}{key}."))
        else:
            items.append((prefix + key, str(value)))
    return items


def text(language: str, key: str, /, **params: object) -> str:
    """The text for `key` in `language` (zh-CN when the language is unknown), filled in with `params`."""
    chosen = language if language in LANGUAGES else LANGUAGES[0]
    return inflect(catalog(chosen)[key], params).format(**params)


def display_name(language: str, name: str) -> str:
    """A stored kind or rank level as `language` shows it: its [names] entry, else the name as configured."""
    chosen = language if language in LANGUAGES else LANGUAGES[0]
    return catalog(chosen).get(f"names.{name}", name)


def stored_names(names: tuple[str, ...]) -> dict[str, str]:
    """Any language's display name of a configured kind or rank level (and the name itself) → the name stored."""
    return {display_name(language, name): name for language in LANGUAGES for name in names} | {n: n for n in names}


def inflect(template: str, params: dict[str, object]) -> str:
    """The template with each `{n|one|other}` replaced by the form the number `n` takes."""
    return PLURAL.sub(lambda found: found[2] if str(params.get(found[1])) == "1" else found[3], template)


def language_of(code: str | None, default: str) -> str:
    """A messenger's language code (en-GB, zh-hans, …) → one of ours."""
    if not code:
        return default
    if code.lower().startswith("zh"):
        return "zh-CN"
    if code.lower().startswith("en"):
        return "en"
    return default
