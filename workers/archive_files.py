"""What a batch's ZIP holds besides the documents: manifest.csv for Excel as Indonesian offices
set it up, manifest.xlsx, and entries anyone who unpacks the ZIP can read (mode 0644).

manifest.csv starts with a UTF-8 BOM (Excel otherwise reads it as ANSI and breaks "Ş", "é"...)
and separates fields with semicolons: with the Indonesian regional setting the decimal sign is
the comma, so Excel splits a CSV on ";". NIPs are written grouped (19800101 200501 1 001), as
they are printed, so Excel keeps them as text instead of rounding 18 digits. Every text cell goes
through ``text_cell`` (no formula injection).
"""

from __future__ import annotations

import csv
import io
import shutil
import time
import zipfile
from collections.abc import Iterable, Mapping
from typing import Any

from openpyxl import Workbook

from sakip.cells import text_cell

__all__ = ["COLUMNS", "FILE_MODE", "ShareableZip", "grouped_nip", "manifest_csv", "manifest_xlsx", "signatory"]

FILE_MODE = 0o644
"""Mode of every entry: readable by everyone who unpacks the archive (owner may write)."""

COLUMNS = ("ref", "id", "nama", "nip", "file", "sha256", "status", "error", "warnings", "verify_url")
"""The manifest's columns, in order."""

_SIGNATORY_ROLES = ("pihak_pertama", "kepala")
"""Whose name and NIP a row shows: the PK's first party, the LKjIP's head of agency."""


class ShareableZip(zipfile.ZipFile):
    """A ZipFile whose entries carry mode 0644 (ZipFile.write copies the file's own mode,
    0600 for our documents; writestr's default is 0600)."""

    def write(self, filename: Any, arcname: Any = None, compress_type: int | None = None,
              compresslevel: int | None = None) -> None:
        info = zipfile.ZipInfo.from_file(filename, arcname, strict_timestamps=self._strict_timestamps)
        info.external_attr = (0o100000 | FILE_MODE) << 16
        info.compress_type = self.compression if compress_type is None else compress_type
        with open(filename, "rb") as source, self.open(info, "w") as target:
            shutil.copyfileobj(source, target, 1 << 20)

    def writestr(self, zinfo_or_arcname: Any, data: Any, compress_type: int | None = None,
                 compresslevel: int | None = None) -> None:
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo_or_arcname = zipfile.ZipInfo(zinfo_or_arcname, date_time=time.localtime(time.time())[:6])
            zinfo_or_arcname.compress_type = self.compression
        zinfo_or_arcname.external_attr = (0o100000 | FILE_MODE) << 16
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)


def grouped_nip(nip: str) -> str:
    """An 18-digit NIP as printed ("19800101 200501 1 001"); anything else as it is."""
    digits = nip.replace(" ", "")
    if len(digits) == 18 and digits.isdigit():
        return f"{digits[:8]} {digits[8:14]} {digits[14]} {digits[15:]}"
    return nip


def signatory(data: Mapping[str, Any] | None) -> tuple[str, str]:
    """(name, NIP) of the official a document is about, from the item's data; blanks when absent."""
    for role in _SIGNATORY_ROLES:
        party = (data or {}).get(role)
        if isinstance(party, Mapping):
            return str(party.get("nama") or ""), grouped_nip(str(party.get("nip") or ""))
    return "", ""


def _row(entry: Mapping[str, Any]) -> list[str]:
    warnings = "; ".join(w["msg"] for w in entry.get("warnings") or [])
    return [text_cell(str(entry.get(c) or "")) for c in COLUMNS[:-2]] + [text_cell(warnings),
                                                                         str(entry.get("verify_url") or "")]


def manifest_csv(entries: Iterable[Mapping[str, Any]]) -> bytes:
    """The manifest as Excel with Indonesian settings opens it: BOM, ";" between fields, CRLF."""
    table = io.StringIO()
    writer = csv.writer(table, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for entry in entries:
        writer.writerow(_row(entry))
    return ("\ufeff" + table.getvalue()).encode("utf-8")


def manifest_xlsx(entries: Iterable[Mapping[str, Any]]) -> bytes:
    """The manifest as a workbook: every cell text (NIPs and ids stay exact), the header frozen."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Manifest")
    sheet.freeze_panes = "A2"
    sheet.append(list(COLUMNS))
    for entry in entries:
        sheet.append(_row(entry))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()

