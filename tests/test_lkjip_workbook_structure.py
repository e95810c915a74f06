"""The LKjIP workbook carries what a report made as JSON can: the objective each program serves
(Anggaran's No Sasaran: the efficiency per objective) and the organisation's units (the Struktur
sheet: the organisation chart and its outline). A unit whose parent isn't listed fails its own
report naming the cell; a workbook handed out before these were added still reads."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook

from config.settings import Settings, get_settings
from service.app import create_app
from tests.docx_reading import full_text, open_docx
from tests.test_lkjip_workbook import _head

INDICATORS = [
    ["L-1", 1, "Meningkatnya keterbukaan informasi publik", "Indeks Keterbukaan Informasi Publik", "Indeks",
     "positif", None, "88,5", "90,12"],
    ["L-1", 2, "Menurunnya insiden siber", "Jumlah insiden siber", "Kejadian", "negatif", "B", "10", "12"],
    ["L-2", 1, "Meningkatnya mutu pendidikan", "Angka partisipasi", "%", "positif", None, "95", "96"],
]


@pytest.fixture
def batch_client(settings, monkeypatch):
    get_settings.cache_clear()
    return create_app(Settings()).test_client()


def _template(client) -> bytes:
    response = client.get("/api/v1/batches/template.xlsx?type=lkjip")
    assert response.status_code == 200
    return response.data


def _filled(template: bytes, *, old: bool = False) -> bytes:
    book = load_workbook(io.BytesIO(template))
    book["Dokumen"].append(_head("L-1", "Dinas Komunikasi dan Informatika"))
    book["Dokumen"].append(_head("L-2", "Dinas Pendidikan"))
    for row in INDICATORS:
        book["Indikator"].append(row)
    budget = book["Anggaran"]
    if old:  # the workbook as handed out before: no No Sasaran column, no Struktur sheet
        budget.delete_cols(6)
        del book["Struktur"]
        budget.append(["L-1", "Program Informasi dan Komunikasi Publik", "4.250.000.000", "4.012.345.678", "APBD"])
    else:
        budget.append(["L-1", "Program Informasi dan Komunikasi Publik", "4.250.000.000", "4.012.345.678", "APBD", 1])
        budget.append(["L-1", "Program Aplikasi Informatika", "1.000.000.000", "900.000.000", "APBD", 2])
        budget.append(["L-2", "Program Pendidikan", "2.000.000.000", "1.900.000.000", "APBD", None])
        units = book["Struktur"]
        units.append(["L-1", "Kepala Dinas", None])
        units.append(["L-1", "Sekretariat", "Kepala Dinas"])
        units.append(["L-1", "Bidang Persandian dan Keamanan Informasi", "Kepala Dinas"])
        units.append(["L-2", "Kepala Dinas", None])
        units.append(["L-2", "Bidang Sekolah Dasar", "Kepala Bidang"])  # no such unit in L-2
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _run(client, run_bulk_worker, content: bytes) -> tuple[dict, zipfile.ZipFile]:
    response = client.post("/api/v1/batches", data={"type": "lkjip", "file": (io.BytesIO(content), "lkjip.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 202, response.get_json()
    batch_id = response.get_json()["id"]
    run_bulk_worker()
    failed = client.get(f"/api/v1/batches/{batch_id}/errors").get_json()["failed"]
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/api/v1/batches/{batch_id}/archive").data))
    return {f["ref"]: [e["msg"] for e in f["errors"]] for f in failed}, archive


def test_the_template_has_the_struktur_sheet_and_the_no_sasaran_column(batch_client):
    book = load_workbook(io.BytesIO(_template(batch_client)))
    assert book.sheetnames == ["Petunjuk", "Dokumen", "Indikator", "Riwayat", "Anggaran", "Struktur"]
    assert [c.value for c in book["Anggaran"][1]][-1] == "No Sasaran"
    assert [c.value for c in book["Struktur"][1]] == ["Ref", "Unit Organisasi", "Unit Induk"]
    guide = "\n".join(str(c.value) for c in book["Petunjuk"]["A"] if c.value)
    assert "Sheet Struktur" in guide and "No Sasaran" in guide


def test_units_and_objectives_from_the_workbook_reach_the_report(batch_client, run_bulk_worker):
    failed, archive = _run(batch_client, run_bulk_worker, _filled(_template(batch_client)))
    assert failed == {"L-2": ['Struktur!C7 (Unit Induk): unit induk "Kepala Bidang" tidak ada dalam daftar unit']}
    text = full_text(open_docx(archive.read("LKjIP-2025-Dinas-Komunikasi-dan-Informatika.docx")))
    for printed in ("Bagan Struktur Organisasi Dinas Komunikasi dan Informatika", "Sekretariat",
                    "Bidang Persandian dan Keamanan Informasi", "Menurunnya insiden siber"):
        assert printed in text, printed
    assert "Efisiensi Penggunaan Anggaran per Sasaran Tahun 2025" in text and "Rp\u00a0900.000.000" in text


def test_a_workbook_handed_out_before_still_reads(batch_client, run_bulk_worker):
    failed, archive = _run(batch_client, run_bulk_worker, _filled(_template(batch_client), old=True))
    assert failed == {}
    names = archive.namelist()
    assert "LKjIP-2025-Dinas-Komunikasi-dan-Informatika.docx" in names
    text = full_text(open_docx(archive.read("LKjIP-2025-Dinas-Komunikasi-dan-Informatika.docx")))
    assert "Rp\u00a04.012.345.678" in text
    assert "Bagan Struktur Organisasi" not in text and "Efisiensi Penggunaan Anggaran per Sasaran" not in text
