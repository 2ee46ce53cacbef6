"""The language catalogs: the same keys and placeholders in every language; every command described."""

from __future__ import annotations

import string

from bot.access import Capability, Role
from bot.config import LANGUAGES
from bot.i18n import catalog, language_of, text


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_language_has_the_same_keys_and_placeholders() -> None:
    reference = catalog(LANGUAGES[0])
    for language in LANGUAGES[1:]:
        other = catalog(language)
        assert set(other) == set(reference), language
        for key, template in reference.items():
            assert placeholders(other[key]) == placeholders(template), key


def test_every_command_and_role_has_a_text() -> None:
    for language in LANGUAGES:
        for capability in Capability:
            assert text(language, f"command.{capability.value}")
        for role in Role:
            assert text(language, f"role.{role.value}")


def test_messenger_language_codes_map_to_ours() -> None:
    assert language_of("en-GB", "zh-CN") == "en"
    assert language_of("zh-hans", "en") == "zh-CN"
    assert language_of("de", "zh-CN") == "zh-CN"
    assert language_of(None, "en") == "en"
