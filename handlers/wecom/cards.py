"""Button choices as WeCom template cards of the button_interaction kind (模板卡片消息, 按钮交互型).

A card holds at most 6 buttons. More choices go on pages: the first holds 5 and ›, the middle ones ‹, 4 and ›,
the last ‹ and the rest. A ‹ or › key names the page it leads to (`page_of(key)`), so a press is answered by
rendering that page into the same card with update_template_card. Pure functions: no I/O here.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

MAX_BUTTONS = 6
LABEL_CHARS = 10  # WeCom shows about this many characters of a button's text
KEY_BYTES = 1024
TASK_ID_BYTES = 128
TITLE_CHARS = 36  # main_title.title
SUB_TITLE_CHARS = 160  # sub_title_text
TASK_ID = re.compile(r"[0-9A-Za-z_\-@]{1,128}")
NAV_PREFIX = "@tl-page:"  # choice ids come from the core and never start with it (checked)
PREVIOUS, NEXT = "‹", "›"

Choice = tuple[str, str]  # (label, opaque id)


@dataclass(frozen=True)
class CardText:
    title: str
    sub_title: str
    preface: str  # what does not fit on a card: sent as a text message before it ("" when all fits)


def new_task_id(prefix: str = "tl") -> str:
    task_id = f"{prefix}-{uuid.uuid4().hex}"
    if not TASK_ID.fullmatch(task_id):
        raise ValueError("task_id prefix may hold only letters, digits and _-@")
    return task_id


def choices_from_rows(rows: Sequence[Sequence[Choice]]) -> list[Choice]:
    """A keyboard's rows in reading order: a card has one list of buttons, no rows."""
    return [choice for row in rows for choice in row]


def nav_key(page: int) -> str:
    return f"{NAV_PREFIX}{page}"


def page_of(key: str) -> int | None:
    """The page a ‹ or › button leads to; None for a choice."""
    if not key.startswith(NAV_PREFIX):
        return None
    number = key[len(NAV_PREFIX) :]
    return int(number) if number.isdigit() else None


def paginate(choices: Sequence[Choice]) -> list[list[Choice]]:
    """The choices split into pages that leave room for ‹ and › where they are needed."""
    if len(choices) <= MAX_BUTTONS:
        return [list(choices)]
    pages = [list(choices[: MAX_BUTTONS - 1])]
    rest = list(choices[MAX_BUTTONS - 1 :])
    while len(rest) > MAX_BUTTONS - 1:
        pages.append(rest[: MAX_BUTTONS - 2])
        rest = rest[MAX_BUTTONS - 2 :]
    pages.append(rest)
    return pages


def short_label(label: str) -> str:
    label = " ".join(label.split())
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def card_text(text: str) -> CardText:
    """The first line as the title and the rest as the sub-title when they fit; otherwise a short title and
    the whole text as a preface, so nothing of it is cut."""
    first, _, rest = text.strip().partition("\n")
    rest = rest.strip()
    first = first or "·"  # WeCom wants a title or a sub-title
    if len(first) <= TITLE_CHARS and len(rest) <= SUB_TITLE_CHARS:
        return CardText(first, rest, "")
    return CardText(short_label(first) if len(first) > TITLE_CHARS else first, "", text)


def _buttons(page: Sequence[Choice]) -> list[dict[str, Any]]:
    labels = [short_label(label) for label, _ in page]
    if len(set(labels)) < len(labels):  # cut labels that collide: numbered so each stays distinct
        labels = [short_label(f"{n}. {label}") for n, (label, _) in enumerate(page, 1)]
    buttons = []
    for label, (_, key) in zip(labels, page, strict=True):
        if key.startswith(NAV_PREFIX) or not key or len(key.encode()) > KEY_BYTES:
            raise ValueError(f"a choice id must be 1..{KEY_BYTES} bytes and not start with {NAV_PREFIX!r}")
        buttons.append({"text": label or "·", "style": 1, "key": key})
    return buttons


def render_card(text: str, choices: Sequence[Choice], task_id: str, page: int = 0) -> dict[str, Any]:
    """The template_card for `page` of `choices` under `text` (use card_text(text).preface first if set)."""
    if not TASK_ID.fullmatch(task_id):
        raise ValueError("task_id: 1..128 of letters, digits and _-@")
    if not choices:
        raise ValueError("a button card needs at least one choice")
    pages = paginate(choices)
    page = min(max(page, 0), len(pages) - 1)
    buttons = _buttons(pages[page])
    if page > 0:
        buttons.insert(0, {"text": PREVIOUS, "style": 2, "key": nav_key(page - 1)})
    if page < len(pages) - 1:
        buttons.append({"text": NEXT, "style": 2, "key": nav_key(page + 1)})
    parts = card_text(text)
    card: dict[str, Any] = {
        "card_type": "button_interaction",
        "main_title": {"title": parts.title},
        "task_id": task_id,
        "button_list": buttons,
    }
    if parts.sub_title:
        card["sub_title_text"] = parts.sub_title
    if len(pages) > 1:
        card["main_title"]["desc"] = f"{page + 1}/{len(pages)}"
    return card


def pressed_card(card: dict[str, Any], replace_text: str) -> dict[str, Any]:
    """The same card, its buttons shown as one grey, unpressable one saying `replace_text`."""
    return {**card, "replace_text": short_label(replace_text)}
