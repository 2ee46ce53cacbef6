"""The chart PNGs (bot/ledgers/chart.py) and the font the package ships for their Chinese labels."""

from __future__ import annotations

import struct
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.config import DEFAULT_RANK_LEVELS, DEFAULT_TALK_KINDS
from bot.i18n import catalog, display_name, text
from bot.ledgers.chart import FONT_FILE, _scale, glyphs_missing, month_kind_chart, rank_chart

ROOT = Path(__file__).resolve().parent.parent
CHART_KEYS = ("stats.chart_title", "stats.chart_axis", "stats.rank_chart_title", "stats.rank_chart_axis")


def size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def months(count: int) -> dict[str, dict[str, int]]:
    """`count` months from January 2024, every third one without talks."""
    return {
        f"{2024 + index // 12}-{index % 12 + 1:02d}": {} if index % 3 == 0 else {DEFAULT_TALK_KINDS[index % 5]: index}
        for index in range(count)
    }


@pytest.mark.parametrize("count", [1, 3, 12, 33, 240])
def test_a_month_chart_fits_a_phone_whatever_the_period(count: int) -> None:
    png = month_kind_chart(months(count), DEFAULT_TALK_KINDS, text("zh-CN", "stats.chart_title", start=1, end=2), "次")
    width, height = size(png)
    assert 600 <= width <= 1280
    assert height >= width or count <= 12  # two years or more are portrait: a row a month, read by scrolling
    assert height <= 8000  # twenty years do not make an image a phone refuses


def test_a_rank_chart_fits_a_phone() -> None:
    width, _ = size(rank_chart([(rank, 3) for rank in DEFAULT_RANK_LEVELS], "约谈人次", "人次"))
    assert 600 <= width <= 1280


def test_every_chinese_label_a_chart_can_show_is_in_the_shipped_font() -> None:
    labels = [text("zh-CN", key, start="2025-01-01", end="2025-12-31") for key in CHART_KEYS]
    labels += [*DEFAULT_TALK_KINDS, *DEFAULT_RANK_LEVELS, *catalog("zh-CN")["ledger_sheet.month_header"]]
    labels += ["兰州市城关区纪委监委", "榆中县", "皋兰县", "永登县", "红古区", "七里河区", "安宁区"]  # unit names
    assert glyphs_missing(labels) == set()


def test_a_character_outside_the_font_is_reported_not_drawn_as_a_box_silently() -> None:
    assert glyphs_missing(["工作约谈", "𠀀"]) == {"𠀀"}


def test_the_font_and_its_licence_are_package_data() -> None:
    with (ROOT / "pyproject.toml").open("rb") as stream:
        data = tomllib.load(stream)["tool"]["setuptools"]["package-data"]["bot"]
    package = ROOT / "bot"
    shipped = {path for pattern in data for path in package.glob(pattern)}
    assert FONT_FILE in shipped and FONT_FILE.parent / "OFL.txt" in shipped
    assert "SIL OPEN FONT LICENSE" in (FONT_FILE.parent / "OFL.txt").read_text(encoding="utf-8")
    assert FONT_FILE.stat().st_size < 5_000_000  # a subset, not the 20 MB font


def test_english_charts_name_kinds_and_ranks_in_english() -> None:
    for name in (*DEFAULT_TALK_KINDS, *DEFAULT_RANK_LEVELS):
        assert display_name("en", name).isascii(), name
        assert display_name("zh-CN", name) == name
    assert display_name("en", "巡察谈话") == "巡察谈话"  # a kind a commission configured: shown as it is


@given(st.integers(0, 10**9))
def test_the_value_axis_ends_past_the_largest_figure_in_at_most_five_round_steps(largest: int) -> None:
    step, end = _scale(largest)
    assert str(step).rstrip("0") in ("1", "2", "5")
    assert end >= largest and end % step == 0 and end // step <= 5
