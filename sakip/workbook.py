"""Batch workbooks: the XLSX handed out to fill, and the filled one read back as items.

Each document type has its spec (sheets, columns, example row, drop-downs, instructions and
the reader that assembles an item's data): PK here, LKjIP in doctypes/lkjip/workbook.py.
PK sheets: Petunjuk (instructions), Dokumen (one row per PK), Sasaran (one row per indicator,
grouped into objectives), Anggaran (one row per budget line, optionally under a group);
rows are linked by the Ref column. Row 2 of each sheet is an example, marked CONTOH in its
Ref cell, and is ignored when read back.

Cells are passed on as they are: a text cell "1.250" reaches the models as text and is read
the Indonesian way there (sakip.numbers), a NIP typed as a number arrives as a number and is
refused with the reason. Every field of an item remembers its cell and column header, so an
error found later names them: "Dokumen!L10 (Pihak Pertama - Jabatan): wajib diisi".

Only a workbook whose structure is broken (unreadable, a sheet or header missing, no rows)
is refused whole; a problem inside an item's rows (an unknown Ref in Sasaran, a Ref given
twice) fails that item alone, with its cell.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from sakip.errors import FieldProblem, InvalidPayload
from sakip.messages import entry_message

__all__ = ["COLUMNS", "EXAMPLE_MARK", "PK_WORKBOOK", "ItemReader", "WorkbookItem", "WorkbookSpec", "read_workbook",
           "template_workbook"]

MAX_ROWS = 40000
"""Rows that carry drop-down validation in the handed-out workbook."""

EXAMPLE_MARK = "CONTOH"
"""The Ref of each sheet's example row: rows with this Ref are never read as data."""

COLUMNS: dict[str, list[tuple[str, str]]] = {
    # sheet -> [(header, field path in the item's data)]
    "Dokumen": [
        ("Ref", "ref"), ("Tahun", "tahun"), ("Jenis", "jenis"), ("Tingkat", "tingkat"),
        ("Pemerintah", "instansi.pemerintah"), ("Nama Instansi", "instansi.nama"),
        ("Alamat", "instansi.alamat"), ("Telepon", "instansi.telepon"),
        ("Pihak Pertama - Nama", "pihak_pertama.nama"), ("Pihak Pertama - NIP", "pihak_pertama.nip"),
        ("Pihak Pertama - Pangkat", "pihak_pertama.pangkat"), ("Pihak Pertama - Jabatan", "pihak_pertama.jabatan"),
        ("Pihak Kedua - Nama", "pihak_kedua.nama"), ("Pihak Kedua - NIP", "pihak_kedua.nip"),
        ("Pihak Kedua - Pangkat", "pihak_kedua.pangkat"), ("Pihak Kedua - Jabatan", "pihak_kedua.jabatan"),
        ("Tempat", "tempat"), ("Tanggal", "tanggal"), ("Atasan (Ref/ID PK Atasan)", "atasan"),
    ],
    "Sasaran": [
        ("Ref", "ref"), ("No Sasaran", "no"), ("Sasaran", "uraian"), ("Indikator Kinerja", "indikator.uraian"),
        ("Satuan", "indikator.satuan"), ("Target", "indikator.target"), ("Polaritas", "indikator.polaritas"),
        ("TW I", "tw.0"), ("TW II", "tw.1"), ("TW III", "tw.2"), ("TW IV", "tw.3"),
        ("Kode Sasaran", "kode"), ("Mendukung Sasaran Atasan", "mendukung"),
    ],
    "Anggaran": [
        ("Ref", "ref"), ("Grup (Program/Kegiatan)", "grup"), ("Uraian", "uraian"), ("Jumlah (Rp)", "jumlah"),
        ("Keterangan", "keterangan"),
    ],
}

