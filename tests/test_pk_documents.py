"""End to end: each shared PK example through HTTP -> Redis -> RQ worker -> file, read back as a reader would."""

from __future__ import annotations

import hashlib
import re

from tests.conftest import example
from tests.docx_reading import document_xml, full_text, open_docx, rows, table_with_header


def test_pk_jpt_document(make_document):
    record, content = make_document(example("pk-jpt"))
    assert record["file"]["name"] == "PK-2026-Dinas-Komunikasi-dan-Informatika-Rahmat-Hidayat-Lubis.docx"
    assert record["file"]["size"] == len(content)
    assert record["file"]["sha256"] == hashlib.sha256(content).hexdigest()
    assert record["template"]["version"] == 2 and len(record["template"]["sha256"]) == 64
    doc = open_docx(content)
    text = full_text(doc)
    assert "PEMERINTAH PROVINSI SUMATERA UTARA" in text
    assert "DINAS KOMUNIKASI DAN INFORMATIKA" in text
    assert "PERJANJIAN KINERJA TAHUN 2026" in text and "PERUBAHAN" not in text
    assert "Medan, 5 Januari 2026" in text
    assert "Dr. Ir. Rahmat Hidayat Lubis, M.Si." in text
    assert "NIP. 19700315 199503 1 002" in text
    assert "Pembina Utama Muda (IV/c)" in text
    assert "PIHAK PERTAMA," in text and "PIHAK KEDUA," in text
    assert "selaku atasan pihak pertama" in text
    assert "Pihak kedua akan melakukan supervisi" in text

    performance = rows(table_with_header(doc, ["No", "Sasaran"]))
    assert performance[1] == ["(1)", "(2)", "(3)", "(4)", "(5)"]
    assert performance[2:] == [
        ["1", "Meningkatnya keterbukaan informasi publik", "Indeks Keterbukaan Informasi Publik", "Indeks", "88,5"],
        ["1", "Meningkatnya keterbukaan informasi publik", "Persentase badan publik yang informatif", "%", "75"],
        ["2", "Meningkatnya kualitas penerapan Sistem Pemerintahan Berbasis Elektronik", "Indeks SPBE",
         "Indeks", "3,2"],
        ["2", "Meningkatnya kualitas penerapan Sistem Pemerintahan Berbasis Elektronik",
         "Jumlah insiden keamanan siber yang tidak tertangani", "Kejadian", "5"],
    ]
    budget = rows(table_with_header(doc, ["No", "Program"]))
    # the lampiran's last table ends with the signature block, so its last row never stands apart
    assert budget[7][:2] == ["", ""] and budget[7][2] == budget[7][3] == "Medan, 5 Januari 2026"
    assert budget[8][0] == "PIHAK KEDUA," and budget[8][2] == "PIHAK PERTAMA,"
    assert budget[2:7] == [
        ["1", "Program Informasi dan Komunikasi Publik", "Rp\u00a04.250.000.000", "APBD"],
        ["2", "Program Aplikasi Informatika", "Rp\u00a012.780.500.000", "APBD"],
        ["3", "Program Penyelenggaraan Statistik Sektoral", "Rp\u00a0850.000.000", "APBD"],
        ["4", "Program Penyelenggaraan Persandian untuk Pengamanan Informasi", "Rp\u00a0615.250.000", "APBD"],
        ["JUMLAH", "JUMLAH", "Rp\u00a018.495.750.000", ""],
    ]
    assert "RENCANA AKSI" not in text  # no quarterly targets given


def test_objective_cell_spans_its_indicators(make_document):
    _, content = make_document(example("pk-jpt"))
    xml = document_xml(content)
    merges = re.findall(r'<w:vMerge w:val="(\w+)"/>', xml)
    # two columns (No, Sasaran) x two objectives x two indicators
    assert merges == ["restart", "restart", "continue", "continue"] * 2


