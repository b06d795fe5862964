"""What a chunk worker process does besides its chunks: get ready early, and leave quickly.

A process-pool worker (``--workers N``) imports Prefect, Great Expectations and pandas and starts
an isolated extractor: seconds of CPU that :func:`prepare_worker` moves to while the flow plans.
At the end of a run the pool waits for its workers to exit, and a Python process holding those
libraries spends about a second of CPU tearing its heap down on the way out:
:func:`leave_without_teardown` (the pool's initializer) skips that, once every exit handler ran.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys

from expectations import prepare_validation
from imr.settings import Settings
from pipeline import stop
from pipeline.stages import extractor_for


def prepare_worker(settings: Settings) -> None:
    """Make this process ready for chunks before the first one arrives: its isolated extractor's
    child started (it loads the extractor meanwhile) and Great Expectations imported with the suites
    built (seconds, once per process). Chunks work the same without it, only later."""
    extractor_for(settings).start()
    prepare_validation()


def _exit_now() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # closed or gone: nothing left to flush
            stream.flush()
    os._exit(0)


def leave_without_teardown() -> None:
    """Register, before any other, the exit handler that ends this worker process: exit handlers
    run last-registered first, so it runs after the rest (Prefect's log and event flushes, the
    isolated extractor's close) and skips only the interpreter's teardown of its objects and
    modules. For pool workers only: their results went back through the pool, they write no
    files of their own, and the pool watches them end, whatever their exit status. A Ctrl-C at
    the terminal is left to the run's process (:func:`pipeline.stop.ignore_terminal_interrupt`):
    the worker stops between letters when the run asks."""
    atexit.register(_exit_now)
    stop.ignore_terminal_interrupt()
