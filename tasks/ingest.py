"""Prefect tasks of the ingest pipeline: thin wrappers over :mod:`pipeline`, and :class:`TaskSteps`,
the steps :func:`pipeline.run.run_batch` is handed inside a flow run.

One task per stage and chunk, never one per letter::

    open-batch -> plan (scan + register) -> settle (duplicates, refused, recovered moves)
      -> chunk-N (extract -> validate: one GX run -> load -> settle), submitted to the flow's
         task runner: in parallel on a process pool or a Dask cluster
      -> summarise (verdict, counts and expectation results in the batch row)

Tasks touching the warehouse retry on :class:`imr.errors.TransientError` only (see
:func:`retry_if_transient`); terminal errors never retry. Retried tasks are safe: registering,
loading and marking are idempotent and stages never mutate their inputs. Tasks are handed file
paths and ids (never letter text) and the flow's settings inside the request (the warehouse URL
as a masked ``SecretStr``, never a flow parameter), so workers need no ``IMR_`` environment.
No task persists its result or hashes its inputs for a cache key, and the lists of files handed
to a task are passed as they are (:func:`_as_is`): Prefect does not walk them looking for futures.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any, TypeVar, cast

from prefect import Task, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State, TaskRun
from prefect.futures import PrefectFuture
from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

import warehouse
from imr.errors import TransientError
from imr.outcomes import BatchKind, RunNumbers
from imr.settings import get_settings
from pipeline import lanes, stop, worker
from pipeline import run as pr
from pipeline.discovery import count_letters
from pipeline.planning import Plan
from pipeline.stages import ChunkOutcome, process_chunk, settle_chunk
from pipeline.stop import RunInterrupted
from pipeline.summary import BatchSummary
from pipeline.work import WorkItem
from tasks.publish import IngestProgress
from tasks.runners import chunk_lanes, chunk_runner, worker_pins

log = logging.getLogger("imr.pipeline")

#: Default retries of warehouse tasks (flows may override with ``with_options``).
TRANSIENT_RETRIES = 3
#: Default delay between those retries, in seconds.
RETRY_DELAY_SECONDS = 10.0


T = TypeVar("T")


def _as_is(value: T) -> T:
    """``value`` marked for Prefect not to traverse (``quote``; the task receives ``value``): a list
    of thousands of work items would otherwise be walked item by item looking for futures and
    states, seconds of the flow's CPU per run."""
    return cast(T, quote(value))


def _same(value: T) -> T:
    return value


def retry_if_transient(task: Task[..., Any], task_run: TaskRun, state: State[Any]) -> bool:
    """``retry_condition_fn``: retry only when the task failed with a :class:`TransientError`."""
    error = state.result(raise_on_failure=False)
    return isinstance(error, TransientError)


_RETRYING: dict[str, Any] = {
    "cache_policy": NO_CACHE,
    "persist_result": False,
    "retries": TRANSIENT_RETRIES,
    "retry_delay_seconds": RETRY_DELAY_SECONDS,
    "retry_condition_fn": retry_if_transient,
}


@task(name="open-batch", **_RETRYING)
def open_batch(req: pr.RunRequest) -> str:
    """Migrate the warehouse if needed and start a batch; returns its id."""
    batch_id = pr.open_batch(pr.request_engine(req), req)
    get_run_logger().info("batch %s (%s) started", batch_id, req.kind)
    return batch_id


@task(name="plan", **_RETRYING)
def plan(req: pr.RunRequest, batch_id: str) -> Plan:
    """Scan the inboxes and register what was found (or collect a batch's files for a rerun)."""
    p = pr.make_plan(pr.request_engine(req), req, batch_id)
    get_run_logger().info(
        "planned: %d to process, %d settled, %d recovered, %d skipped, %d unstable, %d ignored",
        len(p.work),
        len(p.settled),
        len(p.recovered),
        p.skipped,
        p.unstable,
        p.ignored,
    )
    return p


@task(name="settle", **_RETRYING)
def settle(req: pr.RunRequest, batch_id: str, items: Sequence[WorkItem]) -> list[WorkItem]:
    """Archive or quarantine files whose outcome is committed; record where they went."""
    return settle_chunk(pr.request_engine(req), items, req.destinations(), batch_id)


