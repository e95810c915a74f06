"""The LKjIP batch workbook: one report per Dokumen row, its indicators with target and
realisation (Indikator), earlier years (Riwayat), the budget with pagu and realisation and the
objective each program serves (Anggaran), and the organisation's units (Struktur, drawn as the
organisation chart). Read like the PK workbook (sakip/workbook.py): Indonesian figures and dates,
an ignored example row, every problem failing its own report with its cell and column header.

The narrative of the report (Kata Pengantar, Bab I, Bab IV) is not in the workbook: a report
from a workbook leaves those sections out (and warns about them: ``bagian_kosong``).
"""

from __future__ import annotations

import re
from typing import Any

from sakip.workbook import EXAMPLE_MARK, ItemReader, Row, WorkbookItem, WorkbookSpec

__all__ = ["LKJIP_WORKBOOK"]

NARRATIVE = ("analisis", "faktor_pendukung", "faktor_penghambat", "upaya")
"""Indicator columns whose cell holds paragraphs, one per line."""

COLUMNS: dict[str, list[tuple[str, str]]] = {
    "Dokumen": [
        ("Ref", "ref"), ("Tahun", "tahun"), ("Pemerintah", "instansi.pemerintah"),
        ("Nama Instansi", "instansi.nama"), ("Alamat", "instansi.alamat"), ("Telepon", "instansi.telepon"),
        ("Kepala - Nama", "kepala.nama"), ("Kepala - NIP", "kepala.nip"), ("Kepala - Pangkat", "kepala.pangkat"),
        ("Kepala - Jabatan", "kepala.jabatan"), ("Tempat", "tempat"), ("Tanggal", "tanggal"),
        ("Periode Renstra", "periode_renstra"),
    ],
    "Indikator": [
        ("Ref", "ref"), ("No Sasaran", "no"), ("Sasaran", "uraian"), ("Indikator Kinerja", "indikator.uraian"),
        ("Satuan", "indikator.satuan"), ("Polaritas", "indikator.polaritas"), ("Metode", "indikator.metode"),
        ("Target", "indikator.target"), ("Realisasi", "indikator.realisasi"),
        ("Target Akhir Renstra", "indikator.target_akhir_renstra"), ("Standar Nasional", "indikator.standar_nasional"),
        ("Analisis", "indikator.analisis"), ("Faktor Pendukung", "indikator.faktor_pendukung"),
        ("Faktor Penghambat", "indikator.faktor_penghambat"), ("Upaya", "indikator.upaya"),
    ],
    "Riwayat": [
        ("Ref", "ref"), ("Indikator Kinerja", "indikator"), ("Tahun", "tahun"), ("Target", "target"),
        ("Realisasi", "realisasi"),
    ],
    "Anggaran": [
        ("Ref", "ref"), ("Uraian", "uraian"), ("Pagu (Rp)", "pagu"), ("Realisasi (Rp)", "realisasi"),
        ("Keterangan", "keterangan"), ("No Sasaran", "sasaran"),
    ],
    "Struktur": [
        ("Ref", "ref"), ("Unit Organisasi", "nama"), ("Unit Induk", "induk"),
    ],
}

EXAMPLES: dict[str, list[Any]] = {
    "Dokumen": [EXAMPLE_MARK, 2025, "Pemerintah Provinsi Sumatera Utara", "Dinas Komunikasi dan Informatika",
                "Jl. Contoh No. 1, Medan", "(061) 4567890", "Dr. Ir. Rahmat Hidayat Lubis, M.Si.",
                "19700315 199503 1 002", "Pembina Utama Muda (IV/c)", "Kepala Dinas Komunikasi dan Informatika",
                "Medan", "20/02/2026", "2024-2026"],
    "Indikator": [EXAMPLE_MARK, 1, "Meningkatnya keterbukaan informasi publik", "Indeks Keterbukaan Informasi Publik",
                  "Indeks", "positif", None, "88,5", "90,12", "92", None,
                  "Capaian melampaui target.\nSeluruh badan publik telah menyusun daftar informasi publik.",
                  "Dukungan pimpinan.", None, "Pendampingan badan publik dilanjutkan."],
    "Riwayat": [EXAMPLE_MARK, "Indeks Keterbukaan Informasi Publik", 2024, "85", "86,4"],
    "Anggaran": [EXAMPLE_MARK, "Program Informasi dan Komunikasi Publik", "Rp 4.250.000.000", "4.012.345.678",
                 "APBD", 1],
    "Struktur": [EXAMPLE_MARK, "Sekretariat", "Dinas Komunikasi dan Informatika"],
}

