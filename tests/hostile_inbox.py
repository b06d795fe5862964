"""An inbox of hostile entries beside genuine letters (the "Done when" of issue 9).

:func:`build_hostile_inbox` writes, under ``inbox``:

* genuine letters: synthetic letters (text and PDF, some under hostile names: a leading dash, a
  newline, bytes that are not UTF-8, 250 bytes, a future mtime, inside a folder named ``*.pdf``),
  a duplicate copy of one of them, and a few real corpus letters when ``real_dir`` is given;
* hostile regular files (each must get an outcome with a reason): empty, binary, corrupt,
  encrypted, image-only, bombs, page floods, deep nesting, floods, huge and one-line texts,
  look-alike letters, quadratic paragraphs, names with control characters;
* non-files and entries the pipeline does not take (left in place): a FIFO, a socket, a device
  (when permitted), a symlink loop, a folder named ``*.pdf``, hidden, partial and ``.docx`` files;
* symlinks leading outside the inbox or dangling (refused: the link is quarantined, never read).

Returns a :class:`HostileInbox` manifest the test and ``bench/hostile.py`` check against.
"""

from __future__ import annotations

import os
import shutil
import socket
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path

from imr.extract import extract_file
from imr.synth.bad_inputs import bad_inputs
from imr.synth.corpus import write_corpus
from tests import hostile_files as H

OLD = time.time() - 3600


@dataclass
class HostileInbox:
    """What was written: kinds, the genuine letters' sha256, and the entries to leave alone."""

    inbox: Path
    genuine: dict[str, Path] = field(default_factory=dict)  # sha256 -> path of a parsed letter
    duplicates: list[Path] = field(default_factory=list)
    hostile: dict[str, Path] = field(default_factory=dict)  # kind -> regular file needing an outcome
    refused: dict[str, Path] = field(default_factory=dict)  # kind -> symlink refused (quarantined)
    left_alone: dict[str, Path] = field(default_factory=dict)  # kind -> entry that must stay in place
    sockets: list[socket.socket] = field(default_factory=list)

    @property
    def kinds(self) -> list[str]:
        """Every hostile kind (regular, refused and left alone)."""
        return sorted([*self.hostile, *self.refused, *self.left_alone])

    def close(self) -> None:
        """Close the bound sockets."""
        for s in self.sockets:
            s.close()


def _old(path: Path | bytes) -> None:
    os.utime(path, (OLD, OLD), follow_symlinks=False)


