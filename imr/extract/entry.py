"""The extraction chain for one file: read -> normalise -> program -> sections -> fields -> record.

:func:`extract_file` never raises for bad input: unreadable files, look-alike letters and letters
with an unresolvable item come back as ``status: rejected`` records with a stable reason code.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from imr.errors import DateValueError, EmptyFileError, NoItemsError, ParseError, TerminalError, UnresolvedItemError
from imr.extract import header as hdr
from imr.extract import items as itm
from imr.extract.document import BREAK, Document
from imr.extract.media import is_letter_name
from imr.extract.media import media_type_of as media_type_of  # re-exported: imr.ingest imports it from here
from imr.extract.normalize import normalize, split_text_pages
from imr.extract.patient import parse_diagnoses, parse_patient
from imr.extract.pdf_text import document_from_words
from imr.extract.program import check_program
from imr.extract.reviewer import parse_reviewer
from imr.extract.sections import Sections, detect_layout, find_sections
from imr.extract.text_decode import decode_text
from imr.models import Item, Letter, LetterRecord, MediaType, Patient, RecordError, Source, outcome_of
from imr.taxonomy import classify_service


def read_document(data: bytes, media_type: str, pdf_engine: str = "pdfplumber", ocr: str = "off") -> Document:
    """Bytes to a raw Document (raises a ReadError subclass for unusable input).

    ``ocr``: ``auto`` OCRs the PDF pages that have no text layer (the Document is then an
    :class:`~imr.extract.ocr.OcrDocument`); ``off`` rejects an image-only PDF (``pdf_no_text``)."""
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
        return document_from_words(words)
    text = decode_text(data)
    pages = split_text_pages(text)
    if not any(ln for p in pages for ln in p if ln != BREAK):
        raise EmptyFileError("the file has no text")
    return Document(pages=pages, media_type="text/plain", page_count=None)


def is_ocr(doc: Document) -> bool:
    """True when some of ``doc``'s text was read by OCR."""
    from imr.extract.ocr import OcrDocument

    return isinstance(doc, OcrDocument) and bool(doc.ocr_pages)


def parse_document(doc: Document, warnings: list[RecordError] | None = None) -> Letter:
    """A normalised Document to a Letter; raises TerminalError subclasses when it is not a DWC IMR
    letter or cannot be parsed safely. Values that could not be read (a header date that is not a
    date) are left empty and reported in ``warnings``."""
    lines = doc.lines()
    check_program(_flat(lines, "\n"))
    sec = find_sections(lines)
    layout = detect_layout(sec)
    summary = _summary(sec, layout)
    head = _header(doc, sec, layout, summary)
    try:
        items = _items(sec, layout)
    except ParseError as exc:
        exc.case_number = head.case_number
        raise
    if warnings is not None:
        warnings += [
            RecordError(DateValueError.code, f"{name}: the date value could not be read; the field is left empty")
            for name in head.unreadable_fields()
        ]
    letter = Letter(
        layout=layout,
        **head.values(),
        reviewer=parse_reviewer(_qualification_lines(sec)),
        outcome=outcome_of([i.decision for i in items]),
        patient=_patient(sec, layout, summary),
        diagnoses=parse_diagnoses(summary),
        items=items,
    )
    return letter


def _flat(lines: Sequence[str], sep: str = " ") -> str:
    return sep.join(ln for ln in lines if ln != BREAK)


def _summary(sec: Sections, layout: str) -> str:
    """The clinical case summary as one string; for older layouts without a summary heading, the
    quoted UR case summary that follows 'Disclaimer:'."""
    if sec.has("summary"):
        return _flat(sec.body("summary"))
    if layout in ("A", "B"):
        flat = _flat(sec.lines)
        m = re.search(r"\bDisclaimer\s*:", flat, re.I)
        if m:
            return flat[m.start() :]
    return ""