CHOICES = {
    ("Indikator", "indikator.polaritas"): ["positif", "negatif"],
    ("Indikator", "indikator.metode"): ["A", "B"],
}

INSTRUCTIONS = [
    "PETUNJUK PENGISIAN LAPORAN KINERJA INSTANSI PEMERINTAH (LKjIP) MASSAL",
    "",
    "1. Sheet Dokumen: satu baris untuk satu LKjIP. Kolom Ref wajib diisi dan unik (misalnya kode perangkat daerah).",
    "2. Sheet Indikator: satu baris untuk satu indikator kinerja, dengan target dan realisasi tahun laporan.",
    "   Indikator dengan Ref dan No Sasaran yang sama dikelompokkan dalam satu sasaran; teks sasaran cukup "
    "diisi pada baris pertama. Metode (A atau B) hanya untuk indikator negatif.",
    "   Analisis, Faktor Pendukung, Faktor Penghambat dan Upaya: satu paragraf per baris dalam sel (Alt+Enter).",
    "3. Sheet Riwayat: target dan realisasi tahun-tahun sebelumnya; kolom Indikator Kinerja ditulis sama persis "
    "dengan di sheet Indikator.",
    "4. Sheet Anggaran: satu baris untuk satu program, dengan pagu dan realisasi (realisasi tidak melebihi pagu).",
    "   No Sasaran (boleh kosong): nomor sasaran di sheet Indikator yang didukung program itu; bila diisi, "
    "laporan memuat efisiensi anggaran per sasaran.",
    "   Sheet Struktur (boleh kosong): satu baris untuk satu unit organisasi, dengan nama unit induknya "
    "(kosong untuk unit teratas); laporan memuat bagan struktur organisasi dari baris-baris ini.",
    "5. Angka ditulis cara Indonesia, seperti Excel berbahasa Indonesia: titik untuk ribuan, koma untuk desimal. "
    "1.250 = seribu dua ratus lima puluh; 88,5 = delapan puluh delapan koma lima; Rp 4.250.000.000.",
    "   Angka boleh diketik sebagai angka Excel atau sebagai teks. Bentuk yang tidak jelas (1.25 atau 1,250.50) "
    "ditolak dengan keterangan, tidak ditebak. Target/realisasi boleh berupa teks seperti WTP.",
    "6. NIP: 18 digit sebagai TEKS (format sel Teks, atau awali dengan tanda '), spasi boleh: 19700315 199503 1 002. "
    "NIP yang diketik sebagai angka ditolak, karena Excel membulatkan digit terakhirnya.",
    "7. Tanggal: sel tanggal Excel, 20/02/2026 (hari/bulan/tahun), 20 Februari 2026, atau 2026-02-20.",
    f"8. Baris ke-2 setiap sheet (Ref {EXAMPLE_MARK}, huruf miring abu-abu) adalah contoh dan tidak diproses.",
    "9. Kata Pengantar, Bab I dan Bab IV tidak diisi melalui workbook; bagian itu tidak dimuat dalam laporan.",
    "Baris yang salah akan gagal sendiri dengan keterangan sel dan judul kolom, misalnya "
    "\"Indikator!I5 (Realisasi): wajib diisi\"; laporan lain tetap diproses.",
]


BUDGET_FIELDS = ("uraian", "pagu", "realisasi", "keterangan", "sasaran")


