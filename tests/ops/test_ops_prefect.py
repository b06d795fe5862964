"""Operations against a real Prefect API (the session's test harness).

- the reporting task's artifacts, the final states, the threshold event and its automation
  (a notification block pointed at a local webhook receives the alert);
- the four deployments registered from ``build_deployments`` and read back via the client.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from tests.fixtures_prefect import harness_post, wait_for

pytestmark = [pytest.mark.prefect, pytest.mark.usefixtures("prefect_harness")]

ROOT = Path(__file__).resolve().parents[2]
AUTOMATION = ROOT / "scripts" / "automations" / "quarantine-threshold-breached.yaml"


def api_post(path: str, body: dict[str, Any]) -> Any:
    """POST a filter body to the harness API (tests send only the fields they mean; the clients'
    filter methods send nulls, which FastAPI 0.151-0.154 rejected with 422)."""
    return harness_post(path, body).json()


def _summary(batch_id: str, rejected: int, quarantined: int) -> Any:
    """A batch summary as the pipeline's summarise step makes it (threshold 25 %)."""
    from expectations import EXPECTATIONS
    from imr.outcomes import BatchCounts, ExpectationResult, decide
    from pipeline.summary import BatchSummary

    crit = next(e for e in EXPECTATIONS if e.level == "critical")
    warn = next(e for e in EXPECTATIONS if e.level == "warning")
    counts = BatchCounts(files_seen=10, loaded=10 - rejected - quarantined, rejected=rejected, quarantined=quarantined)
    return BatchSummary(
        batch_id,
        "ingest",
        counts,
        decide("ingest", counts, threshold=0.25, label=batch_id),
        reason_codes={"pdf_corrupt": rejected, f"dq_{crit.name}": quarantined},
        expectations=[
            ExpectationResult(crit.suite, crit.name, "critical", 8, 2),
            ExpectationResult(warn.suite, warn.name, "warning", 20, 0),
        ],
        quarantined_cases=[f"CM26-{i:07d}" for i in range(quarantined)],
    )


def _run(summary: Any) -> Any:
    """Run the ingest flows' reporting tail (progress, artifacts, final state) on ``summary``."""
    from prefect import flow

    from imr.settings import Settings
    from tasks.publish import IngestProgress, final_state, publish_batch_report

    settings = Settings(quarantine_threshold=0.25)

    @flow(name="ops-report-check")
    def report_flow() -> Any:
        progress = IngestProgress(total=3, description=f"batch {summary.batch_id}")
        for _ in range(3):
            progress.advance()
        publish_batch_report(summary, settings)
        return final_state(summary)

    return report_flow(return_state=True)


