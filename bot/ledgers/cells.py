"""Spreadsheet cells that Excel and LibreOffice show as text and never evaluate (the OWASP advice on CSV
injection): a text that starts with =, +, -, @, a tab or a carriage return is written with a leading apostrophe,
and reading a file takes that apostrophe off again, so a round trip keeps the text exactly.

Texts that already start with apostrophes before such a character get one more on writing and lose one on
reading; any other text, apostrophe or not, is written and read as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

ESCAPE = "'"
_ACTIVE = re.compile(r"^'*[=+\-@\t\r]")  # what a spreadsheet may read as a formula, after any escapes already there


def inert(value: object) -> object:
    """The value to write into a cell: a text that could start a formula gets an apostrophe in front."""
    if isinstance(value, str) and _ACTIVE.match(value):
        return ESCAPE + value
    return value


def inert_row(values: Iterable[object]) -> list[object]:
    return [inert(value) for value in values]


def restored(text: str) -> str:
    """The text a cell held before `inert`: the inverse on everything `inert` writes."""
    if text.startswith(ESCAPE) and _ACTIVE.match(text):
        return text[1:]
    return text
