"""The Pohon Kinerja as the service knows it: its model, context and file name. It has no
signatories (the verify page shows the government and the year) and no batch workbook."""

from __future__ import annotations

from doctypes.pohon_kinerja.context import pohon_kinerja_context
from doctypes.pohon_kinerja.model import PohonKinerjaData
from sakip.document_type import DocumentType

__all__ = ["POHON_KINERJA"]


def _filename_parts(data: PohonKinerjaData) -> list[str]:
    return ["Pohon-Kinerja", str(data.tahun), data.instansi.nama]


POHON_KINERJA = DocumentType(
    name="pohon_kinerja", title="Pohon Kinerja", model=PohonKinerjaData, context=pohon_kinerja_context,
    filename_parts=_filename_parts,
)
"""The Pohon Kinerja."""
