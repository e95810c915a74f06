"""/api/v1/batches: many documents of one type at once, from JSON or a filled workbook."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import uuid
from typing import Any

from flask import Blueprint, Response, g, request, send_file
from rq import Queue

from sakip import exactjson
from sakip.batch import BatchItem, parse_batch_request
from sakip.doctypes import DOCUMENT_TYPES
from sakip.document_type import DocumentType
from sakip.envelope import doctype_named
from sakip.errors import FieldProblem, InvalidPayload
from sakip.messages import entry_message
from sakip.workbook import WorkbookSpec, read_workbook, template_workbook
from service import api_models as m
from service.api_spec import Response as Answer
from service.api_spec import operation
from service.auth import current_client, owns
from service.bodies import read_json_body
from service.idempotency import Idempotency
from service.language import request_language
from service.openapi import IDEMPOTENCY_PARAMETER, batch_request_body
from service.problems import Problem
from service.state import state
from service.unprinted import unprinted_warnings
from service.workbook_limits import check_workbook_archive
from storage.batches import BatchRecord, BatchStatus, BatchStore, archive_path, progress
from storage.database import database_for
from storage.templates import TemplateVersion, UnknownTemplate
from workers.submit import enqueue_chunks

bp = Blueprint("batches", __name__, url_prefix="/api/v1/batches")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WORKBOOKS: dict[str, WorkbookSpec] = {t.name: t.workbook for t in DOCUMENT_TYPES.values() if t.workbook is not None}
"""The document types a batch can come as a workbook, and each one's workbook."""
_workbook_cache: dict[str, bytes] = {}
ARCHIVE_RETRY_AFTER_SECONDS = 5
"""What a 409 for an archive not built yet suggests waiting before asking again."""


def _store() -> BatchStore:
    st = state()
    return BatchStore(st.redis, st.settings.record_ttl_days * 86400, database_for(st.settings.database_url))


def _links(batch_id: str) -> dict[str, str]:
    base = f"{state().settings.base_url}/api/v1/batches/{batch_id}"
    return {"self": base, "errors": f"{base}/errors", "warnings": f"{base}/warnings", "archive": f"{base}/archive"}


def _strict_field(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "ya", "yes", "on")


def _items_from_upload() -> tuple[str, str, int | None, list[dict[str, Any]], str, bool]:
    request.max_content_length = state().settings.max_batch_bytes
    upload = request.files.get("file")
    if upload is None:
        raise InvalidPayload([FieldProblem("file", "berkas_wajib")])
    doc_type = request.form.get("type", "pk")
    if doc_type not in WORKBOOKS:
        raise InvalidPayload([FieldProblem("type", "workbook_jenis", {"tersedia": ", ".join(WORKBOOKS)})])
    fmt = request.form.get("format", "docx")
    if fmt not in ("docx", "pdf"):
        raise InvalidPayload([FieldProblem("format", "literal_error", {"expected": "'docx', 'pdf'"})])
    merge = request.form.get("merge_per_agency", "false").lower()
    if merge not in ("true", "false", "1", "0"):
        raise InvalidPayload([FieldProblem("merge_per_agency", "bool_parsing")])
    g.merge_per_agency = merge in ("true", "1")
    if g.merge_per_agency and fmt != "pdf":
        raise InvalidPayload([FieldProblem("merge_per_agency", "gabung_hanya_pdf")])
    version = request.form.get("template_version")
    if version is not None and not version.isdigit():
        raise InvalidPayload([FieldProblem("template_version", "bilangan_bulat")])
    content = upload.read()
    strict = _strict_field(request.form.get("strict"))
    fingerprint = Idempotency.body_hash(doc_type, fmt, version or "", str(strict), str(g.merge_per_agency), content)
    settings = state().settings
    check_workbook_archive(content, settings.max_workbook_unpacked_mb * 1024 * 1024, settings.max_workbook_rows)
    items = read_workbook(WORKBOOKS[doc_type], content)
    return doc_type, fmt, int(version) if version else None, [i.as_item() for i in items], fingerprint, strict


