"""Which files are letters and what media type they are: the one rule for ``imr extract``, the
extraction pipeline and (through them) the ingest ledger."""

from __future__ import annotations

import os
from pathlib import Path

from imr.models import MediaType

#: Suffixes of letter files (any case).
LETTER_SUFFIXES: frozenset[str] = frozenset({".pdf", ".txt"})
#: Suffixes of files still being written (partial downloads, temporary copies).
PARTIAL_SUFFIXES: tuple[str, ...] = (".part", ".partial", ".tmp", ".crdownload", ".download")


def media_type_of(name: str | os.PathLike[str], data: bytes = b"") -> MediaType:
    """``application/pdf`` for PDF bytes or a .pdf name, else ``text/plain`` (without ``data``,
    by the name alone: what the ingest ledger records before a file is read)."""
    if data[:1024].lstrip().startswith(b"%PDF") or str(name).lower().endswith(".pdf"):
        return "application/pdf"
    return "text/plain"


def is_hidden_or_partial(name: str) -> bool:
    """True for dotfiles, ``~$`` lock files and partial downloads (``.part``, ``.tmp``...)."""
    low = name.lower()
    return name.startswith((".", "~$")) or low.endswith(PARTIAL_SUFFIXES)


def is_letter_name(name: str) -> bool:
    """True for a visible, complete ``.pdf``/``.txt`` name (any case)."""
    return not is_hidden_or_partial(name) and Path(name).suffix.lower() in LETTER_SUFFIXES
