"""A PK Perubahan that names the earlier PK it amends (``pk_awal.document_id``): checked at intake
and linked both ways.

The decisions: the id must name a PK of ours that the calling client may see (another client's
document is as unknown as one that never existed) and that was issued (finished or signed, not
revoked), of the same year: otherwise 422 at ``data.pk_awal.document_id``. Another first party or
another agency is allowed (a PK Perubahan often follows a change of official or a reorganisation)
but is said as a warning, so a wrong id doesn't pass unnoticed.
"""

from __future__ import annotations

import json
from typing import Any

from doctypes.pk.model import PKData
from sakip.doctypes import DOCUMENT_TYPES
from sakip.errors import FieldProblem, InvalidPayload
from sakip.quality import QualityWarning
from service.auth import owns
from service.state import state
from storage.amendments import amended_by
from storage.records import DOWNLOADABLE, DocumentRecord

__all__ = ["LOC", "amendment_links", "check_pk_awal"]

LOC = "data.pk_awal.document_id"


def _refuse(code: str, **params: Any) -> InvalidPayload:
    return InvalidPayload([FieldProblem(LOC, code, params)])


def check_pk_awal(data: Any) -> tuple[str | None, list[QualityWarning]]:
    """The id of the earlier PK this request amends (None when it names none) and the warnings
    about it. Raises InvalidPayload when the id can't be the earlier PK of this one."""
    if not isinstance(data, PKData) or data.pk_awal is None or data.pk_awal.document_id is None:
        return None, []
    old_id = data.pk_awal.document_id
    record = state().records.get(old_id)
    if record is None or not owns(record):
        raise _refuse("pk_awal_tidak_dikenal", id=old_id)
    if getattr(DOCUMENT_TYPES.get(record.type), "model", None) is not type(data):  # a PK Perubahan amends a PK
        raise _refuse("pk_awal_bukan_pk", id=old_id, jenis=record.type)
    if record.status not in DOWNLOADABLE:
        raise _refuse("pk_awal_belum_terbit", id=old_id, status=record.status)
    summary = json.loads(record.summary or "{}")
    if summary.get("tahun") is not None and int(summary["tahun"]) != data.tahun:
        raise _refuse("pk_awal_tahun_lain", tahun_awal=summary["tahun"], tahun=data.tahun)
    warnings = []
    first = (summary.get("pihak") or {}).get("pihak_pertama") or {}
    if first.get("nama") and first["nama"] != data.pihak_pertama.nama:
        warnings.append(QualityWarning("pk_awal_pihak_lain", LOC, {"nama_awal": first["nama"],
                                                                   "nama": data.pihak_pertama.nama}))
    if summary.get("instansi") and summary["instansi"] != data.instansi.nama:
        warnings.append(QualityWarning("pk_awal_instansi_lain", LOC, {"instansi_awal": summary["instansi"],
                                                                      "instansi": data.instansi.nama}))
    return old_id, warnings


def amendment_links(record: DocumentRecord, statuses: frozenset[str] | None = None) -> dict[str, Any]:
    """``amends`` (the earlier PK's id, or None) and ``amended_by`` (the PK Perubahan that amend this
    one: id, status, created and finished time) of a record; ``statuses`` limits the latter."""
    base = state().settings.base_url
    later = [{**{k: v for k, v in entry.items() if k != "client"}, "verify_url": f"{base}/verify/{entry['id']}"}
             for entry in amended_by(state().records.database, record.id, statuses)]
    earlier = record.amends or None
    return {"amends": earlier, "amended_by": later}