def _header(doc: Document, sec: Sections, layout: str, summary: str) -> hdr.HeaderFields:
    """Header fields: PDF geometry, then the header lines, then the letter's sentences for what a
    letter without a header table states elsewhere (layout A's procedural sentence, the summary)."""
    h = hdr.header_from_geometry(doc.header_fields) if doc.header_fields else hdr.HeaderFields()
    head_zone = _header_zone(sec)
    h = hdr.header_from_lines(head_zone, h)
    if h.case_number is None:
        m = hdr.CASE_RE.search(_flat(sec.lines, "\n"))
        h.case_number = m.group(0) if m else None
    has_header = bool(doc.header_fields) or bool(
        re.search(r"Date\s+of\s+Injury\s*:|UR\s+Denial\s+Date\s*:|Date\s+Assigned\s*:", "\n".join(head_zone), re.I)
    )
    if layout == "C":
        # layout C dates the letter on a 'Dated:' line under its title: the decision date
        h.decision_date = hdr.dated_line(sec.before_first_heading()) or h.decision_date
    if layout == "A":
        flat = _flat(sec.lines)
        h = hdr.a_layout_dates(flat, h)
        if h.ur_denial_date is None:
            h.ur_denial_date = hdr.ur_date_from_text(flat)
        if h.date_of_injury is None and not has_header:
            h.date_of_injury = hdr.injury_date_from_text(summary) or hdr.injury_date_from_text(flat)
    if h.date_of_injury is None and not has_header:
        h.date_of_injury = hdr.injury_date_from_text(summary)
    if h.ur_denial_date is None and not has_header and summary:
        h.ur_denial_date = hdr.ur_date_from_text(summary)
    return h


def _patient(sec: Sections, layout: str, summary: str) -> Patient:
    """Age and sex from the summary; an older letter whose summary does not state them may state
    them in its other sentences."""
    patient = parse_patient(summary)
    if layout in ("A", "B") and patient.age is None:
        whole = parse_patient(_flat(sec.lines))
        patient.age = whole.age
        patient.sex = patient.sex or whole.sex
    return patient


def _header_zone(sec: Sections) -> list[str]:
    zone = sec.before_first_heading()
    if len(zone) < 3:
        zone = sec.lines[:40]
    return zone


def _qualification_lines(sec: Sections) -> list[str]:
    for key in ("qualifications", "how_made"):
        if sec.has(key):
            return sec.body(key)
    end = sec.first.get("summary", len(sec.lines))
    return sec.lines[:end]


def _items(sec: Sections, layout: str) -> list[Item]:
    """The disputed items with their decisions and DWC service taxonomy; NoItemsError when none."""
    items = _decided_items(sec, layout)
    if not items:
        raise NoItemsError("no disputed item with a decision was found")
    if layout == "A":
        _attach_sections(items, itm.parse_item_sections(sec.lines))
    for it in items:
        it.service_category, it.service_subcategory, it.drug_class = classify_service(it.request)
    return items


def _attach_sections(items: list[Item], found: list[itm.ItemSections]) -> None:
    """Guidelines and rationale stated under each item's own headings (layout A), matched by
    order; nothing is attached when their number differs from the items'."""
    if len(found) != len(items):
        return
    for it, details in zip(items, found, strict=True):
        it.claims_administrator_guideline = details.claims_administrator_guideline
        it.reviewer_guideline = details.reviewer_guideline
        it.rationale = details.rationale


def _decided_items(sec: Sections, layout: str) -> list[Item]:
    if layout == "A":
        first_end = sec.first.get("a_decision", len(sec.lines))
        items = itm.parse_numbered_decisions(sec.lines[:first_end])
        if sec.has("a_decision"):
            again = itm.parse_numbered_decisions(sec.body("a_decision"))
            if items and again and [i.decision for i in again] != [i.decision for i in items]:
                raise UnresolvedItemError("the two lists of numbered decisions disagree")
            items = items or again
        return items
    found: list[Item] = []
    for key in ("decisions", "rationale_b", "issue"):
        if sec.has(key):
            start = sec.first[key]
            found = itm.parse_item_blocks(sec.lines[start + 1 :])
            if found:
                break
    else:
        found = itm.parse_item_blocks(sec.lines)
    _check_listed_issues(sec, found)
    return found


