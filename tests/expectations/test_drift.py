"""The drift thresholds (pure): the Wilson/score bounds, their monotonicity in the batch size, the
minimum sizes, and the issue's two examples. Hypothesis explores the formulas; GX is not needed
here except in the one test that checks GX gives the same verdicts as the bounds."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from expectations.drift import (
    DRIFT_EVENT,
    OVERTURN,
    TREND_ARTIFACT_KEY,
    TREND_CHECKS,
    DriftSettings,
    drift_bounds,
    drift_event_payload,
    evaluate_drift,
    history_mean_band,
    history_share_band,
    mean_bounds,
    share_bounds,
    trend_row,
    verdict_of,
    wilson_interval,
)
from imr.outcomes import DRIFT_SUITE, DriftVerdict, ExpectationResult, Level
from imr.profiles import BatchProfile
from tests.helpers import assert_runs_in_fresh_python

Z = DriftSettings().z

shares = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
sizes = st.integers(min_value=1, max_value=100_000)


def profile(
    batch_id: str, letters: int, items: int, overturned: int, *, layouts: dict[str, int] | None = None
) -> BatchProfile:
    """A batch of ``letters`` letters sharing ``items`` items as evenly as possible."""
    per, extra = divmod(items, letters) if letters else (0, 0)
    hist: dict[int, int] = {}
    for k in range(letters):
        n = per + (1 if k < extra else 0)
        hist[n] = hist.get(n, 0) + 1
    return BatchProfile(
        batch_id=batch_id,
        letters=letters,
        items=items,
        overturned_items=overturned,
        items_per_letter=hist,
        layouts=layouts if layouts is not None else {"D2": letters},
        null_letters={"decision_date": 0, "reviewer_specialty": 0, "patient_age": 0, "patient_sex": 0},
        null_items={"claims_administrator_guideline_source": 0, "reviewer_guideline_source": 0},
        files=letters,
        decision_days=tuple(30 + (k % 7) for k in range(letters)),
    )


def history_at(share: float, batches: int = 10, letters: int = 200) -> list[BatchProfile]:
    items = 2 * letters
    return [profile(f"h{b}", letters, items, round(share * items)) for b in range(batches)]


def result(name: str, rs: list[ExpectationResult]) -> ExpectationResult:
    return next(r for r in rs if r.expectation == name)


@given(band_lo=shares, width=shares, n1=sizes, n2=sizes)
@settings(max_examples=300, deadline=None)
def test_share_bounds_tighten_as_the_batch_grows(band_lo: float, width: float, n1: int, n2: int) -> None:
    band = (band_lo, min(1.0, band_lo + width))
    small, large = sorted((n1, n2))
    lo_s, hi_s = share_bounds(band, small, Z)
    lo_l, hi_l = share_bounds(band, large, Z)
    assert 0.0 <= lo_s <= lo_l + 1e-12
    assert hi_l <= hi_s + 1e-12 <= 1.0 + 1e-12
    assert lo_l <= band[0] + 1e-12 and band[1] <= hi_l + 1e-12, "the band itself always passes"


@given(x=st.integers(min_value=0, max_value=500), n=st.integers(min_value=1, max_value=500), band_lo=shares)
@settings(max_examples=300, deadline=None)
def test_bounds_are_the_wilson_interval_reaching_the_band(x: int, n: int, band_lo: float) -> None:
    """The observed share is inside the bounds exactly when its Wilson interval meets the band."""
    x = min(x, n)
    band = (band_lo, min(1.0, band_lo + 0.02))
    lo, hi = share_bounds(band, n, Z)
    w_lo, w_hi = wilson_interval(x, n, Z)
    inside = lo - 1e-9 <= x / n <= hi + 1e-9
    meets = w_lo <= band[1] + 1e-3 and band[0] - 1e-3 <= w_hi
    if inside:
        assert meets
    far = w_lo > band[1] + 1e-3 or w_hi < band[0] - 1e-3
    if far:
        assert not inside


@given(lo=st.floats(0, 50), width=st.floats(0, 20), sd=st.floats(0.01, 30), n1=sizes, n2=sizes)
@settings(max_examples=200, deadline=None)
def test_mean_bounds_tighten_as_the_batch_grows(lo: float, width: float, sd: float, n1: int, n2: int) -> None:
    small, large = sorted((n1, n2))
    s_lo, s_hi = mean_bounds((lo, lo + width), sd, small, Z)
    l_lo, l_hi = mean_bounds((lo, lo + width), sd, large, Z)
    assert s_lo <= l_lo <= lo and lo + width <= l_hi <= s_hi


@given(
    letters=st.integers(min_value=1, max_value=DriftSettings().min_letters - 1),
    per_letter=st.integers(min_value=1, max_value=40),
    share=shares,
    past=st.floats(min_value=0.0, max_value=1.0),
)
@settings(max_examples=200, deadline=None)
def test_never_alarms_below_the_minimum_size(letters: int, per_letter: int, share: float, past: float) -> None:
    items = letters * per_letter
    current = profile("now", letters, items, round(share * items), layouts={"Z": letters})
    results = evaluate_drift(current, history_at(past), gx=False)
    assert results and all(r.verdict == "insufficient" for r in results)
    assert all(r.lower_bound is None and r.upper_bound is None for r in results)


@given(share=shares, n=st.integers(min_value=10, max_value=400))
@settings(max_examples=150, deadline=None)
def test_a_batch_like_its_history_passes(share: float, n: int) -> None:
    """A batch whose share equals its history's pooled share never fails the overturn check."""
    past = history_at(share)
    p0 = (sum(p.overturned_items for p in past) + 0.5) / (sum(p.items for p in past) + 1)
    current = profile("now", n, 2 * n, round(p0 * 2 * n))
    r = result(OVERTURN, evaluate_drift(current, past, gx=False))
    assert r.verdict == "passed" and r.baseline_source == "history"


