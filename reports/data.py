"""Everything the report shows, read from the warehouse in one read-only transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from reports import queries as q
from warehouse.engine import reading


@dataclass(frozen=True)
class ReportData:
    """The report's figures for one period (see :mod:`reports.queries` for each part)."""

    period: q.Period
    totals: q.Totals
    months: list[q.Month]
    categories: list[q.Group]
    subcategories: list[q.Group]
    drug_classes: list[q.Group]
    reviewer_guidelines: list[q.Group]
    claims_guidelines: list[q.Group]
    specialties: list[q.Group]
    priorities: list[q.Group]
    turnaround: q.Turnaround
    turnaround_months: list[q.Turnaround]
    days_histogram: list[tuple[int, int]]
    expectations: list[q.Expectation]
    expectations_by_month: list[q.Expectation]
    batches: list[q.Batch]


def collect(engine: Engine, period: q.Period | None = None) -> ReportData:
    """All figures of the report for ``period`` (default: every letter).

    Raises :class:`imr.errors.WarehouseUnavailableError` when the warehouse cannot be reached and
    :class:`sqlalchemy.exc.DBAPIError` when the views are missing (run ``imr db-upgrade``).
    """
    p = period or q.Period()
    with reading(engine) as conn:
        return ReportData(
            period=p,
            totals=q.totals(conn, p),
            months=q.months(conn, p),
            categories=q.by_category(conn, p),
            subcategories=q.by_subcategory(conn, p),
            drug_classes=q.by_drug_class(conn, p),
            reviewer_guidelines=q.by_guideline(conn, p, "reviewer"),
            claims_guidelines=q.by_guideline(conn, p, "claims_administrator"),
            specialties=q.by_specialty(conn, p),
            priorities=q.by_priority(conn, p),
            turnaround=q.turnaround(conn, p),
            turnaround_months=q.turnaround_by_month(conn, p),
            days_histogram=q.days_histogram(conn, p),
            expectations=q.expectations(conn, p, per_month=False),
            expectations_by_month=q.expectations(conn, p, per_month=True),
            batches=q.batches(conn, p),
        )
