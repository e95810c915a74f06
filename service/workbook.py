"""The PK batch workbook: the XLSX handed out to fill, and the filled one read back as items.

Sheets: Petunjuk (instructions), Dokumen (one row per PK), Sasaran (one row per indicator,
grouped into objectives), Anggaran (one row per budget line, optionally under a group);
rows are linked by the Ref column. Every field of an item remembers its cell, so an error
found later in the data names sheet, row and column.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from sakip.errors import FieldProblem, InvalidPayload

__all__ = ["COLUMNS", "WorkbookItem", "pk_template_workbook", "read_pk_workbook"]

MAX_ROWS = 40000
"""Rows that carry drop-down validation in the handed-out workbook."""

COLUMNS: dict[str, list[tuple[str, str]]] = {
    # sheet -> [(header, field path in the item's data)]
    "Dokumen": [
        ("Ref", "ref"), ("Tahun", "tahun"), ("Jenis", "jenis"), ("Tingkat", "tingkat"),
        ("Pemerintah", "instansi.pemerintah"), ("Nama Instansi", "instansi.nama"),
        ("Alamat", "instansi.alamat"), ("Telepon", "instansi.telepon"),
        ("Pihak Pertama: Nama", "pihak_pertama.nama"), ("Pihak Pertama: NIP", "pihak_pertama.nip"),
        ("Pihak Pertama: Pangkat", "pihak_pertama.pangkat"), ("Pihak Pertama: Jabatan", "pihak_pertama.jabatan"),
        ("Pihak Kedua: Nama", "pihak_kedua.nama"), ("Pihak Kedua: NIP", "pihak_kedua.nip"),
        ("Pihak Kedua: Pangkat", "pihak_kedua.pangkat"), ("Pihak Kedua: Jabatan", "pihak_kedua.jabatan"),
        ("Tempat", "tempat"), ("Tanggal", "tanggal"),
    ],
    "Sasaran": [
        ("Ref", "ref"), ("No Sasaran", "no"), ("Sasaran", "uraian"), ("Indikator Kinerja", "indikator.uraian"),
        ("Satuan", "indikator.satuan"), ("Target", "indikator.target"), ("Polaritas", "indikator.polaritas"),
        ("TW I", "tw.0"), ("TW II", "tw.1"), ("TW III", "tw.2"), ("TW IV", "tw.3"),
    ],
    "Anggaran": [
        ("Ref", "ref"), ("Grup (Program/Kegiatan)", "grup"), ("Uraian", "uraian"), ("Jumlah (Rp)", "jumlah"),
        ("Keterangan", "keterangan"),
    ],
}

CHOICES = {
    ("Dokumen", "jenis"): ["murni", "perubahan"],
    ("Dokumen", "tingkat"): ["kepala_daerah", "jpt", "administrator", "pengawas"],
    ("Sasaran", "indikator.polaritas"): ["positif", "negatif"],
}

INSTRUCTIONS = [
    "PETUNJUK PENGISIAN PERJANJIAN KINERJA (PK) MASSAL",
    "",
    "1. Sheet Dokumen: satu baris untuk satu PK. Kolom Ref wajib diisi dan unik (misalnya NIP atau kode).",
    "2. Sheet Sasaran: satu baris untuk satu indikator kinerja. Ref menghubungkan baris ke PK di sheet Dokumen.",
    "   Indikator dengan Ref dan No Sasaran yang sama dikelompokkan dalam satu sasaran; teks sasaran cukup "
    "diisi pada baris pertama.",
    "   Target boleh berupa angka (gunakan titik desimal Excel) atau teks seperti WTP. TW I-IV diisi bila ada "
    "rencana aksi (keempatnya).",
    "3. Sheet Anggaran: satu baris untuk satu program/kegiatan. Isi kolom Grup bila baris berada di bawah "
    "program/kegiatan induk.",
    "4. Jenis: murni atau perubahan. Tingkat: kepala_daerah, jpt, administrator, pengawas. "
    "Polaritas: positif atau negatif.",
    "5. NIP ditulis 18 digit sebagai teks. Tanggal dalam format tanggal Excel atau YYYY-MM-DD.",
    "6. Untuk tingkat kepala_daerah kosongkan kolom Pihak Kedua; pejabat yang dipilih tidak memiliki NIP dan "
    "pangkat.",
    "Baris yang salah akan gagal sendiri dengan keterangan sel (sheet, baris, kolom); baris lain tetap diproses.",
]


@dataclass
class WorkbookItem:
    """An item read from a workbook: ref, data, and the cell of each data field."""

    ref: str
    data: dict[str, Any]
    cells: dict[str, str]


def pk_template_workbook() -> bytes:
    """The empty PK workbook with headers, drop-downs and instructions, as XLSX bytes."""
    book = Workbook()
    guide = book.active
    guide.title = "Petunjuk"
    for number, line in enumerate(INSTRUCTIONS, start=1):
        guide.cell(row=number, column=1, value=line).font = Font(bold=number == 1)
    guide.column_dimensions["A"].width = 120
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for sheet_name, columns in COLUMNS.items():
        sheet = book.create_sheet(sheet_name)
        for col, (header, path) in enumerate(columns, start=1):
            cell = sheet.cell(row=1, column=col, value=header)
            cell.font, cell.fill = Font(bold=True), header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            letter = get_column_letter(col)
            sheet.column_dimensions[letter].width = 14 if path in ("ref", "tahun", "no") else 28
            if path.endswith("nip"):  # a text column: Excel would round 18 digits
                sheet.column_dimensions[letter].number_format = "@"
            choices = CHOICES.get((sheet_name, path))
            if choices:
                rule = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                                      showErrorMessage=True, errorTitle="Nilai tidak valid",
                                      error="Pilih salah satu: " + ", ".join(choices))
                rule.add(f"{letter}2:{letter}{MAX_ROWS}")
                sheet.add_data_validation(rule)
        sheet.freeze_panes = "B2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _value(raw: Any) -> Any:
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat()
    if isinstance(raw, dt.date):
        return raw.isoformat()
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str):
        return raw.strip() or None
    return raw


def _set(target: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        target = target.setdefault(part, {})
    target[last] = value


def _rows(book: Any, sheet_name: str) -> list[tuple[int, dict[str, tuple[Any, str]]]]:
    """(row number, {field path: (value, cell address)}) of every non-empty row."""
    if sheet_name not in book.sheetnames:
        raise InvalidPayload([FieldProblem(f"file:{sheet_name}", f"the workbook has no sheet '{sheet_name}'")])
    sheet = book[sheet_name]
    columns = COLUMNS[sheet_name]
    headers = [c.value for c in next(sheet.iter_rows(min_row=1, max_row=1))][: len(columns)]
    expected = [h for h, _ in columns]
    if headers != expected:
        raise InvalidPayload([FieldProblem(f"file:{sheet_name}!1", "the header row was changed; expected: "
                                           + ", ".join(expected))])
    rows = []
    for number, row in enumerate(sheet.iter_rows(min_row=2, max_col=len(columns), values_only=True), start=2):
        values = {path: (_value(raw), f"{sheet_name}!{get_column_letter(col)}{number}")
                  for col, ((_, path), raw) in enumerate(zip(columns, row, strict=False), start=1)}
        if any(v is not None for v, _ in values.values()):
            rows.append((number, values))
    return rows


def read_pk_workbook(content: bytes) -> list[WorkbookItem]:
    """The items of a filled workbook; InvalidPayload naming the cell for structural errors."""
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:
        raise InvalidPayload([FieldProblem("file", f"not a readable XLSX workbook: {type(exc).__name__}")]) from None
    items: dict[str, WorkbookItem] = {}
    problems: list[FieldProblem] = []
    for _, values in _rows(book, "Dokumen"):
        ref, ref_cell = values.pop("ref")
        if ref is None:
            problems.append(FieldProblem(f"file:{ref_cell}", "Ref is required"))
            continue
        ref = str(ref)
        if ref in items:
            problems.append(FieldProblem(f"file:{ref_cell}", f"Ref '{ref}' appears twice in Dokumen"))
            continue
        item = WorkbookItem(ref=ref, data={"sasaran": [], "anggaran": []}, cells={})
        for path, (value, cell) in values.items():
            if value is not None:
                _set(item.data, path, str(value) if path.endswith("nip") else value)
            item.cells[path] = cell
        if not any(v is not None for p, (v, _) in values.items() if p.startswith("pihak_kedua.")):
            item.data.pop("pihak_kedua", None)
        items[ref] = item
    objectives: dict[tuple[str, Any], dict[str, Any]] = {}
    for _, values in _rows(book, "Sasaran"):
        ref, ref_cell = values["ref"]
        item = items.get(str(ref)) if ref is not None else None
        if item is None:
            problems.append(FieldProblem(f"file:{ref_cell}", f"Ref '{ref}' is not in sheet Dokumen"))
            continue
        key = (item.ref, values["no"][0])
        if key not in objectives:
            objectives[key] = {"uraian": values["uraian"][0], "indikator": []}
            item.cells[f"sasaran.{len(item.data['sasaran'])}.uraian"] = values["uraian"][1]
            item.data["sasaran"].append(objectives[key])
        objective = objectives[key]
        s_index = item.data["sasaran"].index(objective)
        prefix = f"sasaran.{s_index}.indikator.{len(objective['indikator'])}"
        indicator: dict[str, Any] = {}
        for field in ("uraian", "satuan", "target", "polaritas"):
            value, cell = values[f"indikator.{field}"]
            if value is not None:
                indicator[field] = value
            item.cells[f"{prefix}.{field}"] = cell
        quarters = [values[f"tw.{q}"] for q in range(4)]
        if any(v is not None for v, _ in quarters):
            indicator["triwulan"] = [v for v, _ in quarters]
            item.cells[f"{prefix}.triwulan"] = quarters[0][1]
            for q, (_, cell) in enumerate(quarters):
                item.cells[f"{prefix}.triwulan.{q}"] = cell
        objective["indikator"].append(indicator)
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for _, values in _rows(book, "Anggaran"):
        ref, ref_cell = values["ref"]
        item = items.get(str(ref)) if ref is not None else None
        if item is None:
            problems.append(FieldProblem(f"file:{ref_cell}", f"Ref '{ref}' is not in sheet Dokumen"))
            continue
        line = {k: values[k][0] for k in ("uraian", "jumlah", "keterangan") if values[k][0] is not None}
        group_name = values["grup"][0]
        budget = item.data["anggaran"]
        if group_name is None:
            prefix = f"anggaran.{len(budget)}"
            budget.append(line)
        else:
            key = (item.ref, str(group_name))
            if key not in groups:
                groups[key] = {"uraian": str(group_name), "rincian": []}
                item.cells[f"anggaran.{len(budget)}.uraian"] = values["grup"][1]
                budget.append(groups[key])
            group = groups[key]
            prefix = f"anggaran.{budget.index(group)}.rincian.{len(group['rincian'])}"
            group["rincian"].append(line)
        for field in ("uraian", "jumlah", "keterangan"):
            item.cells[f"{prefix}.{field}"] = values[field][1]
    if problems:
        raise InvalidPayload(problems)
    if not items:
        raise InvalidPayload([FieldProblem("file:Dokumen", "the workbook holds no PK rows")])
    return list(items.values())
