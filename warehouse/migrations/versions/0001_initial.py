"""initial warehouse schema

Revision ID: 0001
Revises:
Create Date: 2026-11-20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from warehouse.migrations.helpers import (
    SHA,
    UUID,
    check_in,
    create_indexes,
    fk,
    item_fields,
    letter_fields,
    not_null,
    pk,
    ts,
    unique,
)

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

def _ordered_strings(name: str, value_column: str) -> None:
    op.create_table(
        name,
        sa.Column("letter_id", UUID, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column(value_column, sa.Text, nullable=False),
        fk(name, "letter_id", "letters"),
        pk(name, "letter_id", "position"),
    )


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table(
        "ingest_batches",
        sa.Column("id", UUID, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("parent_batch_id", UUID, nullable=True),
        ts("started_at"),
        ts("finished_at", nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        *(
            sa.Column(name, sa.Integer, nullable=False, server_default="0")
            for name in ("files_seen", "loaded", "duplicates", "rejected", "quarantined", "linked", "failed")
        ),
        sa.Column("flow_run_id", sa.String(64), nullable=True),
        sa.Column("inboxes", sa.JSON, nullable=False),
        check_in("ingest_batches", "kind", ("ingest", "rerun", "backfill")),
        check_in("ingest_batches", "status", ("running", "completed", "completed_with_quarantine", "failed")),
        fk("ingest_batches", "parent_batch_id", "ingest_batches"),
        pk("ingest_batches", "id"),
    )
    # source_files.letter_id -> letters.id closes a cycle with letters.first_file_id: SQLite
    # accepts a reference to a table created later; PostgreSQL gets an ALTER after letters.
    letter_fk = [fk("source_files", "letter_id", "letters")] if sqlite else []
    op.create_table(
        "source_files",
        sa.Column("id", UUID, nullable=False),
        sa.Column("batch_id", UUID, nullable=False),
        *not_null(sa.Text, "inbox", "rel_path"),
        sa.Column("sha256", SHA, nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("media_type", sa.String(64), nullable=True),
        sa.Column("pages", sa.Integer, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason_codes", sa.JSON, nullable=False),
        sa.Column("letter_id", UUID, nullable=True),
        sa.Column("current_path", sa.Text, nullable=True),
        ts("seen_at"),
        ts("updated_at"),
        check_in(
            "source_files", "status", ("pending", "loaded", "duplicate", "linked", "rejected", "quarantined", "failed")
        ),
        fk("source_files", "batch_id", "ingest_batches"),
        *letter_fk,
        pk("source_files", "id"),
        unique("source_files", "batch_id", "sha256", "inbox", "rel_path"),
    )
    create_indexes("source_files", ["sha256"], ["letter_id"])
    op.create_table(
        "letters",
        sa.Column("id", UUID, nullable=False),
        sa.Column("case_number", sa.String(64), nullable=True),
        sa.Column("content_sha256", SHA, nullable=False),
        sa.Column("program", sa.String(64), nullable=False),
        *letter_fields(),
        sa.Column("batch_id", UUID, nullable=False),
        sa.Column("first_file_id", UUID, nullable=False),
        ts("loaded_at"),
        check_in("letters", "priority", ("standard", "expedited")),
        check_in("letters", "outcome", ("upheld", "overturned", "partially_overturned")),
        check_in("letters", "patient_sex", ("male", "female")),
        fk("letters", "batch_id", "ingest_batches"),
        fk("letters", "first_file_id", "source_files"),
        pk("letters", "id"),
        unique("letters", "case_number"),
        unique("letters", "content_sha256"),
    )
    if not sqlite:
        op.create_foreign_key(
            op.f("fk_source_files_letter_id_letters"), "source_files", "letters", ["letter_id"], ["id"]
        )
    op.create_table(
        "letter_files",
        sa.Column("letter_id", UUID, nullable=False),
        sa.Column("source_file_id", UUID, nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        ts("linked_at"),
        check_in("letter_files", "role", ("first", "linked")),
        fk("letter_files", "letter_id", "letters"),
        fk("letter_files", "source_file_id", "source_files"),
        pk("letter_files", "letter_id", "source_file_id"),
        unique("letter_files", "source_file_id"),
    )
    op.create_table(
        "letter_errors",
        sa.Column("letter_id", UUID, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("code", sa.String(128), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        fk("letter_errors", "letter_id", "letters"),
        pk("letter_errors", "letter_id", "position"),
    )
    _ordered_strings("reviewer_specialties", "specialty")
    _ordered_strings("reviewer_licensure_states", "state")
    _ordered_strings("diagnoses", "diagnosis")
    op.create_table(
        "items",
        sa.Column("id", UUID, nullable=False),
        sa.Column("letter_id", UUID, nullable=False),
        *item_fields(),
        check_in("items", "decision", ("upheld", "overturned")),
        fk("items", "letter_id", "letters"),
        pk("items", "id"),
        unique("items", "letter_id", "ordinal"),
    )
    op.create_table(
        "guideline_citations",
        sa.Column("item_id", UUID, nullable=False),
        sa.Column("party", sa.String(32), nullable=False),
        sa.Column("source", sa.String(32), nullable=True),
        sa.Column("text", sa.Text, nullable=True),
        check_in("guideline_citations", "party", ("claims_administrator", "reviewer")),
        check_in("guideline_citations", "source", ("mtus", "non_mtus", "mtus_and_non_mtus", "none")),
        fk("guideline_citations", "item_id", "items"),
        pk("guideline_citations", "item_id", "party"),
    )
    op.create_table(
        "dq_results",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("batch_id", UUID, nullable=False),
        sa.Column("suite", sa.String(128), nullable=False),
        sa.Column("expectation", sa.String(255), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        *not_null(sa.Integer, "evaluated", "failed"),
        sa.Column("failure_rate", sa.Float, nullable=False),
        ts("recorded_at"),
        check_in("dq_results", "level", ("critical", "warning")),
        fk("dq_results", "batch_id", "ingest_batches"),
        pk("dq_results", "id"),
        unique("dq_results", "batch_id", "suite", "expectation"),
    )
    op.create_table(
        "dq_letter_failures",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("batch_id", UUID, nullable=False),
        sa.Column("source_file_id", UUID, nullable=False),
        sa.Column("letter_id", UUID, nullable=True),
        sa.Column("suite", sa.String(128), nullable=False),
        sa.Column("expectation", sa.String(255), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        check_in("dq_letter_failures", "level", ("critical", "warning")),
        fk("dq_letter_failures", "batch_id", "ingest_batches"),
        fk("dq_letter_failures", "source_file_id", "source_files"),
        fk("dq_letter_failures", "letter_id", "letters"),
        pk("dq_letter_failures", "id"),
        unique("dq_letter_failures", "batch_id", "source_file_id", "suite", "expectation"),
    )
    op.create_table(
        "quarantine_reasons",
        sa.Column("source_file_id", UUID, nullable=False),
        sa.Column("code", sa.String(128), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        fk("quarantine_reasons", "source_file_id", "source_files"),
        pk("quarantine_reasons", "source_file_id", "code"),
    )


def downgrade() -> None:
    for name in (
        "quarantine_reasons",
        "dq_letter_failures",
        "dq_results",
        "guideline_citations",
        "items",
        "diagnoses",
        "reviewer_licensure_states",
        "reviewer_specialties",
        "letter_errors",
        "letter_files",
    ):
        op.drop_table(name)
    if op.get_bind().dialect.name == "sqlite":
        # Break the source_files <-> letters cycle so each DROP's implicit DELETE passes the FK check.
        source_files = sa.table("source_files", sa.column("letter_id"))
        op.execute(sa.update(source_files).values(letter_id=None))
    else:
        op.drop_constraint(op.f("fk_source_files_letter_id_letters"), "source_files", type_="foreignkey")
    op.drop_table("letters")
    op.drop_index(op.f("ix_source_files_letter_id"), table_name=op.f("source_files"))
    op.drop_index(op.f("ix_source_files_sha256"), table_name=op.f("source_files"))
    op.drop_table("source_files")
    op.drop_table("ingest_batches")
