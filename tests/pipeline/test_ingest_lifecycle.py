"""The file lifecycle without Prefect, on SQLite and PostgreSQL, with the real extractor,
expectations and warehouse: nothing is lost, nothing is counted twice.

- a crash between the commit and the move: the next run finishes the moves (``recovered``),
  loads nothing again;
- re-dropped files are duplicates; a new file with a known case number is linked;
- a symlink leading outside the inbox is refused and quarantined with a reason file;
- an unstable file waits for the next run;
- a warehouse outage fails the run and leaves the files; a rerun reaches the clean result and
  is a no-op when repeated;
- a backfill leaves files in place and resumes after an interruption.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

import warehouse
from imr.errors import WarehouseUnavailableError
from imr.extract import extract_file
from imr.settings import Settings
from pipeline import stages
from pipeline.lifecycle import SIDECAR_SUFFIX
from pipeline.summary import BatchSummary
from tests.pipeline_helpers import (
    OLD,
    count,
    expected_records,
    exported,
    letter_files,
    letters_in,
    make_corpus,
    run_batch,
    settings_for,
)
from warehouse import schema as s

pytestmark = pytest.mark.usefixtures("prefect_harness")


def ingest(engine: Engine, inbox: Path, settings: Settings, kind: str = "ingest", **kw: Any) -> BatchSummary:
    """A batch of ``kind`` through the flows (the path ``imr ingest`` runs)."""
    return run_batch(engine, inbox, settings, kind, **kw)


def failing_after(n: int, real: Callable[..., Any]) -> Callable[..., Any]:
    """``real`` that raises WarehouseUnavailableError from its ``n+1``-th call on."""
    calls = {"n": 0}

    def wrapped(*a: Any, **k: Any) -> Any:
        calls["n"] += 1
        if calls["n"] > n:
            raise WarehouseUnavailableError("warehouse unavailable (test)")
        return real(*a, **k)

    return wrapped


# ----------------------------------------------------------------------------- tests


def test_crash_between_commit_and_move_loses_nothing(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, files, want, settings = letters_in(tmp_path, 6, seed=21)

    def crash(*a: Any, **k: Any) -> Path:
        raise OSError("power cut")

    monkeypatch.setattr(stages, "archive_file", crash)
    monkeypatch.setattr(stages, "quarantine_file", crash)
    with pytest.raises(OSError, match="power cut"):
        ingest(engine, inbox, settings)
    with warehouse.reading(engine) as conn:
        statuses = conn.execute(sa.select(s.source_files.c.status)).scalars().all()
    assert {"pending"} < set(statuses), "the first chunk's outcomes were committed before the crash"
    assert sorted(letter_files(inbox)) == sorted(files), "nothing moved, nothing lost"
    monkeypatch.undo()

    again = ingest(engine, inbox, settings)
    assert again.recovered > 0  # moves finished for the rows committed before the crash
    assert count(engine, s.letters) == len(want)  # nothing loaded twice
    assert exported(engine) == want
    assert letter_files(inbox) == []
    moved = letter_files(settings.archive_path()) + letter_files(settings.quarantine_path())
    assert len(moved) == len(files)
    with warehouse.reading(engine) as conn:
        paths = conn.execute(sa.select(s.source_files.c.current_path)).scalars().all()
    assert all(not str(p).startswith(str(inbox)) for p in paths), "every row points at the moved file"


def test_redrop_is_duplicate_and_same_case_is_linked(engine: Engine, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    files = make_corpus(inbox, 4, seed=22)
    settings = settings_for(tmp_path)
    first = ingest(engine, inbox, settings)
    letters = count(engine, s.letters)
    assert first.counts.loaded == letters > 0
    # the very same bytes dropped again -> duplicates, archived under a new name, nothing loaded
    for f in letter_files(settings.archive_path()):
        shutil.copy2(f, inbox / f.name)
    second = ingest(engine, inbox, settings)
    assert (second.counts.loaded, second.counts.duplicates) == (0, first.counts.loaded)
    assert second.reason_codes.get("duplicate_file") == first.counts.loaded
    assert count(engine, s.letters) == letters
    assert len(letter_files(settings.archive_path())) == 2 * first.counts.loaded
    # other bytes, same case number and determination -> a linked copy: kept as a version of the
    # case, one letter of the two counts (the export still has one record per case)
    exported_before = len(list(warehouse.export_records(engine)))
    src = next(f for f in letter_files(settings.archive_path()) if extract_file(f).status == "parsed")
    (inbox / "copy.txt").write_text(src.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    os.utime(inbox / "copy.txt", (OLD, OLD))
    third = ingest(engine, inbox, settings)
    assert (third.counts.linked, third.counts.loaded) == (1, 0)
    assert count(engine, s.letters) == letters + 1
    assert count(engine, s.letter_files) == letters + 1
    assert len(list(warehouse.export_records(engine))) == exported_before
    assert len(files) == 4


def test_symlink_outside_is_refused_and_quarantined(engine: Engine, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    make_corpus(inbox, 1, seed=23)
    outside = tmp_path / "private" / "other.txt"
    outside.parent.mkdir()
    outside.write_text("not for the inbox")
    (inbox / "sneaky.txt").symlink_to(outside)
    settings = settings_for(tmp_path)
    summary = ingest(engine, inbox, settings)
    assert summary.counts.rejected == 1 and summary.reason_codes["symlink_outside_inbox"] == 1
    (link,) = [p for p in letter_files(settings.quarantine_path()) if p.name == "sneaky.txt"]
    assert link.is_symlink() and outside.read_text() == "not for the inbox"
    side = json.loads(link.with_name(link.name + SIDECAR_SUFFIX).read_text())
    assert side["codes"] == ["symlink_outside_inbox"]
    with warehouse.reading(engine) as conn:
        row = conn.execute(sa.select(s.source_files).where(s.source_files.c.rel_path == "sneaky.txt")).one()
    assert row.status == "rejected" and row.reason_codes == ["symlink_outside_inbox"]


def test_unstable_file_waits_for_the_next_run(engine: Engine, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (young,) = make_corpus(inbox, 1, seed=24)
    os.utime(young, None)  # just written
    settings = settings_for(tmp_path, stable_seconds=60)
    first = ingest(engine, inbox, settings)
    assert (first.counts.files_seen, first.unstable) == (0, 1) and young.exists()
    os.utime(young, (OLD, OLD))
    second = ingest(engine, inbox, settings)
    assert (second.counts.files_seen, second.unstable) == (1, 0) and not young.exists()


def test_outage_then_rerun_reaches_the_clean_result(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, files, want, settings = letters_in(tmp_path, 5, seed=25)
    monkeypatch.setattr(warehouse, "load_letters", failing_after(0, warehouse.load_letters))
    with pytest.raises(WarehouseUnavailableError):
        ingest(engine, inbox, settings)
    monkeypatch.undo()
    (failed,) = warehouse.list_batches(engine)
    assert failed.status == "failed"
    assert count(engine, s.letters) == 0
    waiting = set(letter_files(inbox))
    letters = {f for f in files if extract_file(f).source.sha256 in want}
    assert letters <= waiting, "letters not committed wait in the inbox"
    assert letter_files(settings.archive_path()) == []

    rerun = ingest(engine, None, settings, kind="rerun", parent_batch_id=failed.id)
    assert rerun.parent_batch_id == failed.id and rerun.counts.loaded == len(want)
    assert exported(engine) == want
    assert letter_files(inbox) == []
    again = ingest(engine, None, settings, kind="rerun", parent_batch_id=failed.id)
    assert (again.counts.loaded, again.counts.duplicates, again.skipped) == (0, 0, len(want))
    assert count(engine, s.letters) == len(want)


def test_backfill_leaves_files_and_resumes(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "history"
    files = make_corpus(folder, 7, seed=26)
    want = expected_records(files, folder)
    settings = settings_for(tmp_path, chunk_size=3)
    monkeypatch.setattr(warehouse, "load_letters", failing_after(1, warehouse.load_letters))  # the second chunk fails
    with pytest.raises(WarehouseUnavailableError):
        ingest(engine, folder, settings, kind="backfill", move_files=False)
    monkeypatch.undo()
    done_before = count(engine, s.letters)
    assert 0 < done_before < len(want)
    resumed = ingest(engine, folder, settings, kind="backfill", move_files=False)
    assert resumed.skipped >= done_before and resumed.counts.loaded == len(want) - done_before
    assert exported(engine) == want
    assert sorted(letter_files(folder)) == sorted(files), "history stays in place"
    assert not settings.archive_path().exists()
    third = ingest(engine, folder, settings, kind="backfill", move_files=False)
    assert (third.counts.files_seen, third.skipped) == (0, len(files))
