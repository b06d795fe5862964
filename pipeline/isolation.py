"""Extraction isolated per file: a hostile file can neither crash, hang nor bloat the batch.

:class:`IsolatedExtractor` runs :func:`imr.extract.extract_file` in one long-lived child process
(reused across files, so a text letter costs a pipe round trip on top of its ~1.5 ms)::

    with IsolatedExtractor(settings) as ex:
        for item in chunk:
            record = ex.extract(Path(item.path), item.rel_path, sha256=item.sha256)

Every call returns a :class:`~imr.models.LetterRecord` and never raises for bad input:

* the child runs under an address-space limit (``IMR_EXTRACT_MEMORY_MB``, RLIMIT_AS); a
  ``MemoryError`` there, or the child dying of an allocation failure, rejects the file with
  ``extract_memory``;
* a file taking longer than ``IMR_EXTRACT_TIMEOUT_SECONDS`` has its child killed: ``extract_timeout``;
* a child killed by a signal (a PDFium segfault) or exiting: ``extract_crash``;
* in every case the next file gets a fresh child.

Caps checked around the extractor (``imr/extract`` stays untouched): file size
(``file_too_large``, before anything is read), decoded text of a text file (``text_too_large``:
its byte size bounds its characters in every encoding), PDF pages counted with PDFium before
extraction (``too_many_pages``), and items per letter after it (``too_many_items``).

The child is a plain ``python -m pipeline.isolation`` subprocess talking length-prefixed pickles
over its stdin/stdout pipes (never ``multiprocessing``): it works the same when the caller is a
daemonic pool worker (``multiprocessing.Pool``, a Dask worker), a ``ProcessPoolExecutor`` or
Prefect's process task runner, and it starts without re-importing the caller's ``__main__``.
Rejected records carry the file's real SHA-256 (pass ``sha256`` when it is known, else the
parent hashes the file), so the ledger never mistakes them for a changed file.

Nothing here imports Prefect or Great Expectations; logs carry file names (control characters
escaped), codes and counts only.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
import pickle
import resource
import select
import signal
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from imr.models import LetterRecord, RecordError, Source
from imr.settings import Settings, get_settings
from pipeline.discovery import open_regular
from pipeline.names import log_safe

log = logging.getLogger("imr.pipeline")

#: The extractor the child runs unless told otherwise (a dotted ``module.function`` path).
DEFAULT_EXTRACTOR = "imr.extract.extract_file"

_HEADER = struct.Struct("!Q")
_ROOT = Path(__file__).resolve().parents[1]
_MB = 1 << 20
#: Words in a dead child's stderr that mean an allocation failed (searched, never logged).
_MEMORY_MARKERS = (b"MemoryError", b"bad_alloc", b"out of memory", b"Out of memory", b"Cannot allocate memory")


@dataclass(frozen=True)
class Limits:
    """What the child enforces; built from :class:`~imr.settings.Settings`."""

    timeout_seconds: float
    memory_bytes: int
    max_file_bytes: int
    max_text_bytes: int
    max_pages: int
    max_items: int
    pdf_engine: str
    ocr: str = "auto"
    evidence: bool = True

    @classmethod
    def from_settings(cls, s: Settings) -> Limits:
        """The limits of ``s`` (the ``IMR_EXTRACT_*`` settings, ``IMR_PDF_ENGINE``, ``IMR_OCR`` and
        ``IMR_EVIDENCE``)."""
        return cls(
            timeout_seconds=s.extract_timeout_seconds,
            memory_bytes=int(s.extract_memory_mb * _MB),
            max_file_bytes=int(s.extract_max_file_mb * _MB),
            max_text_bytes=int(s.extract_max_text_mb * _MB),
            max_pages=s.extract_max_pages,
            max_items=s.extract_max_items,
            pdf_engine=s.pdf_engine,
            ocr=s.ocr,
            evidence=s.evidence,
        )


def _is_pdf(path: Path, head: bytes) -> bool:
    return head.lstrip().startswith(b"%PDF") or path.suffix.lower() == ".pdf"


def rejected_record(display_path: str, sha256: str, media_type: str, code: str, message: str) -> LetterRecord:
    """A ``rejected`` record built the way :func:`imr.extract.extract_file` builds its rejections."""
    return LetterRecord(
        source=Source(path=display_path, sha256=sha256, media_type=media_type, pages=None),  # type: ignore[arg-type]
        status="rejected",
        errors=[RecordError(code, message)],
    )


def _sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(_MB):
                h.update(chunk)
    except OSError:
        return hashlib.sha256(b"").hexdigest()
    return h.hexdigest()


class IsolatedExtractor:
    """Extract files one at a time in a reused child process with time, memory and size limits.

    ``settings`` default to :func:`imr.settings.get_settings`. ``extractor`` is the dotted path of
    a function ``f(path, display_path, pdf_engine=..., ocr=..., evidence=...) -> LetterRecord`` run
    in the child (default :func:`imr.extract.extract_file`; tests point it at hostile helpers; one
    without ``evidence`` is called without it). With ``IMR_EVIDENCE`` on (the default) records
    come back with their evidence. Use as a
    context manager (or call :meth:`close`); the child starts on the first :meth:`extract`.
    Not thread-safe: one extractor per worker thread.
    """

    def __init__(self, settings: Settings | None = None, *, extractor: str = DEFAULT_EXTRACTOR) -> None:
        self.limits = Limits.from_settings(settings or get_settings())
        self.extractor = extractor
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._inherited_rss = 0
        #: Children started so far (a restart after a timeout or crash adds one).
        self.children_started = 0

    # ------------------------------------------------------------------ lifecycle

    def __enter__(self) -> IsolatedExtractor:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop the child (EOF on its stdin, then a kill if it does not exit within a second)."""
        proc, self._proc = self._proc, None
        if proc is not None:
            try:
                if proc.stdin is not None:
                    proc.stdin.close()
                proc.wait(timeout=1.0)
            except (OSError, subprocess.TimeoutExpired):
                proc.kill()
                proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def _start(self) -> subprocess.Popen[bytes]:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_ROOT), env.get("PYTHONPATH", "")) if p)
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115  (lives as long as the child; closed in close())
        config = pickle.dumps((asdict(self.limits), self.extractor))
        proc = subprocess.Popen(
            [sys.executable, "-m", "pipeline.isolation", "--child"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=env,
            cwd=str(_ROOT),
            close_fds=True,
            start_new_session=True,  # a Ctrl-C at the terminal is the run's to handle, not a crash of the letter
        )
        assert proc.stdin is not None
        proc.stdin.write(_HEADER.pack(len(config)) + config)
        proc.stdin.flush()
        self._proc = proc
        self.children_started += 1
        # what the child's ru_maxrss starts from: Linux carries the forking parent's high-water mark
        # across exec, so only a peak well above it is the child's own
        self._inherited_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        return proc

    def _kill(self) -> None:
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.kill()
        self.close()

    # ------------------------------------------------------------------ extraction

    def extract(self, path: Path, display_path: str, *, sha256: str | None = None) -> LetterRecord:
        """One record for the file at ``path`` (``source.path`` is ``display_path``).

        Never raises for bad input: a file over a cap, timing out, exhausting memory or killing
        the child comes back ``rejected`` with its reason code (``sha256``, when given, is used
        for those records instead of hashing the file again).
        """
        path = Path(path)
        lim = self.limits
        try:
            with os.fdopen(open_regular(path), "rb") as fh:  # never blocks on a FIFO swapped in
                st = os.fstat(fh.fileno())
                head = fh.read(1024)
        except OSError as exc:
            return rejected_record(
                display_path,
                sha256 or _sha256_of(path),
                "text/plain",
                "read_error",
                f"the file could not be read ({type(exc).__name__})",
            )
        media = "application/pdf" if _is_pdf(path, head) else "text/plain"

        def reject(code: str, message: str) -> LetterRecord:
            log.warning("extract %s: rejected %s", log_safe(display_path), code)
            return rejected_record(display_path, sha256 or _sha256_of(path), media, code, message)

        if st.st_size > lim.max_file_bytes:
            return reject("file_too_large", f"the file has {st.st_size} bytes, over the cap of {lim.max_file_bytes}")
        if media == "text/plain" and st.st_size > lim.max_text_bytes:
            return reject("text_too_large", f"the text has {st.st_size} bytes, over the cap of {lim.max_text_bytes}")
        outcome = self._round_trip(path, display_path)
        if isinstance(outcome, LetterRecord):
            return outcome
        code, message = outcome
        return reject(code, message)

    def start(self) -> None:
        """Start the child now unless it is running: it loads the extractor while the caller goes on."""
        self._running()

    def _running(self) -> subprocess.Popen[bytes]:
        """The live child, started afresh when there is none (or it died)."""
        proc = self._proc if self._proc is not None and self._proc.poll() is None else None
        if proc is None:
            self.close()
            proc = self._start()
        return proc

    def _round_trip(self, path: Path, display_path: str) -> LetterRecord | tuple[str, str]:
        proc = self._running()
        assert proc.stdin is not None and proc.stdout is not None
        mark = self._stderr.tell() if self._stderr is not None else 0
        request = pickle.dumps((str(path), display_path))
        try:
            proc.stdin.write(_HEADER.pack(len(request)) + request)
            proc.stdin.flush()
        except OSError:
            return self._died(proc, mark)
        deadline = time.monotonic() + self.limits.timeout_seconds
        try:
            header = _read_exact(proc.stdout.fileno(), _HEADER.size, deadline)
            if header is not None:
                (n,) = _HEADER.unpack(header)
                body = _read_exact(proc.stdout.fileno(), n, deadline)
            else:
                body = None
        except EOFError:
            return self._died(proc, mark)
        if header is None or body is None:
            self._kill()
            return "extract_timeout", f"extraction took longer than {self.limits.timeout_seconds:g} s"
        kind, payload = pickle.loads(body)
        if kind == "record":
            assert isinstance(payload, LetterRecord)
            return payload
        assert isinstance(payload, tuple)
        if kind == "fatal":  # the child cannot go on (e.g. memory): start afresh for the next file
            self._kill()
        return str(payload[0]), str(payload[1])

    def _died(self, proc: subprocess.Popen[bytes], mark: int) -> tuple[str, str]:
        rc, peak = _reap(proc)
        tail = b""
        if self._stderr is not None:
            self._stderr.seek(mark)
            tail = self._stderr.read()[-8192:]
            self._stderr.seek(0, os.SEEK_END)
        self.close()
        if rc == -signal.SIGXCPU:
            return "extract_timeout", "extraction used more CPU time than the limit allows"
        limit = self.limits.memory_bytes
        grew = peak > self._inherited_rss * 1.1  # its own allocations, not the parent's
        near_limit = limit > 0 and peak >= limit // 2 and grew
        if any(m in tail for m in _MEMORY_MARKERS) or rc == -signal.SIGKILL or (rc < 0 and near_limit):
            return "extract_memory", f"the extractor ran out of memory (limit {self.limits.memory_bytes // _MB} MB)"
        how = f"signal {-rc}" if rc < 0 else f"exit status {rc}"
        return "extract_crash", f"the extractor process died ({how})"


def _reap(proc: subprocess.Popen[bytes]) -> tuple[int, int]:
    """Wait for a dying child: ``(returncode, peak resident bytes)`` (signals as negative codes)."""
    deadline = time.monotonic() + 5.0
    while True:
        if proc.returncode is not None:
            return proc.returncode, 0
        try:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        except ChildProcessError:  # reaped elsewhere
            return proc.returncode if proc.returncode is not None else -1, 0
        if pid:
            rc = os.waitstatus_to_exitcode(status)
            proc.returncode = rc
            return rc, int(usage.ru_maxrss) * 1024
        if time.monotonic() > deadline:
            proc.kill()
            deadline = time.monotonic() + 5.0
        time.sleep(0.005)


def _read_exact(fd: int, n: int, deadline: float) -> bytes | None:
    """``n`` bytes from ``fd`` before ``deadline`` (None when it passes); EOFError when the pipe closes."""
    buf = bytearray()
    while len(buf) < n:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            return None
        chunk = os.read(fd, min(n - len(buf), 1 << 20))
        if not chunk:
            raise EOFError
        buf += chunk
    return bytes(buf)


# ---------------------------------------------------------------------- the child


def _child_read(fh: IO[bytes]) -> bytes | None:
    header = fh.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (n,) = _HEADER.unpack(header)
    return fh.read(n)


def _pdf_pages(path: Path) -> int | None:
    """Pages of a PDF counted by PDFium without extracting anything (None when it cannot open it)."""
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(path.read_bytes())
    except Exception:  # corrupt or password-protected: the extractor says which
        return None
    try:
        return len(doc)
    finally:
        doc.close()


def _child_extract(
    fn: Callable[..., LetterRecord], lim: dict[str, Any], path: Path, display_path: str
) -> tuple[str, Any]:
    with open(path, "rb") as fh:
        head = fh.read(1024)
    if _is_pdf(path, head):
        pages = _pdf_pages(path)
        if pages is not None and pages > lim["max_pages"]:
            return "reject", ("too_many_pages", f"the PDF has {pages} pages, over the cap of {lim['max_pages']}")
    extra = {"evidence": True} if lim.get("evidence") and _takes_evidence(fn) else {}
    record = fn(path, display_path, pdf_engine=lim["pdf_engine"], ocr=lim.get("ocr", "auto"), **extra)
    letter = record.letter
    if letter is not None and len(letter.items) > lim["max_items"]:
        n = len(letter.items)
        record = LetterRecord(
            source=record.source,
            status="rejected",
            errors=[RecordError("too_many_items", f"the letter has {n} items, over the cap of {lim['max_items']}")],
        )
    return "record", record


def _takes_evidence(fn: Callable[..., LetterRecord]) -> bool:
    """Whether the extractor takes ``evidence=`` (:func:`imr.extract.extract_file` does; a test's
    stand-in may not, and is called without it)."""
    import inspect

    try:
        return "evidence" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def _limit_cpu(seconds: float) -> None:
    """Let the child use at most ``seconds`` more CPU time (SIGXCPU after): a backstop for an orphan."""
    import resource

    used = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(used.ru_utime + used.ru_stime + seconds) + 1
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def child_main() -> int:
    """The child's loop: read a request, extract, answer; exit on EOF (the parent went away)."""
    import resource

    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything a library prints goes to stderr, never into the protocol
    sys.stdout = sys.stderr
    logging.disable(logging.WARNING)  # third-party warnings could quote text; they are not needed here
    inp = sys.stdin.buffer
    raw = _child_read(inp)
    if raw is None:
        return 0
    lim, dotted = pickle.loads(raw)
    module, _, name = dotted.rpartition(".")
    fn = getattr(importlib.import_module(module), name)
    import pypdfium2  # noqa: F401  (loaded before the memory limit is set)

    if lim["memory_bytes"] > 0:
        resource.setrlimit(resource.RLIMIT_AS, (lim["memory_bytes"], lim["memory_bytes"]))
    while (raw := _child_read(inp)) is not None:
        path_s, display_path = pickle.loads(raw)
        _limit_cpu(2 * lim["timeout_seconds"] + 5)
        try:
            reply: tuple[str, Any] = _child_extract(fn, lim, Path(path_s), display_path)
        except MemoryError:
            limit_mb = lim["memory_bytes"] // _MB
            reply = ("fatal", ("extract_memory", f"the extractor ran out of memory (limit {limit_mb} MB)"))
        except RecursionError:
            reply = ("reject", ("parse_error", "the letter is too deeply nested"))
        except Exception as exc:  # the extractor's own contract says it never raises; keep going
            reply = ("reject", ("internal_error", f"unexpected {type(exc).__name__} in the extractor"))
        try:
            body = pickle.dumps(reply)
        except MemoryError:
            body = pickle.dumps(("fatal", ("extract_memory", "the extractor ran out of memory")))
        out.write(_HEADER.pack(len(body)) + body)
        out.flush()
    return 0


if __name__ == "__main__" and sys.argv[1:] == ["--child"]:
    sys.exit(child_main())
