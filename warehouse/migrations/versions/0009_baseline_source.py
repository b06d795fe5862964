"""drift results record what they were compared with (history, a published figure, nothing): the
result's ``baseline_source`` survives the warehouse round trip

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

from warehouse.migrations.helpers import add_checked_column
from warehouse.migrations.rebuild import report_views_dropped

revision: str = "0009"
down_revision: str | None = "0008"

_SOURCES = ("history", "published", "none")


def upgrade() -> None:
    # plain ADD COLUMN with its CHECK (no table rebuild: the report views read dq_results)
    add_checked_column("dq_results", "baseline_source", 16, _SOURCES)


def downgrade() -> None:
    with report_views_dropped("0008_case_versions"), op.batch_alter_table("dq_results") as batch:
        batch.drop_constraint(op.f("ck_dq_results_baseline_source"), type_="check")
        batch.drop_column("baseline_source")
