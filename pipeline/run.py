"""The one run order of an ingest, rerun or backfill, handed its steps.

:func:`run_batch` is what every run goes through: the Prefect flows hand it Prefect task versions
of the steps (``tasks.ingest.TaskSteps``: retries, task runs in the UI, chunks on a task runner),
:class:`LocalSteps` are the same functions called in this process (embedding, benchmarks)::

    open batch -> plan (discover + register, or a rerun's files) -> settle what is already decided
      -> process chunks (extract -> validate -> load -> settle; in parallel where the steps allow)
      -> summarise (verdict, counts and expectation results in the batch row)

A crash at any point loses nothing: uncommitted files stay where they are (next run, or a rerun),
committed but unmoved ones are finished by the next run (:mod:`pipeline.planning`). When a step
raises, the batch is marked ``failed`` (best effort) and the error propagates.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from sqlalchemy.engine import Engine

import warehouse
from imr.errors import ImrError, TransientError
from imr.outcomes import BatchKind, BatchStatus, ExpectationResult, RunNumbers
from imr.settings import Settings, get_settings
from pipeline import stop
from pipeline.discovery import discover
from pipeline.drift import evaluate_batch_drift
from pipeline.planning import Plan, plan_inboxes, plan_rerun
from pipeline.stages import ChunkOutcome, Destinations, process_chunk, settle_chunk
from pipeline.summary import BatchSummary, failed_summary, summarise
from pipeline.work import Tally, WorkItem, chunks_for
from warehouse import runs

log = logging.getLogger("imr.pipeline")

_engines: dict[str, Engine] = {}
_migrated: set[str] = set()
_lock = threading.Lock()


def engine_for(url: str, *, migrate: bool = True) -> Engine:
    """The process-wide engine for ``url`` (created once), migrated to the newest revision once.

    Raises :class:`imr.errors.WarehouseUnavailableError` when the warehouse cannot be reached.
    """
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = warehouse.make_engine(url)
        if migrate and url not in _migrated:
            warehouse.upgrade(engine)
            _migrated.add(url)
    return engine


@dataclass(frozen=True)
class RunRequest:
    """What one run is asked to do (JSON-friendly: it is what a flow's parameters say).

    ``None`` fields fall back to ``settings`` (``IMR_CHUNK_SIZE``, ``IMR_STABLE_SECONDS``): the
    settings of the process that made the request (the flow's), carried to every task so worker
    processes and Dask workers use the flow's warehouse, folders and limits, whatever their own
    environment says. The warehouse URL stays a ``SecretStr`` there (masked wherever shown), and
    is never a flow parameter (it comes from ``IMR_DATABASE_URL``), so a
    password never becomes a flow parameter.
    """

    kind: BatchKind
    inboxes: tuple[str, ...] = ()
    parent_batch_id: str | None = None
    chunk_size: int | None = None
    stable_seconds: float | None = None
    wait_for_stable: bool = False
    move_files: bool = True
    flow_run_id: str | None = None
    settings: Settings = field(default_factory=get_settings, compare=False, repr=False)

    def resolved_chunk_size(self) -> int:
        """Files per chunk."""
        return self.chunk_size or self.settings.chunk_size

    def destinations(self, day: dt.date | None = None) -> Destinations:
        """Archive and quarantine roots (absolute), the dated folder's day, and whether to move."""
        return Destinations(
            archive_root=self.settings.archive_path().absolute(),
            quarantine_root=self.settings.quarantine_path().absolute(),
            day=day or dt.date.today(),
            move_files=self.move_files,
        )


@dataclass
class Processed:
    """What a run did before it summarises: the tallies of its settled files and of the earlier rows
    whose moves it finished, and the expectation results of its chunks."""

    settled: Tally = field(default_factory=Tally)
    recovered: Tally = field(default_factory=Tally)
    results: list[ExpectationResult] = field(default_factory=list)


class Steps(Protocol):
    """The steps :func:`run_batch` calls, in this order."""

    def open_batch(self, req: RunRequest) -> str:
        """Start the batch; return its id."""
        ...

    def plan(self, req: RunRequest, batch_id: str) -> Plan:
        """Discover and register (ingest, backfill) or collect a batch's files (rerun)."""
        ...

    def settle(self, req: RunRequest, batch_id: str, items: Sequence[WorkItem]) -> list[WorkItem]:
        """Move files whose outcome is committed; return them."""
        ...

    def lanes(self, req: RunRequest, files: int) -> int:
        """How many chunks of a run with ``files`` to process run at once (its chunks are cut so
        that every lane stays busy)."""
        ...

    def process(self, req: RunRequest, batch_id: str, chunks: Sequence[list[WorkItem]]) -> Iterable[ChunkOutcome]:
        """Process every chunk (possibly in parallel); yield their outcomes in chunk order."""
        ...

    def summarise(self, req: RunRequest, batch_id: str, plan: Plan, done: Processed) -> BatchSummary:
        """Close the batch with its verdict; return the summary."""
        ...

    def fail(self, req: RunRequest, batch_id: str, stage: str) -> None:
        """Best effort: mark the batch failed after ``stage`` raised (never raises)."""
        ...

    def interrupt(self, req: RunRequest, batch_id: str) -> stop.RunInterrupted:
        """Close the batch ``interrupted`` (its claims freed); return the error the run raises."""
        ...

    def progress(self, done: int, total: int) -> None:
        """``done`` of ``total`` files processed."""
        ...

    def close(self) -> None:
        """Release what the steps hold for the run (e.g. worker processes); called last, always."""
        ...


def run_batch(steps: Steps, req: RunRequest) -> BatchSummary:
    """Run one batch through ``steps``; return its summary (also stored in the batch row).

    Exceptions propagate after ``steps.fail`` marked the batch ``failed``: files whose outcome was
    not committed stay where they are for the next run or a rerun.
    """
    batch_id = steps.open_batch(req)
    stage = "discover"
    try:
        plan = steps.plan(req, batch_id)
        stage = "settle"
        settled = Tally.of(steps.settle(req, batch_id, plan.settled))
        done = Processed(settled, Tally.of(steps.settle(req, batch_id, plan.recovered)))
        stage = "process"
        chunks = chunks_for(plan.work, req.resolved_chunk_size(), steps.lanes(req, len(plan.work)))
        interrupted = stop.requested()
        for outcome in [] if interrupted else steps.process(req, batch_id, chunks):
            done.settled += outcome.tally
            done.results += outcome.results
            interrupted = interrupted or outcome.interrupted
            steps.progress(done.settled.files - settled.files, len(plan.work))
        if interrupted or stop.requested():
            stage = "interrupt"
            raise steps.interrupt(req, batch_id)
        stage = "summarise"
        return steps.summarise(req, batch_id, plan, done)
    except stop.RunInterrupted:
        raise
    except Exception:
        steps.fail(req, batch_id, stage)
        raise
    finally:
        try:
            steps.close()
        finally:
            runs.release(batch_id)


# ----------------------------------------------------------------------------- the plain steps


def open_batch(engine: Engine, req: RunRequest) -> str:
    """Start the batch of a run and return its id: the run lock taken first (held by this process
    until :func:`run_batch` ends, ``warehouse.runs``), the batch recorded with its owner, and the
    batches of runs that died closed ``abandoned`` (their files are free for this run)."""
    inboxes = [str(Path(p).absolute()) for p in req.inboxes]
    batch_id = str(uuid.uuid4())
    lease = runs.hold(engine, batch_id)
    try:
        runs.abandon_dead(engine)
        return warehouse.start_batch(
            engine,
            req.kind,
            inboxes,
            parent_batch_id=req.parent_batch_id,
            flow_run_id=req.flow_run_id,
            batch_id=batch_id,
            owner=lease.owner.to_dict(),
        )
    except BaseException:
        runs.release(batch_id)
        raise


def check_inboxes(req: RunRequest) -> None:
    """Raise :class:`InboxUnavailableError` when an inbox of an ingest or backfill is missing or
    unreadable: a misconfigured night fails with that reason instead of ending green with nothing."""
    for p in req.inboxes:
        path = Path(p)
        if not path.is_dir():
            raise InboxUnavailableError(f"no such inbox folder: {path} (create it or fix IMR_INBOXES / --inbox)")
        if not os.access(path, os.R_OK | os.X_OK):
            raise InboxUnavailableError(f"inbox folder not readable: {path} (fix its permissions)")


class InboxUnavailableError(ImrError):
    """An inbox of the run is missing or unreadable (a terminal error: no retry helps)."""

    code = "inbox_unavailable"


def close_interrupted(engine: Engine, batch_id: str) -> stop.RunInterrupted:
    """Close the batch ``interrupted`` (counts as its files stand, the signal in its reason, its
    claims dropped: what it did not reach stays in the inbox for the next run) and return the
    error the run ends with."""
    how = stop.signal_name(stop.received())
    row = runs.close_batch(engine, batch_id, BatchStatus.INTERRUPTED, f"stopped by {how}")
    left = row.counts.pending
    settled = row.counts.files_seen - left
    log.warning("batch %s interrupted by %s: %d files settled, %d left in place", batch_id, how, settled, left)
    return stop.RunInterrupted(
        f"batch {batch_id} interrupted by {how}: {settled} files settled, {left} left in place "
        "for the next run (or `imr rerun`)"
    )


def make_plan(engine: Engine, req: RunRequest, batch_id: str) -> Plan:
    """Discover and register (ingest, backfill) or collect a batch's files again (rerun)."""
    if req.kind == BatchKind.RERUN:
        if req.parent_batch_id is None:
            raise ValueError("a rerun needs parent_batch_id")
        return plan_rerun(engine, batch_id, req.parent_batch_id)
    check_inboxes(req)
    stable = req.stable_seconds if req.stable_seconds is not None else req.settings.stable_seconds
    found = discover([Path(p) for p in req.inboxes], stable, wait=req.wait_for_stable)
    return plan_inboxes(
        engine,
        batch_id,
        found,
        move_files=req.move_files,
        skip_committed=req.kind == BatchKind.BACKFILL,
        search_roots=[req.settings.archive_path().absolute(), req.settings.quarantine_path().absolute()],
        claim_ttl_seconds=req.settings.claim_ttl_seconds,
    )


def summarise_run(engine: Engine, req: RunRequest, batch_id: str, numbers: RunNumbers, done: Processed) -> BatchSummary:
    """:func:`pipeline.summary.summarise` with the plan's ``numbers`` (a :class:`Plan` is one) and
    the settings' quarantine threshold and review backlog days, then the batch-level drift checks
    against the warehouse's history (stored with the batch; their results join the summary's
    expectations). Drift never changes the verdict: it is a warning."""
    summary = summarise(
        engine,
        batch_id,
        kind=req.kind,
        settled=done.settled,
        recovered=done.recovered,
        results=done.results,
        threshold=req.settings.quarantine_threshold,
        review_backlog_days=req.settings.review_backlog_days,
        parent_batch_id=req.parent_batch_id,
        **numbers.run_numbers(),
    )
    warehouse.release_claims(engine, batch_id, expired=True)
    summary.expectations += monitor_drift(engine, batch_id)
    return summary


def monitor_drift(engine: Engine, batch_id: str) -> list[ExpectationResult]:
    """The batch's drift results (stored with it), or none when they could not be evaluated: the
    batch is committed by then, so a drift failure is logged, never raised."""
    try:
        return evaluate_batch_drift(engine, batch_id)
    except ImrError as e:
        log.warning("batch %s: drift checks not evaluated: %s", batch_id, e.code)
        return []


def request_engine(req: RunRequest) -> Engine:
    """The (process-wide, migrated) engine of the request's warehouse."""
    return engine_for(req.settings.warehouse_url())


def mark_failed(req: RunRequest, batch_id: str, stage: str) -> None:
    """Best effort: mark the batch failed (the warehouse may be the thing that is down)."""
    try:
        failed_summary(engine_for(req.settings.warehouse_url(), migrate=False), batch_id, req.kind, stage)
    except TransientError as e:  # the original error matters more; this one is only logged
        log.warning("batch %s (%s): could not be marked failed: %s", batch_id, req.kind, type(e).__name__)


class LocalSteps:
    """The steps as plain calls in this process, one chunk after another."""

    def __init__(self, *, day: dt.date | None = None) -> None:
        self.day = day

    def open_batch(self, req: RunRequest) -> str:
        return open_batch(request_engine(req), req)

    def plan(self, req: RunRequest, batch_id: str) -> Plan:
        return make_plan(request_engine(req), req, batch_id)

    def settle(self, req: RunRequest, batch_id: str, items: Sequence[WorkItem]) -> list[WorkItem]:
        return settle_chunk(request_engine(req), items, req.destinations(self.day), batch_id)

    def lanes(self, req: RunRequest, files: int) -> int:
        return 1

    def process(self, req: RunRequest, batch_id: str, chunks: Sequence[list[WorkItem]]) -> Iterable[ChunkOutcome]:
        dest = req.destinations(self.day)
        for chunk in chunks:
            yield process_chunk(request_engine(req), chunk, dest, batch_id, req.settings)

    def summarise(self, req: RunRequest, batch_id: str, plan: Plan, done: Processed) -> BatchSummary:
        return summarise_run(request_engine(req), req, batch_id, plan, done)

    def fail(self, req: RunRequest, batch_id: str, stage: str) -> None:
        mark_failed(req, batch_id, stage)

    def interrupt(self, req: RunRequest, batch_id: str) -> stop.RunInterrupted:
        return close_interrupted(request_engine(req), batch_id)

    def progress(self, done: int, total: int) -> None:
        log.debug("processed %d of %d files", done, total)

    def close(self) -> None:
        pass