EXAMPLES: dict[str, list[Any]] = {
    # One example row per sheet, written the way an Indonesian Excel user types (text cells).
    "Dokumen": [EXAMPLE_MARK, 2026, "murni", "jpt", "Pemerintah Provinsi Sumatera Utara",
                "Dinas Komunikasi dan Informatika", "Jl. Contoh No. 1, Medan", "(061) 4567890",
                "Dr. Ir. Rahmat Hidayat Lubis, M.Si.", "19700315 199503 1 002", "Pembina Utama Muda (IV/c)",
                "Kepala Dinas Komunikasi dan Informatika", "H. Tengku Amri Nasution, S.H.", None, None,
                "Gubernur Sumatera Utara", "Medan", "05/01/2026", "GUBERNUR"],
    "Sasaran": [EXAMPLE_MARK, 1, "Meningkatnya keterbukaan informasi publik", "Indeks Keterbukaan Informasi Publik",
                "Indeks", "88,5", "positif", "80", "83,5", "86", "88,5", "SS.1", "2"],
    "Anggaran": [EXAMPLE_MARK, "Program Informasi dan Komunikasi Publik", "Pengelolaan Informasi Publik",
                 "1.500.000.000", "APBD"],
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
    "   TW I-IV diisi bila ada rencana aksi (keempatnya); target triwulan kumulatif: TW IV sama dengan target.",
    "3. Sheet Anggaran: satu baris untuk satu program/kegiatan. Isi kolom Grup bila baris berada di bawah "
    "program/kegiatan induk.",
    "4. Jenis: murni atau perubahan. Tingkat: kepala_daerah, jpt, administrator, pengawas. "
    "Polaritas: positif atau negatif.",
    "5. Angka ditulis cara Indonesia, seperti Excel berbahasa Indonesia: titik untuk ribuan, koma untuk desimal. "
    "1.250 = seribu dua ratus lima puluh; 88,5 = delapan puluh delapan koma lima; 1.250.000,50.",
    "   Angka boleh diketik sebagai angka Excel atau sebagai teks. Bentuk yang tidak jelas (1.25 atau 1,250.50) "
    "ditolak dengan keterangan, tidak ditebak.",
    "   Target boleh berupa teks seperti WTP. Jumlah anggaran boleh diawali Rp: Rp 1.500.000.000.",
    "6. NIP: 18 digit sebagai TEKS (format sel Teks, atau awali dengan tanda '), spasi boleh: 19700315 199503 1 002. "
    "NIP yang diketik sebagai angka ditolak, karena Excel membulatkan digit terakhirnya.",
    "7. Tanggal: sel tanggal Excel, 05/01/2026 (hari/bulan/tahun), 5 Januari 2026, atau 2026-01-05. "
    "Tanggal tidak pernah dibaca bulan lebih dulu.",
    "8. Untuk tingkat kepala_daerah kosongkan kolom Pihak Kedua; pejabat yang dipilih tidak memiliki NIP dan "
    "pangkat.",
    "9. Keselarasan (cascading): kolom Atasan diisi Ref PK atasan dalam workbook yang sama (atau ID dokumen PK "
    "atasan yang sudah diterbitkan layanan ini); kosong hanya untuk kepala_daerah.",
    "   Kode Sasaran (boleh kosong, misalnya SS.1) dan Mendukung Sasaran Atasan (nomor atau kode sasaran atasan "
    "yang didukung) diisi pada baris pertama sasaran.",
    "   Kolom Atasan, Kode Sasaran dan Mendukung Sasaran Atasan boleh tidak ada pada workbook versi lama.",
    f"10. Baris ke-2 setiap sheet (Ref {EXAMPLE_MARK}, huruf miring abu-abu) adalah contoh dan tidak diproses; "
    "isi data mulai baris ke-3.",
    "Baris yang salah akan gagal sendiri dengan keterangan sel dan judul kolom, misalnya "
    "\"Dokumen!L10 (Pihak Pertama - Jabatan): wajib diisi\"; PK lain tetap diproses.",
]


Row = dict[str, tuple[Any, str, str]]
"""{field path: (value, cell address, column header)} of one row."""


@dataclass
class WorkbookItem:
    """An item read from a workbook: ref, data, the cell and column header of each data field,
    and the problems found in its rows (each {loc, code, params, cell, header, msg})."""

    ref: str
    data: dict[str, Any]
    cells: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_item(self) -> dict[str, Any]:
        """The batch item the worker renders."""
        item: dict[str, Any] = {"ref": self.ref, "data": self.data, "cells": self.cells, "headers": self.headers}
        if self.errors:
            item["errors"] = self.errors
        return item

    def fail(self, cell: str, header: str, code: str, **params: Any) -> None:
        entry = {"loc": "ref", "code": code, "params": {k: str(v) for k, v in params.items()},
                 "cell": cell, "header": header}
        self.errors.append({**entry, "msg": entry_message(entry)})


