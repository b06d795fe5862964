"""The partial letter of a letter set aside: what a person reviewing it starts from.

A letter rejected because a value is in doubt was read almost whole. :func:`partial_letter` keeps
what was read, in the JSON shape of ``Letter.to_dict()``, and names the field paths in doubt under
:data:`DOUBTFUL` (``"_doubtful"``):

* ``unresolved_item``: every item in its place, the one whose decision could not be read with
  ``decision`` None; in doubt: ``items[k].decision`` of each such item (``items`` when no single
  item is to blame);
* ``no_items`` (only when a header value was read): header, reviewer and patient, ``items`` [];
  in doubt: ``items``;
* ``ocr_low_confidence``: the full letter when it parsed (else as for ``unresolved_item``), the
  doubtful values kept; in doubt: the fields whose lines hold a word read with low confidence
  (:mod:`imr.extract.doubts`) and the items whose decision could not be read;
* ``ocr_check_failed``: the full letter, its doubtful values kept; in doubt: the fields the failed
  check names (``case_number``, a date, or the two dates out of order).

Other rejections (not a letter, unreadable files) have no partial letter.
"""

from __future__ import annotations

from typing import Any

from imr.errors import NoItemsError, OcrCheckError, OcrLowConfidenceError, TerminalError, UnresolvedItemError
from imr.extract.document import Document
from imr.extract.reading import LetterReading
from imr.models import Letter

#: The key of the partial letter that lists the field paths in doubt.
DOUBTFUL = "_doubtful"

#: Reason codes whose rejected records carry a partial letter.
PARTIAL_CODES = (UnresolvedItemError.code, NoItemsError.code, OcrLowConfidenceError.code, OcrCheckError.code)


def partial_letter(
    exc: TerminalError, reading: LetterReading, letter: Letter | None, doc: Document
) -> dict[str, Any] | None:
    """The partial letter of a letter rejected with ``exc`` after it was read (``reading``;
    ``letter`` when it parsed, ``doc`` the raw Document); None when the rejection has none."""
    code = exc.code
    if code not in PARTIAL_CODES or (code == NoItemsError.code and not reading.header_read()):
        return None
    out = letter.to_dict() if letter is not None else reading.partial()
    out[DOUBTFUL] = doubtful_paths(code, reading, letter, doc)
    return out


def doubtful_paths(code: str, reading: LetterReading, letter: Letter | None, doc: Document) -> list[str]:
    """The field paths in doubt for a letter rejected with ``code`` (see the module's list)."""
    unread = [f"items[{k}].decision" for k, it in enumerate(reading.items.items) if it.decision is None]
    if code == UnresolvedItemError.code:
        return unread or ["items"]
    if code == NoItemsError.code:
        return ["items"]
    if code == OcrCheckError.code:
        from imr.extract.ocr_checks import ocr_check_failure

        failure = ocr_check_failure(letter, doc) if letter is not None else None
        return list(failure.fields) if failure is not None else []
    if code == OcrLowConfidenceError.code:
        from imr.extract.doubts import low_confidence_paths

        found = low_confidence_paths(doc, reading, letter)
        return found + [p for p in unread if p not in found]
    return []
