"""ingest batches record the entries their run left in the inbox (how many, and why); source files
record whether their text was read by OCR (the record's source.ocr)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"


def upgrade() -> None:
    # plain ADD COLUMN (no table rebuild: the report views of 0002 read these tables)
    op.add_column("ingest_batches", sa.Column("ignored", sa.Integer, nullable=False, server_default="0"))
    op.add_column("ingest_batches", sa.Column("ignored_reasons", sa.JSON, nullable=True))
    op.add_column("source_files", sa.Column("ocr", sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade() -> None:
    # plain DROP COLUMN (SQLite 3.35+, PostgreSQL): no rebuild of a table others reference
    op.execute("ALTER TABLE source_files DROP COLUMN ocr")
    op.execute("ALTER TABLE ingest_batches DROP COLUMN ignored_reasons")
    op.execute("ALTER TABLE ingest_batches DROP COLUMN ignored")
