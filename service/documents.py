"""/api/v1/documents: submit a document, read its status, download its file."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, request, send_file

from sakip import exactjson
from sakip.doctypes import DOCUMENT_TYPES
from sakip.envelope import parse_document_request
from sakip.errors import FieldProblem, InvalidPayload
from sakip.messages import entry_message
from sakip.quality import quality_warnings, warnings_as_problems
from service import api_models as m
from service.amendments import amendment_links, check_pk_awal
from service.api_spec import Response as Answer
from service.api_spec import operation
from service.assets import check_asset_refs
from service.auth import current_client, owns
from service.bodies import read_json_body
from service.capacity import check_queue_depth, queue_depth
from service.idempotency import Idempotency
from service.language import request_language
from service.openapi import IDEMPOTENCY_PARAMETER, document_request_body
from service.prefer_wait import preferred_wait, wait_for_end
from service.problems import Problem
from service.signed import signed_path, signing_state
from service.state import state
from service.unprinted import unprinted_warnings
from storage.callback_urls import UnsafeCallback, check_callback_url
from storage.files import CONTENT_TYPES, document_path
from storage.records import DOWNLOADABLE, IN_FLIGHT, DocumentRecord, DocumentStatus, StoredFile
from storage.templates import UnknownTemplate
from workers.submit import enqueue_render

bp = Blueprint("documents", __name__, url_prefix="/api/v1/documents")


def _links(doc_id: str, formats: list[str] | None = None) -> dict[str, str]:
    base = f"{state().settings.base_url}/api/v1/documents/{doc_id}"
    links = {"self": base, "file": f"{base}/file"}
    for extension in formats or []:
        links[f"file_{extension}"] = f"{base}/file?format={extension}"
    return links


def _file_body(stored: StoredFile, link: str) -> dict[str, Any]:
    return {"name": stored.name, "size": stored.size, "sha256": stored.sha256,
            "content_type": CONTENT_TYPES[stored.extension], "link": link}


def _public(record: DocumentRecord) -> dict[str, Any]:
    """A record as clients see it."""
    formats = record.formats
    links = _links(record.id, formats if len(formats) > 1 else None)
    files = record.files if record.status in DOWNLOADABLE else []
    by_format = {f.extension: _file_body(f, f"{links['file']}?format={f.extension}") for f in files}
    signed = record.signed
    if signed is not None:
        links["signed"] = f"{links['file']}?version=signed"
    return {
        "id": record.id,
        "type": record.type,
        "format": formats if len(formats) > 1 else formats[0],
        "status": record.status,
        "error": record.error or None,
        "template": {
            "name": record.template_name or None,
            "version": record.template_version or None,
            "sha256": record.template_sha256 or None,
        },
        # the first format's file, as in v1; ``files`` has every format
        "file": {k: v for k, v in by_format[files[0].extension].items() if k != "link"} if files else None,
        "files": by_format or None,
        "signed": (_file_body(signed, links["signed"]) | {"signed_at": record.signed_at}
                   | signing_state(record)) if signed else None,
        "attempts": record.attempts,
        "created_at": record.created_at,
        "started_at": record.started_at or None,
        "finished_at": record.finished_at or None,
        "warnings": stored_warnings(record),
        # how the last callback delivery went ("delivered (200)", "answered 503; retrying"); null without one
        "callback_status": record.callback_status or None,
        # set once revoked (DELETE): when, why and by which client; the files are kept
        "revoked": {"at": record.revoked_at, "reason": record.revoked_reason or "",
                    "by": record.revoked_by or ""} if record.revoked_at else None,
        "links": links,
    }


def stored_warnings(record: DocumentRecord) -> list[dict[str, Any]]:
    """The record's quality warnings as {code, loc, msg} in the client's language (and, for a
    workbook item, the cell and column header)."""
    return warnings_for_client(record.warnings)


def warnings_for_client(text: str | None) -> list[dict[str, Any]]:
    """Warnings as stored (a JSON list) as the client reads them."""
    lang = request_language()
    try:
        stored = json.loads(text or "[]")
    except ValueError:
        return []
    return [{**{k: w[k] for k in ("code", "loc", "cell", "header") if w.get(k)}, "msg": entry_message(w, lang)}
            for w in stored]


def _record_or_404(doc_id: str) -> DocumentRecord:
    """The record, if it exists and the calling client may see it (its own, or any for an admin);
    another client's document is as unknown as one that never existed."""
    record = state().records.get(doc_id) if len(doc_id) <= 64 else None
    if record is None or not owns(record):
        raise Problem.coded(404, "dokumen_tidak_ada", {"id": doc_id})
    return record


