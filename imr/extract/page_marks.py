"""The letter's own page numbers (``Page 2 of 3`` in a mailed copy's footer or running header),
read before normalisation removes them as page furniture: the pages they show missing, and the
order of pages a file holds out of order.

A letter whose middle page did not arrive can still parse (its first and last items read, the
items of the missing page gone without a trace); its own page numbers are the one sign of it. A
fax's ``P. n/m`` counts the fax, not the letter (:mod:`imr.extract.fax`); an OCR'd page's numbers
are checked against the file by :mod:`imr.extract.ocr_checks`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from imr.extract.document import BREAK, Document

#: A page number as a letter prints it: ``Page n of m`` starting a line, ending it (a footer's words
#: joined by single spaces in a PDF's line) or standing apart from the rest of it (two spaces or a
#: separator before it), capital P: a sentence that cites ``page 3 of 12`` of a report is not one.
_MARK = re.compile(
    r"(?:^|\s{2,}|[|\u2022\u00b7-]\s*)Page\s+(\d{1,3})\s+of\s+(\d{1,3})\b"
    r"|\sPage\s+(\d{1,3})\s+of\s+(\d{1,3})\s*[-\u2022\u00b7|]?\s*$"
)


def page_marks(lines: Sequence[str]) -> list[tuple[int, int]]:
    """The ``(n, m)`` of each page number in ``lines``, in order (at most one per line)."""
    out: list[tuple[int, int]] = []
    for line in lines:
        m = _MARK.search(line) if line != BREAK else None
        if m is None:
            continue
        n, total = (int(g) for g in (m.groups()[:2] if m.group(1) else m.groups()[2:]))
        if 0 < n <= total:
            out.append((n, total))
    return out


def missing_pages(doc: Document, starts: bool = True) -> list[int]:
    """The letter's pages its own page numbers show missing, in order; empty when none are or the
    numbers cannot be trusted.

    The count ``m`` is the one most numbers agree on. Missing are: a number between the first and
    the last seen that is not seen (a middle page); in a PDF with fewer pages than ``m``, the
    numbers after the last seen; in a text letter (whose pages are known only by form feeds, if at
    all), the numbers after the last seen. The numbers before the first seen are missing (in a PDF
    shorter than ``m``, or a text letter) when the file's first page carries it or the file lacks
    the letter's start (``starts`` False: its title or first section, which stand on page 1). A
    letter that leaves its first page unnumbered loses nothing here; one that leaves its last page
    unnumbered is set aside."""
    marks = [(k, n, m) for k, page in enumerate(doc.pages) for n, m in page_marks(page)]
    if not marks:
        return []
    total = Counter(m for _, _, m in marks).most_common(1)[0][0]
    placed = [(k, n) for k, n, m in marks if m == total]
    seen = sorted({n for _, n in placed})
    missing = [k for k in range(seen[0] + 1, seen[-1]) if k not in seen]
    first_page_numbered = placed[0][0] == 0 and len(doc.pages) > 1
    if doc.page_count is not None:
        if doc.page_count >= total:
            return missing
        before, after = seen[0] > 1 and (not starts or placed[0][0] == 0), seen[-1] < total
    else:
        before = seen[0] > 1 and (not starts or first_page_numbered)
        after = seen[-1] < total
    return list(range(1, seen[0]) if before else []) + missing + list(range(seen[-1] + 1, total + 1) if after else [])


def page_order(pages: Sequence[Sequence[str]]) -> list[int] | None:
    """The order to read ``pages`` in when the letter's own page numbers show the file holds them
    out of order (a copy scanned or put together shuffled): indexes into ``pages``. None when they
    are in order or the numbers cannot be trusted: every page must carry one number ``n of m``,
    ``m`` the number of pages, each ``n`` once."""
    if len(pages) < 2:
        return None
    numbers: list[int] = []
    for page in pages:
        marks = set(page_marks(page))
        if len(marks) != 1:
            return None
        ((n, m),) = marks
        if m != len(pages):
            return None
        numbers.append(n)
    if numbers == sorted(numbers) or sorted(numbers) != list(range(1, len(pages) + 1)):
        return None
    return sorted(range(len(pages)), key=lambda k: numbers[k])


def describe_missing(pages: Sequence[int]) -> str:
    """The problem's wording for ``pages`` missing (one line that says what to do)."""
    plural = "s" if len(pages) > 1 else ""
    return (
        f"the letter's own page numbers show page{plural} {', '.join(map(str, pages))} missing: "
        "items there would be lost; ingest the complete letter"
    )
