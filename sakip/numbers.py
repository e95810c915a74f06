"""Reading figures, dates and NIPs the way an Indonesian official writes them: the one parser
every intake (JSON, workbook cells, future forms) goes through.

A JSON number is a number. A string holding a number is read the Indonesian way: "." groups
thousands, "," marks decimals ("1.250" = 1250, "1.250,5" = 1250.5, "88,5" = 88.5; money may
carry "Rp"). A string this rule can't read without guessing ("1.25", "1,250.50", "1.2.3") is
refused with a message showing how to write it; it is never read some other way. A string
that is not a figure at all ("WTP", "Informatif") stays text where text is allowed.

Every refusal is a ``ReadError`` carrying a code of the message table (sakip/messages.py).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from sakip.errors import ReadError
from sakip.formatting import BULAN, to_decimal

__all__ = [
    "MAX_FRACTION_DIGITS",
    "MAX_WHOLE_DIGITS",
    "ReadError",
    "looks_numeric",
    "read_angka",
    "read_nilai",
    "read_nip",
    "read_rupiah",
    "read_tanggal",
]

MAX_WHOLE_DIGITS = 16
"""Most digits before the decimal mark: beyond ten quadrillion no SAKIP figure is real."""
MAX_FRACTION_DIGITS = 6
"""Most digits after the decimal mark."""


# Characters a figure is made of; a string of only these (with at least one digit) is meant
# as a number and must parse, or be refused: it never falls back to being text.
_NUMERIC_LOOKING = re.compile(r"[+-]?\s*[\d.,]*\d[\d.,]*")
_GROUPED = re.compile(r"([+-]?)([1-9]\d{0,2}(?:\.\d{3})+)(?:,(\d+))?")
_PLAIN = re.compile(r"([+-]?)(0|[1-9]\d*)(?:,(\d+))?")
_RUPIAH = re.compile(r"^\s*rp\.?\s*", re.IGNORECASE)


def looks_numeric(text: str) -> bool:
    """True when ``text`` is written with digits, dots and commas only: meant as a figure."""
    return bool(_NUMERIC_LOOKING.fullmatch(text.strip()))


def _hint(text: str) -> str:
    """How the figure the user probably meant is written, for the message; both readings when
    the separators could mean either."""
    digits = text.strip().lstrip("+-")
    if "." in digits and "," in digits and digits.rfind(".") > digits.rfind(","):
        whole, _, fraction = digits.rpartition(".")
        return whole.replace(",", ".") + "," + fraction
    if digits.count(".") == 1 and "," not in digits:
        whole, _, fraction = digits.partition(".")
        return f"{whole},{fraction}"
    return "1.250 / 1.250,5"


def _checked(number: Decimal, shown: str) -> Decimal:
    if not number.is_finite():
        raise ReadError("angka_tidak_terhingga")
    _, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    whole = max(len(digits) + exponent, 0)
    fraction = max(-exponent, 0)
    if whole > MAX_WHOLE_DIGITS:
        raise ReadError("angka_terlalu_besar", nilai=shown, maks=MAX_WHOLE_DIGITS)
    if fraction > MAX_FRACTION_DIGITS and number != number.quantize(Decimal(1).scaleb(-MAX_FRACTION_DIGITS)):
        raise ReadError("angka_terlalu_banyak_desimal", nilai=shown, maks=MAX_FRACTION_DIGITS)
    return number


def _parse_text(text: str) -> Decimal:
    compact = text.strip()
    match = _GROUPED.fullmatch(compact) or _PLAIN.fullmatch(compact)
    if match is None:
        raise ReadError("angka_ambigu", nilai=compact, contoh=_hint(compact))
    sign, whole, fraction = match.groups()
    literal = f"{'-' if sign == '-' else ''}{whole.replace('.', '')}" + (f".{fraction}" if fraction else "")
    return _checked(Decimal(literal), compact)


def _from_number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, Decimal)):
        try:
            number = to_decimal(value)
        except (InvalidOperation, ValueError):
            raise ReadError("angka_tidak_terhingga") from None
        return _checked(number, str(value)[:40])
    return None


def read_angka(value: Any) -> Decimal:
    """A figure: a JSON number, or a string written the Indonesian way; ReadError otherwise."""
    number = _from_number(value)
    if number is not None:
        return number
    if isinstance(value, str) and looks_numeric(value):
        return _parse_text(value)
    raise ReadError("angka_wajib")


def read_rupiah(value: Any) -> Decimal:
    """Money: a number, or "1.500.000", "Rp 1.500.000", "Rp 1.500.000,50"; ReadError otherwise."""
    number = _from_number(value)
    if number is not None:
        return number
    if isinstance(value, str):
        text = _RUPIAH.sub("", value, count=1)
        if looks_numeric(text):
            return _parse_text(text)
    raise ReadError("rupiah_wajib")


def read_nilai(value: Any) -> Decimal | str:
    """A target or realisation: a figure (as read_angka), or a text such as "WTP" kept as sent.
    A string that looks like a figure but can't be read is refused, never kept as text."""
    number = _from_number(value)
    if number is not None:
        return number
    if isinstance(value, str):
        return _parse_text(value) if looks_numeric(value) else value
    raise ReadError("nilai_wajib")


_DAY_FIRST = re.compile(r"(\d{1,2})[/-](\d{1,2})[/-](\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_WORDS = re.compile(r"(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})")
_MONTHS = {name.casefold(): number for number, name in enumerate(BULAN, start=1)}


def _date(year: int, month: int, day: int, shown: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ReadError("tanggal_tidak_ada", nilai=shown) from None


def read_tanggal(value: Any) -> dt.date:
    """A date: a date (a real date cell), ISO "2026-01-05", day first "05/01/2026" or
    "5-1-2026", or "5 Januari 2026". Never month first: "01/13/2026" is refused."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise ReadError("tanggal_format")
    text = value.strip()
    if match := _ISO.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
        return _date(year, month, day, text)
    if match := _DAY_FIRST.fullmatch(text):
        day, month, year = (int(g) for g in match.groups())
        return _date(year, month, day, text)
    if match := _WORDS.fullmatch(text):
        month_number = _MONTHS.get(match.group(2).casefold())
        if month_number is None:
            raise ReadError("tanggal_bulan", nilai=match.group(2), bulan=", ".join(BULAN))
        return _date(int(match.group(3)), month_number, int(match.group(1)), text)
    raise ReadError("tanggal_format")


def read_nip(value: Any) -> str:
    """A NIP as text: 18 digits (spaces allowed, dropped), structure checked: digits 1-8 a birth
    date, 9-14 the year and month of appointment, digit 15 the gender (1 or 2)."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        raise ReadError("nip_angka", nilai=str(value))
    if not isinstance(value, str):
        raise ReadError("nip_teks")
    digits = value.replace(" ", "")
    if not re.fullmatch(r"\d{18}", digits):
        raise ReadError("nip_panjang", jumlah=sum(c.isdigit() for c in digits))
    try:
        born = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise ReadError("nip_tanggal_lahir", bagian=digits[:8]) from None
    year, month = int(digits[8:12]), int(digits[12:14])
    if born.year < 1900:
        raise ReadError("nip_tanggal_lahir", bagian=digits[:8])
    if not (1 <= month <= 12) or not (born.year <= year <= 2100):
        raise ReadError("nip_tmt", bagian=digits[8:14])
    if digits[14] not in "12":
        raise ReadError("nip_jenis_kelamin", digit=digits[14])
    return digits