def _checked_callback(url: str | None) -> str | None:
    """The callback URL if the service may call it; InvalidPayload at loc callback_url otherwise."""
    if url is None:
        return None
    settings = state().settings
    if not settings.webhook_secret:
        raise InvalidPayload([FieldProblem("callback_url", "callback_nonaktif")])
    try:
        return check_callback_url(url, settings.callback_allow)
    except UnsafeCallback as exc:
        raise InvalidPayload([FieldProblem("callback_url", "callback_tidak_aman", {"alasan": str(exc)})]) from None


_FILES = {"content": {t: {"schema": {"type": "string", "contentMediaType": t}}
                      for t in sorted(set(CONTENT_TYPES.values()))}}


def _first_made_with(key_sha256: str) -> tuple[str, dict[str, Any]] | None:
    """The calling client's document first made with this Idempotency-Key (the database keeps the
    key's hash): the request's fingerprint and the answer its first POST got."""
    record = state().records.by_idempotency(current_client().name, key_sha256)
    if record is None:
        return None
    formats = record.formats
    answer = {"id": record.id, "status": record.status,
              "links": _links(record.id, formats if len(formats) > 1 else None),
              "warnings": stored_warnings(record)}
    return record.request_sha256 or "", answer


def _expanded(body: Any) -> tuple[Any, str | None]:
    """The request with its data made whole by its type (a Pohon Kinerja naming a batch gets the
    batch's PKs), and that request's JSON to store; (body, None) when nothing was added."""
    doctype = DOCUMENT_TYPES.get(body["type"]) if isinstance(body, dict) and isinstance(body.get("type"), str) \
        else None
    if doctype is None or doctype.expand is None or not isinstance(body.get("data"), dict):
        return body, None
    from service.alignment import cascade_items  # alignment reads documents through this module

    data = doctype.expand(body["data"], cascade_items)
    if data is body["data"]:
        return body, None
    body = {**body, "data": data}
    return body, exactjson.dumps(body)


@bp.post("")
@operation(body=document_request_body(), headers={
    "Idempotency-Key": IDEMPOTENCY_PARAMETER,
    "Prefer": {"schema": {"type": "string", "pattern": "^.*$"}, "description": "wait=N (at most 30): answer "
               "201 with the ended document if it ends within N seconds (RFC 7240)."}},
    responses={201: Answer("The document ended within the Prefer: wait time", m.Document, headers={
        "Location": "The document's URL"}), 202: Answer("Accepted", m.Accepted, headers={"Location": "Its URL"})})
def submit():
    """Accept a document request: 202 with its id and links (a retry with the same Idempotency-Key
    and body: the same answer again). With ``Prefer: wait=N`` (N <= 30): 201 with the ended
    document's record when it finishes (or fails) within N seconds, 202 otherwise.
    Errors: 400 malformed JSON or Idempotency-Key, 409 the key
    was used with another body, 413 body too large, 415 not JSON, 422 invalid fields (by path)."""
    st = state()
    raw, body = read_json_body()
    idempotency = Idempotency("documents", Idempotency.body_hash(raw), durable=_first_made_with)
    if (previous := idempotency.previous()) is not None:
        return Idempotency.replayed(previous)
    body, expanded = _expanded(body)
    raw = expanded or raw
    valid = parse_document_request(body)
    check_asset_refs(valid.data)
    amends, amendment_warnings = check_pk_awal(valid.data)
    check_queue_depth()
    try:
        template = st.templates.get(valid.request.type, valid.request.template_version)
    except UnknownTemplate as exc:
        raise InvalidPayload([FieldProblem("template_version", "versi_template", {"alasan": str(exc)})]) from None
    warnings = (quality_warnings(valid.data) + amendment_warnings
                + unprinted_warnings(DOCUMENT_TYPES[valid.request.type], template, body.get("data")))
    if warnings and valid.request.strict:
        raise InvalidPayload(warnings_as_problems(warnings))
    callback_url = _checked_callback(valid.request.callback_url)
    doc_id = uuid.uuid4().hex
    formats = valid.request.formats
    links = _links(doc_id, formats if len(formats) > 1 else None)
    stored = json.dumps([w.to_stored() for w in warnings], ensure_ascii=False)
    body_out = {"id": doc_id, "status": DocumentStatus.QUEUED.value, "links": links,
                "warnings": warnings_for_client(stored)}
    if (previous := idempotency.claim(body_out)) is not None:  # a concurrent retry got there first
        return Idempotency.replayed(previous)
    try:
        # The record is committed to the database first, then the job (and the idempotency claim)
        # go to Redis in one transaction; a record whose job never got there is forgotten below,
        # or, if the process died in between, queued again by the reconcile (storage/reconcile.py).
        with st.redis.pipeline(transaction=True) as pipe:
            pipe.multi()  # explicit MULTI first: RQ then adds its commands to ours instead of opening its own
            st.records.create(doc_id, {
                "type": valid.request.type, "formats": valid.request.formats,
                "template_name": template.name, "template_version": template.version,
                "template_sha256": template.sha256, "request": raw, "client": current_client().name,
                "callback_url": callback_url or "", "warnings": stored, **idempotency.record_fields(),
                **({"amends": amends} if amends else {}),
            }, pipeline=pipe)
            enqueue_render(st.queue, doc_id, st.settings, pipeline=pipe)
            depth = queue_depth()
            depth.read_in(pipe)  # the next POST's depth check, in this round trip
            depth.seen(pipe.execute()[-1])
    except Exception:
        st.records.discard(doc_id)
        idempotency.release()
        raise
    if (wait := preferred_wait()) and (ended := wait_for_end(doc_id, wait)) is not None:
        return _public(ended), 201, {"Location": links["self"]}
    return body_out, 202, {"Location": links["self"]}


