"""The stress corpus: request bodies longer than the shipped examples, as an official's real PK is.

Every level (`tingkat`), murni and perubahan, 15 indicators with quarterly targets, names, titles
and agency of 200 characters, figures in the millions, units and text targets that are single long
words; an LKjIP with 10 indicators and long narratives. tests/test_layout_stress.py renders them
to PDF through the real LibreOffice and reads the pages back.
"""

from __future__ import annotations

import copy
from typing import Any

from tests.conftest import example
from tests.pictures import as_base64, garuda_png, logo_png

__all__ = ["LONG_AGENCY", "ORGANISATION", "PK_LEVELS", "lkjip_stress", "long_text", "pk_stress"]


def long_text(start: str, length: int = 200, filler: str = "") -> str:
    """``start`` followed by whole real words, up to ``length`` characters (at least length - 12)."""
    words = (filler or "Pembangunan Berkelanjutan Kesejahteraan Masyarakat Pedesaan Pesisir Terpencil "
             "Perbatasan Kepulauan Strategis Nasional Terpadu").split()
    text = start
    for index in range(200):
        word = words[index % len(words)]
        if len(text) + 1 + len(word) > length:
            break
        text += " " + word
    return text


LONG_AGENCY = long_text("Dinas Pemberdayaan Masyarakat, Desa, Kependudukan dan Pencatatan Sipil serta Pengendalian "
                        "Penduduk dan Keluarga Berencana")
LONG_NAME_1 = long_text("Prof. Dr. Ir. Hj. Rahmawati Kusumaningrum Siregar Pohan Nasution Harahap Lubis",
                        filler="Simanjuntak Panjaitan Hutagalung Sitompul Tambunan Hasibuan Ritonga")
LONG_NAME_2 = long_text("Dr. H. Muhammad Ma'ruf Abdurrahman Batubara Sinaga Tarigan Ginting Sembiring",
                        filler="Purba Saragih Damanik Manurung Sihombing Situmorang Pardede")
LONG_JABATAN_1 = long_text("Plt. Kepala Bidang Pengembangan Kapasitas Kelembagaan, Data dan Informasi "
                           "Kependudukan pada " + LONG_AGENCY[:60])
LONG_JABATAN_2 = long_text("Kepala " + LONG_AGENCY[:120] + " Provinsi Sumatera Utara")

PK_LEVELS = ("kepala_daerah", "jpt", "administrator", "pengawas")

# Units and text targets that are one long word each, and figures in the millions: each must
# print whole in its cell.
_UNITS = ["Persen", "Keluarga", "Informatif", "Predikat", "Temuan", "Dokumen", "Kabupaten/Kota", "Indeks",
          "Orang", "Rekomendasi", "Persentase", "Kali", "Laporan", "Desa", "Nilai"]
_TARGETS: list[Any] = [85.5, 1250000, "Informatif", "WTP", 0, 1800000, 12.75, "Sangat Baik", 33, 2500000,
                       99.99, 4, 1250000, 445, 1800000]


def _quarters(target: Any) -> list[Any]:
    if isinstance(target, str):
        return [target] * 4
    return [round(target * share, 2) if isinstance(target, float) else target * share // 4
            for share in (1, 2, 3, 4)]


def _sasaran(count: int = 5, per: int = 3) -> list[dict[str, Any]]:
    sasaran = []
    for s in range(count):
        indikator = []
        for i in range(per):
            n = s * per + i
            target = _TARGETS[n % len(_TARGETS)]
            indikator.append({
                "uraian": f"Persentase penyelesaian dokumen perencanaan, penganggaran dan pelaporan kinerja "
                          f"yang tepat waktu pada unit kerja sesuai ketentuan peraturan perundang-undangan ({n + 1})",
                "satuan": _UNITS[n % len(_UNITS)], "target": target, "triwulan": _quarters(target)})
        sasaran.append({"uraian": f"Meningkatnya kualitas tata kelola pemerintahan yang akuntabel, transparan dan "
                                  f"berorientasi hasil pada seluruh perangkat daerah {s + 1}",
                        "indikator": indikator})
    return sasaran


