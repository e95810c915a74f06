"""The LKjIP's organisation chart, efficiency per objective, chart categories and wording
(issue 13), read back from the rendered DOCX; and the v1 template, which installations that
copied it keep, still rendering."""

from __future__ import annotations

import base64
import io
import re
import zipfile
from decimal import Decimal
from typing import Any

import pytest
from PIL import Image

from config.settings import REPO_ROOT, get_settings
from doctypes.lkjip.context import lkjip_context
from sakip.envelope import parse_document_request
from storage.templates import TemplateRegistry
from tests.conftest import example
from tests.docx_reading import all_tables, document_xml, full_text, open_docx, rows
from tests.payloads import with_value
from workers.images import resolve_pictures
from workers.render import render_docx

UNITS = [
    {"nama": "Kepala Dinas"},
    {"nama": "Sekretariat", "induk": "Kepala Dinas"},
    {"nama": "Subbagian Umum dan Kepegawaian", "induk": "Sekretariat"},
    {"nama": "Bidang Informasi dan Komunikasi Publik", "induk": "Kepala Dinas"},
    {"nama": "UPTD Balai Monitoring Spektrum & Frekuensi", "induk": "Kepala Dinas"},
]


def _render(body: dict[str, Any], version: int | None = None) -> bytes:
    valid = parse_document_request(body)
    template = TemplateRegistry(REPO_ROOT / "doctypes").get("lkjip", version)
    return render_docx(template.content, resolve_pictures(valid.doctype.context(valid.data), get_settings()))


