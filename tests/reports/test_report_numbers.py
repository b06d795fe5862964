"""Right numbers: the report's figures equal those computed independently from gold records.

The 65 shared real letters' gold records (skipped when ../shared is absent) and a synthetic set
are loaded through the real loader into a real SQLite warehouse and a real PostgreSQL schema;
the expected figures are computed here, straight from the gold JSON, without the warehouse.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

import warehouse as w
from imr.outcomes import ExpectationResult, Level
from reports import Period, collect, headline_rows, write_report
from reports.figures import pct
from tests.report_helpers import Gold, load_golds, synthetic_golds


def real_golds(real_dir: Path) -> list[Gold]:
    """The shared real corpus' gold records."""
    return [json.loads(line) for line in (real_dir / "gold.jsonl").read_text(encoding="utf-8").splitlines() if line]


# ---------------------------------------------------------------- the independent computation


def _in(g: Gold, since: dt.date | None, until: dt.date | None) -> bool:
    if since is None and until is None:
        return True
    d = g["letter"]["decision_date"]
    if d is None:
        return False
    day = dt.date.fromisoformat(d)
    return (since is None or day >= since) and (until is None or day <= until)


def _rank(values: list[int], p_num: int, p_den: int) -> int | None:
    if not values:
        return None
    k = math.ceil(len(values) * p_num / p_den)
    return sorted(values)[k - 1]


def expected(golds: list[Gold], since: dt.date | None = None, until: dt.date | None = None) -> dict[str, Any]:
    """Every checked figure, from the gold JSON alone."""
    letters = [g["letter"] for g in golds if g["status"] == "parsed" and _in(g, since, until)]
    items = [(letter, it) for letter in letters for it in letter["items"]]
    over = [(letter, it) for letter, it in items if it["decision"] == "overturned"]

    def per(key: Any, pairs: list[Any]) -> Counter[Any]:
        return Counter(key(letter, it) for letter, it in pairs)

    days = [
        (dt.date.fromisoformat(x["decision_date"]) - dt.date.fromisoformat(x["application_received"])).days
        for x in letters
        if x["decision_date"] and x["application_received"]
    ]
    pharma = [(x, it) for x, it in items if it["service_category"] == "Pharmaceuticals"]
    spec_items = [(x, it, s) for x, it in items for s in x["reviewer"]["specialties"]]

    def guideline(party: str) -> Any:
        return lambda _x, it: (it[party] or {}).get("source")

    return {
        "letters": len(letters),
        "items": len(items),
        "overturned": len(over),
        "outcomes": Counter(x["outcome"] for x in letters),
        "priorities": Counter(x["priority"] for x in letters),
        "category_items": per(lambda _x, it: it["service_category"], items),
        "category_overturned": per(lambda _x, it: it["service_category"], over),
        "subcategory_items": per(lambda _x, it: (it["service_category"], it["service_subcategory"]), items),
        "drug_items": per(lambda _x, it: it["drug_class"], pharma),
        "reviewer_guideline": per(guideline("reviewer_guideline"), items),
        "claims_guideline": per(guideline("claims_administrator_guideline"), items),
        "specialty_items": Counter(s for _x, _it, s in spec_items),
        "specialty_letters": Counter(s for x in letters for s in set(x["reviewer"]["specialties"])),
        "month_letters": Counter((x["decision_date"] or "")[:7] or None for x in letters),
        "median": _rank(days, 1, 2),
        "p90": _rank(days, 9, 10),
        "measured": len(days),
    }


def assert_report_matches(
    engine: Engine, golds: list[Gold], since: dt.date | None = None, until: dt.date | None = None
) -> None:
    """The report's figures (collect and headline_rows) equal :func:`expected`."""
    e = expected(golds, since, until)
    data = collect(engine, Period(since, until))
    t = data.totals
    assert (t.letters, t.items, t.overturned_items) == (e["letters"], e["items"], e["overturned"])
    assert {k: v for k, v in t.outcomes.items() if v} == dict(e["outcomes"])
    assert {k: v for k, v in t.priorities.items() if v} == dict(e["priorities"])
    assert {g.key[0]: g.items for g in data.categories} == dict(e["category_items"])
    assert {g.key[0]: g.overturned for g in data.categories if g.overturned} == dict(e["category_overturned"])
    assert {g.key: g.items for g in data.subcategories} == dict(e["subcategory_items"])
    assert {g.key[0]: g.items for g in data.drug_classes} == dict(e["drug_items"])
    assert {g.key[0]: g.items for g in data.reviewer_guidelines} == dict(e["reviewer_guideline"])
    assert {g.key[0]: g.items for g in data.claims_guidelines} == dict(e["claims_guideline"])
    assert {g.key[0]: g.items for g in data.specialties} == dict(e["specialty_items"])
    assert {g.key[0]: g.letters for g in data.specialties} == dict(e["specialty_letters"])
    assert {m.month: m.letters for m in data.months} == dict(e["month_letters"])
    assert sum(m.items for m in data.months) == e["items"]
    assert (data.turnaround.letters, data.turnaround.median, data.turnaround.p90) == (
        e["measured"],
        e["median"],
        e["p90"],
    )
    rows = {r["figure"]: r for r in headline_rows(engine, since, until)}
    assert rows["letters"]["count"] == e["letters"]
    assert rows["items"]["count"] == e["items"]
    over = rows["items overturned"]
    assert (over["count"], over["of"]) == (e["overturned"], e["items"])
    if e["items"] >= 10:
        assert over["value"] == f"{100 * e['overturned'] / e['items']:.1f}%"


