"""The Prefect flows of imr-etl: ``ingest_flow``, ``rerun_flow`` and ``backfill_flow``.

Each flow only wires: it hands :func:`pipeline.run.run_batch` (the one run order) the Prefect task
versions of its steps (:class:`tasks.ingest.TaskSteps`), publishes the batch's artifacts and
returns the state its verdict names (``Completed``, ``CompletedWithQuarantine`` or ``Failed``).
The flow run's result is the batch summary (``BatchSummary.to_dict()``); a Failed run carries a
``BatchFailedError`` holding it. A step that still fails after its retries marks the batch
``failed`` and fails the run; files whose outcome was not committed stay where they were.

Parameters are JSON-friendly so a deployment can pass them from the UI. ``workers`` is how many
chunks run at once in worker processes (default ``IMR_WORKERS``; with ``IMR_DASK_ADDRESS`` the
chunks go to that Dask cluster instead): the chunk task runner is chosen per run
(``tasks.runners.chunk_runner``), so deployments follow the settings of the process serving them.
The warehouse is never a parameter (flow parameters are stored in Prefect's database and shown in the UI): it comes from
``IMR_DATABASE_URL`` / the embedded SQLite file in the environment of the process running the flow.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from prefect import flow
from prefect.client.schemas.objects import State
from prefect.runtime import flow_run
from prefect.states import Cancelled, Failed

from imr.outcomes import BatchKind
from imr.settings import get_settings
from pipeline import stop
from pipeline.run import RunRequest, run_batch
from tasks import ingest as t
from tasks.publish import final_state, publish_batch_report


def _run(req: RunRequest, workers: int | None, retries: int, retry_delay_seconds: float) -> State[Any]:
    req = dataclasses.replace(req, flow_run_id=flow_run.get_id())
    steps = t.TaskSteps(workers=workers, retries=retries, retry_delay_seconds=retry_delay_seconds)
    with stop.handling_signals():  # SIGINT/SIGTERM: stop between letters, close the batch interrupted
        try:
            summary = run_batch(steps, req)
        except stop.RunInterrupted as e:
            return Cancelled(message=e.message)
    publish_batch_report(summary)
    return final_state(summary)


@flow(name="ingest")
def ingest_flow(
    inboxes: list[str] | None = None,
    chunk_size: int | None = None,
    stable_seconds: float | None = None,
    wait_for_stable: bool = False,
    workers: int | None = None,
    transient_retries: int = t.TRANSIENT_RETRIES,
    retry_delay_seconds: float = t.RETRY_DELAY_SECONDS,
) -> State[Any]:
    """Ingest the drop folders (default ``IMR_INBOXES``): letters loaded, files archived or quarantined.

    A file is taken once stable for ``stable_seconds`` (default ``IMR_STABLE_SECONDS``); with
    ``wait_for_stable`` young files get one more look after waiting instead of the next run.
    """
    boxes = tuple(inboxes or (str(p) for p in get_settings().inbox_paths()))
    req = RunRequest(
        BatchKind.INGEST, boxes, chunk_size=chunk_size, stable_seconds=stable_seconds, wait_for_stable=wait_for_stable
    )
    return _run(req, workers, transient_retries, retry_delay_seconds)


@flow(name="rerun")
def rerun_flow(
    batch_id: str,
    chunk_size: int | None = None,
    workers: int | None = None,
    transient_retries: int = t.TRANSIENT_RETRIES,
    retry_delay_seconds: float = t.RETRY_DELAY_SECONDS,
) -> State[Any]:
    """Reprocess the failed, pending, rejected and quarantined files of ``batch_id`` (an id or a
    unique prefix) as a new batch with ``parent_batch_id`` set. Safe to repeat: bytes loaded since
    are skipped."""
    parent = t.resolve_batch(batch_id)
    if parent is None:
        return Failed(message=f"no single batch matches {batch_id!r} (see `imr batches`)")
    req = RunRequest(BatchKind.RERUN, parent_batch_id=parent, chunk_size=chunk_size)
    return _run(req, workers, transient_retries, retry_delay_seconds)


@flow(name="backfill")
def backfill_flow(
    folder: str,
    chunk_size: int | None = None,
    move_files: bool = False,
    stable_seconds: float = 0.0,
    workers: int | None = None,
    transient_retries: int = t.TRANSIENT_RETRIES,
    retry_delay_seconds: float = t.RETRY_DELAY_SECONDS,
) -> State[Any]:
    """Load a folder tree of historical letters in chunks; resumable, files left in place by default.

    Files whose bytes already have an outcome in the ledger are skipped, so an interrupted backfill
    simply runs again. ``move_files=True`` archives/quarantines them like an ingest.
    """
    req = RunRequest(
        BatchKind.BACKFILL, (folder,), chunk_size=chunk_size, stable_seconds=stable_seconds, move_files=move_files
    )
    return _run(req, workers, transient_retries, retry_delay_seconds)
