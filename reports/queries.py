"""Every number of the report, aggregated by the database through the report views.

Each function takes a connection and a :class:`Period` (the letters' decision dates, inclusive;
batches by the day they started) and returns small lists of typed rows: GROUP BY in SQL, never
a Python loop over letters or items. Works the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from imr.outcomes import BatchCounts
from warehouse import views as v


@dataclass(frozen=True)
class Period:
    """Decision dates from ``since`` to ``until``, both inclusive; None = unbounded."""

    since: dt.date | None = None
    until: dt.date | None = None

    def dates(self, column: sa.ColumnElement[Any]) -> list[sa.ColumnElement[bool]]:
        """WHERE clauses keeping rows whose date ``column`` is in the period."""
        out: list[sa.ColumnElement[bool]] = []
        if self.since is not None:
            out.append(column >= self.since)
        if self.until is not None:
            out.append(column <= self.until)
        return out

    def timestamps(self, column: sa.ColumnElement[Any]) -> list[sa.ColumnElement[bool]]:
        """WHERE clauses keeping rows whose timestamp ``column`` falls on a day of the period (UTC)."""
        out: list[sa.ColumnElement[bool]] = []
        if self.since is not None:
            out.append(column >= dt.datetime.combine(self.since, dt.time(), tzinfo=dt.UTC))
        if self.until is not None:
            out.append(column < dt.datetime.combine(self.until + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC))
        return out

    def describe(self) -> str:
        """The period in words, e.g. ``"decided 2017-01-01 to 2017-12-31"`` or ``"all letters"``."""
        if self.since is None and self.until is None:
            return "all letters"
        return f"decided {self.since or 'any date'} to {self.until or 'any date'}"


@dataclass(frozen=True)
class Group:
    """Items of one group (``key``: its values, None for NULL): how many, how many overturned, letters."""

    key: tuple[str | None, ...]
    items: int
    overturned: int
    letters: int = 0


@dataclass(frozen=True)
class Month:
    """One decision month ('YYYY-MM', None for letters without a decision date)."""

    month: str | None
    letters: int
    upheld: int
    overturned: int
    partially_overturned: int
    items: int = 0
    overturned_items: int = 0


@dataclass(frozen=True)
class Turnaround:
    """Days from application received to decision over ``letters`` letters (nearest-rank percentiles)."""

    month: str | None
    letters: int
    median: int | None
    p90: int | None


@dataclass(frozen=True)
class Totals:
    """The headline counts."""

    letters: int
    items: int
    overturned_items: int
    outcomes: dict[str, int]
    priorities: dict[str | None, int]


@dataclass(frozen=True)
class Expectation:
    """One expectation over the period's batches (``month``: the batches' start month, or None for all)."""

    month: str | None
    suite: str
    expectation: str
    level: str
    evaluated: int
    failed: int


@dataclass(frozen=True)
class Batch:
    """One ingest run and its files by outcome."""

    batch_id: str
    kind: str
    status: str
    started_at: dt.datetime
    files: int
    loaded: int
    rejected: int
    quarantined: int
    failed: int

    @property
    def set_aside(self) -> int:
        """Files set aside (rejected plus quarantined): what the verdict's quarantine share counts."""
        return BatchCounts(files_seen=self.files, rejected=self.rejected, quarantined=self.quarantined).set_aside


@dataclass(frozen=True)
class Reviews:
    """Letters a person settled from the review queue (current letters of the period), and the
    queue's backlog now: items waiting and since when the oldest waits (UTC)."""

    reviewed: int
    waiting: int
    oldest_since: dt.datetime | None


def _int(value: Any) -> int:
    return int(value or 0)


def _sort(groups: list[Group]) -> list[Group]:
    return sorted(groups, key=lambda g: (-g.items, tuple((k is None, k or "") for k in g.key)))


def rollup(groups: list[Group], keep: tuple[int, ...]) -> list[Group]:
    """``groups`` added up over the key positions not in ``keep``, most items first.

    Adds up a few hundred rows the database already grouped (never letters or items); ``letters``
    adds up correctly only when each letter lies in one group of ``groups``.
    """
    acc: dict[tuple[str | None, ...], list[int]] = {}
    for g in groups:
        sums = acc.setdefault(tuple(g.key[i] for i in keep), [0, 0, 0])
        sums[0] += g.items
        sums[1] += g.overturned
        sums[2] += g.letters
    return _sort([Group(k, n, o, lt) for k, (n, o, lt) in acc.items()])


