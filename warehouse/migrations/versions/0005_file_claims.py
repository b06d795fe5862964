"""file claims: one run per file when runs overlap

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29

A claim is keyed by the file's identity (sha256, inbox, rel_path) and names the claiming run's
batch and an expiry, so that of two runs racing for a file exactly one processes it
(``warehouse/claims.py``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from warehouse.migrations.helpers import SHA, UUID, create_indexes, fk, pk, ts

revision: str = "0005"
down_revision: str | None = "0004"


def upgrade() -> None:
    op.create_table(
        "file_claims",
        sa.Column("sha256", SHA, nullable=False),
        sa.Column("inbox", sa.Text, nullable=False),
        sa.Column("rel_path", sa.Text, nullable=False),
        sa.Column("batch_id", UUID, nullable=False),
        ts("claimed_at"),
        ts("expires_at"),
        fk("file_claims", "batch_id", "ingest_batches"),
        pk("file_claims", "sha256", "inbox", "rel_path"),
    )
    create_indexes("file_claims", ["batch_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_file_claims_batch_id"), table_name="file_claims")
    op.drop_table("file_claims")
