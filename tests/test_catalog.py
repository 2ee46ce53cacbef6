"""The language catalogs: the same keys and placeholders in every language; every command described."""

from __future__ import annotations

import string

from bot.config import LANGUAGES
from bot.i18n import catalog, language_of, text
from bot.roster.access import Capability, Role


def placeholders(template: str) -> set[str]:
    """The parameters a template uses, a plural form's ({days|day|days}) included."""
    return {name.split("|")[0] for _, name, _, _ in string.Formatter().parse(template) if name}


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


def test_english_words_agree_with_their_numbers() -> None:
    assert text("en", "log.button.months", count=1) == "1 month"
    assert text("en", "log.button.months", count=3) == "3 months"
    assert text("en", "roster_file.rejected", count=1) == "The roster has 1 error; nothing was imported:"
    assert text("en", "roster_file.rejected", count=2) == "The roster has 2 errors; nothing was imported:"
    one = text("en", "stats.sentence", talks=1, kinds="x", person_times=2, ranks="y")
    assert one.startswith("1 talk in all, of which x; 2 person-times in all")
    assert text("zh-CN", "log.button.months", count=1) == "1个月"


def test_messenger_language_codes_map_to_ours() -> None:
    assert language_of("en-GB", "zh-CN") == "en"
    assert language_of("zh-hans", "en") == "zh-CN"
    assert language_of("de", "zh-CN") == "zh-CN"
    assert language_of(None, "en") == "en"
