"""DELETE /api/v1/documents/{id}: revoke an issued document, with a reason.

Nothing is deleted: the files and their hashes stay (an audit years later needs them); the
record's status becomes ``revoked`` with when, why and by which client; downloads answer 410
and the public verify page says the document was revoked ("dicabut") and why.
"""

from __future__ import annotations

from flask import Blueprint, request

from sakip.errors import FieldProblem, InvalidPayload
from service import api_models as m
from service.api_spec import Response as Answer
from service.api_spec import operation
from service.auth import current_client
from service.documents import _public, _record_or_404
from service.problems import Problem
from service.state import state
from storage.records import DocumentStatus

__all__ = ["MAX_REASON", "bp"]

bp = Blueprint("revocation", __name__, url_prefix="/api/v1/documents")

MAX_REASON = 500
"""Longest reason a revocation keeps (it is shown on the public verify page)."""


def _reason() -> str:
    """The reason from a JSON body {"reason": ...} or the ``reason`` query parameter."""
    body = request.get_json(silent=True) if request.content_length else None
    if isinstance(body, dict) and "reason" in body:
        raw, loc = body["reason"], "reason"
    else:
        raw, loc = request.args.get("reason"), "query.reason"
    reason = raw.strip() if isinstance(raw, str) else ""
    if not reason or len(reason) > MAX_REASON:
        raise InvalidPayload([FieldProblem(loc if raw is not None else "reason", "alasan_pencabutan",
                                           {"maks": MAX_REASON})])
    return reason


_REASON = {"required": False, "content": {"application/json": {"schema": {
    "type": "object", "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": MAX_REASON}}},
    "example": {"reason": "NIP pihak pertama salah"}}}}


@bp.delete("/<doc_id>")
@operation(body=_REASON, responses={200: Answer("The revoked document's record", m.Document)})
def revoke(doc_id: str):
    """Revoke an issued document: 200 with its record (status ``revoked``, ``revoked``: {at,
    reason, by}); again for a revoked one: the same record. Errors: 404 unknown id, 409 not
    issued (queued, running or failed), 422 no reason."""
    record = _record_or_404(doc_id)
    if record.status == DocumentStatus.REVOKED.value:
        return _public(record)
    reason = _reason()
    if not state().records.revoke(doc_id, reason, current_client().name or "admin"):
        current = state().records.get(doc_id) or record
        if current.status != DocumentStatus.REVOKED.value:
            raise Problem.coded(409, "cabut_belum_terbit", {"status": current.status})
    return _public(state().records.get(doc_id) or record)
