"""Payload validation: the shared examples pass as they are; each rule names its field."""


import pytest

from sakip.envelope import parse_document_request
from sakip.errors import InvalidPayload
from tests.conftest import example
from tests.payloads import DELETE, with_value


@pytest.mark.parametrize("name", ["pk-jpt", "pk-administrator", "pk-kepala-daerah"])
def test_shared_pk_examples_are_accepted_as_they_are(name):
    valid = parse_document_request(example(name))
    assert valid.doctype.name == "pk"





CASES = [
    # (path, value, expected loc, words in the message)
    ("data.pihak_pertama.nip", "12345", "data.pihak_pertama.nip", "NIP harus 18 digit"),
    ("data.pihak_pertama.nip", "19700315199503100A", "data.pihak_pertama.nip", "NIP harus 18 digit"),
    ("data.pihak_pertama.nip", DELETE, "data.pihak_pertama.nip", "wajib diisi untuk tingkat jpt"),
    ("data.tanggal", "2026-02-30", "data.tanggal", "tidak ada di kalender"),
    ("data.tanggal", "01/13/2026", "data.tanggal", "tidak ada di kalender"),  # never month first
    ("data.tanggal", "January 5, 2026", "data.tanggal", "tanggal tidak dikenali"),
    ("data.tahun", 1999, "data.tahun", "paling kecil 2000"),
    ("data.tahun", 2101, "data.tahun", "paling besar 2100"),
    ("data.anggaran.0.jumlah", -1, "data.anggaran.0.jumlah", "paling kecil 0"),
    ("data.anggaran.0.jumlah", "banyak", "data.anggaran.0.jumlah", "harus berupa jumlah rupiah"),
    ("data.sasaran.0.indikator", [], "data.sasaran.0.indikator", "paling sedikit 1 isian"),
    ("data.sasaran", [], "data.sasaran", "paling sedikit 1 isian"),
    ("data.sasaran.0.indikator.1.target", True, "data.sasaran.0.indikator.1.target", "atau teks"),
    ("data.sasaran.0.indikator.0.polaritas", "naik", "data.sasaran.0.indikator.0.polaritas", "'positif', 'negatif'"),
    ("data.sasaran.0.indikator.0.triwulan", [1, 2, 3], "data.sasaran.0.indikator.0.triwulan", "paling sedikit 4 isian"),
    ("data.jenis", "revisi", "data.jenis", "'murni', 'perubahan'"),
    ("data.tingkat", "eselon5", "data.tingkat", "kepala_daerah"),
    ("data.pihak_kedua", DELETE, "data.pihak_kedua", "wajib diisi untuk tingkat jpt"),
    ("data.instansi.nama", "   ", "data.instansi.nama", "tidak boleh kosong"),
    ("data.instansi.nama", "Dinas\x00Kominfo", "data.instansi.nama", "karakter kendali"),
    ("data.pihak_pertama.nama", 42, "data.pihak_pertama.nama", "harus berupa teks"),
    ("data.tempat", DELETE, "data.tempat", "wajib diisi"),
    ("data.sasaran.0.indikator.0.warna", "merah", "data.sasaran.0.indikator.0.warna", "tidak dikenal"),
    ("type", "laporan", "type", "jenis dokumen 'laporan' tidak dikenal"),
    ("type", "renja", "type", "jenis dokumen 'renja' tidak dikenal"),
    ("format", "odt", "format", "harus 'docx' atau 'pdf'"),
    ("template_version", 0, "template_version", "paling kecil 1"),
]


@pytest.mark.parametrize(("path", "value", "loc", "words"), CASES, ids=[f"{c[0]}={c[1]!r}" for c in CASES])
def test_each_rule_names_the_bad_field(path, value, loc, words):
    with pytest.raises(InvalidPayload) as caught:
        parse_document_request(with_value(example("pk-jpt"), path, value))
    problems = {p.loc: p.msg for p in caught.value.problems}
    assert loc in problems, problems
    assert words in problems[loc]


def test_kepala_daerah_refuses_a_second_party():
    body = example("pk-kepala-daerah")
    body["data"]["pihak_kedua"] = {"nama": "X", "jabatan": "Y"}
    with pytest.raises(InvalidPayload) as caught:
        parse_document_request(body)
    assert [p.loc for p in caught.value.problems] == ["data.pihak_kedua"]


def test_every_bad_field_is_listed_at_once():
    body = with_value(example("pk-jpt"), "data.pihak_pertama.nip", "1")
    body = with_value(body, "data.tanggal", "2026-13-01")
    body = with_value(body, "data.anggaran.1.jumlah", -5)
    with pytest.raises(InvalidPayload) as caught:
        parse_document_request(body)
    assert {p.loc for p in caught.value.problems} == {
        "data.pihak_pertama.nip", "data.tanggal", "data.anggaran.1.jumlah"}


def test_budget_groups_report_paths_without_internal_tags():
    body = with_value(example("pk-administrator"), "data.anggaran.0.rincian.1.jumlah", -1)
    with pytest.raises(InvalidPayload) as caught:
        parse_document_request(body)
    assert [p.loc for p in caught.value.problems] == ["data.anggaran.0.rincian.1.jumlah"]


def test_nip_may_be_sent_grouped():
    body = with_value(example("pk-jpt"), "data.pihak_pertama.nip", "19700315 199503 1 002")
    assert parse_document_request(body).data.pihak_pertama.nip == "197003151995031002"
