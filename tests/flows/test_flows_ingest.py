"""The Prefect flows end to end against the session's real Prefect API (test harness), on SQLite
and PostgreSQL, with the real extractor, expectations and warehouse:

- ingest a synthetic corpus (good letters, rejection cases, a future decision date and two
  letters sharing a case number in one chunk): export equals extract, file by file; every input
  ends in the archive or the quarantine; dropping the same files again loads nothing new;
- a warehouse outage fails the flow (after a retry) and leaves the letters in the inbox; a rerun
  of that batch reaches exactly the result of a clean run;
- the CLI: ``imr ingest`` against a closed port exits 1 and moves nothing; the happy path prints
  the summary, ``imr export`` and ``imr batches`` read the warehouse;
- (slow) the real corpora: export equals extract for each loaded letter.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

import warehouse
from imr.cli import main
from imr.errors import WarehouseUnavailableError
from imr.extract import extract_file
from imr.settings import get_settings, override
from tests.pipeline_helpers import OLD, expected_records, exported, letter_files, make_corpus, url_of
from warehouse import schema as s

pytestmark = [pytest.mark.prefect, pytest.mark.usefixtures("prefect_harness")]

CLOSED_PORT_URL = "postgresql+psycopg://postgres@127.0.0.1:9/nothing"


@pytest.fixture(autouse=True)
def imr_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Settings for one test: data under tmp_path, files taken at once."""
    data = tmp_path / "data"
    monkeypatch.setenv("IMR_DATA_DIR", str(data))
    monkeypatch.setenv("IMR_STABLE_SECONDS", "0")
    monkeypatch.setenv("IMR_QUARANTINE_THRESHOLD", "1")  # the corpus is mostly rejection cases
    monkeypatch.delenv("IMR_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield data
    get_settings.cache_clear()


def _shift_year(text: str, label: str, year: str | None = None) -> str:
    """``text`` with the year of its first ``<label>: mm/dd/yyyy`` set to ``year`` (default: one earlier)."""

    def repl(m: re.Match[str]) -> str:
        return m.group(1) + (year or str(int(m.group(2)) - 1))

    return re.sub(rf"({label}:\s*\d\d/\d\d/)(\d{{4}})", repl, text, count=1)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic inbox (txt and pdf, rejection cases) plus crafted letters in the same chunk:

    ``future.txt`` (decision date in 2099: critical), ``twin-a/b.txt`` (two copies of one case that
    agree: one loaded, one linked; the copy with the smaller sha256 counts) and ``clash-a/b.txt``
    (same case number and decision date, different date of injury: both kept, in review, the
    second file set aside with ``case_version_conflict``).
    """
    folder = tmp_path_factory.mktemp("corpus") / "inbox"
    make_corpus(folder, 8, seed=31, bad=True, formats=("txt", "pdf"))
    extra = tmp_path_factory.mktemp("extra") / "letters"
    crafted: dict[str, str] = {}
    for p in make_corpus(extra, 12, seed=97):
        text = p.read_text(encoding="utf-8")
        rec = extract_file(p)
        if rec.status != "parsed" or rec.letter is None or not rec.letter.case_number:
            continue
        future = _shift_year(text, "Decision Date", "2099")
        clash = _shift_year(text, "Date of Injury")
        if "future.txt" not in crafted and future != text:
            crafted["future.txt"] = future
        elif "clash-a.txt" not in crafted and clash != text:
            crafted["clash-a.txt"], crafted["clash-b.txt"] = text, clash
        elif "twin-a.txt" not in crafted:
            crafted["twin-a.txt"], crafted["twin-b.txt"] = text, text + "\n"
    assert len(crafted) == 5, "the corpus needs its crafted cases"
    for name, text in crafted.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        assert extract_file(path).status == "parsed"
        os.utime(path, (OLD, OLD))
    return folder


def drop(corpus: Path, inbox: Path) -> list[Path]:
    """Copy the corpus into ``inbox`` (mtimes kept); returns the copies."""
    shutil.copytree(corpus, inbox, dirs_exist_ok=True)
    return letter_files(inbox)



def run(flow: Any, engine: Engine, **params: Any) -> tuple[Any, dict[str, Any]]:
    """Run ``flow`` (return_state) and read its batch back from the warehouse: (state, summary).

    The summary comes from the batch row the flow run wrote (found by flow run id), so the test
    does not depend on what the flow returns.
    """
    override(database_url=url_of(engine))
    state = flow(**params, return_state=True)
    run_id = str(state.state_details.flow_run_id)
    rows = [b for b in warehouse.list_batches(engine) if b.flow_run_id == run_id]
    if not rows:
        return state, {}
    (b,) = rows
    from pipeline.summary import summary_of_row

    return state, summary_of_row(b).to_dict()


def test_a_rerun_of_no_batch_fails_in_one_line(engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    """A deployment run given an id that names no batch (a typo in the UI's form) fails naming it,
    with no traceback in the serving process's console."""
    from flows.ingest import rerun_flow

    state, summary = run(rerun_flow, engine, batch_id="deadbeef")
    assert state.is_failed() and summary == {}
    assert state.message == "no single batch matches 'deadbeef' (see `imr batches`)"
    assert not [r for r in caplog.records if r.exc_info], "no traceback logged"


def statuses(engine: Engine, batch_id: str) -> dict[str, tuple[str, list[str]]]:
    """rel_path -> (status, reason codes) of a batch's files."""
    return {f.rel_path: (f.status, f.reason_codes) for f in warehouse.list_files(engine, batch_id)}


def test_ingest_flow_end_to_end(engine: Engine, corpus: Path, tmp_path: Path, imr_env: Path) -> None:
    from flows.ingest import ingest_flow

    inbox = tmp_path / "inbox"
    files = drop(corpus, inbox)
    want = expected_records(files, inbox)
    state, summary = run(ingest_flow, engine, inboxes=[str(inbox)], chunk_size=50)

    assert state.is_completed()
    assert summary["files_seen"] == len(files)
    assert summary["quarantined"] == 2 and summary["rejected"] > 0
    assert summary["loaded"] + summary["linked"] + summary["quarantined"] == len(want)
    row = warehouse.get_batch(engine, summary["batch_id"])
    assert row is not None and row.status == "completed_with_quarantine"
    assert row.counts.loaded == summary["loaded"] and row.counts.files_seen == len(files)
    files_now = statuses(engine, summary["batch_id"])
    assert "dq_decision_date_not_in_future" in files_now["future.txt"][1]
    assert sorted(files_now[t] for t in ("clash-a.txt", "clash-b.txt")) == [
        ("loaded", []),
        ("quarantined", ["case_version_conflict"]),
    ]
    assert sorted(files_now[t][0] for t in ("twin-a.txt", "twin-b.txt")) == ["linked", "loaded"]
    sha = {f.rel_path: f.sha256 for f in warehouse.list_files(engine, summary["batch_id"])}
    not_exported = {  # quarantined by an expectation, in review, and the copy that does not count
        sha["future.txt"],
        sha["clash-a.txt"],
        sha["clash-b.txt"],
        max(sha["twin-a.txt"], sha["twin-b.txt"]),
    }
    assert exported(engine) == {k: v for k, v in want.items() if k not in not_exported}

    archived = letter_files(imr_env / "archive")
    quarantined = letter_files(imr_env / "quarantine")
    assert letter_files(inbox) == [] and len(archived) + len(quarantined) == len(files)
    sidecars = list((imr_env / "quarantine").rglob("*.reason.json"))
    assert len(sidecars) == len(quarantined)

    _, again = run(ingest_flow, engine, inboxes=[str(inbox)], chunk_size=50)
    assert again["files_seen"] == 0
    drop(corpus, inbox)
    _, redrop = run(ingest_flow, engine, inboxes=[str(inbox)], chunk_size=50)
    assert redrop["loaded"] == redrop["linked"] == 0
    assert redrop["duplicates"] == summary["loaded"] + summary["linked"]
    assert exported(engine) == {k: v for k, v in want.items() if k not in not_exported}
    assert letter_files(inbox) == []


def _failing_load(calls: list[int]) -> Any:
    def load_letter(*a: Any, **k: Any) -> Any:
        calls.append(1)
        raise WarehouseUnavailableError("warehouse unavailable (test)")

    return load_letter


def test_outage_fails_the_flow_and_rerun_matches_a_clean_run(
    engine: Engine, corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.ingest import ingest_flow, rerun_flow

    inbox = tmp_path / "inbox"
    files = drop(corpus, inbox)
    want = expected_records(files, inbox)
    calls: list[int] = []
    monkeypatch.setattr(warehouse, "load_letters", _failing_load(calls))
    override(database_url=url_of(engine))
    state = ingest_flow(
        inboxes=[str(inbox)],
        chunk_size=50,
        transient_retries=1,
        retry_delay_seconds=0,
        return_state=True,
    )
    monkeypatch.undo()
    assert state.is_failed()
    assert len(calls) == 2, "the load task was retried once, then gave up"
    (failed,) = warehouse.list_batches(engine)
    assert failed.status == "failed"
    with warehouse.reading(engine) as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(s.letters)).scalar_one() == 0
    shas = {extract_file(f).source.sha256: f for f in letter_files(inbox)}
    assert set(want) <= set(shas), "every letter waits in the inbox"

    _, summary = run(rerun_flow, engine, batch_id=failed.id[:8], chunk_size=50)  # a prefix, as typed in the UI
    assert summary["parent_batch_id"] == failed.id and summary["kind"] == "rerun"
    assert letter_files(inbox) == []

    clean_inbox = tmp_path / "clean-inbox"
    drop(corpus, clean_inbox)
    clean_url = f"sqlite:///{tmp_path / 'clean' / 'warehouse.db'}"
    clean_engine = warehouse.make_engine(clean_url)
    _, clean = run(ingest_flow, clean_engine, inboxes=[str(clean_inbox)], chunk_size=50)
    assert exported(engine) == exported(clean_engine)
    for key in ("loaded", "linked", "quarantined"):
        assert summary[key] == clean[key], key
    _, again = run(rerun_flow, engine, batch_id=failed.id, chunk_size=50)
    assert again["loaded"] == again["linked"] == again["duplicates"] == 0
    assert exported(engine) == exported(clean_engine)
    clean_engine.dispose()


def test_cli_ingest_against_a_closed_port_fails_and_moves_nothing(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inbox = tmp_path / "inbox"
    files = drop(corpus, inbox)
    argv = ["ingest", "--inbox", str(inbox), "--db", CLOSED_PORT_URL, "--retries", "1", "--retry-delay", "0"]
    assert main(argv) == 1
    assert "imr ingest:" in capsys.readouterr().err
    assert letter_files(inbox) == files


def test_cli_ingest_export_batches(corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inbox = tmp_path / "inbox"
    files = drop(corpus, inbox)
    want = expected_records(files, inbox)
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    assert main(["ingest", "--inbox", str(inbox), "--db", db, "--chunk-size", "50"]) == 0
    out = capsys.readouterr().out
    for label in ("files seen", "loaded", "duplicates", "rejected", "quarantined"):
        assert label in out
    assert main(["export", "--db", db, "--format", "jsonl"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert records and all(r == want[r["source"]["sha256"]] for r in records)
    assert main(["batches", "--db", db, "--json"]) == 0
    (batch,) = json.loads(capsys.readouterr().out)
    assert batch["files_seen"] == len(files) and batch["status"] == "completed_with_quarantine"
    assert main(["rerun", "nope", "--db", db]) == 1


@pytest.mark.slow
@pytest.mark.corpus
def test_real_corpora_export_equals_extract(real_dir: Path, seeds_dir: Path, tmp_path: Path) -> None:
    from flows.ingest import ingest_flow

    inbox = tmp_path / "inbox"
    (inbox / "real").mkdir(parents=True)
    (inbox / "seeds").mkdir()
    for p in sorted((real_dir / "pdf").glob("*.pdf")):
        shutil.copy2(p, inbox / "real" / p.name)
    for p in sorted(seeds_dir.glob("*.txt")):
        shutil.copy2(p, inbox / "seeds" / p.name)
    files = letter_files(inbox)
    for f in files:
        os.utime(f, (OLD, OLD))
    want = expected_records(files, inbox)
    db = f"sqlite:///{tmp_path / 'real.db'}"
    engine = warehouse.make_engine(db)
    _, summary = run(ingest_flow, engine, inboxes=[str(inbox)])
    assert summary["files_seen"] == len(files)
    got = exported(engine)
    loaded = {f.sha256 for f in warehouse.list_files(engine, summary["batch_id"]) if f.status == "loaded"}
    assert set(got) == loaded and len(loaded) == summary["loaded"] > 0
    for sha, record in got.items():
        assert record == want[sha], record["source"]["path"]
    engine.dispose()
