"""The monitored values of a batch and their bounds: what each drift check measures in a
:class:`~imr.profiles.BatchProfile`, what it is compared with (the history of earlier batches, or
a published figure while the history is short), and the bounds the batch's value must stay within.

Each check is one :class:`~imr.outcomes.ExpectationResult` of suite ``drift``, level ``warning``
(it never quarantines a letter). Here every judged check comes back ``passed`` with its bounds;
the verdict itself is given by :mod:`expectations.drift.verdicts`. ``insufficient``: a batch with
fewer than ``min_letters`` letters, a check with fewer than ``min_trials`` trials, or no baseline.
Pure Python, counts only.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace

from expectations.drift.bounds import (
    DriftSettings,
    history_mean_band,
    history_share_band,
    mean_bounds,
    share_bounds,
)
from imr.outcomes import DRIFT_SUITE, BaselineSource, DriftVerdict, ExpectationResult, Level
from imr.profiles import ITEM_NULL_FIELDS, LETTER_NULL_FIELDS, BatchProfile

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


def drift_result(
    name: str,
    observed: float | None,
    baseline: float | None,
    bounds: tuple[float, float] | None,
    n: int,
    verdict: DriftVerdict,
    source: BaselineSource = BaselineSource.NONE,
) -> ExpectationResult:
    """One drift check's result: ``n`` trials evaluated, ``failed`` 1 when the verdict is failed."""
    lower, upper = bounds if bounds is not None else (None, None)
    return ExpectationResult(
        DRIFT_SUITE,
        name,
        Level.WARNING,
        evaluated=n,
        failed=int(verdict is DriftVerdict.FAILED),
        observed=observed,
        baseline=baseline,
        lower_bound=lower,
        upper_bound=upper,
        verdict=verdict,
        baseline_source=source,
    )


def with_verdict(result: ExpectationResult, verdict: DriftVerdict) -> ExpectationResult:
    """``result`` with ``verdict`` (and ``failed`` set to match)."""
    return replace(result, verdict=verdict, failed=int(verdict is DriftVerdict.FAILED))


ShareOf = Callable[[BatchProfile], tuple[int, int] | None]
ValuesOf = Callable[[BatchProfile], Sequence[float]]


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
) -> ExpectationResult:
    now = check.of(current)
    if now is None:
        return drift_result(check.name, None, None, None, 0, DriftVerdict.INSUFFICIENT)
    x, trials = now
    observed = x / trials if trials else None
    n = current.letters if check.per_letter_trials else trials
    source = BaselineSource.NONE
    baseline: float | None = None
    band: tuple[float, float] | None = None
    past = [t for t in (check.of(p) for p in history) if t is not None]
    if long and past and sum(t[1] for t in past) > 0:
        baseline, band = history_share_band(past, s.history_k)
        source = BaselineSource.HISTORY
    elif check.name in PUBLISHED_SHARES:
        band = PUBLISHED_SHARES[check.name]
        baseline, source = (band[0] + band[1]) / 2, BaselineSource.PUBLISHED
    size = current.files if check.of_files else current.letters
    if band is None or n < s.min_trials or size < s.min_letters:
        return drift_result(check.name, observed, baseline, None, n, DriftVerdict.INSUFFICIENT, source)
    bounds = share_bounds(band, n, s.z)
    return drift_result(check.name, observed, baseline, bounds, n, DriftVerdict.PASSED, source)


def _judge_mean(
    check: _Mean, current: BatchProfile, history: Sequence[BatchProfile], long: bool, s: DriftSettings
) -> ExpectationResult:
    values = list(check.of(current))
    n = len(values)
    observed = statistics.fmean(values) if values else None
    source = BaselineSource.NONE
    baseline: float | None = None
    band: tuple[float, float] | None = None
    sd = 0.0
    past = [list(check.of(p)) for p in history]
    if long and any(past):
        baseline, band, sd = history_mean_band(past, s.history_k)
        source = BaselineSource.HISTORY
    elif check.name in PUBLISHED_MEANS:
        b_lo, b_hi, sd = PUBLISHED_MEANS[check.name]
        band, baseline, source = (b_lo, b_hi), (b_lo + b_hi) / 2, BaselineSource.PUBLISHED
    if band is None or n < s.min_trials or current.letters < s.min_letters:
        return drift_result(check.name, observed, baseline, None, n, DriftVerdict.INSUFFICIENT, source)
    bounds = mean_bounds(band, sd, n, s.z)
    return drift_result(check.name, observed, baseline, bounds, n, DriftVerdict.PASSED, source)


def drift_bounds(
    current: BatchProfile,
    history: Sequence[BatchProfile],
    settings: DriftSettings | None = None,
    excluded: Mapping[str, Collection[str]] | None = None,
) -> list[ExpectationResult]:
    """Every check with its observed value, baseline and bounds (pure, no GX): judged checks come
    back ``passed`` (the verdict is given by :func:`expectations.drift.verdicts.evaluate_drift`),
    the others ``insufficient``. ``excluded`` maps a check's name to history batch ids left out of
    that check's baseline."""
    s = settings or DriftSettings()
    out: list[ExpectationResult] = []
    for check in _checks(current, history):
        left_out = (excluded or {}).get(check.name, ())
        past = [p for p in history if p.batch_id not in left_out]
        long = _history_is_long(past, s)
        if isinstance(check, _Share):
            out.append(_judge_share(check, current, past, long, s))
        else:
            out.append(_judge_mean(check, current, past, long, s))
    return out
