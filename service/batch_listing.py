"""GET /api/v1/batches: the calling client's batches, newest first, from the database.

Filters ``status`` (running, finished), ``type``, ``created_after`` and ``created_before``
(ISO 8601); ``limit`` (1-200, default 50); ``next`` links the following page through an opaque
cursor, as the document listing does. An administrator sees every client's batches.
"""

from __future__ import annotations

from flask import Blueprint, request

from service import api_models as m
from service.api_spec import Response as Answer
from service.api_spec import operation
from service.auth import current_client
from service.batches import _store, public_batch
from service.listing import MAX_LIMIT, next_link, query_before, query_int, query_time

__all__ = ["bp"]

bp = Blueprint("batch_listing", __name__, url_prefix="/api/v1/batches")


@bp.get("")
@operation(query=m.BatchListQuery, responses={200: Answer("A page of batches", m.BatchPage)})
def list_batches():
    """The client's batches, newest first: ``?status=running&type=pk&created_after=2026-01-01&limit=50``;
    each as GET /api/v1/batches/{id} answers it. Errors: 422 an invalid query parameter."""
    client = current_client()
    limit = query_int("limit", 50, 1, MAX_LIMIT)
    assert limit is not None
    records = _store().list(client=None if client.admin else client.name, status=request.args.get("status") or None,
                            doc_type=request.args.get("type") or None, created_after=query_time("created_after"),
                            created_before=query_time("created_before"), before=query_before(), limit=limit)
    return {"items": [public_batch(r) for r in records], "next": next_link("/api/v1/batches", records, limit)}
