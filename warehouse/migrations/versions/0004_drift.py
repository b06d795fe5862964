"""batch-level (drift) data-quality results: observed value, baseline, bounds and verdict

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from warehouse.migrations.helpers import add_checked_column
from warehouse.migrations.rebuild import report_views_dropped

revision: str = "0004"
down_revision: str | None = "0002"

_FLOATS = ("observed", "baseline", "lower_bound", "upper_bound")
_VERDICTS = ("passed", "failed", "insufficient")


def upgrade() -> None:
    # plain ADD COLUMN (no table rebuild: the report views of 0002 read dq_results)
    for name in _FLOATS:
        op.add_column("dq_results", sa.Column(name, sa.Float, nullable=True))
    add_checked_column("dq_results", "verdict", 16, _VERDICTS)


def downgrade() -> None:
    with report_views_dropped(), op.batch_alter_table("dq_results") as batch:
        batch.drop_constraint(op.f("ck_dq_results_verdict"), type_="check")
        batch.drop_column("verdict")
        for name in reversed(_FLOATS):
            batch.drop_column(name)
