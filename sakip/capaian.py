"""The LKjIP arithmetic: capaian, predicates, averages, budget absorption, efficiency.

Everything is Decimal. A capaian is rounded half-up to two decimals once, when computed;
predicates, averages and the efficiency reading all use that figure, so a reader who
recomputes from the printed tables gets the printed results.

Edge-case rules (DOMAIN.md asks for each to be written down):

* Target 0: the ratio has no meaning. A realisasi of exactly 0 meets the target (100%);
  any other realisasi is "tidak dapat dihitung". Same for both polarities.
* A negative target: the formulas assume a positive target, so "tidak dapat dihitung".
* Realisasi 0 on a negative indicator: method A is defined there ((2t - 0) / t = 200%) and
  is used as is; method B divides by zero, so it is pinned to 100% (the target is met),
  as e-SAKIP applications do. A negative realisasi under method B: "tidak dapat dihitung".
* Text values ("WTP"): scored through a value mapping (WTP=4, WDP=3, ...) when one table
  knows every text value of the pair, then computed as numbers; otherwise "tidak dapat
  dihitung". Such indicators are left out of averages and counted apart.
* A negative capaian (method A far off target) is printed as it is and earns the lowest
  predicate; for averaging it counts as 0, and anything above the cap (default 100) as the cap.
* The predicate is read from the rounded capaian, so the word matches the printed figure.
* Pagu 0: absorption is "tidak dapat dihitung".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from sakip.scales import map_text_values

__all__ = [
    "HUNDRED",
    "NOT_COMPUTABLE",
    "Capaian",
    "average",
    "cap",
    "capaian",
    "capaian_of",
    "efficiency",
    "round2",
    "serapan",
]

HUNDRED = Decimal(100)
NOT_COMPUTABLE = "tidak dapat dihitung"
"""Printed in place of a figure that the rules above leave undefined."""

_CENT = Decimal("0.01")

Polaritas = Literal["positif", "negatif"]
Metode = Literal["A", "B"]


def round2(value: Decimal) -> Decimal:
    """Half-up to two decimals: the precision every computed percentage is printed with."""
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def capaian(target: Decimal, realisasi: Decimal, polaritas: Polaritas = "positif",
            metode: Metode = "A") -> Decimal | None:
    """Capaian % of numeric values, rounded to two decimals; None when not computable."""
    if target < 0:
        return None
    if target == 0:
        return HUNDRED if realisasi == 0 else None
    if polaritas == "positif":
        return round2(realisasi / target * HUNDRED)
    if metode == "A":
        return round2((2 * target - realisasi) / target * HUNDRED)
    if realisasi == 0:
        return HUNDRED
    if realisasi < 0:
        return None
    return round2(target / realisasi * HUNDRED)


@dataclass(frozen=True)
class Capaian:
    """A capaian as computed (None: not computable) and the numbers it was computed from."""

    nilai: Decimal | None
    target: Decimal | None = None
    realisasi: Decimal | None = None


def capaian_of(target: Decimal | str, realisasi: Decimal | str, polaritas: Polaritas, metode: Metode,
               mappings: Mapping[str, Mapping[str, Decimal]]) -> Capaian:
    """Capaian of values as sent, text values scored through ``mappings``."""
    numbers = map_text_values([target, realisasi], mappings)
    if numbers is None:
        return Capaian(None)
    t, r = numbers
    return Capaian(capaian(t, r, polaritas, metode), target=t, realisasi=r)


def cap(value: Decimal, upper: Decimal | None = HUNDRED) -> Decimal:
    """The value counted in averages: below 0 counts as 0, above ``upper`` as ``upper``."""
    value = max(value, Decimal(0))
    return value if upper is None else min(value, upper)


def average(values: Iterable[Decimal]) -> Decimal | None:
    """Arithmetic mean rounded to two decimals; None for no values."""
    values = list(values)
    if not values:
        return None
    return round2(sum(values, Decimal(0)) / len(values))


def serapan(pagu: Decimal, realisasi: Decimal) -> Decimal | None:
    """Budget absorption %, two decimals; None when the pagu is 0."""
    if pagu == 0:
        return None
    return round2(realisasi / pagu * HUNDRED)


def efficiency(capaian_rata: Decimal, serapan_total: Decimal) -> Decimal:
    """Capaian % minus serapan %, in points: positive means more result per rupiah spent."""
    return capaian_rata - serapan_total
