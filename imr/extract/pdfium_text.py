"""PDF bytes to positioned words through pypdfium2 (PDFium, shipped with pdfplumber).

The words become a :class:`Document` with the same geometry as the pdfplumber path
(:func:`imr.extract.pdf_text.document_from_words`): PDFium gives each character's box, which are
grouped into words here. It is several times faster than pdfminer; ``bench/RESULTS.md`` records
the speed and whether records are identical.
"""

from __future__ import annotations

import re
from typing import Any

from imr.errors import CorruptPdfError, EmptyFileError, PasswordProtectedError
from imr.extract.pdf_settings import PDF_SETTINGS as S
from imr.extract.pdf_text import Word
from imr.pdf_pages import each_page

# PDFium marks a hyphen at a line break as U+FFFE (or U+0002); NUL separates nothing useful.
_CLEAN = str.maketrans({"\ufffe": "-", "\x02": "-", "\x00": " "})
_TOKEN = re.compile(r"\S+")


def read_pdfium_words(data: bytes) -> list[list[Word]]:
    """Each page's positioned words with PDFium (an empty list for a page without a text layer)."""
    if not data.strip():
        raise EmptyFileError("the file is empty")
    import pypdfium2 as pdfium

    try:
        return each_page(data, _words)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise PasswordProtectedError("the PDF needs a password to open") from None
        raise CorruptPdfError("the PDF cannot be parsed (PdfiumError)") from None


def _words(page: Any) -> list[Word]:
    """Words with their boxes: the text is split on PDFium's own spaces and line breaks; a word's
    box spans its first and last character (loose boxes share a line's ascent and descent). A word
    that PDFium wrote without a space but whose characters jump apart or change line is split."""
    height = float(page.get_height())
    tp = page.get_textpage()
    try:
        n = tp.count_chars()
        if n <= 0:
            return []
        text = tp.get_text_range(0, n)[:n].translate(_CLEAN)
        words: list[Word] = []
        for m in _TOKEN.finditer(text):
            start, end = m.start(), m.end() - 1
            first = tp.get_charbox(start, loose=True)
            last = tp.get_charbox(end, loose=True) if end > start else first
            if last[0] < first[0] - S.char_backstep or abs(last[3] - first[3]) > S.char_line_jump:
                words.extend(_split(tp, m.group(0), start, height))
                continue
            words.append(_word(m.group(0), first, last, height))
        return words
    finally:
        tp.close()


def _word(text: str, first: tuple[float, ...], last: tuple[float, ...], height: float) -> Word:
    return Word(
        text,
        min(first[0], last[0]),
        max(first[2], last[2]),
        height - max(first[3], last[3]),
        height - min(first[1], last[1]),
    )


def _split(tp: Any, token: str, offset: int, height: float) -> list[Word]:
    """A token whose characters are not on one run: split it where the boxes jump."""
    out: list[Word] = []
    begin = 0
    boxes = [tp.get_charbox(offset + k, loose=True) for k in range(len(token))]
    for k in range(1, len(token) + 1):
        if (
            k == len(token)
            or boxes[k][0] - boxes[k - 1][2] > S.char_gap
            or abs(boxes[k][3] - boxes[k - 1][3]) > S.char_line_jump
            or boxes[k][0] < boxes[k - 1][0] - S.char_backstep
        ):
            out.append(_word(token[begin:k], boxes[begin], boxes[k - 1], height))
            begin = k
    return out
