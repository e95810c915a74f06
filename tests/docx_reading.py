"""Reading a produced .docx the way a reader would: its text, its tables, nested ones included."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import docx
from docx.document import Document
from docx.table import Table


def open_docx(content: bytes) -> Document:
    return docx.Document(io.BytesIO(content))


def _tables_in(tables: list[Table]) -> list[Table]:
    found = []
    for table in tables:
        found.append(table)
        for row in table.rows:
            for cell in row.cells:
                found.extend(_tables_in(cell.tables))
    return found


def all_tables(document: Document) -> list[Table]:
    """Every table, depth first, nested tables after their parent."""
    return _tables_in(document.tables)


def rows(table: Table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def full_text(document: Document) -> str:
    """Body paragraphs and the text of every table cell, one line each."""
    lines = [p.text for p in document.paragraphs]
    for table in all_tables(document):
        for row in table.rows:
            for cell in row.cells:
                lines.extend(p.text for p in cell.paragraphs)
    return "\n".join(lines)


def table_with_header(document: Document, first_cells: list[str]) -> Table:
    """The table whose first row starts with ``first_cells``."""
    for table in all_tables(document):
        header = [cell.text for cell in table.rows[0].cells]
        if header[: len(first_cells)] == first_cells:
            return table
    raise AssertionError(f"no table with header {first_cells}")


def document_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read("word/document.xml").decode("utf-8")


def patched_docx(content: bytes, name: str, change: Callable[[bytes], bytes]) -> bytes:
    """``content`` with its part ``name`` passed through ``change``, the other parts unchanged."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry)
            target.writestr(entry, change(data) if entry.filename == name else data)
    return out.getvalue()
