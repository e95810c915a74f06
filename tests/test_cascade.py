"""Alignment (keselarasan): the cascade of a province-shaped PK batch, its findings, and the
targets exports read back with csv / openpyxl / json and compared with the input."""

from __future__ import annotations

import copy
import csv
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from doctypes.pk.model import PKData
from sakip.cascade import CascadeEntry, build_cascade
from sakip.messages import MESSAGES
from sakip.numbers import read_nilai
from sakip.quality import CASCADE_WARNING_CODES
from sakip.target_export import COLUMNS, COLUMNS_VERSION
from tests.conftest import example
from tests.province import EXPECTED_FINDINGS, expected_parent, province

pytestmark = pytest.mark.both_databases
"""The endpoints read the batch's items from the database: on SQLite and on a real PostgreSQL."""

README = Path(__file__).resolve().parent.parent / "README.md"


def test_every_alignment_code_has_its_sentences_and_a_readme_line():
    readme = README.read_text(encoding="utf-8")
    for code in CASCADE_WARNING_CODES:
        assert code in MESSAGES and f"`{code}`" in readme, code
    for column in COLUMNS:
        assert f"`{column}`" in readme, column


def test_the_province_batch_gives_the_expected_tree_and_findings():
    items = province()
    assert len(items) == 181
    cascade = build_cascade([CascadeEntry("", i["ref"], PKData.model_validate(i["data"])) for i in items])
    found = {(f.ref, f.warning.code, f.warning.loc) for f in cascade.findings}
    assert found == EXPECTED_FINDINGS
    tree = cascade.to_dict()
    parents = {n["ref"]: n["atasan"] for n in tree["nodes"]}
    assert parents == {i["ref"]: expected_parent(i["ref"]) for i in items}
    depth = {n["ref"]: n["kedalaman"] for n in tree["nodes"]}
    assert depth["KD"] == 0 and depth["D3"] == 1 and depth["D3-A2"] == 2 and depth["D3-A2-P5"] == 3
    assert depth["D2-A0-P0"] == 0  # its cycle was cut: it stands alone
    assert depth["D1-A0"] == 4  # hung under a supervisor, as its (wrong) atasan says
    kd = next(n for n in tree["nodes"] if n["ref"] == "KD")
    assert sorted(kd["bawahan"]) == [f"D{a}" for a in range(5)]
    # objective links: D0 serves M1 and M2 by kode (the second written "m2")
    assert {"dari": "D0", "ke": "KD", "jenis": "sasaran", "sasaran": 2, "sasaran_atasan": 2} in tree["links"]


@pytest.fixture
def alignment_client(settings, monkeypatch):
    from config.settings import Settings, get_settings
    from service.app import create_app

    monkeypatch.setenv("DOCGEN_MAX_BATCH_ITEMS", "500")
    get_settings.cache_clear()
    return create_app(Settings()).test_client()


def _submit(client, items: list[dict[str, Any]]) -> str:
    response = client.post("/api/v1/batches", json={"type": "pk", "items": items})
    assert response.status_code == 202, response.get_json()
    return response.get_json()["id"]


def test_the_cascade_endpoint_shows_the_tree_and_findings_in_the_clients_language(alignment_client):
    items = province()
    batch_id = _submit(alignment_client, items)
    body = alignment_client.get(f"/api/v1/batches/{batch_id}/cascade").get_json()
    assert len(body["nodes"]) == 181 and body["dilewati"] == []
    assert {(f["ref"], f["code"], f["loc"]) for f in body["findings"]} == EXPECTED_FINDINGS
    assert {n["ref"]: n["atasan"] for n in body["nodes"]} == {i["ref"]: expected_parent(i["ref"]) for i in items}
    assert all(n["id"] and len(n["id"]) == 32 for n in body["nodes"])
    missing = next(f for f in body["findings"] if f["code"] == "atasan_tidak_ada")
    assert missing["msg"] == 'PK atasan "TIDAK-ADA" tidak ditemukan (bukan ref di batch ini maupun id dokumen)'
    cycle = next(f for f in body["findings"] if f["code"] == "atasan_siklus")
    assert "D2-A0-P0 → D2-A0-P1 → D2-A0-P0" in cycle["msg"]
    english = alignment_client.get(f"/api/v1/batches/{batch_id}/cascade", headers={"Accept-Language": "en"})
    lonely = next(f for f in english.get_json()["findings"] if f["code"] == "sasaran_tanpa_pendukung")
    assert lonely["msg"] == 'no subordinate\'s objective serves the objective "Sasaran 4 KD"'