def _groups(
    conn: Connection,
    table: sa.Table,
    keys: list[sa.ColumnElement[Any]],
    period: Period,
    *where: sa.ColumnElement[bool],
    letters: bool = False,
) -> list[Group]:
    c = table.c
    columns: list[Any] = [*keys, sa.func.count(), sa.func.sum(c.overturned)]
    if letters:
        columns.append(sa.func.count(sa.distinct(c.letter_id)))
    rows = conn.execute(sa.select(*columns).where(*period.dates(c.decision_date), *where).group_by(*keys)).all()
    return _sort(
        [
            Group(
                key=tuple(r[i] for i in range(len(keys))),
                items=_int(r[len(keys)]),
                overturned=_int(r[len(keys) + 1]),
                letters=_int(r[len(keys) + 2]) if letters else 0,
            )
            for r in rows
        ]
    )


def letter_cells(conn: Connection, period: Period) -> list[tuple[str | None, str, str | None, int]]:
    """Letters per (decision month, outcome, priority): one pass over the letters."""
    L = v.v_letters.c
    keys = [L.decision_month, L.outcome, L.priority]
    rows = conn.execute(sa.select(*keys, sa.func.count()).where(*period.dates(L.decision_date)).group_by(*keys)).all()
    return [(r[0], str(r[1]), r[2], _int(r[3])) for r in rows]


def item_cells(conn: Connection, period: Period) -> list[Group]:
    """Items, overturned items and letters per (decision month, priority): one pass over the items."""
    c = v.v_item_outcomes.c
    return _groups(conn, v.v_item_outcomes, [c.decision_month, c.priority], period, letters=True)


def service_cells(conn: Connection, period: Period) -> list[Group]:
    """Items per (service category, subcategory, drug class): one pass over the items."""
    c = v.v_item_outcomes.c
    return _groups(conn, v.v_item_outcomes, [c.service_category, c.service_subcategory, c.drug_class], period)


def guideline_cells(conn: Connection, period: Period) -> list[Group]:
    """Items per (source cited by the reviewer, source cited by the claims administrator): one pass."""
    c = v.v_item_outcomes.c
    return _groups(conn, v.v_item_outcomes, [c.reviewer_guideline, c.claims_administrator_guideline], period)


def totals_of(letters: list[tuple[str | None, str, str | None, int]], items: list[Group]) -> Totals:
    """The headline counts from :func:`letter_cells` and :func:`item_cells`."""
    outcomes: dict[str, int] = {}
    priorities: dict[str | None, int] = {}
    for _month, outcome, priority, n in letters:
        outcomes[outcome] = outcomes.get(outcome, 0) + n
        priorities[priority] = priorities.get(priority, 0) + n
    return Totals(
        letters=sum(outcomes.values()),
        items=sum(g.items for g in items),
        overturned_items=sum(g.overturned for g in items),
        outcomes=outcomes,
        priorities=priorities,
    )


def months_of(letters: list[tuple[str | None, str, str | None, int]], items: list[Group]) -> list[Month]:
    """Letters by outcome and items per decision month, oldest first (no date last)."""
    per_month: dict[str | None, dict[str, int]] = {}
    for month, outcome, _priority, n in letters:
        counts = per_month.setdefault(month, {})
        counts[outcome] = counts.get(outcome, 0) + n
    item_sums = {g.key[0]: (g.items, g.overturned) for g in rollup(items, (0,))}
    out = [
        Month(
            m,
            sum(c.values()),
            c.get("upheld", 0),
            c.get("overturned", 0),
            c.get("partially_overturned", 0),
            *item_sums.get(m, (0, 0)),
        )
        for m, c in per_month.items()
    ]
    return sorted(out, key=lambda r: (r.month is None, r.month or ""))


def by_specialty(conn: Connection, period: Period) -> list[Group]:
    """Items and letters per reviewer specialty (a reviewer listing two specialties counts in both)."""
    return _groups(conn, v.v_item_specialties, [v.v_item_specialties.c.specialty], period, letters=True)


