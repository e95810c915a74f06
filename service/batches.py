"""/api/v1/batches: many documents of one type at once, from JSON or a filled workbook."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from flask import Blueprint, Response, g, request, send_file
from rq import Queue

from sakip.batch import parse_batch_request
from sakip.envelope import doctype_named
from sakip.errors import FieldProblem, InvalidPayload
from service.auth import current_client, owns
from service.bodies import read_json_body
from service.idempotency import Idempotency
from service.problems import Problem
from service.state import state
from service.workbook import pk_template_workbook, read_pk_workbook
from service.workbook_limits import check_workbook_archive
from storage.batches import BatchStatus, BatchStore, archive_path, progress
from storage.templates import UnknownTemplate
from workers.submit import enqueue_chunks

bp = Blueprint("batches", __name__, url_prefix="/api/v1/batches")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_workbook_cache: dict[str, bytes] = {}


def _store() -> BatchStore:
    st = state()
    return BatchStore(st.redis, st.settings.record_ttl_days * 86400)


def _links(batch_id: str) -> dict[str, str]:
    base = f"{state().settings.base_url}/api/v1/batches/{batch_id}"
    return {"self": base, "errors": f"{base}/errors", "archive": f"{base}/archive"}


def _items_from_upload() -> tuple[str, str, int | None, list[dict[str, Any]], str]:
    request.max_content_length = state().settings.max_batch_bytes
    upload = request.files.get("file")
    if upload is None:
        raise InvalidPayload([FieldProblem("file", "upload the filled workbook in the multipart field 'file'")])
    doc_type = request.form.get("type", "pk")
    if doc_type != "pk":
        raise InvalidPayload([FieldProblem("type", "workbook batches are available for type 'pk'")])
    fmt = request.form.get("format", "docx")
    if fmt not in ("docx", "pdf"):
        raise InvalidPayload([FieldProblem("format", "Input should be 'docx' or 'pdf'")])
    merge = request.form.get("merge_per_agency", "false").lower()
    if merge not in ("true", "false", "1", "0"):
        raise InvalidPayload([FieldProblem("merge_per_agency", "must be true or false")])
    g.merge_per_agency = merge in ("true", "1")
    if g.merge_per_agency and fmt != "pdf":
        raise InvalidPayload([FieldProblem("merge_per_agency", "merged print files are made for format 'pdf' only")])
    version = request.form.get("template_version")
    if version is not None and not version.isdigit():
        raise InvalidPayload([FieldProblem("template_version", "must be a whole number")])
    content = upload.read()
    fingerprint = Idempotency.body_hash(doc_type, fmt, version or "", content)
    settings = state().settings
    check_workbook_archive(content, settings.max_workbook_unpacked_mb * 1024 * 1024, settings.max_workbook_rows)
    items = read_pk_workbook(content)
    return doc_type, fmt, int(version) if version else None, [
        {"ref": i.ref, "data": i.data, "cells": i.cells} for i in items], fingerprint


def _items_from_json() -> tuple[str, str, int | None, list[dict[str, Any]], str]:
    settings = state().settings
    raw, body = read_json_body(settings.max_batch_bytes)
    batch = parse_batch_request(body, settings.max_batch_items)
    items = [item.model_dump(exclude_none=True) for item in batch.items]
    g.merge_per_agency = batch.merge_per_agency
    return batch.type, batch.format, batch.template_version, items, Idempotency.body_hash(raw)


@bp.post("")
def submit():
    """Accept a batch as JSON {type, format, items: [{ref, data}]} or as a multipart XLSX upload
    (field 'file', optional 'type', 'format'): 202 with its id (a retry with the same
    Idempotency-Key and body: the same answer). Errors: 400 malformed JSON or Idempotency-Key,
    409 the key was used with another body, 413 too large, 415 neither JSON nor multipart,
    422 bad envelope or unreadable workbook."""
    st = state()
    if request.mimetype == "multipart/form-data":
        doc_type, fmt, version, items, fingerprint = _items_from_upload()
    else:
        doc_type, fmt, version, items, fingerprint = _items_from_json()
    idempotency = Idempotency("batches", fingerprint)
    if (previous := idempotency.previous()) is not None:
        return Idempotency.replayed(previous)
    if len(items) > st.settings.max_batch_items:
        raise InvalidPayload([FieldProblem("items", f"a batch holds at most {st.settings.max_batch_items} items")])
    doctype_named(doc_type)
    try:
        template = st.templates.get(doc_type, version)
    except UnknownTemplate as exc:
        raise InvalidPayload([FieldProblem("template_version", str(exc))]) from None
    size = st.settings.batch_chunk_size
    # Decimals are written as strings: the models read numeric strings back exactly.
    chunks = [json.dumps(items[i:i + size], ensure_ascii=False, default=str) for i in range(0, len(items), size)]
    batch_id = uuid.uuid4().hex
    links = _links(batch_id)
    body = {"id": batch_id, "status": BatchStatus.RUNNING.value, "total": len(items), "links": links}
    if (previous := idempotency.claim(body)) is not None:  # a concurrent retry got there first
        return Idempotency.replayed(previous)
    bulk = Queue(st.settings.bulk_queue, connection=st.redis)
    try:
        with st.redis.pipeline(transaction=True) as pipe:
            pipe.multi()
            _store().create(batch_id, {"type": doc_type, "format": fmt, "total": len(items), "chunk_size": size,
                                       "template_name": template.name, "template_version": template.version,
                                       "template_sha256": template.sha256, "client": current_client().name,
                                       "merge_per_agency": int(g.get("merge_per_agency", False))},
                            chunks, pipeline=pipe)
            enqueue_chunks(bulk, batch_id, len(chunks), st.settings, pipeline=pipe)
            pipe.execute()
    except Exception:
        idempotency.release()
        raise
    return body, 202, {"Location": links["self"]}


@bp.get("/template.xlsx")
def workbook_template() -> Response:
    """The workbook to fill for a batch (?type=pk). Errors: 422 for other types."""
    doc_type = request.args.get("type", "pk")
    if doc_type != "pk":
        raise InvalidPayload([FieldProblem("type", "workbooks are available for type 'pk'")])
    if doc_type not in _workbook_cache:
        _workbook_cache[doc_type] = pk_template_workbook()
    response = Response(_workbook_cache[doc_type], mimetype=XLSX)
    response.headers["Content-Disposition"] = "attachment; filename=PK-batch-template.xlsx"
    return response


def _batch_or_404(batch_id: str) -> dict[str, str]:
    record = _store().get(batch_id) if len(batch_id) <= 64 else None
    if record is None or not owns(record):  # another client's batch is unknown to this one
        raise Problem(404, "Not Found", f"No batch with id '{batch_id}'.")
    return record


def _seconds_between(start: str, end: str) -> float:
    parse = dt.datetime.fromisoformat
    return max((parse(end.replace("Z", "+00:00")) - parse(start.replace("Z", "+00:00"))).total_seconds(), 1.0)


@bp.get("/<batch_id>")
def status(batch_id: str):
    """Counts and progress of a batch. Errors: 404 unknown id."""
    record = _batch_or_404(batch_id)
    total, finished, failed = int(record["total"]), int(record["finished"]), int(record["failed"])
    started = _store().started_count(batch_id, record)
    ended_at = record.get("last_item_at")
    rate = None
    if record.get("started_at"):
        until = ended_at or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        rate = round((finished + failed) / _seconds_between(record["started_at"], until), 1)
    return {
        "id": batch_id, "type": record["type"], "format": record["format"], "status": record["status"],
        "total": total, "queued": total - finished - failed - started, "started": started,
        "finished": finished, "failed": failed,
        "progress": progress(record),
        "template": {"name": record["template_name"], "version": int(record["template_version"]),
                     "sha256": record["template_sha256"]},
        "created_at": record["created_at"], "started_at": record.get("started_at"),
        "items_ended_at": ended_at, "finished_at": record.get("finished_at"),
        "documents_per_second": rate,
        "archive_ready": record["status"] == BatchStatus.FINISHED.value,
        "links": _links(batch_id),
    }


@bp.get("/<batch_id>/errors")
def errors(batch_id: str):
    """The failed items and why, each field error with its path (and workbook cell)."""
    _batch_or_404(batch_id)
    failed = [{"ref": r["ref"], "index": r["index"], "error": r.get("error", ""), "errors": r.get("errors", [])}
              for r in _store().failed(batch_id)]
    return {"id": batch_id, "failed": failed}


@bp.get("/<batch_id>/archive")
def archive(batch_id: str) -> Response:
    """The ZIP of every finished document with manifest.json and manifest.csv, streamed from
    disk. Errors: 404 unknown id, 409 while items are still running."""
    record = _batch_or_404(batch_id)
    if record["status"] != BatchStatus.FINISHED.value:
        done = int(record["finished"]) + int(record["failed"])
        raise Problem(409, "Not Ready", f"The batch is still running ({done} of {record['total']} items ended); "
                      "its archive is built when the last item ends.")
    path = archive_path(state().settings.data_dir, batch_id)
    if not path.is_file():
        raise Problem(410, "Gone", "The batch's archive is no longer stored.")
    name = f"{record['type'].upper()}-batch-{record['created_at'][:10]}-{batch_id[:8]}.zip"
    return send_file(path.resolve(), mimetype="application/zip", as_attachment=True, download_name=name)