def build_hostile_inbox(inbox: Path, *, real_dir: Path | None = None, real_count: int = 3) -> HostileInbox:
    """Write the hostile inbox under ``inbox`` (created); see the module docstring."""
    inbox.mkdir(parents=True, exist_ok=True)
    out = HostileInbox(inbox)
    staging = inbox.parent / (inbox.name + ".staging")
    letters = write_corpus(staging, 8, seed=909, formats=("txt", "pdf"), bad=False)
    names = [
        "-rf letter.txt",
        "line\nbreak letter.txt",
        None,  # not UTF-8, below
        "L" * 246 + ".pdf",
        "future.txt",
        "plain_one.txt",
        "plain_two.pdf",
        "folder.pdf/inside.txt",
    ]
    for src, name in zip(letters, names, strict=True):
        suffix = src.suffix
        if name is None:
            dst_b = os.path.join(os.fsencode(inbox), b"caf\xe9 letter" + suffix.encode())
            shutil.copyfile(src, dst_b)
            _old(dst_b)
            dst = Path(os.fsdecode(dst_b))
        else:
            name = name.rsplit(".", 1)[0] + suffix
            dst = inbox / name
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
            _old(dst)
        if name is not None and name.startswith("future"):
            future = time.time() + 86400
            os.utime(dst, (future, future))
        rec = extract_file(src)
        if rec.status == "parsed":
            out.genuine[rec.source.sha256] = dst
    dup = inbox / "copy of plain_one.txt"
    shutil.copyfile(next(p for p in out.genuine.values() if p.name.startswith("plain_one")), dup)
    _old(dup)
    out.duplicates.append(dup)
    if real_dir is not None and (real_dir / "pdf").is_dir():
        for src in sorted((real_dir / "pdf").glob("*.pdf"))[:real_count]:
            dst = inbox / "real" / src.name
            dst.parent.mkdir(exist_ok=True)
            shutil.copyfile(src, dst)
            _old(dst)
            rec = extract_file(src)
            if rec.status == "parsed":
                out.genuine[rec.source.sha256] = dst
    shutil.rmtree(staging)

    def hostile(kind: str, name: str, data: bytes | str) -> None:
        path = H.write(inbox / "junk" / name, data)
        _old(path)
        out.hostile[kind] = path

    for bad in bad_inputs(31):
        hostile(bad.name.split("_", 2)[2].rsplit(".", 1)[0], bad.name, bad.data)
    hostile("empty_pdf", "empty.pdf", b"")
    hostile("binary_text", "binary.txt", os.urandom(4096))
    hostile("nul_text", "nul.txt", b"IMR Case Number\x00\x00\x00" * 100)
    hostile("text_named_pdf", "not really.pdf", H.IMR_HEAD)
    hostile("decision_flood", "flood.txt", H.decision_flood(200_000))
    hostile("small_flood", "small flood.txt", H.decision_flood(100))
    hostile("huge_text_40mb", "huge.txt", "x" * (40 << 20))
    hostile("one_line_12mb", "one line.txt", H.long_line(12 << 20))
    hostile("pdf_bomb", "bomb.pdf", H.pdf_bomb(400))
    hostile("blank_pages_2000", "blank pages.pdf", H.blank_pages_pdf(2000))
    hostile("nested_arrays", "nested.pdf", H.nested_pdf(200_000))
    hostile("quadratic_paragraph", "paragraph.txt", H.IMR_HEAD + "Overturned\n" * 20_000)
    hostile("name_255_bytes", "J" * 251 + ".txt", "junk with the longest name")
    hostile("name_ansi_escape", "\x1b[31mred\x1b[0m.txt", "junk")
    hostile("name_rtl_override", "\u202etxt.exe.pdf", "junk")
    hostile("name_leading_dashes", "--help.pdf", "junk")
    hostile("name_only_spaces", "   .txt", "junk")
    raw = os.path.join(os.fsencode(inbox / "junk"), b"\xff\xfe bad bytes.txt")
    with open(raw, "wb") as fh:
        fh.write(b"junk")
    _old(raw)
    out.hostile["name_not_utf8"] = Path(os.fsdecode(raw))
    deep = inbox / "junk" / Path(*["d"] * 40) / "deep.txt"
    H.write(deep, "junk deep down")
    _old(deep)
    out.hostile["deep_folder"] = deep

    secret = inbox.parent / "outside-secret.txt"
    secret.write_text("not for the inbox")
    (inbox / "outside link.txt").symlink_to(secret)
    out.refused["symlink_outside"] = inbox / "outside link.txt"
    (inbox / "dangling.pdf").symlink_to(inbox / "nowhere.pdf")
    out.refused["symlink_dangling"] = inbox / "dangling.pdf"

    os.mkfifo(inbox / "fifo.pdf")
    out.left_alone["fifo"] = inbox / "fifo.pdf"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(inbox / "socket.txt"))
    out.sockets.append(sock)
    out.left_alone["socket"] = inbox / "socket.txt"
    try:
        os.mknod(inbox / "device.pdf", 0o600 | stat.S_IFCHR, os.makedev(1, 3))
        out.left_alone["device"] = inbox / "device.pdf"
    except PermissionError:
        pass
    (inbox / "loop.pdf").symlink_to(inbox / "loop.pdf")
    out.left_alone["symlink_loop"] = inbox / "loop.pdf"
    out.left_alone["folder_named_pdf"] = inbox / "folder.pdf"
    for kind, name in [
        ("hidden_file", ".hidden.pdf"),
        ("office_lock", "~$lock.txt"),
        ("partial_upload", "upload.pdf.part"),
        ("unsupported_type", "notes.docx"),
    ]:
        path = H.write(inbox / name, "left alone")
        _old(path)
        out.left_alone[kind] = path
    return out
