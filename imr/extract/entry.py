"""The extraction chain for one file: read -> normalise -> program -> sections -> fields -> record.

:func:`extract_file` never raises for bad input: unreadable files, look-alike letters and letters
with an unresolvable item come back as ``status: rejected`` records with a stable reason code; a
letter set aside after it was read keeps what was read in ``record.partial``
(:mod:`imr.extract.partial`).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from imr.errors import EmptyFileError, ParseError, TerminalError
from imr.extract.document import BREAK, Document
from imr.extract.media import is_letter_name
from imr.extract.media import media_type_of as media_type_of  # re-exported: imr.ingest imports it from here
from imr.extract.normalize import normalize, split_text_pages
from imr.extract.page_marks import page_order
from imr.extract.partial import partial_letter
from imr.extract.pdf_text import document_from_words
from imr.extract.reading import LetterReading, check_one_letter, pages_missing, read_letter
from imr.extract.text_decode import decode_text
from imr.models import EvidenceMap, Letter, LetterRecord, MediaType, RecordError, Source


def read_document(data: bytes, media_type: str, pdf_engine: str = "pdfplumber", ocr: str = "off") -> Document:
    """Bytes to a raw Document (raises a ReadError subclass for unusable input).

    ``ocr``: ``auto`` OCRs the PDF pages that have no text layer (the Document is then an
    :class:`~imr.extract.ocr.OcrDocument`); ``off`` rejects an image-only PDF (``pdf_no_text``).
    A text layer's or text file's pages that the letter's own numbers show out of order are read
    in the letter's order (:func:`~imr.extract.page_marks.page_order`; OCR'd pages are not: a
    misread number must not reorder a letter)."""
    if media_type == "application/pdf":
        if pdf_engine == "pdfium":
            from imr.extract.pdfium_text import read_pdfium_words

            words = read_pdfium_words(data)
        else:
            from imr.extract.pdf_text import read_pdf_words

            words = read_pdf_words(data)
        if ocr == "auto" and words and not all(words):
            from imr.extract.ocr import document_with_ocr

            return document_with_ocr(data, words)
        doc = document_from_words(words)
        order = page_order(doc.pages)
        if order is not None:  # the header stands on the letter's page 1, wherever the file has it
            doc = document_from_words([words[k] for k in order])
            doc.page_numbers = [k + 1 for k in order]
        return doc
    text = decode_text(data)
    pages = split_text_pages(text)
    if not any(ln for p in pages for ln in p if ln != BREAK):
        raise EmptyFileError("the file has no text")
    order = page_order(pages) if len(pages) == text.count("\f") + 1 else None  # pages by form feeds only
    if order is not None:
        return Document(
            pages=[pages[k] for k in order],
            media_type="text/plain",
            source_text=text,
            page_numbers=[k + 1 for k in order],
        )
    return Document(pages=pages, media_type="text/plain", page_count=None, source_text=text)


def is_ocr(doc: Document) -> bool:
    """True when some of ``doc``'s text was read by OCR."""
    from imr.extract.ocr import OcrDocument

    return isinstance(doc, OcrDocument) and bool(doc.ocr_pages)


def parse_document(doc: Document, warnings: list[RecordError] | None = None) -> Letter:
    """A normalised Document to a Letter; raises TerminalError subclasses when it is not a DWC IMR
    letter or cannot be parsed safely. Values that could not be read (a header date that is not a
    date) are left empty and reported in ``warnings``."""
    return read_letter(doc).letter(warnings)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def extract_bytes(
    data: bytes,
    display_path: str,
    pdf_engine: str = "auto",
    media_type: MediaType | None = None,
    ocr: str | None = None,
    evidence: bool = False,
) -> LetterRecord:
    """One record for a file's bytes; ``display_path`` is what ``source.path`` says.

    ``pdf_engine``: ``pdfium`` (fast), ``pdfplumber`` (pdfminer), or ``auto``: PDFium first and,
    when its text does not give a parsed letter, pdfplumber as a second reader (records were
    identical on every corpus letter; see bench/RESULTS.md).
    ``ocr``: ``auto`` (OCR the PDF pages without a text layer) or ``off``; None reads ``IMR_OCR``.
    ``evidence``: fill ``record.evidence`` (:mod:`imr.extract.evidence`: page, box or line, source
    text and OCR confidence of each filled field; for a letter set aside, of its partial letter's
    fields); nothing of it is computed otherwise."""
    media = media_type or media_type_of(display_path, data)
    mode = ocr if ocr is not None else _ocr_setting()
    if media == "application/pdf" and pdf_engine == "auto":
        first = _extract(data, display_path, "pdfium", media, mode, evidence)
        if first.status == "parsed" or first.source.ocr:
            return first  # a second text reader cannot help a page that has no text layer
        second = _extract(data, display_path, "pdfplumber", media, mode, evidence)
        return second if second.status == "parsed" else first
    return _extract(data, display_path, pdf_engine, media, mode, evidence)