# ---------------------------------------------------------------- the tests


@pytest.mark.corpus
def test_real_letters_headline_equals_gold(engine: Engine, real_dir: Path, tmp_path: Path) -> None:
    golds = real_golds(real_dir)
    assert len(golds) == 65
    load_golds(engine, golds)
    assert_report_matches(engine, golds)
    e = expected(golds)
    files = write_report(engine, tmp_path / "out")
    md = files.markdown.read_text(encoding="utf-8")
    rate = f"{100 * e['overturned'] / e['items']:.1f}%"
    assert f"| letters | {e['letters']} | {e['letters']} | {e['letters']} |" in md
    assert f"| items overturned | {rate} | {e['overturned']} | {e['items']} |" in md
    assert rate in files.html.read_text(encoding="utf-8")


@pytest.mark.corpus
def test_real_letters_in_a_period(engine: Engine, real_dir: Path) -> None:
    golds = real_golds(real_dir)
    load_golds(engine, golds)
    since, until = dt.date(2017, 1, 15), dt.date(2017, 2, 10)
    assert 0 < expected(golds, since, until)["letters"] < 65
    assert_report_matches(engine, golds, since, until)


def test_synthetic_letters_equal_gold(engine: Engine) -> None:
    golds = synthetic_golds(150)
    load_golds(engine, golds)
    e = expected(golds)
    # the set exercises what the real letters lack: several years, expedited, undated letters
    assert len(e["month_letters"]) > 12 and e["priorities"]["expedited"] > 0 and None in e["month_letters"]
    assert_report_matches(engine, golds)
    years = sorted({k[:4] for k in e["month_letters"] if k})
    since = dt.date(int(years[1]), 1, 1)
    until = dt.date(int(years[-2]), 6, 30)
    assert_report_matches(engine, golds, since, until)


def test_empty_warehouse_reports_zeros(engine: Engine, tmp_path: Path) -> None:
    files = write_report(engine, tmp_path)
    assert files.data.totals.letters == 0 and files.data.turnaround.median is None
    rows = {r["figure"]: r for r in headline_rows(engine)}
    assert rows["items overturned"]["value"] == "–"
    assert "no rows" in files.markdown.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("count", "base", "shown"),
    [
        (0, 0, "–"),
        (3, 9, "n<10"),
        (9, 9, "n<10"),
        (1, 10, "10.0%"),
        (17, 158, "10.8%"),
        (2, 3000, "0.1%"),
        (1, 3, "n<10"),
    ],
)
def test_rates_one_decimal_with_percent_and_small_bases_flagged(count: int, base: int, shown: str) -> None:
    assert pct(count, base) == shown


def test_batches_are_kept_by_the_day_they_started(engine: Engine) -> None:
    batch = load_golds(engine, synthetic_golds(3, seed=8))
    w.store_dq_results(engine, batch, [ExpectationResult("letters", "expect_x", Level.WARNING, 3, 1)])
    today = dt.datetime.now(dt.UTC).date()
    day = dt.timedelta(days=1)
    kept = collect(engine, Period(today - day, today + day))
    assert [b.batch_id for b in kept.batches] == [batch] and kept.batches[0].files == 3
    kept_results = [(e.expectation, e.evaluated, e.failed) for e in kept.expectations]
    assert ("expect_x", 3, 1) in kept_results, "with the results its chunk's validation stored"
    assert {e.expectation for e in kept.expectations} == {r.expectation for r in w.dq_results(engine, batch)}
    before = collect(engine, Period(until=today - day))
    after = collect(engine, Period(since=today + day))
    assert before.batches == after.batches == [] and before.expectations == []
