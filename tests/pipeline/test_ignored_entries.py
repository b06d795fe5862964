"""Files the pipeline does not take (another type, hidden, a partial upload) are left in place and
reported: counted as ignored, with their reason, in the printed summary, the batch row and the
summary artifact."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from imr.cli import main
from tests.fixtures_prefect import harness_post
from tests.pipeline_helpers import make_corpus

pytestmark = [pytest.mark.prefect, pytest.mark.usefixtures("prefect_harness")]


def _artifact_markdown(flow_run_id: str) -> str:
    body: dict[str, Any] = {
        "artifacts": {"flow_run_id": {"any_": [flow_run_id]}, "key": {"any_": ["imr-ingest-summary"]}}
    }
    return str(harness_post("/artifacts/filter", body).json()[0]["data"])


def test_stray_files_are_left_and_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("IMR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("IMR_STABLE_SECONDS", "0")
    inbox = tmp_path / "inbox"
    make_corpus(inbox, 3, seed=71, bad=False)
    stray = {"notes.docx": b"PK\x03\x04 not a letter", ".hidden.txt": b"x", "upload.pdf.part": b"%PDF-1.4"}
    for name, data in stray.items():
        (inbox / name).write_bytes(data)
    db = f"sqlite:///{tmp_path / 'warehouse.db'}"

    assert main(["ingest", "--inbox", str(inbox), "--db", db, "--json"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["ignored"] == 3 and summary["files_seen"] == 3
    assert set(summary["ignored_reasons"]) == {"unsupported_type", "hidden_file", "partial_upload"}
    assert sorted(p.name for p in inbox.iterdir()) == sorted(stray), "left in place, letters gone"

    assert main(["batches", "--db", db, "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["ignored"] == 3 and row["ignored_reasons"] == summary["ignored_reasons"]
    assert main(["batches", "--db", db]) == 0
    head, line = capsys.readouterr().out.splitlines()
    assert head.split()[-1] == "ignored" and line.split()[-1] == "3"
    assert "unsupported_type" in _artifact_markdown(summary["flow_run_id"])
