"""Draws the domain's organisation charts (sakip.media.OrgChart) as PNG with graphviz's dot.

The tree's layout (ranks, order, edges) is graphviz's; this module only chooses the direction
(top-down for a small chart, left-to-right when a rank would be too wide for the page), wraps
long names; drawing and sizing are workers/diagrams.py's, as for every diagram. Deterministic: the
same units give the same bytes (dot's output carries no timestamp).
"""

from __future__ import annotations

import textwrap
from collections import Counter

import graphviz

from sakip.media import DIAGRAM_DPI, Diagram, OrgChart, Picture
from workers.diagrams import draw_diagram

__all__ = ["draw_org_chart"]

WIDE_RANK = 5
"""More units than this side by side on one rank: draw left to right, so the page's height carries them."""
FONT = "Liberation Sans"


def _depths(units: list[tuple[str, str | None]]) -> dict[str, int]:
    parents = dict(units)
    depths: dict[str, int] = {}
    for name, _ in units:
        depth, current = 0, parents[name]
        while current is not None:  # the model refused cycles and unknown parents
            depth, current = depth + 1, parents[current]
        depths[name] = depth
    return depths


def _graph(spec: OrgChart) -> graphviz.Digraph:
    widest = max(Counter(_depths(spec.units).values()).values(), default=1)
    across = widest > WIDE_RANK
    graph = graphviz.Digraph(format="png", engine="dot")
    graph.attr(rankdir="LR" if across else "TB", splines="polyline", nodesep="0.15" if across else "0.3",
               ranksep="0.5", dpi=str(DIAGRAM_DPI), bgcolor="white", margin="0.05")
    graph.attr("node", shape="box", style="filled", fillcolor="#f2f2f2", color="#1f4e79", fontname=FONT,
               fontsize="11", margin="0.12,0.06")
    # Lines leave a unit on the side facing its subordinates and enter them on the opposite one.
    graph.attr("edge", arrowhead="none", color="#1f4e79", tailport="e" if across else "s",
               headport="w" if across else "n")
    width = 34 if across else 22
    for index, (name, _) in enumerate(spec.units):
        graph.node(f"u{index}", textwrap.fill(name, width, break_long_words=False))
    ids = {name: f"u{index}" for index, (name, _) in enumerate(spec.units)}
    for name, parent in spec.units:
        if parent is not None:
            graph.edge(ids[parent], ids[name])
    return graph


def draw_org_chart(spec: OrgChart) -> Picture:
    """The chart as a PNG, as wide as the text allows without passing ``max_height_mm``."""
    return draw_diagram(Diagram(dot=_graph(spec).source, max_width_mm=spec.width_mm, max_height_mm=spec.max_height_mm))
