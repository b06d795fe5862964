"""Drop-folder discovery rules: extensions, hidden/partial files, stability, symlinks, identity."""

from __future__ import annotations

import hashlib
import os
import stat
import time
from pathlib import Path

import pytest

from pipeline.discovery import (
    SYMLINK_OUTSIDE,
    count_letters,
    discover,
    is_hidden_or_partial,
    is_letter_name,
    sha256_file,
)

OLD = time.time() - 3600


def _write(path: Path, data: bytes = b"letter", *, mtime: float = OLD) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (mtime, mtime))
    return path


def test_extensions_any_case_recursive(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    _write(inbox / "a.pdf", b"1")
    _write(inbox / "b.TXT", b"2")
    _write(inbox / "sub" / "deeper" / "c.Pdf", b"3")
    _write(inbox / "notes.docx", b"4")
    _write(inbox / "noext", b"5")
    found = discover([inbox], stable_seconds=5)
    assert sorted(f.rel_path for f in found.files) == ["a.pdf", "b.TXT", "sub/deeper/c.Pdf"]
    assert found.ignored == 2
    assert {(e.rel_path, e.code) for e in found.ignored_entries} == {
        ("notes.docx", "unsupported_type"),
        ("noext", "unsupported_type"),
    }
    assert {f.media_type for f in found.files} == {"application/pdf", "text/plain"}


def test_hidden_and_partial_files_are_ignored(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    for name in [".hidden.pdf", "~$lock.txt", "x.pdf.part", "y.txt.tmp", "z.PDF.PART", "w.pdf.crdownload"]:
        _write(inbox / name)
    _write(inbox / ".dotdir" / "inside.pdf")
    _write(inbox / "ok" / ".git" / "objects.txt")
    _write(inbox / "ok" / "real.txt")
    found = discover([inbox], stable_seconds=0)
    assert [f.rel_path for f in found.files] == ["ok/real.txt"]
    assert not found.refused and not found.unstable


def test_name_rules() -> None:
    assert is_hidden_or_partial(".x.pdf") and is_hidden_or_partial("~$a.txt") and is_hidden_or_partial("a.TMP")
    assert is_letter_name("A.PDF") and is_letter_name("b.txt") and not is_letter_name("c.pdf.part")
    assert not is_letter_name("d.doc")


def test_unstable_file_left_for_next_run(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    _write(inbox / "old.txt", b"old")
    young = _write(inbox / "young.txt", b"young", mtime=time.time())
    first = discover([inbox], stable_seconds=30)
    assert [f.rel_path for f in first.files] == ["old.txt"]
    assert first.unstable == [young]
    # once the copier has finished and the mtime is old enough, the next run takes it
    os.utime(young, (OLD, OLD))
    second = discover([inbox], stable_seconds=30)
    assert sorted(f.rel_path for f in second.files) == ["old.txt", "young.txt"]


def test_wait_takes_a_file_unchanged_after_waiting(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    now = time.time()
    quiet = _write(inbox / "quiet.txt", b"q", mtime=now - 2)
    growing = _write(inbox / "growing.txt", b"g", mtime=now - 1)
    waits: list[float] = []

    def fake_sleep(seconds: float) -> None:
        waits.append(seconds)
        with open(growing, "ab") as fh:  # a copier is still writing this one
            fh.write(b"more")
        os.utime(growing, (now + 1, now + 1))

    found = discover([inbox], stable_seconds=5, wait=True, clock=lambda: now, sleep=fake_sleep)
    assert [f.path for f in found.files] == [quiet]
    assert found.unstable == [growing]
    assert len(waits) == 1 and 0 < waits[0] <= 5


def test_identity_is_sha256_and_path_relative_to_inbox(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    _write(inbox / "x" / "l.txt", b"payload")
    (f,) = discover([inbox], stable_seconds=0).files
    assert f.sha256 == hashlib.sha256(b"payload").hexdigest()
    assert f.rel_path == "x/l.txt" and f.inbox == inbox and f.size == 7


def test_symlink_outside_inbox_is_refused_never_followed(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    outside = _write(tmp_path / "secret" / "outside.pdf", b"secret")
    _write(tmp_path / "secret" / "other.txt", b"other")
    inbox.mkdir()
    (inbox / "link.pdf").symlink_to(outside)
    (inbox / "dirlink").symlink_to(outside.parent, target_is_directory=True)
    (inbox / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    _write(inbox / "real.txt", b"real")
    inside = _write(inbox / "sub" / "target.txt", b"target")
    (inbox / "inner.txt").symlink_to(inside)
    found = discover([inbox], stable_seconds=0)
    assert sorted(r.rel_path for r in found.refused) == ["dangling.txt", "dirlink", "link.pdf"]
    assert {r.code for r in found.refused} == {SYMLINK_OUTSIDE}
    assert sorted(f.rel_path for f in found.files) == ["inner.txt", "real.txt", "sub/target.txt"]
    assert all("outside" not in f.rel_path and "other" not in f.rel_path for f in found.files)
    assert len({r.pseudo_sha256 for r in found.refused}) == 3


def test_several_inboxes_and_missing_inbox(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    _write(a / "one.txt", b"1")
    _write(b / "two.pdf", b"2")
    found = discover([a, b, a, tmp_path / "missing"], stable_seconds=0)
    assert sorted((f.inbox.name, f.rel_path) for f in found.files) == [("a", "one.txt"), ("b", "two.pdf")]


# --------------------------------------------------------------------------- hostile names and non-files


def test_any_name_the_file_system_allows_is_taken(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    names = [
        "a" * 251 + ".txt",  # 255 bytes
        "line\nbreak.txt",
        "-rf.txt",
        "--help.pdf",
        "\x1b[31mred.txt",
        "\u202etxt.exe.pdf",
        "résumé 💥.pdf",
    ]
    for i, name in enumerate(names):
        _write(inbox / name, f"letter {i}".encode())
    raw = os.path.join(os.fsencode(inbox), b"caf\xe9.txt")
    with open(raw, "wb") as fh:
        fh.write(b"latin-1 name")
    os.utime(raw, (OLD, OLD))
    found = discover([inbox], stable_seconds=5)
    assert len(found.files) == len(names) + 1 and not found.ignored_entries
    by_data = {f.path.read_bytes(): f for f in found.files}
    latin = by_data[b"latin-1 name"]
    assert latin.rel_path == "caf\\xe9.txt", "the ledger gets text, the path stays the real one"
    assert os.fsencode(latin.path).endswith(b"caf\xe9.txt")
    for f in found.files:
        f.rel_path.encode("utf-8")  # storable in any database
    assert {f.rel_path for f in found.files} >= set(names)


def test_non_files_are_ignored_with_a_reason_never_opened(tmp_path: Path) -> None:
    import socket

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    os.mkfifo(inbox / "fifo.pdf")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(inbox / "sock.txt"))
    (inbox / "folder.pdf").mkdir()
    inside = _write(inbox / "folder.pdf" / "inside.txt", b"inside")
    (inbox / "loop.pdf").symlink_to(inbox / "loop.pdf")
    (inbox / "a.txt").symlink_to(inbox / "b.txt")
    (inbox / "b.txt").unlink(missing_ok=True)
    (inbox / "b.txt").symlink_to(inbox / "a.txt")
    _write(inbox / "notes.docx", b"doc")
    _write(inbox / ".hidden.pdf", b"h")
    _write(inbox / "~$lock.txt", b"l")
    _write(inbox / "x.pdf.part", b"p")
    _write(inbox / ".git" / "objects.txt", b"g")
    _write(inbox / "real.txt", b"real")
    try:
        found = discover([inbox], stable_seconds=0)  # would hang on the FIFO if it were opened
    finally:
        sock.close()
    assert sorted(f.path for f in found.files) == [inside, inbox / "real.txt"]
    got = {e.rel_path: e.code for e in found.ignored_entries}
    assert got == {
        "fifo.pdf": "not_regular_file",
        "sock.txt": "not_regular_file",
        "folder.pdf": "not_regular_file",
        "loop.pdf": "symlink_loop",
        "a.txt": "symlink_loop",
        "b.txt": "symlink_loop",
        "notes.docx": "unsupported_type",
        ".hidden.pdf": "hidden_file",
        "~$lock.txt": "hidden_file",
        "x.pdf.part": "partial_upload",
        ".git": "hidden_file",
    }
    assert found.ignored == len(got) and found.ignored_by_code()["not_regular_file"] == 3
    assert not found.refused
    assert (inbox / "fifo.pdf").exists() and (inbox / "loop.pdf").is_symlink(), "non-files stay where they are"


def test_device_is_ignored(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    try:
        os.mknod(inbox / "null.pdf", 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("creating a device node needs CAP_MKNOD")
    found = discover([inbox], stable_seconds=0)
    assert [(e.rel_path, e.code) for e in found.ignored_entries] == [("null.pdf", "not_regular_file")]


def test_hashing_refuses_a_fifo_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "swapped.pdf"
    os.mkfifo(fifo)
    with pytest.raises(OSError):
        sha256_file(fifo)


def test_future_mtime_is_taken_once_observed_unchanged(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    now = time.time()
    skewed = _write(inbox / "skewed.txt", b"from a share with a fast clock", mtime=now + 86400)
    waits: list[float] = []
    found = discover([inbox], stable_seconds=5, clock=lambda: now, sleep=waits.append)
    assert [f.path for f in found.files] == [skewed] and not found.unstable
    assert waits == [5], "observed over the whole window, whatever the mtime says"
    # still being written: not taken, left for the next run
    growing = _write(inbox / "growing.txt", b"g", mtime=now + 86400)

    def writer(seconds: float) -> None:
        with open(growing, "ab") as fh:
            fh.write(b"more")

    again = discover([inbox], stable_seconds=5, clock=lambda: now, sleep=writer)
    assert growing in again.unstable and growing not in [f.path for f in again.files]


def test_count_letters_sees_letters_anywhere_and_nothing_else(tmp_path: Path) -> None:
    """The quick look that decides whether a run starts its workers early."""
    inbox = tmp_path / "inbox"
    assert count_letters([inbox], 10) == 0  # missing
    inbox.mkdir()
    (inbox / ".hidden.txt").write_text("x")
    (inbox / "upload.pdf.part").write_text("x")
    (inbox / "notes.docx").write_text("x")
    (inbox / ".cache").mkdir()
    (inbox / ".cache" / "letter.txt").write_text("x")  # hidden folders are never entered
    assert count_letters([inbox], 10) == 0
    (inbox / "2024" / "05").mkdir(parents=True)
    for n in range(3):
        (inbox / "2024" / "05" / f"letter{n}.PDF").write_bytes(b"%PDF")
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.txt").write_text("x")
    assert count_letters([tmp_path / "missing", inbox, other], 10) == 4
    assert count_letters([inbox, other], 2) == 2  # stops counting at the limit
