"""Prefect tasks of the ingest pipeline: thin wrappers over :mod:`pipeline`, ``warehouse`` and
``expectations``.

One task per stage and chunk, never one per letter::

    open-batch -> discover (scan + register) -> settle (duplicates, refused, recovered moves)
      -> per chunk: extract -> validate (one GX run) -> load (one transaction per letter) -> settle
      -> summarise (batch row closed, summary returned)

Tasks touching the warehouse retry on :class:`imr.errors.TransientError` only (see
:func:`retry_if_transient`); terminal errors never retry. Retried tasks are safe: registering,
loading and marking are idempotent and stages never mutate their inputs. The warehouse is passed
as a URL (the task builds one cached engine per URL); logs hold file names, counts and codes.
Chunks carry letter records, so no task persists its result or hashes its inputs for a cache key
(``NO_CACHE``, ``persist_result=False``): letter text never reaches Prefect's result storage.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from prefect import Task, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State, TaskRun
from prefect.runtime import flow_run

from imr.errors import TransientError
from pipeline import run as runner
from pipeline import stages
from pipeline.planning import Plan
from pipeline.summary import IngestSummary, summarise
from pipeline.work import WorkItem

#: Default retries of warehouse tasks (flows may override with ``with_options``).
TRANSIENT_RETRIES = 3
#: Default delay between those retries, in seconds.
RETRY_DELAY_SECONDS = 10.0


def retry_if_transient(task: Task[..., Any], task_run: TaskRun, state: State[Any]) -> bool:
    """``retry_condition_fn``: retry only when the task failed with a :class:`TransientError`."""
    error = state.result(raise_on_failure=False)
    return isinstance(error, TransientError)


def _options(kind: str, inboxes: Sequence[str], **kw: Any) -> runner.RunOptions:
    return runner.RunOptions(kind=kind, inboxes=[Path(p) for p in inboxes], **kw)


#: Chunks carry letter records: never persist them as results, never hash them for a cache key.
_NO_RESULTS: dict[str, Any] = {"cache_policy": NO_CACHE, "persist_result": False}

_RETRYING: dict[str, Any] = {
    **_NO_RESULTS,
    "retries": TRANSIENT_RETRIES,
    "retry_delay_seconds": RETRY_DELAY_SECONDS,
    "retry_condition_fn": retry_if_transient,
}


@task(name="open-batch", **_RETRYING)
def open_batch(db_url: str, kind: str, inboxes: Sequence[str], parent_batch_id: str | None = None) -> str:
    """Migrate the warehouse if needed and start a batch; returns its id."""
    engine = runner.engine_for(db_url)
    run_id = flow_run.get_id()
    batch_id = runner.open_batch(engine, _options(kind, inboxes, parent_batch_id=parent_batch_id, flow_run_id=run_id))
    get_run_logger().info("batch %s (%s) started", batch_id, kind)
    return batch_id


@task(name="discover", **_RETRYING)
def discover(
    db_url: str,
    batch_id: str,
    kind: str,
    inboxes: Sequence[str],
    parent_batch_id: str | None = None,
    stable_seconds: float | None = None,
    wait_for_stable: bool = False,
    move_files: bool = True,
) -> Plan:
    """Scan the inboxes and register what was found (or collect a batch's files for a rerun)."""
    engine = runner.engine_for(db_url)
    opts = _options(
        kind,
        inboxes,
        parent_batch_id=parent_batch_id,
        stable_seconds=stable_seconds,
        wait_for_stable=wait_for_stable,
        move_files=move_files,
    )
    plan = runner.make_plan(engine, batch_id, opts)
    get_run_logger().info(
        "discovered: %d to process, %d settled, %d recovered, %d skipped, %d unstable",
        len(plan.work),
        len(plan.settled),
        len(plan.recovered),
        plan.skipped,
        plan.unstable,
    )
    return plan


@task(name="extract", **_NO_RESULTS)
def extract(items: Sequence[WorkItem]) -> list[WorkItem]:
    """Extract a chunk of files (never raises for bad input: rejected items carry reason codes)."""
    return stages.extract_chunk(items)


@task(name="validate", **_NO_RESULTS)
def validate(items: Sequence[WorkItem]) -> stages.Validated:
    """One Great Expectations validation over the chunk's parsed letters."""
    return stages.validate_chunk(items)


@task(name="load", **_RETRYING)
def load(db_url: str, validated: stages.Validated) -> list[WorkItem]:
    """Commit the chunk's outcomes: each letter in its own transaction (idempotent on retry)."""
    return stages.load_chunk(runner.engine_for(db_url), validated)


@task(name="settle", **_RETRYING)
def settle(db_url: str, batch_id: str, items: Sequence[WorkItem], move_files: bool = True) -> list[WorkItem]:
    """Archive or quarantine files whose outcome is committed; record where they went."""
    dest = _options("ingest", (), move_files=move_files).destinations()
    return stages.settle_chunk(runner.engine_for(db_url), items, dest, batch_id)


@task(name="summarise", **_RETRYING)
def summarise_batch(
    db_url: str,
    batch_id: str,
    kind: str,
    plan: Plan,
    items: Sequence[WorkItem],
    recovered: Sequence[WorkItem] = (),
    expectation_chunks: Sequence[Sequence[Mapping[str, Any]]] = (),
    parent_batch_id: str | None = None,
) -> dict[str, Any]:
    """Close the batch (status, counts, expectation results) and return its summary as a dict.

    The summary's keys are what ``tasks.publish.publish_batch_report`` reads.
    """
    summary: IngestSummary = summarise(
        runner.engine_for(db_url),
        batch_id,
        kind=kind,
        items=items,
        recovered=recovered,
        expectation_chunks=expectation_chunks,
        skipped=plan.skipped,
        unstable=plan.unstable,
        parent_batch_id=parent_batch_id,
    )
    get_run_logger().info(summary.line())
    return summary.to_dict()


@task(name="fail-batch", **_NO_RESULTS)
def fail_batch(db_url: str, batch_id: str, kind: str, stage: str) -> None:
    """Best effort: mark a batch ``failed`` after a stage raised (never raises itself)."""
    try:
        engine = runner.engine_for(db_url, migrate=False)
    except TransientError:
        get_run_logger().error("batch %s: warehouse unavailable; left as running", batch_id)
        return
    runner.mark_failed(engine, batch_id, kind, stage)