class _Hook(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        _Hook.received.append(json.loads(self.rfile.read(length) or b"{}"))
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Hook.received.clear()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()


def test_states_artifacts_and_progress() -> None:
    clean = _run(_summary("ops-clean", 0, 0))
    some_summary = _summary("ops-some", 1, 1)
    some = _run(some_summary)
    assert (clean.type.value, clean.name) == ("COMPLETED", "Completed")
    assert (some.type.value, some.name) == ("COMPLETED", "CompletedWithQuarantine")
    assert "8 loaded, 1 rejected, 1 quarantined" in (some.message or "")
    assert some.result()["batch_id"] == "ops-some"  # the flow run's result is the summary

    run_id = str(some.state_details.flow_run_id)
    arts = api_post("/artifacts/filter", {"artifacts": {"flow_run_id": {"any_": [run_id]}}})
    by_key = {a["key"]: a for a in arts}
    assert set(by_key) == {"imr-ingest-summary", "imr-dq-expectations", "imr-ingest-progress"}
    md = str(by_key["imr-ingest-summary"]["data"])
    crit, warn = (e.expectation for e in some_summary.expectations)
    assert "imr rerun ops-some" in md and "CM26-0000000" in md and f"dq_{crit}" in md
    table = by_key["imr-dq-expectations"]["data"]
    rows = json.loads(table) if isinstance(table, str) else table
    assert {r["expectation"]: r["failure_rate"] for r in rows} == {crit: 0.25, warn: 0.0}
    assert by_key["imr-ingest-progress"]["data"] == 100.0
    # stable keys: every batch adds a version to the same artifact history
    history = api_post("/artifacts/filter", {"artifacts": {"key": {"any_": ["imr-ingest-summary"]}}})
    assert len(history) >= 2


def _automation_spec(block_id: str) -> dict[str, Any]:
    import yaml

    spec = yaml.safe_load(AUTOMATION.read_text())
    assert isinstance(spec, dict)
    for action in spec["actions"]:
        action["block_document_id"] = block_id
    return spec


def test_breach_fails_run_emits_event_and_automation_notifies(webhook: str, tmp_path: Path) -> None:
    from prefect.blocks.notifications import CustomWebhookNotificationBlock
    from prefect.settings import PREFECT_API_URL

    block = CustomWebhookNotificationBlock(
        name="imr-alert",
        url=webhook,
        json_data={"subject": "{{subject}}", "body": "{{body}}"},  # type: ignore[arg-type]
    )
    block_id = block.save("imr-ops-test-hook", overwrite=True)
    spec_file = tmp_path / "automation.json"
    spec_file.write_text(json.dumps(_automation_spec(str(block_id))))
    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
    created = subprocess.run(
        [sys.executable, "-m", "prefect", "automation", "create", "--from-file", str(spec_file)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert created.returncode == 0, created.stdout + created.stderr
    time.sleep(2)  # the triggers service reloads automations

    state = _run(_summary("ops-breach", 2, 2))  # 4/10 > 25 %
    assert state.type.value == "FAILED" and "4/10" in (state.message or "")
    from pipeline.summary import BatchFailedError

    failure = state.result(raise_on_failure=False)  # the summary rides on the error, no TypeError
    assert isinstance(failure, BatchFailedError) and failure.summary["status"] == "failed"

    deadline = time.monotonic() + 60
    while not _Hook.received and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _Hook.received, "the automation did not notify the webhook within 60 s"
    note = _Hook.received[0]
    assert "ops-breach" in note["subject"] and "quarantined 2" in note["body"]

    query = {
        "filter": {
            "event": {"name": ["imr.batch.quarantine-threshold-breached"]},
            "resource": {"id": ["imr.batch.ops-breach"]},
        },
        "limit": 10,
    }

    def stored() -> list[dict[str, Any]]:
        events = api_post("/events/filter", query)["events"]
        return [e for e in events if e["resource"]["prefect.resource.id"] == "imr.batch.ops-breach"]

    # the triggers see an event as it streams in; the events API once the server has stored it
    ours = wait_for(stored, 30, "the breach event stored by the server", period=0.5)
    assert len(ours) == 1
    assert set(ours[0]["payload"]) == {
        "batch_id", "files_seen", "loaded", "duplicates", "linked", "rejected", "quarantined", "failed",
        "quarantine_rate", "threshold",
    }  # fmt: skip
    assert any(r["prefect.resource.id"].startswith("prefect.flow-run.") for r in ours[0]["related"])


def _flows() -> Any:
    """The real flows of ``flows.ingest``."""
    from flows.deployments import default_flows

    try:
        return default_flows()
    except ImportError as e:  # pragma: no cover - only while flows/ingest.py is being written
        pytest.skip(f"flows.ingest is not importable yet: {e}")


def test_deployments_register_with_schedule_and_parameters() -> None:
    from prefect import get_client

    from flows.deployments import build_deployments
    from imr.settings import Settings

    settings = Settings(schedule_cron="30 3 * * 1-5", schedule_timezone="Europe/Paris")
    deployments = build_deployments(settings, _flows())
    assert [d.name for d in deployments] == ["nightly-ingest", "rerun", "backfill", "review"]
    for d in deployments:
        d.apply()

    with get_client(sync_client=True) as client:
        nightly = client.read_deployment_by_name("ingest/nightly-ingest")
        rerun = client.read_deployment_by_name("rerun/rerun")
        backfill = client.read_deployment_by_name("backfill/backfill")
        review = client.read_deployment_by_name("review/review")

    assert len(nightly.schedules) == 1
    cron = nightly.schedules[0].schedule
    assert (getattr(cron, "cron", None), getattr(cron, "timezone", None)) == ("30 3 * * 1-5", "Europe/Paris")
    assert nightly.schedules[0].active
    assert nightly.entrypoint == "flows.ingest.ingest_flow"
    assert "inboxes" in nightly.parameter_openapi_schema["properties"]

    for dep, param in ((rerun, "batch_id"), (backfill, "folder")):
        assert dep.schedules == []
        schema = dep.parameter_openapi_schema
        assert schema["properties"][param]["type"] == "string"
        assert param in schema["required"]  # the UI asks for it before "Run"
        assert dep.enforce_parameter_schema
        assert "imr" in dep.tags
    assert review.schedules == [] and review.entrypoint == "flows.review.review_flow"
    assert "item_id" in review.parameter_openapi_schema["properties"]
    assert "item_id" not in review.parameter_openapi_schema.get("required", [])  # default: the oldest waiting


def test_stopping_serve_pauses_the_scheduled_deployments_only() -> None:
    """``serve_all`` pauses what has a schedule once serving ends, whatever Prefect's runner managed
    on its way out; an on-demand deployment is left as it is."""
    from prefect import get_client

    from flows.deployments import build_deployments, pause_scheduled
    from imr.settings import Settings

    deployments = build_deployments(Settings(), _flows())
    for d in deployments:
        d.apply()
    with get_client(sync_client=True) as client:
        assert not client.read_deployment_by_name("ingest/nightly-ingest").paused
        pause_scheduled(deployments)
        pause_scheduled(deployments)  # already paused: nothing to do, no error
        assert client.read_deployment_by_name("ingest/nightly-ingest").paused
        assert not client.read_deployment_by_name("rerun/rerun").paused


def test_default_schedule_is_2am_los_angeles() -> None:
    from flows.deployments import nightly_schedule
    from imr.settings import Settings

    cron = nightly_schedule(Settings())
    assert (getattr(cron, "cron", None), getattr(cron, "timezone", None)) == ("0 2 * * *", "America/Los_Angeles")


def test_create_automation_script_is_idempotent() -> None:
    from prefect import get_client
    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
    script = [sys.executable, str(ROOT / "scripts" / "create_automation.py"), "--webhook-url", "http://127.0.0.1:9/x"]
    for _ in range(2):
        done = subprocess.run(script, env=env, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
    with get_client(sync_client=True) as client:
        found = client.read_automations_by_name("imr-quarantine-threshold-breached")
    assert len(found) == 1
    trigger = found[0].trigger
    assert getattr(trigger, "expect", None) == {"imr.batch.quarantine-threshold-breached"}
    assert found[0].actions[0].type == "send-notification"
