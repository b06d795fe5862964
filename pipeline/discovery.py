"""Drop-folder discovery: which files of the inboxes are ready to be taken.

Rules (see ``docs/ARCHITECTURE.md``):

* every inbox is scanned recursively for ``.pdf`` and ``.txt`` files, extension in any case; any
  name the file system allows is taken (newlines, leading dashes, 255 bytes, bytes that are not
  UTF-8: ``rel_path`` is then the text form of :func:`pipeline.names.text_name`, ``path`` the real one);
* entries not taken are left in place, never opened, and listed in ``Discovery.ignored_entries``
  with a reason code: ``hidden_file`` (dotfiles, dot-folders, ``~$*`` lock files),
  ``partial_upload`` (``.part``, ``.partial``, ``.tmp``, ``.crdownload``, ``.download``),
  ``unsupported_type`` (``notes.docx``), ``not_regular_file`` (FIFOs, sockets, devices, folders
  named ``*.pdf``, whose files are still found), ``symlink_loop``;
* a file is taken only once it is *stable*, by observation: its size and mtime unchanged over
  ``stable_seconds`` (see :func:`discover`; an mtime in the future is no obstacle);
* symbolic links are never followed out of the inbox: a link to a file inside the same inbox is
  taken (read through the link; its content hash makes it a duplicate of its target), a link to a
  folder inside the inbox is skipped (its files are found directly), and a letter-named link or a
  folder link leading outside the inbox (or dangling) is *refused* with reason code
  ``symlink_outside_inbox``: recorded, quarantined (the link itself), never read;
* files are hashed through a non-blocking open checked to be a regular file (a FIFO swapped in
  after the scan cannot hang the run);
* identity is the SHA-256 of the bytes, and the path is recorded relative to its inbox (POSIX form).

Nothing here imports Prefect, touches the warehouse, or logs letter text.
"""

from __future__ import annotations

import errno
import hashlib
import itertools
import os
import stat as stat_mod
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from pipeline.names import text_name

#: Extensions taken from an inbox (compared lower-case).
LETTER_SUFFIXES: frozenset[str] = frozenset({".pdf", ".txt"})
#: Name endings of files still being written by a copier or a browser.
PARTIAL_SUFFIXES: tuple[str, ...] = (".part", ".partial", ".tmp", ".crdownload", ".download")

#: Reason code of a symlink that leads outside its inbox (or dangles): refused, never followed.
SYMLINK_OUTSIDE = "symlink_outside_inbox"
#: Reason codes of ignored entries (left in place, counted, never opened).
class IgnoreReason(StrEnum):
    """Why an inbox entry is left in place (the batch's ``ignored_reasons``)."""

    HIDDEN = "hidden_file"
    PARTIAL = "partial_upload"
    UNSUPPORTED = "unsupported_type"
    NOT_REGULAR = "not_regular_file"
    SYMLINK_LOOP = "symlink_loop"


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


@dataclass(frozen=True)
class IgnoredEntry:
    """An inbox entry the pipeline does not take: left in place, never opened, reported with a reason.

    ``code`` is an :class:`IgnoreReason` (``hidden_file``, ``partial_upload``,
    ``unsupported_type``, ``not_regular_file``, ``symlink_loop``).
    """

    inbox: Path
    path: Path
    rel_path: str
    code: str


@dataclass
class Discovery:
    """What one scan found: files to take, refused paths, files left for the next run, and
    ignored entries (with their reasons)."""

    files: list[FoundFile] = field(default_factory=list)
    refused: list[RefusedFile] = field(default_factory=list)
    unstable: list[Path] = field(default_factory=list)
    ignored_entries: list[IgnoredEntry] = field(default_factory=list)
    #: The inboxes scanned (each once), whether or not anything was found in them.
    inboxes: list[Path] = field(default_factory=list)

    @property
    def ignored(self) -> int:
        """How many entries were ignored."""
        return len(self.ignored_entries)

    def ignored_by_code(self) -> dict[str, int]:
        """Ignored entries counted per reason code (sorted by code)."""
        return dict(sorted(Counter(e.code for e in self.ignored_entries).items()))

    @property
    def seen(self) -> int:
        """Files taken or refused in this scan (unstable ones are not yet seen)."""
        return len(self.files) + len(self.refused)


def is_hidden(name: str) -> bool:
    """True for dotfiles and dot-folders and ``~$`` office lock files."""
    return name.startswith((".", "~$"))


def is_partial(name: str) -> bool:
    """True for names of files still being written (``.part``, ``.tmp``, ``.crdownload``...)."""
    return name.lower().endswith(PARTIAL_SUFFIXES)


