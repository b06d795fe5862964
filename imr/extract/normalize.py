"""Clean the raw lines of a document: undo blank-line doubling, drop running headers, footers and
page numbers, normalise whitespace and typographic characters."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from imr.extract.document import BREAK, Document
from imr.extract.fax import remove_fax_furniture

_PAGE_NO = re.compile(r"^\s*(?:-\s*\d+\s*-|page\s+\d+(?:\s+of\s+\d+)?|\d+\s+of\s+\d+|\d{1,3})\s*$", re.I)
_PAGE_NO_TAIL = re.compile(r"\s{2,}page\s+\d+\s+of\s+\d+\s*$", re.I)
_TRANSLATE = str.maketrans(
    {
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        **{chr(c): " " for c in range(0x2000, 0x2009)},  # en/em/figure/punctuation spaces
        "\u200a": " ",
        "\u205f": " ",
        "\u3000": " ",
        # invisible format characters a word processor leaves inside words: zero-width space,
        # non-joiner and joiner, word joiner, byte order mark, soft hyphen (a line-end one is a hyphen)
        "\u200b": "",
        "\u200c": "",
        "\u200d": "",
        "\u2060": "",
        "\ufeff": "",
        "\u00ad": "",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2212": "-",
        "\t": " ",
    }
)


#: Text set in bold or underlined by Markdown marks in a letter typed again ('**Upheld**', '__Upheld__').
_EMPHASIS = re.compile(
    r"(?<![\w*])\*\*(?=\S)([^*\n]+?)(?<=\S)\*\*(?![\w*])|(?<![\w_])__(?=\S)([^_\n]+?)(?<=\S)__(?![\w_])"
)
_SOFT_HYPHEN_AT_END = re.compile(r"\u00ad(?=\s*$)")


def clean_line(line: str) -> str:
    """One line with typographic quotes/dashes made plain, invisible format characters (soft hyphens,
    zero-width spaces and joiners) left out, Unicode spaces made plain, Markdown emphasis marks
    removed, spaces collapsed and trimmed."""
    line = _SOFT_HYPHEN_AT_END.sub("-", line).translate(_TRANSLATE)
    if "**" in line or "__" in line:
        line = _EMPHASIS.sub(lambda m: m.group(1) or m.group(2), line)
    return re.sub(r" {2,}", "  ", line).strip()


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


#: How many content lines at the top and at the bottom of a page may be page furniture
#: (a letterhead of several lines, a running header, a footer).
TOP_ZONE = 8
BOTTOM_ZONE = 4
#: A running line that names the letter: its case number or a page number.
_NAMES_LETTER = re.compile(r"\bCM\d{2}-\d{7}\b|\bPage\s+\d+\b|\bFinal\s+Determination\b", re.I)
CASE_LINE = re.compile(r"\bCM\d{2}-\d{7}\b")


def _zone_tags(page: list[str]) -> dict[int, str]:
    """Line index -> position tag ('t0'.., 'b0'..) for the content lines of the page's top and
    bottom zones."""
    idx = [i for i, ln in enumerate(page) if ln != BREAK]
    tags: dict[int, str] = {}
    for k, i in enumerate(idx[:TOP_ZONE]):
        tags[i] = f"t{k}"
    for k, i in enumerate(reversed(idx[-BOTTOM_ZONE:])):
        tags.setdefault(i, f"b{k}")
    return tags


def _edge_distances(page: list[str]) -> dict[int, int]:
    """Line index -> how many content lines separate it from the nearer page edge."""
    idx = [k for k, ln in enumerate(page) if ln != BREAK]
    return {i: min(pos, len(idx) - 1 - pos) for pos, i in enumerate(idx)}


def _running(pages: list[list[str]]) -> tuple[set[tuple[str, str]], set[str]]:
    """(position tag, shape) pairs repeated at the same place on most pages (letterheads, running
    headers and footers), and shapes of lines naming the letter (case number, 'Page N') repeated
    anywhere in the zones of most pages (a running header below a first-page letterhead)."""
    if len(pages) < 2:
        return set(), set()
    placed: Counter[tuple[str, str]] = Counter()
    naming: Counter[str] = Counter()
    for page in pages:
        tags = _zone_tags(page)
        lines = {i: page[i] for i in tags if not _STRUCTURAL.search(page[i])}
        placed.update((tags[i], _shape(ln)) for i, ln in lines.items())
        naming.update({_shape(ln) for ln in lines.values() if _NAMES_LETTER.search(ln)})
    need = max(2, -(-len(pages) * 2 // 3))
    return {k for k, n in placed.items() if n >= need}, {k for k, n in naming.items() if n >= need}


def _furniture(page: list[str], placed: set[tuple[str, str]], naming: set[str]) -> set[int]:
    """Indexes of one page's furniture lines. From each page edge inward through its zone: page
    numbers and lines naming the letter go wherever they sit; lines repeated at the same place go
    when they form a run from the edge that a paragraph gap separates from the body (so repeated
    body text at the page edges of a short letter stays)."""
    tags = _zone_tags(page)
    edge = _edge_distances(page)
    drop: set[int] = set()
    for order in (range(len(page)), range(len(page) - 1, -1, -1)):
        run: list[int] = []
        for i in order:
            line = page[i]
            if line == BREAK:
                drop.update(run)
                run = []
                continue
            if i not in tags:
                break
            page_no = _PAGE_NO.match(line) and (edge[i] < 3 or _NAMES_LETTER.search(line))
            if page_no or _shape(line) in naming:
                drop.add(i)
            elif (tags[i], _shape(line)) in placed:
                run.append(i)
            else:
                break
        else:
            drop.update(run)
    return drop


def remove_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Drop page furniture on every page before parsing: page numbers ('Page 2 of 3', '- 2 -') in
    the page's top or bottom zone, letterheads, running headers and footers (a line of the same
    shape, digits ignored, at the same place on most pages, or naming the letter anywhere in the
    zones of most pages). Letter structure (guideline labels, decision lines) is never taken for a
    running line. A running line that carries the case number is kept once, on the first page."""
    placed, naming = _running(pages)
    out: list[list[str]] = []
    kept_case_line = False
    for page in pages:
        drop = _furniture(page, placed, naming)
        kept: list[str] = []
        for i, line in enumerate(page):
            if i in drop:
                if not kept_case_line and not _PAGE_NO.match(line) and CASE_LINE.search(line) and ":" in line:
                    kept_case_line = True
                    kept.append(line)
                continue
            if line != BREAK:
                line = _PAGE_NO_TAIL.sub("", line)
            kept.append(line)
        out.append(_trim(kept))
    return out


