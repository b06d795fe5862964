"""batch-level (drift) data-quality results: observed value, baseline, bounds and verdict

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

_FLOATS = ("observed", "baseline", "lower_bound", "upper_bound")


def upgrade() -> None:
    with op.batch_alter_table("dq_results") as batch:
        for name in _FLOATS:
            batch.add_column(sa.Column(name, sa.Float, nullable=True))
        batch.add_column(sa.Column("verdict", sa.String(16), nullable=True))
        batch.create_check_constraint(op.f("ck_dq_results_verdict"), "verdict IN ('passed', 'failed', 'insufficient')")


def downgrade() -> None:
    with op.batch_alter_table("dq_results") as batch:
        batch.drop_constraint(op.f("ck_dq_results_verdict"), type_="check")
        batch.drop_column("verdict")
        for name in reversed(_FLOATS):
            batch.drop_column(name)
