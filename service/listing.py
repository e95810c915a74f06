"""GET /api/v1/documents: the calling client's documents, newest first, from the database.

Filters ``status``, ``type``, ``year`` and ``batch``; ``limit`` (1-200, default 50); the answer's
``next`` link carries an opaque cursor (``before``) to the following page. An administrator
sees every client's documents.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import urlencode

from flask import Blueprint, request

from service.auth import current_client
from service.documents import _public
from service.problems import Problem
from service.state import state
from storage.database.models import parse_timestamp

__all__ = ["bp"]

bp = Blueprint("listing", __name__, url_prefix="/api/v1/documents")

MAX_LIMIT = 200
"""Most records one page holds."""


def _invalid(name: str, msg: str) -> Problem:
    return Problem(422, "Invalid request", f"The query parameter '{name}' is invalid.",
                   errors=[{"loc": f"query.{name}", "msg": msg}])


def _cursor(record: dict[str, str]) -> str:
    return base64.urlsafe_b64encode(f"{record['created_at']}|{record['id']}".encode()).decode().rstrip("=")


def _before(token: str | None) -> tuple[str, str] | None:
    if not token:
        return None
    try:
        created, _, doc_id = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode().partition("|")
        parse_timestamp(created)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise _invalid("before", "is not a cursor this service handed out (use the 'next' link)") from None
    if not doc_id:
        raise _invalid("before", "is not a cursor this service handed out (use the 'next' link)")
    return created, doc_id


def _int(name: str, default: int | None, low: int, high: int) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise _invalid(name, f"must be a whole number from {low} to {high}")
    return int(raw)


@bp.get("")
def list_documents():
    """The client's documents, newest first: ``?status=finished&type=pk&year=2026&batch=ID&limit=50``;
    ``next`` links the following page. Errors: 422 an invalid query parameter."""
    client = current_client()
    limit = _int("limit", 50, 1, MAX_LIMIT)
    assert limit is not None
    records = state().records.list(
        client=None if client.admin else client.name, status=request.args.get("status") or None,
        doc_type=request.args.get("type") or None, year=_int("year", None, 1900, 9999),
        batch=request.args.get("batch") or None, before=_before(request.args.get("before")), limit=limit)
    body: dict[str, object] = {"items": [_public(r) for r in records], "next": None}
    if len(records) == limit:
        args = {k: v for k, v in request.args.items() if k != "before"} | {"before": _cursor(records[-1])}
        body["next"] = f"{state().settings.base_url}/api/v1/documents?{urlencode(args)}"
    return body