@dataclass(frozen=True)
class WorkbookSpec:
    """One document type's workbook: its sheets' columns, example rows, drop-downs, instructions,
    and the function that builds the items from the sheets' rows."""

    doc_type: str
    columns: dict[str, list[tuple[str, str]]]
    examples: dict[str, list[Any]]
    choices: dict[tuple[str, str], list[str]]
    instructions: list[str]
    assemble: Callable[[dict[str, list[tuple[int, Row]]]], list[WorkbookItem]]
    filename: str
    optional: frozenset[str] = frozenset()
    """Headers that a workbook handed out before they were added may lack (at the end of their sheet)."""


def template_workbook(spec: WorkbookSpec) -> bytes:
    """The empty workbook with headers, an example row, drop-downs and instructions, as XLSX bytes."""
    book = Workbook()
    guide = book.active
    guide.title = "Petunjuk"
    for number, line in enumerate(spec.instructions, start=1):
        guide.cell(row=number, column=1, value=line).font = Font(bold=number == 1)
    guide.column_dimensions["A"].width = 120
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    example_font = Font(italic=True, color="808080")
    for sheet_name, columns in spec.columns.items():
        sheet = book.create_sheet(sheet_name)
        for col, (header, path) in enumerate(columns, start=1):
            cell = sheet.cell(row=1, column=col, value=header)
            cell.font, cell.fill = Font(bold=True), header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            letter = get_column_letter(col)
            sheet.column_dimensions[letter].width = 14 if path in ("ref", "tahun", "no") else 28
            if path.endswith("nip"):  # a text column: Excel would round 18 digits
                sheet.column_dimensions[letter].number_format = "@"
            example = sheet.cell(row=2, column=col, value=spec.examples[sheet_name][col - 1])
            example.font = example_font
            if isinstance(example.value, str):
                example.number_format = "@"  # typed as text, as the instructions say
            choices = spec.choices.get((sheet_name, path))
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
    if isinstance(raw, float) and raw.is_integer() and abs(raw) < 1e15:
        # Whole numbers as such; beyond 15 digits Excel has already rounded: keep the float,
        # so a message shows the number as Excel does (1.98204122006042e+17).
        return int(raw)
    if isinstance(raw, str):
        return raw.strip() or None
    if raw is None or isinstance(raw, (int, float, bool)):
        return raw
    return str(raw)  # a time or duration cell: shown as text, refused by the field that gets it


