"""Pictures uploaded once through the admin API (an agency's logo, the Garuda), named by id in
document requests; and the link of a PK Perubahan to the earlier PK of ours it amends
(``documents.amends``, indexed, so the earlier one's verify page finds its amendments).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


_AMENDS = sa.text("amends IS NOT NULL")


def upgrade() -> None:
    op.add_column("documents", sa.Column("amends", sa.String(64)))
    op.create_index("ix_documents_amends", "documents", ["amends"], sqlite_where=_AMENDS, postgresql_where=_AMENDS)
    op.create_table(
        "assets",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("media_type", sa.String(50), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("uploaded_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_assets_created_at", "assets", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_assets_created_at", table_name="assets")
    op.drop_table("assets")
    op.drop_index("ix_documents_amends", table_name="documents")
    op.drop_column("documents", "amends")
