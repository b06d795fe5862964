"""Drift monitoring where users see it: real letters through the ingest flow. A batch of ordinary
real letters raises no overturn alarm; a batch made only of the real letters with overturned items
fails `overturn_share_within_history`, lists it in `imr batches --json`, emits
`imr.batch.drift-detected`, and the trend and headline tables are published with stable keys."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from expectations.drift import DRIFT_EVENT, TREND_ARTIFACT_KEY
from imr.cli import main
from tasks.publish import HEADLINE_KEY
from tests.fixtures_prefect import harness_post
from tests.pipeline_helpers import run_batch, settings_for, url_of

pytestmark = [pytest.mark.prefect, pytest.mark.corpus, pytest.mark.usefixtures("prefect_harness")]

OVERTURN = "overturn_share_within_history"


def _api(path: str, body: dict[str, Any]) -> Any:
    return harness_post(path, body).json()


def _inbox(real_dir: Path, folder: Path, records: list[dict[str, Any]]) -> Path:
    folder.mkdir(parents=True)
    for r in records:
        shutil.copy2(real_dir / "pdf" / r["source"]["path"], folder / r["source"]["path"])
    return folder


def test_only_overturned_real_letters_drift_ordinary_ones_do_not(
    engine: Engine, real_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gold = [json.loads(line) for line in (real_dir / "gold.jsonl").read_text().splitlines() if line.strip()]
    overturned = [g for g in gold if any(i["decision"] == "overturned" for i in g["letter"]["items"])]
    ordinary = [g for g in gold if g not in overturned]
    assert len(overturned) >= 10 and len(ordinary) >= 40
    settings = settings_for(tmp_path, chunk_size=50, quarantine_threshold=0.9)

    calm = run_batch(engine, _inbox(real_dir, tmp_path / "ordinary", ordinary), settings)
    calm_drift = {r.expectation: r for r in calm.expectations if r.suite == "drift"}
    assert calm_drift[OVERTURN].verdict == "passed"

    odd = run_batch(engine, _inbox(real_dir, tmp_path / "overturned", overturned), settings)
    odd_drift = {r.expectation: r for r in odd.expectations if r.suite == "drift"}
    assert odd_drift[OVERTURN].verdict == "failed" and odd_drift[OVERTURN].failed == 1
    assert odd.status == calm.status == "completed"  # drift warns, it never fails or quarantines

    assert main(["batches", "--db", url_of(engine), "--json"]) == 0
    listed = {b["id"]: b for b in json.loads(capsys.readouterr().out)}
    assert OVERTURN in listed[odd.batch_id]["failed_expectations"]
    assert OVERTURN not in listed[calm.batch_id]["failed_expectations"]

    deadline = time.monotonic() + 60  # events are persisted asynchronously
    while True:
        events = _api("/events/filter", {"filter": {"event": {"name": [DRIFT_EVENT]}}, "limit": 50})["events"]
        ours = [e for e in events if e["resource"]["prefect.resource.id"] == f"imr.batch.{odd.batch_id}"]
        if ours or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert len(ours) == 1 and OVERTURN in ours[0]["payload"]["failed_names"]
    assert not [e for e in events if e["resource"]["prefect.resource.id"] == f"imr.batch.{calm.batch_id}"]

    newest = {"sort": "CREATED_DESC", "limit": 1}
    trend = _api("/artifacts/filter", {"artifacts": {"key": {"any_": [TREND_ARTIFACT_KEY]}}, **newest})
    rows = json.loads(trend[0]["data"]) if isinstance(trend[0]["data"], str) else trend[0]["data"]
    assert [r["batch_id"] for r in rows][-2:] == [calm.batch_id, odd.batch_id]
    assert OVERTURN in rows[-1]["failed_checks"]
    assert _api("/artifacts/filter", {"artifacts": {"key": {"any_": [HEADLINE_KEY]}}, "limit": 1})
