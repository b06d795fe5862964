"""The work-pool path: `prefect.yaml` + `prefect deploy --all` + `prefect worker start --pool`.

- ``prefect.yaml`` declares the same four deployments as `imr serve` (names, flows, schedule,
  tags, required parameters);
- against a real `imr server`: create the process pool, deploy from the repository root, trigger
  one backfill run, start a worker, and see the run Completed with its letters loaded.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.fixtures_prefect import ROOT, imr_log_lines, imr_server, plain_env, stop, synthetic_inbox, wait_for

pytestmark = pytest.mark.prefect

PREFECT_YAML = ROOT / "prefect.yaml"
POOL = "imr-process"


def _spec() -> dict[str, Any]:
    spec = yaml.safe_load(PREFECT_YAML.read_text())
    assert isinstance(spec, dict)
    return spec


def test_prefect_yaml_declares_the_deployments_of_imr_serve() -> None:
    from flows.deployments import build_deployments
    from imr.settings import Settings

    served = {d.name: d for d in build_deployments(Settings())}
    declared = {d["name"]: d for d in _spec()["deployments"]}
    assert list(declared) == list(served) == ["nightly-ingest", "rerun", "backfill", "review"]
    for name, d in declared.items():
        assert d["entrypoint"] == served[name].entrypoint  # module paths: flows.<module>.<flow>
        assert d["tags"] == served[name].tags
        assert d["work_pool"]["name"] == POOL
        env = d["work_pool"]["job_variables"]["env"]
        assert env["PREFECT_LOGGING_EXTRA_LOGGERS"] == "imr"
        served_schedules = [(s.schedule.cron, s.schedule.timezone) for s in served[name].schedules or []]  # type: ignore[union-attr]
        assert [(s["cron"], s["timezone"]) for s in d.get("schedules") or []] == served_schedules
    assert declared["nightly-ingest"]["schedules"][0]["cron"] == Settings().schedule_cron


def _prefect(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "prefect", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"prefect {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.mark.slow
def test_deploy_and_a_process_worker_run_the_backfill_deployment(tmp_path: Path) -> None:
    folder = tmp_path / "history"
    synthetic_inbox(folder, count=3, seed=11)
    data = tmp_path / "data"
    with imr_server(tmp_path / "server") as server:
        env = plain_env(
            PREFECT_API_URL=server.api_url,
            PREFECT_HOME=str(tmp_path / "client-home"),
            PWD=str(ROOT),  # what a shell in the repository root has; prefect.yaml reads it
            IMR_DATA_DIR=str(data),
        )
        _prefect(["work-pool", "create", POOL, "--type", "process"], env)
        _prefect(["--no-prompt", "deploy", "--all"], env)
        again = _prefect(["--no-prompt", "deploy", "--all"], env)  # after every change of prefect.yaml
        assert "Warning" not in again.stderr, again.stderr[-2000:]
        listed = _prefect(["deployment", "ls"], env).stdout
        nightly = server.api("GET", "/deployments/name/ingest/nightly-ingest")

        out = _prefect(["deployment", "run", "backfill/backfill", "-p", f"folder={folder}"], env).stdout
        found = re.search(r"UUID: ([0-9a-f-]{36})", out)
        assert found, out
        run_id = found.group(1)
        worker_log = tmp_path / "worker.log"
        with worker_log.open("wb") as log:
            worker = subprocess.Popen(
                [sys.executable, "-m", "prefect", "worker", "start", "--pool", POOL],
                cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:

            def finished() -> dict[str, Any] | None:
                assert worker.poll() is None, "worker exited:\n" + worker_log.read_text(errors="replace")
                run: dict[str, Any] = server.api("GET", f"/flow_runs/{run_id}")
                return run if run["state_type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") else None

            run = wait_for(finished, 180, "the backfill run to finish")
        finally:
            stop(worker, timeout=30)
        imr_lines = imr_log_lines(server, run_id)

    for name in ("ingest/nightly-ingest", "rerun/rerun", "backfill/backfill"):
        assert name in listed
    assert nightly["work_pool_name"] == POOL and nightly["entrypoint"] == "flows.ingest.ingest_flow"
    schedule = nightly["schedules"][0]["schedule"]
    assert (schedule["cron"], schedule["timezone"]) == ("0 2 * * *", "America/Los_Angeles")
    assert nightly["job_variables"]["env"]["PREFECT_LOGGING_SETTINGS_PATH"] == str(ROOT / "imr/prefect_logging.yml")

    assert (run["state_type"], run["state_name"]) == ("COMPLETED", "Completed"), run["state"]
    from imr.commands.common import batch_of_run

    batch = batch_of_run(f"sqlite:///{data / 'warehouse.db'}", run_id)
    assert batch is not None and (batch["kind"], batch["loaded"]) == ("backfill", 3)
    assert any(r["level"] == 20 for r in imr_lines), imr_lines  # imr's INFO lines reach the UI here too
