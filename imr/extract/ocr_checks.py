"""Cross-checks of a letter whose text came from OCR: a misread digit must not become a wrong fact.

Run after parsing, only for OCR'd documents (text layers are trusted as written):

* the case number, when present, matches ``CM`` + 2-digit year + ``-`` + 7 digits, and a letter
  whose text names a ``Case Number`` has one;
* every header date paired by position is a valid date (``41/21/2016`` is a misread, not a gap);
* the header dates are in their natural order: date of injury <= UR denial <= application
  received <= date assigned <= decision date (each pair that is present);
* every ``Page N of M`` the pages carry agrees with the file's page count (without the fax cover
  sheets that precede the letter), and a fax's own ``P. n/m`` (two pages agreeing on ``m``) does
  not count more pages than the file has (its last pages lost in transmission).

A failure raises :class:`~imr.errors.OcrCheckError` (``ocr_check_failed``): the letter is
rejected with a reason, never loaded with a value that may be misread; :func:`ocr_check_failure`
says which check failed and which fields are in doubt (the partial letter's ``_doubtful``).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from imr.dates import DATE_ORDER
from imr.errors import OcrCheckError, OcrLowConfidenceError
from imr.extract.dates import parse_date
from imr.extract.document import Document
from imr.extract.fax import fax_pages_missing, is_cover_sheet
from imr.extract.header import GEOMETRY_NAMES
from imr.extract.ocr import OcrDocument
from imr.models import Letter

CASE_NUMBER = re.compile(r"CM\d{2}-\d{7}")
_PAGE_OF = re.compile(r"\bpage\s+(\d{1,3})\s+of\s+(\d{1,3})\b", re.I)
_CASE_LABEL = re.compile(r"Case\s+Number\s*:", re.I)
DATE_LABELS = ("Date Assigned", "Date of Injury", "Decision Date", "UR Denial Date", "Application Received")
_DATE_LIKE = re.compile(r"\d{1,2}\s*[/-]\s*\d{1,2}\s*[/-]\s*\d{2,4}")


def verify_ocr(doc: Document, letter: Letter | None) -> None:
    """Reject an OCR'd letter that cannot be trusted: a decisive word read with low confidence
    (``ocr_low_confidence``, also when parsing failed), else header values that fail their checks."""
    if isinstance(doc, OcrDocument) and doc.low_confidence:
        raise OcrLowConfidenceError(doc.low_confidence)
    if letter is not None:
        check_ocr_letter(letter, doc)


@dataclass(frozen=True)
class CheckFailure:
    """Why an OCR'd letter fails its checks, and the field paths in doubt (none for a page count)."""

    message: str
    fields: tuple[str, ...] = ()


def check_ocr_letter(letter: Letter, doc: Document) -> None:
    """Raise OcrCheckError when an OCR'd letter's header values fail their checks."""
    failure = ocr_check_failure(letter, doc)
    if failure is not None:
        raise OcrCheckError(failure.message)


def ocr_check_failure(letter: Letter, doc: Document) -> CheckFailure | None:
    """The first check an OCR'd letter's header values fail (None when they pass)."""
    if letter.case_number is not None and not CASE_NUMBER.fullmatch(letter.case_number):
        return CheckFailure("the case number read by OCR does not match CM<yy>-<7 digits>", ("case_number",))
    if letter.case_number is None and any(_CASE_LABEL.search(ln) for ln in doc.lines()):
        return CheckFailure("the letter names a case number that OCR could not read", ("case_number",))
    for label, value in doc.header_fields.items():
        found = _DATE_LIKE.search(value) if label in DATE_LABELS else None
        if found is not None and parse_date(found.group(0)) is None:
            return CheckFailure("a header date read by OCR is not a valid date", (GEOMETRY_NAMES[label],))
    dates = [(name, getattr(letter, name)) for name in DATE_ORDER if getattr(letter, name) is not None]
    for (a, da), (b, db) in itertools.pairwise(dates):
        if da > db:
            return CheckFailure(f"dates read by OCR are out of order ({a} after {b})", (a, b))
    if doc.page_count:
        covers = 0
        while covers < len(doc.pages) - 1 and is_cover_sheet(doc.pages[covers]):
            covers += 1
        for k, page in enumerate(doc.pages):
            # a fax cover sheet counts the whole fax; the letter's pages count the letter
            count = doc.page_count if k < covers else doc.page_count - covers
            for ln in page:
                for m in _PAGE_OF.finditer(ln):
                    n, total = int(m.group(1)), int(m.group(2))
                    if total != count or n > total:
                        return CheckFailure("a 'Page N of M' read by OCR disagrees with the file's page count")
        missing = fax_pages_missing(doc.pages)
        if missing:
            return CheckFailure(
                f"the fax's own page count (P. n/m) shows {missing} more page{'s' if missing > 1 else ''} than the "
                "file has: ask the sender to fax the letter again"
            )
    return None
