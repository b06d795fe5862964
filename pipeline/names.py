"""File names as the file system allows them, made safe to log, store and derive from.

A POSIX name is any bytes but ``/`` and NUL, up to 255 bytes: newlines, control characters,
leading dashes and bytes that are not UTF-8 (Python hands those over as lone surrogates) all
happen in drop folders. Three helpers, used everywhere a name leaves the file system:

* :func:`log_safe`: one line of printable text for logs (control characters and undecodable bytes
  escaped as ``\\n``, ``\\x1b``, ``\\xff``);
* :func:`text_name`: a name as storable text (undecodable bytes become ``\\xNN``; valid UTF-8,
  newlines included, is kept), what the ledger records as ``rel_path``;
* :func:`fit_name`: a name shortened with a hash of the whole when it, plus what will be appended
  to it, would pass the 255-byte limit (``letter.1.pdf``, ``<name>.reason.json``).
"""

from __future__ import annotations

import hashlib
import os

#: Longest file name (bytes) on the file systems a drop folder lives on (ext4, xfs, btrfs, NTFS via SMB).
NAME_MAX = 255
_HASH_CHARS = 16
_MAX_SUFFIX = 16


def text_name(name: str) -> str:
    """``name`` as valid text: bytes that are not UTF-8 become ``\\xNN``; everything else is kept."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", "backslashreplace")
    return name


def log_safe(text: str) -> str:
    """``text`` on one printable line: control characters, ``\\`` escapes and bad bytes escaped."""
    out: list[str] = []
    for ch in text_name(text):
        code = ord(ch)
        if ch == "\\" or ch.isprintable():
            out.append(ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif code < 0x100:
            out.append(f"\\x{code:02x}")
        else:
            out.append(f"\\u{code:04x}")
    return "".join(out)


def _nbytes(name: str) -> int:
    return len(os.fsencode(name))


def fit_name(name: str, reserve: int = 0) -> str:
    """``name``, or a shortened ``<stem>~<hash><suffix>`` so that it plus ``reserve`` bytes fits 255.

    Deterministic (the hash is of the whole original name), keeps a short suffix (``.pdf``), and
    never splits a UTF-8 character. Names that fit are returned unchanged.
    """
    limit = NAME_MAX - max(0, reserve)
    if _nbytes(name) <= limit:
        return name
    raw = os.fsencode(name)
    digest = hashlib.sha256(raw).hexdigest()[:_HASH_CHARS]
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem or _nbytes("." + suffix) > _MAX_SUFFIX:
        stem, suffix_part = name, ""
    else:
        suffix_part = text_name("." + suffix)
    room = limit - len("~" + digest) - _nbytes(suffix_part)
    short = os.fsencode(text_name(stem))[: max(room, 0)].decode("utf-8", "ignore")
    return f"{short}~{digest}{suffix_part}"
