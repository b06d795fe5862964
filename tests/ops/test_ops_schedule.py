"""Nightly runs come from the Prefect server's own scheduler: a real `imr server` and `imr serve`.

`imr serve` registers the deployments with a one-minute cron (IMR_SCHEDULE_CRON); the server's
scheduler service books the runs (Prefect's `auto-scheduled` tag), `imr serve` executes them,
one loads the synthetic inbox, and the server's log holds no scheduler error (Prefect 3.8.8 and
3.9.0 failed every loop on SQLAlchemy 2.1). The same server answers `prefect deployment ls`.
Takes 1.5-3 minutes: the first run starts on the next minute boundary after registration.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures_prefect import imr_log_lines, imr_server, plain_env, stop, synthetic_inbox, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.prefect]

#: the first run is due on the next minute boundary after registration, plus its own run time
RUN_TIMEOUT = 240


def _nightly_runs(server: Any) -> list[dict[str, Any]]:
    body = {"deployments": {"name": {"any_": ["nightly-ingest"]}}, "sort": "EXPECTED_START_TIME_ASC"}
    runs: list[dict[str, Any]] = server.api("POST", "/flow_runs/filter", body)
    return runs


def test_server_scheduler_books_the_nightly_runs_and_imr_serve_runs_them(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    letters = synthetic_inbox(inbox, count=3)
    data = tmp_path / "data"
    with imr_server(tmp_path / "server") as server:
        env = plain_env(
            PREFECT_API_URL=server.api_url,
            PREFECT_HOME=str(tmp_path / "client-home"),
            IMR_DATA_DIR=str(data),
            IMR_INBOXES=json.dumps([str(inbox)]),
            IMR_STABLE_SECONDS="0",
            IMR_SCHEDULE_CRON="* * * * *",
            IMR_SCHEDULE_TIMEZONE="UTC",
        )
        serve_log = tmp_path / "serve.log"
        with serve_log.open("wb") as out:
            serve = subprocess.Popen(
                [sys.executable, "-m", "imr.cli", "serve"], cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        try:

            def completed() -> dict[str, Any] | None:
                assert serve.poll() is None, "imr serve exited:\n" + serve_log.read_text(errors="replace")
                done = [r for r in _nightly_runs(server) if r["state_type"] in ("COMPLETED", "FAILED", "CRASHED")]
                return done[0] if done else None

            run = wait_for(completed, RUN_TIMEOUT, "a nightly-ingest run to finish")
            runs = _nightly_runs(server)
            listed = subprocess.run(
                [sys.executable, "-m", "prefect", "deployment", "ls"],
                env=env, capture_output=True, text=True, timeout=120, check=False,
            )  # fmt: skip
        finally:
            serve.send_signal(signal.SIGTERM)  # graceful: Prefect pauses the served schedules
            assert stop(serve, timeout=90) == 0, serve_log.read_text(errors="replace")
        nightly = server.api("GET", "/deployments/name/ingest/nightly-ingest")
        imr_lines = imr_log_lines(server, run["id"])

    # the server's scheduler created the runs, ahead of time, one per minute
    assert len(runs) >= 2
    assert all({"auto-scheduled", "imr"} <= set(r["tags"]) for r in runs), [r["tags"] for r in runs]
    assert (run["state_type"], run["state_name"]) == ("COMPLETED", "Completed"), run["state"]
    # ... and the run loaded the inbox (letters archived, batch counts in the warehouse)
    from imr.commands.common import batch_of_run

    batch = batch_of_run(f"sqlite:///{data / 'warehouse.db'}", run["id"])
    assert batch is not None and (batch["kind"], batch["loaded"], batch["files_seen"]) == ("ingest", 3, 3)
    assert not any(p.exists() for p in letters)
    # imr's own log lines reached the flow run's logs (PREFECT_LOGGING_EXTRA_LOGGERS by default)
    assert any(r["level"] == 20 for r in imr_lines), imr_lines  # INFO lines too (counts), not just warnings
    # stopping `imr serve` paused the schedule
    assert nightly["paused"] is True
    # `prefect deployment ls` works against `imr server` (HTTP 422 with fastapi 0.151-0.154)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert "ingest/nightly-ingest" in listed.stdout and "backfill/backfill" in listed.stdout

    server_log = server.log.read_text(errors="replace")
    assert "Can't evaluate bulk DML" not in server_log
    scheduler_errors = [
        line for line in server_log.splitlines() if "schedul" in line.lower() and ("ERROR" in line or "Error" in line)
    ]
    assert not scheduler_errors, scheduler_errors
    assert "Traceback" not in server_log, server_log[-3000:]

