"""What an operator does after a crash or a Ctrl-C, on the real CLI (`imr ingest` in a subprocess,
on a real Prefect API): run again at once. Nothing waits out the claims' expiry (15 minutes by
default, kept here): a killed run's batch is closed ``abandoned`` by the next run, which takes
its files; a run stopped by SIGINT/SIGTERM stops between letters, closes its batch
``interrupted`` and frees its files; a temporary Prefect server dies with its command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

import warehouse
from imr.outcomes import BatchStatus
from tests.pipeline_helpers import exported, letter_files, make_corpus
from warehouse.schema import batch_progress, ingest_batches, source_files

pytestmark = [pytest.mark.slow, pytest.mark.prefect, pytest.mark.usefixtures("prefect_harness")]

ROOT = Path(__file__).resolve().parents[2]


def _env(data: Path, **extra: str) -> dict[str, str]:
    from prefect.settings import PREFECT_API_URL

    return {
        **os.environ,
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),
        "IMR_DATA_DIR": str(data),
        "IMR_STABLE_SECONDS": "0",
        **extra,
    }


def _ingest(inbox: Path, data: Path, db: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "imr.cli", "ingest", "--inbox", str(inbox), "--db", db, "--retries", "0"]
    return subprocess.Popen(
        argv,
        env=env or _env(data, IMR_CHUNK_SIZE="4"),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait(cond: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _scalar(engine: Engine, stmt: sa.Select[tuple[int]]) -> int:
    try:
        with engine.connect() as conn:
            return int(conn.execute(stmt).scalar() or 0)
    except sa.exc.OperationalError:  # the run is creating the tables
        return 0


def _registered(engine: Engine) -> int:
    """Files registered by the running batches (their run has planned)."""
    running = sa.select(ingest_batches.c.id).where(ingest_batches.c.status == "running")
    return _scalar(
        engine, sa.select(sa.func.count()).select_from(source_files).where(source_files.c.batch_id.in_(running))
    )


def _progress(engine: Engine) -> int:
    return _scalar(engine, sa.select(sa.func.coalesce(sa.func.sum(batch_progress.c.done), 0)))


def _statuses(engine: Engine) -> list[str]:
    return [b.status for b in warehouse.list_batches(engine)]


@pytest.fixture
def corpus(tmp_path: Path) -> tuple[Path, list[Path], dict[str, dict[str, object]]]:
    """An inbox of synthetic letters (text and PDF, a few bad files) and what a clean run exports."""
    inbox = tmp_path / "inbox"
    files = make_corpus(inbox, 20, seed=18, bad=True, formats=("txt", "pdf"))
    clean_inbox = tmp_path / "clean"
    make_corpus(clean_inbox, 20, seed=18, bad=True, formats=("txt", "pdf"))
    clean_db = f"sqlite:///{tmp_path / 'clean.db'}"
    proc = _ingest(clean_inbox, tmp_path / "clean-data", clean_db)
    assert proc.wait(timeout=300) in (0, 1), proc.communicate()[1]
    return inbox, files, exported(warehouse.make_engine(clean_db))


def _kill_after_planning(inbox: Path, data: Path, db: str, engine: Engine, delay: float) -> bool:
    """Start `imr ingest`, SIGKILL it ``delay`` seconds after it registered its files; whether it
    was still running then."""
    proc = _ingest(inbox, data, db)
    try:
        _wait(lambda: _registered(engine) > 0 or proc.poll() is not None, 120, "the run to plan")
        time.sleep(delay)
        alive = proc.poll() is None
        proc.kill()
    finally:
        proc.wait(timeout=60)
        proc.communicate()
    return alive


def test_killed_runs_and_at_once_a_new_one_load_everything(
    corpus: tuple[Path, list[Path], dict[str, dict[str, object]]], tmp_path: Path
) -> None:
    """One kill, then more in a row (a crash loop), then one run: everything loaded, nothing waits."""
    kills = 3
    inbox, files, clean = corpus
    data, db = tmp_path / "data", f"sqlite:///{tmp_path / 'warehouse.db'}"
    engine = warehouse.make_engine(db)
    killed = sum(_kill_after_planning(inbox, data, db, engine, 0.2 * n) for n in range(kills))
    assert killed >= 1, "no run was killed after planning"
    assert BatchStatus.RUNNING in _statuses(engine), "the killed run left its batch running"

    proc = _ingest(inbox, data, db)  # at once: the claims' 15-minute expiry is not waited out
    out, err = proc.communicate(timeout=300)
    assert proc.returncode in (0, 1), err  # 1: the bad files pass the quarantine threshold
    assert "claimed by another run" not in out
    statuses = _statuses(engine)
    assert BatchStatus.RUNNING not in statuses
    assert statuses.count(BatchStatus.ABANDONED) >= 1
    for b in warehouse.list_batches(engine):
        if b.status == BatchStatus.ABANDONED:
            assert b.status_reason and "died" in b.status_reason and b.finished_at is not None
    assert exported(engine) == clean
    assert letter_files(inbox) == []
    assert len(letter_files(data / "archive") + letter_files(data / "quarantine")) == len(files)


def _interrupt(inbox: Path, data: Path, db: str, sig: signal.Signals) -> tuple[int, str, float]:
    """`imr ingest` of scanned letters (seconds of OCR each), ``sig`` once a letter is through;
    ``(exit status, stderr, seconds from the signal to the exit)``."""
    engine = warehouse.make_engine(db)
    proc = _ingest(inbox, data, db, _env(data))
    try:
        _wait(lambda: _progress(engine) >= 1 or proc.poll() is not None, 240, "a letter to be through")
        assert proc.poll() is None, proc.communicate()
        sent = time.monotonic()
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=120)
        return proc.returncode, err, time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_between_letters_and_closes_the_batch(tmp_path: Path, sig: signal.Signals) -> None:
    if not __import__("shutil").which("tesseract"):
        pytest.skip("scanned letters need the tesseract program")
    inbox, data, db = tmp_path / "inbox", tmp_path / "data", f"sqlite:///{tmp_path / 'warehouse.db'}"
    from imr.synth.corpus import write_corpus

    files = write_corpus(inbox, 5, 5, formats=("pdf",), bad=False, scanned=True)
    (inbox / "gold.jsonl").unlink(missing_ok=True)

    code, err, seconds = _interrupt(inbox, data, db, sig)
    assert code == 128 + sig, err
    lines = [line for line in err.strip().splitlines() if line.startswith("imr ingest:")]
    assert lines and f"interrupted by {sig.name}" in lines[-1], err
    assert "Traceback" not in err
    engine = warehouse.make_engine(db)
    (batch,) = warehouse.list_batches(engine)
    assert batch.status == BatchStatus.INTERRUPTED and batch.status_reason == f"stopped by {sig.name}"
    assert warehouse.list_claims(engine) == [], "its claims are freed"
    with engine.connect() as conn:
        codes = conn.execute(sa.select(source_files.c.reason_codes)).scalars().all()
    assert not any("extract_crash" in (c or []) for c in codes), "the signal never reached the extractor"
    left = letter_files(inbox)
    assert 0 < len(left) < len(files), "stopped between letters: some through, the rest left in place"
    assert seconds < 60

    proc = _ingest(inbox, data, db, _env(data))  # the next run takes the rest at once
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    assert letter_files(inbox) == []
    assert len(exported(engine)) == len(files)


def test_a_temporary_prefect_server_dies_with_its_command(tmp_path: Path) -> None:
    """No PREFECT_API_URL: `imr ingest` starts a temporary server; SIGKILL the command and the
    server goes too (it would otherwise live on as a 200 MB orphan)."""
    inbox, data = tmp_path / "inbox", tmp_path / "data"
    make_corpus(inbox, 3, seed=1)
    env = {k: v for k, v in _env(data).items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    proc = _ingest(inbox, data, f"sqlite:///{tmp_path / 'w.db'}", env)

    def server() -> int | None:
        for child in Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split():
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
            if b"uvicorn" in cmdline:
                return int(child)
        return None

    try:
        _wait(lambda: server() is not None or proc.poll() is not None, 120, "the temporary server")
        pid = server()
        assert pid is not None
        proc.kill()
        proc.wait()
        _wait(lambda: not Path(f"/proc/{pid}").exists() or b"Z" in _state(pid), 30, "the server to end")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.communicate()


def _state(pid: int) -> bytes:
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return b"Z"
    return stat[stat.rindex(b")") + 2 :][:1]


def test_a_missing_inbox_fails_the_deployed_run(tmp_path: Path) -> None:
    """The flow itself (what a deployment runs) fails naming the missing inbox, never green with 0."""
    from flows.ingest import ingest_flow
    from imr.settings import override

    override(data_dir=str(tmp_path / "data"), database_url=f"sqlite:///{tmp_path / 'w.db'}")
    try:
        state = ingest_flow(inboxes=[str(tmp_path / "missing")], return_state=True)
    finally:
        for k in ("IMR_DATA_DIR", "IMR_DATABASE_URL"):
            os.environ.pop(k, None)
        from imr.settings import get_settings

        get_settings.cache_clear()
    assert state.is_failed()
    assert "no such inbox folder" in (state.message or "") or "inbox" in str(state.result(raise_on_failure=False))
