"""What the flow publishes of a batch's drift checks (Prefect-free; the flow emits them): one row
of the trend table artifact, and the drift event with its payload. Counts, shares and names only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from expectations.drift.checks import DAYS, ITEMS_PER_LETTER, MANY_ITEMS, OCR, OVERTURN
from imr.outcomes import DriftVerdict, ExpectationResult

#: The Prefect event the flow emits when at least one drift check failed.
DRIFT_EVENT = "imr.batch.drift-detected"
#: The key of the Prefect table artifact holding one trend row per batch (stable: the UI shows its history).
TREND_ARTIFACT_KEY = "imr-drift-trend"

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


def _failed(results: Sequence[ExpectationResult]) -> list[ExpectationResult]:
    return [r for r in results if r.verdict is DriftVerdict.FAILED]


def _round3(v: float | None) -> float | None:
    return None if v is None else round(v, 3)


def trend_row(batch_id: str, results: Sequence[ExpectationResult], started_at: str | None = None) -> dict[str, Any]:
    """One row of the trend table artifact (key :data:`TREND_ARTIFACT_KEY`) for a batch: its short
    id and start (to the minute), the number of failed and insufficient checks and the failed
    checks' names, then each monitored value of :data:`TREND_CHECKS` (its short column name) and its
    baseline (``<column>_baseline``; rounded, None when unknown), and last the full batch id.
    Stable columns, counts and shares only."""
    by_name: Mapping[str, ExpectationResult] = {r.expectation: r for r in results}
    row: dict[str, Any] = {
        "batch": batch_id[:8],
        "started": started_at[:16].replace("T", " ") if started_at else None,
        "failed": len(_failed(results)),
        "insufficient": sum(1 for r in results if r.verdict is DriftVerdict.INSUFFICIENT),
        "failed_checks": ", ".join(r.expectation for r in _failed(results)),
    }
    for name, column in TREND_CHECKS.items():
        r = by_name.get(name)
        row[column] = _round3(r.observed) if r else None
        row[f"{column}_baseline"] = _round3(r.baseline) if r else None
    row["batch_id"] = batch_id
    return row


def drift_detected(results: Sequence[ExpectationResult]) -> bool:
    """True when at least one check failed (emit :data:`DRIFT_EVENT`)."""
    return bool(_failed(results))


def drift_event_payload(batch_id: str, results: Sequence[ExpectationResult]) -> dict[str, Any]:
    """The payload of :data:`DRIFT_EVENT` for a batch: the failed checks' names (one string, for
    notification templates) and results (:meth:`~imr.outcomes.ExpectationResult.to_dict`: observed
    value, baseline and its source, bounds, evaluated), and the counts of passed / failed /
    insufficient checks. Emit it with the resource ``imr.batch.<batch_id>``."""
    return {
        "batch_id": batch_id,
        "failed_names": ", ".join(r.expectation for r in _failed(results)),
        "failed": [r.to_dict() for r in _failed(results)],
        "counts": {v.value: sum(1 for r in results if r.verdict is v) for v in DriftVerdict},
    }
