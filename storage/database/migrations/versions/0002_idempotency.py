"""Documents and batches remember the Idempotency-Key they were made with, so a retry after Redis
was lost finds its resource instead of making a second one.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_HAS_KEY = sa.text("idempotency IS NOT NULL")


def upgrade() -> None:
    op.add_column("documents", sa.Column("idempotency", sa.String(64)))
    op.add_column("documents", sa.Column("request_sha256", sa.String(64)))
    op.create_index("ix_documents_idempotency", "documents", ["client", "idempotency"], sqlite_where=_HAS_KEY,
                    postgresql_where=_HAS_KEY)
    op.add_column("batches", sa.Column("idempotency", sa.String(64)))
    op.add_column("batches", sa.Column("request_sha256", sa.String(64)))
    op.create_index("ix_batches_idempotency", "batches", ["client", "idempotency"], sqlite_where=_HAS_KEY,
                    postgresql_where=_HAS_KEY)


def downgrade() -> None:
    op.drop_index("ix_batches_idempotency", table_name="batches")
    op.drop_column("batches", "request_sha256")
    op.drop_column("batches", "idempotency")
    op.drop_index("ix_documents_idempotency", table_name="documents")
    op.drop_column("documents", "request_sha256")
    op.drop_column("documents", "idempotency")
