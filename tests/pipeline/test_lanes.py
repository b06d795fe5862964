"""The scheduling policy of a run (pipeline.lanes): pure, so every case is a line here."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imr.outcomes import BatchKind
from pipeline.lanes import Lanes, plan_lanes, prepare_threshold, prepares_workers

MIN = 2000


@pytest.mark.parametrize(
    ("parallel", "files", "dask", "started", "expected"),
    [
        (2, 10, False, False, Lanes(1, in_process=True)),  # a small batch: no pool started
        (2, MIN - 1, False, False, Lanes(1, in_process=True)),
        (2, MIN, False, False, Lanes(2, in_process=False)),  # enough letters: the pool
        (2, 10, False, True, Lanes(2, in_process=False)),  # the pool runs already (prepared workers)
        (4, 10, True, False, Lanes(4, in_process=False)),  # a Dask cluster is there anyway
        (1, 10_000, False, False, Lanes(1, in_process=True)),  # --workers 1
        (0, 5, False, False, Lanes(1, in_process=True)),
    ],
)
def test_plan_lanes(parallel: int, files: int, dask: bool, started: bool, expected: Lanes) -> None:
    assert plan_lanes(parallel, files, dask=dask, pool_started=started, min_files=MIN) == expected


def test_fewer_lanes_than_asked_is_said() -> None:
    chosen = plan_lanes(2, 40, dask=False, pool_started=False, min_files=MIN)
    assert chosen.why(40, 2, MIN) == (
        "40 letters, fewer than IMR_PARALLEL_MIN_FILES (2000): chunks run in this process, not on 2 workers"
    )
    assert plan_lanes(1, 40, dask=False, pool_started=False, min_files=MIN).why(40, 1, MIN) is None
    assert plan_lanes(2, 4000, dask=False, pool_started=False, min_files=MIN).why(4000, 2, MIN) is None


@pytest.mark.parametrize(
    ("parallel", "kind", "waiting", "dask", "expected"),
    [
        (2, BatchKind.INGEST, MIN, False, True),
        (2, BatchKind.INGEST, MIN - 1, False, False),
        (2, BatchKind.BACKFILL, MIN, False, True),
        (2, BatchKind.RERUN, 10**6, False, False),  # a rerun's files are known only once planned
        (1, BatchKind.INGEST, 10**6, False, False),
        (3, BatchKind.INGEST, 1, True, True),  # Dask: as soon as one letter waits
        (3, BatchKind.INGEST, 0, True, False),  # nothing to do starts nothing
    ],
)
def test_prepares_workers(parallel: int, kind: BatchKind, waiting: int, dask: bool, expected: bool) -> None:
    assert prepares_workers(parallel, kind, waiting, dask=dask, min_files=MIN) is expected


@given(
    parallel=st.integers(0, 64),
    files=st.integers(0, 10**6),
    dask=st.booleans(),
    started=st.booleans(),
    min_files=st.integers(0, 10**5),
)
def test_lanes_never_exceed_the_workers_and_in_process_means_one(
    parallel: int, files: int, dask: bool, started: bool, min_files: int
) -> None:
    chosen = plan_lanes(parallel, files, dask=dask, pool_started=started, min_files=min_files)
    assert 1 <= chosen.count <= max(1, parallel)
    assert chosen.in_process == (chosen.count == 1)
    assert prepare_threshold(dask=dask, min_files=min_files) >= 1
