"""The verdicts of the drift checks, given by Great Expectations.

Each judged check (:func:`expectations.drift.checks.drift_bounds`) becomes an
``ExpectColumnValuesToBeBetween`` over the batch's observed values (one row, one column per
check), validated in one suite ``drift``. GX is imported lazily, on the first verdict, as in
:mod:`expectations.validate`; :func:`verdict_of` is the same verdict in pure Python.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from expectations.context import gx_context
from expectations.drift.bounds import DriftSettings
from expectations.drift.checks import drift_bounds, with_verdict
from imr.outcomes import DRIFT_SUITE, DriftVerdict, ExpectationResult, Level
from imr.profiles import BatchProfile

_lock = threading.Lock()
_gx: dict[str, Any] = {}


def verdict_of(result: ExpectationResult) -> DriftVerdict:
    """The verdict the bounds imply (the pure twin of the GX check; for tests and ``gx=False``)."""
    if result.verdict is DriftVerdict.INSUFFICIENT or result.observed is None:
        return DriftVerdict.INSUFFICIENT
    assert result.lower_bound is not None and result.upper_bound is not None
    inside = result.lower_bound <= result.observed <= result.upper_bound
    return DriftVerdict.PASSED if inside else DriftVerdict.FAILED


def _batch_definition() -> Any:
    if "bd" not in _gx:
        asset = gx_context().data_sources.add_pandas(name="imr_drift").add_dataframe_asset(name=DRIFT_SUITE)
        _gx["bd"] = asset.add_batch_definition_whole_dataframe(name="drift_batch")
    return _gx["bd"]


def _gx_verdicts(judged: Sequence[ExpectationResult]) -> dict[str, bool]:
    """The judged checks validated by GX in one suite; name -> success."""
    import great_expectations as gx
    import pandas as pd

    frame = pd.DataFrame([{r.expectation: float(r.observed) for r in judged if r.observed is not None}])
    between = gx.expectations.__dict__["ExpectColumnValuesToBeBetween"]
    expectations = [
        between(
            column=r.expectation,
            min_value=r.lower_bound,
            max_value=r.upper_bound,
            meta={"name": r.expectation, "level": Level.WARNING.value},
        )
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
) -> list[ExpectationResult]:
    """The drift checks of ``current`` against ``history`` (earlier batches): one
    :class:`~imr.outcomes.ExpectationResult` per monitored value, suite ``drift``, level ``warning``.

    The verdicts of judged checks come from Great Expectations (imported on first use); with
    ``gx=False`` from the same bounds in Python (:func:`verdict_of`). ``excluded``: see
    :func:`~expectations.drift.checks.drift_bounds`."""
    bounded = drift_bounds(current, history, settings, excluded)
    judged = [r for r in bounded if r.verdict is not DriftVerdict.INSUFFICIENT and r.observed is not None]
    if gx and judged:
        success = _gx_verdicts(judged)
        verdicts = {n: DriftVerdict.PASSED if ok else DriftVerdict.FAILED for n, ok in success.items()}
    else:
        verdicts = {r.expectation: verdict_of(r) for r in judged}
    return [with_verdict(r, verdicts[r.expectation]) if r.expectation in verdicts else r for r in bounded]
