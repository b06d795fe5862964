"""Data-quality expectations of imr-etl (Great Expectations 1.x suites as code).

``validate_records(records)`` validates a chunk of letter records (one GX run per suite)
and returns a :class:`QualityReport` mapping failures back to record indices. Importing this
package does not import Great Expectations; the first validation does (about 6 s), and the
context is then reused for the life of the process.

Batch-level drift checks (suite ``drift``, level warning) live in the package
:mod:`expectations.drift`: ``evaluate_drift(profile, history)`` judges a batch's profile
(:mod:`imr.profiles`) against earlier batches'; :mod:`pipeline.drift` reads them from the
warehouse and stores the results. Row checks and drift checks alike give
:class:`imr.outcomes.ExpectationResult`.
"""

from __future__ import annotations

from expectations.drift import (
    DRIFT_EVENT,
    TREND_ARTIFACT_KEY,
    DriftSettings,
    drift_detected,
    drift_event_payload,
    evaluate_drift,
    trend_row,
)
from expectations.frames import items_frame, letters_frame, validated_indices
from expectations.results import QualityReport
from expectations.suites import (
    BY_NAME,
    DQ_REASON_CODES,
    EXPECTATIONS,
    ITEM_SUITE,
    LETTER_SUITE,
    SUITES,
    ExpectationSpec,
    build_suite,
    expectations_of,
)
from expectations.validate import ExpectationRunError, prepare_validation, validate_records

__all__ = [
    "BY_NAME",
    "DQ_REASON_CODES",
    "DRIFT_EVENT",
    "EXPECTATIONS",
    "ITEM_SUITE",
    "LETTER_SUITE",
    "SUITES",
    "TREND_ARTIFACT_KEY",
    "DriftSettings",
    "ExpectationRunError",
    "ExpectationSpec",
    "QualityReport",
    "build_suite",
    "drift_detected",
    "drift_event_payload",
    "evaluate_drift",
    "expectations_of",
    "items_frame",
    "letters_frame",
    "prepare_validation",
    "trend_row",
    "validate_records",
    "validated_indices",
]
