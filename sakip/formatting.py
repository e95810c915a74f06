"""Indonesian formatting of dates, numbers, money and NIP, independent of the system locale."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

__all__ = [
    "BULAN",
    "format_angka",
    "format_nip",
    "format_persen",
    "format_rupiah",
    "format_tanggal",
    "to_decimal",
]

BULAN = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)
"""Month names as printed in official documents, January first."""


def format_tanggal(value: dt.date) -> str:
    """2026-01-05 -> "5 Januari 2026"."""
    return f"{value.day} {BULAN[value.month - 1]} {value.year}"


def to_decimal(value: int | float | Decimal | str) -> Decimal:
    """Exact Decimal for a number; floats go through their shortest repr (2.75, not 2.7499...)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def _group_thousands(digits: str) -> str:
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return ".".join(groups)


def format_angka(value: int | float | Decimal, decimals: int | None = None) -> str:
    """A number with dot thousands and comma decimals, printed as given.

    2.75 -> "2,75", 12.5 -> "12,5", 1250 -> "1.250", 85 -> "85", 85.0 -> "85".
    With ``decimals`` the value is rounded half-up to that many places first.
    """
    number = to_decimal(value)
    if decimals is not None:
        number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    elif number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    else:
        number = number.normalize()
    sign = "-" if number < 0 else ""
    text = format(abs(number), "f")
    whole, _, fraction = text.partition(".")
    result = sign + _group_thousands(whole)
    return f"{result},{fraction}" if fraction else result


def format_rupiah(value: int | float | Decimal) -> str:
    """Money: "Rp 1.250.000.000"; cents only when there are any: "Rp 1.250.000,50"."""
    number = to_decimal(value)
    if number == number.to_integral_value():
        return "Rp " + format_angka(number)
    return "Rp " + format_angka(number, decimals=2)


def format_persen(value: Decimal) -> str:
    """A computed percentage, two decimals: "93,75%", "115,00%"."""
    return format_angka(value, decimals=2) + "%"


def format_nip(nip: str) -> str:
    """An 18-digit NIP grouped 8 6 1 3: "19700101 199503 1 001"."""
    return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"
