"""The PK's batch workbook: sheets Petunjuk (instructions), Dokumen (one row per PK), Sasaran (one
row per indicator, grouped into objectives, with the objective's code and the superior's objective it
serves), Anggaran (one row per budget line, optionally under a group). Drawn and read by
sakip/workbook.py."""

from __future__ import annotations

from typing import Any

from sakip.workbook import EXAMPLE_MARK, ItemReader, Row, WorkbookItem, WorkbookSpec

__all__ = ["COLUMNS", "PK_WORKBOOK"]

COLUMNS: dict[str, list[tuple[str, str]]] = {
    # sheet -> [(header, field path in the item's data)]
    "Dokumen": [
        ("Ref", "ref"), ("Tahun", "tahun"), ("Jenis", "jenis"), ("Tingkat", "tingkat"),
        ("Pemerintah", "instansi.pemerintah"), ("Nama Instansi", "instansi.nama"),
        ("Alamat", "instansi.alamat"), ("Telepon", "instansi.telepon"),
        ("Pihak Pertama - Nama", "pihak_pertama.nama"), ("Pihak Pertama - NIP", "pihak_pertama.nip"),
        ("Pihak Pertama - Pangkat", "pihak_pertama.pangkat"), ("Pihak Pertama - Jabatan", "pihak_pertama.jabatan"),
        ("Pihak Kedua - Nama", "pihak_kedua.nama"), ("Pihak Kedua - NIP", "pihak_kedua.nip"),
        ("Pihak Kedua - Pangkat", "pihak_kedua.pangkat"), ("Pihak Kedua - Jabatan", "pihak_kedua.jabatan"),
        ("Tempat", "tempat"), ("Tanggal", "tanggal"), ("Atasan (Ref/ID PK Atasan)", "atasan"),
    ],
    "Sasaran": [
        ("Ref", "ref"), ("No Sasaran", "no"), ("Sasaran", "uraian"), ("Indikator Kinerja", "indikator.uraian"),
        ("Satuan", "indikator.satuan"), ("Target", "indikator.target"), ("Polaritas", "indikator.polaritas"),
        ("TW I", "tw.0"), ("TW II", "tw.1"), ("TW III", "tw.2"), ("TW IV", "tw.3"),
        ("Kode Sasaran", "kode"), ("Mendukung Sasaran Atasan", "mendukung"),
    ],
    "Anggaran": [
        ("Ref", "ref"), ("Grup (Program/Kegiatan)", "grup"), ("Uraian", "uraian"), ("Jumlah (Rp)", "jumlah"),
        ("Keterangan", "keterangan"),
    ],
}

EXAMPLES: dict[str, list[Any]] = {
    # One example row per sheet, written the way an Indonesian Excel user types (text cells).
    "Dokumen": [EXAMPLE_MARK, 2026, "murni", "jpt", "Pemerintah Provinsi Sumatera Utara",
                "Dinas Komunikasi dan Informatika", "Jl. Contoh No. 1, Medan", "(061) 4567890",
                "Dr. Ir. Rahmat Hidayat Lubis, M.Si.", "19700315 199503 1 002", "Pembina Utama Muda (IV/c)",
                "Kepala Dinas Komunikasi dan Informatika", "H. Tengku Amri Nasution, S.H.", None, None,
                "Gubernur Sumatera Utara", "Medan", "05/01/2026", "GUBERNUR"],
    "Sasaran": [EXAMPLE_MARK, 1, "Meningkatnya keterbukaan informasi publik", "Indeks Keterbukaan Informasi Publik",
                "Indeks", "88,5", "positif", "80", "83,5", "86", "88,5", "SS.1", "2"],
    "Anggaran": [EXAMPLE_MARK, "Program Informasi dan Komunikasi Publik", "Pengelolaan Informasi Publik",
                 "1.500.000.000", "APBD"],
}

CHOICES = {
    ("Dokumen", "jenis"): ["murni", "perubahan"],
    ("Dokumen", "tingkat"): ["kepala_daerah", "jpt", "administrator", "pengawas"],
    ("Sasaran", "indikator.polaritas"): ["positif", "negatif"],
}

