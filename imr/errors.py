"""Errors of imr-etl and their stable reason codes.

    ImrError                       root; carries ``code``, ``path``, ``case_number`` (extraction
                                   sets ``path`` on every rejection, ``case_number`` when the
                                   letter's header was read)
    ├── TerminalError              retrying cannot help: the file is rejected or quarantined
    │   ├── ReadError              bytes cannot become text
    │   │   ├── EmptyFileError             code ``empty_file``
    │   │   ├── UndecodableTextError       code ``undecodable_text``
    │   │   ├── CorruptPdfError            code ``pdf_corrupt``
    │   │   ├── PasswordProtectedError     code ``pdf_password``
    │   │   ├── NoTextLayerError           code ``pdf_no_text`` (image-only, and OCR off or found no text)
    │   │   └── OcrFailedError             code ``ocr_failed`` (Tesseract missing, failed or timed out)
    │   ├── NotImrLetterError      code ``not_imr_letter`` / ``other_program`` / ``utilization_review``
    │   └── ParseError             a recognised IMR letter we cannot read safely
    │       ├── NoItemsError               code ``no_items``
    │       ├── SeveralLettersError        code ``several_letters`` (one file holding two letters or more)
    │       ├── UnresolvedItemError        code ``unresolved_item`` (never guess a decision)
    │       ├── DateValueError             code ``unreadable_date`` (also a ValueError; on a parsed
    │       │                              record a warning: the field stays empty)
    │       ├── OcrLowConfidenceError      code ``ocr_low_confidence`` (a decision or header value
    │       │                              read by OCR with low confidence: never guessed)
    │       └── OcrCheckError              code ``ocr_check_failed`` (OCR'd header values fail their checks)
    ├── ReviewError                code ``review_error``: a review item that is unknown or settled,
    │                              a field path the record lacks, a value of the wrong type
    └── TransientError             worth a retry: the warehouse is unreachable, a lock timed out
        └── WarehouseUnavailableError  code ``warehouse_unavailable``

Reason codes are stable strings users count in reports; messages never contain letter text
(no PHI): only codes, counts, file names and case numbers.
"""

from __future__ import annotations

from pathlib import Path


class ImrError(Exception):
    """Root of imr-etl errors. ``code`` is a stable reason code."""

    code: str = "error"
    transient: bool = False

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        path: str | Path | None = None,
        case_number: str | None = None,
    ) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message
        self.path = str(path) if path is not None else None
        self.case_number = case_number


class TerminalError(ImrError):
    """Retrying cannot help; the input is rejected or quarantined."""

    code = "terminal"


class ReadError(TerminalError):
    code = "read_error"


class EmptyFileError(ReadError):
    code = "empty_file"


class UndecodableTextError(ReadError):
    code = "undecodable_text"


class CorruptPdfError(ReadError):
    code = "pdf_corrupt"


class PasswordProtectedError(ReadError):
    code = "pdf_password"


class NoTextLayerError(ReadError):
    code = "pdf_no_text"


class OcrFailedError(ReadError):
    code = "ocr_failed"


class NotImrLetterError(TerminalError):
    code = "not_imr_letter"


class ParseError(TerminalError):
    code = "parse_error"


class NoItemsError(ParseError):
    code = "no_items"


class UnresolvedItemError(ParseError):
    code = "unresolved_item"


class SeveralLettersError(ParseError):
    """One file holding two letters or more (a scan or a fax of a stack): read as one, the items of
    one letter would land on the other's case."""

    code = "several_letters"


class DateValueError(ParseError, ValueError):
    """A date-shaped value that is not a real date (e.g. 13/45/2016)."""

    code = "unreadable_date"


class OcrLowConfidenceError(ParseError):
    code = "ocr_low_confidence"


class OcrCheckError(ParseError):
    code = "ocr_check_failed"


class ReviewError(ImrError):
    """A review action that cannot be done as asked (unknown or settled item, a field path the
    record lacks, a value of the wrong type); the message is one line that says what to do."""

    code = "review_error"


class TransientError(ImrError):
    """Worth a retry (database outage, lock timeout)."""

    code = "transient"
    transient = True


class WarehouseUnavailableError(TransientError):
    code = "warehouse_unavailable"


