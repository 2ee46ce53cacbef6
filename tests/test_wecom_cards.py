"""Button cards and text splitting for WeCom: pure parts, property-tested."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.wecom.cards import (
    KEY_BYTES,
    LABEL_CHARS,
    MAX_BUTTONS,
    TASK_ID,
    card_text,
    new_task_id,
    page_of,
    paginate,
    pressed_card,
    render_card,
)
from handlers.wecom.split import TEXT_LIMIT, split_text

labels = st.text(min_size=0, max_size=30)
ids = st.text(min_size=1, max_size=40).filter(lambda key: not key.startswith("@tl-page:"))
choice_lists = st.lists(st.tuples(labels, ids), min_size=1, max_size=40, unique_by=lambda choice: choice[1])


@settings(max_examples=200)
@given(choices=choice_lists)
def test_every_choice_on_exactly_one_page_within_limits(choices: list[tuple[str, str]]) -> None:
    task_id = new_task_id()
    pages = paginate(choices)
    seen: list[str] = []
    page = 0
    visited = set()
    while True:  # walk the pages as a member would, by the › button
        visited.add(page)
        card = render_card("Choose\nfrom these", choices, task_id, page)
        buttons = card["button_list"]
        assert 1 <= len(buttons) <= MAX_BUTTONS
        assert TASK_ID.fullmatch(card["task_id"])
        keys = [button["key"] for button in buttons]
        assert len(set(keys)) == len(keys)
        assert all(
            len(key.encode()) <= KEY_BYTES and len(button["text"]) <= LABEL_CHARS
            for key, button in zip(keys, buttons, strict=True)
        )
        seen += [key for key in keys if page_of(key) is None]
        forward = [page_of(key) for key in keys if page_of(key) is not None and page_of(key) == page + 1]
        if not forward:
            break
        page = forward[0] or 0
    assert sorted(seen) == sorted(choice_id for _, choice_id in choices)
    assert len(visited) == len(pages)


def test_small_sets_have_no_navigation_and_pages_go_back() -> None:
    choices = [(f"Person {n}", f"id{n}") for n in range(13)]
    assert [len(page) for page in paginate(choices[:6])] == [6]
    assert [len(page) for page in paginate(choices)] == [5, 4, 4]
    middle = render_card("Who?", choices, "t-1", 1)["button_list"]
    assert [page_of(button["key"]) for button in middle] == [0, None, None, None, None, 2]
    assert render_card("Who?", choices, "t-1", 1)["main_title"]["desc"] == "2/3"


def test_long_text_goes_before_the_card_and_long_labels_stay_distinct() -> None:
    long = "第一行\n" + "很长的说明" * 40
    assert card_text(long).preface == long
    assert card_text("标题\n说明").preface == ""
    buttons = render_card("?", [("县纪委监委第一监督检查室", "a"), ("县纪委监委第一监督检查室副主任", "b")], "t")[
        "button_list"
    ]
    assert len({button["text"] for button in buttons}) == 2


def test_pressed_card_is_greyed_and_bad_ids_are_refused() -> None:
    card = render_card("Kind?", [("Talk", "k:talk")], "t-2")
    assert pressed_card(card, "Talk")["replace_text"] == "Talk"
    with pytest.raises(ValueError):
        render_card("?", [("x", "@tl-page:1")], "t")
    with pytest.raises(ValueError):
        render_card("?", [("x", "y" * (KEY_BYTES + 1))], "t")
    with pytest.raises(ValueError):
        render_card("?", [("x", "y")], "bad id!")
    with pytest.raises(ValueError):
        render_card("?", [], "t")


@settings(max_examples=300)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=9000), st.integers(min_value=4, max_value=TEXT_LIMIT))
def test_split_never_exceeds_the_limit_nor_cuts_a_character(text: str, limit: int) -> None:
    pieces = split_text(text, limit)
    assert "".join(pieces) == text
    assert all(0 < len(piece.encode()) <= limit for piece in pieces)


def test_split_prefers_line_ends() -> None:
    lines = [f"第{n}行:" + "字" * 100 for n in range(40)]
    pieces = split_text("\n".join(lines))
    assert len(pieces) > 1
    assert all(piece.endswith("\n") for piece in pieces[:-1])
