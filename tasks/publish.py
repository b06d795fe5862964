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
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from expectations.drift import DRIFT_EVENT, TREND_ARTIFACT_KEY, drift_detected, drift_event_payload
from imr.errors import ImrError
from imr.outcomes import DRIFT_SUITE, BatchStatus, DriftVerdict, ExpectationResult
from imr.settings import Settings, get_settings
from pipeline.artifacts import (
    BACKLOG_EVENT,
    BREACH_EVENT,
    EXPECTATIONS_KEY,
    PROGRESS_KEY,
    REVIEW_QUEUE_RESOURCE,
    SUMMARY_KEY,
    backlog_payload,
    batch_resource_id,
    breach_payload,
    expectation_table,
    progress_percent,
    safe_label,
    safe_words,
    summary_markdown,
)
from pipeline.drift import trend_table
from pipeline.run import engine_for
from pipeline.summary import BatchFailedError, BatchSummary
from reports.headline import headline_rows

#: the table artifact of the report's headline figures, one version per batch
HEADLINE_KEY = "imr-report-headline"


def summary_drift(results: list[ExpectationResult]) -> str:
    """The failed drift checks' names, comma-separated."""
    return ", ".join(safe_label(r.expectation) for r in results if r.verdict is DriftVerdict.FAILED)

__all__ = [
    "IngestProgress",
    "emit_breach_event",
    "final_state",
    "publish_batch_report",
]


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
def publish_batch_report(summary: BatchSummary, settings: Settings | None = None) -> None:
    """Publish a batch's artifacts, and the breach event when its verdict says the threshold was passed.

    Creates the markdown artifact ``imr-ingest-summary`` and the table artifact
    ``imr-dq-expectations`` (stable keys: each batch adds a version to their history).
    """
    threshold = _threshold(settings)
    backlog_days = (settings or get_settings()).review_backlog_days
    batch = safe_label(summary.batch_id)
    create_markdown_artifact(
        markdown=summary_markdown(summary, threshold, backlog_days=backlog_days),
        key=SUMMARY_KEY,
        description=f"{safe_label(summary.kind).capitalize()} batch {batch}",
    )
    rows = expectation_table(summary.expectations)
    if rows:
        create_table_artifact(table=rows, key=EXPECTATIONS_KEY, description=f"Expectations of batch {batch}")
    logger = get_run_logger()
    try:
        publish_warehouse_tables(engine_for(get_settings().warehouse_url(), migrate=False))
    except (ImrError, SQLAlchemyError) as e:  # the batch is committed: its tables are best effort
        logger.warning("batch %s: trend and headline tables not published: %s", batch, type(e).__name__)
    drift = [r for r in summary.expectations if r.suite == DRIFT_SUITE]
    if drift_detected(drift):
        emit_event(
            DRIFT_EVENT,
            resource={"prefect.resource.id": batch_resource_id(batch), "prefect.resource.name": f"batch {batch}"},
            payload=drift_event_payload(batch, drift),
        )
        logger.warning("batch %s: drift detected (%s); event %s emitted", batch, summary_drift(drift), DRIFT_EVENT)
    counts = " ".join(f"{k}={n}" for k, n in summary.counts.to_dict().items())
    logger.info("batch %s: %s -> %s", batch, counts, summary.verdict.state_name)
    if summary.review_overdue:
        emit_event(
            BACKLOG_EVENT,
            resource={"prefect.resource.id": REVIEW_QUEUE_RESOURCE, "prefect.resource.name": "review queue"},
            related=[{"prefect.resource.id": batch_resource_id(batch), "prefect.resource.role": "batch"}],
            payload=backlog_payload(summary, backlog_days),
        )
        logger.warning(
            "review queue: %d of %d waiting longer than %g days; event %s emitted",
            summary.review_overdue,
            summary.review_waiting,
            backlog_days,
            BACKLOG_EVENT,
        )
    if summary.verdict.threshold_breached:
        emit_breach_event(summary, threshold)
        logger.warning(
            "batch %s: quarantine rate %.1f%% > threshold %.1f%%; event %s emitted",
            batch,
            100 * summary.counts.quarantine_rate,
            100 * threshold,
            BREACH_EVENT,
        )


def publish_warehouse_tables(engine: Engine) -> None:
    """The table artifacts drawn from the whole warehouse: the drift trend (one row per batch) and
    the report's headline figures, each under a stable key so the UI shows them night after night."""
    trend = trend_table(engine)
    if trend:
        create_table_artifact(table=trend, key=TREND_ARTIFACT_KEY, description="Drift checks, batch by batch")
    create_table_artifact(
        table=[dict(r) for r in headline_rows(engine)],
        key=HEADLINE_KEY,
        description="The report's headline figures over the whole warehouse (imr report)",
    )


def final_state(summary: BatchSummary) -> State[Any]:
    """The state a flow returns for ``summary``, named after its verdict.

    ``Completed`` and ``Completed(name="CompletedWithQuarantine")`` carry the summary dict as the
    flow run's result; ``Failed`` carries a :class:`BatchFailedError` holding it (so calling the
    flow from Python raises that error, and ``state.result(raise_on_failure=False)`` returns it).
    """
    v, data = summary.verdict, summary.to_dict()
    if v.status is BatchStatus.FAILED:
        return Failed(message=v.message, data=BatchFailedError(v.message, data))
    return Completed(name=v.state_name, message=v.message, data=data)


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

    def set(self, done: int) -> float:
        """Record ``done`` units done in all, update the artifact and return the new percentage."""
        return self.advance(done - self.done)