#: Every reason code a record, a file row or a quarantine row may carry, with its meaning.
REASON_CODES: dict[str, str] = {
    "empty_file": "the file has no bytes or no text",
    "unsupported_type": "not a .pdf or .txt file",
    "undecodable_text": "a text file whose encoding could not be determined",
    "pdf_corrupt": "the PDF cannot be parsed",
    "pdf_password": "the PDF needs a password to open",
    "pdf_no_text": "the PDF has no text layer (image-only) and OCR is off (IMR_OCR=off) or found no text",
    "ocr_failed": "OCR of an image-only page failed (tesseract missing, failed or timed out)",
    "ocr_low_confidence": "a decision word or header value was read by OCR with low confidence: not guessed",
    "ocr_check_failed": "header values read by OCR fail their checks (case-number pattern, date order, page count)",
    "read_error": "the file could not be read",
    "not_imr_letter": "not a DWC IMR final determination letter",
    "other_program": "an IMR letter of another program (DMHC or CDI health-plan review)",
    "utilization_review": "a utilization review letter, not an IMR determination",
    "no_items": "an IMR letter with no disputed item that could be found",
    "unresolved_item": "an item whose decision could not be resolved, or a page of the letter missing",
    "several_letters": "the file holds two letters or more: split it into one file per letter",
    "parse_error": "a recognised IMR letter that could not be parsed",
    "unreadable_date": "a warning on a parsed letter: a date value could not be read, the field is left empty",
    "internal_error": "an unexpected error in the extractor (a bug; the file is kept)",
    # set by the ingestion pipeline (pipeline)
    "symlink_outside_inbox": "a symbolic link leading outside its inbox (or dangling): refused, never followed",
    "duplicate_file": "the same bytes were already loaded: nothing new was loaded",
    "file_changed": "the file changed between discovery and extraction: left for the next run",
    "file_missing": "the file was no longer where the ledger says it is",
    "warehouse_constraint": "the letter breaks a warehouse constraint: nothing of it was written",
    "case_version_conflict": "another letter of the same case number differs on the same decision date: "
    "both are kept and set aside for review, neither counts",
    # set by isolated extraction (pipeline.isolation)
    "extract_timeout": "extraction took longer than the per-file time limit (the extractor was restarted)",
    "extract_memory": "extraction exceeded the per-file memory limit (the extractor was restarted)",
    "extract_crash": "the extractor process died on this file (e.g. a PDF library crash)",
    "file_too_large": "the file is larger than the file size cap",
    "text_too_large": "the text is larger than the decoded text cap",
    "too_many_pages": "the PDF has more pages than the page cap",
    "too_many_items": "the letter has more items than the items-per-letter cap",
    # entries of an inbox that are left in place (pipeline.discovery: counted as ignored)
    "not_regular_file": "not a regular file (FIFO, socket, device or folder): left in place, never opened",
    "symlink_loop": "a symbolic link that loops: left in place, never followed",
    "hidden_file": "a hidden file or folder (name starting with a dot, ~$ lock file): left in place",
    "partial_upload": "a file still being uploaded (.part, .tmp, .crdownload...): left in place",
}
# Data-quality reason codes are ``dq_<expectation>``; their texts live with the suites
# (``expectations.DQ_REASON_CODES``), which this module must not import (it would load pandas).

#: Reason codes of letters a person can settle (the review queue): an item or header value that
#: could not be read safely, a letter with no item found (only when its header was read), and a
#: letter of a case whose versions conflict. Failed critical expectations (``dq_<name>``) too.
REVIEWABLE_CODES: frozenset[str] = frozenset(
    {"unresolved_item", "ocr_low_confidence", "ocr_check_failed", "no_items", "case_version_conflict"}
)
#: The prefix of data-quality reason codes (a failed critical expectation is reviewable).
DQ_CODE_PREFIX = "dq_"


def is_reviewable(codes: list[str] | tuple[str, ...], *, header_read: bool) -> bool:
    """Whether a letter set aside with ``codes`` goes to the review queue: every code is one a
    person can settle (:data:`REVIEWABLE_CODES` or ``dq_*``), and ``no_items`` only when the
    letter's header was read (``header_read``). Look-alike letters, unreadable or hostile files
    and duplicates never do."""
    if not codes:
        return False
    for code in codes:
        if code == "no_items" and not header_read:
            return False
        if code not in REVIEWABLE_CODES and not code.startswith(DQ_CODE_PREFIX):
            return False
    return True
