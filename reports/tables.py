"""The report's sections and tables as plain text cells, shared by the HTML and the Markdown output."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from reports import queries as q
from reports.data import ReportData
from reports.figures import GUIDELINE_LABELS, MIN_BASE, OUTCOME_LABELS, label, num, pct
from reports.headline import rows_of

MAX_BATCHES_SHOWN = 30


@dataclass(frozen=True)
class Table:
    """A table: header cells and rows of text cells; ``numeric`` marks right-aligned columns."""

    columns: list[str]
    rows: list[list[str]]
    numeric: list[bool]
    caption: str = ""
    title: str = ""


@dataclass(frozen=True)
class Section:
    """A titled part of the report: a note, tables, and the names of its charts (see :mod:`reports.charts`)."""

    key: str
    title: str
    note: str = ""
    tables: list[Table] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)


def _table(columns: Sequence[str], rows: list[list[str]], n_text: int = 1, caption: str = "", title: str = "") -> Table:
    return Table(list(columns), rows, [i >= n_text for i in range(len(columns))], caption, title)


def _group_table(
    groups: list[q.Group],
    key_columns: Sequence[str],
    show: Callable[[tuple[str | None, ...]], list[str]],
    *,
    letters: bool = False,
    caption: str = "",
    title: str = "",
) -> Table:
    columns = [*key_columns, *(["letters"] if letters else []), "items", "overturned", "overturn rate"]
    rows = [
        [
            *show(g.key),
            *([num(g.letters)] if letters else []),
            num(g.items),
            num(g.overturned),
            pct(g.overturned, g.items),
        ]
        for g in groups
    ]
    return _table(columns, rows, len(key_columns), caption, title)


def _plain(missing: str) -> Callable[[tuple[str | None, ...]], list[str]]:
    return lambda key: [label(k, missing) for k in key]


def _guideline(key: tuple[str | None, ...]) -> list[str]:
    return [GUIDELINE_LABELS.get(key[0], str(key[0]))]


def sections(data: ReportData) -> list[Section]:
    """The report's sections, in reading order."""
    t = data.totals
    headline = _table(
        ["figure", "value", "count", "of"],
        [
            [str(r["figure"]), str(r["value"]), num(int(r["count"])), num(int(r["of"]))]
            for r in rows_of(t, data.turnaround)
        ],
    )
    outcome_mix = _table(
        ["letter outcome", "letters", "share"],
        [[text, num(t.outcomes.get(o, 0)), pct(t.outcomes.get(o, 0), t.letters)] for o, text in OUTCOME_LABELS.items()],
    )
    monthly = _table(
        ["decision month", "letters", "upheld", "overturned", "partially overturned", "items", "items overturned",
         "overturn rate"],
        [
            [label(m.month, "(no decision date)"), num(m.letters), num(m.upheld), num(m.overturned),
             num(m.partially_overturned), num(m.items), num(m.overturned_items), pct(m.overturned_items, m.items)]
            for m in data.months
        ],
        title="Letters and items per month",
    )  # fmt: skip
    turnaround = _table(
        ["decision month", "letters measured", "median days", "p90 days"],
        [
            [label(m.month, "(no decision date)"), num(m.letters), num(m.median), num(m.p90)]
            for m in data.turnaround_months
        ],
        title="Days to decision per month",
    )
    expectations = _table(
        ["suite", "expectation", "level", "evaluated", "failed", "failure rate"],
        [[e.suite, e.expectation, e.level, num(e.evaluated), num(e.failed), pct(e.failed, e.evaluated)]
         for e in data.expectations],
        n_text=3,
        title="Every expectation over the period's batches",
    )  # fmt: skip
    warnings_by_month = _table(
        ["batch month", "suite", "expectation", "evaluated", "failed", "failure rate"],
        [[label(e.month, "?"), e.suite, e.expectation, num(e.evaluated), num(e.failed), pct(e.failed, e.evaluated)]
         for e in data.expectations_by_month if e.level == "warning"],
        n_text=3,
        title="Warning-level expectations per batch month",
    )  # fmt: skip
    shown = data.batches[-MAX_BATCHES_SHOWN:]
    batches = _table(
        ["batch started (UTC)", "kind", "status", "files", "loaded", "rejected", "quarantined", "set aside share"],
        [[b.started_at.strftime("%Y-%m-%d %H:%M"), b.kind, b.status, num(b.files), num(b.loaded), num(b.rejected),
          num(b.quarantined), pct(b.set_aside, b.files)] for b in reversed(shown)],
        n_text=3,
        title="Files per batch, newest first",
        caption=(f"the latest {len(shown)} of {len(data.batches)} batches" if len(data.batches) > len(shown) else ""),
    )  # fmt: skip
    r = data.reviews
    review = _table(
        ["review queue", "letters"],
        [
            ["letters of the period settled by a person (resolved from the review queue)", num(r.reviewed)],
            ["letters waiting for a person now", num(r.waiting)],
        ],
        title="Letters settled by a person",
        caption=(
            f"the oldest waiting since {r.oldest_since.strftime('%Y-%m-%d %H:%M')} UTC (imr review list)"
            if r.oldest_since is not None
            else ""
        ),
    )
    return [
        Section(
            "headline",
            "Headline",
            f"{data.period.describe()}. Rates show their count beside them; a rate over fewer than "
            f"{MIN_BASE} items or letters reads n<{MIN_BASE}.",
            [headline, outcome_mix],
        ),
        Section("months", "By decision month", "", [monthly], ["monthly_volume", "monthly_overturn_rate"]),
        Section(
            "categories",
            "By DWC service category",
            "Items per service category and subcategory of the DWC taxonomy.",
            [
                _group_table(data.categories, ["service category"], _plain("(not classified)")),
                _group_table(
                    data.subcategories,
                    ["service category", "subcategory"],
                    _plain("(none)"),
                    title="Every category and subcategory",
                ),
            ],
            ["category_overturn_rate"],
        ),
        Section(
            "drugs",
            "Pharmaceuticals by drug class",
            "",
            [_group_table(data.drug_classes, ["drug class"], _plain("(no class)"))],
            ["drug_class_overturn_rate"],
        ),
        Section(
            "guidelines",
            "By guideline source",
            "The guideline each party cites for an item: the IMR reviewer in the determination, the "
            "claims administrator in the utilization review it upheld or overturned.",
            [
                _group_table(data.reviewer_guidelines, ["cited by the IMR reviewer"], _guideline),
                _group_table(data.claims_guidelines, ["cited by the claims administrator"], _guideline),
            ],
            ["guideline_sources"],
        ),
        Section(
            "reviewers",
            "By reviewer specialty and priority",
            "A reviewer who lists several specialties counts under each of them.",
            [
                _group_table(
                    data.specialties,
                    ["reviewer specialty"],
                    _plain("(not stated)"),
                    letters=True,
                    title="Every reviewer specialty",
                ),
                _group_table(data.priorities, ["priority"], _plain("(not stated)"), letters=True),
            ],
        ),
        Section(
            "turnaround",
            "Days from application received to decision",
            f"Median {num(data.turnaround.median)} days, 90th percentile {num(data.turnaround.p90)} days "
            f"over {num(data.turnaround.letters)} letters stating both dates (nearest-rank percentiles).",
            [turnaround],
            ["days_to_decision"],
        ),
        Section(
            "quality",
            "Data quality over time",
            "Expectation results and file outcomes of the ingest batches started in the period, and the "
            "letters set aside for a person to settle (the review queue).",
            [expectations, warnings_by_month, batches, review],
            ["quarantine_share"],
        ),
    ]
