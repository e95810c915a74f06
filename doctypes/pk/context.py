"""Builds the template context of a PK: every value already formatted for print.

Templates only place strings; numbering, sums, grouping and Indonesian formatting are
decided here, once, so an administrator editing the Word template can't get them wrong.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from doctypes.pk.model import AnggaranGrup, PKData, Tingkat
from sakip.formatting import format_angka, format_nip, format_rupiah, format_tanggal
from sakip.media import SuppliedPicture
from sakip.models.common import Instansi, Pejabat

__all__ = ["ANGGARAN_LABEL", "GARUDA_BOX_MM", "LOGO_BOX_MM", "NBSP", "kop_context", "pejabat_context",
           "pk_context", "print_value", "rupiah"]

NBSP = "\u00a0"

LOGO_BOX_MM = (24.0, 28.0)
"""Width and height the letterhead's logo fits into (aspect ratio kept)."""
GARUDA_BOX_MM = (26.0, 26.0)
"""Width and height the Garuda fits into, centred above a regional head's letterhead."""

ANGGARAN_LABEL = {
    Tingkat.KEPALA_DAERAH: "Program",
    Tingkat.JPT: "Program",
    Tingkat.ADMINISTRATOR: "Program / Kegiatan",
    Tingkat.PENGAWAS: "Kegiatan / Sub Kegiatan",
}
"""Heading of the budget table's description column, by the first party's level."""


def print_value(value: Decimal | str) -> str:
    """A target or realisation as printed: numbers Indonesian style, text as sent."""
    return format_angka(value) if isinstance(value, Decimal) else value


def kop_context(instansi: Instansi) -> dict[str, str]:
    """Letterhead lines; the agency line is left empty when it repeats the government."""
    same = instansi.nama.casefold() == instansi.pemerintah.casefold()
    contact = [part for part in (instansi.alamat, instansi.telepon and f"Telepon {instansi.telepon}") if part]
    return {
        "pemerintah": instansi.pemerintah.upper(),
        "nama": "" if same else instansi.nama.upper(),
        "kontak": " ".join(contact),
    }


def pejabat_context(pejabat: Pejabat | None) -> dict[str, str] | None:
    """A signatory's printable fields; NIP and rank are empty strings for elected officials."""
    if pejabat is None:
        return None
    return {
        "nama": pejabat.nama,
        "nip": format_nip(pejabat.nip) if pejabat.nip else "",
        "pangkat": pejabat.pangkat or "",
        "jabatan": pejabat.jabatan,
    }


def rupiah(value: Decimal) -> str:
    """Money as printed in a table cell: "Rp" joined to its figure by a no-break space, so a
    line never ends between them."""
    return format_rupiah(value).replace(" ", NBSP, 1)


def _sasaran_rows(pk: PKData) -> list[dict[str, Any]]:
    rows = [
        {
            "no": str(number),
            "uraian": sasaran.uraian,
            "indikator": [
                {"uraian": ind.uraian, "satuan": ind.satuan or "", "target": print_value(ind.target),
                 "akhir": False}
                for ind in sasaran.indikator
            ],
        }
        for number, sasaran in enumerate(pk.sasaran, start=1)
    ]
    if rows:  # the table's last row keeps with what follows it
        rows[-1]["indikator"][-1]["akhir"] = True
    return rows


def _anggaran_rows(pk: PKData) -> tuple[list[dict[str, Any]], Decimal]:
    rows: list[dict[str, Any]] = []
    total = Decimal(0)
    for number, item in enumerate(pk.anggaran, start=1):
        if isinstance(item, AnggaranGrup):
            subtotal = sum((line.jumlah for line in item.rincian), Decimal(0))
            rows.append({"no": str(number), "uraian": item.uraian, "jumlah": rupiah(subtotal),
                         "keterangan": "", "grup": True})
            rows.extend(
                {"no": f"{number}.{sub}", "uraian": line.uraian, "jumlah": rupiah(line.jumlah),
                 "keterangan": line.keterangan or "", "grup": False}
                for sub, line in enumerate(item.rincian, start=1)
            )
            total += subtotal
        else:
            rows.append({"no": str(number), "uraian": item.uraian, "jumlah": rupiah(item.jumlah),
                         "keterangan": item.keterangan or "", "grup": False})
            total += item.jumlah
    return rows, total


def _rencana_aksi_rows(pk: PKData) -> list[dict[str, Any]]:
    rows = []
    for sasaran in pk.sasaran:
        for ind in sasaran.indikator:
            if ind.triwulan:
                rows.append({
                    "no": str(len(rows) + 1),
                    "indikator": ind.uraian,
                    "satuan": ind.satuan or "",
                    "target": print_value(ind.target),
                    "tw": [print_value(v) for v in ind.triwulan],
                })
    return rows


def pk_context(pk: PKData) -> dict[str, Any]:
    """The variables the PK template uses (see doctypes/pk/manifest.json)."""
    anggaran, total = _anggaran_rows(pk)
    rencana_aksi = _rencana_aksi_rows(pk)
    jenis = " PERUBAHAN" if pk.jenis == "perubahan" else ""
    return {
        "judul": f"PERJANJIAN KINERJA{jenis} TAHUN {pk.tahun}",
        "tahun": str(pk.tahun),
        "perubahan": pk.jenis == "perubahan",
        "satu_penandatangan": pk.tingkat is Tingkat.KEPALA_DAERAH,
        "kop": kop_context(pk.instansi),
        "kop_logo": pk.instansi.logo and SuppliedPicture(pk.instansi.logo, *LOGO_BOX_MM, loc="data.instansi.logo"),
        "garuda": pk.garuda and SuppliedPicture(pk.garuda, *GARUDA_BOX_MM, loc="data.garuda"),
        "instansi": {"pemerintah": pk.instansi.pemerintah, "nama": pk.instansi.nama},
        "pihak_pertama": pejabat_context(pk.pihak_pertama),
        "pihak_kedua": pejabat_context(pk.pihak_kedua),
        "tempat_tanggal": f"{pk.tempat}, {format_tanggal(pk.tanggal)}",
        "jabatan_judul": pk.pihak_pertama.jabatan.upper(),
        "pk_awal": pk.pk_awal and {"nomor": pk.pk_awal.nomor, "tanggal": format_tanggal(pk.pk_awal.tanggal)},
        "alasan_perubahan": pk.alasan_perubahan or "",
        "sasaran": _sasaran_rows(pk),
        "anggaran": anggaran,
        "anggaran_label": ANGGARAN_LABEL[pk.tingkat],
        "anggaran_total": rupiah(total),
        "rencana_aksi": rencana_aksi,
        # the lampiran's last table, whose end keeps with the signature block
        "tabel_akhir": "rencana_aksi" if rencana_aksi else "anggaran" if anggaran else "sasaran",
    }
