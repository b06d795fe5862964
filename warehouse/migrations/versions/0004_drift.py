"""batch-level (drift) data-quality results: observed value, baseline, bounds and verdict

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

_FLOATS = ("observed", "baseline", "lower_bound", "upper_bound")


def _report_views() -> Any:
    """Revision 0002's module: its views read ``dq_results`` and must be dropped around a rebuild."""
    path = Path(__file__).with_name("0002_report_views.py")
    spec = importlib.util.spec_from_file_location("imr_revision_0002", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade() -> None:
    # plain ADD COLUMN (no table rebuild: the report views of 0002 read dq_results)
    for name in _FLOATS:
        op.add_column("dq_results", sa.Column(name, sa.Float, nullable=True))
    op.execute(
        "ALTER TABLE dq_results ADD COLUMN verdict VARCHAR(16) CONSTRAINT ck_dq_results_verdict "
        "CHECK (verdict IN ('passed', 'failed', 'insufficient'))"
    )


def downgrade() -> None:
    views = _report_views()
    views.downgrade()  # drop the views that read dq_results, rebuild it, create them again
    with op.batch_alter_table("dq_results") as batch:
        batch.drop_constraint(op.f("ck_dq_results_verdict"), type_="check")
        batch.drop_column("verdict")
        for name in reversed(_FLOATS):
            batch.drop_column(name)
    views.upgrade()
