"""Alignment findings reach the user: a linked batch's items carry them as quality warnings (the
batch's warnings, each document's record, the archive's manifest.csv and manifest.xlsx), and the
PK workbook has the columns that link PKs (Atasan, Kode Sasaran, Mendukung Sasaran Atasan)."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.province import EXPECTED_FINDINGS, province


@pytest.fixture
def cascade_client(settings, monkeypatch):
    from config.settings import Settings, get_settings
    from service.app import create_app

    monkeypatch.setenv("DOCGEN_MAX_BATCH_ITEMS", "500")
    get_settings.cache_clear()
    return create_app(Settings()).test_client()


def _archive(client, batch_id: str) -> zipfile.ZipFile:
    response = client.get(f"/api/v1/batches/{batch_id}/archive")
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(response.data))


def test_the_province_batch_warns_each_item_of_its_findings(cascade_client, run_bulk_worker):
    response = cascade_client.post("/api/v1/batches", json={"type": "pk", "items": province()})
    assert response.status_code == 202, response.get_json()
    batch_id = response.get_json()["id"]
    run_bulk_worker()
    status = cascade_client.get(f"/api/v1/batches/{batch_id}").get_json()
    assert status["finished"] == 181 and status["failed"] == 0
    warned = cascade_client.get(f"/api/v1/batches/{batch_id}/warnings").get_json()["items"]
    cascade_codes = {c for _, c, _ in EXPECTED_FINDINGS}
    found = {(w["ref"], e["code"], e["loc"]) for w in warned for e in w["warnings"] if e["code"] in cascade_codes}
    assert found == EXPECTED_FINDINGS
    assert status["warned"] == len({ref for ref, _, _ in EXPECTED_FINDINGS})
    missing = next(e for w in warned if w["ref"] == "D0-A0-P0" for e in w["warnings"])
    assert missing["msg"] == 'PK atasan "TIDAK-ADA" tidak ditemukan (bukan ref di batch ini maupun id dokumen)'

    record = cascade_client.get(f"/api/v1/documents/{next(w['id'] for w in warned if w['ref'] == 'D4-A4')}")
    assert [w["code"] for w in record.get_json()["warnings"]] == ["pk_tanpa_atasan"]

    archive = _archive(cascade_client, batch_id)
    rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig")), delimiter=";"))
    by_ref = {r["ref"]: r for r in rows}
    assert "TIDAK-ADA" in by_ref["D0-A0-P0"]["warnings"]
    assert "D2-A0-P0 → D2-A0-P1 → D2-A0-P0" in by_ref["D2-A0-P1"]["warnings"]
    assert by_ref["D0-A0-P1"]["warnings"] == ""  # a well-linked PK has nothing to say
    sheet = load_workbook(io.BytesIO(archive.read("manifest.xlsx"))).active
    header, *values = list(sheet.iter_rows(values_only=True))
    xlsx = {row[header.index("ref")]: row[header.index("warnings")] for row in values}
    assert 'tidak ada sasaran bawahan yang mendukung sasaran "Sasaran 4 KD"' in xlsx["KD"]


def test_a_batch_without_links_gets_no_alignment_findings(cascade_client, run_bulk_worker):
    items = [{"ref": i["ref"], "data": {k: v for k, v in i["data"].items() if k != "atasan"}}
             for i in province()[:3]]
    batch_id = cascade_client.post("/api/v1/batches", json={"type": "pk", "items": items}).get_json()["id"]
    run_bulk_worker()
    warned = cascade_client.get(f"/api/v1/batches/{batch_id}/warnings").get_json()["items"]
    assert all(e["code"] not in ("pk_tanpa_atasan", "sasaran_tanpa_induk") for w in warned for e in w["warnings"])


def _append(book: Any, sheet: str, rows: list[list[Any]]) -> None:
    for row in rows:
        book[sheet].append(row)


def _person(ref: str, tingkat: str, name: str, nip: str | None, jabatan: str, atasan: str | int | None,
            superior: tuple[str, str, str] | None) -> list[Any]:
    second = list(superior) if superior else [None, None, None]
    return [ref, 2026, "murni", tingkat, "Pemerintah Provinsi Sumatera Utara", "Dinas Kominfo", None, None,
            name, nip, None, jabatan, second[0], second[1], None, second[2], "Medan", "2026-01-05", atasan]


def test_the_workbook_links_pks_and_a_broken_link_names_its_cell(cascade_client, run_bulk_worker):
    template = cascade_client.get("/api/v1/batches/template.xlsx?type=pk").data
    book = load_workbook(io.BytesIO(template))
    assert [c.value for c in book["Dokumen"][1]][-1] == "Atasan (Ref/ID PK Atasan)"
    assert [c.value for c in book["Sasaran"][1]][-2:] == ["Kode Sasaran", "Mendukung Sasaran Atasan"]
    assert any("Keselarasan" in (c.value or "") for c in book["Petunjuk"]["A"])
    governor = ("H. Gubernur Contoh", None, "Gubernur Sumatera Utara")
    head = ("Drs. Kepala Dinas", "197003151995031002", "Kepala Dinas Kominfo")
    _append(book, "Dokumen", [
        _person("100", "kepala_daerah", governor[0], None, governor[2], None, None),
        _person("KADIS", "jpt", head[0], head[1], head[2], 100, governor),  # typed as a number: the Ref 100
        _person("KABID", "administrator", "Siti Harahap", "198204122006042001", "Kepala Bidang", "KADIS", head),
        _person("KASI", "pengawas", "Budi Lubis", "198501012010011001", "Kepala Seksi", "TIDAK-ADA", head),
    ])
    _append(book, "Sasaran", [
        ["100", 1, "Meningkatnya tata kelola", "Indeks RB", "Indeks", 80, "positif", None, None, None, None, "M1"],
        ["KADIS", 1, "Meningkatnya layanan informasi", "Indeks KIP", "Indeks", 88, "positif", None, None, None,
         None, "SS.1", "m1"],
        ["KADIS", 1, None, "Jumlah aduan", "Aduan", 10, "negatif"],
        ["KABID", 1, "Meningkatnya layanan bidang", "Persentase layanan", "%", 90, "positif", None, None, None,
         None, None, "SS.1"],
        ["KASI", 1, "Meningkatnya layanan seksi", "Jumlah layanan", "Layanan", 12, "positif"],
    ])
    out = io.BytesIO()
    book.save(out)
    response = cascade_client.post("/api/v1/batches", data={"type": "pk", "file": (io.BytesIO(out.getvalue()),
                                                                                  "pk.xlsx")},
                                   content_type="multipart/form-data")
    assert response.status_code == 202, response.get_json()
    batch_id = response.get_json()["id"]
    run_bulk_worker()
    status = cascade_client.get(f"/api/v1/batches/{batch_id}").get_json()
    assert status["finished"] == 4, cascade_client.get(f"/api/v1/batches/{batch_id}/errors").get_json()
    tree = cascade_client.get(f"/api/v1/batches/{batch_id}/cascade").get_json()
    assert {n["ref"]: n["atasan"] for n in tree["nodes"]} == {"100": None, "KADIS": "100", "KABID": "KADIS",
                                                              "KASI": None}
    kadis = next(n for n in tree["nodes"] if n["ref"] == "KADIS")
    assert kadis["sasaran"][0]["kode"] == "SS.1" and kadis["sasaran"][0]["mendukung"] == 1
    warned = cascade_client.get(f"/api/v1/batches/{batch_id}/warnings").get_json()["items"]
    (kasi,) = [e for w in warned if w["ref"] == "KASI" for e in w["warnings"] if e["code"] == "atasan_tidak_ada"]
    assert kasi["cell"] == "Dokumen!S6" and kasi["header"] == "Atasan (Ref/ID PK Atasan)"
    assert kasi["msg"].startswith("Dokumen!S6 (Atasan (Ref/ID PK Atasan)): ")
    rows = list(csv.DictReader(io.StringIO(_archive(cascade_client, batch_id).read("manifest.csv")
                                           .decode("utf-8-sig")), delimiter=";"))
    assert "Dokumen!S6" in next(r for r in rows if r["ref"] == "KASI")["warnings"]


def test_a_workbook_handed_out_before_the_link_columns_is_still_read(cascade_client, run_bulk_worker):
    book = load_workbook(io.BytesIO(cascade_client.get("/api/v1/batches/template.xlsx?type=pk").data))
    book["Dokumen"].delete_cols(19)
    book["Sasaran"].delete_cols(12, 2)
    _append(book, "Dokumen", [_person("K-1", "kepala_daerah", "H. Gubernur", None, "Gubernur", None, None)[:18]])
    _append(book, "Sasaran", [["K-1", 1, "Sasaran", "Indikator", "%", 80, "positif"]])
    out = io.BytesIO()
    book.save(out)
    response = cascade_client.post("/api/v1/batches", data={"file": (io.BytesIO(out.getvalue()), "old.xlsx")},
                                   content_type="multipart/form-data")
    assert response.status_code == 202, response.get_json()
    run_bulk_worker()
    assert cascade_client.get(f"/api/v1/batches/{response.get_json()['id']}").get_json()["finished"] == 1
