"""Field types and parts shared by every document type: text, money, NIP, agency, official."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from sakip.errors import ReadError
from sakip.images import ImageRef
from sakip.numbers import read_angka, read_nip, read_rupiah, read_tanggal

__all__ = ["MAX_TEXT", "Angka", "Instansi", "Money", "Nip", "Pejabat", "Strict", "Tanggal", "Text", "Year",
           "clean_text"]

# XML 1.0 forbids these characters; letting one through would corrupt the .docx.
_FORBIDDEN_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
MAX_TEXT = 2000
"""Longest accepted text field, in characters."""


def clean_text(value: str) -> str:
    """The text itself, or ValueError when it is blank or holds a character XML forbids."""
    if not value.strip():
        raise ReadError("teks_kosong")
    if _FORBIDDEN_CHARS.search(value):
        raise ReadError("teks_karakter_kendali")
    return value


Text = Annotated[str, Field(max_length=MAX_TEXT), AfterValidator(clean_text)]
"""Free text kept exactly as sent: not stripped, not escaped here (templates escape it)."""


# Clients copy NIPs from printed documents, grouped with spaces: read_nip accepts that form.
# A NIP sent as a number is refused: as a JSON number or an Excel number it has lost digits.
Nip = Annotated[str, BeforeValidator(read_nip)]
"""Nomor Induk Pegawai: 18 digits as text, stored without spaces, structure checked."""

Money = Annotated[Decimal, BeforeValidator(read_rupiah), Field(ge=0, max_digits=18, decimal_places=2)]
"""Rupiah amount: non-negative, at most two decimals; strings read the Indonesian way ("Rp 1.500.000")."""

Angka = Annotated[Decimal, BeforeValidator(read_angka)]
"""A figure: a JSON number, or a string read the Indonesian way ("1.250,5")."""

Tanggal = Annotated[dt.date, BeforeValidator(read_tanggal)]
"""A date: ISO, a date cell, day first "05/01/2026", or "5 Januari 2026"."""

Year = Annotated[int, Field(ge=2000, le=2100)]
"""A budget year."""


class Strict(BaseModel):
    """Base for payload parts: unknown fields are refused, so a misspelt field is noticed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class Instansi(Strict):
    """The agency (perangkat daerah) or region issuing the document."""

    pemerintah: Text = Field(description='Government, e.g. "Pemerintah Provinsi Sumatera Utara".')
    nama: Text = Field(description='Agency name, e.g. "Dinas Komunikasi dan Informatika".')
    alamat: Text | None = Field(default=None, description="Street address for the letterhead.")
    telepon: Text | None = Field(default=None, description="Telephone for the letterhead.")
    logo: ImageRef | None = Field(
        default=None, description="The agency's or region's logo, printed left of the letterhead: "
        '{"data": base64 PNG/JPEG} or {"asset": id of a picture uploaded through /api/v1/assets}.')


class Pejabat(Strict):
    """An official who signs: elected officials have no NIP and no rank."""

    nama: Text = Field(description="Full name with academic titles, printed exactly.")
    nip: Nip | None = Field(default=None, description="18-digit NIP; absent for elected officials.")
    pangkat: Text | None = Field(default=None, description='Rank, e.g. "Pembina (IV/a)".')
    jabatan: Text = Field(description='Position, with "Plt."/"Plh."/"Pj." when acting.')
