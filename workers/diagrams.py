"""Draws the domain's diagrams (sakip.media.Diagram) as PNG with graphviz's dot, sized to fit.

The picture's width is the drawing's natural size (at DPI) scaled down to fit the box the
Diagram allows, never up: a reader can work out the printed font size from the PNG and the
width (scale_of)."""

from __future__ import annotations

import graphviz

from sakip.media import DIAGRAM_DPI as DPI
from sakip.media import Diagram, Picture

__all__ = ["DPI", "draw_diagram", "scale_of"]

MM_PER_INCH = 25.4


def scale_of(width_px: int, height_px: int, max_width_mm: float, max_height_mm: float) -> float:
    """How much a drawing of this many pixels (at DPI) is shrunk to fit the box (1: not at all)."""
    width_mm, height_mm = width_px / DPI * MM_PER_INCH, height_px / DPI * MM_PER_INCH
    return min(1.0, max_width_mm / width_mm, max_height_mm / height_mm)


def draw_diagram(spec: Diagram) -> Picture:
    """The diagram as a PNG Picture, its width fitted to the box."""
    png = graphviz.Source(spec.dot, engine="dot").pipe(format="png", renderer="cairo", formatter="cairo")
    width_px = int.from_bytes(png[16:20], "big")
    height_px = int.from_bytes(png[20:24], "big")
    scale = scale_of(width_px, height_px, spec.max_width_mm, spec.max_height_mm)
    return Picture(png=png, width_mm=width_px / DPI * MM_PER_INCH * scale)
