"""Hostile inputs built from scratch (no corpus text): PDF bombs, page floods, deep nesting, floods.

Used by the isolation, fuzzing and hostile-inbox tests and by ``bench/hostile.py``. Every builder
writes real bytes a scanner, a mail gateway or a careless person could drop in an inbox.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from pathlib import Path

IMR_HEAD = (
    "DEPARTMENT OF INDUSTRIAL RELATIONS\n"
    "DIVISION OF WORKERS' COMPENSATION\n"
    "INDEPENDENT MEDICAL REVIEW\n"
    "FINAL DETERMINATION LETTER\n"
    "IMR Case Number: CM26-0012345\n"
)


def raw_pdf(page_contents: Iterable[bytes], *, filters: bool = False, extra: bytes = b"") -> bytes:
    """A well-formed PDF with one page per content stream (``filters``: streams are FlateDecoded).

    ``extra`` is put into the catalog dictionary as ``/Extra`` (e.g. a deeply nested array).
    """
    contents = list(page_contents)
    n = len(contents)
    objs: list[bytes] = []
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(n)).encode()
    cat = b"<< /Type /Catalog /Pages 2 0 R" + (b" /Extra " + extra if extra else b"") + b" >>"
    objs.append(cat)
    objs.append(b"<< /Type /Pages /Kids [" + kids + b"] /Count " + str(n).encode() + b" >>")
    font = f"{3 + 2 * n} 0 R".encode()
    for i, body in enumerate(contents):
        objs.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 "
            + font
            + b" >> >> /Contents "
            + f"{4 + 2 * i} 0 R".encode()
            + b" >>"
        )
        data = zlib.compress(body) if filters else body
        head = b"<< /Length " + str(len(data)).encode() + (b" /Filter /FlateDecode" if filters else b"") + b" >>"
        objs.append(head + b"\nstream\n" + data + b"\nendstream")
    objs.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    return _assemble(objs)


def _assemble(objs: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def text_page(lines: Iterable[str]) -> bytes:
    """A content stream drawing ``lines`` with Helvetica, top to bottom."""
    ops = [b"BT /F1 10 Tf 14 TL 50 750 Td"]
    for ln in lines:
        safe = ln.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(b"(" + safe.encode("latin-1", "replace") + b") Tj T*")
    ops.append(b"ET")
    return b"\n".join(ops)


def pdf_bomb(inflated_mb: int = 400) -> bytes:
    """A one-page PDF whose content stream inflates to ``inflated_mb`` MB of spaces (~0.4 MB on disk)."""
    comp = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    data = b"".join(comp.compress(chunk) for _ in range(inflated_mb)) + comp.flush()
    head = b"<< /Length " + str(len(data)).encode() + b" /Filter /FlateDecode >>"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        head + b"\nstream\n" + data + b"\nendstream",
    ]
    return _assemble(objs)


def blank_pages_pdf(pages: int = 2000) -> bytes:
    """A PDF of ``pages`` empty pages."""
    return raw_pdf([b""] * pages)


def nested_pdf(depth: int = 200_000) -> bytes:
    """A PDF with ``depth``-deep nested arrays in its catalog and in its page's content stream."""
    nest = b"[" * depth + b"]" * depth
    return raw_pdf([text_page(["INDEPENDENT MEDICAL REVIEW"]) + b"\n" + nest], extra=nest)


def decision_flood(items: int = 200_000) -> str:
    """An IMR heading, a case number and ``items`` lines ``Item: Upheld`` (the issue's junk letter)."""
    return IMR_HEAD + "Item: Upheld\n" * items


def long_line(n_bytes: int, unit: str = "Item: Upheld; ") -> str:
    """One line of about ``n_bytes`` bytes repeating ``unit`` (no newline)."""
    return unit * max(1, n_bytes // len(unit))


def write(path: Path, data: bytes | str) -> Path:
    """Write ``data`` (text as UTF-8) to ``path``, creating folders; returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


#: Separators that regular expressions of a letter parser split, anchor or repeat on.
SEPARATORS: tuple[bytes, ...] = (
    b" ",
    b":",
    b"-",
    b".",
    b"\n",
    b"\n\n",
    b"\t",
    b"Item: ",
    b"Upheld ",
    b"Overturned\n",
    b"MTUS ",
    b"(",
    b")",
    b"[[",
    b"<<",
    b"0 0 m ",
    b"BT ",
    b"obj ",
    b"\xff",
    b"\x00",
    b"\r",
    b"CM12-",
    b"/",
    b"1/1/",
)

#: One mutation: ``(kind, position fraction, length or count, payload index)``.
Mutation = tuple[str, float, int, int]
MUTATION_KINDS: tuple[str, ...] = ("flip", "delete", "insert", "repeat", "separator", "truncate")


def mutate(data: bytes, ops: Iterable[Mutation]) -> bytes:
    """``data`` with each mutation applied in order (positions are fractions of the current length).

    ``flip`` XORs ``n`` bytes, ``delete`` removes ``n`` bytes, ``insert`` puts ``n`` bytes of a
    separator-derived value, ``repeat`` repeats a slice ``n`` times, ``separator`` inserts one of
    :data:`SEPARATORS` ``n`` times (long runs of repeated separators), ``truncate`` cuts there.
    """
    buf = bytearray(data)
    for kind, frac, n, k in ops:
        pos = int(max(0.0, min(1.0, frac)) * len(buf))
        sep = SEPARATORS[k % len(SEPARATORS)]
        if kind == "flip":
            for i in range(pos, min(len(buf), pos + max(1, n))):
                buf[i] ^= (k % 255) + 1
        elif kind == "delete":
            del buf[pos : pos + n]
        elif kind == "insert":
            buf[pos:pos] = bytes((sep[0] + i * k) % 256 for i in range(n)) if sep else b""
        elif kind == "repeat":
            piece = bytes(buf[pos : pos + 64])
            buf[pos:pos] = piece * n
        elif kind == "separator":
            buf[pos:pos] = sep * n
        elif kind == "truncate":
            del buf[pos:]
    return bytes(buf)