@bp.get("/<doc_id>")
@operation(responses={200: Answer("The document's record", m.Document)})
def status(doc_id: str):
    """The document's status, template and file details; for a PK, ``amends`` (the earlier PK a
    PK Perubahan amends) and ``amended_by`` (the PK Perubahan that amend it). Errors: 404 unknown id."""
    record = _record_or_404(doc_id)
    public = _public(record)
    if getattr(DOCUMENT_TYPES.get(record.type), "amendable", False):
        public.update(amendment_links(record))
    return public


@bp.get("/<doc_id>/file")
@operation(query=m.FileQuery, responses={200: Answer("The file, under its readable name", content=_FILES["content"],
                                                    headers={"ETag": "The file's sha256"})})
def download(doc_id: str) -> Response:
    """A finished file under its readable name: ``?format=pdf`` picks one of the requested
    formats (default: the first), ``?version=signed`` the signed copy. Errors: 404 unknown id
    or no signed copy yet, 409 not finished, 410 file no longer stored, 422 a format that was
    not requested or an unknown version."""
    record = _record_or_404(doc_id)
    if record.status == DocumentStatus.REVOKED.value:
        raise Problem.coded(410, "dokumen_dicabut", {"waktu": record.revoked_at or "",
                                                     "alasan": record.revoked_reason or ""})
    if record.status not in DOWNLOADABLE:
        reason = f" {record.error}" if record.error else ""
        raise Problem.coded(409, "dokumen_belum_selesai", {"status": record.status, "alasan": reason},
                            headers=_retry_after(record.status), status_now=record.status)
    version = request.args.get("version", "original")
    if version not in ("original", "signed"):
        raise InvalidPayload([FieldProblem("query.version", "versi_berkas")])
    if version == "signed":
        signed = record.signed
        if signed is None:
            raise Problem.coded(404, "salinan_ttd_belum_ada")
        return _send(signed_path(state().settings.documents_dir, doc_id), signed)
    files = {f.extension: f for f in record.files}
    wanted = request.args.get("format") or next(iter(files))
    if wanted not in files:
        raise InvalidPayload([FieldProblem("query.format", "format_tidak_diminta",
                                           {"dibuat": ", ".join(files), "nilai": wanted})])
    return _send(document_path(state().settings.documents_dir, doc_id, wanted), files[wanted])


RETRY_AFTER_SECONDS = 2
"""What a 409 for a document still queued or running suggests waiting before asking again."""


def _retry_after(status: str) -> dict[str, str]:
    """Retry-After for a document that will still finish; none for one that failed."""
    return {"Retry-After": str(RETRY_AFTER_SECONDS)} if status in IN_FLIGHT else {}


def _send(path: Path, stored: StoredFile) -> Response:
    if not path.is_file():
        raise Problem.coded(410, "berkas_dokumen_hilang")
    return send_file(path.resolve(), mimetype=CONTENT_TYPES[stored.extension], as_attachment=True,
                     download_name=stored.name, etag=stored.sha256)
