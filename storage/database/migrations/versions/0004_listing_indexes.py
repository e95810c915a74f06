"""Indexes that keep GET /api/v1/documents fast at 1,000,000 documents whatever its filters
(bench/listing_bench.py): a page newest first by (created_at, id) narrowed by status, year or
ref, of one client or of all, reads one index range instead of walking the newest rows until
enough match (a rare status, or an older year, walked most of the table).

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_HAS_REF = sa.text("ref IS NOT NULL")

INDEXES = {
    "ix_documents_client_status_created": ["client", "status", "created_at", "id"],
    "ix_documents_status_created": ["status", "created_at", "id"],
    "ix_documents_client_year_created": ["client", "year", "created_at", "id"],
    "ix_documents_year_created": ["year", "created_at", "id"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "documents", columns)
    op.create_index("ix_documents_ref", "documents", ["ref"], sqlite_where=_HAS_REF, postgresql_where=_HAS_REF)


def downgrade() -> None:
    op.drop_index("ix_documents_ref", table_name="documents")
    for name in reversed(INDEXES):
        op.drop_index(name, table_name="documents")
