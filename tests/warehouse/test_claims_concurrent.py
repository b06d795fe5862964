"""Concurrent runs through the real ``imr ingest`` CLI (subprocesses, one Prefect API): each file is
processed once, and a SIGKILLed run's claims are taken over by the next run. SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

import warehouse
from imr.extract import extract_file
from imr.synth.corpus import write_corpus
from tests.fixtures_db import BACKENDS
from warehouse import schema as s

pytestmark = [pytest.mark.prefect, pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]

ROOT = Path(__file__).resolve().parents[2]
IMR = [sys.executable, "-m", "imr.cli"]


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A warehouse URL the subprocesses can reach: a SQLite file or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'warehouse.db'}"
        return
    admin: Engine = request.getfixturevalue("postgres_admin")
    schema = f"imr_cc_{uuid.uuid4().hex[:12]}"
    with admin.begin() as conn:
        conn.execute(sa.schema.CreateSchema(schema))
    url = admin.url.update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with admin.begin() as conn:
        conn.execute(sa.schema.DropSchema(schema, cascade=True))


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    from prefect.settings import PREFECT_API_URL

    env = dict(os.environ)
    env.update(
        {
            "PREFECT_API_URL": str(PREFECT_API_URL.value()),
            "PREFECT_LOGGING_EXTRA_LOGGERS": "pipeline",
            "IMR_STABLE_SECONDS": "0",
            "IMR_DATA_DIR": str(tmp / "data"),
            "PYTHONPATH": str(ROOT),
        }
    )
    env.update(extra)
    return env


def _ingest(inbox: Path, url: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "wb") as out:
        return subprocess.Popen(
            [*IMR, "ingest", "--inbox", str(inbox), "--db", url, "--json"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=ROOT,
            start_new_session=True,
        )


def _corpus(inbox: Path, n: int, seed: int) -> tuple[list[Path], int]:
    files = write_corpus(inbox, n, seed, formats=("txt", "pdf"), bad=False)
    (inbox / "gold.jsonl").unlink()
    parsed = sum(1 for f in files if extract_file(f).status == "parsed")
    return files, parsed


def _rows(engine: Engine) -> list[sa.Row[tuple[object, ...]]]:
    with warehouse.reading(engine) as conn:
        return list(conn.execute(sa.select(s.source_files)))


@pytest.mark.timeout(600)
def test_two_runs_started_together_process_each_file_once(db_url: str, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    files, parsed = _corpus(inbox, 60, seed=77)
    env = _env(tmp_path)
    procs = [_ingest(inbox, db_url, env, tmp_path / f"run{i}.log") for i in range(2)]
    codes = [p.wait(timeout=500) for p in procs]
    logs = [(tmp_path / f"run{i}.log").read_text(errors="replace") for i in range(2)]
    assert codes == [0, 0], logs
    engine = warehouse.make_engine(db_url)
    try:
        rows = _rows(engine)
        keys = [(r.sha256, r.inbox, r.rel_path) for r in rows]
        assert len(rows) == len(files) and len(set(keys)) == len(files), "one source_files row per file"
        assert all(r.status in ("loaded", "linked", "rejected", "quarantined") for r in rows)
        assert not [r for r in rows if r.status == "duplicate"], "the other run's files are not duplicates"
        with warehouse.reading(engine) as conn:
            letters = conn.execute(sa.select(sa.func.count()).select_from(s.letters)).scalar_one()
        assert letters + sum(r.status == "linked" for r in rows) == parsed
        assert not [p for p in inbox.rglob("*") if p.is_file()], "every file was settled"
        batches = warehouse.list_batches(engine)
        assert len(batches) == 2 and sum(b.counts.files_seen for b in batches) == len(files)
    finally:
        engine.dispose()


@pytest.mark.timeout(600)
def test_sigkilled_runs_claims_are_taken_over(db_url: str, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    files, parsed = _corpus(inbox, 60, seed=78)
    ttl = 4.0
    env = _env(tmp_path, IMR_CLAIM_TTL_SECONDS=str(ttl))
    engine = warehouse.make_engine(db_url)
    try:
        victim = _ingest(inbox, db_url, env, tmp_path / "victim.log")
        deadline = time.monotonic() + 400
        claimed: list[warehouse.Claim] = []
        while time.monotonic() < deadline and victim.poll() is None:
            try:
                claimed = warehouse.list_claims(engine)
            except Exception:  # the warehouse is being created or migrated by the victim
                claimed = []
            if claimed:
                break
            time.sleep(0.05)
        assert claimed, "the run claimed its files"
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait()
        left = [p for p in inbox.rglob("*") if p.is_file()]
        assert left, "killed before it settled everything"
        (killed,) = warehouse.list_batches(engine)
        assert killed.status == "running"
        time.sleep(ttl + 1)  # the killed run's claims expire
        rc = _ingest(inbox, db_url, env, tmp_path / "next.log").wait(timeout=500)
        assert rc == 0, (tmp_path / "next.log").read_text(errors="replace")
        assert not [p for p in inbox.rglob("*") if p.is_file()], "the next run took over every claimed file"
        rows = _rows(engine)
        final = {(r.sha256, r.inbox, r.rel_path) for r in rows if r.status != "pending"}
        assert len(final) == len(files), "every file has an outcome"
        with warehouse.reading(engine) as conn:
            letters = conn.execute(sa.select(sa.func.count()).select_from(s.letters)).scalar_one()
        assert letters + sum(r.status == "linked" for r in rows) == parsed
        newest = warehouse.list_batches(engine)[0]
        assert {c.batch_id for c in warehouse.list_claims(engine)} <= {newest.id, killed.id}
    finally:
        engine.dispose()
