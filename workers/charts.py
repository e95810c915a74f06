"""Draws the domain's chart specifications (sakip.media.BarChart) as PNG with matplotlib.

Lives in workers, not in the domain, so the pure package never imports a plotting library.
Output is deterministic: the same spec gives the same bytes (no timestamp or version in the
PNG metadata, fixed fonts and size), so re-rendering a document gives the same sha256.
"""

from __future__ import annotations

import io
import textwrap
from decimal import Decimal

import matplotlib

matplotlib.use("Agg")  # no display on workers; must precede pyplot

import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter

from sakip.formatting import format_angka
from sakip.media import BarChart

__all__ = ["draw_bar_chart"]

DPI = 200
"""Sharp enough for print at the placed size, small enough to keep documents light."""

COLOURS = ("#9fb7d6", "#1f4e79", "#c55a11", "#548235")
"""Series colours: light target, dark realisation; readable in greyscale print too."""

_MM_PER_INCH = 25.4


def _number(value: float) -> str:
    # Axis and bar labels print the Indonesian way, like the tables: 88,5 not 88.5.
    return format_angka(Decimal(repr(round(float(value), 2))))


def draw_bar_chart(spec: BarChart) -> bytes:
    """The PNG of ``spec``: grouped bars with each value printed above its bar."""
    with plt.rc_context({"font.family": ["Liberation Sans", "DejaVu Sans"], "font.size": 9,
                         "svg.hashsalt": "docgen", "axes.spines.top": False, "axes.spines.right": False}):
        fig, ax = plt.subplots(figsize=(spec.width_mm / _MM_PER_INCH, spec.height_mm / _MM_PER_INCH), dpi=DPI)
        try:
            _draw(ax, spec)
            fig.tight_layout()
            out = io.BytesIO()
            fig.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
        finally:
            plt.close(fig)
    return out.getvalue()


def _draw(ax, spec: BarChart) -> None:
    groups = len(spec.labels)
    count = max(len(spec.series), 1)
    width = 0.8 / count
    top = max((v for _, values in spec.series for v in values if v is not None), default=0.0)
    for index, (name, values) in enumerate(spec.series):
        xs = [g + (index - (count - 1) / 2) * width for g in range(groups)]
        heights = [0.0 if v is None else v for v in values]
        bars = ax.bar(xs, heights, width=width * 0.95, label=name, color=COLOURS[index % len(COLOURS)])
        for bar, value in zip(bars, values, strict=True):
            text = "-" if value is None else _number(value)
            ax.annotate(text, (bar.get_x() + bar.get_width() / 2, bar.get_height()), xytext=(0, 2),
                        textcoords="offset points", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(range(groups), [textwrap.fill(label, 28) for label in spec.labels])
    # The groups fill the axes: a chart of few years is drawn narrower (the spec's width), not
    # padded with empty thirds left and right.
    ax.set_xlim(-0.6, groups - 0.4)
    ax.set_ylim(min(0.0, ax.get_ylim()[0]), top * 1.18 if top > 0 else 1)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _number(v)))
    if spec.y_label:
        ax.set_ylabel(spec.y_label)
    ax.set_title(textwrap.fill(spec.title, max(30, int(spec.width_mm * 0.45))), fontsize=10, fontweight="bold")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12 if groups else 0), ncol=count, frameon=False)
    ax.grid(axis="y", linewidth=0.4, alpha=0.6)
    ax.set_axisbelow(True)
