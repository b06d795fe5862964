"""The report views (created by revision 0002, over current letters since revision 0008, with the
review queue since revision 0010), declared for readers.

The views are part of the warehouse for analysts' own tools (same names, same numbers on SQLite
and PostgreSQL); the report (package ``reports``) reads them through these declarations.
They live in their own :data:`view_metadata`, never in :data:`warehouse.schema.metadata`:
``create_all``, Alembic's autogenerate and the table-wiping test helpers must not treat them as
tables. ``tests/warehouse/test_warehouse_views.py`` checks these columns against the migrated database.

The letters of one case number are its versions (``warehouse.versions``): every view but
``v_letter_versions`` reads only the current letter of each case (a case in review has none),
so each determination counts once.

Views (one row per ...)::

    v_letters             current letter: dates, decision_month 'YYYY-MM', days_to_decision, priority,
                          outcome, reviewer_specialty (the first listed), reviewed_by / reviewed_at
                          (a letter a person settled from the review queue; NULL otherwise)
    v_item_outcomes       item: its letter's dates/month/priority/outcome/first specialty,
                          category, subcategory, drug class, decision, overturned 0|1,
                          reviewer_guideline and claims_administrator_guideline sources
    v_item_specialties    item and each specialty its reviewer lists
    v_monthly             decision month: letters by outcome, items, overturned items
    v_by_category         (service_category, service_subcategory): items, overturned items
    v_by_drug_class       drug class of Pharmaceuticals items: items, overturned items
    v_by_guideline        (party, source): items, overturned items
    v_by_specialty        listed specialty: letters, items, overturned items
    v_by_priority         priority: letters, items, overturned items
    v_turnaround_monthly  decision month: letters measured, median/p90/min/max days
    v_dq_expectations     batch and expectation: level, evaluated, failed
    v_batch_files         batch: files by status (loaded, rejected, quarantined, ...)
    v_letter_versions     letter (every version): case number, decision date, content sha256,
                          version_status (current | superseded | in_review), is_current 0|1, the
                          letter that superseded it and its sha256, batch, loaded_at
    v_review_queue        review item (every status): status (waiting | resolved | rejected |
                          superseded), is_waiting 0|1, case number, since, sha256, its file's ledger
                          row, batch, relative and current path, the letter it resolved to, who
                          settled it and when

A month is the decision date's 'YYYY-MM' (NULL when the letter states no decision date);
days to decision are decision date minus application received; percentiles are nearest-rank.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

view_metadata = sa.MetaData()


def _view(name: str, *columns: tuple[str, Any]) -> sa.Table:
    return sa.Table(name, view_metadata, *(sa.Column(c, t) for c, t in columns))


_S, _I, _D, _TS = sa.String, sa.Integer, sa.Date, sa.DateTime(timezone=True)
_COUNTS = (("items", _I), ("overturned_items", _I))

v_letters = _view(
    "v_letters",
    ("letter_id", _S), ("case_number", _S), ("program", _S), ("layout", _S),
    ("date_assigned", _D), ("decision_date", _D), ("decision_month", _S),
    ("application_received", _D), ("ur_denial_date", _D), ("days_to_decision", _I),
    ("priority", _S), ("outcome", _S), ("reviewer_specialty", _S), ("batch_id", _S), ("loaded_at", _TS),
    ("reviewed_by", _S), ("reviewed_at", _TS),
)  # fmt: skip
v_item_outcomes = _view(
    "v_item_outcomes",
    ("item_id", _S), ("letter_id", _S), ("ordinal", _I), ("case_number", _S),
    ("decision_date", _D), ("decision_month", _S), ("application_received", _D), ("days_to_decision", _I),
    ("priority", _S), ("letter_outcome", _S), ("reviewer_specialty", _S),
    ("service_category", _S), ("service_subcategory", _S), ("drug_class", _S),
    ("decision", _S), ("overturned", _I), ("reviewer_guideline", _S), ("claims_administrator_guideline", _S),
)  # fmt: skip
v_item_specialties = _view(
    "v_item_specialties",
    ("item_id", _S), ("letter_id", _S), ("decision_date", _D), ("decision_month", _S),
    ("specialty_position", _I), ("specialty", _S), ("decision", _S), ("overturned", _I),
)  # fmt: skip
v_monthly = _view(
    "v_monthly",
    ("decision_month", _S), ("letters", _I), ("letters_upheld", _I), ("letters_overturned", _I),
    ("letters_partially_overturned", _I), *_COUNTS,
)  # fmt: skip
v_by_category = _view("v_by_category", ("service_category", _S), ("service_subcategory", _S), *_COUNTS)
v_by_drug_class = _view("v_by_drug_class", ("drug_class", _S), *_COUNTS)
v_by_guideline = _view("v_by_guideline", ("party", _S), ("source", _S), *_COUNTS)
v_by_specialty = _view("v_by_specialty", ("specialty", _S), ("letters", _I), *_COUNTS)
v_by_priority = _view("v_by_priority", ("priority", _S), ("letters", _I), *_COUNTS)
v_turnaround_monthly = _view(
    "v_turnaround_monthly",
    ("decision_month", _S), ("letters", _I), ("median_days", _I), ("p90_days", _I), ("min_days", _I), ("max_days", _I),
)  # fmt: skip
v_dq_expectations = _view(
    "v_dq_expectations",
    ("batch_id", _S), ("batch_kind", _S), ("batch_started_at", _TS), ("batch_month", _S),
    ("suite", _S), ("expectation", _S), ("level", _S), ("evaluated", _I), ("failed", _I),
)  # fmt: skip
v_batch_files = _view(
    "v_batch_files",
    ("batch_id", _S), ("batch_kind", _S), ("batch_status", _S), ("batch_started_at", _TS), ("batch_month", _S),
    ("files", _I), ("loaded", _I), ("linked", _I), ("duplicates", _I), ("rejected", _I), ("quarantined", _I),
    ("failed", _I),
)  # fmt: skip

v_letter_versions = _view(
    "v_letter_versions",
    ("letter_id", _S), ("case_number", _S), ("decision_date", _D), ("content_sha256", _S),
    ("version_status", _S), ("is_current", _I), ("superseded_by_letter_id", _S), ("superseded_by_sha256", _S),
    ("batch_id", _S), ("loaded_at", _TS),
)  # fmt: skip

v_review_queue = _view(
    "v_review_queue",
    ("item_id", _I), ("status", _S), ("case_number", _S), ("since", _TS), ("sha256", _S),
    ("source_file_id", _S), ("batch_id", _S), ("rel_path", _S), ("current_path", _S),
    ("letter_id", _S), ("settled_at", _TS), ("settled_by", _S), ("is_waiting", _I),
)  # fmt: skip

#: every report view, in creation order
VIEW_NAMES: tuple[str, ...] = tuple(view_metadata.tables)
