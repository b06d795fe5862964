"""Batch-level drift checks: does tonight's batch look like the batches before it?

Row-level expectations judge each letter alone; a parser regression or a new layout that makes
every decision read as upheld passes them all. These checks compare the batch's aggregates
(:class:`imr.profiles.BatchProfile`, built from the warehouse by :mod:`warehouse.history`: counts
only, no letter text) with the warehouse's own history (a rolling window of earlier batches) or,
while the history is short, with published baselines (DWC/CWCI). Every check is one
:class:`imr.outcomes.ExpectationResult` of suite ``drift``, level ``warning``: it never
quarantines a letter. The modules, by job:

* :mod:`~expectations.drift.bounds`: the statistics (thresholds, bands, Wilson and mean bounds);
* :mod:`~expectations.drift.checks`: the monitored values, their baselines and bounds;
* :mod:`~expectations.drift.verdicts`: the verdicts, given by Great Expectations (imported lazily:
  importing this package never imports GX);
* :mod:`~expectations.drift.events`: the trend-table row and the drift event's payload.

:mod:`pipeline.drift` reads the profiles from the warehouse, runs the checks and stores the results.
"""

from __future__ import annotations

from expectations.drift.bounds import (
    DriftSettings,
    history_mean_band,
    history_share_band,
    mean_bounds,
    share_bounds,
    wilson_interval,
)
from expectations.drift.checks import (
    DAYS,
    ITEMS_PER_LETTER,
    MANY_ITEMS,
    OCR,
    OVERTURN,
    PUBLISHED_MEANS,
    PUBLISHED_SHARES,
    drift_bounds,
)
from expectations.drift.events import (
    DRIFT_EVENT,
    TREND_ARTIFACT_KEY,
    TREND_CHECKS,
    drift_detected,
    drift_event_payload,
    trend_row,
)
from expectations.drift.verdicts import evaluate_drift, verdict_of

__all__ = [
    "DAYS",
    "DRIFT_EVENT",
    "ITEMS_PER_LETTER",
    "MANY_ITEMS",
    "OCR",
    "OVERTURN",
    "PUBLISHED_MEANS",
    "PUBLISHED_SHARES",
    "TREND_ARTIFACT_KEY",
    "TREND_CHECKS",
    "DriftSettings",
    "drift_bounds",
    "drift_detected",
    "drift_event_payload",
    "evaluate_drift",
    "history_mean_band",
    "history_share_band",
    "mean_bounds",
    "share_bounds",
    "trend_row",
    "verdict_of",
    "wilson_interval",
]