def _media(content: bytes) -> list[bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return [archive.read(n) for n in archive.namelist() if n.startswith("word/media/")]


def _picture(fmt: str, size: tuple[int, int] = (400, 200)) -> str:
    out = io.BytesIO()
    Image.new("RGB", size, (31, 78, 121)).save(out, format=fmt)
    return base64.b64encode(out.getvalue()).decode()


def test_units_are_drawn_by_graphviz_and_listed_under_the_chart():
    body = with_value(example("lkjip-opd"), "data.struktur_organisasi", {"unit": UNITS})
    content = _render(body)
    doc = open_docx(content)
    text = full_text(doc)
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert "C. Tugas, Fungsi dan Struktur Organisasi" in headings
    assert "Bagan Struktur Organisasi Dinas Komunikasi dan Informatika" in text
    outline = [p.text for p in doc.paragraphs if re.match(r"^\d+(\.\d+)*\.\t", p.text)]
    assert [line for line in outline if "Kepala Dinas" in line or "Sekretariat" in line
            or "Subbagian" in line or "Bidang Informasi" in line or "UPTD" in line] == [
        "1.\tKepala Dinas", "1.1.\tSekretariat", "1.1.1.\tSubbagian Umum dan Kepegawaian",
        "1.2.\tBidang Informasi dan Komunikasi Publik", "1.3.\tUPTD Balai Monitoring Spektrum & Frekuensi"]
    charts = [Image.open(io.BytesIO(m)) for m in _media(content)]
    # the four bar charts (70 mm high at 200 dpi) and one picture more: the organisation chart
    assert sum(c.height == 551 for c in charts) == 4
    (organisation,) = [c for c in charts if c.height != 551]
    assert organisation.format == "PNG" and organisation.width > 300


def test_a_supplied_picture_is_placed_as_sent():
    body = with_value(example("lkjip-opd"), "data.struktur_organisasi", {"gambar": {"data": _picture("JPEG")}})
    content = _render(body)
    pictures = [Image.open(io.BytesIO(m)) for m in _media(content)]
    assert any(p.format == "JPEG" and p.size == (400, 200) for p in pictures)
    assert "C. Tugas, Fungsi dan Struktur Organisasi" in full_text(open_docx(content))


CASES = [
    ({"unit": [*UNITS, {"nama": "Sekretariat", "induk": "Kepala Dinas"}]}, "data.struktur_organisasi.unit.5.nama",
     "nama unit \"Sekretariat\" sudah dipakai"),
    ({"unit": [*UNITS, {"nama": "Seksi X", "induk": "Bidang Y"}]}, "data.struktur_organisasi.unit.5.induk",
     "unit induk \"Bidang Y\" tidak ada"),
    ({"unit": [{"nama": "A", "induk": "B"}, {"nama": "B", "induk": "A"}]}, "data.struktur_organisasi.unit.0.induk",
     "rantai unit induk berputar: A -> B -> A"),
    ({"unit": UNITS, "gambar": {"data": _picture("PNG")}}, "data.struktur_organisasi.unit",
     "tidak keduanya"),
    ({"gambar": {"data": "bukan-gambar"}}, "data.struktur_organisasi.gambar.data", "base64"),
    ({"unit": [{"nama": ""}]}, "data.struktur_organisasi.unit.0.nama", "tidak boleh kosong"),
]


@pytest.mark.parametrize(("value", "loc", "words"), CASES, ids=[c[1].split(".", 2)[2] + str(i)
                                                                for i, c in enumerate(CASES)])
def test_a_bad_organisation_is_a_422_naming_the_field(client, value, loc, words):
    response = client.post("/api/v1/documents", json=with_value(example("lkjip-opd"), "data.struktur_organisasi",
                                                                value))
    assert response.status_code == 422, response.get_json()
    errors = {e["loc"]: e["msg"] for e in response.get_json()["errors"]}
    assert loc in errors, errors
    assert words in errors[loc]


def test_a_program_serving_an_unknown_objective_is_a_422(client):
    response = client.post("/api/v1/documents", json=with_value(example("lkjip-opd"), "data.anggaran.0.sasaran", 3))
    assert response.status_code == 422
    errors = {e["loc"]: e["msg"] for e in response.get_json()["errors"]}
    assert errors["data.anggaran.0.sasaran"] == "sasaran nomor 3 tidak ada; laporan ini memuat 2 sasaran"


def test_efficiency_per_objective_from_the_programs_that_serve_it():
    body = example("lkjip-opd")
    for index, sasaran in ((0, 1), (1, 2), (2, 2)):
        body = with_value(body, f"data.anggaran.{index}.sasaran", sasaran)
    content = _render(body)
    doc = open_docx(content)
    (table,) = [t for t in all_tables(doc) if rows(t)[0][:3] == ["No", "Sasaran Strategis", "Jumlah Program"]]
    summary = {r[0]: r for r in rows(next(t for t in all_tables(doc)
                                      if rows(t)[0][:2] == ["No", "Sasaran Strategis"]
                                      and "Jumlah Indikator" in rows(t)[0]))}
    # serapan 1: 4.012.345.678 / 4.250.000.000; serapan 2: (11.902.111.500 + 849.000.000) / 13.630.500.000
    expected = {"1": ("1", "94,41%"), "2": ("2", "93,55%")}
    for row in rows(table)[1:]:
        no, _, programs, rata, serapan, selisih, keterangan = row
        assert (programs, serapan) == expected[no]
        assert rata == summary[no][3]
        diff = Decimal(rata.rstrip("%").replace(",", ".")) - Decimal(serapan.rstrip("%").replace(",", "."))
        assert selisih.replace("\u2212", "-").lstrip("+") == f"{diff:.2f}".replace(".", ",")
        assert keterangan == ("Efisien" if diff > 0 else "Belum efisien")
    assert "Tabel 13 Efisiensi Penggunaan Anggaran per Sasaran Tahun 2025" in full_text(doc)


def test_without_programs_mapped_there_is_no_table_per_objective():
    text = full_text(open_docx(_render(example("lkjip-opd"))))
    assert "Efisiensi Penggunaan Anggaran per Sasaran" not in text
    assert "selisihnya \u22124,29 poin" in text  # the overall reading stays


def test_a_year_with_neither_numeric_target_nor_realisation_is_no_chart_category():
    body = example("lkjip-opd")
    ind = "data.sasaran.0.indikator.0"
    body = with_value(body, f"{ind}.riwayat", [{"tahun": 2022, "realisasi": "belum diukur"},
                                               {"tahun": 2023, "target": 80, "realisasi": 78.4},
                                               {"tahun": 2024, "realisasi": 86.4}])
    context = lkjip_context(parse_document_request(body).data)
    chart = context["sasaran"][0]["grafik"][0]["gambar"]
    assert chart.labels == ["2023", "2024", "2025"]
    for label, target, realisasi in zip(chart.labels, *[values for _, values in chart.series], strict=True):
        assert target is not None or realisasi is not None, label


def test_a_chart_of_few_years_is_narrower_instead_of_padded():
    context = lkjip_context(parse_document_request(example("lkjip-opd")).data)
    charts = [g["gambar"] for s in context["sasaran"] for g in s["grafik"]]
    assert [(len(c.labels), c.width_mm) for c in charts] == [(3, 150), (2, 120), (1, 85), (1, 85)]


def test_predicates_are_spelled_as_the_scale_names_them():
    body = with_value(example("lkjip-opd"), "data.penutup.kesimpulan", [])
    text = full_text(open_docx(_render(body)))
    assert "predikat Tinggi" in text
    assert not re.search(r"predikat (sangat tinggi|tinggi|sedang|rendah|sangat rendah)\b", text)


def test_version_1_still_renders_as_it_was_shipped():
    content = _render(example("lkjip-opd"), version=1)
    text = full_text(open_docx(content))
    assert "Grafik 3.1 Target dan Realisasi Indeks Keterbukaan Informasi Publik" in text
    assert "DAFTAR TABEL" not in text and "SEQ Tabel" not in document_xml(content)
    assert "{{" not in text and "{%" not in text
    content_v2 = _render(example("lkjip-opd"))
    assert "SEQ Tabel" in document_xml(content_v2) and "DAFTAR TABEL" in full_text(open_docx(content_v2))
