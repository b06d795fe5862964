"""PDFs put together from the pages of others, as a person does with a scanner or a PDF tool: pages
left out, put in another order, two letters merged into one file (PDFium, pypdfium2)."""

from __future__ import annotations

import io
from collections.abc import Sequence

import pypdfium2 as pdfium


def assemble(parts: Sequence[tuple[bytes, Sequence[int] | None]]) -> bytes:
    """One PDF of the pages of each ``(pdf, pages)`` in turn: ``pages`` 0-based, in the order given
    (a page left out, pages reordered), None for all of them."""
    if any(pages is not None and not pages for _, pages in parts):
        raise ValueError("a part with no page: name its pages, or None for all of them")
    out = pdfium.PdfDocument.new()
    for data, pages in parts:
        source = pdfium.PdfDocument(data, password="")  # a letter encrypted as DWC posts them opens too
        out.import_pages(source, list(pages) if pages is not None else None)
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def pages_of(pdf: bytes, pages: Sequence[int]) -> bytes:
    """``pdf`` with only ``pages`` (0-based), in that order."""
    return assemble([(pdf, pages)])


def page_count(pdf: bytes) -> int:
    """How many pages ``pdf`` has."""
    return len(pdfium.PdfDocument(pdf, password=""))
