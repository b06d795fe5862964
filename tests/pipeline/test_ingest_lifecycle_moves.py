"""Archive/quarantine moves: dated folders, relative paths kept, no overwrite, sidecar reasons, names at
the file system's limits, and the repair of a move whose record was lost."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

import warehouse
from imr.settings import Settings
from imr.synth.corpus import write_corpus
from pipeline.discovery import discover
from pipeline.lifecycle import (
    Reason,
    archive_file,
    move_without_overwrite,
    quarantine_file,
    safe_rel_path,
    sidecar_path,
)
from pipeline.names import fit_name, log_safe
from pipeline.planning import plan_inboxes
from tests.pipeline_helpers import run_batch

DAY = dt.date(2026, 11, 5)


def test_archive_keeps_relative_path_under_dated_folder(tmp_path: Path) -> None:
    src = tmp_path / "inbox" / "sub" / "a.pdf"
    src.parent.mkdir(parents=True)
    src.write_bytes(b"x")
    dst = archive_file(src, tmp_path / "archive", "sub/a.pdf", DAY)
    assert dst == tmp_path / "archive" / "2026-11-05" / "sub" / "a.pdf"
    assert dst.read_bytes() == b"x" and not src.exists()


def test_collisions_never_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "out" / "a.txt"
    made = []
    for i in range(3):
        src = tmp_path / f"src{i}.txt"
        src.write_text(str(i))
        made.append(move_without_overwrite(src, target))
    assert [p.name for p in made] == ["a.txt", "a.1.txt", "a.2.txt"]
    assert [p.read_text() for p in made] == ["0", "1", "2"]


def test_quarantine_writes_sidecar_without_letter_text(tmp_path: Path) -> None:
    src = tmp_path / "bad.txt"
    src.write_text("PATIENT SECRET TEXT")
    dst = quarantine_file(
        src,
        tmp_path / "q",
        "bad.txt",
        DAY,
        [Reason("not_imr_letter", "not a DWC IMR final determination letter")],
        info={"sha256": "abc", "status": "rejected", "batch_id": 7},
    )
    side = json.loads(sidecar_path(dst).read_text())
    assert dst.parent == tmp_path / "q" / "2026-11-05"
    assert side["codes"] == ["not_imr_letter"] and side["sha256"] == "abc" and side["batch_id"] == 7
    assert "SECRET" not in sidecar_path(dst).read_text()
    # a second file with the same name gets its own name and sidecar
    src.write_text("again")
    dst2 = quarantine_file(src, tmp_path / "q", "bad.txt", DAY, [Reason("empty_file", "m")])
    assert dst2.name == "bad.1.txt" and sidecar_path(dst2).exists() and sidecar_path(dst).exists()


def test_symlink_moved_as_link_not_followed(tmp_path: Path) -> None:
    target = tmp_path / "outside.pdf"
    target.write_bytes(b"outside")
    link = tmp_path / "inbox" / "l.pdf"
    link.parent.mkdir()
    link.symlink_to(target)
    dst = move_without_overwrite(link, tmp_path / "q" / "l.pdf")
    assert dst.is_symlink() and target.read_bytes() == b"outside" and not link.exists()


def test_rel_path_cannot_escape(tmp_path: Path) -> None:
    assert str(safe_rel_path("../../etc/x.txt")) == "etc/x.txt"
    assert str(safe_rel_path("/abs/y.pdf")) == "abs/y.pdf"
    with pytest.raises(ValueError):
        safe_rel_path("..")


def test_missing_source_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        move_without_overwrite(tmp_path / "gone.txt", tmp_path / "out" / "gone.txt")


# --------------------------------------------------------------------------- names at the limit


@pytest.mark.parametrize(
    "name",
    ["a" * 251 + ".pdf", "é" * 125 + ".txt", "line\nbreak.txt", "-rf.txt", "b" * 255, "caf\\xe9 " + "x" * 240 + ".pdf"],
)
def test_names_at_the_limit_get_collisions_and_sidecars(tmp_path: Path, name: str) -> None:
    made = []
    for i in range(3):
        src = tmp_path / "inbox" / f"src{i}"
        src.parent.mkdir(exist_ok=True)
        src.write_text(str(i))
        made.append(quarantine_file(src, tmp_path / "q", f"sub/{name}", DAY, [Reason("empty_file", "m")]))
    assert len(set(made)) == 3 and [p.read_text() for p in made] == ["0", "1", "2"]
    for p in made:
        assert len(os.fsencode(p.name)) <= 255 and len(os.fsencode(sidecar_path(p).name)) <= 255
        assert json.loads(sidecar_path(p).read_text())["codes"] == ["empty_file"]
    if len(os.fsencode(name)) <= 255:
        assert made[0].name == name, "a name that fits is kept"
    assert not [p for p in (tmp_path / "q").rglob(".*")], "no temporary file left behind"


def test_fit_name_is_deterministic_and_keeps_the_suffix() -> None:
    long = "x" * 300 + ".pdf"
    assert fit_name(long) == fit_name(long) and fit_name(long).endswith(".pdf")
    assert len(fit_name(long).encode()) == 255 and fit_name("x" * 299 + "y.pdf") != fit_name(long)
    assert len(fit_name("é" * 200 + ".txt", 12).encode()) <= 243
    assert fit_name("short.txt") == "short.txt"


def test_log_safe_escapes_control_characters_and_bad_bytes() -> None:
    assert log_safe("a\nb\r\x1b[31m\t.txt") == "a\\nb\\r\\x1b[31m\\t.txt"
    assert log_safe(os.fsdecode(b"caf\xe9.txt")) == "caf\\xe9.txt"
    assert log_safe("\u202eevil") == "\\u202eevil" and log_safe("résumé") == "résumé"
    assert "\n" not in log_safe("x\u2028y\u0085z")


# --------------------------------------------------------------------------- a crash between a move and its record


@pytest.mark.usefixtures("prefect_harness")
def test_next_run_finds_moved_files_by_hash_and_corrects_current_path(engine: Engine, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    paths = write_corpus(inbox, 3, seed=41, formats=("txt",), bad=True)
    (inbox / "gold.jsonl").unlink()
    settings = Settings(data_dir=tmp_path / "data", stable_seconds=0)
    summary = run_batch(engine, inbox, settings)
    assert summary.counts.loaded >= 1 and summary.counts.rejected >= 1
    files = [f for b in warehouse.list_batches(engine) for f in warehouse.list_files(engine, b.id)]
    assert len(files) == len(paths)
    # the crash: every move happened, none of the records did (current_path still in the inbox)
    for f in files:
        warehouse.set_current_path(engine, f.id, str(inbox.absolute() / f.rel_path))
    quarantined = [f for f in files if f.status in ("rejected", "quarantined")]
    lost_sidecar = sidecar_path(Path(quarantined[0].current_path or ""))
    lost_sidecar.unlink()
    batch = warehouse.start_batch(engine, "ingest", [str(inbox)])
    plan = plan_inboxes(
        engine,
        batch,
        discover([inbox], 0),
        search_roots=[settings.archive_path().absolute(), settings.quarantine_path().absolute()],
    )
    assert plan.repaired == len(files) and not plan.work
    for f in files:
        now = warehouse.get_file(engine, f.id)
        assert now is not None and now.current_path == f.current_path, f.rel_path
        assert Path(now.current_path or "").is_file()
    assert json.loads(lost_sidecar.read_text())["codes"] == quarantined[0].reason_codes
    again = plan_inboxes(engine, batch, discover([inbox], 0), search_roots=[settings.archive_path().absolute()])
    assert again.repaired == 0, "nothing left to repair"
