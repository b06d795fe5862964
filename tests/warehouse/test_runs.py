"""A dead run is recognised at once (SQLite file lock, PostgreSQL advisory lock, process identity),
its batch closed ``abandoned`` and its claims taken over without waiting for their expiry; a live
run in another process keeps them."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

import warehouse
from imr.outcomes import BatchStatus, FileStatus
from tests.pipeline_helpers import url_of
from warehouse import runs

KEYS = [(f"{i:064x}", "/srv/inbox", f"letter {i}.pdf") for i in range(3)]
HOUR = 3600.0


def _hold_in_child(url: str, batch_id: str, ready: Path) -> subprocess.Popen[bytes]:
    """Another process that takes the run lock of ``batch_id``, says so, and sleeps holding it."""
    code = textwrap.dedent(
        f"""
        import pathlib, time, warehouse
        from warehouse import runs
        engine = warehouse.make_engine({url!r})
        lease = runs.hold(engine, {batch_id!r})
        pathlib.Path({str(ready)!r}).write_text(__import__("json").dumps(lease.owner.to_dict()))
        time.sleep(120)
        """
    )
    return subprocess.Popen([sys.executable, "-c", code], cwd=Path(__file__).parents[2])


def _wait_for(path: Path) -> str:
    import time

    for _ in range(300):
        if path.exists() and path.read_text():
            return path.read_text()
        time.sleep(0.1)
    raise AssertionError("the child never took its lock")


def _batch_held_by_child(engine: Engine, tmp_path: Path) -> tuple[str, subprocess.Popen[bytes]]:
    import json

    batch_id = "0000aaaa-0000-4000-8000-000000000001"
    ready = tmp_path / "ready"
    child = _hold_in_child(url_of(engine), batch_id, ready)
    owner = json.loads(_wait_for(ready))
    warehouse.start_batch(engine, "ingest", ["/srv/inbox"], batch_id=batch_id, owner=owner)
    assert warehouse.claim_files(engine, batch_id, KEYS, HOUR) == set(KEYS)
    return batch_id, child


def test_a_live_run_in_another_process_keeps_its_claims(engine: Engine, tmp_path: Path) -> None:
    batch_id, child = _batch_held_by_child(engine, tmp_path)
    try:
        assert runs.abandon_dead(engine) == []
        other = warehouse.start_batch(engine, "ingest", ["/srv/inbox"])
        assert warehouse.claim_files(engine, other, KEYS, HOUR) == set()
        assert warehouse.get_batch(engine, batch_id).status == BatchStatus.RUNNING  # type: ignore[union-attr]
    finally:
        child.kill()
        child.wait()


def test_a_killed_run_is_abandoned_at_once_and_its_claims_taken(engine: Engine, tmp_path: Path) -> None:
    batch_id, child = _batch_held_by_child(engine, tmp_path)
    child.kill()  # SIGKILL: no handler, no clean-up; the lock goes with the process
    child.wait()
    dead = runs.abandon_dead(engine)
    assert [d.batch_id for d in dead] == [batch_id]
    row = warehouse.get_batch(engine, batch_id)
    assert row is not None and row.status == BatchStatus.ABANDONED and row.finished_at is not None
    assert row.status_reason and "died" in row.status_reason and f"pid {child.pid}" in row.status_reason
    assert warehouse.list_claims(engine, batch_id) == []
    other = warehouse.start_batch(engine, "ingest", ["/srv/inbox"])
    assert warehouse.claim_files(engine, other, KEYS, HOUR) == set(KEYS), "taken now, not after an hour"
    assert runs.abandon_dead(engine) == [], "closed once"


def test_this_process_s_own_run_is_alive(engine: Engine) -> None:
    batch_id = "0000aaaa-0000-4000-8000-000000000002"
    lease = runs.hold(engine, batch_id)
    try:
        warehouse.start_batch(engine, "ingest", [], batch_id=batch_id, owner=lease.owner.to_dict())
        assert runs.find_dead(engine) == []
    finally:
        runs.release(batch_id)
    # its lock released (a lost PostgreSQL session) while the process lives: still its run
    assert runs.find_dead(engine) == []


def test_a_batch_without_owner_is_left_to_the_claims_expiry(engine: Engine) -> None:
    old = warehouse.start_batch(engine, "ingest", ["/srv/inbox"])  # an older version recorded no owner
    warehouse.claim_files(engine, old, KEYS, HOUR)
    assert runs.abandon_dead(engine) == []
    other = warehouse.start_batch(engine, "ingest", ["/srv/inbox"])
    assert warehouse.claim_files(engine, other, KEYS, HOUR) == set()


def test_a_reused_pid_is_not_the_owner(engine: Engine) -> None:
    """Same host, same pid, another start time: the owner is gone (pid reuse)."""
    me = runs.Owner.of_this_process(None)
    ghost = runs.Owner(me.host, me.boot_id, os.getpid(), (me.start or 0) + 12345, None)
    assert me.process_alive() is True
    assert ghost.process_alive() is False
    batch_id = warehouse.start_batch(engine, "ingest", [], owner=ghost.to_dict())
    assert [d.batch_id for d in runs.abandon_dead(engine)] == [batch_id]


def test_holders_name_the_batch_and_since_when(engine: Engine, tmp_path: Path) -> None:
    batch_id, child = _batch_held_by_child(engine, tmp_path)
    try:
        held = runs.holders(engine, KEYS[:2])
        assert list(held) == [batch_id]
        assert held[batch_id]["files"] == 2 and held[batch_id]["since"]
        assert held[batch_id]["owner"].endswith(f"pid {child.pid}")
    finally:
        child.kill()
        child.wait()


@pytest.mark.parametrize("status", [BatchStatus.ABANDONED, BatchStatus.INTERRUPTED])
def test_closed_batches_are_rerunnable(engine: Engine, status: BatchStatus) -> None:
    from pipeline.planning import plan_rerun

    batch_id = warehouse.start_batch(engine, "ingest", ["/srv/inbox"])
    fid = warehouse.register_file(engine, batch_id, "/srv/inbox", "a.txt", "a" * 64, 1, "text/plain")
    warehouse.register_file(engine, batch_id, "/srv/inbox", "b.txt", "b" * 64, 1, "text/plain")
    warehouse.mark_file(engine, fid, FileStatus.REJECTED, ["empty_file"], {"empty_file": "no bytes"})
    warehouse.claim_files(engine, batch_id, KEYS, HOUR)
    row = runs.close_batch(engine, batch_id, status, "test")
    assert (row.status, row.status_reason) == (status, "test")
    assert (row.counts.files_seen, row.counts.rejected, row.counts.pending) == (2, 1, 1)
    assert warehouse.list_claims(engine, batch_id) == [], "its claims are freed"
    rerun = warehouse.start_batch(engine, "rerun", [], parent_batch_id=batch_id)
    assert plan_rerun(engine, rerun, batch_id).work == [], "the files are gone from the inbox: nothing to redo"


def test_imr_batches_shows_a_dead_run_and_the_next_run_closes_it(
    engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from imr.cli import main

    batch_id, child = _batch_held_by_child(engine, tmp_path)
    child.kill()
    child.wait()
    assert main(["batches", "--db", url_of(engine)]) == 0
    out = capsys.readouterr().out
    assert "running (dead)" in out and "the next run closes it abandoned" in out
    assert warehouse.get_batch(engine, batch_id).status == BatchStatus.RUNNING  # type: ignore[union-attr]
    runs.abandon_dead(engine)
    assert main(["batches", "--db", url_of(engine), "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["status"], row["dead"]) == ("abandoned", False)
    assert row["owner"]["pid"] == child.pid and "died" in row["status_reason"]
