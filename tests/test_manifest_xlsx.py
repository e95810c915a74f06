"""manifest.xlsx: the rows written into openpyxl's workbook are the XML openpyxl itself writes."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import IllegalCharacterError

from workers.archive_files import COLUMNS, _row, manifest_xlsx

TRICKY = [
    {"ref": "A&B <1>", "id": "0" * 32, "nama": "Siti Ma'rifah \"Ita\" Harahap, S.Sos.", "nip": "19700315 199503 1 002",
     "file": "PK-2026-Dinas.docx", "sha256": "f" * 64, "status": "finished", "error": "",
     "warnings": [{"msg": "target 0 %"}, {"msg": "baris dua\r\nbaris tiga\tkolom"}],
     "verify_url": "http://docgen.test/verify/" + "0" * 32},
    {"ref": " spasi di depan", "id": "1" * 32, "nama": "=HYPERLINK(\"x\")", "nip": "-1", "file": "", "sha256": "",
     "status": "failed", "error": "Ş é 中文 " + "x" * 40000, "warnings": [], "verify_url": ""},
    {"ref": "@SUM(A1)", "id": "", "nama": "+62 812", "nip": "", "file": "", "sha256": "", "status": "failed",
     "error": "trailing space ", "verify_url": ""},
]


def _sheet_xml(xlsx: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


def _openpyxl_alone(entries: list[dict]) -> bytes:
    """The manifest as openpyxl's write-only mode writes every row itself (the reference)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Manifest")
    sheet.freeze_panes = "A2"
    sheet.append(list(COLUMNS))
    for entry in entries:
        sheet.append(_row(entry))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_rows_are_the_xml_openpyxl_writes():
    ours = manifest_xlsx(TRICKY)
    assert _sheet_xml(ours) == _sheet_xml(_openpyxl_alone(TRICKY))
    with zipfile.ZipFile(io.BytesIO(ours)) as archive, \
            zipfile.ZipFile(io.BytesIO(_openpyxl_alone(TRICKY))) as reference:
        assert archive.namelist() == reference.namelist()


def test_excel_reads_every_cell_as_text():
    sheet = load_workbook(io.BytesIO(manifest_xlsx(TRICKY))).active
    table = [[c.value for c in row] for row in sheet.iter_rows()]
    assert table[0] == list(COLUMNS)
    assert table[1][:3] == ["A&B <1>", "0" * 32, "Siti Ma'rifah \"Ita\" Harahap, S.Sos."]
    assert table[1][8] == "target 0 %; baris dua\r\nbaris tiga\tkolom"
    assert table[2][0] == " spasi di depan" and table[2][2] == "'=HYPERLINK(\"x\")"
    assert len(table[2][7]) == 32767 and table[2][7].startswith("Ş é 中文 ")
    assert table[3][0] == "'@SUM(A1)" and table[3][2] == "'+62 812" and table[3][7] == "trailing space "
    assert sheet.freeze_panes == "A2"


def test_a_control_character_is_refused_as_openpyxl_refuses_it():
    entry = dict(TRICKY[0], nama="Nama\x01")
    with pytest.raises(IllegalCharacterError):
        _openpyxl_alone([entry])
    with pytest.raises(IllegalCharacterError):
        manifest_xlsx([entry])
