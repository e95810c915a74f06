"""Figures, dates and NIPs as an Indonesian official sends them, in JSON and in the batch
workbook: each form has one meaning, printed as meant, or is refused in Indonesian naming the
field (and for a workbook the cell and its column header)."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from config.settings import Settings, get_settings
from doctypes.pk.context import pk_context
from sakip import exactjson
from sakip.envelope import parse_document_request
from sakip.errors import InvalidPayload
from service.app import create_app
from tests.conftest import example
from tests.docx_reading import full_text, open_docx
from tests.payloads import with_value


@pytest.fixture
def batch_client(settings, monkeypatch):
    """A client whose batches are cut into chunks of 2 items, so one batch makes several jobs."""
    monkeypatch.setenv("DOCGEN_BATCH_CHUNK_SIZE", "2")
    get_settings.cache_clear()
    return create_app(Settings()).test_client()


TARGET = "data.sasaran.0.indikator.0.target"

# (target as sent in JSON, as printed in the PK, or the code of the refusal)
JSON_TARGETS = [
    ("1.250", "1.250"),
    ("1.250,5", "1.250,5"),
    ("88,5", "88,5"),
    ("1.250.000", "1.250.000"),
    ("0,75", "0,75"),
    (1250, "1.250"),
    (Decimal("2.75"), "2,75"),  # a JSON number 2.75, read exactly
    ("WTP", "WTP"),
    ("Informatif", "Informatif"),
    ("1.25", "angka_ambigu"),
    ("1,250.50", "angka_ambigu"),
    ("1.2.3", "angka_ambigu"),
    (Decimal("1E+30"), "angka_terlalu_besar"),
    (10 ** 40, "angka_terlalu_besar"),
]


@pytest.mark.parametrize(("value", "outcome"), JSON_TARGETS, ids=[repr(v) for v, _ in JSON_TARGETS])
def test_json_targets_print_as_meant_or_are_refused(value, outcome):
    body = with_value(example("pk-jpt"), TARGET, value)
    if "_" in outcome:
        with pytest.raises(InvalidPayload) as caught:
            parse_document_request(body)
        assert [(p.loc, p.code) for p in caught.value.problems] == [(TARGET, outcome)]
        return
    context = pk_context(parse_document_request(body).data)
    assert context["sasaran"][0]["indikator"][0]["target"] == outcome


@pytest.mark.parametrize(("value", "printed", "total"), [
    ("Rp 1.500.000", "Rp\u00a01.500.000", "Rp\u00a014.247.250.000"),
    ("1.500", "Rp\u00a01.500", "Rp\u00a014.245.751.500"),
    ("Rp 4.250.000.000", "Rp\u00a04.250.000.000", "Rp\u00a018.495.750.000"),
    ("4.250.000.000,50", "Rp\u00a04.250.000.000,50", "Rp\u00a018.495.750.000,50"),
])
def test_json_money_prints_as_meant(value, printed, total):
    # the PK's tables join "Rp" to its figure with a no-break space, so a line never ends on "Rp"
    context = pk_context(parse_document_request(with_value(example("pk-jpt"), "data.anggaran.0.jumlah", value)).data)
    assert context["anggaran"][0]["jumlah"] == printed
    assert context["anggaran_total"] == total


@pytest.mark.parametrize("value", ["2026-01-05", "05/01/2026", "5/1/2026", "5 Januari 2026"])
def test_json_dates_in_every_indonesian_form(value):
    context = pk_context(parse_document_request(with_value(example("pk-jpt"), "data.tanggal", value)).data)
    assert context["tempat_tanggal"] == "Medan, 5 Januari 2026"


def test_a_json_number_nip_is_refused_with_the_reason(client):
    body = with_value(example("pk-jpt"), "data.pihak_pertama.nip", 197003151995031002)
    problem = client.post("/api/v1/documents", json=body).get_json()
    assert problem["errors"] == [{"loc": "data.pihak_pertama.nip", "msg": (
        "NIP harus ditulis sebagai teks, bukan angka: sebagai angka (197003151995031002) digit terakhirnya bisa "
        "sudah berubah; di Excel format sel sebagai Teks atau awali dengan tanda '")}]


def test_an_ambiguous_figure_is_a_422_in_indonesian_or_english(client):
    body = with_value(example("pk-jpt"), TARGET, "1,250.50")
    indonesian = client.post("/api/v1/documents", json=body)
    assert indonesian.status_code == 422
    assert indonesian.get_json()["title"] == "Permintaan tidak valid"
    assert indonesian.get_json()["errors"] == [{"loc": TARGET, "msg": (
        '"1,250.50" tidak dapat dibaca tanpa menebak: tulis angka cara Indonesia, titik untuk ribuan dan koma untuk '
        "desimal, misalnya 1.250,50")}]
    english = client.post("/api/v1/documents", json=body, headers={"Accept-Language": "en-US,en;q=0.9"})
    assert english.get_json()["errors"][0]["msg"].startswith('"1,250.50" can\'t be read without guessing')
    both = client.post("/api/v1/documents", json=body, headers={"Accept-Language": "id-ID,id;q=0.9,en;q=0.8"})
    assert both.get_json()["errors"][0]["msg"].startswith('"1,250.50" tidak dapat dibaca')


def test_a_huge_figure_is_a_422_not_a_render_failure(client):
    raw = example("pk-jpt")
    text = json.dumps(raw).replace('"target": 88.5', '"target": 1e30').replace('"target": 75', '"target": ' + "9" * 40)
    response = client.post("/api/v1/documents", data=text, content_type="application/json")
    assert response.status_code == 422
    assert {e["loc"] for e in response.get_json()["errors"]} == {
        "data.sasaran.0.indikator.0.target", "data.sasaran.0.indikator.1.target"}


def test_json_figures_render_as_typed(make_document):
    body = with_value(example("pk-jpt"), TARGET, "1.250")
    body = with_value(body, "data.anggaran.0.jumlah", "Rp 1.500.000")
    body = with_value(body, "data.tanggal", "05/01/2026")
    _, content = make_document(body)
    text = full_text(open_docx(content))
    assert "1.250" in text and "1,25" not in text
    assert "Rp\u00a01.500.000" in text and "Medan, 5 Januari 2026" in text


# --- the workbook, filled as an Indonesian Excel user fills it


def _indonesian_workbook(template: bytes) -> bytes:
    book = load_workbook(io.BytesIO(template))
    people = book["Dokumen"]
    governor = ["H. Tengku Amri Nasution, S.H.", None, None, "Gubernur Sumatera Utara"]
    rows = [
        # row 3: NIP as text with spaces, a real date cell
        ["P-01", 2026, "murni", "jpt", "Pemerintah Provinsi Sumatera Utara", "Dinas Komunikasi dan Informatika",
         None, None, "Dr. Ir. Rahmat Hidayat Lubis, M.Si.", "19700315 199503 1 002", "Pembina Utama Muda (IV/c)",
         "Kepala Dinas Komunikasi dan Informatika", *governor, "Medan", dt.datetime(2026, 1, 5)],
        # row 4: the NIP typed as a number: Excel keeps 15 significant digits
        ["P-02", 2026, "murni", "jpt", "Pemerintah Provinsi Sumatera Utara", "Dinas Pendidikan", None, None,
         "Siti Ma'rifah Harahap", 1.98204122006042e17, "Pembina (IV/a)", "Kepala Dinas Pendidikan", *governor,
         "Medan", "05/01/2026"],
        # row 5: an empty required cell (Pihak Pertama - Jabatan)
        ["P-03", 2026, "murni", "jpt", "Pemerintah Provinsi Sumatera Utara", "Dinas Kesehatan", None, None,
         "Drs. Benny Sihombing, M.M.", "196811201994031005", "Pembina Utama Muda (IV/c)", None, *governor,
         "Medan", "05/01/2026"],
        # row 6: day-first text date, figures typed as text
        ["P-04", "2026", "murni", "jpt", "Pemerintah Provinsi Sumatera Utara", "Dinas Pariwisata", None, None,
         "Ahmad Siregar", "198204122006042011", "Pembina (IV/a)", "Kepala Dinas Pariwisata", *governor,
         "Medan", "05/01/2026"],
    ]
    for row in rows:
        people.append(row)
    goals = book["Sasaran"]
    goals.append(["P-01", 1, "Meningkatnya layanan informasi", "Jumlah layanan", "Layanan", "1.250", "positif",
                  "300", "600", "900", "1.250"])
    goals.append(["P-01", 1, None, "Indeks Keterbukaan Informasi Publik", "Indeks", "88,5", "positif"])
    goals.append(["P-01", 2, "Meningkatnya akuntabilitas", "Opini BPK", "Opini", "WTP", "positif"])
    goals.append(["P-02", 1, "Meningkatnya mutu pendidikan", "Angka partisipasi", "%", "95", "positif"])
    goals.append(["P-03", 1, "Meningkatnya derajat kesehatan", "Usia harapan hidup", "Tahun", "73,5", "positif"])
    goals.append(["P-04", 1, "Meningkatnya kunjungan wisata", "Lama tinggal", "Hari", "2,75", "positif"])
    goals.append(["P-O4", 1, "Meningkatnya kunjungan wisata", "Jumlah wisatawan", "Orang", "285.000", "positif"])
    budget = book["Anggaran"]
    budget.append(["P-01", None, "Program Informasi dan Komunikasi Publik", "Rp 1.500.000.000", "APBD"])
    budget.append(["P-01", None, "Program Aplikasi Informatika", 250000000, "APBD"])
    budget.append(["P-04", None, "Program Pemasaran Pariwisata", "4.250.000", "APBD"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_indonesian_workbook_gives_exactly_the_expected_items(batch_client, run_bulk_worker):
    template = batch_client.get("/api/v1/batches/template.xlsx").data
    upload = {"file": (io.BytesIO(_indonesian_workbook(template)), "pk.xlsx")}
    response = batch_client.post("/api/v1/batches", data=upload, content_type="multipart/form-data")
    assert response.status_code == 202, response.get_json()
    batch_id = response.get_json()["id"]
    assert response.get_json()["total"] == 5  # four PKs and the row with the typo Ref, failing alone
    run_bulk_worker()

    status = batch_client.get(f"/api/v1/batches/{batch_id}").get_json()
    assert (status["finished"], status["failed"]) == (2, 3)
    failed = batch_client.get(f"/api/v1/batches/{batch_id}/errors").get_json()["failed"]
    assert [(f["ref"], f["errors"]) for f in failed] == [
        ("P-02", [{"code": "nip_angka", "loc": "data.pihak_pertama.nip", "cell": "Dokumen!J4",
                   "header": "Pihak Pertama - NIP",
                   "msg": "Dokumen!J4 (Pihak Pertama - NIP): NIP harus ditulis sebagai teks, bukan angka: sebagai "
                          "angka (1.98204122006042E+17) digit terakhirnya bisa sudah berubah; di Excel format sel "
                          "sebagai Teks atau awali dengan tanda '"}]),
        ("P-03", [{"code": "missing", "loc": "data.pihak_pertama.jabatan", "cell": "Dokumen!L5",
                   "header": "Pihak Pertama - Jabatan",
                   "msg": "Dokumen!L5 (Pihak Pertama - Jabatan): wajib diisi"}]),
        ("P-O4", [{"code": "ref_tidak_dikenal", "loc": "ref", "cell": "Sasaran!A9", "header": "Ref",
                   "msg": "Sasaran!A9 (Ref): Ref 'P-O4' tidak ada di sheet Dokumen"}]),
    ]
    assert failed[1]["error"] == "Dokumen!L5 (Pihak Pertama - Jabatan): wajib diisi"
    english = batch_client.get(f"/api/v1/batches/{batch_id}/errors", headers={"Accept-Language": "en"}).get_json()
    assert english["failed"][1]["errors"][0]["msg"] == "Dokumen!L5 (Pihak Pertama - Jabatan): is required"

    archive = zipfile.ZipFile(io.BytesIO(batch_client.get(f"/api/v1/batches/{batch_id}/archive").data))
    first = full_text(open_docx(archive.read("PK-2026-Dinas-Komunikasi-dan-Informatika-Rahmat-Hidayat-Lubis.docx")))
    assert "19700315 199503 1 002" in first and "Medan, 5 Januari 2026" in first
    for printed in ("1.250", "88,5", "WTP", "Rp\u00a01.500.000.000", "Rp\u00a0250.000.000", "Rp\u00a01.750.000.000",
                    "300", "900"):
        assert printed in first, printed
    fourth = full_text(open_docx(archive.read("PK-2026-Dinas-Pariwisata-Ahmad-Siregar.docx")))
    assert "2,75" in fourth and "Rp\u00a04.250.000" in fourth and "Medan, 5 Januari 2026" in fourth


def test_problems_in_rows_fail_their_item_alone(batch_client, run_bulk_worker):
    book = load_workbook(io.BytesIO(batch_client.get("/api/v1/batches/template.xlsx").data))
    person = ["Pemerintah Provinsi Sumatera Utara", "Dinas Kominfo", None, None, "Budi", "197003151995031002",
              "Pembina (IV/a)", "Kepala Dinas", "Gubernur", None, None, "Gubernur Sumatera Utara", "Medan",
              "2026-01-05"]
    book["Dokumen"].append(["D-1", 2026, "murni", "jpt", *person])
    book["Dokumen"].append(["D-1", 2026, "murni", "jpt", *person])  # the same Ref twice: D-1 fails
    book["Dokumen"].append(["D-2", 2026, "murni", "jpt", *person])
    book["Sasaran"].append(["D-1", 1, "Sasaran", "Indikator", "%", "80"])
    book["Sasaran"].append(["D-2", 1, "Sasaran", "Indikator", "%", "1.25"])  # ambiguous: D-2 fails
    book["Sasaran"].append([None, 1, "Sasaran", "Indikator", "%", "80"])  # no Ref: this row fails alone
    out = io.BytesIO()
    book.save(out)
    response = batch_client.post("/api/v1/batches", data={"file": (io.BytesIO(out.getvalue()), "x.xlsx")},
                                 content_type="multipart/form-data")
    assert response.status_code == 202
    run_bulk_worker()
    failed = batch_client.get(f"/api/v1/batches/{response.get_json()['id']}/errors").get_json()["failed"]
    assert [(f["ref"], [e["msg"] for e in f["errors"]]) for f in failed] == [
        ("D-1", ["Dokumen!A4 (Ref): Ref 'D-1' muncul dua kali di sheet Dokumen (baris 3, 4)"]),
        ("D-2", ['Sasaran!F4 (Target): "1.25" tidak dapat dibaca tanpa menebak: tulis angka cara Indonesia, titik '
                 "untuk ribuan dan koma untuk desimal, misalnya 1,25"]),
        ("Sasaran!5", ["Sasaran!A5 (Ref): Ref wajib diisi"]),
    ]


def test_the_example_rows_are_marked_and_ignored_and_the_guide_speaks_indonesian_excel(batch_client):
    book = load_workbook(io.BytesIO(batch_client.get("/api/v1/batches/template.xlsx").data))
    for sheet in ("Dokumen", "Sasaran", "Anggaran"):
        assert book[sheet]["A2"].value == "CONTOH" and book[sheet]["A2"].font.i
    assert book["Dokumen"]["J2"].value == "19700315 199503 1 002"
    guide = "\n".join(c.value or "" for c in book["Petunjuk"]["A"])
    assert "titik untuk ribuan, koma untuk desimal" in guide
    assert "05/01/2026" in guide and "NIP: 18 digit sebagai TEKS" in guide
    assert "Excel" in guide and "desimal Excel" not in guide
    out = io.BytesIO()
    book.save(out)
    # only the example rows: nothing to render
    response = batch_client.post("/api/v1/batches", data={"file": (io.BytesIO(out.getvalue()), "x.xlsx")},
                                 content_type="multipart/form-data")
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["msg"].startswith("workbook tidak berisi baris dokumen")


# (a Target cell as typed: text or a number cell, as printed in the PK, or the code of the refusal)
WORKBOOK_TARGETS = [
    ("1.250", "1.250"),
    ("1.250,5", "1.250,5"),
    ("88,5", "88,5"),
    (" 88,5 ", "88,5"),
    (1250, "1.250"),
    (88.5, "88,5"),  # a number cell
    ("WTP", "WTP"),
    ("1.25", "angka_ambigu"),
    ("1,250.50", "angka_ambigu"),
    ("1.2.3", "angka_ambigu"),
    (1e30, "angka_terlalu_besar"),
]


def test_workbook_targets_print_as_meant_or_are_refused(batch_client):
    from doctypes.pk.workbook import PK_WORKBOOK
    from sakip.workbook import read_workbook

    book = load_workbook(io.BytesIO(batch_client.get("/api/v1/batches/template.xlsx").data))
    for n, (value, _) in enumerate(WORKBOOK_TARGETS):
        book["Dokumen"].append([f"T-{n}", 2026, "murni", "kepala_daerah", "Pemerintah Provinsi Sumatera Utara",
                                "Pemerintah Provinsi Sumatera Utara", None, None, "H. Tengku Amri Nasution, S.H.",
                                None, None, "Gubernur Sumatera Utara", None, None, None, None, "Medan",
                                dt.datetime(2026, 1, 2)])
        book["Sasaran"].append([f"T-{n}", 1, "Sasaran", "Indikator", "Satuan", value, "positif"])
    out = io.BytesIO()
    book.save(out)
    items = read_workbook(PK_WORKBOOK, out.getvalue())
    assert [i.ref for i in items] == [f"T-{n}" for n in range(len(WORKBOOK_TARGETS))]
    for item, (value, outcome) in zip(items, WORKBOOK_TARGETS, strict=True):
        body = json.loads(exactjson.dumps({"type": "pk", "data": item.data}), parse_float=Decimal)  # as queued
        if "_" in outcome:
            with pytest.raises(InvalidPayload) as caught:
                parse_document_request(body)
            assert [(p.loc, p.code) for p in caught.value.problems] == [(TARGET, outcome)], value
            assert item.cells["sasaran.0.indikator.0.target"].startswith("Sasaran!F")
            assert item.headers["sasaran.0.indikator.0.target"] == "Target"
        else:
            printed = pk_context(parse_document_request(body).data)["sasaran"][0]["indikator"][0]["target"]
            assert printed == outcome, value
