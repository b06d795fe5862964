"""ingest batches record the entries their run left in the inbox: how many, and why

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def _report_views() -> Any:
    """Revision 0002's module: its views read ``ingest_batches`` and must be dropped around a rebuild."""
    path = Path(__file__).with_name("0002_report_views.py")
    spec = importlib.util.spec_from_file_location("imr_revision_0002", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade() -> None:
    # plain ADD COLUMN (no table rebuild: the report views of 0002 read ingest_batches)
    op.add_column("ingest_batches", sa.Column("ignored", sa.Integer, nullable=False, server_default="0"))
    op.add_column("ingest_batches", sa.Column("ignored_reasons", sa.JSON, nullable=True))


def downgrade() -> None:
    views = _report_views()
    views.downgrade()
    with op.batch_alter_table("ingest_batches") as batch:
        batch.drop_column("ignored_reasons")
        batch.drop_column("ignored")
    views.upgrade()
