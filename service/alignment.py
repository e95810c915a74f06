"""Alignment (keselarasan) over HTTP: a PK batch's cascade tree (GET /api/v1/batches/{id}/cascade)
and the targets export of a batch or a single PK (GET .../export?format=csv|xlsx|json).

The PKs are read from the batch's items as accepted (kept in the database as long as the batch)
and, for a single document, from its stored request. A superior named by a document id outside
the batch is fetched when the calling client may see it.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from flask import Blueprint, Response, request
from pydantic import ValidationError

from doctypes.pk.model import PKData
from sakip.cascade import Cascade, CascadeEntry, build_cascade
from sakip.doctypes import DOCUMENT_TYPES
from sakip.errors import FieldProblem, InvalidPayload
from sakip.target_export import FORMATS, export_bytes
from service.auth import owns
from service.batches import _batch_or_404, _store
from service.documents import _record_or_404
from service.language import request_language
from service.problems import Problem
from service.state import state
from storage.record_types import BatchRecord, DocumentRecord

bp = Blueprint("alignment", __name__, url_prefix="/api/v1")

_DOC_ID = re.compile(r"^[0-9a-f]{32}$")


def _pk(raw: Any) -> PKData | None:
    try:
        return PKData.model_validate(raw)
    except (ValidationError, ValueError):
        return None  # an item that failed validation: the batch's errors list it


def _cascading(doc_type: str) -> bool:
    return doc_type in DOCUMENT_TYPES and DOCUMENT_TYPES[doc_type].cascade


def _checked_pk(record: DocumentRecord | BatchRecord, noun: str) -> None:
    if not _cascading(record.type):
        raise Problem.coded(409, "keselarasan_hanya_pk", {"jenis": record.type, "objek": noun})


def _batch_entries(batch_id: str, record: BatchRecord) -> tuple[list[CascadeEntry], list[str]]:
    """The batch's valid PKs, and the refs of the items that are not (they are left out)."""
    items = _store().items(batch_id)
    if not items and record.total:
        raise Problem.coded(410, "data_batch_hilang")
    entries, skipped = [], []
    for index, item in enumerate(items):
        ref = str(item.get("ref", index))
        data = _pk(item.get("data")) if not item.get("errors") else None
        if data is None:
            skipped.append(ref)
        else:
            entries.append(CascadeEntry(item.get("doc_id", ""), ref, data))
    return entries, skipped


def cascade_items(batch_id: str) -> list[dict[str, Any]] | None:
    """The items of the caller's batch of a cascading type (PKs), as accepted; None when there is
    no such batch for this caller, or its items are no longer stored."""
    record = _store().get(batch_id) if _DOC_ID.match(batch_id) else None
    if record is None or not owns(record) or not _cascading(record.type):
        return None
    return _store().items(batch_id) or None


def _document_pk(doc_id: str) -> tuple[DocumentRecord, PKData] | None:
    """A PK document's record and data, if it exists, the client may see it, and it is a PK."""
    record = state().records.get(doc_id)
    if record is None or not owns(record) or not _cascading(record.type):
        return None
    if record.request:
        data = _pk(json.loads(record.request, parse_float=Decimal).get("data"))
        return (record, data) if data else None
    if record.batch:
        for item in _store().items(record.batch):
            if item.get("doc_id") == doc_id:
                data = _pk(item.get("data"))
                return (record, data) if data else None
    return None


def with_external_superiors(entries: list[CascadeEntry]) -> list[CascadeEntry]:
    """``entries`` and the superiors they name by a document id that is not among them."""
    known = {name for e in entries for name in (e.id, e.ref) if name}
    extra: list[CascadeEntry] = []
    for entry in entries:
        wanted = entry.data.atasan
        if wanted and wanted not in known and _DOC_ID.match(wanted):
            found = _document_pk(wanted)
            known.add(wanted)
            if found:
                extra.append(CascadeEntry(wanted, found[0].ref or "", found[1], external=True))
    return entries + extra


def _export_response(cascade: Cascade, name: str) -> Response:
    fmt = request.args.get("format", "csv")
    if fmt not in FORMATS:
        raise InvalidPayload([FieldProblem("query.format", "literal_error",
                                           {"expected": ", ".join(f"'{f}'" for f in FORMATS)})])
    response = Response(export_bytes(cascade, fmt), mimetype=FORMATS[fmt].split(";")[0])
    if fmt == "csv":
        response.headers["Content-Type"] = FORMATS[fmt]
    response.headers["Content-Disposition"] = f"attachment; filename={name}.{fmt}"
    return response


@bp.get("/batches/<batch_id>/cascade")
def batch_cascade(batch_id: str):
    """The cascade of a PK batch: nodes (each PK, its superior and subordinates, its objectives and
    what each serves), links, and findings in the client's language. Errors: 404 unknown id,
    409 not a PK batch, 410 the items are no longer stored."""
    record = _batch_or_404(batch_id)
    _checked_pk(record, "batch")
    entries, skipped = _batch_entries(batch_id, record)
    cascade = build_cascade(with_external_superiors(entries))
    return {"id": batch_id, **cascade.to_dict(request_language()), "dilewati": skipped}


@bp.get("/batches/<batch_id>/export")
def batch_export(batch_id: str) -> Response:
    """The targets of a PK batch, one row per official per indicator (?format=csv|xlsx|json).
    Errors: 404 unknown id, 409 not a PK batch, 410 items no longer stored, 422 unknown format."""
    record = _batch_or_404(batch_id)
    _checked_pk(record, "batch")
    entries, _ = _batch_entries(batch_id, record)
    return _export_response(build_cascade(with_external_superiors(entries)), f"target-pk-{batch_id[:8]}")


@bp.get("/documents/<doc_id>/export")
def document_export(doc_id: str) -> Response:
    """The targets of one PK, one row per indicator (?format=csv|xlsx|json), with its superior's
    objective when the superior's PK is ours. Errors: 404 unknown id, 409 not a PK, 422 format."""
    record = _record_or_404(doc_id)
    _checked_pk(record, "dokumen")
    found = _document_pk(doc_id)
    if found is None:
        raise Problem.coded(410, "data_dokumen_hilang")
    entry = CascadeEntry(doc_id, record.ref or "", found[1])
    entries = [entry]
    atasan = entry.data.atasan
    if atasan and record.batch and not _DOC_ID.match(atasan):  # a ref of the item's own batch
        for item in _store().items(record.batch):
            if str(item.get("ref")) == atasan and (data := _pk(item.get("data"))) is not None:
                entries.append(CascadeEntry(item.get("doc_id", ""), atasan, data, external=True))
                break
    return _export_response(build_cascade(with_external_superiors(entries)), f"target-pk-{doc_id[:8]}")