def test_pk_perubahan_with_budget_groups_and_action_plan(make_document):
    body = example("pk-administrator")
    body["format"] = "docx"
    record, content = make_document(body)
    assert record["file"]["name"] == "PK-Perubahan-2026-Dinas-Kebudayaan-Pariwisata-Siti-Marifah-Harahap.docx"
    doc = open_docx(content)
    text = full_text(doc)
    assert "PERJANJIAN KINERJA PERUBAHAN TAHUN 2026" in text
    assert "Siti Ma'rifah Harahap, S.Sos., M.AP." in text
    assert "Plt. Kepala Bidang Pemasaran Pariwisata" in text
    assert "DINAS KEBUDAYAAN & PARIWISATA" in text
    assert "Kepala Dinas Kebudayaan & Pariwisata Provinsi Sumatera Utara" in text
    assert "Medan, 1 Oktober 2026" in text
    budget = rows(table_with_header(doc, ["No", "Program / Kegiatan"]))
    assert budget[2:6] == [
        ["1", "Program Pemasaran Pariwisata", "Rp\u00a02.460.750.000,50", ""],
        ["1.1", "Pemasaran Pariwisata Dalam dan Luar Negeri Daya Tarik, Destinasi dan Kawasan Strategis "
                "Pariwisata Provinsi", "Rp\u00a02.150.000.000", "APBD"],
        ["1.2", "Penyediaan Data dan Informasi Pariwisata", "Rp\u00a0310.750.000,50", "APBD"],
        ["JUMLAH", "JUMLAH", "Rp\u00a02.460.750.000,50", ""],
    ]
    plan = rows(table_with_header(doc, ["No", "Indikator Kinerja", "Satuan", "Target Tahunan"]))
    assert plan[0][4:] == ["TW I", "TW II", "TW III", "TW IV"]
    assert plan[2:4] == [
        ["1", "Jumlah kunjungan wisatawan mancanegara", "Orang", "285.000", "40.000", "70.000", "85.000", "90.000"],
        ["2", "Rata-rata lama tinggal wisatawan", "Hari", "2,75", "2,5", "2,6", "2,7", "2,75"],
    ]


def test_kepala_daerah_signs_alone_without_nip_or_rank(make_document):
    record, content = make_document(example("pk-kepala-daerah"))
    doc = open_docx(content)
    text = full_text(doc)
    assert "H. Tengku Amri Nasution, S.H." in text
    assert "Gubernur Sumatera Utara" in text
    assert "PIHAK KEDUA" not in text and "pihak kedua" not in text
    assert "PIHAK PERTAMA" not in text
    assert "NIP" not in text and "Pangkat" not in text
    assert "Medan, 2 Januari 2026" in text
    assert "tanggung jawab saya" in text
    # the agency line of the letterhead isn't repeated when it is the government itself
    assert text.count("PEMERINTAH PROVINSI SUMATERA UTARA") == 1  # the letterhead only
    # the attachment names the position of the official who signs it
    assert "LAMPIRAN\nPERJANJIAN KINERJA TAHUN 2026\nGUBERNUR SUMATERA UTARA" in text
    performance = rows(table_with_header(doc, ["No", "Sasaran"]))
    targets = [row[4] for row in performance[2:6]]
    assert targets == ["7,8", "74,1", "WTP", "BB"]
    assert "Anggaran (Rp)" not in text  # no budget lines: no budget table
    assert record["file"]["name"] == "PK-2026-Pemerintah-Provinsi-Sumatera-Utara-Tengku-Amri-Nasution.docx"


def test_what_the_client_sends_appears_verbatim(make_document):
    body = example("pk-jpt")
    odd = "Kebudayaan & Pariwisata <Sumut> \"Ma'ruf\" ≥ 2 km² 🎉 {{ 7*7 }} {% if 1 %}x{% endif %}"
    body["data"]["pihak_pertama"]["jabatan"] = odd
    body["data"]["sasaran"][0]["indikator"][0]["uraian"] = "Indeks <b>tebal</b> & ]]> </w:t>"
    _, content = make_document(body)
    text = full_text(open_docx(content))
    assert odd in text
    assert "Indeks <b>tebal</b> & ]]> </w:t>" in text


def test_a_pinned_template_version_is_recorded(make_document):
    body = example("pk-jpt")
    body["template_version"] = 1
    record, _ = make_document(body)
    assert record["template"] == {"name": "Perjanjian Kinerja", "version": 1, "sha256": record["template"]["sha256"]}
