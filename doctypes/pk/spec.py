"""The PK as the service knows it: its model, context, file name, verify-page summary, signatures,
batch workbook and the cascade findings a batch of PKs gives."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from doctypes.pk.context import pk_context
from doctypes.pk.model import PKData
from doctypes.pk.quality import pk_warnings
from doctypes.pk.workbook import PK_WORKBOOK
from sakip.cascade import batch_findings
from sakip.document_type import DocumentType, summary_of
from sakip.filenames import name_without_titles
from sakip.formatting import format_tanggal

__all__ = ["PK"]


def _filename_parts(pk: PKData) -> list[str]:
    kind = "PK-Perubahan" if pk.jenis == "perubahan" else "PK"
    return [kind, str(pk.tahun), pk.instansi.nama, name_without_titles(pk.pihak_pertama.nama)]


def _summary(pk: PKData) -> dict[str, Any]:
    return {**summary_of(pk), "jenis": pk.jenis, **_amended_pk(pk)}


def _amended_pk(pk: PKData) -> dict[str, Any]:
    """A PK Perubahan's ``pk_awal`` (number and date as printed, our id when given): the verify page
    names the PK it amends."""
    awal = pk.pk_awal
    if awal is None:
        return {}
    return {"pk_awal": {"nomor": awal.nomor, "tanggal": format_tanggal(awal.tanggal), "document_id": awal.document_id}}


def _signatures(data: Mapping[str, Any]) -> int:
    """A regional head's PK is signed by the regional head alone; every other PK by both parties
    (pihak pertama, then pihak kedua)."""
    return 1 if data.get("tingkat") == "kepala_daerah" else 2


PK = DocumentType(
    name="pk", title="Perjanjian Kinerja", short="PK", model=PKData, context=pk_context, filename_parts=_filename_parts,
    summary=_summary, signatures=_signatures, workbook=PK_WORKBOOK, batch_findings=batch_findings, cascade=True,
    amendable=True, quality=pk_warnings, printed_by=(("instansi.logo", "kop_logo"), ("garuda", "garuda")),
)
"""The Perjanjian Kinerja."""
