"""Batch-level drift checks: does tonight's batch look like the batches before it?

Row-level expectations judge each letter alone; a parser regression or a new layout that makes
every decision read as upheld passes them all. These checks compare the batch's aggregates
(:class:`warehouse.history.BatchProfile`: counts only, no letter text) with the warehouse's own
history (a rolling window of earlier batches, :func:`warehouse.history.batch_history`) or, while
the history is short, with published baselines (DWC/CWCI). Every check is level ``warning``:
it never quarantines a letter.

Statistics (docs/operations.md, "Drift monitoring"):

* A share (items overturned, letters per layout, nulls per field, OCR'd letters, files per reason
  code) with ``x`` successes of ``n`` trials (for the overturned share ``n`` counts letters, not
  items: the items of a letter are decided together, so letters are the independent unit). The
  baseline is a *band* ``[b_lo, b_hi]``: the pooled history share ``p0 = (X + 0.5) / (N + 1)``
  widened by ``k`` times the history's own variation (between-batch standard deviation beyond
  binomial noise, plus the uncertainty of ``p0``), or a published range. The batch fails when its
  Wilson score interval at confidence ``1 - alpha`` excludes the whole band; equivalently, when the
  observed share leaves ``[min_{p in band} p - z*sqrt(p(1-p)/n), max_{p in band} p + z*sqrt(p(1-p)/n)]``
  (the bounds reported), ``z`` the two-sided normal quantile of ``alpha``.
* A mean (items per letter, days from application to decision): the band is the history's mean
  of batch means widened the same way (or a published range); bounds ``b_lo - z*s/sqrt(n)`` and
  ``b_hi + z*s/sqrt(n)``, ``s`` the pooled within-batch standard deviation.
* ``insufficient``: a batch with fewer than ``min_letters`` letters, a check with fewer than
  ``min_trials`` trials, or no baseline (history shorter than ``min_history_batches`` batches /
  ``min_history_letters`` letters and no published figure).

The bounds are computed here (pure Python, no GX); the verdict is then given by Great Expectations
(``ExpectColumnValuesToBeBetween`` on the batch's observed values), imported lazily as in
:mod:`expectations.validate`, so importing this module never imports GX. The trend-table row and
the drift event payload are built here too (Prefect-free; the flow publishes them).
"""

from __future__ import annotations

import math
import statistics
import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import TYPE_CHECKING, Any, Literal

from expectations.context import gx_context
from imr.models import LetterRecord
from imr.outcomes import DRIFT_SUITE as DRIFT_SUITE
from imr.outcomes import DriftVerdict, ExpectationResult, Level
from imr.profiles import ITEM_NULL_FIELDS, LETTER_NULL_FIELDS, BatchProfile

if TYPE_CHECKING:
    pass


#: The Prefect event the flow emits when at least one drift check failed.
DRIFT_EVENT = "imr.batch.drift-detected"
#: The key of the Prefect table artifact holding one trend row per batch (stable: the UI shows its history).
TREND_ARTIFACT_KEY = "imr-drift-trend"

Verdict = Literal["passed", "failed", "insufficient"]
BaselineSource = Literal["history", "published", "none"]

OVERTURN = "overturn_share_within_history"
ITEMS_PER_LETTER = "items_per_letter_mean"
MANY_ITEMS = "letters_with_more_than_3_items_share"
DAYS = "days_application_to_decision_mean"
OCR = "ocr_share"

#: Published baselines while the history is short: (band low, band high[, within-batch sd]).
#: DWC/CWCI: 88.6-91 % of services upheld -> 9-11.4 % overturned (imr-letters.md: 8.3-12.7 % by year).
#: Items per letter: 1-10, most 1-3 (2015: ~304k services in ~164k letters = 1.85; 194 real letters: 2.26).
#: Standard reviews: decided ~30 days after the records arrive (real letters 25-46 days after the application).
PUBLISHED_SHARES: dict[str, tuple[float, float]] = {OVERTURN: (0.09, 0.114)}
PUBLISHED_MEANS: dict[str, tuple[float, float, float]] = {
    ITEMS_PER_LETTER: (1.6, 2.6, 1.8),
    DAYS: (20.0, 45.0, 10.0),
}


