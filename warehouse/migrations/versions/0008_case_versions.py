"""versions of a case: letters of one case number are kept as versions (case_number no longer
unique); each letter's version_status (current | superseded | in_review) and the letter that
superseded it; at most one current letter per case number; the report views read current letters
only, and v_letter_versions lists every letter with its standing

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-09

``letters`` is rebuilt on SQLite (move and copy, the report views dropped meanwhile, foreign keys
checked afterwards: see ``warehouse.migrations``). Letters loaded before this revision had unique
case numbers, so each is the current letter of its case (the column default).

The views are revision 0002's frozen SQL with the letters they read restricted to current ones
(``version_status = 'current'``), plus ``v_letter_versions``. A later revision that must rebuild a
viewed table uses ``report_views_dropped("0008_case_versions")``.

Downgrade keeps one letter per case number (the current one; for a case in review, the one with
the smallest content sha256): the files of the others are linked to it, their rows deleted.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from warehouse.migrations import helpers
from warehouse.migrations.rebuild import load_revision

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None

_STATUSES = ("current", "superseded", "in_review")
_CURRENT = "version_status = 'current'"

_JOIN = "JOIN letters l ON l.id = i.letter_id"


def views(dialect: str) -> list[tuple[str, str]]:
    """(name, SELECT) pairs in creation order: 0002's views over current letters, then
    ``v_letter_versions``."""
    out: list[tuple[str, str]] = []
    for name, select in load_revision("0002_report_views").views(dialect):
        if name == "v_letters":
            assert select.endswith("FROM letters l"), "revision 0002's v_letters is not what 0008 restricts"
            select += f"\n         WHERE l.{_CURRENT}"
        elif _JOIN in select:
            select = select.replace(_JOIN, f"{_JOIN} AND l.{_CURRENT}")
        out.append((name, select))
    versions = """
        SELECT l.id AS letter_id, l.case_number, l.decision_date, l.content_sha256,
               l.version_status, CASE WHEN l.version_status = 'current' THEN 1 ELSE 0 END AS is_current,
               l.superseded_by_letter_id,
               (SELECT n.content_sha256 FROM letters n WHERE n.id = l.superseded_by_letter_id)
                   AS superseded_by_sha256,
               l.batch_id, l.loaded_at
          FROM letters l"""
    out.append(("v_letter_versions", versions))
    return out


def upgrade() -> None:
    load_revision("0002_report_views").downgrade()  # the views of 0002 read letters
    with op.batch_alter_table("letters") as batch:
        batch.drop_constraint(op.f("uq_letters_case_number"), type_="unique")
        batch.add_column(sa.Column("version_status", sa.String(16), nullable=False, server_default="current"))
        batch.add_column(sa.Column("superseded_by_letter_id", sa.String(36), nullable=True))
        batch.create_check_constraint(op.f("ck_letters_version_status"), helpers.in_("version_status", _STATUSES))
        batch.create_foreign_key(
            op.f("fk_letters_superseded_by_letter_id_letters"), "letters", ["superseded_by_letter_id"], ["id"]
        )
        batch.create_index(op.f("ix_letters_case_number"), ["case_number"])
    helpers.create_unique_where("uq_letters_current_case_number", "letters", "case_number", _CURRENT)
    helpers.create_views(views)


def _keep_one_letter_per_case() -> None:
    """Before the case number is unique again: one letter per case number stays (the current one,
    else the smallest content sha256); the files of the others point at it, their rows go."""
    conn = op.get_bind()
    letters = sa.table(
        "letters",
        sa.column("id"),
        sa.column("case_number"),
        sa.column("content_sha256"),
        sa.column("version_status"),
        sa.column("superseded_by_letter_id"),
    )
    several = (
        sa.select(letters.c.case_number)
        .where(letters.c.case_number.is_not(None))
        .group_by(letters.c.case_number)
        .having(sa.func.count() > 1)
    )
    rows = conn.execute(
        sa.select(letters.c.id, letters.c.case_number, letters.c.content_sha256, letters.c.version_status)
        .where(letters.c.case_number.in_(several))
    ).all()
    by_case: dict[str, list[Any]] = {}
    for r in rows:
        by_case.setdefault(r.case_number, []).append(r)
    drop: dict[str, str] = {}  # letter id -> the letter of its case that stays
    for case_rows in by_case.values():
        keep = min(case_rows, key=lambda r: (r.version_status != "current", r.content_sha256))
        drop.update({r.id: keep.id for r in case_rows if r.id != keep.id})
    conn.execute(sa.update(letters).values(superseded_by_letter_id=None))
    if not drop:
        return
    files = sa.table("source_files", sa.column("letter_id"), sa.column("status"))
    links = sa.table("letter_files", sa.column("letter_id"), sa.column("role"))
    dq = sa.table("dq_letter_failures", sa.column("letter_id"))
    items = sa.table("items", sa.column("id"), sa.column("letter_id"))
    citations = sa.table("guideline_citations", sa.column("item_id"))
    for gone, kept in sorted(drop.items()):
        conn.execute(
            sa.update(files)
            .where(files.c.letter_id == gone)
            .values(letter_id=kept, status=sa.case((files.c.status == "loaded", "linked"), else_=files.c.status))
        )
        conn.execute(sa.update(links).where(links.c.letter_id == gone).values(letter_id=kept, role="linked"))
        conn.execute(sa.update(dq).where(dq.c.letter_id == gone).values(letter_id=kept))
        conn.execute(
            sa.delete(citations).where(citations.c.item_id.in_(sa.select(items.c.id).where(items.c.letter_id == gone)))
        )
        for name in ("items", "letter_errors", "reviewer_specialties", "reviewer_licensure_states", "diagnoses"):
            child = sa.table(name, sa.column("letter_id"))
            conn.execute(sa.delete(child).where(child.c.letter_id == gone))
        conn.execute(sa.delete(letters).where(letters.c.id == gone))


def downgrade() -> None:
    helpers.drop_views(views)
    op.drop_index(op.f("uq_letters_current_case_number"), table_name="letters")
    _keep_one_letter_per_case()
    with op.batch_alter_table("letters") as batch:
        batch.drop_index(op.f("ix_letters_case_number"))
        batch.drop_constraint(op.f("fk_letters_superseded_by_letter_id_letters"), type_="foreignkey")
        batch.drop_constraint(op.f("ck_letters_version_status"), type_="check")
        batch.drop_column("superseded_by_letter_id")
        batch.drop_column("version_status")
        batch.create_unique_constraint(op.f("uq_letters_case_number"), ["case_number"])
    load_revision("0002_report_views").upgrade()
