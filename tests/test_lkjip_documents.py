"""End to end: LKjIP requests through HTTP -> Redis -> RQ worker -> file, read back as a reader
would: the figures as printed, predicate words, chapters, charts, the TOC field, the PK tables
of the Lampiran, and sections without data left out cleanly."""

from __future__ import annotations

import copy
import io
import re
import time
import zipfile
from typing import Any

import pytest
from PIL import Image

from tests.conftest import example
from tests.docx_reading import document_xml, full_text, open_docx, rows, table_with_header

pytestmark = pytest.mark.usefixtures("shared_converter")
"""PDFs from the session's warm LibreOffice (conftest.shared_converter)."""

CHAPTERS = ["KATA PENGANTAR", "IKHTISAR EKSEKUTIF", "BAB I PENDAHULUAN", "BAB II PERENCANAAN KINERJA",
            "BAB III AKUNTABILITAS KINERJA", "BAB IV PENUTUP", "LAMPIRAN"]


def _pngs(content: bytes) -> list[Image.Image]:
    """The charts: every PNG picture but the QR code (1-bit) of the footer and signature page."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        pictures = [Image.open(io.BytesIO(archive.read(name))) for name in archive.namelist()
                    if name.startswith("word/media/") and name.endswith(".png")]
    return [picture for picture in pictures if picture.mode != "1"]


def _headings(content: bytes, level: int) -> list[str]:
    return [p.text for p in open_docx(content).paragraphs if p.style.name == f"Heading {level}"]


def _clean(text: str) -> None:
    for leftover in ("None", "[]", "{{", "{%", "}}", "%}"):
        assert leftover not in text, leftover


def test_example_report_prints_the_computed_figures(make_document):
    record, content = make_document(example("lkjip-opd"))
    assert record["file"]["name"] == "LKjIP-2025-Dinas-Komunikasi-dan-Informatika.docx"
    doc = open_docx(content)
    text = full_text(doc)
    _clean(text)
    assert _headings(content, 1) == CHAPTERS
    assert _headings(content, 2) == [
        "A. Latar Belakang", "B. Dasar Hukum", "C. Tugas dan Fungsi", "D. Sumber Daya",
        "E. Isu Strategis", "A. Rencana Strategis 2024-2026", "B. Perjanjian Kinerja Tahun 2025",
        "A. Capaian Kinerja Organisasi", "B. Realisasi Anggaran", "A. Kesimpulan", "B. Rencana Tindak Lanjut"]
    assert _headings(content, 3) == [
        "Sasaran 1: Meningkatnya keterbukaan informasi publik",
        "Sasaran 2: Meningkatnya kualitas penerapan Sistem Pemerintahan Berbasis Elektronik"]

    capaian_tables = [rows(t) for t in doc.tables if rows(t)[0][:2] == ["No", "Indikator Kinerja"]
                      and rows(t)[0][-1] == "Predikat"]
    assert capaian_tables[0][1:] == [
        ["1", "Indeks Keterbukaan Informasi Publik", "Indeks", "88,5", "90,12", "101,83%", "Sangat Tinggi"],
        ["2", "Persentase badan publik yang informatif", "%", "75", "61,9", "82,53%", "Tinggi"],
        ["Rata-rata capaian sasaran"] * 5 + ["91,27%", "Sangat Tinggi"],  # 100 and 82,53 averaged
    ]
    assert capaian_tables[1][1:] == [
        ["1", "Indeks SPBE", "Indeks", "3,2", "3,05", "95,31%", "Sangat Tinggi"],
        ["2", "Jumlah insiden keamanan siber yang tidak tertangani", "Kejadian", "10", "12", "80,00%", "Tinggi"],
        ["Rata-rata capaian sasaran"] * 5 + ["87,66%", "Tinggi"],
    ]
    summary = rows(table_with_header(doc, ["No", "Sasaran Strategis", "Jumlah Indikator"]))
    assert summary[-1] == ["Seluruh indikator", "Seluruh indikator", "4", "89,46%", "Tinggi"]

    history = rows(table_with_header(doc, ["No", "Indikator Kinerja", "Tahun"]))
    assert history[1:4] == [
        ["1", "Indeks Keterbukaan Informasi Publik", "2023", "80", "78,4", "98,00%", "+11,72 (membaik)"],
        ["1", "Indeks Keterbukaan Informasi Publik", "2024", "85", "86,4", "101,65%", "+3,72 (membaik)"],
        ["1", "Indeks Keterbukaan Informasi Publik", "2025", "88,5", "90,12", "101,83%", "-"],
    ]
    renstra = [rows(t) for t in doc.tables if "Target Akhir Renstra" in rows(t)[0] and "Capaian" in rows(t)[0]]
    assert renstra[0][1:] == [["1", "Indeks Keterbukaan Informasi Publik", "Indeks", "90,12", "92", "97,96%"],
                              ["2", "Persentase badan publik yang informatif", "%", "61,9", "85", "72,82%"]]
    assert renstra[1][1:] == [["1", "Indeks SPBE", "Indeks", "3,05", "3,5", "87,14%"]]  # the other has none

    budget = rows(table_with_header(doc, ["No", "Program", "Pagu (Rp)"]))
    assert budget[1:] == [
        ["1", "Program Informasi dan Komunikasi Publik", "Rp\u00a04.250.000.000", "Rp\u00a04.012.345.678", "94,41%",
         "Rp\u00a0237.654.322"],
        ["2", "Program Aplikasi Informatika", "Rp\u00a012.780.500.000", "Rp\u00a011.902.111.500", "93,13%",
         "Rp\u00a0878.388.500"],
        ["3", "Program Penyelenggaraan Statistik Sektoral", "Rp\u00a0850.000.000", "Rp\u00a0849.000.000", "99,88%",
         "Rp\u00a01.000.000"],
        ["JUMLAH", "JUMLAH", "Rp\u00a017.880.500.000", "Rp\u00a016.763.457.178", "93,75%", "Rp\u00a01.117.042.822"],
    ]
    assert "selisihnya \u22124,29 poin" in text and "belum efisien" in text

    # The executive summary is written from the numbers.
    assert "Dari 4 indikator kinerja, 2 indikator berpredikat Sangat Tinggi dan 2 indikator berpredikat " \
           "Tinggi. Rata-rata capaian seluruh indikator sebesar 89,46% dengan predikat Tinggi." in text
    assert "serapan 93,75%, dengan sisa anggaran Rp\u00a01.117.042.822" in text
    counts = rows(table_with_header(doc, ["Predikat", "Jumlah Indikator"]))
    assert counts[1:] == [["Sangat Tinggi", "2"], ["Tinggi", "2"], ["Sedang", "0"], ["Rendah", "0"],
                          ["Sangat Rendah", "0"]]
    # Per indicator: the computed sentence, then the agency's narrative.
    assert "realisasi 12 Kejadian, sehingga capaian kinerja sebesar 80,00% dengan predikat Tinggi" in text
    assert "dihitung dengan metode A: (2 × target − realisasi) / target × 100%" in text
    assert "Capaian didukung oleh aktifnya PPID pembantu" in text and "Bimbingan teknis PPID pembantu" in text

    # Signed by the head of agency, titles kept.
    assert "Dr. Ir. Rahmat Hidayat Lubis, M.Si." in text and "NIP. 19700315 199503 1 002" in text
    assert "Medan, 20 Februari 2026" in text


def xml_has_seq(content: bytes, kind: str) -> int:
    """How many SEQ ``kind`` fields the document body holds."""
    return len(re.findall(rf"SEQ {kind} ", document_xml(content)))


def test_example_report_has_charts_toc_and_the_pk_tables(make_document):
    _, content = make_document(example("lkjip-opd"))
    doc = open_docx(content)
    text = full_text(doc)
    # One chart per indicator with numeric values, embedded as PNG 70 mm high: 150 mm wide for three
    # years, narrower for two (120) and one (85), so no empty thirds flank the bars.
    pictures = _pngs(content)
    assert len(pictures) == 4
    ratios = sorted(round(p.width / p.height, 2) for p in pictures)
    assert ratios == [round(85 / 70, 2)] * 2 + [round(120 / 70, 2), round(150 / 70, 2)], ratios
    assert all(p.height >= 500 for p in pictures)
    assert len(re.findall(r"<wp:inline", document_xml(content))) == 4 + 1  # the charts, the QR code by the signature
    # numbered through the document by SEQ fields (template v2), listed in the Daftar Grafik
    assert "Grafik 1 Target dan Realisasi Indeks Keterbukaan Informasi Publik" in text
    assert "Grafik 4 Target dan Realisasi Jumlah insiden keamanan siber yang tidak tertangani" in text
    assert xml_has_seq(content, "Grafik") == 4

    xml = document_xml(content)
    assert 'TOC \\o "1-3" \\h \\z \\u' in xml
    assert xml.count('w:fldCharType="begin"') == xml.count('w:fldCharType="end"')
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert '<w:updateFields w:val="true"/>' in archive.read("word/settings.xml").decode()
    toc = [p.text for p in doc.paragraphs if p.style.name.startswith("toc")]
    assert toc[:4] == ["KATA PENGANTAR", "IKHTISAR EKSEKUTIF", "BAB I PENDAHULUAN", "A. Latar Belakang"]
    assert "Sasaran 2: Meningkatnya kualitas penerapan Sistem Pemerintahan Berbasis Elektronik" in toc

    # The Lampiran and Bab II carry the PK's own tables, as the PK prints them.
    performance = [rows(t) for t in doc.tables if rows(t)[0] == ["No", "Sasaran", "Indikator Kinerja", "Satuan",
                                                                  "Target"]]
    assert len(performance) == 2 and performance[0] == performance[1]
    assert performance[0][1] == ["(1)", "(2)", "(3)", "(4)", "(5)"]
    assert performance[0][-1] == ["2", "Meningkatnya kualitas penerapan Sistem Pemerintahan Berbasis Elektronik",
                                  "Jumlah insiden keamanan siber yang tidak tertangani", "Kejadian", "10"]
    pk_budget = rows(table_with_header(doc, ["No", "Program", "Anggaran (Rp)"]))
    assert pk_budget[-1] == ["JUMLAH", "JUMLAH", "Rp\u00a017.880.500.000", ""]
    assert "PERJANJIAN KINERJA TAHUN 2025" in text


def _bare_report() -> dict[str, Any]:
    """The example with every optional part removed, and indicators that test the edge rules."""
    body = copy.deepcopy(example("lkjip-opd"))
    data = body["data"]
    for key in ("pendahuluan", "perencanaan", "penutup", "anggaran", "periode_renstra"):
        del data[key]
    data["sasaran"] = [{"uraian": "Meningkatnya akuntabilitas keuangan", "indikator": [
        {"uraian": "Opini BPK", "satuan": "Opini", "target": "WTP", "realisasi": "WTP"},
        {"uraian": "Nilai kepuasan layanan", "satuan": "Kategori", "target": "Baik", "realisasi": "Baik"},
        {"uraian": "Angka kemiskinan", "satuan": "%", "polaritas": "negatif", "metode": "B",
         "target": 10, "realisasi": 12},
        {"uraian": "Jumlah temuan berulang", "satuan": "Temuan", "polaritas": "negatif", "target": 0,
         "realisasi": 0},
    ]}]
    data["pengaturan"] = {"metode_negatif": "A"}
    return body


def test_a_report_without_optional_parts_leaves_them_out_cleanly(make_document):
    _, content = make_document(_bare_report())
    doc = open_docx(content)
    text = full_text(doc)
    _clean(text)
    assert _headings(content, 1) == CHAPTERS
    assert _headings(content, 2) == ["A. Latar Belakang", "A. Rencana Strategis", "B. Perjanjian Kinerja Tahun 2025",
                                     "A. Capaian Kinerja Organisasi", "A. Kesimpulan"]
    for absent in ("Realisasi Anggaran", "Perbandingan Realisasi", "Target Akhir Renstra 20", "Standar Nasional",
                   "Faktor pendukung", "Upaya yang dilakukan", "Dasar Hukum", "Rencana Tindak Lanjut",
                   "Anggaran (Rp)", "serapan"):
        assert absent not in text, absent
    table = [rows(t) for t in doc.tables if rows(t)[0][-1] == "Predikat" and rows(t)[0][1] == "Indikator Kinerja"]
    assert table[0][1:] == [
        ["1", "Opini BPK", "Opini", "WTP", "WTP", "100,00%", "Sangat Tinggi"],           # through WTP=4
        ["2", "Nilai kepuasan layanan", "Kategori", "Baik", "Baik", "tidak dapat dihitung", "-"],
        ["3", "Angka kemiskinan", "%", "10", "12", "83,33%", "Tinggi"],                  # method B per indicator
        ["4", "Jumlah temuan berulang", "Temuan", "0", "0", "100,00%", "Sangat Tinggi"],  # target 0 met
        ["Rata-rata capaian sasaran"] * 5 + ["94,44%", "Sangat Tinggi"],
    ]
    assert "1 indikator tidak dapat dihitung capaiannya" in text
    assert "tabel pemetaan nilai" in text
    assert len(_pngs(content)) == 1  # no chart for text values, nor for a target and realisation of 0
    toc = [p.text for p in doc.paragraphs if p.style.name.startswith("toc")]
    assert "B. Realisasi Anggaran" not in toc and "B. Rencana Tindak Lanjut" not in toc


def _large_report(objectives: int = 6, indicators: int = 40, years: int = 3) -> dict[str, Any]:
    body = copy.deepcopy(example("lkjip-opd"))
    data = body["data"]
    data["sasaran"] = []
    for s in range(objectives):
        items = []
        for i in range(s, indicators, objectives):
            negative = i % 5 == 4
            target = 50 + i
            items.append({
                "uraian": f"Indikator kinerja nomor {i + 1} dengan uraian yang cukup panjang untuk dibungkus",
                "satuan": "%", "polaritas": "negatif" if negative else "positif",
                "target": target, "realisasi": round(target * (0.6 + (i % 7) * 0.1), 2),
                "target_akhir_renstra": target + 10,
                "riwayat": [{"tahun": 2025 - y, "target": target - y, "realisasi": target - y - 1}
                            for y in range(years, 0, -1)],
                "analisis": [f"Analisis indikator {i + 1}."], "faktor_penghambat": ["Keterbatasan anggaran"],
            })
        data["sasaran"].append({"uraian": f"Sasaran strategis nomor {s + 1}", "indikator": items})
    data["anggaran"] = [{"uraian": f"Program {n}", "pagu": 1000000000 + n, "realisasi": 900000000 + n}
                        for n in range(1, 13)]
    return body


def test_a_large_report_renders_every_objective_indicator_and_year(make_document):
    started = time.monotonic()
    _, content = make_document(_large_report())
    elapsed = time.monotonic() - started
    doc = open_docx(content)
    text = full_text(doc)
    _clean(text)
    assert len(_headings(content, 3)) == 6
    capaian_rows = [r for t in doc.tables if rows(t)[0][-1] == "Predikat" and rows(t)[0][1] == "Indikator Kinerja"
                    for r in rows(t)[1:-1]]
    assert len(capaian_rows) == 40
    assert all(re.fullmatch(r"-?\d{1,3}(\.\d{3})*,\d\d%", r[5]) for r in capaian_rows)
    history_rows = [r for t in doc.tables if rows(t)[0][:3] == ["No", "Indikator Kinerja", "Tahun"]
                    for r in rows(t)[1:]]
    assert len(history_rows) == 40 * 4  # three earlier years and this one
    assert len(_pngs(content)) == 40
    assert elapsed < 60


@pytest.mark.slow
def test_pdf_pages_show_the_toc_entries_and_stay_on_f4(make_document):
    from pypdf import PdfReader

    body = example("lkjip-opd")
    body["format"] = "pdf"
    _, content = make_document(body)
    reader = PdfReader(io.BytesIO(content))
    width_mm, height_mm = (float(v) * 25.4 / 72 for v in reader.pages[0].mediabox.upper_right)
    assert round(width_mm) == 215 and round(height_mm) == 330
    toc_page = next(p.extract_text() for p in reader.pages if "DAFTAR ISI" in p.extract_text())
    for entry in ("KATA PENGANTAR", "BAB I PENDAHULUAN", "A. Capaian Kinerja Organisasi", "LAMPIRAN"):
        assert entry in toc_page
    assert any("Grafik 1 Target" in p.extract_text() for p in reader.pages)


def test_same_report_data_gives_the_same_bytes_charts_included():
    import hashlib

    from config.settings import REPO_ROOT
    from sakip.envelope import parse_document_request
    from storage.templates import TemplateRegistry
    from workers.render import render_docx

    template = TemplateRegistry(REPO_ROOT / "doctypes").get("lkjip")
    valid = parse_document_request(example("lkjip-opd"))
    first = render_docx(template.content, valid.doctype.context(valid.data))
    second = render_docx(template.content, valid.doctype.context(valid.data))
    assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()
