"""Predicate scales and value mappings, read from the data tables in sakip/data/.

Regions differ in their predicate bands and in how they score text values such as an audit
opinion; both are tables an administrator can extend without touching code. This module
only loads and checks them and answers two questions: which predicate does a capaian earn,
and which number does a text value stand for.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

from sakip.formatting import format_angka

__all__ = [
    "DEFAULT_SCALE",
    "SCALES",
    "VALUE_MAPPINGS",
    "Band",
    "Scale",
    "map_text_values",
]

DATA_DIR = Path(__file__).resolve().parent / "data"
"""Where the shipped tables live."""

DEFAULT_SCALE = "permendagri_86_2017"
"""The predicate scale used when a document names none."""


@dataclass(frozen=True)
class Band:
    """A predicate band: values from ``lower`` (inclusive) up to the next band's lower bound
    (exclusive); the lowest band has no lower bound."""

    lower: Decimal | None
    label: str


@dataclass(frozen=True)
class Scale:
    """Predicate bands from the highest down; every value falls in exactly one band."""

    name: str
    title: str
    bands: tuple[Band, ...]

    def predicate(self, value: Decimal) -> str:
        """The label of the highest band whose lower bound ``value`` reaches."""
        for band in self.bands:
            if band.lower is None or value >= band.lower:
                return band.label
        raise AssertionError("the lowest band is open below")  # checked when loading

    def ranges(self) -> list[tuple[str, str]]:
        """(range as printed, label) per band, e.g. ("76 ≤ x < 91", "Tinggi")."""
        rows = []
        upper: Decimal | None = None
        for band in self.bands:
            if band.lower is None:
                text = f"x < {format_angka(upper)}" if upper is not None else "semua nilai"
            elif upper is None:
                text = f"x ≥ {format_angka(band.lower)}"
            else:
                text = f"{format_angka(band.lower)} ≤ x < {format_angka(upper)}"
            rows.append((text, band.label))
            upper = band.lower
        return rows


def _load_scale(name: str, raw: Mapping[str, object]) -> Scale:
    bands = tuple(
        Band(lower=None if b["batas_bawah"] is None else Decimal(str(b["batas_bawah"])), label=str(b["predikat"]))
        for b in raw["pita"]  # type: ignore[union-attr]
    )
    lowers = [b.lower for b in bands]
    # Gaps and overlaps are impossible by construction only if bounds strictly fall and the
    # last band is open below; a table breaking that is refused when the module loads.
    if not bands or lowers[-1] is not None or None in lowers[:-1]:
        raise ValueError(f"scale {name}: only the last band, and it must, have batas_bawah null")
    if any(a <= b for a, b in pairwise(lowers[:-1])):  # type: ignore[operator]
        raise ValueError(f"scale {name}: batas_bawah must fall from band to band")
    return Scale(name=name, title=str(raw["nama"]), bands=bands)


def _read(name: str) -> dict:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


SCALES: dict[str, Scale] = {name: _load_scale(name, raw) for name, raw in _read("skala_predikat.json").items()}
"""Predicate scales by the name documents use in pengaturan.skala_predikat."""

VALUE_MAPPINGS: dict[str, dict[str, Decimal]] = {
    name: {key: Decimal(str(value)) for key, value in table.items()}
    for name, table in _read("pemetaan_nilai.json").items()
}
"""Tables scoring text values (WTP=4, ...), by name."""


def map_text_values(values: list[Decimal | str],
                    mappings: Mapping[str, Mapping[str, Decimal]]) -> list[Decimal] | None:
    """``values`` as numbers: text values scored through the first table that knows all of
    them (case and surrounding spaces ignored); None when no table does."""
    texts = [v for v in values if isinstance(v, str)]
    if not texts:
        return list(values)  # type: ignore[arg-type]
    for table in mappings.values():
        folded = {key.strip().casefold(): score for key, score in table.items()}
        if all(t.strip().casefold() in folded for t in texts):
            return [folded[v.strip().casefold()] if isinstance(v, str) else v for v in values]
    return None