def _paragraphs(value: Any) -> list[Any]:
    if isinstance(value, str):
        return [line.strip() for line in value.splitlines() if line.strip()]
    return [value]


def _key(text: Any) -> str:
    return re.sub(r"\s+", " ", str(text)).strip().casefold()


class _LKjIPReader(ItemReader):
    """The report's indicators, their earlier years and the budget."""

    def indicators(self, rows: list[tuple[int, Row]]) -> None:
        objectives: dict[tuple[str, Any], dict[str, Any]] = {}
        for number, values in rows:
            item = self.owner("Indikator", number, values)
            if item is None:
                continue
            objective, prefix = self.objective(item, values, objectives)
            indicator: dict[str, Any] = {}
            for path, (value, cell, header) in values.items():
                if not path.startswith("indikator."):
                    continue
                name = path.removeprefix("indikator.")
                if value is not None:
                    indicator[name] = _paragraphs(value) if name in NARRATIVE else value
                self.note(item, f"{prefix}.{name}", cell, header)
            objective["indikator"].append(indicator)

    def history(self, rows: list[tuple[int, Row]]) -> None:
        for number, values in rows:
            item = self.owner("Riwayat", number, values)
            if item is None:
                continue
            name, name_cell, name_header = values["indikator"]
            place = next(((s, i, ind) for s, sasaran in enumerate(item.data["sasaran"])
                          for i, ind in enumerate(sasaran["indikator"])
                          if name is not None and _key(ind.get("uraian", "")) == _key(name)), None)
            if place is None:
                item.fail(name_cell, name_header, "riwayat_indikator_tidak_dikenal", indikator=name or "",
                          sheet="Indikator")
                continue
            s, i, indicator = place
            history = indicator.setdefault("riwayat", [])
            prefix = f"sasaran.{s}.indikator.{i}.riwayat.{len(history)}"
            entry = {}
            for field in ("tahun", "target", "realisasi"):
                value, cell, header = values[field]
                if value is not None:
                    entry[field] = value
                self.note(item, f"{prefix}.{field}", cell, header)
            history.append(entry)

    def budget(self, rows: list[tuple[int, Row]]) -> None:
        for number, values in rows:
            item = self.owner("Anggaran", number, values)
            if item is None:
                continue
            prefix = f"anggaran.{len(item.data['anggaran'])}"
            item.data["anggaran"].append({k: values[k][0] for k in BUDGET_FIELDS if values[k][0] is not None})
            for field in BUDGET_FIELDS:
                _, cell, header = values[field]
                self.note(item, f"{prefix}.{field}", cell, header)

    def structure(self, rows: list[tuple[int, Row]]) -> None:
        for number, values in rows:
            item = self.owner("Struktur", number, values)
            if item is None:
                continue
            units = item.data.setdefault("struktur_organisasi", {"unit": []})["unit"]
            prefix = f"struktur_organisasi.unit.{len(units)}"
            units.append({k: values[k][0] for k in ("nama", "induk") if values[k][0] is not None})
            for field in ("nama", "induk"):
                _, cell, header = values[field]
                self.note(item, f"{prefix}.{field}", cell, header)


def _assemble(sheets: dict[str, list[tuple[int, Row]]]) -> list[WorkbookItem]:
    reader = _LKjIPReader(lambda: {"sasaran": [], "anggaran": []})
    reader.documents(sheets["Dokumen"])
    reader.indicators(sheets["Indikator"])
    reader.history(sheets["Riwayat"])
    reader.budget(sheets["Anggaran"])
    reader.structure(sheets["Struktur"])
    return reader.all_items()


LKJIP_WORKBOOK = WorkbookSpec(doc_type="lkjip", columns=COLUMNS, examples=EXAMPLES, choices=CHOICES,
                              instructions=INSTRUCTIONS, assemble=_assemble, filename="LKjIP-batch-template.xlsx",
                              optional=frozenset({"No Sasaran"}), optional_sheets=frozenset({"Struktur"}))
"""The LKjIP workbook."""
