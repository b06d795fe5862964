"""Drift monitoring of a loaded batch: its profile from the warehouse, judged by the batch-level
checks of :mod:`expectations.drift` against the warehouse's own history, the results stored with
the batch; and the trend table of the latest batches for the Prefect UI."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine

import warehouse
from expectations.drift import DriftSettings, evaluate_drift, trend_row
from imr.outcomes import DriftVerdict, ExpectationResult


def evaluate_batch_drift(
    engine: Engine, batch_id: str, settings: DriftSettings | None = None, *, store: bool = True
) -> list[ExpectationResult]:
    """Profile the (loaded) batch ``batch_id``, compare it with the window of finished batches
    started before it, and (``store``) keep the results in ``dq_results`` with the batch. With
    ``settings.exclude_failed``, a history batch is left out of the baseline of each check it failed
    itself (its stored verdict)."""
    s = settings or DriftSettings()
    history = warehouse.batch_history(engine, batch_id, s.window)
    excluded: dict[str, set[str]] = {}
    if s.exclude_failed:
        for past in history:
            for d in warehouse.drift_results(engine, past.batch_id):
                if d.verdict is DriftVerdict.FAILED:
                    excluded.setdefault(d.expectation, set()).add(past.batch_id)
    results = evaluate_drift(warehouse.batch_profile(engine, batch_id), history, s, excluded=excluded)
    if store:
        warehouse.store_dq_results(engine, batch_id, results)
    return results


def trend_table(engine: Engine, limit: int = 30) -> list[dict[str, Any]]:
    """The trend rows (:func:`trend_row`) of the ``limit`` latest batches with stored drift results,
    oldest first: the table to publish under :data:`TREND_ARTIFACT_KEY` after each batch, so the
    latest version shows the trend and the artifact's history keeps every night's."""
    rows: list[dict[str, Any]] = []
    for batch in reversed(warehouse.list_batches(engine, limit)):
        stored = warehouse.drift_results(engine, batch.id)
        if stored:
            rows.append(trend_row(batch.id, stored, batch.started_at.isoformat()))
    return rows
