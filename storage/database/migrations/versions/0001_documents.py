"""Documents, their files, and batches: the system of record.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("client", sa.String(100), nullable=False),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("format", sa.String(50), nullable=False),
        sa.Column("formats", sa.String(50)),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("year", sa.Integer()),
        sa.Column("agency", sa.Text()),
        sa.Column("parties", sa.Text()),
        sa.Column("summary", sa.Text()),
        sa.Column("template_name", sa.String(200)),
        sa.Column("template_version", sa.Integer()),
        sa.Column("template_sha256", sa.String(64)),
        sa.Column("request", sa.Text()),
        sa.Column("callback_url", sa.Text()),
        sa.Column("callback_status", sa.Text()),
        sa.Column("callback_at", TIMESTAMP),
        sa.Column("batch", sa.String(64)),
        sa.Column("ref", sa.Text()),
        sa.Column("error", sa.Text()),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(200)),
        sa.Column("pid", sa.Integer()),
        sa.Column("warnings", sa.Text()),
        sa.Column("signatures", sa.Text()),
        sa.Column("signed_at", TIMESTAMP),
        sa.Column("revoked_at", TIMESTAMP),
        sa.Column("revoked_reason", sa.Text()),
        sa.Column("revoked_by", sa.String(100)),
        sa.Column("files_purged_at", TIMESTAMP),
        sa.Column("extra", sa.Text()),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("started_at", TIMESTAMP),
        sa.Column("finished_at", TIMESTAMP),
    )
    # partial indexes: a single document's intake writes neither (the reconcile reads work in
    # flight; batch items are found by their batch)
    in_flight = sa.text("status IN ('queued', 'started')")
    op.create_index("ix_documents_in_flight", "documents", ["status"], sqlite_where=in_flight,
                    postgresql_where=in_flight)
    has_batch = sa.text("batch IS NOT NULL")
    op.create_index("ix_documents_batch", "documents", ["batch"], sqlite_where=has_batch, postgresql_where=has_batch)
    # listings page newest first by (created_at, id), of one client or of all
    op.create_index("ix_documents_created", "documents", ["created_at", "id"])
    op.create_index("ix_documents_client_created", "documents", ["client", "created_at", "id"])
    op.create_table(
        "document_files",
        sa.Column("document_id", sa.String(64), sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("kind", sa.String(20), primary_key=True),
        sa.Column("extension", sa.String(20), primary_key=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
    )
    op.create_index("ix_document_files_sha256", "document_files", ["sha256"])
    op.create_table(
        "batches",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("client", sa.String(100), nullable=False),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("format", sa.String(50), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("chunk_size", sa.Integer(), nullable=False),
        sa.Column("chunks", sa.Integer(), nullable=False),
        sa.Column("template_name", sa.String(200)),
        sa.Column("template_version", sa.Integer()),
        sa.Column("template_sha256", sa.String(64)),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("extra", sa.Text()),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("finished_at", TIMESTAMP),
    )
    op.create_index("ix_batches_client", "batches", ["client"])
    op.create_index("ix_batches_status", "batches", ["status"])
    op.create_index("ix_batches_created_at", "batches", ["created_at"])
    op.create_table(
        "batch_chunks",
        sa.Column("batch_id", sa.String(64), sa.ForeignKey("batches.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("number", sa.Integer(), primary_key=True),
        sa.Column("items", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("batch_chunks")
    op.drop_table("batches")
    op.drop_table("document_files")
    op.drop_table("documents")