@dataclass(frozen=True)
class DriftSettings:
    """Thresholds of the drift checks (see the module docstring)."""

    alpha: float = 0.001  # a check fails when the batch's 1 - alpha interval excludes the band
    min_letters: int = 10  # a smaller batch is ``insufficient`` for every check
    min_trials: int = 10  # a check counting fewer letters, items or files is ``insufficient``
    min_history_batches: int = 3  # the history is a baseline with this many earlier batches ...
    min_history_letters: int = 50  # ... holding this many letters (else the published figures)
    window: int = 30  # earlier batches in the rolling history
    history_k: float = 2.0  # the band: the history's figure widened by k times its own variation
    #: leave a batch out of the baseline of a check that batch itself failed (an anomaly must not
    #: widen the band that judges the next nights; see docs/operations.md for a lasting change)
    exclude_failed: bool = True

    @property
    def z(self) -> float:
        """The two-sided normal quantile of ``alpha`` (3.29 for 0.001)."""
        return NormalDist().inv_cdf(1 - self.alpha / 2)


@dataclass(frozen=True)
class DriftResult:
    """One batch-level check of one batch: counts and shares only (PHI-free).

    ``observed`` is the batch's value, ``baseline`` the centre it is compared with, ``lower`` /
    ``upper`` the bounds the observed value must stay within, ``n`` the trials it rests on (items,
    letters or files), ``verdict`` passed / failed / insufficient.
    """

    name: str
    observed: float | None
    baseline: float | None
    lower: float | None
    upper: float | None
    n: int
    verdict: Verdict
    baseline_source: BaselineSource = "none"
    suite: str = DRIFT_SUITE
    level: Literal["warning"] = "warning"

    @property
    def failed(self) -> bool:
        """True when the verdict is ``failed``."""
        return self.verdict == "failed"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (for artifacts, events and logs)."""
        return {
            "suite": self.suite,
            "name": self.name,
            "level": self.level,
            "observed": _round(self.observed),
            "baseline": _round(self.baseline),
            "lower": _round(self.lower),
            "upper": _round(self.upper),
            "n": self.n,
            "verdict": self.verdict,
            "baseline_source": self.baseline_source,
        }

    def to_dq_result(self) -> ExpectationResult:
        """The row stored in ``dq_results`` (evaluated = n, failed = 1 when the check failed)."""
        return ExpectationResult(
            self.suite,
            self.name,
            Level(self.level),
            self.n,
            int(self.failed),
            self.observed,
            self.baseline,
            self.lower,
            self.upper,
            DriftVerdict(self.verdict),
        )


def _round(v: float | None) -> float | None:
    return None if v is None else round(v, 6)


# ---- the threshold formulas (pure) ------------------------------------------------------------


def share_bounds(band: tuple[float, float], n: int, z: float) -> tuple[float, float]:
    """Bounds on an observed share of ``n`` trials: the shares whose Wilson score interval at
    quantile ``z`` still reaches the baseline band, ``[min p - z*sqrt(p(1-p)/n), max p + ...]``
    over ``p`` in the band, clipped to [0, 1]. Raises ValueError for ``n < 1``."""
    if n < 1:
        raise ValueError("n must be at least 1")
    lo, hi = sorted((min(max(band[0], 0.0), 1.0), min(max(band[1], 0.0), 1.0)))
    steps = 64
    grid = [lo + (hi - lo) * k / steps for k in range(steps + 1)]
    if lo < 0.5 < hi:
        grid.append(0.5)

    def half(p: float) -> float:
        return z * math.sqrt(p * (1 - p) / n)

    lower = min(p - half(p) for p in grid)
    upper = max(p + half(p) for p in grid)
    return max(0.0, lower), min(1.0, upper)


def wilson_interval(x: int, n: int, z: float) -> tuple[float, float]:
    """The Wilson score interval of ``x`` successes in ``n`` trials at quantile ``z``."""
    if n < 1:
        raise ValueError("n must be at least 1")
    p = x / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def mean_bounds(band: tuple[float, float], sd: float, n: int, z: float) -> tuple[float, float]:
    """Bounds on an observed mean of ``n`` values: ``[b_lo - z*sd/sqrt(n), b_hi + z*sd/sqrt(n)]``."""
    if n < 1:
        raise ValueError("n must be at least 1")
    half = z * sd / math.sqrt(n)
    return band[0] - half, band[1] + half


def history_share_band(trials: Sequence[tuple[int, int]], k: float) -> tuple[float, tuple[float, float]]:
    """``(p0, band)`` from the history's ``(successes, trials)`` per batch: the pooled share
    ``p0 = (X + 0.5) / (N + 1)`` and ``p0 +- k * sqrt(tau^2 + p0(1-p0)/N)``, ``tau^2`` the
    between-batch variance of the batch shares beyond binomial noise (method of moments, >= 0)."""
    used = [(x, n) for x, n in trials if n > 0]
    total_x = sum(x for x, _ in used)
    total_n = sum(n for _, n in used)
    p0 = (total_x + 0.5) / (total_n + 1)
    shares = [x / n for x, n in used]
    tau2 = 0.0
    if len(shares) >= 2:
        noise = statistics.fmean(p0 * (1 - p0) / n for _, n in used)
        tau2 = max(0.0, statistics.variance(shares) - noise)
    spread = k * math.sqrt(tau2 + p0 * (1 - p0) / max(total_n, 1))
    return p0, (max(0.0, p0 - spread), min(1.0, p0 + spread))


def history_mean_band(samples: Sequence[Sequence[float]], k: float) -> tuple[float, tuple[float, float], float]:
    """``(mean, band, sd)`` from the history's values per batch: the mean of all values, the band
    ``mean +- k * sqrt(tau^2 + sd^2/N)`` (``tau^2`` the between-batch variance of batch means beyond
    sampling noise) and the pooled within-batch standard deviation ``sd``."""
    used = [list(v) for v in samples if len(v) > 0]
    values = [x for v in used for x in v]
    mean = statistics.fmean(values)
    within = [statistics.variance(v) * (len(v) - 1) for v in used if len(v) > 1]
    dof = sum(len(v) - 1 for v in used if len(v) > 1)
    sd = math.sqrt(sum(within) / dof) if dof > 0 else (statistics.pstdev(values) if len(values) > 1 else 0.0)
    tau2 = 0.0
    if len(used) >= 2:
        means = [statistics.fmean(v) for v in used]
        noise = statistics.fmean(sd * sd / len(v) for v in used)
        tau2 = max(0.0, statistics.variance(means) - noise)
    spread = k * math.sqrt(tau2 + sd * sd / len(values))
    return mean, (mean - spread, mean + spread), sd


# ---- the monitored values -----------------------------------------------------------------------

ShareOf = Callable[["BatchProfile"], tuple[int, int] | None]
ValuesOf = Callable[["BatchProfile"], Sequence[float]]


@dataclass(frozen=True)
class _Share:
    name: str
    of: ShareOf
    #: test with the batch's letters as the trials (items of a letter are decided together)
    per_letter_trials: bool = False
    #: a share of the batch's files (not of its letters): the batch's size is its file count, so a
    #: night whose files are mostly rejected is still judged
    of_files: bool = False


@dataclass(frozen=True)
class _Mean:
    name: str
    of: ValuesOf


def _item_counts(p: BatchProfile) -> list[float]:
    return [float(k) for k, c in sorted(p.items_per_letter.items()) for _ in range(c)]


def _checks(current: BatchProfile, history: Sequence[BatchProfile]) -> list[_Share | _Mean]:
    """Every monitored value: fixed ones, then one per layout and reason code seen in either."""
    every = [current, *history]
    layouts = sorted({k for p in every for k in p.layouts})
    codes = sorted({k for p in every for k in p.reason_codes})
    checks: list[_Share | _Mean] = [
        _Share(OVERTURN, lambda p: (p.overturned_items, p.items), per_letter_trials=True),
        _Mean(ITEMS_PER_LETTER, _item_counts),
        _Share(MANY_ITEMS, lambda p: (sum(c for k, c in p.items_per_letter.items() if k > 3), p.letters)),
        _Mean(DAYS, lambda p: [float(d) for d in p.decision_days]),
        _Share(OCR, lambda p: None if p.ocr_letters is None else (p.ocr_letters, p.letters)),
    ]
    for f in LETTER_NULL_FIELDS:
        checks.append(_Share(f"null_share_{f}", lambda p, f=f: (p.null_letters.get(f, 0), p.letters)))  # type: ignore[misc]
    for f in ITEM_NULL_FIELDS:
        checks.append(_Share(f"null_share_{f}", lambda p, f=f: (p.null_items.get(f, 0), p.items)))  # type: ignore[misc]
    for lay in layouts:
        checks.append(_Share(f"layout_share_{lay}", lambda p, lay=lay: (p.layouts.get(lay, 0), p.letters)))  # type: ignore[misc]
    for code in codes:
        checks.append(
            _Share(f"reason_code_share_{code}", lambda p, c=code: (p.reason_codes.get(c, 0), p.files), of_files=True)  # type: ignore[misc]
        )
    return checks


def _history_is_long(history: Sequence[BatchProfile], settings: DriftSettings) -> bool:
    used = [p for p in history if p.letters > 0]
    return len(used) >= settings.min_history_batches and sum(p.letters for p in used) >= settings.min_history_letters


def _judge_share(
    check: _Share, current: BatchProfile, history: Sequence[BatchProfile], long: bool, s: DriftSettings
) -> DriftResult:
    now = check.of(current)
    if now is None:
        return DriftResult(check.name, None, None, None, None, 0, "insufficient")
    x, trials = now
    observed = x / trials if trials else None
    n = current.letters if check.per_letter_trials else trials
    source: BaselineSource = "none"
    baseline: float | None = None
    band: tuple[float, float] | None = None
    past = [t for t in (check.of(p) for p in history) if t is not None]
    if long and past and sum(t[1] for t in past) > 0:
        baseline, band = history_share_band(past, s.history_k)
        source = "history"
    elif check.name in PUBLISHED_SHARES:
        band = PUBLISHED_SHARES[check.name]
        baseline, source = (band[0] + band[1]) / 2, "published"
    size = current.files if check.of_files else current.letters
    if band is None or n < s.min_trials or size < s.min_letters:
        return DriftResult(check.name, observed, baseline, None, None, n, "insufficient", source)
    lo, hi = share_bounds(band, n, s.z)
    return DriftResult(check.name, observed, baseline, lo, hi, n, "passed", source)


def _judge_mean(
    check: _Mean, current: BatchProfile, history: Sequence[BatchProfile], long: bool, s: DriftSettings
) -> DriftResult:
    values = list(check.of(current))
    n = len(values)
    observed = statistics.fmean(values) if values else None
    source: BaselineSource = "none"
    baseline: float | None = None
    band: tuple[float, float] | None = None
    sd = 0.0
    past = [list(check.of(p)) for p in history]
    if long and any(past):
        baseline, band, sd = history_mean_band(past, s.history_k)
        source = "history"
    elif check.name in PUBLISHED_MEANS:
        b_lo, b_hi, sd = PUBLISHED_MEANS[check.name]
        band, baseline, source = (b_lo, b_hi), (b_lo + b_hi) / 2, "published"
    if band is None or n < s.min_trials or current.letters < s.min_letters:
        return DriftResult(check.name, observed, baseline, None, None, n, "insufficient", source)
    lo, hi = mean_bounds(band, sd, n, s.z)
    return DriftResult(check.name, observed, baseline, lo, hi, n, "passed", source)


def drift_bounds(
    current: BatchProfile,
    history: Sequence[BatchProfile],
    settings: DriftSettings | None = None,
    excluded: Mapping[str, Collection[str]] | None = None,
) -> list[DriftResult]:
    """Every check with its observed value, baseline and bounds (pure, no GX): judged checks come
    back ``passed`` (the verdict is given by :func:`evaluate_drift`), the others ``insufficient``.
    ``excluded`` maps a check's name to history batch ids left out of that check's baseline."""
    s = settings or DriftSettings()
    out: list[DriftResult] = []
    for check in _checks(current, history):
        left_out = (excluded or {}).get(check.name, ())
        past = [p for p in history if p.batch_id not in left_out]
        long = _history_is_long(past, s)
        if isinstance(check, _Share):
            out.append(_judge_share(check, current, past, long, s))
        else:
            out.append(_judge_mean(check, current, past, long, s))
    return out


def verdict_of(result: DriftResult) -> Verdict:
    """The verdict the bounds imply (the pure twin of the GX check; for tests and ``gx=False``)."""
    if result.verdict == "insufficient" or result.observed is None:
        return "insufficient"
    assert result.lower is not None and result.upper is not None
    return "passed" if result.lower <= result.observed <= result.upper else "failed"


# ---- Great Expectations -------------------------------------------------------------------------

_lock = threading.Lock()
_gx: dict[str, Any] = {}


def _batch_definition() -> Any:
    if "bd" not in _gx:
        asset = gx_context().data_sources.add_pandas(name="imr_drift").add_dataframe_asset(name=DRIFT_SUITE)
        _gx["bd"] = asset.add_batch_definition_whole_dataframe(name="drift_batch")
    return _gx["bd"]


def _gx_verdicts(judged: Sequence[DriftResult]) -> dict[str, bool]:
    """Each judged check as an ``ExpectColumnValuesToBeBetween`` over the batch's observed values
    (one row, one column per check), validated by GX in one suite; name -> success."""
    import great_expectations as gx
    import pandas as pd

    frame = pd.DataFrame([{r.name: float(r.observed) for r in judged if r.observed is not None}])
    between = gx.expectations.__dict__["ExpectColumnValuesToBeBetween"]
    expectations = [
        between(column=r.name, min_value=r.lower, max_value=r.upper, meta={"name": r.name, "level": "warning"})
        for r in judged
    ]
    suite = gx.ExpectationSuite(name=DRIFT_SUITE, expectations=expectations)
    with _lock:
        batch = _batch_definition().get_batch(batch_parameters={"dataframe": frame})
        result = batch.validate(suite)
    out: dict[str, bool] = {}
    for evr in result.results:
        name = str((evr.expectation_config.meta or {}).get("name"))
        exc = evr.exception_info or {}
        if isinstance(exc, dict) and exc.get("raised_exception"):
            raise RuntimeError(f"drift check {name} could not be evaluated")
        out[name] = bool(evr.success)
    return out


def evaluate_drift(
    current: BatchProfile,
    history: Sequence[BatchProfile],
    settings: DriftSettings | None = None,
    *,
    gx: bool = True,
    excluded: Mapping[str, Collection[str]] | None = None,
) -> list[DriftResult]:
    """The drift checks of ``current`` against ``history`` (earlier batches): one
    :class:`DriftResult` per monitored value, suite ``drift``, level ``warning``.

    The verdicts of judged checks come from Great Expectations (imported on first use); with
    ``gx=False`` from the same bounds in Python (:func:`verdict_of`). ``excluded``: see
    :func:`drift_bounds`."""
    bounded = drift_bounds(current, history, settings, excluded)
    judged = [r for r in bounded if r.verdict != "insufficient" and r.observed is not None]
    if gx and judged:
        success = _gx_verdicts(judged)
        verdicts: dict[str, Verdict] = {r.name: "passed" if success[r.name] else "failed" for r in judged}
    else:
        verdicts = {r.name: verdict_of(r) for r in judged}
    return [
        DriftResult(r.name, r.observed, r.baseline, r.lower, r.upper, r.n, verdicts[r.name], r.baseline_source)
        if r.name in verdicts
        else r
        for r in bounded
    ]


def profile_records(records: Sequence[LetterRecord], batch_id: str = "records") -> BatchProfile:
    """The profile of records not (yet) in a warehouse: parsed letters, items, error codes per
    file, letters read by OCR."""
    from collections import Counter

    letters = [r.letter for r in records if r.status == "parsed" and r.letter is not None]
    items = [it for lt in letters for it in lt.items]
    parsed = [r for r in records if r.status == "parsed" and r.letter is not None]
    return BatchProfile(
        batch_id=batch_id,
        letters=len(letters),
        items=len(items),
        overturned_items=sum(1 for it in items if it.decision == "overturned"),
        items_per_letter=dict(Counter(len(lt.items) for lt in letters)),
        layouts=dict(Counter(lt.layout or "unknown" for lt in letters)),
        null_letters={
            "decision_date": sum(1 for lt in letters if lt.decision_date is None),
            "reviewer_specialty": sum(1 for lt in letters if not lt.reviewer.specialties),
            "patient_age": sum(1 for lt in letters if lt.patient.age is None),
            "patient_sex": sum(1 for lt in letters if lt.patient.sex is None),
        },
        null_items={
            "claims_administrator_guideline_source": sum(
                1 for it in items if it.claims_administrator_guideline.source is None
            ),
            "reviewer_guideline_source": sum(1 for it in items if it.reviewer_guideline.source is None),
        },
        ocr_letters=sum(1 for r in parsed if r.source.ocr),
        files=len(records),
        reason_codes=dict(Counter(c for r in records for c in {e.code for e in r.errors})),
        decision_days=tuple(
            (lt.decision_date - lt.application_received).days
            for lt in letters
            if lt.decision_date is not None and lt.application_received is not None and lt.priority != "expedited"
        ),
    )


# ---- what the flow publishes --------------------------------------------------------------------

#: The monitored values of the trend table, in column order, with their (short) column names
#: (dynamic ones, per layout and reason code, stay in the stored results and the event).
TREND_CHECKS: dict[str, str] = {
    OVERTURN: "overturned",
    ITEMS_PER_LETTER: "items_per_letter",
    MANY_ITEMS: "over_3_items",
    DAYS: "days_to_decision",
    OCR: "ocr",
    "null_share_decision_date": "no_decision_date",
    "null_share_reviewer_specialty": "no_specialty",
    "null_share_claims_administrator_guideline_source": "no_ca_guideline",
    "null_share_reviewer_guideline_source": "no_reviewer_guideline",
    "null_share_patient_age": "no_age",
    "null_share_patient_sex": "no_sex",
}


def trend_row(batch_id: str, results: Sequence[DriftResult], started_at: str | None = None) -> dict[str, Any]:
    """One row of the trend table artifact (key :data:`TREND_ARTIFACT_KEY`) for a batch: its short
    id and start (to the minute), the number of failed and insufficient checks and the failed
    checks' names, then each monitored value of :data:`TREND_CHECKS` (its short column name) and its
    baseline (``<column>_baseline``; rounded, None when unknown), and last the full batch id.
    Stable columns, counts and shares only."""
    by_name: Mapping[str, DriftResult] = {r.name: r for r in results}
    row: dict[str, Any] = {
        "batch": batch_id[:8],
        "started": started_at[:16].replace("T", " ") if started_at else None,
        "failed": sum(1 for r in results if r.failed),
        "insufficient": sum(1 for r in results if r.verdict == "insufficient"),
        "failed_checks": ", ".join(r.name for r in results if r.failed),
    }
    for name, column in TREND_CHECKS.items():
        r = by_name.get(name)
        row[column] = _round3(r.observed) if r else None
        row[f"{column}_baseline"] = _round3(r.baseline) if r else None
    row["batch_id"] = batch_id
    return row


def _round3(v: float | None) -> float | None:
    return None if v is None else round(v, 3)


def results_from_stored(stored: Sequence[ExpectationResult]) -> list[DriftResult]:
    """The :class:`DriftResult` objects of stored ``dq_results`` rows of suite ``drift``."""
    out: list[DriftResult] = []
    for d in stored:
        if d.suite != DRIFT_SUITE:
            continue
        verdict: Verdict = d.verdict if d.verdict in ("passed", "failed") else "insufficient"  # type: ignore[assignment]
        out.append(
            DriftResult(d.expectation, d.observed, d.baseline, d.lower_bound, d.upper_bound, d.evaluated, verdict)
        )
    return out


def drift_detected(results: Sequence[DriftResult]) -> bool:
    """True when at least one check failed (emit :data:`DRIFT_EVENT`)."""
    return any(r.failed for r in results)


def drift_event_payload(batch_id: str, results: Sequence[DriftResult]) -> dict[str, Any]:
    """The payload of :data:`DRIFT_EVENT` for a batch: the failed checks' names (one string, for
    notification templates) and results (observed value, baseline, bounds, n), and the counts of
    passed / failed / insufficient checks. Emit it with the resource ``imr.batch.<batch_id>``."""
    return {
        "batch_id": batch_id,
        "failed_names": ", ".join(r.name for r in results if r.failed),
        "failed": [r.to_dict() for r in results if r.failed],
        "counts": {v: sum(1 for r in results if r.verdict == v) for v in ("passed", "failed", "insufficient")},
    }
