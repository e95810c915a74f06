"""Pictures a template context can carry: ready images and chart specifications.

The domain describes what to draw (a BarChart); the workers draw it and place it in the
document. Keeps plotting libraries out of the pure package.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["DIAGRAM_DPI", "BarChart", "Diagram", "OrgChart", "Picture", "SuppliedPicture"]

DIAGRAM_DPI = 200
"""Pixels per inch a Diagram is drawn at (its DOT source says so): sharp when printed."""


@dataclass(frozen=True)
class Picture:
    """A PNG (or, with ``format="JPEG"``, a JPEG) to place inline, ``width_mm`` wide (height
    keeps the aspect ratio). ``png`` holds the picture's bytes whatever its format."""

    png: bytes
    width_mm: float
    format: str = "PNG"


@dataclass(frozen=True)
class BarChart:
    """Grouped bars: one group per label, one bar per series (e.g. Target, Realisasi).

    ``values`` of a series may hold None where a value is not computable (a text target).
    """

    title: str
    labels: list[str]
    series: list[tuple[str, list[float | None]]]
    width_mm: float = 150
    height_mm: float = 85
    y_label: str = field(default="")


@dataclass(frozen=True)
class OrgChart:
    """An organisation chart: ``units`` as (name, parent name or None), in the order given.

    Drawn as a tree by a graph layout library, at most ``width_mm`` wide and ``max_height_mm`` high.
    """

    units: list[tuple[str, str | None]]
    width_mm: float = 160
    max_height_mm: float = 200


@dataclass(frozen=True)
class SuppliedPicture:
    """A picture the request supplied (``sakip.images.ImageRef``: base64 or an asset id), to be
    placed inside a box of ``max_width_mm`` x ``max_height_mm`` keeping its aspect ratio. The
    workers resolve it to a Picture (an asset is read from the asset store there)."""

    ref: Any
    max_width_mm: float
    max_height_mm: float
    loc: str = ""
    """The request field it came from ("data.instansi.logo"), for an error naming it."""


@dataclass(frozen=True)
class Diagram:
    """A graph in the DOT language, laid out by graphviz (dot) and placed as a picture no wider
    than ``max_width_mm`` nor higher than ``max_height_mm``: a larger drawing is scaled down."""

    dot: str
    max_width_mm: float
    max_height_mm: float
