"""Charts as PNGs read on a phone: one chart a measure, portrait, 1080 px wide, large labels, horizontal bars with
their figure written at the end, every month of the period shown (a month at zero is an empty row, not a gap).

Drawn with Pillow rather than matplotlib: two kinds of bar chart do not need a plotting library, and matplotlib
with numpy was 110 MB of the install. Chinese labels come from the font the package ships,
bot/ledgers/fonts/NotoSansSC-Charts.otf: a subset of Noto Sans CJK SC (SIL Open Font License,
bot/ledgers/fonts/OFL.txt) rebuilt by scripts/build-chart-font. A character outside it (checked by
`glyphs_missing`) is drawn as the font's blank box.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_FILE = Path(__file__).parent / "fonts" / "NotoSansSC-Charts.otf"
WIDTH = 1080  # a phone's screen width in pixels: nothing is scaled down, so 30 px text stays 30 px
MARGIN = 32
TEXT = 30  # labels and figures: read on a phone without zooming
TITLE = 34
ROW = 60  # one bar a row: about a finger's width
LONGEST = 7200  # a very long period gets thinner rows rather than an image a phone will not open
COLOURS = ("#4472C4", "#ED7D31", "#A5A5A5", "#FFC000", "#5B9BD5", "#70AD47", "#264478", "#9E480E", "#636363")
INK, GRID, AXIS = "#222222", "#DDDDDD", "#888888"


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_FILE), size)


@dataclass(frozen=True)
class _Series:
    label: str
    values: list[int]


def month_kind_chart(
    counts: Mapping[str, Mapping[str, int]],
    kinds: Sequence[str],
    title: str,
    axis_label: str,
    names: Mapping[str, str] | None = None,
) -> bytes:
    """Talks by month stacked by kind: a row a month, top to bottom, its total at the end of the bar; `names`
    are the kinds' display names (a kind not in it is shown as it is stored)."""
    months = sorted(counts)
    extra = sorted({kind for month in months for kind in counts[month]} - set(kinds))
    shown = [kind for kind in (*kinds, *extra) if any(counts[m].get(kind) for m in months)] or list(kinds[:1])
    series = [_Series((names or {}).get(kind, kind), [counts[m].get(kind, 0) for m in months]) for kind in shown]
    return _bars(title, axis_label, months, series, legend=True)


def rank_chart(rows: Sequence[tuple[str, int]], title: str, axis_label: str) -> bytes:
    """Person-times by rank level: a bar a level, in the configured order, zeros included."""
    return _bars(title, axis_label, [label for label, _ in rows], [_Series("", [value for _, value in rows])])


def _bars(title: str, axis_label: str, rows: list[str], series: list[_Series], legend: bool = False) -> bytes:
    """Horizontal stacked bars: the title wrapped over the top, a row a label, the axis and the legend under."""
    text_font, title_font = _font(TEXT), _font(TITLE)
    row = max(20, min(ROW, LONGEST // max(len(rows), 1)))
    label_font = text_font if row >= ROW else _font(max(12, row * TEXT // ROW))
    totals = [sum(s.values[index] for s in series) for index in range(len(rows))]
    step, top = _scale(max(totals, default=0))
    title_lines = _wrap(title, title_font, WIDTH - 2 * MARGIN)
    left = MARGIN + max((int(label_font.getlength(label)) for label in rows), default=0) + 16
    right = WIDTH - MARGIN - int(text_font.getlength(str(max(totals, default=0)))) - 12
    plot_top = MARGIN + len(title_lines) * (TITLE + 12) + 16
    plot_bottom = plot_top + row * len(rows)
    legend_lines = (len(series) + 1) // 2 if legend else 0
    legend_top = plot_bottom + 2 * (TEXT + 16) + 24  # under the axis label
    height = legend_top + legend_lines * (TEXT + 16) + MARGIN
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    for number, line in enumerate(title_lines):
        y = MARGIN + number * (TITLE + 12)
        draw.text(((WIDTH - title_font.getlength(line)) / 2, y), line, font=title_font, fill=INK)

    def x_of(value: int) -> float:
        return left + (right - left) * value / top

    for tick in range(0, top + 1, step):  # light lines behind the bars, the figures under the axis
        draw.line([(x_of(tick), plot_top), (x_of(tick), plot_bottom)], fill=GRID, width=2)
        draw.text((x_of(tick), plot_bottom + 8), str(tick), font=text_font, fill=INK, anchor="ma")
    draw.text(((left + right) / 2, plot_bottom + TEXT + 20), axis_label, font=text_font, fill=INK, anchor="ma")
    bar = row * 0.66
    for index, label in enumerate(rows):
        middle = plot_top + row * index + row / 2
        draw.text((left - 12, middle), label, font=label_font, fill=INK, anchor="rm")
        start = 0
        for number, part in enumerate(series):
            value = part.values[index]
            if value:
                box = (x_of(start), middle - bar / 2, x_of(start + value), middle + bar / 2)
                draw.rectangle(box, fill=COLOURS[number % len(COLOURS)])
            start += value
        draw.text((x_of(start) + 8, middle), str(totals[index]), font=label_font, fill=INK, anchor="lm")
    draw.line([(left, plot_top), (left, plot_bottom)], fill=AXIS, width=2)
    if legend:
        column = (WIDTH - 2 * MARGIN) // 2
        for number, part in enumerate(series):
            x = MARGIN + column * (number % 2) + 40
            y = legend_top + (number // 2) * (TEXT + 16) + TEXT // 2
            draw.rectangle((x, y - 12, x + 36, y + 12), fill=COLOURS[number % len(COLOURS)])
            draw.text((x + 48, y), part.label, font=text_font, fill=INK, anchor="lm")
    stream = io.BytesIO()
    image.save(stream, format="PNG", optimize=True)
    return stream.getvalue()


def _scale(largest: int) -> tuple[int, int]:
    """(step, end) of the value axis: steps of 1, 2 or 5 × 10ⁿ, five at most, ending at or past the largest figure."""
    step = next(s for k in range(12) for s in (10**k, 2 * 10**k, 5 * 10**k) if -(-largest // s) <= 5)
    return step, max(step, -(-largest // step) * step)


def _wrap(line: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Lines no wider than `width`: broken at a space when there is one, else (Chinese) between characters."""
    lines: list[str] = []
    while font.getlength(line) > width:
        cut = len(line)
        while cut > 1 and font.getlength(line[:cut]) > width:
            cut -= 1
        space = line.rfind(" ", 0, cut + 1)
        cut = space if space > 0 else cut
        lines.append(line[:cut].rstrip())
        line = line[cut:].lstrip()
    return [*lines, line]


def glyphs_missing(labels: Sequence[str]) -> set[str]:
    """Characters of `labels` that the shipped font cannot draw (a test's check, and a guard for configured names)."""
    from fontTools.ttLib import TTFont  # the test extra's: reading the font's character map is not needed to draw

    cmap = TTFont(str(FONT_FILE)).getBestCmap()
    return {char for label in labels for char in label if not char.isspace() and ord(char) not in cmap}
