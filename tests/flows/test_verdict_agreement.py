"""One verdict everywhere: the exit code of `imr ingest`, its printed status, `imr batches --json`
and the Prefect flow run's state agree, for a clean batch and for one above the threshold."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from imr.cli import main
from tests.pipeline_helpers import make_corpus

pytestmark = [pytest.mark.prefect, pytest.mark.usefixtures("prefect_harness")]


def _flow_run_state(flow_run_id: str) -> tuple[str, str]:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        state = client.read_flow_run(flow_run_id).state
    assert state is not None
    return state.type.value, str(state.name)


def _ingest(inbox: Path, db: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object]]:
    code = main(["ingest", "--inbox", str(inbox), "--db", db, "--json"])
    printed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert main(["batches", "--db", db, "--json"]) == 0
    (listed,) = [b for b in json.loads(capsys.readouterr().out) if b["id"] == printed["batch_id"]]
    assert listed["status"] == printed["status"]
    return code, listed


@pytest.mark.parametrize(
    ("bad", "threshold", "status", "state", "exit_code"),
    [
        (False, "0.2", "completed", ("COMPLETED", "Completed"), 0),
        (True, "0.5", "completed_with_quarantine", ("COMPLETED", "CompletedWithQuarantine"), 0),
        (True, "0.05", "failed", ("FAILED", "Failed"), 1),
    ],
)
def test_verdict_agrees_everywhere(
    bad: bool,
    threshold: str,
    status: str,
    state: tuple[str, str],
    exit_code: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("IMR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("IMR_STABLE_SECONDS", "0")
    monkeypatch.setenv("IMR_QUARANTINE_THRESHOLD", threshold)
    inbox = tmp_path / "inbox"
    make_corpus(inbox, 8, seed=31, bad=bad)
    if bad:  # a few rejected files among the letters
        shutil.copy2(next(inbox.glob("*.txt")), inbox / "broken.pdf")
    code, listed = _ingest(inbox, f"sqlite:///{tmp_path / 'warehouse.db'}", capsys)
    assert (code, listed["status"]) == (exit_code, status)
    assert _flow_run_state(str(listed["flow_run_id"])) == state
