"""The LKjIP as the service knows it: its model, context, file name and batch workbook (signed by
the head of agency alone; the verify page shows the common summary)."""

from __future__ import annotations

from doctypes.lkjip.context import lkjip_context
from doctypes.lkjip.model import LKjIPData
from doctypes.lkjip.quality import lkjip_warnings
from doctypes.lkjip.workbook import LKJIP_WORKBOOK
from sakip.document_type import DocumentType

__all__ = ["LKJIP"]


def _filename_parts(lkjip: LKjIPData) -> list[str]:
    return ["LKjIP", str(lkjip.tahun), lkjip.instansi.nama]


LKJIP = DocumentType(
    name="lkjip", title="Laporan Kinerja Instansi Pemerintah (LKjIP)", model=LKjIPData, context=lkjip_context,
    filename_parts=_filename_parts, short="LKjIP", workbook=LKJIP_WORKBOOK, quality=lkjip_warnings,
    printed_by=(("struktur_organisasi.gambar", "struktur"), ("struktur_organisasi.unit", "struktur"),
                ("anggaran[].sasaran", "efisiensi_sasaran")),
)
"""The LKjIP."""