def pk_stress(tingkat: str, jenis: str = "murni") -> dict[str, Any]:
    """A long PK of ``tingkat``: 5 objectives, 15 indicators with quarterly targets, 200-character
    names, positions and agency, a budget in groups (perubahan: with what it amends and why), the
    agency's logo beside the letterhead (a regional head's: the Garuda on top instead)."""
    body = copy.deepcopy(example("pk-administrator"))
    data = body["data"]
    data["jenis"] = jenis
    data["tingkat"] = tingkat
    if jenis == "perubahan":
        data["pk_awal"] = {"nomor": "800/1234/PK/DPMD/2026", "tanggal": "2026-01-05"}
        data["alasan_perubahan"] = long_text("Perubahan Anggaran Pendapatan dan Belanja Daerah Tahun 2026 yang "
                                             "mengubah target dan pagu program", length=300)
    data["instansi"] = {"pemerintah": "Pemerintah Provinsi Sumatera Utara", "nama": LONG_AGENCY,
                        "alamat": "Jl. Pangeran Diponegoro No. 30, Medan 20152", "telepon": "(061) 4538787"}
    data["pihak_pertama"] = {"nama": LONG_NAME_1, "nip": "198204122006042011", "pangkat": "Pembina (IV/a)",
                             "jabatan": LONG_JABATAN_1}
    data["pihak_kedua"] = {"nama": LONG_NAME_2, "nip": "196811201994031005",
                           "pangkat": "Pembina Utama Muda (IV/c)", "jabatan": LONG_JABATAN_2}
    if tingkat == "kepala_daerah":
        data["pihak_pertama"] = {"nama": LONG_NAME_2, "jabatan": "Gubernur Sumatera Utara"}
        del data["pihak_kedua"]
        data["instansi"] = {"pemerintah": "Pemerintah Provinsi Sumatera Utara",
                            "nama": "Pemerintah Provinsi Sumatera Utara"}
    if tingkat == "kepala_daerah":  # a regional head's PK: the Garuda on top, no agency logo
        data["garuda"] = {"data": as_base64(garuda_png())}
    else:
        data["instansi"]["logo"] = {"data": as_base64(logo_png())}
    data["sasaran"] = _sasaran()
    data["anggaran"] = [
        {"uraian": f"Program Penunjang Urusan Pemerintahan Daerah Provinsi dan Pengelolaan Keuangan {g + 1}",
         "rincian": [{"uraian": f"Perencanaan, Penganggaran, dan Evaluasi Kinerja Perangkat Daerah {g + 1}.{r + 1}",
                      "jumlah": 1250000000 + 175250000 * r, "keterangan": "APBD"} for r in range(3)]}
        for g in range(2)]
    body["format"] = "pdf"
    return body


def _organisation() -> list[dict[str, Any]]:
    """25 units: the head, a secretariat with 3 sub-units, 5 fields of 3 sections each, a UPTD;
    names up to about 120 characters."""
    head = long_text("Kepala " + LONG_AGENCY[:60].rsplit(" ", 1)[0], 110)
    units: list[dict[str, Any]] = [{"nama": head}]
    secretariat = "Sekretariat"
    units.append({"nama": secretariat, "induk": head})
    units += [{"nama": name, "induk": secretariat} for name in (
        "Subbagian Umum dan Kepegawaian", "Subbagian Keuangan dan Aset",
        long_text("Subbagian Perencanaan, Evaluasi dan Pelaporan Kinerja", 110))]
    for field in range(5):
        name = long_text(f"Bidang {field + 1} Pengembangan Kapasitas Kelembagaan, Data dan Informasi", 100)
        units.append({"nama": name, "induk": head})
        units += [{"nama": long_text(f"Seksi {field + 1}.{section + 1} Pelayanan Administrasi Kependudukan", 80),
                   "induk": name} for section in range(3)]
    units.append({"nama": "UPTD Balai Pelatihan Aparatur Pemerintahan Desa & Kelurahan", "induk": head})
    return units


ORGANISATION = _organisation()


def lkjip_stress() -> dict[str, Any]:
    """An LKjIP with 10 indicators over 3 objectives, long narratives and a 200-character agency;
    an organisation of 25 units with long names; each program mapped to the objective it serves."""
    body = copy.deepcopy(example("lkjip-opd"))
    data = body["data"]
    data["instansi"]["nama"] = LONG_AGENCY
    data["kepala"]["jabatan"] = LONG_JABATAN_2
    template = data["sasaran"][0]["indikator"][0]
    narrative = ("Capaian indikator ini dipengaruhi oleh koordinasi lintas perangkat daerah, ketersediaan data "
                 "yang mutakhir dan dukungan anggaran yang memadai, sehingga pelaksanaan kegiatan berjalan sesuai "
                 "jadwal yang ditetapkan dalam rencana aksi tahunan. ") * 3
    sasaran = []
    for s in range(3):
        indikator = []
        for i in range(4 if s == 0 else 3):
            n = len([x for y in sasaran for x in y["indikator"]]) + i
            ind = copy.deepcopy(template)
            ind.update({"uraian": f"Persentase perangkat daerah dengan nilai evaluasi akuntabilitas kinerja "
                                  f"minimal kategori BB ({n + 1})",
                        "satuan": _UNITS[n % len(_UNITS)] if n % 3 else "Persen",
                        "target": 80 + n, "realisasi": 70 + 3 * n,
                        "analisis": [narrative, narrative],
                        "faktor_pendukung": [f"Dukungan pimpinan dan komitmen seluruh unit kerja ({n + 1})"],
                        "faktor_penghambat": [f"Keterbatasan jumlah sumber daya manusia yang kompeten di bidang "
                                              f"evaluasi kinerja ({n + 1})"],
                        "upaya": [f"Pendampingan teknis dan bimbingan penyusunan dokumen kinerja ({n + 1})"]})
            indikator.append(ind)
        sasaran.append({"uraian": f"Meningkatnya akuntabilitas kinerja dan kualitas pelayanan publik {s + 1}",
                        "indikator": indikator})
    # an earlier year measured in words only: no empty category in that indicator's chart
    sasaran[1]["indikator"][0]["riwayat"] = [{"tahun": 2022, "realisasi": "belum diukur"},
                                             *sasaran[1]["indikator"][0]["riwayat"]]
    data["sasaran"] = sasaran
    data["kata_pengantar"] = [narrative] * 3
    data["struktur_organisasi"] = {"unit": copy.deepcopy(ORGANISATION)}
    for number, program in enumerate(data["anggaran"], start=1):
        program["sasaran"] = number
    body["format"] = "pdf"
    return body