def is_hidden_or_partial(name: str) -> bool:
    """True for dotfiles, ``~$`` lock files and partial downloads (``.part``, ``.tmp``...)."""
    return is_hidden(name) or is_partial(name)


def is_letter_name(name: str) -> bool:
    """True for a visible, complete ``.pdf``/``.txt`` name (any case)."""
    return not is_hidden_or_partial(name) and Path(name).suffix.lower() in LETTER_SUFFIXES


def _is_within(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def _rel(inbox: Path, path: Path) -> str:
    """``path`` relative to ``inbox`` in POSIX form, as storable text (see :func:`pipeline.names.text_name`)."""
    return text_name(path.relative_to(inbox).as_posix())


def _ignore(inbox: Path, path: Path, code: str) -> IgnoredEntry:
    return IgnoredEntry(inbox, path, _rel(inbox, path), code)


def _walk(inbox: Path, ignored: list[IgnoredEntry]) -> Iterator[tuple[Path, bool]]:
    """Yield ``(path, is_symlink)`` for letter-named regular files and links under ``inbox``.

    Entries not taken are appended to ``ignored`` with their reason. Types come from the directory
    listing (``d_type``) or ``lstat``: nothing is opened, so a FIFO or a device never blocks.
    Never enters hidden folders or links; a folder named like a letter is reported and entered.
    """
    stack = [inbox]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: os.fsencode(e.name))
        except OSError:
            continue
        subdirs: list[Path] = []
        for entry in entries:
            name, path = entry.name, Path(entry.path)
            if is_hidden(name):
                ignored.append(_ignore(inbox, path, IgnoreReason.HIDDEN))
                continue
            try:
                is_link = entry.is_symlink()
                is_dir = not is_link and entry.is_dir(follow_symlinks=False)
                is_file = not is_link and entry.is_file(follow_symlinks=False)
            except OSError:
                ignored.append(_ignore(inbox, path, IgnoreReason.NOT_REGULAR))
                continue
            if is_dir:
                if Path(name).suffix.lower() in LETTER_SUFFIXES:
                    ignored.append(_ignore(inbox, path, IgnoreReason.NOT_REGULAR))
                subdirs.append(path)
            elif is_link:
                yield path, True
            elif not is_file:
                ignored.append(_ignore(inbox, path, IgnoreReason.NOT_REGULAR))
            elif is_partial(name):
                ignored.append(_ignore(inbox, path, IgnoreReason.PARTIAL))
            elif Path(name).suffix.lower() not in LETTER_SUFFIXES:
                ignored.append(_ignore(inbox, path, IgnoreReason.UNSUPPORTED))
            else:
                yield path, False
        stack.extend(reversed(subdirs))


def count_letters(inboxes: Iterable[Path], at_most: int) -> int:
    """How many letter-named files and links the inboxes hold, counting stops at ``at_most``: a
    quick look (listings only, nothing opened or hashed) that tells a run with few letters or none
    from one worth starting worker processes for."""
    seen = 0
    for inbox in inboxes:
        if seen >= at_most:
            break
        if inbox.is_dir():
            seen += sum(1 for _ in itertools.islice(_walk(inbox, []), at_most - seen))
    return seen


def _link_target(link: Path) -> Path | str:
    """The resolved target of ``link``, or ``"loop"`` / ``"dangling"``."""
    try:
        return link.resolve(strict=True)
    except RuntimeError:  # Python < 3.13 reports a loop this way
        return "loop"
    except OSError as e:
        return "loop" if e.errno == errno.ELOOP else "dangling"


def _points_to_dir(link: Path) -> bool:
    """True when a link's target (wherever it is) is a folder, or its name has no extension."""
    try:
        return os.path.isdir(link) or not Path(os.readlink(link)).suffix
    except OSError:
        return False


def _snapshot(path: Path, *, follow: bool) -> os.stat_result | None:
    try:
        return os.stat(path, follow_symlinks=follow)
    except OSError:
        return None


def _classify_link(
    inbox: Path, root: Path, link: Path, refused: list[RefusedFile], ignored: list[IgnoredEntry]
) -> bool:
    """Sort out a symbolic link; True when it is a letter link inside the inbox (read through it)."""
    rel = _rel(inbox, link)
    target = _link_target(link)
    letter_named = is_letter_name(link.name)
    if target == "loop":
        ignored.append(IgnoredEntry(inbox, link, rel, IgnoreReason.SYMLINK_LOOP))
        return False
    if target == "dangling" or (isinstance(target, Path) and not _is_within(target, root)):
        if letter_named or _points_to_dir(link):
            why = "dangles" if target == "dangling" else "leads outside the inbox"
            refused.append(RefusedFile(inbox, link, rel, SYMLINK_OUTSIDE, f"symbolic link {why}; not followed"))
        else:
            ignored.append(IgnoredEntry(inbox, link, rel, IgnoreReason.UNSUPPORTED))
        return False
    if os.path.isdir(link):
        return False  # a link to a folder inside the inbox: its files are found directly
    if not letter_named:
        why = IgnoreReason.PARTIAL if is_partial(link.name) else IgnoreReason.UNSUPPORTED
        ignored.append(IgnoredEntry(inbox, link, rel, why))
        return False
    return True


