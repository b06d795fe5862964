"""SIGKILL at random moments of `imr ingest` (the real CLI, in a subprocess, on a real Prefect API)
loses nothing: after the kills, one more run leaves the warehouse exactly as a clean run would,
with every file archived or quarantined and nothing left in the inbox."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import warehouse
from tests.pipeline_helpers import exported, letter_files, make_corpus

pytestmark = [pytest.mark.slow, pytest.mark.prefect, pytest.mark.usefixtures("prefect_harness")]

KILLS = int(os.environ.get("IMR_TEST_SIGKILLS", "5"))


def _ingest(inbox: Path, data: Path, db: str) -> subprocess.Popen[bytes]:
    from prefect.settings import PREFECT_API_URL

    env = {
        **os.environ,
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),
        "IMR_DATA_DIR": str(data),
        "IMR_STABLE_SECONDS": "0",
        "IMR_CHUNK_SIZE": "5",
        "IMR_CLAIM_TTL_SECONDS": "1",  # a killed run's claims are taken over after a second
    }
    argv = [sys.executable, "-m", "imr.cli", "ingest", "--inbox", str(inbox), "--db", db, "--retries", "0"]
    return subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _letter_rows(engine: object) -> dict[str, int]:
    """Rows of the letter tables (the ledger, batch, claim and batch-result tables differ by design:
    the kills left batches of their own)."""
    from tests.fixtures_db import count_rows

    rows = count_rows(engine)  # type: ignore[arg-type]
    per_run = ("ingest_batches", "source_files", "quarantine_reasons", "dq_results", "file_claims", "batch_progress")
    return {t: n for t, n in rows.items() if t not in per_run}


def test_sigkills_at_random_moments_lose_nothing(tmp_path: Path) -> None:
    inbox, data = tmp_path / "inbox", tmp_path / "data"
    files = make_corpus(inbox, 40, seed=41, bad=True, formats=("txt", "pdf"))
    clean_inbox = tmp_path / "clean-inbox"
    shutil.copytree(inbox, clean_inbox, symlinks=True)
    clean_db = f"sqlite:///{tmp_path / 'clean.db'}"
    assert _ingest(clean_inbox, tmp_path / "clean-data", clean_db).wait(timeout=300) in (0, 1)

    db = f"sqlite:///{tmp_path / 'warehouse.db'}"
    rng = random.Random(41)
    killed = 0
    for _ in range(KILLS):
        if not letter_files(inbox):
            break
        proc = _ingest(inbox, data, db)
        time.sleep(rng.uniform(1.0, 10.0))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.wait(timeout=60)
    time.sleep(1.5)  # let the killed runs' file claims expire
    assert _ingest(inbox, data, db).wait(timeout=300) in (0, 1)
    assert killed >= 1, "no run was killed: the kill window missed every run"

    engine, clean = warehouse.make_engine(db), warehouse.make_engine(clean_db)
    assert exported(engine) == exported(clean)
    assert _letter_rows(engine) == _letter_rows(clean)
    assert letter_files(inbox) == [], "every file reached the archive or the quarantine"
    moved = letter_files(data / "archive") + letter_files(data / "quarantine")
    assert len(moved) == len(files), "no file lost, none duplicated"
    engine.dispose()
    clean.dispose()
