"""A flow run whose process died is marked Crashed by the Prefect server itself (issue 18, item 2).

- the automation (``flows.automations``): Prefect's zombie-flow recipe, read back by the server's
  own trigger model: after a heartbeat of a run tagged ``imr``, any event of that run within 3
  heartbeats (custom state names such as ``CompletedWithQuarantine`` included), else Crashed;
- ``imr automations`` (the work-pool path's command) run twice, plus a duplicate made by hand,
  leaves one automation, updated, on a real ``imr server``; ``prefect.yaml`` beats at the same
  period;
- the real path: ``imr server``, ``imr serve`` (which creates the automation at start) running
  the nightly-ingest deployment on an inbox whose letter is still being written (the run waits
  ``stable_seconds`` for it), beating every 30 s; the whole ``imr serve`` process tree SIGKILLed
  after two heartbeats (a lost machine: nothing is left to report the run), and the run Crashed by
  the automation about 90 s after its last heartbeat. The file takes about 3 minutes.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.fixtures_prefect import ROOT, ImrServer, imr_server, plain_env, synthetic_inbox, wait_for

pytestmark = pytest.mark.prefect

#: heartbeat 30 s, window 90 s: the run is marked about 90-100 s after its last heartbeat
CRASH_TIMEOUT = 180


def test_the_automation_is_prefects_zombie_recipe_for_imrs_runs() -> None:
    from prefect.client.schemas.objects import StateType
    from prefect.events.actions import ChangeFlowRunState
    from prefect.events.schemas.automations import EventTrigger, Posture
    from prefect.server.events.schemas.automations import EventTrigger as ServerEventTrigger
    from prefect.server.events.schemas.events import RelatedResource, Resource

    from flows.automations import CRASHED_MESSAGE, ZOMBIE_AUTOMATION, as_document, zombie_automation

    spec = zombie_automation(30)
    trigger = spec.trigger
    assert spec.name == ZOMBIE_AUTOMATION and spec.enabled
    assert isinstance(trigger, EventTrigger)
    assert trigger.posture == Posture.Proactive and trigger.threshold == 1
    assert trigger.after == {"prefect.flow-run.heartbeat"} and trigger.for_each == {"prefect.resource.id"}
    assert trigger.within == timedelta(seconds=90)  # 3 heartbeats of 30 s
    assert zombie_automation(60).trigger.within == timedelta(seconds=180)  # type: ignore[union-attr]
    with pytest.raises(ValueError):
        zombie_automation(20)  # Prefect beats at most every 30 s
    [action] = spec.actions
    assert isinstance(action, ChangeFlowRunState)
    assert (action.state, action.message, action.force) == (StateType.CRASHED, CRASHED_MESSAGE, False)

    # what the server makes of it (its own trigger model, from the document the API receives)
    server = ServerEventTrigger.model_validate(as_document(spec)["trigger"])
    assert server.starts_after("prefect.flow-run.heartbeat") and not server.starts_after("prefect.flow-run.Running")
    for name in ("heartbeat", "Completed", "CompletedWithQuarantine", "Failed", "Crashed", "Cancelled"):
        assert server.expects(f"prefect.flow-run.{name}"), name  # a state event is named after the state's name
    run = Resource({"prefect.resource.id": "prefect.flow-run.8d6f0f3e-2a49-4c1e-9d5e-0c1b2a3d4e5f"})
    imr_tag = RelatedResource({"prefect.resource.id": "prefect.tag.imr", "prefect.resource.role": "tag"})
    other_tag = RelatedResource({"prefect.resource.id": "prefect.tag.etl", "prefect.resource.role": "tag"})
    assert server.covers_resources(run, [other_tag, imr_tag])
    assert not server.covers_resources(run, [other_tag])  # another team's run beating every 180 s: left alone
    assert not server.covers_resources(Resource({"prefect.resource.id": "prefect.task-run.1"}), [imr_tag])


def test_prefect_yaml_runs_beat_at_the_period_the_automation_expects() -> None:
    from imr.settings import Settings

    spec = yaml.safe_load((ROOT / "prefect.yaml").read_text())
    for deployment in spec["deployments"]:
        env = deployment["work_pool"]["job_variables"]["env"]
        assert env["PREFECT_FLOWS_HEARTBEAT_FREQUENCY"] == str(Settings().heartbeat_seconds) == "30"
        assert "imr" in deployment["tags"]  # the automation watches runs tagged imr


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ImrServer]:
    with imr_server(tmp_path_factory.mktemp("zombies") / "server") as running:
        yield running


def _api(server: ImrServer, method: str, path: str, body: Any = None) -> Any:
    """``server.api``, again after a 503 (a busy SQLite: Prefect's own client retries those too)."""
    import httpx

    for _ in range(10):
        try:
            return server.api(method, path, body)
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code != 503:
                raise
            time.sleep(1)
    return server.api(method, path, body)


def _automations(server: ImrServer) -> list[dict[str, Any]]:
    from flows.automations import ZOMBIE_AUTOMATION

    found: list[dict[str, Any]] = _api(
        server, "POST", "/automations/filter", {"automations": {"name": {"any_": [ZOMBIE_AUTOMATION]}}}
    )
    return found


def test_imr_automations_twice_leaves_one_automation(server: ImrServer, tmp_path: Path) -> None:
    from flows.automations import as_document, zombie_automation

    env = plain_env(PREFECT_API_URL=server.api_url, PREFECT_HOME=str(tmp_path / "client-home"))

    def imr_automations(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "imr.cli", "automations", *args],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    assert "created" in imr_automations("--heartbeat-seconds", "60")
    assert [a["trigger"]["within"] for a in _automations(server)] == [180.0]
    _api(server, "POST", "/automations/", as_document(zombie_automation(30)))  # a duplicate, made by hand
    assert len(_automations(server)) == 2
    out = imr_automations()  # the default heartbeat: IMR_HEARTBEAT_SECONDS, 30
    assert "updated, 1 duplicate(s) removed" in out, out
    [automation] = _automations(server)
    assert automation["enabled"] and automation["trigger"]["within"] == 90.0
    assert automation["actions"][0]["state"] == "CRASHED"
    trigger_id = automation["trigger"]["id"]
    imr_automations()  # `imr serve` restarted: the runs the server watches are keyed by the trigger's id
    assert [a["trigger"]["id"] for a in _automations(server)] == [trigger_id]


def _tree(pid: int) -> list[Any]:
    import psutil

    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def _heartbeats(server: ImrServer, run_id: str) -> list[dict[str, Any]]:
    body = {
        "filter": {
            "event": {"name": ["prefect.flow-run.heartbeat"]},
            "resource": {"id": [f"prefect.flow-run.{run_id}"]},
        },
        "limit": 50,
    }
    events: list[dict[str, Any]] = _api(server, "POST", "/events/filter", body)["events"]
    return events


@pytest.mark.slow
def test_a_run_whose_process_was_killed_is_marked_crashed(server: ImrServer, tmp_path: Path) -> None:
    from flows.automations import CRASHED_MESSAGE

    inbox = tmp_path / "inbox"
    synthetic_inbox(inbox, count=1)  # written just now: the run waits stable_seconds for it
    env = plain_env(
        PREFECT_API_URL=server.api_url,
        PREFECT_HOME=str(tmp_path / "client-home"),
        IMR_DATA_DIR=str(tmp_path / "data"),
        IMR_INBOXES=json.dumps([str(inbox)]),
    )
    serve_log = tmp_path / "serve.log"
    with serve_log.open("wb") as out:
        serve = subprocess.Popen(
            [sys.executable, "-m", "imr.cli", "serve"],
            cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:

        def registered() -> dict[str, Any] | None:
            assert serve.poll() is None, "imr serve exited:\n" + serve_log.read_text(errors="replace")
            try:
                deployment: dict[str, Any] = _api(server, "GET", "/deployments/name/ingest/nightly-ingest")
            except Exception:
                return None
            return deployment if "automation imr-crash-zombie-flow-runs" in serve_log.read_text() else None

        deployment = wait_for(registered, 120, "imr serve to create the automation and register its deployments")
        parameters = {"stable_seconds": 600, "wait_for_stable": True}
        run_id = _api(server, "POST", f"/deployments/{deployment['id']}/create_flow_run", {"parameters": parameters})[
            "id"
        ]

        def beating() -> list[dict[str, Any]]:
            assert serve.poll() is None, "imr serve exited:\n" + serve_log.read_text(errors="replace")
            beats = _heartbeats(server, run_id)
            return beats if len(beats) >= 2 else []

        beats = wait_for(beating, 150, "the run's first two heartbeats to reach the server", period=1)
        before = _api(server, "GET", f"/flow_runs/{run_id}")
        processes = _tree(serve.pid)
        os.killpg(serve.pid, signal.SIGKILL)  # the machine is gone: imr serve and the run's process
        for process in processes:
            if process.is_running():
                process.kill()
        killed = time.monotonic()
        serve.wait(timeout=30)

        def crashed() -> dict[str, Any] | None:
            run: dict[str, Any] = _api(server, "GET", f"/flow_runs/{run_id}")
            return run if run["state_type"] != "RUNNING" else None

        after = wait_for(crashed, CRASH_TIMEOUT, "the dead run to leave Running", period=2)
        seconds = time.monotonic() - killed
        last_beat = max(datetime.fromisoformat(e["occurred"]) for e in _heartbeats(server, run_id))
    finally:
        with contextlib.suppress(ProcessLookupError):  # whatever happened: none of its processes lives on
            os.killpg(serve.pid, signal.SIGKILL)
        serve.wait(timeout=30)

    assert before["state_type"] == "RUNNING"
    first, second = sorted(datetime.fromisoformat(e["occurred"]) for e in beats)[:2]
    assert 25 <= (second - first).total_seconds() <= 40, beats  # IMR_HEARTBEAT_SECONDS reached the run: 30 s
    assert len(processes) >= 2, "the run executes in a child process of imr serve"
    assert (after["state_type"], after["state"]["message"]) == ("CRASHED", CRASHED_MESSAGE), after["state"]
    marked = datetime.fromisoformat(after["state"]["timestamp"])
    silent = (marked - last_beat).total_seconds()
    print(f"\nkilled -> Crashed in {seconds:.0f} s; last heartbeat -> Crashed {silent:.0f} s")
    assert 89 <= silent <= 90 + 30, silent  # the 90 s window, plus the server's evaluation period