def _items_from_json() -> tuple[str, str, int | None, list[dict[str, Any]], str, bool]:
    settings = state().settings
    raw, body = read_json_body(settings.max_batch_bytes)
    batch = parse_batch_request(body, settings.max_batch_items)
    items = [_item_fields(item) for item in batch.items]
    g.merge_per_agency = batch.merge_per_agency
    return batch.type, batch.format, batch.template_version, items, Idempotency.body_hash(raw), batch.strict


def random_ids(count: int) -> list[str]:
    """``count`` random version-4 UUIDs as 32 hex digits, as ``uuid.uuid4().hex`` makes them (16 bytes
    from the operating system's generator, the version and variant bits set), drawn in one call."""
    pool = bytearray(os.urandom(16 * count))
    pool[6::16] = bytes(b & 0x0F | 0x40 for b in pool[6::16])
    pool[8::16] = bytes(b & 0x3F | 0x80 for b in pool[8::16])
    digits = pool.hex()
    return [digits[i:i + 32] for i in range(0, 32 * count, 32)]


def _item_fields(item: BatchItem) -> dict[str, Any]:
    """``item.model_dump(exclude_none=True)``, without pydantic copying every item's data (a batch
    of 27,000 spent ~0.3 s on it): the same keys in the same order, ``data`` as validated."""
    fields: dict[str, Any] = {"ref": item.ref, "data": item.data}
    if item.cells is not None:
        fields["cells"] = item.cells
    if item.group is not None:
        fields["group"] = item.group
    return fields


def _first_made_with(key_sha256: str) -> tuple[str, dict[str, Any]] | None:
    """The calling client's batch first made with this Idempotency-Key (the database keeps the key's
    hash): the request's fingerprint and the answer its first POST got."""
    batch = _store().by_idempotency(current_client().name, key_sha256)
    if batch is None:
        return None
    answer = {"id": batch.id, "status": batch.status, "total": int(batch.total),
              "links": _links(batch.id)}
    return (batch.request_sha256 or ""), answer


@bp.post("")
@operation(body=batch_request_body(), headers={"Idempotency-Key": IDEMPOTENCY_PARAMETER},
           responses={202: Answer("Accepted", m.BatchAccepted, headers={"Location": "The batch's URL"})})
def submit():
    """Accept a batch as JSON {type, format, items: [{ref, data}]} or as a multipart XLSX upload
    (field 'file', optional 'type', 'format'): 202 with its id (a retry with the same
    Idempotency-Key and body: the same answer). Errors: 400 malformed JSON or Idempotency-Key,
    409 the key was used with another body, 413 too large, 415 neither JSON nor multipart,
    422 bad envelope or unreadable workbook."""
    st = state()
    if request.mimetype == "multipart/form-data":
        doc_type, fmt, version, items, fingerprint, strict = _items_from_upload()
    else:
        doc_type, fmt, version, items, fingerprint, strict = _items_from_json()
    idempotency = Idempotency("batches", fingerprint, durable=_first_made_with)
    if (previous := idempotency.previous()) is not None:
        return Idempotency.replayed(previous)
    if len(items) > st.settings.max_batch_items:
        raise InvalidPayload([FieldProblem("items", "batch_terlalu_banyak", {"maks": st.settings.max_batch_items})])
    doctype = doctype_named(doc_type)
    try:
        template = st.templates.get(doc_type, version)
    except UnknownTemplate as exc:
        raise InvalidPayload([FieldProblem("template_version", "versi_template", {"alasan": str(exc)})]) from None
    size = st.settings.batch_chunk_size
    # Each item's public id is drawn here and kept with the item, so a re-run chunk reuses it.
    items = [{**item, "doc_id": doc_id} for item, doc_id in zip(items, random_ids(len(items)), strict=True)]
    if doctype.batch_findings is not None:
        _add_batch_findings(items, doctype.batch_findings)
    _add_unprinted(items, doctype, template)
    chunks = [exactjson.dumps(items[i:i + size]) for i in range(0, len(items), size)]
    batch_id = uuid.uuid4().hex
    links = _links(batch_id)
    body = {"id": batch_id, "status": BatchStatus.RUNNING.value, "total": len(items), "links": links}
    if (previous := idempotency.claim(body)) is not None:  # a concurrent retry got there first
        return Idempotency.replayed(previous)
    bulk = Queue(st.settings.bulk_queue, connection=st.redis)
    try:
        with st.redis.pipeline(transaction=True) as pipe:
            pipe.multi()
            _store().create(batch_id, {"type": doc_type, "formats": [fmt], "total": len(items), "chunk_size": size,
                                       "template_name": template.name, "template_version": template.version,
                                       "template_sha256": template.sha256, "client": current_client().name,
                                       "strict": bool(strict),
                                       "merge_per_agency": bool(g.get("merge_per_agency", False)),
                                       **idempotency.record_fields()},
                            chunks, pipeline=pipe)
            enqueue_chunks(bulk, batch_id, len(chunks), st.settings, pipeline=pipe)
            pipe.execute()
    except Exception:
        _store().discard(batch_id)
        idempotency.release()
        raise
    return body, 202, {"Location": links["self"]}


