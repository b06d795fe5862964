"""PDF bytes to a :class:`Document` through pypdfium2 (PDFium, shipped with pdfplumber).

The same geometry as the pdfplumber path (:func:`imr.extract.pdf_text.document_from_words`):
PDFium gives each character's box, which are grouped into words here. It is several times faster
than pdfminer; ``bench/RESULTS.md`` records the speed and whether records are identical.
"""

from __future__ import annotations

from typing import Any

from imr.errors import CorruptPdfError, EmptyFileError, PasswordProtectedError
from imr.extract.document import Document
from imr.extract.pdf_text import Word, document_from_words

_SOFT_HYPHENS = {"\ufffe", "\x02"}


def read_pdf_pdfium(data: bytes) -> Document:
    """Extract a PDF's text lines page by page with PDFium; raises ReadError subclasses."""
    if not data.strip():
        raise EmptyFileError("the file is empty")
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data, password="")
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise PasswordProtectedError("the PDF needs a password to open") from None
        raise CorruptPdfError("the PDF cannot be parsed (PdfiumError)") from None
    try:
        pages_words = []
        for i in range(len(pdf)):
            page = pdf[i]
            try:
                pages_words.append(_words(page))
            finally:
                page.close()
    except pdfium.PdfiumError:
        raise CorruptPdfError("the PDF cannot be parsed (PdfiumError)") from None
    finally:
        pdf.close()
    return document_from_words(pages_words)


def _words(page: Any) -> list[Word]:
    height = float(page.get_height())
    tp = page.get_textpage()
    try:
        n = tp.count_chars()
        if n <= 0:
            return []
        text = tp.get_text_range(0, n)
        words: list[Word] = []
        cur: list[str] = []
        box: list[float] = []
        for i, ch in enumerate(text[:n]):
            # PDFium marks a hyphen at a line break as U+FFFE (or U+0002).
            if ch in _SOFT_HYPHENS:
                ch = "-"
            if ch.isspace() or ch == "\x00":
                _flush(words, cur, box, height)
                cur, box = [], []
                continue
            left, bottom, right, top = tp.get_charbox(i, loose=True)
            if cur and (left - box[2] > 1.5 or abs(top - box[3]) > 2.0 or left < box[0] - 1):
                _flush(words, cur, box, height)
                cur, box = [], []
            if not cur:
                box = [left, bottom, right, top]
            else:
                box = [min(box[0], left), min(box[1], bottom), max(box[2], right), max(box[3], top)]
            cur.append(ch)
        _flush(words, cur, box, height)
        return words
    finally:
        tp.close()


def _flush(words: list[Word], cur: list[str], box: list[float], height: float) -> None:
    if cur:
        words.append(Word("".join(cur), box[0], box[2], height - box[3], height - box[1]))
