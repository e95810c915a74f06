"""Batches: JSON and workbook intake, bad items failing alone, progress, errors, the archive."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile

import pytest
from openpyxl import load_workbook

from config.settings import Settings, get_settings
from service.app import create_app
from tests.conftest import example
from tests.docx_reading import full_text, open_docx

pytestmark = pytest.mark.both_databases
"""The same API tests on SQLite and on a real PostgreSQL."""


@pytest.fixture
def batch_client(settings, monkeypatch):
    """A client whose batches are cut into chunks of 2 items, so one batch makes several jobs."""
    monkeypatch.setenv("DOCGEN_BATCH_CHUNK_SIZE", "2")
    monkeypatch.setenv("DOCGEN_MAX_BATCH_ITEMS", "50")
    get_settings.cache_clear()
    return create_app(Settings()).test_client()


def _items() -> list[dict]:
    jpt, admin, head = (example(n)["data"] for n in ("pk-jpt", "pk-administrator", "pk-kepala-daerah"))
    bad_nip = json.loads(json.dumps(jpt))
    bad_nip["pihak_pertama"]["nip"] = "123"
    no_indicator = json.loads(json.dumps(admin))
    no_indicator["sasaran"][0]["indikator"] = []
    return [{"ref": "A-1", "data": jpt}, {"ref": "A-2", "data": bad_nip}, {"ref": "A-3", "data": admin},
            {"ref": "A-4", "data": head}, {"ref": "A-5", "data": no_indicator}]


def test_a_json_batch_ends_with_an_archive_and_bad_items_failing_alone(batch_client, run_bulk_worker):
    response = batch_client.post("/api/v1/batches", json={"type": "pk", "items": _items()})
    assert response.status_code == 202
    batch = response.get_json()
    assert batch["total"] == 5 and batch["status"] == "running"
    assert response.headers["Location"] == batch["links"]["self"]
    queued = batch_client.get(f"/api/v1/batches/{batch['id']}").get_json()
    assert (queued["queued"], queued["finished"], queued["failed"], queued["progress"]) == (5, 0, 0, 0.0)
    assert batch_client.get(f"/api/v1/batches/{batch['id']}/archive").status_code == 409

    run_bulk_worker()

    status = batch_client.get(f"/api/v1/batches/{batch['id']}").get_json()
    assert status["status"] == "finished" and status["archive_ready"]
    assert (status["total"], status["queued"], status["started"], status["finished"], status["failed"]) == (
        5, 0, 0, 3, 2)
    assert status["progress"] == 100.0 and status["documents_per_second"] > 0
    failed = batch_client.get(f"/api/v1/batches/{batch['id']}/errors").get_json()["failed"]
    assert [(f["ref"], [e["loc"] for e in f["errors"]]) for f in failed] == [
        ("A-2", ["data.pihak_pertama.nip"]), ("A-5", ["data.sasaran.0.indikator"])]
    assert failed[0]["errors"][0]["msg"] == "NIP harus 18 digit (spasi boleh); yang diisi 3 digit"
    assert failed[0]["error"] == "data.pihak_pertama.nip: NIP harus 18 digit (spasi boleh); yang diisi 3 digit"

    archive = batch_client.get(f"/api/v1/batches/{batch['id']}/archive")
    assert archive.status_code == 200 and archive.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(archive.data)) as zipped:
        names = sorted(zipped.namelist())
        assert names == sorted([
            "PK-2026-Dinas-Komunikasi-dan-Informatika-Rahmat-Hidayat-Lubis.docx",
            "PK-Perubahan-2026-Dinas-Kebudayaan-Pariwisata-Siti-Marifah-Harahap.docx",
            "PK-2026-Pemerintah-Provinsi-Sumatera-Utara-Tengku-Amri-Nasution.docx",
            "manifest.json", "manifest.csv", "manifest.xlsx"])
        manifest = json.loads(zipped.read("manifest.json"))
        assert [m["ref"] for m in manifest] == ["A-1", "A-2", "A-3", "A-4", "A-5"]
        assert [m["status"] for m in manifest] == ["finished", "failed", "finished", "finished", "failed"]
        for entry in manifest:
            if entry["file"]:
                assert hashlib.sha256(zipped.read(entry["file"])).hexdigest() == entry["sha256"]
        assert "NIP harus 18 digit" in manifest[1]["error"]
        rows = list(csv.DictReader(io.StringIO(zipped.read("manifest.csv").decode("utf-8-sig")), delimiter=";"))
        assert [r["ref"] for r in rows] == ["A-1", "A-2", "A-3", "A-4", "A-5"]
        # Excel with Indonesian settings: a BOM, ";" between fields; the official's name, NIP as text, verify URL
        raw_csv = zipped.read("manifest.csv")
        assert raw_csv.startswith(b"\xef\xbb\xbfref;id;nama;nip;file;")
        assert rows[0]["nama"] == "Dr. Ir. Rahmat Hidayat Lubis, M.Si." and rows[0]["nip"] == "19700315 199503 1 002"
        assert rows[0]["verify_url"] == f"http://docgen.test/verify/{manifest[0]['id']}"
        assert rows[1]["verify_url"] == "" and rows[1]["status"] == "failed"
        sheet = load_workbook(io.BytesIO(zipped.read("manifest.xlsx"))).active
        table = [[c.value for c in row] for row in sheet.iter_rows()]
        assert table[0][:4] == ["ref", "id", "nama", "nip"] and table[1][3] == "19700315 199503 1 002"
        assert table[1][-1] == rows[0]["verify_url"]
        assert {oct(i.external_attr >> 16 & 0o777) for i in zipped.infolist()} == {"0o644"}
        assert len({m["id"] for m in manifest}) == 5
        text = full_text(open_docx(zipped.read(manifest[2]["file"])))
        assert "Siti Ma'rifah Harahap, S.Sos., M.AP." in text
        assert f"http://docgen.test/verify/{manifest[2]['id']}" in text  # its identity, like a single document

    # every finished item is a document of its own: status, download, public verification
    record = batch_client.get(f"/api/v1/documents/{manifest[2]['id']}").get_json()
    assert record["status"] == "finished" and record["file"]["sha256"] == manifest[2]["sha256"]
    download = batch_client.get(f"/api/v1/documents/{manifest[2]['id']}/file")
    assert hashlib.sha256(download.data).hexdigest() == manifest[2]["sha256"]
    verified = batch_client.get(f"/verify/{manifest[2]['id']}", headers={"Accept": "application/json"}).get_json()
    assert verified["agency"] == "Dinas Kebudayaan & Pariwisata"
    assert batch_client.get(f"/verify/{manifest[1]['id']}").status_code == 404  # a failed item was never issued


@pytest.mark.parametrize(("body", "loc"), [
    ({"type": "pk", "items": []}, "items"),
    ({"type": "sppd", "items": [{"ref": "1", "data": {}}]}, "type"),
    ({"type": "pk", "items": [{"ref": "1", "data": {}}, {"ref": "1", "data": {}}]}, "items"),
    ({"type": "pk", "items": [{"data": {}}]}, "items.0.ref"),
    ({"type": "pk", "format": "odt", "items": [{"ref": "1", "data": {}}]}, "format"),
    ({"type": "pk", "items": [{"ref": str(i), "data": {}} for i in range(51)]}, "items"),
])
def test_a_bad_envelope_is_422_naming_the_field(batch_client, body, loc):
    response = batch_client.post("/api/v1/batches", json=body)
    assert response.status_code == 422
    assert loc in [e["loc"] for e in response.get_json()["errors"]]


def test_malformed_batch_json_is_400_and_unknown_batch_404(batch_client):
    assert batch_client.post("/api/v1/batches", data=b"{", content_type="application/json").status_code == 400
    for path in ("nope", "nope/errors", "nope/archive"):
        assert batch_client.get(f"/api/v1/batches/{path}").status_code == 404


def _fill(workbook: bytes) -> bytes:
    book = load_workbook(io.BytesIO(workbook))
    people = book["Dokumen"]
    for row in (
        ["K-01", 2026, "murni", "jpt", "Pemerintah Provinsi Sumatera Utara", "Dinas Kebudayaan & Pariwisata",
         "Jl. Contoh No. 7", None, "Dr. Ir. Rahmat Hidayat Lubis, M.Si.", "197003151995031002",
         "Pembina Utama Muda (IV/c)", "Kepala Dinas", "H. Tengku Amri Nasution, S.H.", None, None,
         "Gubernur Sumatera Utara", "Medan", "2026-01-05"],
        ["K-02", 2026, "perubahan", "administrator", "Pemerintah Provinsi Sumatera Utara", "Dinas Kominfo",
         None, None, "Siti Ma'rifah Harahap", "19820412", "Pembina (IV/a)", "Kepala Bidang",
         "Drs. Benny Sihombing, M.M.", "196811201994031005", "Pembina Utama Muda (IV/c)", "Kepala Dinas",
         "Medan", "2026-10-01"],
    ):
        people.append(row)
    goals = book["Sasaran"]
    goals.append(["K-01", 1, "Meningkatnya kunjungan wisatawan", "Jumlah wisatawan", "Orang", 285000, "positif",
                  40000, 70000, 85000, 90000])
    goals.append(["K-01", 1, None, "Lama tinggal", "Hari", 2.75, "positif"])
    goals.append(["K-01", 2, "Meningkatnya akuntabilitas", "Opini BPK", "Opini", "WTP", "positif"])
    goals.append(["K-02", 1, "Sasaran bidang", "Indikator bidang", "%", 80, "positif"])
    budget = book["Anggaran"]
    budget.append(["K-01", "Program Pemasaran Pariwisata", "Promosi", 2150000000, "APBD"])
    budget.append(["K-01", "Program Pemasaran Pariwisata", "Data pariwisata", 310750000.5, "APBD"])
    budget.append(["K-01", None, "Program Lain", 1000, "APBD"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_workbook_round_trip(batch_client, run_bulk_worker):
    template = batch_client.get("/api/v1/batches/template.xlsx?type=pk")
    assert template.status_code == 200
    book = load_workbook(io.BytesIO(template.data))
    assert book.sheetnames == ["Petunjuk", "Dokumen", "Sasaran", "Anggaran"]
    assert "PETUNJUK" in book["Petunjuk"]["A1"].value
    choices = {str(v.sqref).split(":")[0]: v.formula1 for v in book["Dokumen"].data_validations.dataValidation}
    assert choices == {"C2": '"murni,perubahan"', "D2": '"kepala_daerah,jpt,administrator,pengawas"'}
    assert book["Sasaran"].data_validations.dataValidation[0].formula1 == '"positif,negatif"'

    response = batch_client.post("/api/v1/batches", data={
        "type": "pk", "file": (io.BytesIO(_fill(template.data)), "pk.xlsx")}, content_type="multipart/form-data")
    assert response.status_code == 202, response.get_json()
    batch_id = response.get_json()["id"]
    run_bulk_worker()
    failed = batch_client.get(f"/api/v1/batches/{batch_id}/errors").get_json()["failed"]
    assert len(failed) == 1 and failed[0]["ref"] == "K-02"
    assert failed[0]["errors"] == [{
        "code": "nip_panjang", "loc": "data.pihak_pertama.nip", "cell": "Dokumen!J4", "header": "Pihak Pertama - NIP",
        "msg": "Dokumen!J4 (Pihak Pertama - NIP): NIP harus 18 digit (spasi boleh); yang diisi 8 digit"}]
    archive = zipfile.ZipFile(io.BytesIO(batch_client.get(f"/api/v1/batches/{batch_id}/archive").data))
    name = "PK-2026-Dinas-Kebudayaan-Pariwisata-Rahmat-Hidayat-Lubis.docx"
    doc = open_docx(archive.read(name))
    text = full_text(doc)
    assert "Dinas Kebudayaan & Pariwisata".upper() in text and "Medan, 5 Januari 2026" in text
    assert "Rp\u00a02.460.750.000,50" in text and "Rp\u00a02.460.751.000,50" in text  # group subtotal, total
    assert "285.000" in text and "2,75" in text and "WTP" in text and "RENCANA AKSI" in text


@pytest.mark.parametrize(("mutate", "cell", "words"), [
    (lambda b: b["Dokumen"].cell(row=1, column=2, value="Year"), "file:Dokumen!1", "baris judul kolom diubah"),
    (lambda b: b.remove(b["Anggaran"]), "file:Anggaran", "tidak memiliki sheet 'Anggaran'"),
    (lambda b: None, "file:Dokumen", "tidak berisi baris dokumen"),
])
def test_workbook_structure_errors_name_the_cell(batch_client, mutate, cell, words):
    book = load_workbook(io.BytesIO(batch_client.get("/api/v1/batches/template.xlsx").data))
    mutate(book)
    out = io.BytesIO()
    book.save(out)
    response = batch_client.post("/api/v1/batches", data={"file": (io.BytesIO(out.getvalue()), "x.xlsx")},
                                 content_type="multipart/form-data")
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert any(e["loc"] == cell and words in e["msg"] for e in errors), errors


def test_not_a_workbook_is_422(batch_client):
    response = batch_client.post("/api/v1/batches", data={"file": (io.BytesIO(b"hello"), "x.xlsx")},
                                 content_type="multipart/form-data")
    assert response.status_code == 422 and response.get_json()["errors"][0]["loc"] == "file"
