"""WeCom cuts a text message at 2,048 bytes: longer texts are sent as several, cut on lines, then characters."""

from __future__ import annotations

TEXT_LIMIT = 2048


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Pieces of at most `limit` UTF-8 bytes that join back to `text`: whole lines where a line fits, else whole
    characters (a multi-byte character is never cut)."""
    if limit < 4:
        raise ValueError("limit must hold any one character (4 bytes)")
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.splitlines(keepends=True):
        length = len(line.encode())
        if size + length <= limit:
            current.append(line)
            size += length
            continue
        if current:
            pieces.append("".join(current))
            current, size = [], 0
        if length <= limit:
            current, size = [line], length
            continue
        for char in line:  # a line longer than a message: by characters
            width = len(char.encode())
            if size + width > limit:
                pieces.append("".join(current))
                current, size = [], 0
            current.append(char)
            size += width
    if current:
        pieces.append("".join(current))
    return pieces