def test_a_12_letter_batch_cannot_condemn_a_30_percent_share() -> None:
    for past in (history_at(0.10), []):  # against a 10 % history, and against the published baseline
        current = profile("now", 12, 24, round(0.30 * 24))
        r = result(OVERTURN, evaluate_drift(current, past, gx=False))
        assert r.verdict == "passed", r
        assert r.upper_bound is not None and r.upper_bound > 0.30


def test_a_40_item_batch_at_70_percent_against_a_10_percent_history_fails() -> None:
    current = profile("now", 20, 40, 28)
    r = result(OVERTURN, evaluate_drift(current, history_at(0.10), gx=False))
    assert r.verdict == "failed" and r.baseline_source == "history"
    assert r.observed == pytest.approx(0.70) and r.upper_bound is not None and r.upper_bound < 0.70
    assert r.evaluated == 20, "letters are the trials of the overturn share"


def test_short_history_falls_back_to_the_published_baseline() -> None:
    current = profile("now", 30, 60, 42)
    rs = evaluate_drift(current, history_at(0.1, batches=2), gx=False)
    r = result(OVERTURN, rs)
    assert r.baseline_source == "published" and r.verdict == "failed"
    assert r.baseline == pytest.approx((0.09 + 0.114) / 2)
    layout = result("layout_share_D2", rs)
    assert layout.verdict == "insufficient" and layout.baseline_source == "none", "no published layout mix"


def test_a_vanished_layout_and_a_new_one_are_drift() -> None:
    current = profile("now", 100, 200, 20, layouts={"E": 100})
    rs = evaluate_drift(current, history_at(0.1), gx=False)
    assert result("layout_share_D2", rs).verdict == "failed"
    assert result("layout_share_E", rs).verdict == "failed"


