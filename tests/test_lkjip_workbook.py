"""The LKjIP batch workbook: filled the Indonesian way, read back into reports with every figure
as meant; a problem in a report's rows fails that report alone, naming cell and header."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook

from config.settings import Settings, get_settings
from service.app import create_app
from tests.docx_reading import full_text, open_docx


@pytest.fixture
def batch_client(settings, monkeypatch):
    monkeypatch.setenv("DOCGEN_BATCH_CHUNK_SIZE", "2")
    get_settings.cache_clear()
    return create_app(Settings()).test_client()


def _head(ref: str, agency: str) -> list:
    return [ref, 2025, "Pemerintah Provinsi Sumatera Utara", agency, None, None, "Dr. Ir. Rahmat Hidayat Lubis, M.Si.",
            "19700315 199503 1 002", "Pembina Utama Muda (IV/c)", f"Kepala {agency}", "Medan", "20/02/2026",
            "2024-2026"]


def _filled(template: bytes) -> bytes:
    book = load_workbook(io.BytesIO(template))
    book["Dokumen"].append(_head("L-1", "Dinas Komunikasi dan Informatika"))
    book["Dokumen"].append(_head("L-2", "Dinas Pendidikan"))
    indicators = book["Indikator"]
    indicators.append(["L-1", 1, "Meningkatnya keterbukaan informasi publik", "Indeks Keterbukaan Informasi Publik",
                       "Indeks", "positif", None, "88,5", "90,12", "92", None,
                       "Capaian melampaui target.\nDaftar informasi publik lengkap.", None, None, None])
    indicators.append(["L-1", 2, "Menurunnya insiden siber", "Jumlah insiden siber", "Kejadian", "negatif", "B",
                       "10", "12", None, None, "Serangan meningkat.", None, "Kurang tenaga ahli.", "Pelatihan."])
    indicators.append(["L-2", 1, "Meningkatnya mutu pendidikan", "Angka partisipasi", "%", "positif", None,
                       "95", "96", None, None])
    history = book["Riwayat"]
    history.append(["L-1", "Indeks Keterbukaan Informasi Publik", 2024, "85", "86,4"])
    history.append(["L-1", "indeks keterbukaan  informasi publik", 2023, "80", "78,4"])
    history.append(["L-2", "Angka partisipas", 2024, "90", "91"])  # typo: L-2 fails, naming the cell
    budget = book["Anggaran"]
    budget.append(["L-1", "Program Informasi dan Komunikasi Publik", "Rp 4.250.000.000", "4.012.345.678", "APBD"])
    budget.append(["L-1", "Program Aplikasi Informatika", 12780500000, "11.902.111.500", "APBD"])
    budget.append(["L-2", "Program Pendidikan", "1.000.000", "1.500.000", "APBD"])  # above pagu
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_lkjip_workbook_round_trip(batch_client, run_bulk_worker):
    template = batch_client.get("/api/v1/batches/template.xlsx?type=lkjip")
    assert template.status_code == 200
    book = load_workbook(io.BytesIO(template.data))
    assert book.sheetnames == ["Petunjuk", "Dokumen", "Indikator", "Riwayat", "Anggaran", "Struktur"]
    assert all(book[s]["A2"].value == "CONTOH" for s in book.sheetnames[1:])
    response = batch_client.post("/api/v1/batches", data={"type": "lkjip", "file": (
        io.BytesIO(_filled(template.data)), "lkjip.xlsx")}, content_type="multipart/form-data")
    assert response.status_code == 202, response.get_json()
    batch_id = response.get_json()["id"]
    run_bulk_worker()

    failed = batch_client.get(f"/api/v1/batches/{batch_id}/errors").get_json()["failed"]
    assert [(f["ref"], [e["msg"] for e in f["errors"]]) for f in failed] == [("L-2", [
        "Riwayat!B5 (Indikator Kinerja): indikator \"Angka partisipas\" tidak ada di sheet Indikator untuk Ref ini",
        "Anggaran!D5 (Realisasi (Rp)): tidak boleh melebihi pagu",
    ])]
    warnings = batch_client.get(f"/api/v1/batches/{batch_id}/warnings").get_json()["items"]
    assert {w["code"] for w in warnings[0]["warnings"]} >= {"bagian_kosong"}

    archive = zipfile.ZipFile(io.BytesIO(batch_client.get(f"/api/v1/batches/{batch_id}/archive").data))
    text = full_text(open_docx(archive.read("LKjIP-2025-Dinas-Komunikasi-dan-Informatika.docx")))
    for printed in ("88,5", "90,12", "101,83%", "86,4", "78,4", "Rp\u00a04.250.000.000", "Rp\u00a04.012.345.678",
                    "Rp\u00a017.030.500.000", "83,33%", "Daftar informasi publik lengkap.", "20 Februari 2026"):
        assert printed in text, printed