@task(name="chunk", **_RETRYING)
def chunk(req: pr.RunRequest, batch_id: str, items: Sequence[WorkItem]) -> ChunkOutcome:
    """Extract, validate (one GX run), load (a letter per transaction) and settle one chunk."""
    outcome = process_chunk(pr.request_engine(req), items, req.destinations(), batch_id, req.settings)
    get_run_logger().info("chunk: %d files settled", outcome.tally.files)
    return outcome


@task(name="prepare-worker", cache_policy=NO_CACHE, persist_result=False)
def prepare_worker(req: pr.RunRequest) -> None:
    """Ready a worker (of the process pool or the Dask cluster) while the flow plans: the isolated
    extractor started, Great Expectations imported and the suites built (seconds that the first
    chunk would otherwise wait)."""
    worker.prepare_worker(req.settings)


@task(name="summarise", **_RETRYING)
def summarise(req: pr.RunRequest, batch_id: str, numbers: RunNumbers, done: pr.Processed) -> BatchSummary:
    """Close the batch (verdict, counts, expectation results) and return its summary."""
    summary = pr.summarise_run(pr.request_engine(req), req, batch_id, numbers, done)
    get_run_logger().info(summary.line())
    return summary


@task(name="resolve-batch", **_RETRYING)
def resolve_batch(given: str) -> str | None:
    """The full id of the batch ``given`` (an id or a unique prefix), or None when no batch or
    several match: said in one log line, and the flow fails naming it (a user's typo is no
    traceback in the console of `imr serve`)."""
    try:
        return warehouse.resolve_batch_id(pr.engine_for(get_settings().warehouse_url()), given)
    except warehouse.UnknownBatchError as e:
        get_run_logger().error(e.message)
        return None


def _finished(future: PrefectFuture[Any], timeout: float) -> bool:
    """Wait up to ``timeout`` seconds for ``future``; whether it is done."""
    future.wait(timeout=timeout)
    return future.state.is_final()