def turnaround_of(histogram: list[tuple[int, int]]) -> Turnaround:
    """Median and 90th percentile (nearest rank) from :func:`days_histogram`'s (days, letters) pairs."""
    n = sum(count for _days, count in histogram)
    if n == 0:
        return Turnaround(None, 0, None, None)

    def at_rank(k: int) -> int:
        seen = 0
        for days, count in histogram:
            seen += count
            if seen >= k:
                return days
        raise AssertionError("rank beyond the histogram")  # pragma: no cover

    return Turnaround(None, n, at_rank(-(-n // 2)), at_rank(-(-9 * n // 10)))


def totals(conn: Connection, period: Period) -> Totals:
    """The headline counts: letters, items, overturned items, letters per outcome and priority."""
    return totals_of(letter_cells(conn, period), item_cells(conn, period))


def turnaround(conn: Connection, period: Period) -> Turnaround:
    """Median and 90th percentile (nearest rank) of days to decision over the whole period."""
    return turnaround_of(days_histogram(conn, period))


def turnaround_by_month(conn: Connection, period: Period) -> list[Turnaround]:
    """Median and p90 days to decision per decision month (window functions, nearest rank), oldest first."""
    L = v.v_letters.c
    ranked = (
        sa.select(
            L.decision_month.label("month"),
            L.days_to_decision.label("d"),
            sa.func.row_number().over(partition_by=L.decision_month, order_by=L.days_to_decision).label("rn"),
            sa.func.count().over(partition_by=L.decision_month).label("n"),
        )
        .where(L.days_to_decision.is_not(None), *period.dates(L.decision_date))
        .subquery()
    )
    r = ranked.c
    rows = conn.execute(
        sa.select(
            r.month,
            sa.func.max(r.n),
            sa.func.min(sa.case((2 * r.rn >= r.n, r.d))),
            sa.func.min(sa.case((10 * r.rn >= 9 * r.n, r.d))),
        ).group_by(r.month)
    ).all()
    out = [Turnaround(m, _int(n), None if a is None else int(a), None if b is None else int(b)) for m, n, a, b in rows]
    return sorted(out, key=lambda t: (t.month is None, t.month or ""))


def days_histogram(conn: Connection, period: Period) -> list[tuple[int, int]]:
    """(days to decision, letters) pairs, ascending."""
    L = v.v_letters.c
    rows = conn.execute(
        sa.select(L.days_to_decision, sa.func.count())
        .where(L.days_to_decision.is_not(None), *period.dates(L.decision_date))
        .group_by(L.days_to_decision)
        .order_by(L.days_to_decision)
    ).all()
    return [(int(d), int(n)) for d, n in rows]


def expectations(conn: Connection, period: Period, *, per_month: bool) -> list[Expectation]:
    """Evaluated and failed counts per expectation (and per batch start month with ``per_month``)."""
    c = v.v_dq_expectations.c
    keys: list[Any] = [c.suite, c.expectation, c.level]
    if per_month:
        keys.insert(0, c.batch_month)
    rows = conn.execute(
        sa.select(*keys, sa.func.sum(c.evaluated), sa.func.sum(c.failed))
        .where(*period.timestamps(c.batch_started_at))
        .group_by(*keys)
    ).all()
    out = [
        Expectation(r[0], *r[1:4], _int(r[4]), _int(r[5]))
        if per_month
        else Expectation(None, *r[0:3], _int(r[3]), _int(r[4]))
        for r in rows
    ]
    return sorted(out, key=lambda e: (e.month or "", e.level, -e.failed, e.suite, e.expectation))


def batches(conn: Connection, period: Period) -> list[Batch]:
    """Every ingest run of the period with its files by outcome, oldest first."""
    c = v.v_batch_files.c
    rows = conn.execute(
        sa.select(
            c.batch_id,
            c.batch_kind,
            c.batch_status,
            c.batch_started_at,
            c.files,
            c.loaded,
            c.rejected,
            c.quarantined,
            c.failed,
        )
        .where(*period.timestamps(c.batch_started_at))
        .order_by(c.batch_started_at, c.batch_id)
    ).all()
    return [Batch(r[0], r[1], r[2], r[3], *(_int(x) for x in r[4:])) for r in rows]


def reviews(conn: Connection, period: Period) -> Reviews:
    """The period's letters settled by a person (``v_letters.reviewed_by``) and the review queue's
    backlog as it stands (``v_review_queue``: waiting items, the oldest's ``since``)."""
    L, Q = v.v_letters.c, v.v_review_queue.c
    reviewed = conn.execute(
        sa.select(sa.func.count()).where(L.reviewed_by.is_not(None), *period.dates(L.decision_date))
    ).scalar_one()
    waiting, oldest = conn.execute(sa.select(sa.func.count(), sa.func.min(Q.since)).where(Q.is_waiting == 1)).one()
    if isinstance(oldest, str):  # SQLite returns the MIN of a timestamp as its text
        oldest = dt.datetime.fromisoformat(oldest)
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=dt.UTC)
    return Reviews(_int(reviewed), _int(waiting), oldest)
