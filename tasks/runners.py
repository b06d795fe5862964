"""Where a flow's chunk tasks run: one process (threads), a local process pool, or a Dask cluster.

Parsing holds the GIL, so parallel chunks need processes: ``ProcessPoolTaskRunner`` on one machine
(``--workers N``, ``IMR_WORKERS``), prefect-dask's ``DaskTaskRunner`` on an existing cluster
(``--dask ADDRESS``, ``IMR_DASK_ADDRESS``). Each worker process imports Great Expectations once
and keeps its engine; tasks are handed file paths and ids, never letter text.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Any

from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner

from pipeline.worker import leave_without_teardown


def task_runner_for(workers: int, dask_address: str | None = None) -> Any:
    """The task runner for ``workers`` parallel chunks, or for the Dask scheduler at ``dask_address``.

    ``workers`` of 1 runs chunks one after another in the flow's process.
    """
    if dask_address:
        from prefect_dask.task_runners import DaskTaskRunner  # lazy: dask is only needed for a cluster

        return DaskTaskRunner(address=dask_address)
    if workers <= 1:
        return ThreadPoolTaskRunner(max_workers=1)  # one chunk at a time: PDFium is not thread-safe
    return ProcessPoolTaskRunner(max_workers=workers, initializer=leave_without_teardown)


def dask_workers(dask_address: str) -> int:
    """How many tasks the Dask cluster at ``dask_address`` runs at once (its total threads)."""
    from distributed import Client

    with Client(dask_address, timeout="10s") as client:  # type: ignore[no-untyped-call]
        info = client.scheduler_info(n_workers=-1)
    return max(1, sum(int(w.get("nthreads", 1)) for w in info.get("workers", {}).values()))


def chunk_lanes(workers: int | None = None) -> int:
    """How many chunks run at once: the Dask cluster's threads with ``--dask``/``IMR_DASK_ADDRESS``,
    else ``workers`` (default ``IMR_WORKERS``)."""
    from imr.settings import get_settings

    settings = get_settings()
    if settings.dask_address:
        return dask_workers(settings.dask_address)
    return max(1, workers or settings.workers)


def chunk_runner(workers: int | None = None) -> Any:
    """The task runner a run's chunks go to.

    ``--dask``/``IMR_DASK_ADDRESS`` set: the cluster; else a process pool of ``workers`` (default
    ``IMR_WORKERS``), or, for one worker, one chunk at a time in this process (a thread: PDFium
    must never run twice at once in one process).
    """
    from imr.settings import get_settings

    settings = get_settings()
    return task_runner_for(workers or settings.workers, settings.dask_address)


def worker_pins(runner: Any, lanes: int) -> list[AbstractContextManager[Any]]:
    """One context per worker process of a started ``runner``: a task submitted inside it runs on
    that worker. On a process pool, ``lanes`` plain contexts (a pool whose workers are all busy
    starts a new one for each task, up to its size); on a Dask cluster, ``dask.annotate`` naming
    each worker of the cluster in turn (prefect-dask submits through ``Client.submit``, which
    honours the annotation); none for a runner in the flow's own process."""
    if isinstance(runner, ProcessPoolTaskRunner):
        return [nullcontext() for _ in range(lanes)]
    client = getattr(runner, "client", None)  # prefect-dask's DaskTaskRunner, once started
    if client is None:
        return []
    from dask.base import annotate

    workers = sorted(client.scheduler_info(n_workers=-1).get("workers", {}))
    return [annotate(workers=[w], allow_other_workers=False) for w in workers]
