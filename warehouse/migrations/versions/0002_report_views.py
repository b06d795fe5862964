"""report views: item outcomes, letters and their aggregates, data quality per batch

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29

Frozen like every revision: the view SQL is written out here, not imported, so this revision
builds the same views whatever later code says. A later revision that changes a view (or
rebuilds a table a view reads, e.g. an Alembic batch "move and copy" on SQLite) drops the views
first and creates its own frozen copy afterwards. ``warehouse/views.py`` declares the columns
for readers, and a test checks it against the database.

The SQL is portable (SQLite 3.25+ and PostgreSQL: window functions, CASE, COALESCE) except two
fragments compiled per dialect: the month of a date or timestamp ('YYYY-MM') and the days
between two dates.
"""

from __future__ import annotations

from warehouse.migrations import helpers

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def _month(column: str, dialect: str, *, timestamp: bool = False) -> str:
    if dialect == "postgresql":
        return f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM')" if timestamp else f"to_char({column}, 'YYYY-MM')"
    return f"substr({column}, 1, 7)"  # SQLite stores dates and timestamps as ISO text


def _days(later: str, earlier: str, dialect: str) -> str:
    if dialect == "postgresql":
        return f"({later} - {earlier})"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def _overturned(column: str) -> str:
    return f"CASE WHEN {column} = 'overturned' THEN 1 ELSE 0 END"


# Looked-up columns are scalar subqueries on primary keys, not LEFT JOINs: a query that does not
# select them never runs them (SQLite 3.40 does not drop unused LEFT JOINs), three times faster.
def _first_specialty(letter_id: str) -> str:
    return f"(SELECT rs.specialty FROM reviewer_specialties rs WHERE rs.letter_id = {letter_id} AND rs.position = 0)"


def _guideline(item_id: str, party: str) -> str:
    return f"(SELECT g.source FROM guideline_citations g WHERE g.item_id = {item_id} AND g.party = '{party}')"


