"""A button's label typed instead of pressed: the same words, whatever the emoji, spaces or case around them
("报告进展" is "📝 报告进展")."""

from __future__ import annotations

import unicodedata


def bare(label: str) -> str:
    """The letters and digits of a label, case folded: what a person can type of it."""
    return "".join(c for c in unicodedata.normalize("NFKC", label) if unicodedata.category(c)[0] in "LN").casefold()


def same_label(label: str, typed: str) -> bool:
    """Whether `typed` is this label as a person would type it (a label of emoji alone is never typed)."""
    wanted = bare(label)
    return bool(wanted) and bare(typed) == wanted
