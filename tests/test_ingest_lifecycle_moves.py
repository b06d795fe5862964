"""Archive/quarantine moves: dated folders, relative paths kept, no overwrite, sidecar reasons."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from pipeline.lifecycle import (
    Reason,
    archive_file,
    move_without_overwrite,
    quarantine_file,
    safe_rel_path,
    sidecar_path,
)

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