class TaskSteps:
    """The steps of :func:`pipeline.run.run_batch` as Prefect tasks (call inside a flow run)."""

    def __init__(
        self,
        *,
        workers: int | None = None,
        retries: int = TRANSIENT_RETRIES,
        retry_delay_seconds: float = RETRY_DELAY_SECONDS,
    ) -> None:
        self.workers = workers
        self.retry: dict[str, Any] = {"retries": retries, "retry_delay_seconds": retry_delay_seconds}
        self._progress: IngestProgress | None = None
        self._lanes: int | None = None
        self._in_process = False  # a small batch: its chunks run in the flow's process (see lanes)
        self._runner: Any = None
        self._preparing: list[PrefectFuture[None]] = []
        self._exit = ExitStack()

    def open_batch(self, req: pr.RunRequest) -> str:
        return open_batch.with_options(**self.retry)(req)

    def plan(self, req: pr.RunRequest, batch_id: str) -> Plan:
        """The plan task, with the workers getting ready meanwhile (:meth:`_prepare_workers`)."""
        self._prepare_workers(req)
        return plan.with_options(**self.retry)(req, batch_id)

    def _prepare_workers(self, req: pr.RunRequest) -> None:
        """A ``prepare-worker`` task on each worker process now, when the policy says the run will
        use them (:func:`pipeline.lanes.prepares_workers`): their imports then overlap the flow's
        planning instead of delaying the first chunks."""
        parallel, min_files = self._parallel_lanes(), req.settings.parallel_min_files
        if parallel <= 1 or req.kind == BatchKind.RERUN:
            return  # nothing to count
        enough = lanes.prepare_threshold(dask=self._dask, min_files=min_files)
        waiting = count_letters((Path(p) for p in req.inboxes), enough)
        if not lanes.prepares_workers(parallel, req.kind, waiting, dask=self._dask, min_files=min_files):
            return
        runner = self._open_runner()
        for n, pin in enumerate(worker_pins(runner, parallel), start=1):
            with pin:
                named = prepare_worker.with_options(task_run_name=f"prepare-worker-{n}")
                self._preparing.append(runner.submit(named, {"req": req}))

    def settle(self, req: pr.RunRequest, batch_id: str, items: Sequence[WorkItem]) -> list[WorkItem]:
        if not items:
            return []
        return settle.with_options(**self.retry)(req, batch_id, _as_is(items))

    @property
    def _dask(self) -> bool:
        return bool(get_settings().dask_address)

    def _parallel_lanes(self) -> int:
        """The chunks the runner can run at once (``--workers``, or the Dask cluster's threads)."""
        if self._lanes is None:
            self._lanes = chunk_lanes(self.workers)
        return self._lanes

    def lanes(self, req: pr.RunRequest, files: int) -> int:
        """The lanes :func:`pipeline.lanes.plan_lanes` gives this run (said in the log when fewer
        than the workers asked for)."""
        parallel, min_files = self._parallel_lanes(), req.settings.parallel_min_files
        chosen = lanes.plan_lanes(
            parallel, files, dask=self._dask, pool_started=self._runner is not None, min_files=min_files
        )
        self._in_process = chosen.in_process and parallel > 1
        why = chosen.why(files, parallel, min_files)
        if why:
            log.info(why)  # imr's own logger: it reaches the flow run's logs in the UI too
        return chosen.count

    def process(self, req: pr.RunRequest, batch_id: str, chunks: Sequence[list[WorkItem]]) -> Iterable[ChunkOutcome]:
        """Submit the chunks to the flow's task runner, at most ``window`` at a time, and yield their
        outcomes in chunk order. After a failed chunk nothing new is submitted; the chunks already
        running finish (their outcomes are committed) before the error propagates."""
        self._progress = IngestProgress(total=sum(len(c) for c in chunks), description=f"batch {batch_id}")
        if not chunks:
            return
        pending = deque(enumerate(chunks, start=1))
        running: deque[PrefectFuture[ChunkOutcome]] = deque()
        runner, window = self._open_runner(), 1 if self._in_process else self._parallel_lanes()
        # prefect-dask hands a quoted parameter to the task still wrapped: only Prefect's own runners
        as_is = _as_is if isinstance(runner, ThreadPoolTaskRunner | ProcessPoolTaskRunner) else _same

        def top_up() -> None:
            while pending and len(running) < window:
                n, items = pending.popleft()
                named = chunk.with_options(task_run_name=f"chunk-{n}", **self.retry)
                running.append(runner.submit(named, {"req": req, "batch_id": batch_id, "items": as_is(items)}))

        progress = self._progress
        watch = stop.RunWatch(pr.request_engine(req), batch_id, progress.total, progress.set)
        try:
            top_up()
            while running:
                while not _finished(running[0], stop.WATCH_SECONDS):  # progress, and a stop asked
                    watch.tick()
                    if watch.stopping:
                        pending.clear()  # nothing new is submitted; the running chunks stop between letters
                outcome = running[0].result()
                running.popleft()
                if outcome.interrupted or watch.stopping:
                    pending.clear()
                top_up()
                yield outcome
        finally:
            pending.clear()
            for f in running:
                f.wait()

    def summarise(self, req: pr.RunRequest, batch_id: str, p: Plan, done: pr.Processed) -> BatchSummary:
        """The summarise task; on a process pool, in one of its workers: they have imported Great
        Expectations already (the drift checks need it), the flow's process has not."""
        named = summarise.with_options(**self.retry)
        numbers = RunNumbers(**p.run_numbers())  # the plan's counts: its lists of files are not needed
        if isinstance(self._runner, ProcessPoolTaskRunner):
            params = {"req": req, "batch_id": batch_id, "numbers": numbers, "done": _as_is(done)}
            summary: BatchSummary = self._runner.submit(named, params).result()
            return summary
        return named(req, batch_id, numbers, _as_is(done))

    def close(self) -> None:
        for f in self._preparing:  # quick by now; a failed one changes nothing (chunks prepare themselves)
            f.wait()
        self._preparing.clear()
        self._runner = None
        self._exit.close()

    def _open_runner(self) -> Any:
        """The chunk runner of this run, started on first use and kept until :meth:`close`."""
        if self._runner is None:
            self._runner = self._exit.enter_context(chunk_runner(1 if self._in_process else self.workers))
        return self._runner

    def fail(self, req: pr.RunRequest, batch_id: str, stage: str) -> None:
        pr.mark_failed(req, batch_id, stage)
        get_run_logger().error("batch %s (%s) failed in stage %s", batch_id, req.kind, stage)

    def interrupt(self, req: pr.RunRequest, batch_id: str) -> RunInterrupted:
        """Close the batch ``interrupted`` in the flow's process (no new task: the run is stopping)."""
        error = pr.close_interrupted(pr.request_engine(req), batch_id)
        get_run_logger().warning(error.message)
        return error

    def progress(self, done: int, total: int) -> None:
        if self._progress is not None:
            self._progress.set(done)
