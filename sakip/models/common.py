"""Field types and parts shared by every document type: text, money, NIP, agency, official."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

__all__ = ["MAX_TEXT", "Instansi", "Money", "Nip", "Pejabat", "Strict", "Text", "Year", "clean_text"]

# XML 1.0 forbids these characters; letting one through would corrupt the .docx.
_FORBIDDEN_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
MAX_TEXT = 2000
"""Longest accepted text field, in characters."""


def clean_text(value: str) -> str:
    """The text itself, or ValueError when it is blank or holds a character XML forbids."""
    if not value.strip():
        raise ValueError("must not be empty")
    if _FORBIDDEN_CHARS.search(value):
        raise ValueError("contains a control character that cannot appear in a document")
    return value


Text = Annotated[str, Field(max_length=MAX_TEXT), AfterValidator(clean_text)]
"""Free text kept exactly as sent: not stripped, not escaped here (templates escape it)."""


def _digits_only(value: object) -> object:
    # Clients copy NIPs from printed documents, grouped with spaces: accept that form.
    return value.replace(" ", "") if isinstance(value, str) else value


def _check_nip(value: str) -> str:
    if not re.fullmatch(r"\d{18}", value):
        raise ValueError("NIP must be 18 digits")
    return value


Nip = Annotated[str, BeforeValidator(_digits_only), AfterValidator(_check_nip)]
"""Nomor Induk Pegawai: 18 digits, stored without spaces."""

Money = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2)]
"""Rupiah amount: non-negative, at most two decimals."""

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


class Pejabat(Strict):
    """An official who signs: elected officials have no NIP and no rank."""

    nama: Text = Field(description="Full name with academic titles, printed exactly.")
    nip: Nip | None = Field(default=None, description="18-digit NIP; absent for elected officials.")
    pangkat: Text | None = Field(default=None, description='Rank, e.g. "Pembina (IV/a)".')
    jabatan: Text = Field(description='Position, with "Plt."/"Plh."/"Pj." when acting.')
