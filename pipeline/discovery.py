"""Drop-folder discovery: which files of the inboxes are ready to be taken.

Rules (see ``docs/ARCHITECTURE.md``):

* every inbox is scanned recursively for ``.pdf`` and ``.txt`` files, extension in any case;
* hidden and partial files are ignored: dotfiles and anything under a dot-folder, ``~$*`` (office
  lock files), and names ending in ``.part``, ``.partial``, ``.tmp``, ``.crdownload`` or ``.download``;
* a file is taken only once it is *stable*: its mtime is at least ``stable_seconds`` old, so size and
  mtime have been unchanged that long (an unstable file is left for the next run); with
  ``wait=True`` young files get one more look after waiting out the rest of their window;
* symbolic links are never followed out of the inbox: a link to a file inside the same inbox is
  taken (read through the link; its content hash makes it a duplicate of its target), a link to a
  folder inside the inbox is skipped (its files are found directly), and a letter-named link or a
  folder link leading outside the inbox (or dangling) is *refused* with reason code
  ``symlink_outside_inbox``: recorded, quarantined (the link itself), never read;
* identity is the SHA-256 of the bytes, and the path is recorded relative to its inbox (POSIX form).

Nothing here imports Prefect, touches the warehouse, or logs letter text.
"""

from __future__ import annotations

import hashlib
import os
import stat as stat_mod
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

#: Extensions taken from an inbox (compared lower-case).
LETTER_SUFFIXES: frozenset[str] = frozenset({".pdf", ".txt"})
#: Name endings of files still being written by a copier or a browser.
PARTIAL_SUFFIXES: tuple[str, ...] = (".part", ".partial", ".tmp", ".crdownload", ".download")

#: Reason code of a symlink that leads outside its inbox (or dangles): refused, never followed.
SYMLINK_OUTSIDE = "symlink_outside_inbox"

_CHUNK = 1 << 20


@dataclass(frozen=True)
class FoundFile:
    """A stable letter file ready to be processed."""

    inbox: Path
    path: Path
    rel_path: str
    sha256: str
    size: int
    mtime: float

    @property
    def media_type(self) -> str:
        """``application/pdf`` or ``text/plain`` by extension."""
        return "application/pdf" if self.path.suffix.lower() == ".pdf" else "text/plain"


@dataclass(frozen=True)
class RefusedFile:
    """A path that is never read (a symlink leading outside its inbox): recorded and quarantined."""

    inbox: Path
    path: Path
    rel_path: str
    code: str
    message: str

    @property
    def pseudo_sha256(self) -> str:
        """A stable identity for the ledger (the bytes are never read): hash of the link and its target."""
        try:
            target = os.readlink(self.path)
        except OSError:
            target = ""
        key = f"refused:{self.inbox.resolve()}:{self.rel_path}->{target}"
        return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass
class Discovery:
    """What one scan found: files to take, refused paths, and files left for the next run."""

    files: list[FoundFile] = field(default_factory=list)
    refused: list[RefusedFile] = field(default_factory=list)
    unstable: list[Path] = field(default_factory=list)
    ignored: int = 0

    @property
    def seen(self) -> int:
        """Files taken or refused in this scan (unstable ones are not yet seen)."""
        return len(self.files) + len(self.refused)


def is_hidden_or_partial(name: str) -> bool:
    """True for dotfiles, ``~$`` lock files and partial downloads (``.part``, ``.tmp``...)."""
    low = name.lower()
    return name.startswith((".", "~$")) or low.endswith(PARTIAL_SUFFIXES)


def is_letter_name(name: str) -> bool:
    """True for a visible, complete ``.pdf``/``.txt`` name (any case)."""
    return not is_hidden_or_partial(name) and Path(name).suffix.lower() in LETTER_SUFFIXES


def sha256_file(path: Path) -> str:
    """SHA-256 hex digest of the file's bytes (read in 1 MiB chunks)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _is_within(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def _walk(inbox: Path) -> Iterator[tuple[Path, bool]]:
    """Yield ``(path, is_symlink)`` for candidate names under ``inbox``; never enters dot-folders or links."""
    for dirpath, dirnames, filenames in os.walk(inbox, followlinks=False):
        base = Path(dirpath)
        keep: list[str] = []
        for d in sorted(dirnames):
            if d.startswith("."):
                continue
            p = base / d
            if p.is_symlink():
                yield p, True
            else:
                keep.append(d)
        dirnames[:] = keep
        for name in sorted(filenames):
            if is_hidden_or_partial(name):
                continue
            p = base / name
            yield p, p.is_symlink()


def _refuse_link(inbox: Path, root: Path, link: Path) -> RefusedFile | None:
    """A RefusedFile when the link leads outside the inbox or dangles; else None (never followed)."""
    rel = link.relative_to(inbox).as_posix()
    try:
        target = link.resolve(strict=True)
    except (OSError, RuntimeError):
        return RefusedFile(inbox, link, rel, SYMLINK_OUTSIDE, "symbolic link is dangling or loops; not followed")
    if not _is_within(target, root):
        return RefusedFile(inbox, link, rel, SYMLINK_OUTSIDE, "symbolic link leads outside the inbox; not followed")
    return None


def _points_to_dir(link: Path) -> bool:
    """True when a link's target (wherever it is) is a folder, or its name has no extension."""
    try:
        return os.path.isdir(link) or not Path(os.readlink(link)).suffix
    except OSError:
        return False


