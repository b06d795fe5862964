"""The Prefect flows of imr-etl: ``ingest_flow``, ``rerun_flow`` and ``backfill_flow``.

The flows only wire tasks from :mod:`tasks.ingest`; every parameter is JSON-friendly so a
deployment can pass it from the UI. Each returns the final state of ``tasks.publish.final_state``
(``Completed``, ``CompletedWithQuarantine``, or ``Failed`` above ``IMR_QUARANTINE_THRESHOLD``)
whose result is the batch summary (a dict: batch id, kind,
status, files seen, loaded, duplicates, linked, rejected, quarantined, failed, recovered, skipped,
unstable, reason codes, expectation results, quarantined case numbers), also stored in the batch
row. A stage that still fails after its retries marks the batch ``failed`` and fails the flow
run; files whose outcome was not committed stay where they were (``imr rerun <batch>``).

``db_url`` defaults to ``IMR_DATABASE_URL`` / the embedded SQLite file; prefer the environment
for credentials (flow parameters are visible in the Prefect UI).
"""

from __future__ import annotations

from typing import Any

from prefect import flow
from prefect.client.schemas.objects import State

from imr.settings import get_settings
from pipeline.planning import Plan
from pipeline.work import WorkItem, chunked
from tasks import ingest as t
from tasks.publish import IngestProgress, final_state, publish_batch_report


def _retrying(retries: int, delay: float) -> dict[str, Any]:
    return {"retries": retries, "retry_delay_seconds": delay}


def _run_batch(
    kind: str,
    inboxes: list[str],
    *,
    db_url: str | None,
    chunk_size: int | None,
    parent_batch_id: str | None = None,
    stable_seconds: float | None = None,
    wait_for_stable: bool = False,
    move_files: bool = True,
    transient_retries: int = t.TRANSIENT_RETRIES,
    retry_delay_seconds: float = t.RETRY_DELAY_SECONDS,
) -> dict[str, Any]:
    """The wiring shared by the three flows (called inside a flow run)."""
    settings = get_settings()
    url = db_url or settings.warehouse_url()
    size = chunk_size or settings.chunk_size
    retry = _retrying(transient_retries, retry_delay_seconds)
    batch_id = t.open_batch.with_options(**retry)(url, kind, inboxes, parent_batch_id)
    stage = "discover"
    try:
        plan: Plan = t.discover.with_options(**retry)(
            url, batch_id, kind, inboxes, parent_batch_id, stable_seconds, wait_for_stable, move_files
        )
        settle = t.settle.with_options(**retry)
        stage = "settle"
        done: list[WorkItem] = settle(url, batch_id, plan.settled, move_files)
        recovered: list[WorkItem] = settle(url, batch_id, plan.recovered, move_files)
        results: list[list[dict[str, Any]]] = []
        load = t.load.with_options(**retry)
        progress = IngestProgress(total=len(plan.work), description=f"batch {batch_id}")  # ops: UI progress
        for n, chunk in enumerate(chunked(plan.work, size), start=1):
            stage = f"chunk-{n}"
            extracted = t.extract.with_options(task_run_name=f"extract-{n}")(chunk)
            validated = t.validate.with_options(task_run_name=f"validate-{n}")(extracted)
            loaded = load.with_options(task_run_name=f"load-{n}")(url, validated)
            done += settle.with_options(task_run_name=f"settle-{n}")(url, batch_id, loaded, move_files)
            results.append(validated.results)
            progress.advance(len(chunk))
        stage = "summarise"
        summary: dict[str, Any] = t.summarise_batch.with_options(**retry)(
            url, batch_id, kind, plan, done, recovered, results, parent_batch_id
        )
    except Exception:
        t.fail_batch(url, batch_id, kind, stage)
        raise
    publish_batch_report(summary)  # ops: artifacts imr-ingest-summary / imr-dq-expectations, breach event
    return summary


@flow(name="ingest")
def ingest_flow(
    inboxes: list[str] | None = None,
    db_url: str | None = None,
    chunk_size: int | None = None,
    stable_seconds: float | None = None,
    wait_for_stable: bool = False,
    transient_retries: int = t.TRANSIENT_RETRIES,
    retry_delay_seconds: float = t.RETRY_DELAY_SECONDS,
) -> State[Any]:
    """Ingest the drop folders (default ``IMR_INBOXES``): letters loaded, files archived or quarantined.

    A file is taken once stable for ``stable_seconds`` (default ``IMR_STABLE_SECONDS``); with
    ``wait_for_stable`` young files get one more look after waiting instead of the next run.
    """
    boxes = inboxes or [str(p) for p in get_settings().inboxes]
    summary = _run_batch(
        "ingest",
        boxes,
        db_url=db_url,
        chunk_size=chunk_size,
        stable_seconds=stable_seconds,
        wait_for_stable=wait_for_stable,
        transient_retries=transient_retries,
        retry_delay_seconds=retry_delay_seconds,
    )
    return final_state(summary)  # ops: Completed / CompletedWithQuarantine / Failed


@flow(name="rerun")
def rerun_flow(
    batch_id: str,
    db_url: str | None = None,
    chunk_size: int | None = None,
    transient_retries: int = t.TRANSIENT_RETRIES,
    retry_delay_seconds: float = t.RETRY_DELAY_SECONDS,
) -> State[Any]:
    """Reprocess the failed, pending, rejected and quarantined files of ``batch_id`` as a new batch.

    The new batch has ``parent_batch_id = batch_id``. Safe to repeat: bytes loaded since are skipped.
    """
    summary = _run_batch(
        "rerun",
        [],
        db_url=db_url,
        chunk_size=chunk_size,
        parent_batch_id=batch_id,
        transient_retries=transient_retries,
        retry_delay_seconds=retry_delay_seconds,
    )
    return final_state(summary)  # ops: Completed / CompletedWithQuarantine / Failed


@flow(name="backfill")
def backfill_flow(
    folder: str,
    db_url: str | None = None,
    chunk_size: int | None = None,
    move_files: bool = False,
    stable_seconds: float = 0.0,
    transient_retries: int = t.TRANSIENT_RETRIES,
    retry_delay_seconds: float = t.RETRY_DELAY_SECONDS,
) -> State[Any]:
    """Load a folder tree of historical letters in chunks; resumable, files left in place by default.

    Files whose bytes already have an outcome in the ledger are skipped, so an interrupted backfill
    simply runs again. ``move_files=True`` archives/quarantines them like an ingest.
    """
    summary = _run_batch(
        "backfill",
        [folder],
        db_url=db_url,
        chunk_size=chunk_size,
        stable_seconds=stable_seconds,
        move_files=move_files,
        transient_retries=transient_retries,
        retry_delay_seconds=retry_delay_seconds,
    )
    return final_state(summary)  # ops: Completed / CompletedWithQuarantine / Failed
