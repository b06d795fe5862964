"""Data quality in the Prefect UI: artifacts, the final state and the threshold event of a batch.

Thin Prefect wrappers over :mod:`pipeline.artifacts` (which computes everything and imports no Prefect):

- :func:`publish_batch_report` (a task, the flow's summarise step): the markdown artifact
  ``imr-ingest-summary``, the table artifact ``imr-dq-expectations``, one log line of counts and,
  when the quarantine share passes the threshold, the event
  ``imr.batch.quarantine-threshold-breached``.
- :func:`final_state`: the state the ingest flow returns (``Completed``,
  ``Completed(name="CompletedWithQuarantine")`` or ``Failed``).
- :class:`IngestProgress`: the progress artifact ``imr-ingest-progress`` of a long run, advanced
  by the flow's chunk loop.

Artifacts and logs hold counts, codes, expectation names, file names and case numbers only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from prefect import get_run_logger, task
from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)
from prefect.client.schemas.objects import State
from prefect.events import emit_event
from prefect.events.schemas.events import Event
from prefect.states import Completed, Failed

from imr.settings import Settings, get_settings
from pipeline.artifacts import (
    BREACH_EVENT,
    COMPLETED_WITH_QUARANTINE,
    EXPECTATIONS_KEY,
    PROGRESS_KEY,
    SUMMARY_KEY,
    BatchSummary,
    Verdict,
    batch_resource_id,
    breach_payload,
    expectation_table,
    progress_percent,
    safe_label,
    safe_words,
    summary_markdown,
    threshold_breached,
    verdict,
)

__all__ = [
    "IngestProgress",
    "emit_breach_event",
    "final_state",
    "publish_batch_report",
]


def _summary(summary: BatchSummary | Mapping[str, Any]) -> BatchSummary:
    return summary if isinstance(summary, BatchSummary) else BatchSummary.from_mapping(summary)


def _threshold(settings: Settings | None) -> float:
    return (settings if settings is not None else get_settings()).quarantine_threshold


def emit_breach_event(summary: BatchSummary, threshold: float) -> Event | None:
    """Emit ``imr.batch.quarantine-threshold-breached`` for the batch (resource ``imr.batch.<id>``).

    The payload holds counts, the quarantine rate and the threshold only. Returns the event, or
    None when events are off (no API configured).
    """
    batch = safe_label(summary.batch_id)
    return emit_event(
        BREACH_EVENT,
        resource={"prefect.resource.id": batch_resource_id(batch), "prefect.resource.name": f"batch {batch}"},
        payload=breach_payload(summary, threshold),
    )


@task(name="publish-batch-report")
def publish_batch_report(
    summary: BatchSummary | Mapping[str, Any], settings: Settings | None = None
) -> Verdict:
    """Publish a batch's artifacts (and the breach event when due); return the run's verdict.

    Creates the markdown artifact ``imr-ingest-summary`` and the table artifact
    ``imr-dq-expectations`` (stable keys: each batch adds a version to their history).
    """
    s = _summary(summary)
    threshold = _threshold(settings)
    batch = safe_label(s.batch_id)
    create_markdown_artifact(
        markdown=summary_markdown(s, threshold),
        key=SUMMARY_KEY,
        description=f"{safe_label(s.kind).capitalize()} batch {batch}",
    )
    rows = expectation_table(s.expectations)
    if rows:
        create_table_artifact(table=rows, key=EXPECTATIONS_KEY, description=f"Expectations of batch {batch}")
    v = verdict(s, threshold)
    logger = get_run_logger()
    counts = " ".join(f"{k}={n}" for k, n in s.counts().items())
    logger.info("batch %s: %s -> %s", batch, counts, v.name)
    if threshold_breached(s, threshold):
        emit_breach_event(s, threshold)
        logger.warning(
            "batch %s: quarantine rate %.1f%% > threshold %.1f%%; event %s emitted",
            batch,
            100 * s.quarantine_rate,
            100 * threshold,
            BREACH_EVENT,
        )
    return v


def final_state(summary: BatchSummary | Mapping[str, Any], settings: Settings | None = None) -> State[Any]:
    """The state an ingest flow returns for ``summary``.

    ``Failed`` when a stage failed or the quarantine share passes ``settings.quarantine_threshold``;
    ``Completed(name="CompletedWithQuarantine")`` when files were rejected or quarantined;
    ``Completed`` otherwise. The state's data (the flow run's result) is the summary as a dict:
    ``summary`` itself when it is a mapping (e.g. ``IngestSummary.to_dict()``), else its counts.
    """
    s = _summary(summary)
    v = verdict(s, _threshold(settings))
    data = dict(summary) if isinstance(summary, Mapping) else {"batch_id": s.batch_id, **s.counts()}
    if v.kind == "failed":
        return Failed(message=v.message, data=data)
    if v.kind == "completed_with_quarantine":
        return Completed(name=COMPLETED_WITH_QUARANTINE, message=v.message, data=data)
    return Completed(message=v.message, data=data)


class IngestProgress:
    """The progress artifact ``imr-ingest-progress`` of one run, advanced by the chunk loop.

    Create it in the flow (or a task) once the number of units is known, then call
    :meth:`advance` after each chunk::

        progress = IngestProgress(total=len(files), description="batch 42")
        for chunk in chunks:
            ...
            progress.advance(len(chunk))
    """

    def __init__(self, total: int, *, description: str | None = None, key: str = PROGRESS_KEY) -> None:
        self.total = max(int(total), 0)
        self.done = 0
        self.description = safe_words(description) if description else "Ingest progress"
        artifact_id = create_progress_artifact(progress=0.0, key=key, description=self.description)
        if not isinstance(artifact_id, UUID):  # only a coroutine when called from async code
            raise TypeError("IngestProgress must be created from synchronous flow or task code")
        self.artifact_id: UUID = artifact_id

    @property
    def percent(self) -> float:
        """Progress so far, in percent."""
        return progress_percent(self.done, self.total)

    def advance(self, units: int = 1) -> float:
        """Record ``units`` more units done, update the artifact and return the new percentage."""
        self.done = min(self.done + max(int(units), 0), self.total)
        update_progress_artifact(artifact_id=self.artifact_id, progress=self.percent)
        return self.percent

    def finish(self) -> float:
        """Mark the run's work as done (100 %)."""
        return self.advance(self.total - self.done)
