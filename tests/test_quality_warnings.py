"""Quality warnings: each finding by code and path, never stopping a document unless the request
is strict; listed in the record, the 202 answer, the status, the batch, its manifest and the CLI."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import threading
import zipfile

import pytest
from werkzeug.serving import make_server

from config.settings import REPO_ROOT, Settings, get_settings
from sakip.envelope import parse_document_request
from sakip.messages import MESSAGES, message
from sakip.quality import WARNING_CODES, quality_warnings
from service.app import create_app
from tests.conftest import example
from tests.payloads import DELETE, with_value

IND = "data.sasaran.0.indikator.0"

PK_CASES = [
    # (edits to pk-jpt: [(path, value)], expected (code, loc) found)
    ([(f"{IND}.satuan", DELETE)], ("indikator_tanpa_satuan", f"{IND}.satuan")),
    ([(f"{IND}.satuan", "-")], ("indikator_tanpa_satuan", f"{IND}.satuan")),
    ([(f"{IND}.target", "Informatif")], ("target_bukan_angka", f"{IND}.target")),
    ([(f"{IND}.target", -5)], ("target_negatif", f"{IND}.target")),
    ([(f"{IND}.triwulan", [20, 40, 60, 80])], ("triwulan_tw4_beda", f"{IND}.triwulan.3")),
    ([("data.sasaran.1.indikator.0.uraian", "indeks  keterbukaan informasi publik")],
     ("indikator_ganda", "data.sasaran.1.indikator.0.uraian")),
    ([("data.anggaran.0.jumlah", "4.250.000.000,50")], ("anggaran_sen", "data.anggaran.0.jumlah")),
    ([("data.tanggal", "2025-12-30")], ("tanggal_di_luar_tahun", "data.tanggal")),
]


@pytest.mark.parametrize(("edits", "expected"), PK_CASES, ids=[c[1][0] + str(i) for i, c in enumerate(PK_CASES)])
def test_each_pk_finding(edits, expected):
    body = example("pk-jpt")
    assert quality_warnings(parse_document_request(body).data) == []  # the example is clean
    for path, value in edits:
        body = with_value(body, path, value)
    found = [(w.code, w.loc) for w in quality_warnings(parse_document_request(body).data)]
    assert found == [expected]


def test_quarters_that_add_up_to_the_target_are_consistent():
    body = with_value(example("pk-jpt"), f"{IND}.triwulan", [20, "20,5", 20, 28])  # 88,5 in all
    assert quality_warnings(parse_document_request(body).data) == []
    body = with_value(example("pk-jpt"), f"{IND}.triwulan", [20, 50, 70, "88,5"])  # cumulative
    assert quality_warnings(parse_document_request(body).data) == []


def test_each_lkjip_finding():
    body = example("lkjip-opd")
    found = {(w.code, w.loc) for w in quality_warnings(parse_document_request(body).data)}
    assert found == {
        ("capaian_tanpa_analisis", "data.sasaran.0.indikator.1.analisis"),
        ("capaian_tanpa_analisis", "data.sasaran.1.indikator.0.analisis"),
        ("capaian_tanpa_analisis", "data.sasaran.1.indikator.1.analisis"),
        ("bagian_kosong", "data.kata_pengantar"),
        ("bagian_kosong", "data.pendahuluan.struktur_organisasi"),
        ("predikat_ejaan", "data.penutup.kesimpulan.0"),  # "predikat tinggi"; the scale says "Tinggi"
    }
    (spelling,) = [w for w in quality_warnings(parse_document_request(body).data) if w.code == "predikat_ejaan"]
    assert message(spelling.code, spelling.params) == ('"predikat tinggi" ditulis lain dari skala predikat '
                                                       '("Tinggi"); teks dicetak apa adanya')
    # an organisation chart fills the structure's section; the scale's own spelling is no finding
    body = with_value(body, "data.struktur_organisasi", {"unit": [{"nama": "Kepala Dinas"}]})
    body = with_value(body, "data.penutup.kesimpulan", ["Capaian berpredikat Tinggi, predikat Sangat Tinggi."])
    found = {(w.code, w.loc) for w in quality_warnings(parse_document_request(body).data)}
    assert ("bagian_kosong", "data.pendahuluan.struktur_organisasi") not in found
    assert not [w for w in found if w[0] == "predikat_ejaan"]
    body = with_value(body, "data.sasaran.0.indikator.1.faktor_penghambat", ["Anggaran terbatas."])
    body = with_value(body, "data.anggaran.0.pagu", "Rp 4.250.000.000,25")
    found = {(w.code, w.loc) for w in quality_warnings(parse_document_request(body).data)}
    assert ("capaian_tanpa_analisis", "data.sasaran.0.indikator.1.analisis") not in found
    assert ("anggaran_sen", "data.anggaran.0.pagu") in found


def test_every_warning_code_is_in_the_message_table_and_the_readme():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    for code in WARNING_CODES:
        assert code in MESSAGES and f"`{code}`" in readme, code


def test_warnings_in_the_answer_the_record_and_the_status(client, records):
    body = with_value(example("pk-jpt"), "data.anggaran.0.jumlah", "4.250.000.000,50")
    response = client.post("/api/v1/documents", json=body)
    assert response.status_code == 202
    expected = [{"code": "anggaran_sen", "loc": "data.anggaran.0.jumlah",
                 "msg": "jumlah anggaran Rp 4.250.000.000,50 memuat sen; anggaran APBD biasanya rupiah penuh"}]
    assert response.get_json()["warnings"] == expected
    doc_id = response.get_json()["id"]
    stored = json.loads(records.get(doc_id).warnings)
    assert [{k: w[k] for k in ("code", "loc", "msg")} for w in stored] == expected
    assert client.get(f"/api/v1/documents/{doc_id}").get_json()["warnings"] == expected
    english = client.get(f"/api/v1/documents/{doc_id}", headers={"Accept-Language": "en"}).get_json()
    assert english["warnings"][0]["msg"] == ("the budget amount Rp 4.250.000.000,50 has sen; APBD amounts are "
                                             "usually whole rupiah")
    clean = client.post("/api/v1/documents", json=example("pk-jpt")).get_json()
    assert clean["warnings"] == []


def test_strict_turns_warnings_into_a_422(client):
    body = with_value(example("pk-jpt"), "data.anggaran.0.jumlah", "4.250.000.000,50")
    body["strict"] = True
    response = client.post("/api/v1/documents", json=body)
    assert response.status_code == 422
    assert response.get_json()["errors"] == [{"loc": "data.anggaran.0.jumlah", "msg": (
        "jumlah anggaran Rp 4.250.000.000,50 memuat sen; anggaran APBD biasanya rupiah penuh")}]
    body = example("pk-jpt")
    body["strict"] = True
    assert client.post("/api/v1/documents", json=body).status_code == 202


@pytest.fixture
def batch_app(settings, monkeypatch):
    monkeypatch.setenv("DOCGEN_BATCH_CHUNK_SIZE", "2")
    get_settings.cache_clear()
    return create_app(Settings())


def _items() -> list[dict]:
    jpt = example("pk-jpt")["data"]
    return [{"ref": "W-1", "data": jpt},
            {"ref": "W-2", "data": with_value({"data": jpt}, "data.tanggal", "2025-12-30")["data"]},
            {"ref": "W-3", "data": example("pk-administrator")["data"]}]


def test_warnings_in_the_batch_its_manifest_the_records_and_the_cli(batch_app, run_bulk_worker, tmp_path, capsys):
    client = batch_app.test_client()
    response = client.post("/api/v1/batches", json={"type": "pk", "items": _items()})
    assert response.status_code == 202
    batch_id = response.get_json()["id"]
    run_bulk_worker()

    status = client.get(f"/api/v1/batches/{batch_id}").get_json()
    assert (status["finished"], status["failed"], status["warned"]) == (3, 0, 2)
    listed = client.get(f"/api/v1/batches/{batch_id}/warnings").get_json()["items"]
    assert [(i["ref"], [w["code"] for w in i["warnings"]]) for i in listed] == [
        ("W-2", ["tanggal_di_luar_tahun"]), ("W-3", ["anggaran_sen"])]
    assert listed[0]["warnings"][0] == {"code": "tanggal_di_luar_tahun", "loc": "data.tanggal", "msg": (
        "tanggal penandatanganan 30 Desember 2025 tidak berada di tahun PK 2026")}
    record = client.get(f"/api/v1/documents/{listed[1]['id']}").get_json()
    assert [w["code"] for w in record["warnings"]] == ["anggaran_sen"]

    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/api/v1/batches/{batch_id}/archive").data))
    manifest = json.loads(archive.read("manifest.json"))
    assert [[w["code"] for w in m["warnings"]] for m in manifest] == [[], ["tanggal_di_luar_tahun"], ["anggaran_sen"]]
    rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig")), delimiter=";"))
    assert rows[1]["warnings"] == "tanggal penandatanganan 30 Desember 2025 tidak berada di tahun PK 2026"

    from cli.batch import follow_batch

    server = make_server("127.0.0.1", 0, batch_app)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        code = follow_batch(f"http://127.0.0.1:{server.server_port}", batch_id, tmp_path / "out.zip")
    finally:
        server.shutdown()
    assert code == 0 and (tmp_path / "out.zip").is_file()
    err = capsys.readouterr().err
    assert ("peringatan W-2 [tanggal_di_luar_tahun] data.tanggal: tanggal penandatanganan 30 Desember 2025 "
            "tidak berada di tahun PK 2026") in err
    assert "peringatan W-3 [anggaran_sen] data.anggaran.0.rincian.1.jumlah:" in err


def test_a_strict_batch_fails_the_items_with_warnings(batch_app, run_bulk_worker):
    client = batch_app.test_client()
    response = client.post("/api/v1/batches", json={"type": "pk", "strict": True, "items": _items()})
    run_bulk_worker()
    batch_id = response.get_json()["id"]
    failed = client.get(f"/api/v1/batches/{batch_id}/errors").get_json()["failed"]
    assert [(f["ref"], [e["code"] for e in f["errors"]]) for f in failed] == [
        ("W-2", ["tanggal_di_luar_tahun"]), ("W-3", ["anggaran_sen"])]


def test_docgen_render_prints_the_warnings(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", "render", str(REPO_ROOT / "examples" / "pk-administrator.json"),
         "-o", str(tmp_path / "pk.docx")], cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO_ROOT)})
    assert result.returncode == 0, result.stderr
    assert ("peringatan [anggaran_sen] data.anggaran.0.rincian.1.jumlah: jumlah anggaran Rp 310.750.000,50 "
            "memuat sen; anggaran APBD biasanya rupiah penuh") in result.stderr
