"""Stopping a run cleanly: SIGINT (Ctrl-C) and SIGTERM ask it to stop between letters.

:func:`handling_signals` (installed by the flows and ``imr ingest`` around a run, in the main
thread) turns both signals into a request (:func:`requested`), never a ``KeyboardInterrupt`` in
the middle of a load. The chunk loop checks it after each letter (:class:`Pulse`), as do the
processes that work for the run elsewhere (pool workers, Dask): they read the stop request the
run's process writes to its batch row (``warehouse.runs.request_stop``) every
:data:`PULSE_SECONDS`, with their progress. The isolated extractor runs in a session of its own,
so a Ctrl-C at the terminal never reaches it as a crash of the letter it reads.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator
from types import FrameType

from sqlalchemy.engine import Engine

from imr.errors import ImrError
from warehouse import runs

log = logging.getLogger("imr.pipeline")

#: How often a chunk records its progress and reads whether its run was asked to stop.
PULSE_SECONDS = 2.0

_requested = threading.Event()
_signal: list[int] = []


def request(signum: int = signal.SIGTERM) -> None:
    """Ask this process's run to stop between letters (what the signal handlers do)."""
    if not _signal:
        _signal.append(signum)
    _requested.set()


def requested() -> bool:
    """Whether this process was asked to stop."""
    return _requested.is_set()


def received() -> int | None:
    """The signal that asked for the stop (None: no stop asked, or asked without a signal)."""
    return _signal[0] if _signal else None


def reset() -> None:
    """Forget a stop request (a new run in the same process)."""
    _requested.clear()
    _signal.clear()


def signal_name(signum: int | None) -> str:
    """``SIGINT``, ``SIGTERM``... (``a stop request`` without a signal)."""
    return signal.Signals(signum).name if signum else "a stop request"


def exit_status(signum: int | None) -> int:
    """The shell's exit status for a run stopped by ``signum``: 128 + its number (130, 143)."""
    return 128 + (signum or signal.SIGTERM)


class RunInterrupted(ImrError):
    """A run stopped by SIGINT/SIGTERM between letters; its batch is closed ``interrupted``."""

    code = "interrupted"


def _handler(signum: int, _frame: FrameType | None) -> None:
    if requested():  # a second Ctrl-C: the user insists; Python's own behaviour
        raise KeyboardInterrupt
    request(signum)
    log.warning("%s received: stopping after the current letter", signal_name(signum))


@contextlib.contextmanager
def handling_signals() -> Iterator[None]:
    """SIGINT and SIGTERM ask for a stop while the block runs (the previous handlers are put back
    after it). Only the main thread can install handlers: elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    reset()
    previous = {s: signal.signal(s, _handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def ignore_terminal_interrupt() -> None:
    """For worker processes of a run (a process pool's initializer): a Ctrl-C at the terminal
    reaches every process of the foreground group; workers leave it to the run's process, whose
    stop request they read between letters. SIGTERM asks them to stop between letters too."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda signum, _frame: request(signum))


class Pulse:
    """A chunk's heartbeat: after each letter, :meth:`beat` says whether to go on. Every
    :data:`PULSE_SECONDS` it records the chunk's progress in the warehouse and reads whether the
    run was asked to stop (and keeps the run's lock where this process holds it)."""

    def __init__(self, engine: Engine | None, batch_id: str, chunk: str, total: int) -> None:
        self.engine, self.batch_id, self.chunk, self.total = engine, batch_id, chunk, total
        self.stopped = False
        self._last = 0.0

    def beat(self, done: int, *, force: bool = False) -> bool:
        """``done`` letters of the chunk are through; True to go on, False to stop now."""
        if requested():
            self.stopped = True
        now = time.monotonic()
        if self.engine is not None and (force or now - self._last >= PULSE_SECONDS):
            self._last = now
            lease = runs.held(self.batch_id)
            if lease is not None:
                lease.keep()
            try:
                if runs.report_progress(self.engine, self.batch_id, self.chunk, done, self.total):
                    self.stopped = True
            except ImrError as e:  # the warehouse is away: the load will meet it; go on meanwhile
                log.debug("progress of batch %s not recorded: %s", self.batch_id, e.code)
        return not self.stopped


#: How often the run's process, waiting for its chunks, reports progress and passes a stop on.
WATCH_SECONDS = 2.0
#: How often that progress is also a log line (the console of ``imr ingest``, the run's logs).
LOG_EVERY_SECONDS = 15.0


class RunWatch:
    """What the run's process does while it waits for its chunks, every :data:`WATCH_SECONDS`:
    the letters done so far (the chunks' pulses in the warehouse) go to ``on_progress`` and, every
    :data:`LOG_EVERY_SECONDS`, to the log; a stop asked of this process (SIGINT/SIGTERM) is
    written to the batch row, where the chunks read it wherever they run; the run's lock is kept."""

    def __init__(self, engine: Engine, batch_id: str, total: int, on_progress: Callable[[int], object]) -> None:
        self.engine, self.batch_id, self.total, self.on_progress = engine, batch_id, total, on_progress
        self.stopping = False
        self._done = -1
        self._logged = time.monotonic()

    def tick(self) -> None:
        """One look: pass a stop on, keep the lock, report progress."""
        if requested() and not self.stopping:
            self.stopping = True
            with contextlib.suppress(ImrError):
                runs.request_stop(self.engine, self.batch_id, f"stop asked by {signal_name(received())}")
        lease = runs.held(self.batch_id)
        if lease is not None:
            lease.keep()
        try:
            done, _ = runs.progress_of(self.engine, self.batch_id)
        except ImrError:
            return
        if done != self._done:
            self._done = done
            self.on_progress(done)
            now = time.monotonic()
            if now - self._logged >= LOG_EVERY_SECONDS:
                self._logged = now
                log.info("batch %s: %d of %d letters processed", self.batch_id, done, self.total)