def _stable(st: os.stat_result, now: float, stable_seconds: float) -> bool:
    return now - st.st_mtime >= stable_seconds


def _snapshot(path: Path, *, follow: bool) -> os.stat_result | None:
    try:
        return os.stat(path, follow_symlinks=follow)
    except OSError:
        return None


def scan_inbox(
    inbox: Path,
    stable_seconds: float,
    *,
    clock: Callable[[], float] = time.time,
) -> tuple[list[tuple[Path, str, os.stat_result]], list[RefusedFile], list[Path], int]:
    """Walk one inbox without hashing: ``(candidates, refused, unstable, ignored)``.

    ``candidates`` holds ``(path, rel_path, stat)`` of stable letter files. Raises nothing for a
    missing inbox (it simply has no files).
    """
    candidates: list[tuple[Path, str, os.stat_result]] = []
    refused: list[RefusedFile] = []
    unstable: list[Path] = []
    ignored = 0
    if not inbox.is_dir():
        return candidates, refused, unstable, ignored
    root = inbox.resolve()
    now = clock()
    for path, is_link in _walk(inbox):
        if is_link:
            bad = _refuse_link(inbox, root, path)
            if bad is not None:
                if is_letter_name(path.name) or _points_to_dir(path):
                    refused.append(bad)
                else:
                    ignored += 1
                continue
            if path.is_dir():
                continue  # a link to a folder inside the inbox: its files are found directly
        if not is_letter_name(path.name):
            ignored += 1
            continue
        st = _snapshot(path, follow=True)
        if st is None or not stat_mod.S_ISREG(st.st_mode):
            ignored += 1
            continue
        if _stable(st, now, stable_seconds):
            candidates.append((path, path.relative_to(inbox).as_posix(), st))
        else:
            unstable.append(path)
    return candidates, refused, unstable, ignored


def _same(a: os.stat_result, b: os.stat_result | None) -> bool:
    return b is not None and a.st_size == b.st_size and a.st_mtime_ns == b.st_mtime_ns


def discover(
    inboxes: Iterable[Path],
    stable_seconds: float,
    *,
    wait: bool = False,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> Discovery:
    """Scan ``inboxes`` and hash the stable letter files.

    A file counts as stable when its mtime is at least ``stable_seconds`` old and its size and mtime
    did not change while it was hashed. With ``wait=True``, files that are too young get a second
    look after one wait (at most ``stable_seconds``) and are taken if unchanged; otherwise they are
    left for the next run (listed in ``Discovery.unstable``). The same file reached from two inboxes
    (nested inboxes) is taken once. Raises nothing for unreadable files: they are left in place.
    """
    result = Discovery()
    seen_real: set[Path] = set()
    young: list[tuple[Path, Path, os.stat_result]] = []
    for inbox in _dedupe(inboxes):
        cands, refused, unstable, ignored = scan_inbox(inbox, stable_seconds, clock=clock)
        result.refused.extend(refused)
        result.ignored += ignored
        for path in unstable:
            st = _snapshot(path, follow=True)
            if st is not None:
                young.append((inbox, path, st))
        for path, rel, st in cands:
            _take(result, seen_real, inbox, path, rel, st)
    if young and wait:
        now = clock()
        remaining = max(stable_seconds - (now - st.st_mtime) for _, _, st in young)
        sleep(min(max(remaining, 0.0), stable_seconds))
        for inbox, path, st in young:
            again = _snapshot(path, follow=True)
            if _same(st, again):
                _take(result, seen_real, inbox, path, path.relative_to(inbox).as_posix(), st)
            else:
                result.unstable.append(path)
    else:
        result.unstable.extend(path for _, path, _ in young)
    return result


def _take(result: Discovery, seen_real: set[Path], inbox: Path, path: Path, rel: str, st: os.stat_result) -> None:
    real = Path(os.path.realpath(path.parent)) / path.name
    if real in seen_real:
        return  # the same name reached through two (nested) inboxes
    try:
        digest = sha256_file(path)
    except OSError:
        result.unstable.append(path)
        return
    if not _same(st, _snapshot(path, follow=True)):
        result.unstable.append(path)  # written to while hashing: next run
        return
    seen_real.add(real)
    result.files.append(FoundFile(inbox, path, rel, digest, st.st_size, st.st_mtime))


def _dedupe(inboxes: Iterable[Path]) -> Sequence[Path]:
    out: list[Path] = []
    seen: set[Path] = set()
    for ib in inboxes:
        p = Path(ib)
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out