def _check_listed_issues(sec: Sections, found: list[Item]) -> None:
    """Layout B lists the disputed items under 'ISSUE AT DISPUTE:' before deciding them one by one:
    an item listed there whose decision was not read is never dropped (UnresolvedItemError)."""
    if not sec.has("issue"):
        return
    listed = itm.count_listed(sec.body("issue"))
    if listed and len(found) != listed:
        raise UnresolvedItemError(f"{listed} items are listed at dispute but {len(found)} decisions were read")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def extract_bytes(
    data: bytes,
    display_path: str,
    pdf_engine: str = "auto",
    media_type: MediaType | None = None,
    ocr: str | None = None,
) -> LetterRecord:
    """One record for a file's bytes; ``display_path`` is what ``source.path`` says.

    ``pdf_engine``: ``pdfium`` (fast), ``pdfplumber`` (pdfminer), or ``auto``: PDFium first and,
    when its text does not give a parsed letter, pdfplumber as a second reader (records were
    identical on every corpus letter; see bench/RESULTS.md).
    ``ocr``: ``auto`` (OCR the PDF pages without a text layer) or ``off``; None reads ``IMR_OCR``."""
    media = media_type or media_type_of(display_path, data)
    mode = ocr if ocr is not None else _ocr_setting()
    if media == "application/pdf" and pdf_engine == "auto":
        first = _extract(data, display_path, "pdfium", media, mode)
        if first.status == "parsed" or first.source.ocr:
            return first  # a second text reader cannot help a page that has no text layer
        second = _extract(data, display_path, "pdfplumber", media, mode)
        return second if second.status == "parsed" else first
    return _extract(data, display_path, pdf_engine, media, mode)


def _verify_ocr(doc: Document, letter: Letter | None) -> None:
    from imr.extract.ocr_checks import verify_ocr

    verify_ocr(doc, letter)


def _ocr_setting() -> str:
    from imr.settings import get_settings  # the setting only when no mode is passed (imr extract passes it)

    return get_settings().ocr


def _extract(data: bytes, display_path: str, pdf_engine: str, media: MediaType, ocr: str = "off") -> LetterRecord:
    source = Source(path=display_path, sha256=sha256_hex(data), media_type=media, pages=None)
    try:
        doc = read_document(data, media, pdf_engine, ocr)
        source.pages = doc.page_count
        source.ocr = is_ocr(doc)
        warnings: list[RecordError] = []
        try:
            letter = parse_document(normalize(doc), warnings)
        except ParseError:
            if source.ocr:
                _verify_ocr(doc, None)  # a doubtful OCR'd word explains the failure better
            raise
        if source.ocr:
            _verify_ocr(doc, letter)
    except TerminalError as exc:
        exc.path = exc.path or display_path
        return LetterRecord(source=source, status="rejected", errors=[RecordError(exc.code, exc.message)])
    except RecursionError:
        return LetterRecord(
            source=source, status="rejected", errors=[RecordError(ParseError.code, "the letter is too deeply nested")]
        )
    except Exception as exc:
        return LetterRecord(
            source=source,
            status="rejected",
            errors=[RecordError("internal_error", f"unexpected {type(exc).__name__} in the extractor")],
        )
    return LetterRecord(source=source, status="parsed", errors=warnings, letter=letter)


def extract_file(
    path: str | os.PathLike[str], display_path: str | None = None, pdf_engine: str = "auto", ocr: str | None = None
) -> LetterRecord:
    """Extract one file; ``display_path`` defaults to the path as given; ``ocr`` as for
    :func:`extract_bytes` (None: ``IMR_OCR``)."""
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
    return extract_bytes(data, shown, pdf_engine, ocr=ocr)


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
