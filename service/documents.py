"""/api/v1/documents: submit a document, read its status, download its file."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

from flask import Blueprint, Response, request, send_file

from sakip.envelope import parse_document_request
from sakip.errors import FieldProblem, InvalidPayload
from service.problems import Problem
from service.state import state
from storage.files import CONTENT_TYPES, document_path
from storage.records import DocumentStatus
from storage.templates import UnknownTemplate
from workers.submit import enqueue_render

bp = Blueprint("documents", __name__, url_prefix="/api/v1/documents")

def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _read_json_body() -> tuple[str, Any]:
    """The raw body text and its parsed value, decimals exact; Problem 400/415 otherwise."""
    if request.mimetype and not (request.mimetype == "application/json" or request.mimetype.endswith("+json")):
        raise Problem(415, "Unsupported Media Type", "Send the request as application/json.")
    raw = request.get_data(cache=False)  # werkzeug raises 413 above MAX_CONTENT_LENGTH
    try:
        text = raw.decode("utf-8")
        return text, json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise Problem(400, "Malformed JSON", f"The request body is not valid JSON: {exc}") from None


def _links(doc_id: str) -> dict[str, str]:
    base = f"{state().settings.base_url}/api/v1/documents/{doc_id}"
    return {"self": base, "file": f"{base}/file"}


def _public(record: dict[str, str]) -> dict[str, Any]:
    """A record as clients see it."""
    finished = record["status"] == DocumentStatus.FINISHED.value
    return {
        "id": record["id"],
        "type": record["type"],
        "format": record["format"],
        "status": record["status"],
        "error": record.get("error") or None,
        "template": {
            "name": record.get("template_name") or None,
            "version": int(record["template_version"]) if record.get("template_version") else None,
            "sha256": record.get("template_sha256") or None,
        },
        "file": {
            "name": record["file_name"],
            "size": int(record["file_size"]),
            "sha256": record["file_sha256"],
            "content_type": CONTENT_TYPES[record["file_extension"]],
        } if finished else None,
        "attempts": int(record.get("attempts") or 0),
        "created_at": record["created_at"],
        "started_at": record.get("started_at") or None,
        "finished_at": record.get("finished_at") or None,
        "links": _links(record["id"]),
    }


def _record_or_404(doc_id: str) -> dict[str, str]:
    record = state().records.get(doc_id) if len(doc_id) <= 64 else None
    if record is None:
        raise Problem(404, "Not Found", f"No document with id '{doc_id}'.")
    return record


@bp.post("")
def submit():
    """Accept a document request: 202 with its id and links. Errors: 400 malformed JSON,
    413 body too large, 415 not JSON, 422 invalid fields (each named by its path)."""
    st = state()
    raw, body = _read_json_body()
    valid = parse_document_request(body)
    try:
        template = st.templates.get(valid.request.type, valid.request.template_version)
    except UnknownTemplate as exc:
        raise InvalidPayload([FieldProblem("template_version", str(exc))]) from None
    doc_id = uuid.uuid4().hex
    # Record and job go to Redis in one transaction: no record without its job, nor the reverse.
    with st.redis.pipeline(transaction=True) as pipe:
        pipe.multi()  # explicit MULTI first: RQ then adds its commands to ours instead of opening its own
        st.records.create(doc_id, {
            "type": valid.request.type, "format": valid.request.format,
            "template_name": template.name, "template_version": template.version,
            "template_sha256": template.sha256, "request": raw,
        }, pipeline=pipe)
        enqueue_render(st.queue, doc_id, st.settings, pipeline=pipe)
        pipe.execute()
    links = _links(doc_id)
    body_out = {"id": doc_id, "status": DocumentStatus.QUEUED.value, "links": links}
    return body_out, 202, {"Location": links["self"]}


@bp.get("/<doc_id>")
def status(doc_id: str):
    """The document's status, template and file details. Errors: 404 unknown id."""
    return _public(_record_or_404(doc_id))


@bp.get("/<doc_id>/file")
def download(doc_id: str) -> Response:
    """The finished file under its readable name. Errors: 404 unknown id, 409 not finished,
    410 file no longer stored."""
    record = _record_or_404(doc_id)
    if record["status"] != DocumentStatus.FINISHED.value:
        detail = f"The document is {record['status']}; its file is available once it is finished."
        if record.get("error"):
            detail += f" Reason: {record['error']}"
        raise Problem(409, "Not Ready", detail, status_now=record["status"])
    extension = record["file_extension"]
    path = document_path(state().settings.documents_dir, doc_id, extension)
    if not path.is_file():
        raise Problem(410, "Gone", "The document's file is no longer stored.")
    return send_file(path.resolve(), mimetype=CONTENT_TYPES[extension], as_attachment=True,
                     download_name=record["file_name"], etag=record["file_sha256"])