def views(dialect: str) -> list[tuple[str, str]]:
    """(name, SELECT) pairs in creation order (each view only reads tables and earlier views)."""
    month = _month("l.decision_date", dialect)
    days = _days("l.decision_date", "l.application_received", dialect)
    batch_month = _month("b.started_at", dialect, timestamp=True)
    letters = f"""
        SELECT l.id AS letter_id, l.case_number, l.program, l.layout,
               l.date_assigned, l.decision_date, {month} AS decision_month,
               l.application_received, l.ur_denial_date,
               {days} AS days_to_decision,
               l.priority, l.outcome, {_first_specialty("l.id")} AS reviewer_specialty,
               l.batch_id, l.loaded_at
          FROM letters l"""
    item_outcomes = f"""
        SELECT i.id AS item_id, i.letter_id, i.ordinal, l.case_number,
               l.decision_date, {month} AS decision_month, l.application_received,
               {days} AS days_to_decision,
               l.priority, l.outcome AS letter_outcome, {_first_specialty("l.id")} AS reviewer_specialty,
               i.service_category, i.service_subcategory, i.drug_class,
               i.decision, {_overturned("i.decision")} AS overturned,
               {_guideline("i.id", "reviewer")} AS reviewer_guideline,
               {_guideline("i.id", "claims_administrator")} AS claims_administrator_guideline
          FROM items i
          JOIN letters l ON l.id = i.letter_id"""
    item_specialties = f"""
        SELECT i.id AS item_id, i.letter_id, l.decision_date, {month} AS decision_month,
               rs.position AS specialty_position, rs.specialty,
               i.decision, {_overturned("i.decision")} AS overturned
          FROM items i
          JOIN letters l ON l.id = i.letter_id
          JOIN reviewer_specialties rs ON rs.letter_id = l.id"""
    monthly = """
        SELECT lm.decision_month, lm.letters, lm.letters_upheld, lm.letters_overturned,
               lm.letters_partially_overturned,
               COALESCE(im.items, 0) AS items, COALESCE(im.overturned_items, 0) AS overturned_items
          FROM (SELECT decision_month, COUNT(*) AS letters,
                       SUM(CASE WHEN outcome = 'upheld' THEN 1 ELSE 0 END) AS letters_upheld,
                       SUM(CASE WHEN outcome = 'overturned' THEN 1 ELSE 0 END) AS letters_overturned,
                       SUM(CASE WHEN outcome = 'partially_overturned' THEN 1 ELSE 0 END)
                           AS letters_partially_overturned
                  FROM v_letters GROUP BY decision_month) lm
          LEFT JOIN (SELECT decision_month, COUNT(*) AS items, SUM(overturned) AS overturned_items
                       FROM v_item_outcomes GROUP BY decision_month) im
            ON im.decision_month = lm.decision_month
            OR (im.decision_month IS NULL AND lm.decision_month IS NULL)"""
    by_category = """
        SELECT service_category, service_subcategory,
               COUNT(*) AS items, SUM(overturned) AS overturned_items
          FROM v_item_outcomes GROUP BY service_category, service_subcategory"""
    by_drug_class = """
        SELECT drug_class, COUNT(*) AS items, SUM(overturned) AS overturned_items
          FROM v_item_outcomes WHERE service_category = 'Pharmaceuticals' GROUP BY drug_class"""
    by_guideline = """
        SELECT 'reviewer' AS party, reviewer_guideline AS source,
               COUNT(*) AS items, SUM(overturned) AS overturned_items
          FROM v_item_outcomes GROUP BY reviewer_guideline
        UNION ALL
        SELECT 'claims_administrator' AS party, claims_administrator_guideline AS source,
               COUNT(*) AS items, SUM(overturned) AS overturned_items
          FROM v_item_outcomes GROUP BY claims_administrator_guideline"""
    by_specialty = """
        SELECT specialty, COUNT(DISTINCT letter_id) AS letters,
               COUNT(*) AS items, SUM(overturned) AS overturned_items
          FROM v_item_specialties GROUP BY specialty"""
    by_priority = """
        SELECT priority, COUNT(DISTINCT letter_id) AS letters,
               COUNT(*) AS items, SUM(overturned) AS overturned_items
          FROM v_item_outcomes GROUP BY priority"""
    # nearest-rank percentiles without division: rank k = ceil(p * n) <=> k >= p * n
    turnaround = """
        SELECT decision_month, MAX(n) AS letters,
               MIN(CASE WHEN 2 * rn >= n THEN d END) AS median_days,
               MIN(CASE WHEN 10 * rn >= 9 * n THEN d END) AS p90_days,
               MIN(d) AS min_days, MAX(d) AS max_days
          FROM (SELECT decision_month, days_to_decision AS d,
                       ROW_NUMBER() OVER (PARTITION BY decision_month ORDER BY days_to_decision) AS rn,
                       COUNT(*) OVER (PARTITION BY decision_month) AS n
                  FROM v_letters WHERE days_to_decision IS NOT NULL) ranked
         GROUP BY decision_month"""
    dq_expectations = f"""
        SELECT r.batch_id, b.kind AS batch_kind, b.started_at AS batch_started_at,
               {batch_month} AS batch_month,
               r.suite, r.expectation, r.level, r.evaluated, r.failed
          FROM dq_results r
          JOIN ingest_batches b ON b.id = r.batch_id"""
    batch_files = f"""
        SELECT b.id AS batch_id, b.kind AS batch_kind, b.status AS batch_status,
               b.started_at AS batch_started_at, {batch_month} AS batch_month,
               COUNT(f.id) AS files,
               SUM(CASE WHEN f.status = 'loaded' THEN 1 ELSE 0 END) AS loaded,
               SUM(CASE WHEN f.status = 'linked' THEN 1 ELSE 0 END) AS linked,
               SUM(CASE WHEN f.status = 'duplicate' THEN 1 ELSE 0 END) AS duplicates,
               SUM(CASE WHEN f.status = 'rejected' THEN 1 ELSE 0 END) AS rejected,
               SUM(CASE WHEN f.status = 'quarantined' THEN 1 ELSE 0 END) AS quarantined,
               SUM(CASE WHEN f.status = 'failed' THEN 1 ELSE 0 END) AS failed
          FROM ingest_batches b
          LEFT JOIN source_files f ON f.batch_id = b.id
         GROUP BY b.id, b.kind, b.status, b.started_at"""
    return [
        ("v_letters", letters),
        ("v_item_outcomes", item_outcomes),
        ("v_item_specialties", item_specialties),
        ("v_monthly", monthly),
        ("v_by_category", by_category),
        ("v_by_drug_class", by_drug_class),
        ("v_by_guideline", by_guideline),
        ("v_by_specialty", by_specialty),
        ("v_by_priority", by_priority),
        ("v_turnaround_monthly", turnaround),
        ("v_dq_expectations", dq_expectations),
        ("v_batch_files", batch_files),
    ]


def upgrade() -> None:
    helpers.create_views(views)


def downgrade() -> None:
    helpers.drop_views(views)
