"""One ingest, rerun or backfill run without Prefect: the stages wired in order.

The Prefect flows in ``flows/`` wire the same functions through tasks (with retries, chunk by
chunk); :func:`run` is the plain version used by tests, benchmarks and embedding code::

    engine = engine_for(url)
    summary = run(engine, RunOptions(kind="ingest", inboxes=[Path("data/inbox")], ...))

Order per chunk: extract -> validate -> load (outcomes committed) -> settle (files moved). A crash
at any point loses nothing: uncommitted files stay in the inbox (next run), committed but unmoved
ones are recovered by the next run (see :mod:`pipeline.planning`).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from imr.settings import Settings, get_settings
from pipeline.discovery import discover
from pipeline.planning import Plan, plan_inboxes, plan_rerun
from pipeline.stages import Destinations, extract_chunk, load_chunk, settle_chunk, validate_chunk
from pipeline.summary import IngestSummary, summarise
from pipeline.work import WorkItem, chunked

log = logging.getLogger("pipeline")

_engines: dict[str, Engine] = {}
_migrated: set[str] = set()
_lock = threading.Lock()


def engine_for(url: str, *, migrate: bool = True) -> Engine:
    """The process-wide engine for ``url`` (created once), migrated to the newest revision once.

    Raises :class:`imr.errors.WarehouseUnavailableError` when the warehouse cannot be reached.
    """
    import warehouse

    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = warehouse.make_engine(url)
        if migrate and url not in _migrated:
            warehouse.upgrade(engine)
            _migrated.add(url)
    return engine


def dispose_engines() -> None:
    """Close every cached engine (tests; a long-lived process switching warehouses)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
        _migrated.clear()


@dataclass
class RunOptions:
    """What one run does; ``None`` fields fall back to :func:`imr.settings.get_settings`."""

    kind: str = "ingest"
    inboxes: Sequence[Path] = ()
    parent_batch_id: str | None = None
    chunk_size: int | None = None
    stable_seconds: float | None = None
    wait_for_stable: bool = False
    move_files: bool = True
    archive_root: Path | None = None
    quarantine_root: Path | None = None
    day: dt.date | None = None
    flow_run_id: str | None = None
    settings: Settings = field(default_factory=get_settings)

    def resolved_chunk_size(self) -> int:
        return self.chunk_size or self.settings.chunk_size

    def destinations(self) -> Destinations:
        """Archive and quarantine roots (absolute), the dated folder's day, and whether to move."""
        return Destinations(
            archive_root=(self.archive_root or self.settings.archive_path()).absolute(),
            quarantine_root=(self.quarantine_root or self.settings.quarantine_path()).absolute(),
            day=self.day or dt.date.today(),
            move_files=self.move_files,
        )


def open_batch(engine: Engine, opts: RunOptions) -> str:
    """Start the batch of a run and return its id."""
    import warehouse

    inboxes = [str(Path(p).absolute()) for p in opts.inboxes]
    return warehouse.start_batch(
        engine, opts.kind, inboxes, parent_batch_id=opts.parent_batch_id, flow_run_id=opts.flow_run_id
    )


def make_plan(engine: Engine, batch_id: str, opts: RunOptions) -> Plan:
    """Discover and register (ingest, backfill) or collect a batch's files again (rerun)."""
    if opts.kind == "rerun":
        if opts.parent_batch_id is None:
            raise ValueError("a rerun needs parent_batch_id")
        return plan_rerun(engine, batch_id, opts.parent_batch_id)
    stable = opts.stable_seconds if opts.stable_seconds is not None else opts.settings.stable_seconds
    found = discover([Path(p) for p in opts.inboxes], stable, wait=opts.wait_for_stable)
    return plan_inboxes(engine, batch_id, found, move_files=opts.move_files, skip_committed=opts.kind == "backfill")


def process_chunk(
    engine: Engine, chunk: Sequence[WorkItem], dest: Destinations, batch_id: str
) -> tuple[list[WorkItem], list[dict[str, Any]]]:
    """Extract, validate, load and settle one chunk; returns its settled items and expectation results."""
    validated = validate_chunk(extract_chunk(chunk))
    loaded = load_chunk(engine, validated)
    return settle_chunk(engine, loaded, dest, batch_id), validated.results


def run(engine: Engine, opts: RunOptions) -> IngestSummary:
    """One whole run without Prefect; returns the batch summary (also stored in the batch row).

    Exceptions propagate after the batch is marked ``failed`` (when the warehouse still answers):
    files whose outcome was not committed stay where they are for the next run or a rerun.
    """
    batch_id = open_batch(engine, opts)
    dest = opts.destinations()
    settled: list[WorkItem] = []
    results: list[list[dict[str, Any]]] = []
    stage = "discover"
    try:
        plan = make_plan(engine, batch_id, opts)
        stage = "settle"
        settled += settle_chunk(engine, plan.settled, dest, batch_id)
        recovered = settle_chunk(engine, plan.recovered, dest, batch_id)
        stage = "process"
        for chunk in chunked(plan.work, opts.resolved_chunk_size()):
            items, res = process_chunk(engine, chunk, dest, batch_id)
            settled += items
            results.append(res)
    except Exception:
        mark_failed(engine, batch_id, opts.kind, stage)
        raise
    return summarise(
        engine,
        batch_id,
        kind=opts.kind,
        items=settled,
        recovered=recovered,
        expectation_chunks=results,
        skipped=plan.skipped,
        unstable=plan.unstable,
        parent_batch_id=opts.parent_batch_id,
    )


def mark_failed(engine: Engine, batch_id: str, kind: str, stage: str) -> None:
    """Best effort: mark the batch failed (the warehouse may be the thing that is down)."""
    import warehouse

    try:
        warehouse.finish_batch(engine, batch_id, "failed")
    except Exception as e:  # the original error matters more; this one is only logged
        log.warning("batch %s (%s): could not be marked failed: %s", batch_id, kind, type(e).__name__)
    log.error("batch %s (%s) failed in stage %s", batch_id, kind, stage)
