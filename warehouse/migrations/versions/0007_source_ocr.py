"""source files record whether their text was read by OCR (the record's source.ocr)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"


def upgrade() -> None:
    # plain ADD COLUMN (no table rebuild: the report views of 0002 read source_files)
    op.add_column("source_files", sa.Column("ocr", sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade() -> None:
    op.execute("ALTER TABLE source_files DROP COLUMN ocr")
