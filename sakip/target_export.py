"""The targets of PKs as a table for performance, merit and allowance (TPP) systems: one row per
official per indicator, as CSV (for Indonesian Excel), XLSX or JSON.

The column set is versioned (COLUMNS_VERSION, written in every row's ``versi_kolom`` column and
in the JSON): a change of columns is a new version, so an importing system notices it.
CSV: UTF-8 with BOM, semicolon-separated, decimal comma, so Excel set to Indonesian opens it as
columns and numbers; every text cell goes through sakip.cells.text_cell (no formula runs).
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook

from sakip import exactjson
from sakip.cascade import Cascade
from sakip.cells import text_cell

__all__ = ["COLUMNS", "COLUMNS_VERSION", "FORMATS", "export_bytes", "export_rows"]

COLUMNS_VERSION = 1
"""Bump when COLUMNS change (names, order or meaning)."""

COLUMNS = (
    "versi_kolom", "id_dokumen", "ref", "tahun", "nip", "nama", "jabatan", "instansi", "tingkat",
    "sasaran_no", "sasaran_kode", "sasaran", "indikator_no", "indikator", "satuan", "target",
    "target_tw1", "target_tw2", "target_tw3", "target_tw4", "polaritas",
    "atasan", "atasan_nip", "atasan_nama", "mendukung", "sasaran_atasan",
)
"""The columns, in order (README: "Ekspor target")."""

FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
"""Export formats and their content types."""


def export_rows(cascade: Cascade) -> list[dict[str, Any]]:
    """One row per official per indicator, in the order of the PKs and their objectives.

    The superior's NIP and name come from the superior's PK when the list has it, else from the
    PK's own second party (who signs as the superior); ``sasaran_atasan`` is the text of the
    objective ``mendukung`` names, when it was found."""
    rows: list[dict[str, Any]] = []
    for node in cascade.nodes.values():
        if node.entry.external:
            continue
        data = node.entry.data
        parent = cascade.nodes[node.parent] if node.parent else None
        superior = parent.entry.data.pihak_pertama if parent else data.pihak_kedua
        for s, sasaran in enumerate(data.sasaran):
            served = parent.entry.data.sasaran[node.serves[s]].uraian if parent and s in node.serves else None
            for i, ind in enumerate(sasaran.indikator):
                quarters: list[Decimal | str | None] = list(ind.triwulan) if ind.triwulan else [None] * 4
                rows.append({
                    "versi_kolom": COLUMNS_VERSION, "id_dokumen": node.entry.id or None, "ref": node.entry.ref or None,
                    "tahun": data.tahun, "nip": data.pihak_pertama.nip, "nama": data.pihak_pertama.nama,
                    "jabatan": data.pihak_pertama.jabatan, "instansi": data.instansi.nama,
                    "tingkat": data.tingkat.value, "sasaran_no": s + 1, "sasaran_kode": sasaran.kode,
                    "sasaran": sasaran.uraian, "indikator_no": i + 1, "indikator": ind.uraian,
                    "satuan": ind.satuan, "target": ind.target,
                    **{f"target_tw{q + 1}": quarters[q] for q in range(4)},
                    "polaritas": ind.polaritas, "atasan": data.atasan,
                    "atasan_nip": superior.nip if superior else None,
                    "atasan_nama": superior.nama if superior else None,
                    "mendukung": sasaran.mendukung, "sasaran_atasan": served,
                })
    return rows


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    if isinstance(value, int):
        return str(value)
    return str(text_cell(value))


def _csv(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_csv_cell(row[c]) for c in COLUMNS])
    return "\ufeff".encode() + out.getvalue().encode()


def _xlsx(rows: list[dict[str, Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Target"
    sheet.append(list(COLUMNS))
    for row in rows:
        # Decimals as numbers (openpyxl writes them digit for digit); texts can't run as formulas.
        sheet.append([text_cell(row[c]) for c in COLUMNS])
    for cell in sheet["E"][1:]:  # NIPs stay text: as numbers Excel would round the 18 digits
        cell.number_format = "@"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _json(rows: list[dict[str, Any]]) -> bytes:
    return exactjson.dumps({"versi_kolom": COLUMNS_VERSION, "kolom": list(COLUMNS), "baris": rows}).encode()


def export_bytes(cascade: Cascade, fmt: str) -> bytes:
    """The export of ``cascade``'s PKs in ``fmt`` (a key of FORMATS)."""
    rows = export_rows(cascade)
    return {"csv": _csv, "xlsx": _xlsx, "json": _json}[fmt](rows)
