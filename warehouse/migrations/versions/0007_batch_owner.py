"""ingest batches record who runs them (host, pid, process start, lock) and why they ended as
they did; two more batch statuses: ``abandoned`` (its run died) and ``interrupted`` (stopped by a
signal); ``batch_progress`` holds each chunk's letters done while a run works

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07

The status CHECK changes, so ``ingest_batches`` is rebuilt on SQLite (move and copy, with the
report views dropped meanwhile and foreign keys checked afterwards: see ``warehouse.migrations``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from warehouse.migrations.helpers import UUID, fk, in_, not_null, pk, ts
from warehouse.migrations.rebuild import report_views_dropped

revision: str = "0007"
down_revision: str | None = "0006"

_OLD = ("running", "completed", "completed_with_quarantine", "failed")
_NEW = (*_OLD, "abandoned", "interrupted")


def upgrade() -> None:
    with report_views_dropped(), op.batch_alter_table("ingest_batches") as batch:
        batch.drop_constraint(op.f("ck_ingest_batches_status"), type_="check")
        batch.create_check_constraint(op.f("ck_ingest_batches_status"), in_("status", _NEW))
        batch.add_column(sa.Column("owner", sa.JSON, nullable=True))
        batch.add_column(sa.Column("status_reason", sa.Text, nullable=True))
    op.create_table(
        "batch_progress",
        sa.Column("batch_id", UUID, nullable=False),
        sa.Column("chunk", sa.String(64), nullable=False),
        *not_null(sa.Integer, "done", "total"),
        ts("updated_at"),
        fk("batch_progress", "batch_id", "ingest_batches"),
        pk("batch_progress", "batch_id", "chunk"),
    )


def downgrade() -> None:
    op.drop_table("batch_progress")
    op.execute(
        "UPDATE ingest_batches SET status = 'failed' WHERE status IN ('abandoned', 'interrupted')"
    )
    with report_views_dropped(), op.batch_alter_table("ingest_batches") as batch:
        batch.drop_column("status_reason")
        batch.drop_column("owner")
        batch.drop_constraint(op.f("ck_ingest_batches_status"), type_="check")
        batch.create_check_constraint(op.f("ck_ingest_batches_status"), in_("status", _OLD))
