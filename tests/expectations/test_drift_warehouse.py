"""Drift checks against a real warehouse history (SQLite and PostgreSQL).

Baseline batches are built as production builds them (``tests.report_helpers.load_batch``: the
pipeline's validate and load stages, the batch closed by its summary), then a new batch is loaded
and judged by :func:`pipeline.drift.evaluate_batch_drift` (real GX), its results stored in
``dq_results``. Real letters: the 65 shared gold records split into ordinary letters (baseline
and an ordinary batch) and the letters with overturned items (a batch of their own). Synthetic
letters (imr.synth) give batches of a controlled mix.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

import warehouse
from expectations.drift import (
    OVERTURN,
    DriftSettings,
    drift_detected,
    drift_event_payload,
    trend_row,
)
from imr.models import LetterRecord
from imr.outcomes import DRIFT_SUITE, DriftVerdict, ExpectationResult, Level
from imr.synth.records import synthetic_records
from pipeline.drift import evaluate_batch_drift, trend_table
from tests.report_helpers import load_batch
from warehouse.history import batch_history, batch_profile


def result(name: str, rs: Sequence[ExpectationResult]) -> ExpectationResult:
    return next(r for r in rs if r.expectation == name)


def overturned(rec: LetterRecord) -> bool:
    assert rec.letter is not None
    return any(it.decision == "overturned" for it in rec.letter.items)


# ---- real letters --------------------------------------------------------------------------------


def gold(real_dir: Path) -> list[LetterRecord]:
    return [LetterRecord.from_dict(json.loads(line)) for line in (real_dir / "gold.jsonl").open()]


def test_real_letters_only_overturned_batch_fails_ordinary_passes(engine: Engine, real_dir: Path) -> None:
    records = gold(real_dir)
    ordinary = [r for r in records if not overturned(r)]
    with_overturns = [r for r in records if overturned(r)]
    assert len(ordinary) >= 40 and len(with_overturns) >= 10
    # the baseline: three batches of ordinary letters; a fourth, later, batch of ordinary letters
    for k in range(3):
        load_batch(engine, ordinary[k * 13 : (k + 1) * 13])
    rest = ordinary[39:]
    settings = DriftSettings(min_history_letters=30)
    ordinary_batch = load_batch(engine, rest)
    ordinary_results = evaluate_batch_drift(engine, ordinary_batch, settings)
    assert result(OVERTURN, ordinary_results).verdict == "passed"
    assert result(OVERTURN, ordinary_results).baseline_source == "history"
    assert not drift_detected(ordinary_results), [r.to_dict() for r in ordinary_results if r.failed]
    assert warehouse.failed_expectations(engine, ordinary_batch) == []

    odd_batch = load_batch(engine, with_overturns)
    odd = evaluate_batch_drift(engine, odd_batch, settings)
    r = result(OVERTURN, odd)
    assert r.verdict == "failed" and r.observed is not None and r.upper_bound is not None and r.observed > r.upper_bound
    assert r.evaluated == len(with_overturns)
    assert OVERTURN in warehouse.failed_expectations(engine, odd_batch)
    payload = drift_event_payload(odd_batch, odd)
    assert OVERTURN in {f["expectation"] for f in payload["failed"]}
    # the ordinary batch is history for the next one, the odd batch's own results are kept with it
    assert {p.batch_id for p in batch_history(engine, odd_batch, settings.window)} >= {ordinary_batch}
    stored = {d.expectation: d for d in warehouse.drift_results(engine, odd_batch)}
    assert stored[OVERTURN].verdict == "failed" and stored[OVERTURN].level == "warning"
    assert stored[OVERTURN] == r, "stored as it was judged, what it was compared with included"


# ---- synthetic batches of a controlled mix -------------------------------------------------------


@pytest.mark.slow  # several batches of generated letters through extraction and load
def test_synthetic_batches_of_a_controlled_mix(engine: Engine) -> None:
    for k in range(4):
        load_batch(engine, synthetic_records(1000 + k * 50, 50))
    history = batch_history(engine)
    assert len(history) == 4 and all(p.letters == 50 for p in history)
    share = sum(p.overturned_items for p in history) / sum(p.items for p in history)
    assert 0.03 < share < 0.3, "the synthetic natural mix overturns a minority of items"

    natural = load_batch(engine, synthetic_records(5000, 50))
    natural_results = evaluate_batch_drift(engine, natural)
    r = result(OVERTURN, natural_results)
    assert r.verdict == "passed" and r.baseline_source == "history", r
    assert not drift_detected(natural_results), [x.to_dict() for x in natural_results if x.failed]

    flipped = load_batch(engine, synthetic_records(6000, 50, only_overturned=True))
    flipped_results = evaluate_batch_drift(engine, flipped)
    assert result(OVERTURN, flipped_results).verdict == "failed"
    assert result(OVERTURN, flipped_results).observed == 1.0
    assert OVERTURN in warehouse.failed_expectations(engine, flipped)
    row = trend_row(flipped, flipped_results)
    assert row["overturned"] == 1.0 and row["overturned_baseline"] is not None

    # the anomalous batch does not enter the overturn baseline of the next night
    after = load_batch(engine, synthetic_records(8000, 50))
    after_results = evaluate_batch_drift(engine, after)
    baseline_after = result(OVERTURN, after_results).baseline
    baseline_before = result(OVERTURN, natural_results).baseline
    assert baseline_after is not None and baseline_before is not None
    assert abs(baseline_after - baseline_before) < 0.03 and result(OVERTURN, after_results).verdict == "passed"
    kept = evaluate_batch_drift(engine, after, DriftSettings(exclude_failed=False), store=False)
    assert (result(OVERTURN, kept).baseline or 0) > baseline_after + 0.05, "kept, the anomaly would lift it"

    small = load_batch(engine, synthetic_records(7000, 5, only_overturned=True))
    small_results = evaluate_batch_drift(engine, small)
    assert {x.verdict for x in small_results} == {"insufficient"}
    drift_names = {x.expectation for x in small_results}
    assert not drift_names & set(warehouse.failed_expectations(engine, small)), "row checks may warn, drift not"

    table = trend_table(engine)
    assert [r["batch_id"] for r in table] == [natural, flipped, after, small], "batches with results, oldest first"
    assert table[1] == {**row, "started": table[1]["started"]}, "stored results give the same row"
    assert table[0]["failed"] == 0 and table[1]["failed"] >= 1 and table[3]["insufficient"] == len(small_results)


def test_history_excludes_failed_and_later_batches(engine: Engine) -> None:
    first = load_batch(engine, synthetic_records(100, 5))
    load_batch(engine, synthetic_records(200, 5), failed_stage="load")
    third = load_batch(engine, synthetic_records(300, 5))
    assert [p.batch_id for p in batch_history(engine, third)] == [first]
    assert [p.batch_id for p in batch_history(engine)] == [third, first]
    assert batch_history(engine, first) == []
    profile = batch_profile(engine, third)
    assert profile.letters == 5 and sum(profile.items_per_letter.values()) == 5
    assert profile.items == sum(k * v for k, v in profile.items_per_letter.items())
    assert profile.ocr_letters == 0, "no letter of these batches was read by OCR"
    assert profile.files == 5


def test_failed_expectations_lists_row_level_failures_too(engine: Engine) -> None:
    batch = load_batch(engine, synthetic_records(400, 3))
    warehouse.store_dq_results(
        engine,
        batch,
        [
            ExpectationResult("imr_letters", "case_number_present", Level.WARNING, 3, 1),
            ExpectationResult("imr_items", "item_decision_in_set", Level.CRITICAL, 3, 0),
            ExpectationResult(
                DRIFT_SUITE, "layout_share_D2", Level.WARNING, 3, 0, 0.5, 0.5, 0.1, 0.9, DriftVerdict.INSUFFICIENT
            ),
        ],
    )
    failed = warehouse.failed_expectations(engine, batch)
    assert "case_number_present" in failed and not {"item_decision_in_set", "layout_share_D2"} & set(failed)


def test_ocr_share_counts_the_loaded_files_read_by_ocr(engine: Engine) -> None:
    """Loaded files whose text was read by OCR (source.ocr, stored on source_files) are counted."""
    records = synthetic_records(900, 12)
    for r in records[:3]:
        r.source.ocr = True
    batch = load_batch(engine, records)
    assert batch_profile(engine, batch).ocr_letters == 3
    assert {r.source.path for r in warehouse.export_records(engine) if r.source.ocr} == {
        r.source.path for r in records[:3]
    }