def _add_batch_findings(items: list[dict[str, Any]], findings: Any) -> None:
    """Each item's share of the findings about the whole batch (the cascade of its PKs), kept with
    the item as {code, loc, params}: the worker adds them to the item's quality warnings."""
    from service.alignment import with_external_superiors  # alignment reads batches through this module

    for index, found in findings(items, external=with_external_superiors).items():
        items[index]["batch_warnings"] = [
            {"code": w.code, "loc": w.loc, "params": {k: str(v) for k, v in w.params.items()}} for w in found]


def _add_unprinted(items: list[dict[str, Any]], doctype: DocumentType, template: TemplateVersion) -> None:
    """A ``tidak_dicetak`` warning with each item sending a field the batch's template doesn't print."""
    for item in items:
        if found := unprinted_warnings(doctype, template, item.get("data")):
            item["batch_warnings"] = [*item.get("batch_warnings", []), *(
                {"code": w.code, "loc": w.loc, "params": {k: str(v) for k, v in w.params.items()}} for w in found)]


@bp.get("/template.xlsx")
@operation(query=m.WorkbookQuery, responses={200: Answer("The workbook", content={
    XLSX: {"schema": {"type": "string", "contentMediaType": XLSX}}}, headers={"ETag": "The workbook's sha256"})})
def workbook_template() -> Response:
    """The workbook to fill for a batch (?type=pk or lkjip). Errors: 422 for other types."""
    doc_type = request.args.get("type", "pk")
    if doc_type not in WORKBOOKS:
        raise InvalidPayload([FieldProblem("type", "workbook_jenis", {"tersedia": ", ".join(WORKBOOKS)})])
    if doc_type not in _workbook_cache:
        _workbook_cache[doc_type] = template_workbook(WORKBOOKS[doc_type])
    content = _workbook_cache[doc_type]
    response = Response(content, mimetype=XLSX)
    response.headers["Content-Disposition"] = f"attachment; filename={WORKBOOKS[doc_type].filename}"
    response.set_etag(hashlib.sha256(content).hexdigest())
    return response.make_conditional(request)


def _batch_or_404(batch_id: str) -> BatchRecord:
    record = _store().get(batch_id) if len(batch_id) <= 64 else None
    if record is None or not owns(record):  # another client's batch is unknown to this one
        raise Problem.coded(404, "batch_tidak_ada", {"id": batch_id})
    return record


def _seconds_between(start: str, end: str) -> float:
    parse = dt.datetime.fromisoformat
    return max((parse(end.replace("Z", "+00:00")) - parse(start.replace("Z", "+00:00"))).total_seconds(), 1.0)


@bp.get("/<batch_id>")
@operation(responses={200: Answer("The batch's counts and progress", m.Batch)})
def status(batch_id: str):
    """Counts and progress of a batch. Errors: 404 unknown id."""
    return public_batch(_batch_or_404(batch_id))


