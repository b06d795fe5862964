"""The report's headline table as plain rows: for the Markdown/HTML report and a Prefect table artifact.

No Prefect here and no letter text: figures, counts and codes only.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Engine

from imr.models import PRIORITIES
from reports import queries as q
from reports.figures import OUTCOME_LABELS, num, pct
from warehouse.engine import reading

#: the keys of every headline row, in column order
HEADLINE_COLUMNS: tuple[str, ...] = ("figure", "value", "count", "of")

HeadlineRow = dict[str, str | int]


def rows_of(totals: q.Totals, turnaround: q.Turnaround) -> list[HeadlineRow]:
    """Headline rows from figures already read: ``figure``, ``value`` (as shown), ``count`` and ``of``.

    ``count`` and ``of`` are the numerator and base of the figure (for a count, both are the
    count; for days, ``count`` is the days and ``of`` the letters measured). ``value`` is a count,
    a rate to one decimal with ``%`` or ``n<10`` when the base is under ten.
    """
    rows: list[HeadlineRow] = [
        {"figure": "letters", "value": num(totals.letters), "count": totals.letters, "of": totals.letters},
        {"figure": "items", "value": num(totals.items), "count": totals.items, "of": totals.items},
        {
            "figure": "items overturned",
            "value": pct(totals.overturned_items, totals.items),
            "count": totals.overturned_items,
            "of": totals.items,
        },
    ]
    for outcome, text in OUTCOME_LABELS.items():
        n = totals.outcomes.get(outcome, 0)
        rows.append({"figure": f"letters {text}", "value": pct(n, totals.letters), "count": n, "of": totals.letters})
    for priority in PRIORITIES:
        n = totals.priorities.get(priority, 0)
        rows.append(
            {
                "figure": f"letters, {priority} priority",
                "value": pct(n, totals.letters),
                "count": n,
                "of": totals.letters,
            }
        )
    unstated = totals.letters - sum(totals.priorities.get(p, 0) for p in PRIORITIES)
    rows.append(
        {"figure": "letters, priority not stated", "value": pct(unstated, totals.letters), "count": unstated,
         "of": totals.letters}
    )  # fmt: skip
    for name, days in (("median", turnaround.median), ("90th percentile", turnaround.p90)):
        rows.append(
            {
                "figure": f"days to decision, {name}",
                "value": "–" if days is None else f"{days} days",
                "count": 0 if days is None else days,
                "of": turnaround.letters,
            }
        )
    return rows


def headline_rows(engine: Engine, since: dt.date | None = None, until: dt.date | None = None) -> list[HeadlineRow]:
    """The report's headline table for letters decided from ``since`` to ``until`` (inclusive; None: open).

    Rows of :data:`HEADLINE_COLUMNS`, stable in order and keys run after run (a Prefect table
    artifact with a fixed key shows the trend). Raises
    :class:`imr.errors.WarehouseUnavailableError` when the warehouse cannot be reached.
    """
    period = q.Period(since, until)
    with reading(engine) as conn:
        return rows_of(q.totals(conn, period), q.turnaround(conn, period))