def test_history_bands() -> None:
    p0, band = history_share_band([(10, 100), (10, 100), (10, 100)], 2.0)
    assert p0 == pytest.approx(30.5 / 301) and band[0] < p0 < band[1]
    _, noisy = history_share_band([(0, 100), (30, 100), (0, 100), (30, 100)], 2.0)
    assert noisy[1] - noisy[0] > band[1] - band[0], "between-batch variation widens the band"
    mean, mband, sd = history_mean_band([[1, 2, 3], [2, 3, 4]], 2.0)
    assert mean == pytest.approx(2.5) and sd == pytest.approx(1.0) and mband[0] < 2.5 < mband[1]


def test_gx_gives_the_verdicts_of_the_bounds() -> None:
    current = profile("now", 20, 40, 28)
    pure = evaluate_drift(current, history_at(0.10), gx=False)
    with_gx = evaluate_drift(current, history_at(0.10))
    assert [(r.expectation, r.verdict) for r in pure] == [(r.expectation, r.verdict) for r in with_gx]
    assert result(OVERTURN, with_gx).verdict == "failed"
    assert all(r.suite == DRIFT_SUITE and r.level is Level.WARNING for r in with_gx)
    assert {verdict_of(r) for r in with_gx} <= set(DriftVerdict)
    assert all(r.failed == int(r.verdict is DriftVerdict.FAILED) for r in with_gx), "failed: the batch, 0 or 1"


def test_trend_row_and_event_payload_are_stable_and_phi_free() -> None:
    current = profile("now", 20, 40, 28)
    rs = evaluate_drift(current, history_at(0.10), gx=False)
    row = trend_row("batch-1", rs, "2026-11-29T01:00:00+00:00")
    assert list(row)[:2] == ["batch", "started"] and row["started"] == "2026-11-29 01:00"
    assert row["batch_id"] == "batch-1"
    assert all(col in row and f"{col}_baseline" in row for col in TREND_CHECKS.values())
    assert row["overturned"] == pytest.approx(0.7) and row["failed"] >= 1 and OVERTURN in row["failed_checks"]
    empty = trend_row("batch-2", [])
    assert list(empty) == list(row), "the same columns every night"
    payload = drift_event_payload("batch-1", rs)
    assert DRIFT_EVENT == "imr.batch.drift-detected" and TREND_ARTIFACT_KEY
    assert payload["batch_id"] == "batch-1" and OVERTURN in {f["expectation"] for f in payload["failed"]}
    assert OVERTURN in payload["failed_names"]
    assert rs[0].suite == DRIFT_SUITE
    assert {f["baseline_source"] for f in payload["failed"]} == {"history"}, "the payload keeps the baseline's source"
    assert sum(payload["counts"].values()) == len(rs)
    json.dumps(payload)
    json.dumps(row)


def test_drift_bounds_report_insufficient_without_baseline() -> None:
    current = profile("now", 50, 100, 10)
    rs = drift_bounds(current, [])
    assert result("null_share_patient_age", rs).verdict == "insufficient"
    assert result("ocr_share", rs).observed is None, "OCR is not recorded: nothing to judge"


def test_importing_drift_does_not_import_great_expectations() -> None:
    assert_runs_in_fresh_python(
        "import sys, expectations.drift, warehouse.history\n"
        "assert 'great_expectations' not in sys.modules, 'imported GX'\n"
        "assert 'prefect' not in sys.modules, 'imported Prefect'\n"
    )


def test_a_night_of_rejected_files_is_judged_on_its_files() -> None:
    """5 letters but 40 files, 35 of them rejected as corrupt PDFs: the letter checks cannot judge,
    the reason-code share can."""
    past = [
        BatchProfile(**{**profile(f"h{b}", 100, 200, 20).__dict__, "files": 102, "reason_codes": {"pdf_corrupt": 2}})
        for b in range(5)
    ]
    now = BatchProfile(**{**profile("now", 5, 10, 1).__dict__, "files": 40, "reason_codes": {"pdf_corrupt": 35}})
    rs = evaluate_drift(now, past, gx=False)
    code = result("reason_code_share_pdf_corrupt", rs)
    assert code.verdict == "failed" and code.evaluated == 40 and code.observed == pytest.approx(35 / 40)
    assert result(OVERTURN, rs).verdict == "insufficient"
