"""initial warehouse schema

Revision ID: 0001
Revises:
Create Date: 2026-11-20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

UUID = sa.String(36)
SHA = sa.String(64)


def _ts(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _ordered_strings(name: str, value_column: str) -> None:
    op.create_table(
        name,
        sa.Column("letter_id", UUID, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column(value_column, sa.Text, nullable=False),
        sa.ForeignKeyConstraint(["letter_id"], ["letters.id"], name=op.f(f"fk_{name}_letter_id_letters")),
        sa.PrimaryKeyConstraint("letter_id", "position", name=op.f(f"pk_{name}")),
    )


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table(
        "ingest_batches",
        sa.Column("id", UUID, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("parent_batch_id", UUID, nullable=True),
        _ts("started_at"),
        _ts("finished_at", nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("files_seen", sa.Integer, nullable=False, server_default="0"),
        sa.Column("loaded", sa.Integer, nullable=False, server_default="0"),
        sa.Column("duplicates", sa.Integer, nullable=False, server_default="0"),
        sa.Column("rejected", sa.Integer, nullable=False, server_default="0"),
        sa.Column("quarantined", sa.Integer, nullable=False, server_default="0"),
        sa.Column("linked", sa.Integer, nullable=False, server_default="0"),
        sa.Column("failed", sa.Integer, nullable=False, server_default="0"),
        sa.Column("flow_run_id", sa.String(64), nullable=True),
        sa.Column("inboxes", sa.JSON, nullable=False),
        sa.CheckConstraint("kind IN ('ingest', 'rerun', 'backfill')", name=op.f("ck_ingest_batches_kind")),
        sa.CheckConstraint(
            "status IN ('running', 'completed', 'completed_with_quarantine', 'failed')",
            name=op.f("ck_ingest_batches_status"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_batch_id"],
            ["ingest_batches.id"],
            name=op.f("fk_ingest_batches_parent_batch_id_ingest_batches"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_batches")),
    )
    # source_files.letter_id -> letters.id closes a cycle with letters.first_file_id: SQLite
    # accepts a reference to a table created later; PostgreSQL gets an ALTER after letters.
    letter_fk = (
        [
            sa.ForeignKeyConstraint(
                ["letter_id"], ["letters.id"], name=op.f("fk_source_files_letter_id_letters")
            )
        ]
        if sqlite
        else []
    )
    op.create_table(
        "source_files",
        sa.Column("id", UUID, nullable=False),
        sa.Column("batch_id", UUID, nullable=False),
        sa.Column("inbox", sa.Text, nullable=False),
        sa.Column("rel_path", sa.Text, nullable=False),
        sa.Column("sha256", SHA, nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("media_type", sa.String(64), nullable=True),
        sa.Column("pages", sa.Integer, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason_codes", sa.JSON, nullable=False),
        sa.Column("letter_id", UUID, nullable=True),
        sa.Column("current_path", sa.Text, nullable=True),
        _ts("seen_at"),
        _ts("updated_at"),
        sa.CheckConstraint(
            "status IN ('pending', 'loaded', 'duplicate', 'linked', 'rejected', 'quarantined', 'failed')",
            name=op.f("ck_source_files_status"),
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["ingest_batches.id"], name=op.f("fk_source_files_batch_id_ingest_batches")
        ),
        *letter_fk,
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_files")),
        sa.UniqueConstraint(
            "batch_id",
            "sha256",
            "inbox",
            "rel_path",
            name=op.f("uq_source_files_batch_id_sha256_inbox_rel_path"),
        ),
    )
    op.create_index(op.f("ix_source_files_sha256"), "source_files", ["sha256"])
    op.create_index(op.f("ix_source_files_letter_id"), "source_files", ["letter_id"])
    op.create_table(
        "letters",
        sa.Column("id", UUID, nullable=False),
        sa.Column("case_number", sa.String(64), nullable=True),
        sa.Column("content_sha256", SHA, nullable=False),
        sa.Column("program", sa.String(64), nullable=False),
        sa.Column("layout", sa.Text, nullable=True),
        sa.Column("date_assigned", sa.Date, nullable=True),
        sa.Column("decision_date", sa.Date, nullable=True),
        sa.Column("date_of_injury", sa.Date, nullable=True),
        sa.Column("ur_denial_date", sa.Date, nullable=True),
        sa.Column("application_received", sa.Date, nullable=True),
        sa.Column("priority", sa.String(16), nullable=True),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("patient_age", sa.Integer, nullable=True),
        sa.Column("patient_sex", sa.String(16), nullable=True),
        sa.Column("patient_occupation", sa.Text, nullable=True),
        sa.Column("batch_id", UUID, nullable=False),
        sa.Column("first_file_id", UUID, nullable=False),
        _ts("loaded_at"),
        sa.CheckConstraint("priority IN ('standard', 'expedited')", name=op.f("ck_letters_priority")),
        sa.CheckConstraint(
            "outcome IN ('upheld', 'overturned', 'partially_overturned')", name=op.f("ck_letters_outcome")
        ),
        sa.CheckConstraint("patient_sex IN ('male', 'female')", name=op.f("ck_letters_patient_sex")),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["ingest_batches.id"], name=op.f("fk_letters_batch_id_ingest_batches")
        ),
        sa.ForeignKeyConstraint(
            ["first_file_id"], ["source_files.id"], name=op.f("fk_letters_first_file_id_source_files")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letters")),
        sa.UniqueConstraint("case_number", name=op.f("uq_letters_case_number")),
        sa.UniqueConstraint("content_sha256", name=op.f("uq_letters_content_sha256")),
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
        _ts("linked_at"),
        sa.CheckConstraint("role IN ('first', 'linked')", name=op.f("ck_letter_files_role")),
        sa.ForeignKeyConstraint(
            ["letter_id"], ["letters.id"], name=op.f("fk_letter_files_letter_id_letters")
        ),
        sa.ForeignKeyConstraint(
            ["source_file_id"], ["source_files.id"], name=op.f("fk_letter_files_source_file_id_source_files")
        ),
        sa.PrimaryKeyConstraint("letter_id", "source_file_id", name=op.f("pk_letter_files")),
        sa.UniqueConstraint("source_file_id", name=op.f("uq_letter_files_source_file_id")),
    )
    op.create_table(
        "letter_errors",
        sa.Column("letter_id", UUID, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("code", sa.String(128), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.ForeignKeyConstraint(
            ["letter_id"], ["letters.id"], name=op.f("fk_letter_errors_letter_id_letters")
        ),
        sa.PrimaryKeyConstraint("letter_id", "position", name=op.f("pk_letter_errors")),
    )
    _ordered_strings("reviewer_specialties", "specialty")
    _ordered_strings("reviewer_licensure_states", "state")
    _ordered_strings("diagnoses", "diagnosis")
    op.create_table(
        "items",
        sa.Column("id", UUID, nullable=False),
        sa.Column("letter_id", UUID, nullable=False),
        sa.Column("ordinal", sa.Integer, nullable=False),
        sa.Column("request", sa.Text, nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("rationale", sa.Text, nullable=True),
        sa.Column("service_category", sa.Text, nullable=True),
        sa.Column("service_subcategory", sa.Text, nullable=True),
        sa.Column("drug_class", sa.Text, nullable=True),
        sa.CheckConstraint("decision IN ('upheld', 'overturned')", name=op.f("ck_items_decision")),
        sa.ForeignKeyConstraint(["letter_id"], ["letters.id"], name=op.f("fk_items_letter_id_letters")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_items")),
        sa.UniqueConstraint("letter_id", "ordinal", name=op.f("uq_items_letter_id_ordinal")),
    )
    op.create_table(
        "guideline_citations",
        sa.Column("item_id", UUID, nullable=False),
        sa.Column("party", sa.String(32), nullable=False),
        sa.Column("source", sa.String(32), nullable=True),
        sa.Column("text", sa.Text, nullable=True),
        sa.CheckConstraint(
            "party IN ('claims_administrator', 'reviewer')", name=op.f("ck_guideline_citations_party")
        ),
        sa.CheckConstraint(
            "source IN ('mtus', 'non_mtus', 'mtus_and_non_mtus', 'none')",
            name=op.f("ck_guideline_citations_source"),
        ),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_guideline_citations_item_id_items")),
        sa.PrimaryKeyConstraint("item_id", "party", name=op.f("pk_guideline_citations")),
    )
    op.create_table(
        "dq_results",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("batch_id", UUID, nullable=False),
        sa.Column("suite", sa.String(128), nullable=False),
        sa.Column("expectation", sa.String(255), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("evaluated", sa.Integer, nullable=False),
        sa.Column("failed", sa.Integer, nullable=False),
        sa.Column("failure_rate", sa.Float, nullable=False),
        _ts("recorded_at"),
        sa.CheckConstraint("level IN ('critical', 'warning')", name=op.f("ck_dq_results_level")),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["ingest_batches.id"], name=op.f("fk_dq_results_batch_id_ingest_batches")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dq_results")),
        sa.UniqueConstraint(
            "batch_id", "suite", "expectation", name=op.f("uq_dq_results_batch_id_suite_expectation")
        ),
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
        sa.CheckConstraint("level IN ('critical', 'warning')", name=op.f("ck_dq_letter_failures_level")),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["ingest_batches.id"], name=op.f("fk_dq_letter_failures_batch_id_ingest_batches")
        ),
        sa.ForeignKeyConstraint(
            ["source_file_id"],
            ["source_files.id"],
            name=op.f("fk_dq_letter_failures_source_file_id_source_files"),
        ),
        sa.ForeignKeyConstraint(
            ["letter_id"], ["letters.id"], name=op.f("fk_dq_letter_failures_letter_id_letters")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dq_letter_failures")),
        sa.UniqueConstraint(
            "batch_id",
            "source_file_id",
            "suite",
            "expectation",
            name=op.f("uq_dq_letter_failures_batch_id_source_file_id_suite_expectation"),
        ),
    )
    op.create_table(
        "quarantine_reasons",
        sa.Column("source_file_id", UUID, nullable=False),
        sa.Column("code", sa.String(128), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.ForeignKeyConstraint(
            ["source_file_id"],
            ["source_files.id"],
            name=op.f("fk_quarantine_reasons_source_file_id_source_files"),
        ),
        sa.PrimaryKeyConstraint("source_file_id", "code", name=op.f("pk_quarantine_reasons")),
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
