"""Which PK Perubahan amend a document: the records whose ``amends`` names it (indexed), so the
earlier PK's verify page and API record can point at the documents that changed it."""

from __future__ import annotations

from sqlalchemy import select

from storage.database import Database, Document

__all__ = ["amended_by"]


def amended_by(database: Database, doc_id: str, statuses: frozenset[str] | None = None) -> list[dict[str, str]]:
    """The documents that amend ``doc_id`` (oldest first): id, status, client, created and
    finished time; only those in ``statuses`` when given."""
    query = select(Document.id, Document.status, Document.client, Document.created_at, Document.finished_at) \
        .where(Document.amends == doc_id).order_by(Document.created_at, Document.id)
    if statuses is not None:
        query = query.where(Document.status.in_(statuses))
    with database.read() as connection:
        rows = connection.execute(query).all()
    return [{"id": r.id, "status": r.status, "client": r.client, "created_at": r.created_at,
             "finished_at": r.finished_at or ""} for r in rows]
