"""Paper sizes: a template version names its paper in the manifest; every section follows it."""

from __future__ import annotations

import re

__all__ = ["PAPER_SIZES_MM", "fit_paper"]

PAPER_SIZES_MM: dict[str, tuple[int, int]] = {"F4": (215, 330), "A4": (210, 297)}
"""Portrait width and height of each paper a template version may name in its manifest."""


def _twips(mm: float) -> int:
    return round(mm / 25.4 * 1440)


def fit_paper(document_xml: str, paper: str | None) -> str:
    """Every section of the body on ``paper``, keeping each section's orientation."""
    if paper not in PAPER_SIZES_MM:
        return document_xml
    width_mm, height_mm = PAPER_SIZES_MM[paper]
    portrait = (_twips(width_mm), _twips(height_mm))

    def resize(match: re.Match[str]) -> str:
        tag = match.group(0)
        w = re.search(r'w:w="(\d+)"', tag)
        h = re.search(r'w:h="(\d+)"', tag)
        landscape = bool(w and h and int(w.group(1)) > int(h.group(1)))
        new_w, new_h = (portrait[1], portrait[0]) if landscape else portrait
        tag = re.sub(r'w:w="\d+"', f'w:w="{new_w}"', tag)
        return re.sub(r'w:h="\d+"', f'w:h="{new_h}"', tag)

    return re.sub(r"<w:pgSz\b[^>]*/>", resize, document_xml)
