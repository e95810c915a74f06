"""Batch workbooks: the XLSX handed out to fill, and the filled one read back as items.

Each document type that comes as a workbook has its spec in its folder (doctypes/<type>/workbook.py:
sheets, columns, example row, drop-downs, instructions and the reader that assembles an item's
data); this module draws and reads any of them. Rows are linked by the Ref column. Row 2 of each
sheet is an example, marked CONTOH in its Ref cell, and is ignored when read back.

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

__all__ = ["EXAMPLE_MARK", "ItemReader", "Row", "WorkbookItem", "WorkbookSpec", "read_workbook", "template_workbook"]

MAX_ROWS = 40000
"""Rows that carry drop-down validation in the handed-out workbook."""

EXAMPLE_MARK = "CONTOH"
"""The Ref of each sheet's example row: rows with this Ref are never read as data."""

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
    optional_sheets: frozenset[str] = frozenset()
    """Sheets that a workbook handed out before they were added may lack (read as empty)."""


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
          optional: frozenset[str] = frozenset(), optional_sheets: frozenset[str] = frozenset()
          ) -> list[tuple[int, Row]]:
    """(row number, row) of every non-empty row that is not the example."""
    if sheet_name not in book.sheetnames and sheet_name in optional_sheets:
        return []
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

def read_workbook(spec: WorkbookSpec, content: bytes) -> list[WorkbookItem]:
    """The items of a filled workbook, each carrying the problems of its own rows; rows that
    belong to no document (no Ref, an unknown Ref) are items of their own that fail.
    InvalidPayload only for a workbook whose structure is broken."""
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:
        raise InvalidPayload([FieldProblem("file", "workbook_rusak", {"alasan": type(exc).__name__})]) from None
    sheets = {name: _rows(book, name, columns, spec.optional, spec.optional_sheets)
              for name, columns in spec.columns.items()}
    items = spec.assemble(sheets)
    if not items:
        raise InvalidPayload([FieldProblem("file:Dokumen", "workbook_kosong")])
    return items
