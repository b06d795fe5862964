"""Where each line of a letter came from: its page, its box (a PDF) or its line (a text file), its
exact text and, for OCR'd text, how confident the reading was.

:func:`source_lines` lists the lines of the raw Document as the file holds them (a PDF: each line
built from positioned words; a text letter: each non-blank line of the decoded file, split at form
feeds; pages read out of the file's order in the order read, each line with the file's page).
Normalising drops page furniture and cleans characters but never reorders or merges lines, so
:func:`align` pairs every normalised line with the source line it was cleaned from by walking
both in order. Nothing here runs unless evidence is asked for.
"""

from __future__ import annotations

import bisect
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from imr.extract.document import BREAK, Document
from imr.extract.normalize import clean_line
from imr.extract.pdf_text import Word

#: How many source lines past the last paired one a changed line (a page-number tail cut off) is
#: looked for.
_LOOKAHEAD = 40
#: A text-layer word's box is raised by this share of its height. PDFium's loose character boxes
#: reach the font's ascent, pdfplumber's (the contract's convention) the font size above the
#: descent: up to 12% of the height higher on the real letters, the other edges within 0.3 pt.
#: Raised, the box holds the word as either engine places it.
_ASCENT_SLACK = 0.15

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class SourceLine:
    """One line as the file holds it. ``page`` is 1-based; ``text`` the exact text (a PDF line:
    its words joined by spaces); ``key`` the cleaned text normalised lines are compared with;
    ``line`` the 1-based line of a text file; ``words`` the positioned words of a PDF line (its
    ``bbox``: ``(x0, top, x1, bottom)`` in PDF points from the page's top-left)."""

    page: int
    text: str
    key: str
    line: int | None = None
    words: tuple[Word, ...] = ()

    @property
    def bbox(self) -> Box | None:
        """The box around the line's words (None for a text letter's line), computed when asked."""
        return _line_box(self.words) if self.words else None

    def confidences(self) -> list[float]:
        """The OCR confidences (0..1) of the line's words that OCR read ([] for a text layer)."""
        out: list[float] = []
        for w in self.words:
            conf = getattr(w, "conf", None)
            if conf is not None:
                out.append(max(0.0, min(1.0, float(conf) / 100.0)))
        return out


def source_lines(doc: Document) -> list[SourceLine]:
    """The content lines of the raw Document ``doc`` in reading order, with their origin ([] when
    ``doc`` keeps no origin: a Document built by hand)."""
    numbers = doc.page_numbers or list(range(1, len(doc.pages) + 1))
    if doc.words is not None:
        return _pdf_lines(doc.pages, doc.words, numbers)
    if doc.source_text is not None:
        lines = _text_lines(doc.source_text)
        if doc.page_numbers is not None:  # the pages in the order they were read (stable within a page)
            lines.sort(key=lambda ln: numbers.index(ln.page))
        return lines
    return []


def _pdf_lines(
    pages: Sequence[Sequence[str]], rows: Sequence[Sequence[Sequence[Word]]], numbers: Sequence[int]
) -> list[SourceLine]:
    out: list[SourceLine] = []
    for number, page, page_rows in zip(numbers, pages, rows, strict=True):
        for text, words in zip(page, page_rows, strict=True):
            if text == BREAK or not words:
                continue
            out.append(SourceLine(number, text, clean_line(text), words=tuple(words)))
    return out


def _text_lines(text: str) -> list[SourceLine]:
    """Lines of a decoded text letter (line ends LF after decoding CRLF and CR); a form feed starts
    the next page, inside a line too."""
    out: list[SourceLine] = []
    page = 1
    for number, raw in enumerate(text.split("\n"), start=1):
        for k, part in enumerate(raw.split("\f")):
            if k:
                page += 1
            if part.strip():
                out.append(SourceLine(page, part.rstrip(), clean_line(part), line=number))
    return out


def _line_box(words: Sequence[Word]) -> Box:
    """The box around a line's words; text-layer words raised by ``_ASCENT_SLACK`` of their height
    (OCR'd words stand in the box OCR gave them)."""
    x0, top, x1, bottom = box_of(words)
    if getattr(words[0], "conf", None) is None:  # a line is read by OCR or from the text layer, whole
        top = min(w.top - _ASCENT_SLACK * (w.bottom - w.top) for w in words)
    return (x0, max(0.0, top), x1, bottom)


def box_of(words: Sequence[Word]) -> Box:
    """The box around ``words``."""
    first = words[0]
    x0, top, x1, bottom = first.x0, first.top, first.x1, first.bottom
    for w in words:
        x0 = min(x0, w.x0)
        top = min(top, w.top)
        x1 = max(x1, w.x1)
        bottom = max(bottom, w.bottom)
    return (x0, top, x1, bottom)


def union(boxes: Sequence[Box]) -> Box:
    """The box around ``boxes``."""
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def mean_confidence(lines: Sequence[SourceLine]) -> float | None:
    """The mean OCR confidence (0..1) of the words of ``lines`` that OCR read; None when none did."""
    found = [c for ln in lines for c in ln.confidences()]
    return statistics.fmean(found) if found else None


def align(lines: Sequence[str], sources: Sequence[SourceLine]) -> list[int | None]:
    """For each of the normalised ``lines``, the index in ``sources`` of the line it was cleaned
    from (None for a paragraph break or a line that cannot be paired). Lines are paired in order:
    the next source line with the same cleaned text or, when one nearer starts with it (a line
    normalising shortened: a page-number tail cut off), that one."""
    by_key: dict[str, list[int]] = defaultdict(list)
    for j, src in enumerate(sources):
        by_key[src.key].append(j)
    out: list[int | None] = []
    cursor = 0
    for line in lines:
        found: int | None = None
        if line != BREAK:
            same = by_key.get(line, [])
            k = bisect.bisect_left(same, cursor)
            found = same[k] if k < len(same) else None
            if found != cursor:  # furniture dropped in between, or the line was shortened: the nearer
                stop = min(cursor + _LOOKAHEAD, len(sources), found if found is not None else len(sources))
                found = next((j for j in range(cursor, stop) if sources[j].key.startswith(line)), found)
        if found is not None:
            cursor = found + 1
        out.append(found)
    return out
