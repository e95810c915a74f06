"""Fewer index entries written per accepted document (issue 15: the database must not cost the
intake its goal). A queued record wrote the row and eight indexes; four of them only ever serve
listings of ended documents or of a year, and a queued record has no year (it comes from the
summary, written when the document ends). So:

- the status listings' indexes (``ix_documents_status_created``, ``ix_documents_client_status_created``)
  hold ended records only (``status NOT IN ('queued', 'started')``); a listing of queued or started
  documents reads the in-flight index, which now carries ``created_at, id`` too, in order;
- the year listings' indexes hold records with a year (``year IS NOT NULL``: ``year = ?`` implies it,
  on SQLite and PostgreSQL alike, so those listings' queries are unchanged).

A queued record now writes the row and four indexes (id, created, client-created, in flight).
The queries that read these indexes (storage/records.py ``RecordStore.list``) repeat the partial
conditions literally, as a planner needs to use a partial index (tests/test_intake_indexes.py).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_IN_FLIGHT = sa.text("status IN ('queued', 'started')")
_ENDED = sa.text("status NOT IN ('queued', 'started')")
_HAS_YEAR = sa.text("year IS NOT NULL")

PARTIAL = {
    "ix_documents_client_status_created": (["client", "status", "created_at", "id"], _ENDED),
    "ix_documents_status_created": (["status", "created_at", "id"], _ENDED),
    "ix_documents_client_year_created": (["client", "year", "created_at", "id"], _HAS_YEAR),
    "ix_documents_year_created": (["year", "created_at", "id"], _HAS_YEAR),
}


def upgrade() -> None:
    op.drop_index("ix_documents_in_flight", table_name="documents")
    op.create_index("ix_documents_in_flight", "documents", ["status", "created_at", "id"], sqlite_where=_IN_FLIGHT,
                    postgresql_where=_IN_FLIGHT)
    for name, (columns, where) in PARTIAL.items():
        op.drop_index(name, table_name="documents")
        op.create_index(name, "documents", columns, sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    for name, (columns, _where) in PARTIAL.items():
        op.drop_index(name, table_name="documents")
        op.create_index(name, "documents", columns)
    op.drop_index("ix_documents_in_flight", table_name="documents")
    op.create_index("ix_documents_in_flight", "documents", ["status"], sqlite_where=_IN_FLIGHT,
                    postgresql_where=_IN_FLIGHT)
