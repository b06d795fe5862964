"""Everything the report shows, read from the warehouse in one read-only transaction.

Four passes over the items (month x priority; category x subcategory x drug class; reviewer x
claims administrator guideline; specialty) and a few over the letters; the database groups, and
the finer groups are added up into the coarser ones (:func:`reports.queries.rollup`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from reports import queries as q
from warehouse.engine import reading

PHARMACEUTICALS = "Pharmaceuticals"


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
    reviews: q.Reviews


def collect(engine: Engine, period: q.Period | None = None) -> ReportData:
    """All figures of the report for ``period`` (default: every letter).

    Raises :class:`imr.errors.WarehouseUnavailableError` when the warehouse cannot be reached and
    :class:`sqlalchemy.exc.DBAPIError` when the views are missing (run ``imr db-upgrade``).
    """
    p = period or q.Period()
    with reading(engine) as conn:
        letters = q.letter_cells(conn, p)
        items = q.item_cells(conn, p)
        services = q.service_cells(conn, p)
        guidelines = q.guideline_cells(conn, p)
        histogram = q.days_histogram(conn, p)
        return ReportData(
            period=p,
            totals=q.totals_of(letters, items),
            months=q.months_of(letters, items),
            categories=q.rollup(services, (0,)),
            subcategories=q.rollup(services, (0, 1)),
            drug_classes=q.rollup([g for g in services if g.key[0] == PHARMACEUTICALS], (2,)),
            reviewer_guidelines=q.rollup(guidelines, (0,)),
            claims_guidelines=q.rollup(guidelines, (1,)),
            specialties=q.by_specialty(conn, p),
            priorities=q.rollup(items, (1,)),
            turnaround=q.turnaround_of(histogram),
            turnaround_months=q.turnaround_by_month(conn, p),
            days_histogram=histogram,
            expectations=q.expectations(conn, p, per_month=False),
            expectations_by_month=q.expectations(conn, p, per_month=True),
            batches=q.batches(conn, p),
            reviews=q.reviews(conn, p),
        )