def scan_inbox(
    inbox: Path,
    stable_seconds: float,
    *,
    clock: Callable[[], float] = time.time,
) -> tuple[list[tuple[Path, str, os.stat_result]], list[RefusedFile], list[Path], list[IgnoredEntry]]:
    """Walk one inbox without hashing: ``(candidates, refused, young, ignored)``.

    ``candidates`` holds ``(path, rel_path, stat)`` of letter files last modified at least
    ``stable_seconds`` ago; ``young`` the others (modified within the window, or dated in the
    future: they need a second look, see :func:`discover`). Raises nothing for a missing inbox.
    """
    candidates: list[tuple[Path, str, os.stat_result]] = []
    refused: list[RefusedFile] = []
    young: list[Path] = []
    ignored: list[IgnoredEntry] = []
    if not inbox.is_dir():
        return candidates, refused, young, ignored
    root = inbox.resolve()
    now = clock()
    for path, is_link in _walk(inbox, ignored):
        if is_link and not _classify_link(inbox, root, path, refused, ignored):
            continue
        st = _snapshot(path, follow=True)
        if st is None or not stat_mod.S_ISREG(st.st_mode):
            ignored.append(_ignore(inbox, path, IgnoreReason.NOT_REGULAR))
            continue
        if stable_seconds <= 0 or now - st.st_mtime >= stable_seconds:
            candidates.append((path, _rel(inbox, path), st))
        else:
            young.append(path)
    return candidates, refused, young, ignored


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

    Stability is observed: a file is taken when its size and mtime stay the same over
    ``stable_seconds``. A file last modified at least that long ago needs one look (and must not
    change while it is hashed); a younger one, or one whose mtime lies in the future (clock skew
    on a share: its age says nothing), is looked at again after waiting out the window, once for
    the whole scan. Future-dated files always get that second look; recent ones only with
    ``wait=True`` (otherwise they are left for the next run, listed in ``Discovery.unstable``).
    The same file reached from two inboxes (nested inboxes) is taken once. Entries that are not
    taken are listed in ``Discovery.ignored_entries`` with a reason. Raises nothing for
    unreadable files: they are left in place.
    """
    result = Discovery()
    seen_real: set[Path] = set()
    young: list[tuple[Path, Path, os.stat_result]] = []
    for inbox in _dedupe(inboxes):
        result.inboxes.append(inbox)
        cands, refused, unstable, ignored = scan_inbox(inbox, stable_seconds, clock=clock)
        result.refused.extend(refused)
        result.ignored_entries.extend(ignored)
        for path in unstable:
            st = _snapshot(path, follow=True)
            if st is not None:
                young.append((inbox, path, st))
        for path, rel, st in cands:
            _take(result, seen_real, inbox, path, rel, st)
    now = clock()
    future = [y for y in young if y[2].st_mtime > now]
    observe = young if wait else future
    if observe:
        window = [stable_seconds if st.st_mtime > now else stable_seconds - (now - st.st_mtime) for _, _, st in observe]
        sleep(min(max(max(window), 0.0), stable_seconds))
        for inbox, path, st in observe:
            again = _snapshot(path, follow=True)
            if _same(st, again):
                _take(result, seen_real, inbox, path, _rel(inbox, path), st)
            else:
                result.unstable.append(path)
    observed = {path for _, path, _ in observe}
    result.unstable.extend(path for _, path, _ in young if path not in observed)
    return result


def open_regular(path: Path) -> int:
    """An fd on ``path`` opened without blocking (a FIFO swapped in would otherwise hang); OSError
    when it is not a regular file."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat_mod.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        os.set_blocking(fd, True)
    except OSError:
        os.close(fd)
        raise
    return fd


def sha256_file(path: Path) -> str:
    """SHA-256 hex digest of a regular file's bytes (1 MiB chunks; never blocks on a FIFO).

    Raises ``OSError`` when ``path`` cannot be read or is not a regular file.
    """
    h = hashlib.sha256()
    with os.fdopen(open_regular(path), "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


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
