"""File lifecycle: archive or quarantine a source file, never overwriting, never losing it.

A file is moved only after its outcome is committed in the warehouse (the runner's job); this
module only knows *how* to move:

* ``archive/YYYY-MM-DD/<rel_path>`` for loaded, duplicate and linked letters;
* ``quarantine/YYYY-MM-DD/<rel_path>`` for rejected files and letters failing a critical
  expectation, with a sidecar ``<name>.reason.json`` (codes and messages only, never letter text).

Name collisions never overwrite: ``letter.pdf`` becomes ``letter.1.pdf``, ``letter.2.pdf``...
Any name the file system allows can be moved: a destination, collision or sidecar name that would
pass the 255-byte limit is shortened with a hash of the whole name (:func:`pipeline.names.fit_name`).
The destination is claimed atomically (hard link, or exclusive create when copying across
filesystems) before the source is removed, so a crash leaves at worst two copies, never none.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from pipeline.names import fit_name

SIDECAR_SUFFIX = ".reason.json"


@dataclass(frozen=True)
class Reason:
    """A reason code and a message without letter text."""

    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


def dated_dir(root: Path, day: dt.date) -> Path:
    """``root/YYYY-MM-DD``."""
    return root / day.isoformat()


def safe_rel_path(rel_path: str) -> PurePosixPath:
    """``rel_path`` without absolute anchors or ``..`` parts (so a destination stays under its root),
    each part short enough to be a file name (shortened with a hash when over 255 bytes)."""
    parts = [fit_name(p) for p in PurePosixPath(rel_path).parts if p not in ("", ".", "..", "/")]
    if not parts:
        raise ValueError(f"empty relative path: {rel_path!r}")
    return PurePosixPath(*parts)


def _candidates(target: Path) -> Iterable[Path]:
    """``target``, then ``<stem>.1<suffix>``, ``<stem>.2<suffix>``... (each within the name limit)."""
    target = target.with_name(fit_name(target.name))
    yield target
    stem, suffix = target.stem, target.suffix
    n = 1
    while True:
        yield target.with_name(fit_name(f"{stem}.{n}{suffix}"))
        n += 1


def _claim_by_link(src: Path, dst: Path) -> None:
    """Hard-link ``src`` at ``dst`` (fails with FileExistsError if ``dst`` exists)."""
    os.link(src, dst, follow_symlinks=False)


def _claim_by_copy(src: Path, dst: Path) -> None:
    """Copy ``src`` to a new ``dst`` opened exclusively, flushed to disk."""
    if src.is_symlink():
        os.symlink(os.readlink(src), dst)
        return
    with open(src, "rb") as fin, open(dst, "xb") as fout:
        shutil.copyfileobj(fin, fout, 1 << 20)
        fout.flush()
        os.fsync(fout.fileno())
    shutil.copystat(src, dst)


def move_without_overwrite(src: Path, target: Path, *, sync: bool = True) -> Path:
    """Move ``src`` to ``target`` or, if taken, to the first free ``<stem>.<n><suffix>``; return it.

    The destination is created first (hard link, else exclusive copy) and the source removed after,
    so there is no moment without a copy. A symbolic link is moved as a link (never followed).
    The destination folder is flushed to disk (``sync``; a caller moving many files passes False
    and calls :func:`sync_dirs` once for their folders before recording where they went).
    Raises ``FileNotFoundError`` when ``src`` is gone, ``OSError`` on other failures.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    for dst in _candidates(target):
        try:
            try:
                _claim_by_link(src, dst)
            except OSError as exc:
                if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
                    raise
                _claim_by_copy(src, dst)
        except FileExistsError:
            continue
        os.unlink(src)
        if sync:
            sync_dirs([dst.parent])
        return dst
    raise AssertionError("unreachable")  # pragma: no cover


def sync_dirs(paths: Iterable[Path]) -> None:
    """Flush each folder (its entries: files moved in or out) to disk, once each; best effort."""
    for path in dict.fromkeys(paths):
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)


def archive_file(src: Path, archive_root: Path, rel_path: str, day: dt.date, *, sync: bool = True) -> Path:
    """Move a loaded (or duplicate/linked) file to ``archive_root/day/rel_path``; return where it went
    (``sync`` as in :func:`move_without_overwrite`)."""
    return move_without_overwrite(src, dated_dir(archive_root, day) / safe_rel_path(rel_path), sync=sync)


def sidecar_path(quarantined: Path) -> Path:
    """The reason file beside a quarantined file: ``<name>.reason.json`` (the name shortened with a
    hash first when the whole would pass the 255-byte limit)."""
    return quarantined.with_name(fit_name(quarantined.name, len(SIDECAR_SUFFIX)) + SIDECAR_SUFFIX)


def quarantine_file(
    src: Path,
    quarantine_root: Path,
    rel_path: str,
    day: dt.date,
    reasons: Iterable[Reason],
    *,
    info: Mapping[str, Any] | None = None,
    sync: bool = True,
) -> Path:
    """Move a rejected/quarantined file to ``quarantine_root/day/rel_path`` and write its sidecar
    (``sync`` as in :func:`move_without_overwrite`).

    The sidecar holds ``reasons`` (codes and messages) and ``info`` (sha256, status, batch id:
    never letter text). Returns the quarantined file's path.
    """
    dst = move_without_overwrite(src, dated_dir(quarantine_root, day) / safe_rel_path(rel_path), sync=sync)
    write_sidecar(dst, reasons, info=info)
    return dst


def write_sidecar(quarantined: Path, reasons: Iterable[Reason], *, info: Mapping[str, Any] | None = None) -> Path:
    """Write ``<name>.reason.json`` beside ``quarantined`` (atomically, via a temp file); return it."""
    reason_list = [r.to_dict() for r in reasons]
    doc: dict[str, Any] = {
        "file": quarantined.name,
        "codes": [r["code"] for r in reason_list],
        "reasons": reason_list,
    }
    if info:
        doc.update({k: v for k, v in info.items() if k not in doc})
    path = sidecar_path(quarantined)
    key = hashlib.sha256(os.fsencode(path.name)).hexdigest()[:16]
    tmp = path.with_name(f".reason-{key}.{os.getpid()}.tmp")  # short whatever the name
    tmp.write_text(json.dumps(doc, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path
