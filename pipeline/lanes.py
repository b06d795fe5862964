"""Where a run's chunks run: the scheduling policy of a run, pure (no Prefect, no I/O).

A run has ``parallel`` lanes at most: ``--workers`` processes of a pool, or the threads of a Dask
cluster. The policy decides, from what the run knows:

* :func:`plan_lanes`: how many chunks run at once. A batch with fewer than
  ``IMR_PARALLEL_MIN_FILES`` files, on a process pool not started yet, runs its chunks in the
  flow's own process (one lane): each worker costs about 5 s of CPU and 330 MB to start, more than
  it saves below about 1,700 text letters on two cores (bench/RESULTS.md). A Dask cluster, or a
  pool already started (its workers prepared), keeps every lane.
* :func:`prepare_threshold` / :func:`prepares_workers`: whether the plan step gets the workers
  ready meanwhile (imports, the suites, the isolated extractor): on a Dask cluster as soon as one
  letter waits, on a process pool (which preparing starts) when enough letters wait to use it; never
  for a rerun (its files are known only once planned) nor with one lane.

``tasks.ingest.TaskSteps`` asks these and does what they say.
"""

from __future__ import annotations

from dataclasses import dataclass

from imr.outcomes import BatchKind


@dataclass(frozen=True)
class Lanes:
    """How a run's chunks are laid out: ``count`` at once, in the flow's process or on workers."""

    count: int
    in_process: bool

    def why(self, files: int, parallel: int, min_files: int) -> str | None:
        """A log line when the run uses fewer lanes than it was given (counts only), else None."""
        if not self.in_process or parallel <= 1:
            return None
        return (
            f"{files} letters, fewer than IMR_PARALLEL_MIN_FILES ({min_files}): chunks run in this process, "
            f"not on {parallel} workers"
        )


def plan_lanes(parallel: int, files: int, *, dask: bool, pool_started: bool, min_files: int) -> Lanes:
    """The lanes of a run with ``files`` to process on ``parallel`` lanes (see the module)."""
    if parallel > 1 and not dask and not pool_started and files < min_files:
        return Lanes(1, in_process=True)
    return Lanes(max(1, parallel), in_process=parallel <= 1)


def prepare_threshold(*, dask: bool, min_files: int) -> int:
    """How many letters must wait before the workers are prepared while the run plans."""
    return 1 if dask else max(1, min_files)


def prepares_workers(parallel: int, kind: BatchKind, waiting: int, *, dask: bool, min_files: int) -> bool:
    """Whether the plan step prepares the workers (``waiting``: letters found, counted up to
    :func:`prepare_threshold`)."""
    if parallel <= 1 or kind == BatchKind.RERUN:
        return False
    return waiting >= prepare_threshold(dask=dask, min_files=min_files)
