"""A reply longer than one Telegram message, as several: cut at line ends, a line too long for one message cut
where it must. Telegram counts a message's length in UTF-16 code units (an emoji outside the BMP is two)."""

from __future__ import annotations

from collections.abc import Iterator

MESSAGE_LIMIT = 4096


def units(body: str) -> int:
    """The length Telegram counts: UTF-16 code units."""
    return len(body.encode("utf-16-le")) // 2


def split_message(body: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """`body` in parts of at most `limit` units each, in order. A part ends at a line end where it can (that
    newline is dropped: each part is its own message); a line longer than `limit` is cut inside. Nothing else
    is dropped."""
    if units(body) <= limit:
        return [body]
    parts: list[str] = []
    current: str | None = None
    size = 0
    for line in body.split("\n"):
        for piece in _pieces(line, limit):
            piece_size = units(piece)
            if current is not None and size + 1 + piece_size <= limit:
                current, size = f"{current}\n{piece}", size + 1 + piece_size
                continue
            if current is not None:
                parts.append(current)
            current, size = piece, piece_size
    if current is not None:
        parts.append(current)
    return parts


def _pieces(line: str, limit: int) -> Iterator[str]:
    """The line whole if it fits, else cut into pieces of at most `limit` units (never inside a character)."""
    if units(line) <= limit:
        yield line
        return
    start = size = 0
    for at, character in enumerate(line):
        width = 2 if ord(character) > 0xFFFF else 1
        if size + width > limit:
            yield line[start:at]
            start, size = at, 0
        size += width
    yield line[start:]


def message_parts(body: str) -> list[str]:
    """The messages `body` goes out as: its parts, less any of blanks alone (Telegram refuses an empty message; a
    run of empty lines at a cut is all they can hold)."""
    parts = split_message(body)
    return ([part for part in parts if part.strip()] or parts[:1]) if len(parts) > 1 else parts
