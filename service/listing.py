"""GET /api/v1/documents: the calling client's documents, newest first, from the database.

Filters ``status``, ``type``, ``year`` (or ``tahun``), ``batch``, ``ref``, ``created_after`` and
``created_before`` (ISO 8601); ``limit`` (1-200, default 50); the answer's
``next`` link carries an opaque cursor (``before``) to the following page. An administrator
sees every client's documents.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from urllib.parse import urlencode

from flask import Blueprint, request

from service import api_models as m
from service.api_spec import Response as Answer
from service.api_spec import operation
from service.auth import current_client
from service.documents import _public
from service.problems import Problem
from service.state import state
from storage.database.models import parse_timestamp
from storage.record_types import BatchRecord, DocumentRecord

__all__ = ["MAX_LIMIT", "bp", "cursor", "next_link", "query_before", "query_int", "query_time"]

bp = Blueprint("listing", __name__, url_prefix="/api/v1/documents")

MAX_LIMIT = 200
"""Most records one page holds."""


def _invalid(name: str, msg: str) -> Problem:
    return Problem(422, "Invalid request", f"The query parameter '{name}' is invalid.",
                   errors=[{"loc": f"query.{name}", "msg": msg}])


def cursor(record: DocumentRecord | BatchRecord) -> str:
    return base64.urlsafe_b64encode(f"{record.created_at}|{record.id}".encode()).decode().rstrip("=")


def query_before() -> tuple[str, str] | None:
    """The (created_at, id) the ``before`` cursor names; 422 for one this service did not hand out."""
    token = request.args.get("before")
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


def query_int(name: str, default: int | None, low: int, high: int) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise _invalid(name, f"must be a whole number from {low} to {high}")
    return int(raw)


def query_time(name: str) -> str | None:
    """An ISO 8601 timestamp query parameter, as the database compares it; 422 when unreadable."""
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        return parse_timestamp(raw).isoformat(timespec="seconds").replace("+00:00", "Z")
    except ValueError:
        raise _invalid(name, "must be an ISO 8601 time such as 2026-01-31 or 2026-01-31T08:00:00Z") from None


def next_link(path: str, records: Sequence[DocumentRecord | BatchRecord], limit: int) -> str | None:
    """The following page's URL when this page is full."""
    if len(records) < limit:
        return None
    args = {k: v for k, v in request.args.items() if k != "before"} | {"before": cursor(records[-1])}
    return f"{state().settings.base_url}{path}?{urlencode(args)}"


@bp.get("")
@operation(query=m.DocumentListQuery, responses={200: Answer("A page of documents", m.DocumentPage)})
def list_documents():
    """The client's documents, newest first: ``?status=finished&type=pk&year=2026&batch=ID&ref=R
    &created_after=2026-01-01&limit=50``; ``next`` links the following page. Errors: 422 an
    invalid query parameter."""
    client = current_client()
    limit = query_int("limit", 50, 1, MAX_LIMIT)
    assert limit is not None
    year = query_int("year", None, 1900, 9999)
    year = year if year is not None else query_int("tahun", None, 1900, 9999)
    records = state().records.list(
        client=None if client.admin else client.name, status=request.args.get("status") or None,
        doc_type=request.args.get("type") or None, year=year,
        batch=request.args.get("batch") or None, ref=request.args.get("ref") or None,
        created_after=query_time("created_after"), created_before=query_time("created_before"),
        before=query_before(), limit=limit)
    return {"items": [_public(r) for r in records], "next": next_link("/api/v1/documents", records, limit)}
