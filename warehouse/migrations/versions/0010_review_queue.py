"""the review queue and stored evidence: where each value of a loaded letter stands in its file
(letter_evidence), the letters set aside for a reason a person can settle (review_items) with
their audit trail (review_actions), and the reviewer's mark on a letter a person settled
(letter_reviews); v_letters gains reviewed_by / reviewed_at, v_review_queue lists the queue

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-12

The views are revision 0008's frozen SQL (read through ``load_revision``) with two columns added
at the end of ``v_letters`` (scalar subqueries on ``letter_reviews``' primary key, run only when
selected), plus ``v_review_queue``. A later revision that must rebuild a viewed table uses
``report_views_dropped("0010_review_queue")``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from warehouse.migrations import helpers
from warehouse.migrations.rebuild import load_revision

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None

_STATUSES = ("waiting", "resolved", "rejected", "superseded")
_ACTIONS = ("enqueued", "resolved", "rejected", "superseded", "refused")
_WAITING = "status = 'waiting'"

_V_LETTERS_END = "l.batch_id, l.loaded_at\n          FROM letters l"


def views(dialect: str) -> list[tuple[str, str]]:
    """(name, SELECT) pairs in creation order: 0008's views with ``v_letters`` showing who reviewed
    the letter and when, then ``v_review_queue``."""
    out: list[tuple[str, str]] = []
    for name, select in load_revision("0008_case_versions").views(dialect):
        if name == "v_letters":
            assert _V_LETTERS_END in select, "revision 0008's v_letters is not what 0010 extends"
            select = select.replace(
                _V_LETTERS_END,
                "l.batch_id, l.loaded_at,\n"
                "               (SELECT r.reviewed_by FROM letter_reviews r WHERE r.letter_id = l.id) AS reviewed_by,\n"
                "               (SELECT r.reviewed_at FROM letter_reviews r WHERE r.letter_id = l.id) AS reviewed_at\n"
                "          FROM letters l",
            )
        out.append((name, select))
    queue = """
        SELECT q.id AS item_id, q.status, q.case_number, q.since, q.sha256,
               q.source_file_id, f.batch_id, f.rel_path, f.current_path,
               q.letter_id, q.settled_at, q.settled_by,
               CASE WHEN q.status = 'waiting' THEN 1 ELSE 0 END AS is_waiting
          FROM review_items q
          JOIN source_files f ON f.id = q.source_file_id"""
    out.append(("v_review_queue", queue))
    return out


def upgrade() -> None:
    helpers.drop_views(load_revision("0008_case_versions").views)
    op.create_table(
        "letter_evidence",
        sa.Column("letter_id", helpers.UUID, nullable=False),
        sa.Column("path", sa.String(255), nullable=False),
        sa.Column("page", sa.Integer, nullable=False),
        *helpers.nullable(sa.Float, "x0", "top", "x1", "bottom"),
        sa.Column("line", sa.Integer, nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("confidence", sa.Float, nullable=True),
        helpers.fk("letter_evidence", "letter_id", "letters"),
        helpers.pk("letter_evidence", "letter_id", "path"),
    )
    op.create_table(
        "review_items",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("source_file_id", helpers.UUID, nullable=False),
        sa.Column("sha256", helpers.SHA, nullable=False),
        sa.Column("codes", sa.JSON, nullable=False),
        sa.Column("case_number", sa.String(64), nullable=True),
        helpers.ts("since"),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("source", sa.JSON, nullable=False),
        sa.Column("errors", sa.JSON, nullable=False),
        sa.Column("partial", sa.JSON, nullable=False),
        sa.Column("evidence", sa.JSON, nullable=True),
        sa.Column("doubtful", sa.JSON, nullable=False),
        sa.Column("letter_id", helpers.UUID, nullable=True),
        helpers.ts("settled_at", nullable=True),
        sa.Column("settled_by", sa.Text, nullable=True),
        helpers.check_in("review_items", "status", _STATUSES),
        helpers.fk("review_items", "source_file_id", "source_files"),
        helpers.fk("review_items", "letter_id", "letters"),
        helpers.pk("review_items", "id"),
    )
    helpers.create_indexes("review_items", ["sha256"], ["status", "since"])
    helpers.create_unique_where("uq_review_items_waiting_sha256", "review_items", "sha256", _WAITING)
    op.create_table(
        "review_actions",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("item_id", sa.Integer, nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        helpers.ts("acted_at"),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("changes", sa.JSON, nullable=False),
        sa.Column("batch_id", helpers.UUID, nullable=True),
        helpers.check_in("review_actions", "action", _ACTIONS),
        helpers.fk("review_actions", "item_id", "review_items"),
        helpers.fk("review_actions", "batch_id", "ingest_batches"),
        helpers.pk("review_actions", "id"),
    )
    helpers.create_indexes("review_actions", ["item_id"])
    op.create_table(
        "letter_reviews",
        sa.Column("letter_id", helpers.UUID, nullable=False),
        sa.Column("reviewed_by", sa.Text, nullable=False),
        helpers.ts("reviewed_at"),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("changed", sa.JSON, nullable=False),
        helpers.fk("letter_reviews", "letter_id", "letters"),
        helpers.pk("letter_reviews", "letter_id"),
    )
    helpers.create_views(views)


def downgrade() -> None:
    helpers.drop_views(views)
    op.drop_table("letter_reviews")
    op.drop_index(op.f("ix_review_actions_item_id"), table_name="review_actions")
    op.drop_table("review_actions")
    op.drop_index(op.f("uq_review_items_waiting_sha256"), table_name="review_items")
    op.drop_index(op.f("ix_review_items_status_since"), table_name="review_items")
    op.drop_index(op.f("ix_review_items_sha256"), table_name="review_items")
    op.drop_table("review_items")
    op.drop_table("letter_evidence")
    helpers.create_views(load_revision("0008_case_versions").views)