INSTRUCTIONS = [
    "PETUNJUK PENGISIAN PERJANJIAN KINERJA (PK) MASSAL",
    "",
    "1. Sheet Dokumen: satu baris untuk satu PK. Kolom Ref wajib diisi dan unik (misalnya NIP atau kode).",
    "2. Sheet Sasaran: satu baris untuk satu indikator kinerja. Ref menghubungkan baris ke PK di sheet Dokumen.",
    "   Indikator dengan Ref dan No Sasaran yang sama dikelompokkan dalam satu sasaran; teks sasaran cukup "
    "diisi pada baris pertama.",
    "   TW I-IV diisi bila ada rencana aksi (keempatnya); target triwulan kumulatif: TW IV sama dengan target.",
    "3. Sheet Anggaran: satu baris untuk satu program/kegiatan. Isi kolom Grup bila baris berada di bawah "
    "program/kegiatan induk.",
    "4. Jenis: murni atau perubahan. Tingkat: kepala_daerah, jpt, administrator, pengawas. "
    "Polaritas: positif atau negatif.",
    "5. Angka ditulis cara Indonesia, seperti Excel berbahasa Indonesia: titik untuk ribuan, koma untuk desimal. "
    "1.250 = seribu dua ratus lima puluh; 88,5 = delapan puluh delapan koma lima; 1.250.000,50.",
    "   Angka boleh diketik sebagai angka Excel atau sebagai teks. Bentuk yang tidak jelas (1.25 atau 1,250.50) "
    "ditolak dengan keterangan, tidak ditebak.",
    "   Target boleh berupa teks seperti WTP. Jumlah anggaran boleh diawali Rp: Rp 1.500.000.000.",
    "6. NIP: 18 digit sebagai TEKS (format sel Teks, atau awali dengan tanda '), spasi boleh: 19700315 199503 1 002. "
    "NIP yang diketik sebagai angka ditolak, karena Excel membulatkan digit terakhirnya.",
    "7. Tanggal: sel tanggal Excel, 05/01/2026 (hari/bulan/tahun), 5 Januari 2026, atau 2026-01-05. "
    "Tanggal tidak pernah dibaca bulan lebih dulu.",
    "8. Untuk tingkat kepala_daerah kosongkan kolom Pihak Kedua; pejabat yang dipilih tidak memiliki NIP dan "
    "pangkat.",
    "9. Keselarasan (cascading): kolom Atasan diisi Ref PK atasan dalam workbook yang sama (atau ID dokumen PK "
    "atasan yang sudah diterbitkan layanan ini); kosong hanya untuk kepala_daerah.",
    "   Kode Sasaran (boleh kosong, misalnya SS.1) dan Mendukung Sasaran Atasan (nomor atau kode sasaran atasan "
    "yang didukung) diisi pada baris pertama sasaran.",
    "   Kolom Atasan, Kode Sasaran dan Mendukung Sasaran Atasan boleh tidak ada pada workbook versi lama.",
    f"10. Baris ke-2 setiap sheet (Ref {EXAMPLE_MARK}, huruf miring abu-abu) adalah contoh dan tidak diproses; "
    "isi data mulai baris ke-3.",
    "Baris yang salah akan gagal sendiri dengan keterangan sel dan judul kolom, misalnya "
    "\"Dokumen!L10 (Pihak Pertama - Jabatan): wajib diisi\"; PK lain tetap diproses.",
]


def _as_reference(value: Any) -> Any:
    """A Ref or a code typed as a whole number (101) is the text 101, as the Ref column reads it."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class _PKReader(ItemReader):
    """The PK's objectives (Sasaran) and budget lines (Anggaran)."""

    def objectives(self, rows: list[tuple[int, Row]]) -> None:
        objectives: dict[tuple[str, Any], dict[str, Any]] = {}
        for number, values in rows:
            item = self.owner("Sasaran", number, values)
            if item is None:
                continue
            objective, prefix = self.objective(item, values, objectives)
            if not objective["indikator"]:  # the objective's first row: its code and the link upwards
                number_in_item = len(item.data["sasaran"]) - 1
                for name in ("kode", "mendukung"):
                    value, cell, header = values[name]
                    if value is not None:
                        objective[name] = _as_reference(value)
                    self.note(item, f"sasaran.{number_in_item}.{name}", cell, header)
            indicator: dict[str, Any] = {}
            for name in ("uraian", "satuan", "target", "polaritas"):
                value, cell, header = values[f"indikator.{name}"]
                if value is not None:
                    indicator[name] = value
                self.note(item, f"{prefix}.{name}", cell, header)
            quarters = [values[f"tw.{q}"] for q in range(4)]
            if any(v is not None for v, _, _ in quarters):
                indicator["triwulan"] = [v for v, _, _ in quarters]
                self.note(item, f"{prefix}.triwulan", quarters[0][1], quarters[0][2])
                for q, (_, cell, header) in enumerate(quarters):
                    self.note(item, f"{prefix}.triwulan.{q}", cell, header)
            objective["indikator"].append(indicator)

    def budget(self, rows: list[tuple[int, Row]]) -> None:
        groups: dict[tuple[str, str], dict[str, Any]] = {}
        for number, values in rows:
            item = self.owner("Anggaran", number, values)
            if item is None:
                continue
            line = {k: values[k][0] for k in ("uraian", "jumlah", "keterangan") if values[k][0] is not None}
            group_name, group_cell, group_header = values["grup"]
            budget = item.data["anggaran"]
            if group_name is None:
                prefix = f"anggaran.{len(budget)}"
                budget.append(line)
            else:
                key = (item.ref, str(group_name))
                if key not in groups:
                    groups[key] = {"uraian": str(group_name), "rincian": []}
                    self.note(item, f"anggaran.{len(budget)}.uraian", group_cell, group_header)
                    budget.append(groups[key])
                group = groups[key]
                prefix = f"anggaran.{budget.index(group)}.rincian.{len(group['rincian'])}"
                group["rincian"].append(line)
            for name in ("uraian", "jumlah", "keterangan"):
                _, cell, header = values[name]
                self.note(item, f"{prefix}.{name}", cell, header)


def _assemble_pk(sheets: dict[str, list[tuple[int, Row]]]) -> list[WorkbookItem]:
    reader = _PKReader(lambda: {"sasaran": [], "anggaran": []}, optional_groups=("pihak_kedua",))
    reader.documents(sheets["Dokumen"])
    for item in reader.items.values():
        if "atasan" in item.data:
            item.data["atasan"] = _as_reference(item.data["atasan"])
    reader.objectives(sheets["Sasaran"])
    reader.budget(sheets["Anggaran"])
    return reader.all_items()


PK_WORKBOOK = WorkbookSpec(doc_type="pk", columns=COLUMNS, examples=EXAMPLES, choices=CHOICES,
                           instructions=INSTRUCTIONS, assemble=_assemble_pk, filename="PK-batch-template.xlsx",
                           optional=frozenset({"Atasan (Ref/ID PK Atasan)", "Kode Sasaran",
                                               "Mendukung Sasaran Atasan"}))
"""The PK workbook."""
