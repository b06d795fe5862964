"""Hostile extractors run inside the isolated extractor's child (importable by dotted path).

Each has the signature of :func:`imr.extract.extract_file` and misbehaves the way a hostile file
makes a real extractor misbehave: hang, allocate without bound, or crash the process.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

from imr.extract import extract_file
from imr.models import LetterRecord


def _by_name(path: Path, display_path: str, pdf_engine: str) -> LetterRecord | None:
    name = Path(path).name
    if name.startswith("hang"):
        time.sleep(3600)
    if name.startswith("spin"):
        while True:
            pass
    if name.startswith("bloat"):
        hoard = []
        while True:
            hoard.append(bytearray(64 << 20))
    if name.startswith("segv"):
        os.kill(os.getpid(), signal.SIGSEGV)
    if name.startswith("abort"):
        os.abort()
    if name.startswith("exit"):
        os._exit(3)
    if name.startswith("chatty"):
        print("noise on stdout " * 1000)
    return None


def hostile_extract(
    path: Any, display_path: str | None = None, pdf_engine: str = "auto", ocr: str = "auto"
) -> LetterRecord:
    """``extract_file``, except for files whose name says how to misbehave (hang, bloat, segv...)."""
    shown = display_path if display_path is not None else str(path)
    _by_name(Path(path), shown, pdf_engine)
    return extract_file(path, shown, pdf_engine, ocr)