def _set(target: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        target = target.setdefault(part, {})
    target[last] = value


def _headers_match(headers: list[Any], expected: list[str], optional: frozenset[str]) -> bool:
    """The header row is the expected one, or one of an older workbook that ends before the
    optional columns added since (those read as empty)."""
    while headers and headers[-1] is None:
        headers = headers[:-1]
    if headers == expected:
        return True
    return headers == expected[:len(headers)] and all(h in optional for h in expected[len(headers):])


def _rows(book: Any, sheet_name: str, columns: list[tuple[str, str]],
          optional: frozenset[str] = frozenset()) -> list[tuple[int, Row]]:
    """(row number, row) of every non-empty row that is not the example."""
    if sheet_name not in book.sheetnames:
        raise InvalidPayload([FieldProblem(f"file:{sheet_name}", "workbook_sheet_hilang", {"sheet": sheet_name})])
    sheet = book[sheet_name]
    first = next(sheet.iter_rows(min_row=1, max_row=1), ())
    headers = [c.value for c in first][: len(columns)]
    expected = [h for h, _ in columns]
    if not _headers_match(headers, expected, optional):
        raise InvalidPayload([FieldProblem(f"file:{sheet_name}!1", "workbook_header_berubah",
                                           {"harapan": ", ".join(expected)})])
    rows = []
    for number, row in enumerate(sheet.iter_rows(min_row=2, max_col=len(columns), values_only=True), start=2):
        values = {path: (_value(raw), f"{sheet_name}!{get_column_letter(col)}{number}", header)
                  for col, ((header, path), raw) in enumerate(zip(columns, row, strict=False), start=1)}
        for col, (header, path) in enumerate(columns, start=1):  # short rows: the missing cells are empty
            values.setdefault(path, (None, f"{sheet_name}!{get_column_letter(col)}{number}", header))
        if not any(v is not None for v, _, _ in values.values()):
            continue
        ref = values["ref"][0]
        if isinstance(ref, str) and ref.casefold() == EXAMPLE_MARK.casefold():
            continue
        rows.append((number, values))
    return rows


class ItemReader:
    """Builds the items of one workbook, sheet by sheet: one item per Dokumen row; rows of the
    other sheets join the item of their Ref; rows that belong to no item fail as their own."""

    def __init__(self, empty_data: Callable[[], dict[str, Any]], optional_groups: tuple[str, ...] = ()) -> None:
        self.items: dict[str, WorkbookItem] = {}
        self.first_row: dict[str, int] = {}
        self.orphans: dict[str, WorkbookItem] = {}
        self.empty_data = empty_data
        self.optional_groups = optional_groups

    def note(self, item: WorkbookItem, path: str, cell: str, header: str) -> None:
        """Remember the cell and column header of the field at ``path``."""
        item.cells[path] = cell
        item.headers[path] = header

    def objective(self, item: WorkbookItem, values: Row,
                  objectives: dict[tuple[str, Any], dict[str, Any]]) -> tuple[dict[str, Any], str]:
        """The objective a row's indicator joins (rows with the same Ref and No form one; its text is
        read from the first), and the path of that new indicator."""
        key = (item.ref, values["no"][0])
        if key not in objectives:
            objectives[key] = {"indikator": []}
            uraian, cell, header = values["uraian"]
            if uraian is not None:
                objectives[key]["uraian"] = uraian
            self.note(item, f"sasaran.{len(item.data['sasaran'])}.uraian", cell, header)
            item.data["sasaran"].append(objectives[key])
        objective = objectives[key]
        return objective, f"sasaran.{item.data['sasaran'].index(objective)}.indikator.{len(objective['indikator'])}"

    def all_items(self) -> list[WorkbookItem]:
        """The documents in row order, then the rows that belong to none."""
        return [*self.items.values(), *self.orphans.values()]

    def documents(self, rows: list[tuple[int, Row]]) -> None:
        for number, values in rows:
            ref, ref_cell, ref_header = values.pop("ref")
            if ref is None:
                orphan = self._orphan(f"Dokumen!{number}")
                orphan.fail(ref_cell, ref_header, "ref_wajib")
                continue
            ref = str(ref)
            if ref in self.items:
                self.items[ref].fail(ref_cell, ref_header, "ref_dua_kali", ref=ref, sheet="Dokumen",
                                     baris=f"{self.first_row[ref]}, {number}")
                continue
            item = WorkbookItem(ref=ref, data=self.empty_data())
            for path, (value, cell, header) in values.items():
                if value is not None:
                    _set(item.data, path, value)
                self.note(item, path, cell, header)
            for group in self.optional_groups:  # a group of columns left empty: the record is absent
                if not any(v is not None for p, (v, _, _) in values.items() if p.startswith(group + ".")):
                    item.data.pop(group, None)
            self.items[ref] = item
            self.first_row[ref] = number

    def _orphan(self, ref: str) -> WorkbookItem:
        return self.orphans.setdefault(ref, WorkbookItem(ref=ref, data={}))

    def owner(self, sheet: str, number: int, values: Row) -> WorkbookItem | None:
        """The item a row belongs to; for a row without a known Ref, None after failing it alone."""
        ref, cell, header = values["ref"]
        item = self.items.get(str(ref)) if ref is not None else None
        if item is None:
            orphan = self._orphan(str(ref) if ref is not None else f"{sheet}!{number}")
            if ref is None:
                orphan.fail(cell, header, "ref_wajib")
            else:
                orphan.fail(cell, header, "ref_tidak_dikenal", ref=ref, sheet="Dokumen")
        return item

def _as_reference(value: Any) -> Any:
    """A Ref or a code typed as a whole number (101) is the text 101, as the Ref column reads it."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class _PKReader(ItemReader):
    """The PK's objectives (Sasaran) and budget lines (Anggaran)."""

    def objectives(self, rows: list[tuple[int, Row]]) -> None:
        objectives: dict[tuple[str, Any], dict[str, Any]] = {}
        for number, values in rows:
            item = self.owner("Sasaran", number, values)
            if item is None:
                continue
            objective, prefix = self.objective(item, values, objectives)
            if not objective["indikator"]:  # the objective's first row: its code and the link upwards
                number_in_item = len(item.data["sasaran"]) - 1
                for name in ("kode", "mendukung"):
                    value, cell, header = values[name]
                    if value is not None:
                        objective[name] = _as_reference(value)
                    self.note(item, f"sasaran.{number_in_item}.{name}", cell, header)
            indicator: dict[str, Any] = {}
            for name in ("uraian", "satuan", "target", "polaritas"):
                value, cell, header = values[f"indikator.{name}"]
                if value is not None:
                    indicator[name] = value
                self.note(item, f"{prefix}.{name}", cell, header)
            quarters = [values[f"tw.{q}"] for q in range(4)]
            if any(v is not None for v, _, _ in quarters):
                indicator["triwulan"] = [v for v, _, _ in quarters]
                self.note(item, f"{prefix}.triwulan", quarters[0][1], quarters[0][2])
                for q, (_, cell, header) in enumerate(quarters):
                    self.note(item, f"{prefix}.triwulan.{q}", cell, header)
            objective["indikator"].append(indicator)

    def budget(self, rows: list[tuple[int, Row]]) -> None:
        groups: dict[tuple[str, str], dict[str, Any]] = {}
        for number, values in rows:
            item = self.owner("Anggaran", number, values)
            if item is None:
                continue
            line = {k: values[k][0] for k in ("uraian", "jumlah", "keterangan") if values[k][0] is not None}
            group_name, group_cell, group_header = values["grup"]
            budget = item.data["anggaran"]
            if group_name is None:
                prefix = f"anggaran.{len(budget)}"
                budget.append(line)
            else:
                key = (item.ref, str(group_name))
                if key not in groups:
                    groups[key] = {"uraian": str(group_name), "rincian": []}
                    self.note(item, f"anggaran.{len(budget)}.uraian", group_cell, group_header)
                    budget.append(groups[key])
                group = groups[key]
                prefix = f"anggaran.{budget.index(group)}.rincian.{len(group['rincian'])}"
                group["rincian"].append(line)
            for name in ("uraian", "jumlah", "keterangan"):
                _, cell, header = values[name]
                self.note(item, f"{prefix}.{name}", cell, header)


def _assemble_pk(sheets: dict[str, list[tuple[int, Row]]]) -> list[WorkbookItem]:
    reader = _PKReader(lambda: {"sasaran": [], "anggaran": []}, optional_groups=("pihak_kedua",))
    reader.documents(sheets["Dokumen"])
    for item in reader.items.values():
        if "atasan" in item.data:
            item.data["atasan"] = _as_reference(item.data["atasan"])
    reader.objectives(sheets["Sasaran"])
    reader.budget(sheets["Anggaran"])
    return reader.all_items()


PK_WORKBOOK = WorkbookSpec(doc_type="pk", columns=COLUMNS, examples=EXAMPLES, choices=CHOICES,
                           instructions=INSTRUCTIONS, assemble=_assemble_pk, filename="PK-batch-template.xlsx",
                           optional=frozenset({"Atasan (Ref/ID PK Atasan)", "Kode Sasaran",
                                               "Mendukung Sasaran Atasan"}))
"""The PK workbook."""


def read_workbook(spec: WorkbookSpec, content: bytes) -> list[WorkbookItem]:
    """The items of a filled workbook, each carrying the problems of its own rows; rows that
    belong to no document (no Ref, an unknown Ref) are items of their own that fail.
    InvalidPayload only for a workbook whose structure is broken."""
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:
        raise InvalidPayload([FieldProblem("file", "workbook_rusak", {"alasan": type(exc).__name__})]) from None
    sheets = {name: _rows(book, name, columns, spec.optional) for name, columns in spec.columns.items()}
    items = spec.assemble(sheets)
    if not items:
        raise InvalidPayload([FieldProblem("file:Dokumen", "workbook_kosong")])
    return items