def public_batch(record: BatchRecord) -> dict[str, Any]:
    """A batch record as clients see it: counts, progress, rate, template and links."""
    batch_id = record.id
    total, finished, failed = int(record.total), int(record.finished), int(record.failed)
    started = _store().started_count(batch_id, record)
    ended_at = record.last_item_at
    rate = None
    if record.started_at:
        until = ended_at or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        rate = round((finished + failed) / _seconds_between(record.started_at, until), 1)
    return {
        "id": batch_id, "type": record.type, "format": record.format, "status": record.status,
        "total": total, "queued": total - finished - failed - started, "started": started,
        "finished": finished, "failed": failed, "warned": int(record.warned or 0),
        "progress": progress(record),
        "template": {"name": record.template_name, "version": int(record.template_version),
                     "sha256": record.template_sha256},
        "created_at": record.created_at, "started_at": record.started_at,
        "items_ended_at": ended_at, "finished_at": record.finished_at,
        "documents_per_second": rate,
        "archive_ready": record.status == BatchStatus.FINISHED.value,
        "links": _links(batch_id),
    }


@bp.get("/<batch_id>/errors")
@operation(responses={200: Answer("The failed items", m.BatchErrors)})
def errors(batch_id: str):
    """The failed items and why, each field error with its path (and workbook cell and column
    header), in the client's language."""
    _batch_or_404(batch_id)
    lang = request_language()
    failed = []
    for result in _store().failed(batch_id):
        errors = [_public_entry(e, lang) for e in result.get("errors", [])]
        error = "; ".join(e["msg"] if e.get("cell") else f"{e['loc']}: {e['msg']}" for e in errors)
        failed.append({"ref": result["ref"], "index": result["index"], "error": error or result.get("error", ""),
                       "errors": errors})
    return {"id": batch_id, "failed": failed}


@bp.get("/<batch_id>/warnings")
@operation(responses={200: Answer("The items with quality warnings", m.BatchWarnings)})
def warnings(batch_id: str):
    """The finished items that have quality warnings, each warning with its code and path (and
    workbook cell), in the client's language."""
    _batch_or_404(batch_id)
    lang = request_language()
    items = [{"ref": r["ref"], "index": r["index"], "id": r.get("doc_id", ""),
              "warnings": [_public_entry(w, lang) for w in r["warnings"]]} for r in _store().warned(batch_id)]
    return {"id": batch_id, "items": items}


def _public_entry(entry: dict[str, Any], lang: str) -> dict[str, Any]:
    """A stored error or warning as a client reads it: code, path, sentence, cell and header."""
    shown = {k: entry[k] for k in ("code", "loc", "cell", "header") if entry.get(k)}
    return {**shown, "msg": entry_message(entry, lang)}


@bp.get("/<batch_id>/archive")
@operation(responses={200: Answer("The ZIP: documents, manifest.json, manifest.csv, manifest.xlsx", content={
    "application/zip": {"schema": {"type": "string", "contentMediaType": "application/zip"}}})})
def archive(batch_id: str) -> Response:
    """The ZIP of every finished document with manifest.json and manifest.csv, streamed from
    disk. Errors: 404 unknown id, 409 while items are still running."""
    record = _batch_or_404(batch_id)
    if record.status != BatchStatus.FINISHED.value:
        done = int(record.finished) + int(record.failed)
        raise Problem.coded(409, "batch_berjalan", {"selesai": done, "total": record.total},
                            headers={"Retry-After": str(ARCHIVE_RETRY_AFTER_SECONDS)})
    path = archive_path(state().settings.data_dir, batch_id)
    if not path.is_file():
        raise Problem.coded(410, "arsip_batch_hilang")
    name = f"{record.type.upper()}-batch-{record.created_at[:10]}-{batch_id[:8]}.zip"
    return send_file(path.resolve(), mimetype="application/zip", as_attachment=True, download_name=name)
