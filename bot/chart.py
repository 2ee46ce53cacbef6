"""Charts as PNGs read on a phone: one chart a measure, portrait, at most 1080 px wide, large labels, every month
of the period shown (a month at zero is an empty row, not a gap closed up).

Chinese labels come from the font the package ships: bot/fonts/NotoSansSC-Charts.otf, a subset of Noto Sans CJK SC
(SIL Open Font License, bot/fonts/OFL.txt) rebuilt by scripts/build-chart-font. A character outside the subset
falls back to matplotlib's DejaVu Sans rather than failing the chart.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no screen: render to files only

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

FONT_FILE = Path(__file__).parent / "fonts" / "NotoSansSC-Charts.otf"
DPI = 144
WIDTH_INCHES = 7.5  # 1080 px: a phone's screen width, so nothing is scaled down
ROW_INCHES = 0.42  # one bar a row: about 60 px, a finger's width
MAX_ROWS = 120  # ten years of months; a longer period still draws, only no taller
FONT_SIZE = 15  # points at 144 dpi: about 30 px, read on a phone without zooming


@cache
def cjk_font() -> str:
    """Register the shipped CJK font once and make it matplotlib's sans-serif; its family name."""
    font_manager.fontManager.addfont(str(FONT_FILE))
    name = font_manager.FontProperties(fname=str(FONT_FILE)).get_name()
    matplotlib.rcParams["font.sans-serif"] = [name, "DejaVu Sans"]  # DejaVu: glyphs outside the subset
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.size"] = FONT_SIZE
    matplotlib.rcParams["axes.unicode_minus"] = False  # the CJK font has no Unicode minus
    return name


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
    figure, axes = _figure(len(months), legend_rows=len(shown))
    rows = range(len(months))
    left = [0] * len(months)
    for kind in shown:
        values = [counts[m].get(kind, 0) for m in months]
        axes.barh(rows, values, left=left, height=0.7, label=(names or {}).get(kind, kind))
        left = [a + b for a, b in zip(left, values, strict=True)]
    _bar_ends(axes, left)
    axes.set_yticks(rows, months)
    _finish(figure, axes, title, axis_label)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.8 / figure.get_figheight()), ncols=2, frameon=False)
    return _png(figure)


def rank_chart(rows: Sequence[tuple[str, int]], title: str, axis_label: str) -> bytes:
    """Person-times by rank level: a bar a level, in the configured order, zeros included."""
    figure, axes = _figure(len(rows), legend_rows=0)
    positions = range(len(rows))
    values = [value for _, value in rows]
    axes.barh(positions, values, height=0.7, color="#4472C4")
    _bar_ends(axes, values)
    axes.set_yticks(positions, [label for label, _ in rows])
    _finish(figure, axes, title, axis_label)
    return _png(figure)


def _figure(rows: int, legend_rows: int) -> tuple[Figure, plt.Axes]:
    cjk_font()
    height = 2.4 + ROW_INCHES * min(max(rows, 3), MAX_ROWS) + 0.25 * ((legend_rows + 1) // 2)
    figure, axes = plt.subplots(figsize=(WIDTH_INCHES, height), dpi=DPI)
    return figure, axes


def _bar_ends(axes: plt.Axes, totals: Sequence[int]) -> None:
    """Each bar's figure written after it, a zero included: the number is read, not guessed from the grid."""
    for row, total in enumerate(totals):
        axes.annotate(str(total), (total, row), xytext=(4, 0), textcoords="offset points", va="center")


def _finish(figure: Figure, axes: plt.Axes, title: str, axis_label: str) -> None:
    axes.invert_yaxis()  # the first month or level on top, as read
    axes.set_title(title, wrap=True, fontsize=FONT_SIZE + 1)
    axes.set_xlabel(axis_label)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.margins(x=0.12)  # room for the figure at the end of the longest bar
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()


def _png(figure: Figure) -> bytes:
    stream = io.BytesIO()
    figure.savefig(stream, format="png", bbox_inches="tight", pad_inches=0.2)
    plt.close(figure)
    return stream.getvalue()


def glyphs_missing(labels: Sequence[str]) -> set[str]:
    """Characters of `labels` that the shipped font cannot draw (a test's check, and a guard for configured names)."""
    from fontTools.ttLib import TTFont

    cmap = TTFont(str(FONT_FILE)).getBestCmap()
    return {char for label in labels for char in label if not char.isspace() and ord(char) not in cmap}
