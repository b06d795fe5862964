"""Clean the raw lines of a document: undo blank-line doubling, drop running headers, footers and
page numbers, normalise whitespace and typographic characters."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from imr.extract.document import BREAK, Document

_PAGE_NO = re.compile(r"^\s*(?:-\s*\d+\s*-|page\s+\d+(?:\s+of\s+\d+)?|\d+\s+of\s+\d+|\d{1,3})\s*$", re.I)
_PAGE_NO_TAIL = re.compile(r"\s{2,}page\s+\d+\s+of\s+\d+\s*$", re.I)
_TRANSLATE = str.maketrans(
    {
        "\u00a0": " ",
        "\u2009": " ",
        "\u200b": "",
        "\ufeff": "",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2010": "-",
        "\u2011": "-",
        "\t": " ",
    }
)


def clean_line(line: str) -> str:
    """One line with typographic quotes/dashes made plain, spaces collapsed and trimmed."""
    return re.sub(r" {2,}", "  ", line.translate(_TRANSLATE)).strip()


def split_text_pages(text: str) -> list[list[str]]:
    """Lines of a text letter split into pages (form feeds, or runs of 4+ blank lines in the
    'every line followed by a blank line' extraction style); blank-line doubling is undone."""
    raw = text.split("\n")
    if _is_double_spaced(raw):
        raw = _undouble(raw)
    pages: list[list[str]] = [[]]
    blanks = 0
    for line in raw:
        if "\f" in line:
            parts = line.split("\f")
            for i, part in enumerate(parts):
                if i:
                    pages.append([])
                if part.strip():
                    pages[-1].append(clean_line(part))
            blanks = 0
            continue
        if not line.strip():
            blanks += 1
            if blanks == 4 and pages[-1]:
                pages.append([])
            elif pages[-1] and pages[-1][-1] != BREAK:
                pages[-1].append(BREAK)
            continue
        blanks = 0
        pages[-1].append(clean_line(line))
    return [_trim(p) for p in pages if any(p)]


def _is_double_spaced(lines: Sequence[str]) -> bool:
    """True for the extraction style where every text line is followed by an empty line."""
    content = [i for i, line in enumerate(lines) if line.strip()]
    if len(content) < 6:
        return False
    followed = sum(1 for i in content if i + 1 < len(lines) and lines[i + 1] == "")
    return followed >= 0.9 * len(content)


def _undouble(lines: Sequence[str]) -> list[str]:
    """Drop the empty line after each line; whitespace-only lines stay as paragraph breaks."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        out.append(lines[i])
        if i + 1 < len(lines) and lines[i + 1] == "":
            i += 2
        else:
            i += 1
    return out


def _trim(lines: list[str]) -> list[str]:
    while lines and lines[0] == BREAK:
        lines.pop(0)
    while lines and lines[-1] == BREAK:
        lines.pop()
    return lines


def _shape(line: str) -> str:
    return re.sub(r"\d+", "#", line.casefold())


_STRUCTURAL = re.compile(
    r"^\s*(?:Claims?\s+Administrator\s+guideline|MAXIMUS\s+guideline|Decision\s+rationale)|:\s*(?:Upheld|Overturned)\s*$",
    re.I,
)


def _edge_positions(page: list[str], edge: int) -> dict[int, str]:
    """Line index -> position tag ('t0'.., 'b0'..) for the first and last ``edge`` content lines."""
    idx = [i for i, ln in enumerate(page) if ln != BREAK]
    tags: dict[int, str] = {}
    for k, i in enumerate(idx[:edge]):
        tags[i] = f"t{k}"
    for k, i in enumerate(reversed(idx[-edge:])):
        tags.setdefault(i, f"b{k}")
    return tags


def remove_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Drop page numbers ('Page 2 of 3', '- 2 -') at page edges, and running headers/footers: a
    line of the same shape (digits ignored) at the same edge position on most pages. Letter
    structure (guideline labels, decision lines) is never taken for a running line. A running
    line that carries the case number is kept once, on the first page."""
    edge = 3
    counts: Counter[tuple[str, str]] = Counter()
    if len(pages) >= 2:
        for page in pages:
            for i, tag in _edge_positions(page, edge).items():
                if not _STRUCTURAL.search(page[i]):
                    counts[(tag, _shape(page[i]))] += 1
    need = max(2, -(-len(pages) * 2 // 3))
    repeated = {key for key, n in counts.items() if n >= need}
    out: list[list[str]] = []
    kept_case_line = False
    for page in pages:
        tags = _edge_positions(page, edge)
        kept: list[str] = []
        for i, line in enumerate(page):
            if i in tags:
                if _PAGE_NO.match(line):
                    continue
                if (tags[i], _shape(line)) in repeated:
                    if not kept_case_line and re.search(r"\bCM\d{2}-\d{7}\b", line) and ":" in line:
                        kept_case_line = True
                        kept.append(line)
                    continue
            if line != BREAK:
                line = _PAGE_NO_TAIL.sub("", line)
            kept.append(line)
        out.append(_trim(kept))
    return out


def normalize(doc: Document) -> Document:
    """The document with clean lines and running headers/footers removed."""
    pages = [[clean_line(ln) if ln != BREAK else BREAK for ln in page] for page in doc.pages]
    pages = remove_running_lines(pages)
    return Document(pages=pages, media_type=doc.media_type, page_count=doc.page_count, header_fields=doc.header_fields)
