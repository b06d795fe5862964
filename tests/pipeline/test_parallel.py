"""Chunks in parallel give the same warehouse as chunks one after another: `imr ingest --workers 2`
(a Prefect ProcessPoolTaskRunner) and `imr ingest --dask ADDRESS` (prefect-dask on a real
`dask scheduler` with two `dask worker` processes started here) against `--workers 1`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest

import warehouse
from tests import services
from tests.fixtures_db import count_rows
from tests.pipeline_helpers import exported, letter_files, make_corpus

pytestmark = [pytest.mark.slow, pytest.mark.prefect, pytest.mark.usefixtures("prefect_harness")]

def _env(data: Path, **extra: str) -> dict[str, str]:
    from prefect.settings import PREFECT_API_URL

    return {
        **os.environ,
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),
        "IMR_DATA_DIR": str(data),
        "IMR_STABLE_SECONDS": "0",
        "IMR_CHUNK_SIZE": "6",
        "IMR_QUARANTINE_THRESHOLD": "0.5",
        "IMR_PARALLEL_MIN_FILES": "0",  # these corpora are small: run them on the workers all the same
        **extra,
    }


def _ingest(inbox: Path, data: Path, db: str, *flags: str, **env: str) -> None:
    argv = [sys.executable, "-m", "imr.cli", "ingest", "--inbox", str(inbox), "--db", db, "--retries", "0", *flags]
    done = subprocess.run(argv, env=_env(data, **env), capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]


def _letters(engine: object) -> dict[str, int]:
    rows = count_rows(engine)  # type: ignore[arg-type]
    return {t: n for t, n in rows.items() if t not in ("ingest_batches", "dq_results")}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("parallel") / "letters"
    make_corpus(folder, 36, seed=51, bad=True, formats=("txt", "pdf"))
    return folder


@pytest.fixture(scope="module")
def serial(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The warehouse of `--workers 1` over the corpus."""
    root = tmp_path_factory.mktemp("serial")
    inbox = root / "inbox"
    shutil.copytree(corpus, inbox)
    db = f"sqlite:///{root / 'warehouse.db'}"
    _ingest(inbox, root / "data", db, "--workers", "1")
    return db


def _same_as_serial(root: Path, corpus: Path, serial: str, *flags: str, **env: str) -> None:
    inbox = root / "inbox"
    shutil.copytree(corpus, inbox)
    db = f"sqlite:///{root / 'warehouse.db'}"
    _ingest(inbox, root / "data", db, *flags, **env)
    got, want = warehouse.make_engine(db), warehouse.make_engine(serial)
    assert exported(got) == exported(want)
    assert _letters(got) == _letters(want)
    assert letter_files(inbox) == []
    got.dispose()
    want.dispose()


def _task_runs(db: str) -> list[tuple[str, str]]:
    """(name, state type) of the task runs of the one flow run that wrote ``db``'s batch."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    engine = warehouse.make_engine(db)
    (batch,) = warehouse.list_batches(engine)
    engine.dispose()
    assert batch.flow_run_id
    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[UUID(batch.flow_run_id)])))
    return sorted((r.name, r.state_type.value if r.state_type else "") for r in runs)


def _prepared(db: str) -> list[tuple[str, str]]:
    return [(name, state) for name, state in _task_runs(db) if name.startswith("prepare-worker")]


def test_workers_2_equals_workers_1(corpus: Path, serial: str, tmp_path: Path) -> None:
    _same_as_serial(tmp_path, corpus, serial, "--workers", "2")
    # each worker got ready while the flow planned; one worker in the flow's own process needs none
    db = f"sqlite:///{tmp_path / 'warehouse.db'}"
    assert _prepared(db) == [("prepare-worker-1", "COMPLETED"), ("prepare-worker-2", "COMPLETED")]
    assert _prepared(serial) == []


def test_a_small_batch_runs_in_the_flows_process(corpus: Path, serial: str, tmp_path: Path) -> None:
    """Fewer files than IMR_PARALLEL_MIN_FILES: no worker is started (each would import Prefect and
    Great Expectations for a few letters); the warehouse is the same."""
    _same_as_serial(tmp_path, corpus, serial, "--workers", "2", IMR_PARALLEL_MIN_FILES="1000")
    assert _prepared(f"sqlite:///{tmp_path / 'warehouse.db'}") == []


def test_lanes_follow_the_batch_size(monkeypatch: pytest.MonkeyPatch) -> None:
    from imr.outcomes import BatchKind
    from imr.settings import Settings
    from pipeline.run import RunRequest
    from tasks.ingest import TaskSteps

    monkeypatch.delenv("IMR_DASK_ADDRESS", raising=False)
    req = RunRequest(BatchKind.INGEST, ("/nowhere",), settings=Settings(parallel_min_files=1000))
    assert TaskSteps(workers=2).lanes(req, 999) == 1
    assert TaskSteps(workers=2).lanes(req, 1000) == 2
    assert TaskSteps(workers=1).lanes(req, 5000) == 1


def test_a_run_with_nothing_to_do_starts_no_worker(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "notes.docx").write_text("not a letter")  # an entry, but no letter
    db = f"sqlite:///{tmp_path / 'warehouse.db'}"
    _ingest(inbox, tmp_path / "data", db, "--workers", "2")
    assert _prepared(db) == []
    assert [name for name, _ in _task_runs(db) if name.startswith("chunk")] == []


@pytest.fixture
def dask_cluster(tmp_path: Path) -> Iterator[str]:
    """A `dask scheduler` and two single-threaded `dask worker` processes on this machine."""
    with services.dask_cluster(_env(tmp_path / "data")) as address:
        yield address


def _extractor_children(address: str) -> list[int]:
    """How many isolated extractor processes each worker of the Dask cluster runs."""
    from distributed import Client

    def count() -> int:
        import psutil

        return sum("pipeline.isolation" in " ".join(c.cmdline()) for c in psutil.Process().children())

    with Client(address, timeout="30s") as client:  # type: ignore[no-untyped-call]
        return sorted(client.run(count).values())


def test_dask_cluster_equals_workers_1(corpus: Path, serial: str, tmp_path: Path, dask_cluster: str) -> None:
    _same_as_serial(tmp_path, corpus, serial, "--dask", dask_cluster)
    # a prepare-worker task went to each of the cluster's workers: each has its extractor running
    db = f"sqlite:///{tmp_path / 'warehouse.db'}"
    assert _prepared(db) == [("prepare-worker-1", "COMPLETED"), ("prepare-worker-2", "COMPLETED")]
    assert _extractor_children(dask_cluster) == [1, 1]


def test_worker_pins_send_one_task_to_each_dask_worker(dask_cluster: str) -> None:
    from distributed import Client
    from prefect import flow, task

    from tasks.runners import task_runner_for, worker_pins

    @task
    def where() -> str:
        from distributed import get_worker

        return str(get_worker().address)

    @flow
    def each_worker() -> list[str]:
        with task_runner_for(1, dask_cluster) as runner:
            futures = []
            for _ in range(3):  # three rounds: landing as pinned by chance would be 1 in 64
                for pin in worker_pins(runner, 2):
                    with pin:
                        futures.append(runner.submit(where, {}))
            return [f.result() for f in futures]

    with Client(dask_cluster, timeout="30s") as client:  # type: ignore[no-untyped-call]
        workers = sorted(client.scheduler_info(n_workers=-1)["workers"])
    assert each_worker() == workers * 3
