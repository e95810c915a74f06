"""LKjIP payload validation: the shared example passes as it is; each bad field is named by
its path, with a 422 over HTTP and never a 500."""

from __future__ import annotations

import pytest

from sakip.envelope import parse_document_request
from sakip.errors import InvalidPayload
from tests.conftest import example
from tests.payloads import DELETE, with_value


def test_the_shared_example_is_accepted_as_it_is():
    valid = parse_document_request(example("lkjip-opd"))
    assert valid.doctype.name == "lkjip"
    assert valid.doctype.filename(valid.data, "docx") == "LKjIP-2025-Dinas-Komunikasi-dan-Informatika.docx"


IND = "data.sasaran.0.indikator.0"
CASES = [
    (f"{IND}.polaritas", "naik", f"{IND}.polaritas", "'positif', 'negatif'"),
    (f"{IND}.metode", "C", f"{IND}.metode", "'A', 'B'"),
    (f"{IND}.realisasi", DELETE, f"{IND}.realisasi", "wajib diisi"),
    (f"{IND}.realisasi", True, f"{IND}.realisasi", "atau teks"),
    (f"{IND}.target", None, f"{IND}.target", "atau teks"),
    (f"{IND}.riwayat.0.tahun", 2025, f"{IND}.riwayat.0.tahun", "sebelum tahun laporan 2025"),
    (f"{IND}.riwayat.1.tahun", 2023, f"{IND}.riwayat.1.tahun", "tercantum dua kali"),
    (f"{IND}.riwayat.0.realisasi", DELETE, f"{IND}.riwayat.0.realisasi", "wajib diisi"),
    (f"{IND}.analisis", "satu paragraf", f"{IND}.analisis", "harus berupa daftar"),
    (f"{IND}.upaya.0", "  ", f"{IND}.upaya.0", "tidak boleh kosong"),
    (f"{IND}.warna", "merah", f"{IND}.warna", "tidak dikenal"),
    ("data.sasaran", [], "data.sasaran", "paling sedikit 1 isian"),
    ("data.sasaran.0.indikator", [], "data.sasaran.0.indikator", "paling sedikit 1 isian"),
    ("data.anggaran.0.pagu", -1, "data.anggaran.0.pagu", "paling kecil 0"),
    ("data.anggaran.0.realisasi", 5000000000, "data.anggaran.0.realisasi", "tidak boleh melebihi pagu"),
    ("data.anggaran.1.pagu", "banyak", "data.anggaran.1.pagu", "harus berupa jumlah rupiah"),
    ("data.pengaturan.metode_negatif", "C", "data.pengaturan.metode_negatif", "'A', 'B'"),
    ("data.pengaturan.skala_predikat", "bintang", "data.pengaturan.skala_predikat", "skala 'bintang' tidak dikenal"),
    ("data.pengaturan.batas_atas_capaian", 50, "data.pengaturan.batas_atas_capaian", "paling kecil 100"),
    ("data.pendahuluan.sumber_daya.0.jumlah", -3, "data.pendahuluan.sumber_daya.0.jumlah", "paling kecil 0"),
    ("data.kepala.nip", "123", "data.kepala.nip", "NIP harus 18 digit"),
    ("data.tanggal", "20 February 2026", "data.tanggal", "bulan \"February\" tidak dikenal"),
    ("data.tahun", 1999, "data.tahun", "paling kecil 2000"),
    ("data.instansi.nama", "Dinas\x00Kominfo", "data.instansi.nama", "karakter kendali"),
]


@pytest.mark.parametrize(("path", "value", "loc", "words"), CASES, ids=[f"{c[0]}={c[1]!r}" for c in CASES])
def test_each_rule_names_the_bad_field(path, value, loc, words):
    with pytest.raises(InvalidPayload) as caught:
        parse_document_request(with_value(example("lkjip-opd"), path, value))
    problems = {p.loc: p.msg for p in caught.value.problems}
    assert loc in problems, problems
    assert words in problems[loc]


def test_every_bad_field_is_reported_at_once_over_http(client):
    body = with_value(example("lkjip-opd"), f"{IND}.polaritas", "naik")
    body = with_value(body, "data.anggaran.0.pagu", "banyak")
    body = with_value(body, "data.pengaturan.skala_predikat", "bintang")
    response = client.post("/api/v1/documents", json=body)
    assert response.status_code == 422
    locs = {e["loc"] for e in response.get_json()["errors"]}
    assert locs == {f"{IND}.polaritas", "data.anggaran.0.pagu", "data.pengaturan.skala_predikat"}


@pytest.mark.parametrize("value", [{"x": 1}, [1, 2], "", "x" * 2001])
def test_odd_values_are_a_422_never_a_500(client, value):
    response = client.post("/api/v1/documents", json=with_value(example("lkjip-opd"), f"{IND}.realisasi", value))
    assert response.status_code == 422, response.get_json()
