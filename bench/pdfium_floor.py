"""The bare PDFium text floor: ``PdfDocument`` + ``get_text_range()`` on every page, nothing more.

``bench.extraction`` runs it in its measuring process (row (c), the pypdfium2 floor) and as a fresh
process, ``python bench/pdfium_floor.py FILE...`` (the issue 18 floor beside ``imr extract``): this
file imports nothing but pypdfium2, so that process's start-up is Python's and PDFium's alone.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path


def read_text(files: Sequence[str]) -> int:
    """The text of every page of ``files`` (PDFs), read and dropped; returns the page count."""
    import pypdfium2 as pdfium

    pages = 0
    for f in files:
        doc = pdfium.PdfDocument(Path(f).read_bytes(), password="")
        try:
            for i in range(len(doc)):
                page = doc[i]
                tp = page.get_textpage()
                tp.get_text_range()
                tp.close()
                page.close()
                pages += 1
        finally:
            doc.close()
    return pages


if __name__ == "__main__":
    read_text(sys.argv[1:])