def _verify_ocr(doc: Document, letter: Letter | None) -> None:
    from imr.extract.ocr_checks import verify_ocr

    verify_ocr(doc, letter)


def _ocr_setting() -> str:
    from imr.settings import get_settings  # the setting only when no mode is passed (imr extract passes it)

    return get_settings().ocr


def _extract(
    data: bytes, display_path: str, pdf_engine: str, media: MediaType, ocr: str = "off", evidence: bool = False
) -> LetterRecord:
    source = Source(path=display_path, sha256=sha256_hex(data), media_type=media, pages=None)
    doc: Document | None = None
    reading: LetterReading | None = None
    letter: Letter | None = None
    warnings: list[RecordError] = []
    try:
        doc = read_document(data, media, pdf_engine, ocr)
        source.pages = doc.page_count
        source.ocr = is_ocr(doc)
        check_one_letter(doc)
        gaps = [] if source.ocr else pages_missing(doc)  # an OCR'd page's numbers: ocr_checks
        reading = read_letter(normalize(doc))
        if gaps:
            reading.set_aside_for_missing(gaps)
        try:
            letter = reading.letter(warnings)
        except ParseError:
            if source.ocr:
                _verify_ocr(doc, None)  # a doubtful OCR'd word explains the failure better
            raise
        if source.ocr:
            _verify_ocr(doc, letter)
    except TerminalError as exc:
        exc.path = exc.path or display_path
        rejected = LetterRecord(source=source, status="rejected", errors=[RecordError(exc.code, exc.message)])
        if doc is None or reading is None:
            return rejected
        try:
            rejected.partial = partial_letter(exc, reading, letter, doc)
            if evidence and rejected.partial is not None:
                rejected.evidence = _evidence(reading, doc, rejected.partial)
        except Exception as bug:  # a bug in the partial letter is the extractor's, as anywhere else
            return _internal_error(source, bug)
        return rejected
    except RecursionError:
        return LetterRecord(
            source=source, status="rejected", errors=[RecordError(ParseError.code, "the letter is too deeply nested")]
        )
    except Exception as bug:
        return _internal_error(source, bug)
    record = LetterRecord(source=source, status="parsed", errors=warnings, letter=letter)
    if evidence:
        try:
            record.evidence = _evidence(reading, doc, letter.to_dict())
        except Exception as bug:  # a bug in the evidence is the extractor's, as anywhere else
            return _internal_error(source, bug)
    return record


def _evidence(reading: LetterReading, doc: Document, values: dict[str, Any]) -> EvidenceMap:
    from imr.extract.evidence import locate  # only when evidence is asked for

    return locate(reading, doc, values)


def _internal_error(source: Source, bug: BaseException) -> LetterRecord:
    return LetterRecord(
        source=source,
        status="rejected",
        errors=[RecordError("internal_error", f"unexpected {type(bug).__name__} in the extractor")],
    )


def extract_file(
    path: str | os.PathLike[str],
    display_path: str | None = None,
    pdf_engine: str = "auto",
    ocr: str | None = None,
    evidence: bool = False,
) -> LetterRecord:
    """Extract one file; ``display_path`` defaults to the path as given; ``ocr`` and ``evidence``
    as for :func:`extract_bytes` (``ocr`` None: ``IMR_OCR``)."""
    p = Path(path)
    shown = display_path if display_path is not None else str(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        return LetterRecord(
            source=Source(path=shown, sha256=sha256_hex(b""), media_type=media_type_of(p), pages=None),
            status="rejected",
            errors=[RecordError("read_error", f"the file could not be read ({type(exc).__name__})")],
        )
    return extract_bytes(data, shown, pdf_engine, ocr=ocr, evidence=evidence)


def iter_input_files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """Files named, and letter files found recursively in folders (visible, complete .pdf/.txt
    names of any case, as the ingest drop folders take them), sorted per folder.
    Raises FileNotFoundError for a path that does not exist."""
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = [f for f in p.rglob("*") if f.is_file() and _letter_path(f.relative_to(p))]
            yield from sorted(found)
        elif p.exists():
            yield p
        else:
            raise FileNotFoundError(str(p))


def _letter_path(rel: Path) -> bool:
    """A letter name (the ingest rule) in no hidden folder."""
    return is_letter_name(rel.name) and not any(part.startswith(".") for part in rel.parts[:-1])