def _expected_rows(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What each export row must say, worked out from the input, not from the export code."""
    by_ref = {i["ref"]: i["data"] for i in items}
    rows = []
    for item in items:
        data = item["data"]
        parent = by_ref.get(expected_parent(item["ref"]) or "")
        superior = parent["pihak_pertama"] if parent else data.get("pihak_kedua")
        for sasaran in data["sasaran"]:
            served = None
            mendukung = sasaran.get("mendukung")
            if parent and mendukung is not None:
                codes = [o.get("kode", "").casefold() for o in parent["sasaran"]]
                text = str(mendukung).casefold()
                index = codes.index(text) if text in codes else int(text) - 1
                served = parent["sasaran"][index]["uraian"] if index < len(parent["sasaran"]) else None
            for ind in sasaran["indikator"]:
                quarters = ind.get("triwulan") or [None] * 4
                rows.append({
                    "ref": item["ref"], "nip": data["pihak_pertama"].get("nip"), "nama": data["pihak_pertama"]["nama"],
                    "tingkat": data["tingkat"], "sasaran": sasaran["uraian"], "indikator": ind["uraian"],
                    "satuan": ind["satuan"], "target": read_nilai(ind["target"]),
                    "tw": [None if q is None else read_nilai(q) for q in quarters],
                    "polaritas": ind.get("polaritas", "positif"),
                    "atasan_nip": superior.get("nip") if superior else None, "sasaran_atasan": served,
                })
    return rows


def _compare(expected: list[dict[str, Any]], read: list[dict[str, Any]]) -> None:
    assert len(read) == len(expected)
    for want, got in zip(expected, read, strict=True):
        assert {k: got[k] for k in want} == want, want["ref"]


def _number(text: str) -> Decimal | None:
    return Decimal(text.replace(",", ".")) if text else None


def test_the_batch_exports_round_trip(alignment_client):
    items = province()
    batch_id = _submit(alignment_client, items)
    expected = _expected_rows(items)
    assert len(expected) == 180 * 4 + 4 * 2  # two indicators per objective; the head has four

    response = alignment_client.get(f"/api/v1/batches/{batch_id}/export?format=csv")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.data.startswith("\ufeff".encode())
    reader = csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";")
    assert tuple(reader.fieldnames or ()) == COLUMNS
    csv_rows = list(reader)
    assert {r["versi_kolom"] for r in csv_rows} == {str(COLUMNS_VERSION)}
    assert csv_rows[1]["target"] == "1"
    assert csv_rows[0]["target"].endswith(",5") and "." not in csv_rows[0]["target"]  # decimal comma
    _compare(expected, [{
        "ref": r["ref"], "nip": r["nip"] or None, "nama": r["nama"], "tingkat": r["tingkat"],
        "sasaran": r["sasaran"], "indikator": r["indikator"], "satuan": r["satuan"],
        "target": _number(r["target"]), "tw": [_number(r[f"target_tw{q}"]) for q in range(1, 5)],
        "polaritas": r["polaritas"], "atasan_nip": r["atasan_nip"] or None,
        "sasaran_atasan": r["sasaran_atasan"] or None} for r in csv_rows])

    response = alignment_client.get(f"/api/v1/batches/{batch_id}/export?format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    header, *values = list(sheet.iter_rows(values_only=True))
    assert header == COLUMNS
    xlsx_rows = [dict(zip(COLUMNS, v, strict=True)) for v in values]
    assert all(isinstance(r["nip"], str) for r in xlsx_rows if r["nip"])  # 18 digits kept as text

    def decimal(value: Any) -> Decimal | None:
        return None if value is None else Decimal(str(value))

    _compare(expected, [{**{k: r[k] for k in ("ref", "nip", "nama", "tingkat", "sasaran", "indikator", "satuan",
                                             "polaritas", "atasan_nip", "sasaran_atasan")},
                         "target": decimal(r["target"]), "tw": [decimal(r[f"target_tw{q}"]) for q in range(1, 5)]}
                        for r in xlsx_rows])

    response = alignment_client.get(f"/api/v1/batches/{batch_id}/export?format=json")
    body = json.loads(response.data, parse_float=Decimal)
    assert body["versi_kolom"] == COLUMNS_VERSION and tuple(body["kolom"]) == COLUMNS
    _compare(expected, [{**{k: r[k] for k in ("ref", "nip", "nama", "tingkat", "sasaran", "indikator", "satuan",
                                             "polaritas", "atasan_nip", "sasaran_atasan")},
                         "target": decimal(r["target"]), "tw": [decimal(r[f"target_tw{q}"]) for q in range(1, 5)]}
                        for r in body["baris"]])


def test_a_single_pk_exports_with_its_superiors_objective_and_cells_that_cant_run(alignment_client):
    head = example("pk-kepala-daerah")["data"]
    head["sasaran"][0]["kode"] = "IKU-1"
    response = alignment_client.post("/api/v1/documents", json={"type": "pk", "data": head})
    head_id = response.get_json()["id"]
    jpt = copy.deepcopy(example("pk-jpt")["data"])
    jpt["atasan"] = head_id
    jpt["sasaran"][0]["mendukung"] = "iku-1"
    jpt["pihak_pertama"]["jabatan"] = "=HYPERLINK(\"http://x\")"
    response = alignment_client.post("/api/v1/documents", json={"type": "pk", "data": jpt})
    assert response.status_code == 202
    jpt_id = response.get_json()["id"]

    rows = alignment_client.get(f"/api/v1/documents/{jpt_id}/export?format=json").get_json()["baris"]
    assert [r["indikator"] for r in rows] == [i["uraian"] for s in jpt["sasaran"] for i in s["indikator"]]
    assert {r["id_dokumen"] for r in rows} == {jpt_id}  # the superior's PK gives no rows of its own
    assert rows[0]["sasaran_atasan"] == head["sasaran"][0]["uraian"] and rows[0]["mendukung"] == "iku-1"
    assert rows[-1]["sasaran_atasan"] is None  # the second objective names none
    assert rows[0]["atasan_nama"] == head["pihak_pertama"]["nama"]

    text = alignment_client.get(f"/api/v1/documents/{jpt_id}/export?format=csv").data.decode("utf-8-sig")
    first = next(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert first["jabatan"] == "'=HYPERLINK(\"http://x\")"
    sheet = load_workbook(io.BytesIO(alignment_client.get(f"/api/v1/documents/{jpt_id}/export?format=xlsx").data))
    assert sheet.active["G2"].value == "'=HYPERLINK(\"http://x\")" and sheet.active["G2"].data_type == "s"


def test_bad_requests_get_clear_answers(alignment_client):
    batch_id = _submit(alignment_client, province()[:3])
    response = alignment_client.get(f"/api/v1/batches/{batch_id}/export?format=pdf")
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["loc"] == "query.format"
    assert alignment_client.get("/api/v1/batches/nope/cascade").status_code == 404
    assert alignment_client.get("/api/v1/documents/nope/export").status_code == 404
    lkjip = alignment_client.post("/api/v1/documents", json=example("lkjip-opd")).get_json()["id"]
    response = alignment_client.get(f"/api/v1/documents/{lkjip}/export")
    assert response.status_code == 409 and "hanya untuk PK" in response.get_json()["detail"]


def test_an_archived_batch_still_has_its_cascade_and_a_batch_item_exports_alone(alignment_client, run_bulk_worker):
    items = [i for i in province() if i["ref"] in ("KD", "D0", "D0-A0")]
    batch_id = _submit(alignment_client, items)
    run_bulk_worker()
    status = alignment_client.get(f"/api/v1/batches/{batch_id}").get_json()
    assert status["status"] == "finished" and status["finished"] == 3
    body = alignment_client.get(f"/api/v1/batches/{batch_id}/cascade").get_json()
    assert {n["ref"]: n["atasan"] for n in body["nodes"]} == {"KD": None, "D0": "KD", "D0-A0": "D0"}
    admin_id = next(n["id"] for n in body["nodes"] if n["ref"] == "D0-A0")
    rows = alignment_client.get(f"/api/v1/documents/{admin_id}/export?format=json").get_json()["baris"]
    assert {r["ref"] for r in rows} == {"D0-A0"}
    assert rows[0]["sasaran_atasan"] == "Sasaran 1 D0" and rows[2]["sasaran_atasan"] == "Sasaran 2 D0"


def test_a_batch_past_retention_has_no_cascade_any_more(alignment_client, settings):
    import datetime as dt

    from storage.database import database_for
    from storage.retention import purge

    batch_id = _submit(alignment_client, province()[:3])
    assert alignment_client.get(f"/api/v1/batches/{batch_id}/cascade").status_code == 200
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=400)
    purge(database_for(settings.database_url), settings.documents_dir, retention_years=1, now=later)
    response = alignment_client.get(f"/api/v1/batches/{batch_id}/export?format=json")
    assert response.status_code == 410 and "tidak disimpan" in response.get_json()["detail"]
