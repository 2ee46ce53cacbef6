"""The month × kind bar chart as a PNG, with Chinese labels in a real CJK font (Noto Sans CJK from mplfonts)."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no screen: render to files only

import matplotlib.pyplot as plt  # noqa: E402
import mplfonts  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

FONT_FILE = Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"


@cache
def cjk_font() -> str:
    """Register the bundled CJK font once and make it matplotlib's sans-serif; its family name."""
    font_manager.fontManager.addfont(str(FONT_FILE))
    name = font_manager.FontProperties(fname=str(FONT_FILE)).get_name()
    matplotlib.rcParams["font.sans-serif"] = [name]
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["axes.unicode_minus"] = False  # the CJK font has no Unicode minus
    return name


def month_kind_chart(
    counts: Mapping[str, Mapping[str, int]], kinds: Sequence[str], title: str, axis_label: str
) -> bytes:
    """Grouped bars: one group a month, one bar a kind of talk."""
    cjk_font()
    months = sorted(counts)
    shown = [kind for kind in kinds if any(counts[m].get(kind) for m in months)] or list(kinds[:1])
    figure, axes = plt.subplots(figsize=(max(6.0, 1.2 * len(months) + 3), 4.5), dpi=120)
    width = 0.8 / len(shown)
    for index, kind in enumerate(shown):
        positions = [m + (index - (len(shown) - 1) / 2) * width for m in range(len(months))]
        axes.bar(positions, [counts[m].get(kind, 0) for m in months], width, label=kind)
    axes.set_xticks(range(len(months)), months)
    axes.set_title(title)
    axes.set_ylabel(axis_label)
    axes.legend()
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    figure.tight_layout()
    stream = io.BytesIO()
    figure.savefig(stream, format="png")
    plt.close(figure)
    return stream.getvalue()


def glyphs_missing(labels: Sequence[str]) -> set[str]:
    """Characters of `labels` that the CJK font cannot draw (a test's check, and a guard for configured names)."""
    from fontTools.ttLib import TTFont

    cmap = TTFont(str(FONT_FILE), fontNumber=0).getBestCmap()
    return {char for label in labels for char in label if not char.isspace() and ord(char) not in cmap}