_PAGE_LINE = re.compile(r"^\s*(?:page\s+\d+(?:\s+of\s+\d+)?|\d+\s+of\s+\d+)\s*$", re.I)


def remove_inline_furniture(pages: list[list[str]]) -> list[list[str]]:
    """Furniture that page breaks did not bring to a page edge (text letters whose page breaks are
    lost): 'Page N of M' lines, running lines naming the letter (case number, 'Final
    Determination') that repeat in the document, short repeated lines that sit beside such a line
    at every occurrence but at the letter's top (a letterhead, or a running header printed above
    the letterhead on page 1), and the paragraph gaps around them (a page break is not a
    paragraph break). A running line with the case number is kept once."""
    flat = [ln for page in pages for ln in page]
    naming = {i: _shape(ln) for i, ln in enumerate(flat) if _NAMES_LETTER.search(ln) and not _STRUCTURAL.search(ln)}
    named = Counter(naming.values())
    marks = [_PAGE_LINE.match(ln) is not None or named[naming.get(i, "")] >= 2 for i, ln in enumerate(flat)]
    if not any(marks):
        return pages
    counts = Counter(_shape(ln) for ln in flat if ln != BREAK and not _STRUCTURAL.search(ln))
    repeated = {shape for shape, n in counts.items() if n >= 2}
    candidates = {
        _shape(ln) for ln in flat if ln != BREAK and len(ln) <= 80 and _shape(ln) in repeated and not _numbered(ln)
    }
    top = set([i for i, ln in enumerate(flat) if ln != BREAK][:TOP_ZONE])
    changed = True
    while changed:  # letterhead lines: every occurrence beside furniture, or at the letter's top
        changed = False
        for shape in sorted(candidates):
            where = [i for i, ln in enumerate(flat) if ln != BREAK and _shape(ln) == shape]
            beside = [i for i in where if i not in top]
            if beside and all(_beside_mark(marks, flat, i) for i in beside):
                for i in where:
                    marks[i] = True
                candidates.discard(shape)
                changed = True
    out: list[list[str]] = []
    pos = 0
    kept_case_line = False
    for page in pages:
        kept: list[str] = []
        for line in page:
            i, pos = pos, pos + 1
            if line == BREAK:
                if not _beside_mark(marks, flat, i):
                    kept.append(line)
            elif not marks[i]:
                kept.append(line)
            elif CASE_LINE.search(line) and ":" in line and not kept_case_line:
                kept_case_line = True
                kept.append(line)
        out.append(_trim(kept))
    return out


def _numbered(line: str) -> bool:
    """Whether a line is letter content that is never letterhead: a numbered statement or a
    decision word wrapped onto its own line."""
    return bool(re.match(r"\s*\(?\d{1,2}[.)]\s|\s*(?:upheld|overturned)\s*\.?\s*$", line, re.I))


def _beside_mark(marks: list[bool], lines: list[str], i: int) -> bool:
    """Whether a furniture line is next to line ``i``, paragraph gaps between them ignored."""
    for step in (-1, 1):
        j = i + step
        while 0 <= j < len(lines) and lines[j] == BREAK:
            j += step
        if 0 <= j < len(lines) and marks[j]:
            return True
    return False


def normalize(doc: Document) -> Document:
    """The document with clean lines and page furniture (fax cover sheets and fax header lines,
    running headers/footers, letterheads, page numbers) removed."""
    pages = [[clean_line(ln) if ln != BREAK else BREAK for ln in page] for page in doc.pages]
    pages, _ = remove_fax_furniture(pages)
    pages = remove_inline_furniture(remove_running_lines(pages))
    return Document(pages=pages, media_type=doc.media_type, page_count=doc.page_count, header_fields=doc.header_fields)
