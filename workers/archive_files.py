"""What a batch's ZIP holds besides the documents: manifest.csv for Excel as Indonesian offices
set it up, manifest.xlsx, and entries anyone who unpacks the ZIP can read (mode 0644).

manifest.csv starts with a UTF-8 BOM (Excel otherwise reads it as ANSI and breaks "Ş", "é"...)
and separates fields with semicolons: with the Indonesian regional setting the decimal sign is
the comma, so Excel splits a CSV on ";". NIPs are written grouped (19800101 200501 1 001), as
they are printed, so Excel keeps them as text instead of rounding 18 digits. Every text cell goes
through ``text_cell`` (no formula injection).

manifest.xlsx: openpyxl makes the workbook (package, styles, the frozen header row); the data
rows are written into its sheet here, as the same XML openpyxl's write-only mode writes (inline
strings). openpyxl spent ~0.3 ms a row on them: 27,000 rows took 5-13 s at the end of a batch,
while the archive waited; tests/test_manifest_xlsx.py compares the two.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import time
import zipfile
from collections.abc import Iterable, Mapping
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import IllegalCharacterError

from sakip.cells import text_cell

__all__ = ["COLUMNS", "FILE_MODE", "ShareableZip", "grouped_nip", "manifest_csv", "manifest_csv_rows", "manifest_json",
           "manifest_json_piece", "manifest_xlsx", "manifest_xlsx_rows", "signatory"]

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


def manifest_csv_rows(entries: Iterable[Mapping[str, Any]]) -> str:
    """The CSV lines of ``entries`` (no header): a batch's archive writes them chunk by chunk."""
    table = io.StringIO()
    writer = csv.writer(table, delimiter=";", lineterminator="\r\n")
    for entry in entries:
        writer.writerow(_row(entry))
    return table.getvalue()


def manifest_csv(entries: Iterable[Mapping[str, Any]] = (), rows: str | None = None) -> bytes:
    """The manifest as Excel with Indonesian settings opens it: BOM, ";" between fields, CRLF.
    ``rows``: the lines already made by `manifest_csv_rows` instead of ``entries``."""
    header = io.StringIO()
    csv.writer(header, delimiter=";", lineterminator="\r\n").writerow(COLUMNS)
    body = manifest_csv_rows(entries) if rows is None else rows
    return ("\ufeff" + header.getvalue() + body).encode("utf-8")


def manifest_json_piece(entry: Mapping[str, Any]) -> str:
    """One entry as it stands inside manifest.json (``json.dumps(entries, ensure_ascii=False,
    indent=1)``): its own dump one level deeper. A newline inside a JSON string is escaped, so every
    raw newline of the dump is structure. An entry of texts (and empty lists: no warnings) is
    written here with json's own string encoder: with ``indent`` json.dumps runs its pure-Python
    encoder, ~40 us an entry."""
    if entry and all(type(v) is str or (type(v) is list and not v) for v in entry.values()):
        return "{\n  " + ",\n  ".join(f"{encode_basestring(k)}: {encode_basestring(v) if v.__class__ is str else '[]'}"
                                       for k, v in entry.items()) + "\n }"
    return json.dumps(entry, ensure_ascii=False, indent=1).replace("\n", "\n ")


def manifest_json(pieces: list[str]) -> str:
    """manifest.json from the pieces of its entries, in order: the text of ``json.dumps(entries,
    ensure_ascii=False, indent=1)``."""
    return "[\n " + ",\n ".join(pieces) + "\n]" if pieces else "[]"


_SHEET = "xl/worksheets/sheet1.xml"
_LETTERS = [get_column_letter(n) for n in range(1, len(COLUMNS) + 1)]
_SPECIAL = re.compile(ILLEGAL_CHARACTERS_RE.pattern + r"|[&<>\r]")  # most cells have none of these


def _cell_text(value: str) -> str:
    if ILLEGAL_CHARACTERS_RE.search(value):
        raise IllegalCharacterError(f"{value} cannot be used in worksheets.")
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _row_xml(number: int, values: list[str]) -> str:
    """One row as openpyxl's write-only mode writes strings: inline, cut at Excel's 32,767
    characters, whitespace at either end preserved, control characters refused."""
    cells = []
    for letter, value in zip(_LETTERS, values, strict=True):
        value = value[:32767]
        if not value:
            cells.append(f'<c r="{letter}{number}" t="inlineStr"></c>')
            continue
        space = ' xml:space="preserve"' if value != value.strip() else ""
        text = _cell_text(value) if _SPECIAL.search(value) else value
        cells.append(f'<c r="{letter}{number}" t="inlineStr"><is><t{space}>{text}</t></is></c>')
    return f'<row r="{number}">' + "".join(cells) + "</row>"


def manifest_xlsx_rows(entries: Iterable[Mapping[str, Any]], first: int = 2) -> str:
    """The sheet's rows of ``entries``, numbered from ``first`` (row 1 is the header)."""
    return "".join(_row_xml(number, _row(entry)) for number, entry in enumerate(entries, start=first))


def manifest_xlsx(entries: Iterable[Mapping[str, Any]] = (), rows: str | None = None) -> bytes:
    """The manifest as a workbook: every cell text (NIPs and ids stay exact), the header frozen.
    ``rows``: the rows already made by `manifest_xlsx_rows` instead of ``entries``."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Manifest")
    sheet.freeze_panes = "A2"
    sheet.append(list(COLUMNS))
    header_only = io.BytesIO()
    workbook.save(header_only)
    out = io.BytesIO()
    with zipfile.ZipFile(header_only) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == _SHEET:
                head, _, tail = data.decode("utf-8").rpartition("</sheetData>")
                body = manifest_xlsx_rows(entries) if rows is None else rows
                # openpyxl writes the sheet in ASCII, anything else as a character reference
                data = (head + body + "</sheetData>" + tail).encode("ascii", "xmlcharrefreplace")
            target.writestr(info, data)
    return out.getvalue()
