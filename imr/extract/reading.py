"""A letter as far as it was read: sections, header, reviewer, patient and items, each item with the
lines it was read from, and what keeps it from being a :class:`~imr.models.Letter` (``problem``).

:func:`read_letter` reads everything it can and never raises for an item it cannot read; the
reading then becomes either the letter (:meth:`LetterReading.letter`, which raises the problem) or,
for a letter set aside, its partial form (:meth:`LetterReading.partial`: the JSON shape of
``Letter.to_dict()`` with None where a value was not read, every item kept).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from imr.errors import DateValueError, NoItemsError, ParseError, SeveralLettersError, UnresolvedItemError
from imr.extract import header as hdr
from imr.extract import items as itm
from imr.extract.document import BREAK, Document
from imr.extract.page_marks import describe_missing, missing_pages
from imr.extract.patient import parse_diagnoses, parse_patient
from imr.extract.program import check_program
from imr.extract.reviewer import parse_reviewer
from imr.extract.sections import Sections, detect_layout, find_sections
from imr.models import Guideline, Item, Letter, Patient, RecordError, Reviewer, outcome_of
from imr.taxonomy import classify_service


@dataclass
class LetterReading:
    """Everything read from one normalised Document. ``lines`` are the lines the parsers read (the
    items' line indexes point into them); ``problem`` is the ParseError the letter is set aside
    with (an item without a readable decision, no items), None when it parsed."""

    lines: list[str]
    sections: Sections
    layout: str
    summary: str
    header: hdr.HeaderFields
    reviewer: Reviewer
    patient: Patient
    diagnoses: list[str]
    items: itm.ItemsRead
    problem: ParseError | None = None

    def letter(self, warnings: list[RecordError] | None = None) -> Letter:
        """The Letter; raises ``problem`` when there is one. Values that could not be read (a
        header date that is not a date) are left empty and reported in ``warnings``."""
        if self.problem is not None:
            raise self.problem
        items = self.items.resolved()
        for it in items:
            it.service_category, it.service_subcategory, it.drug_class = classify_service(it.request)
        if warnings is not None:
            warnings += [
                RecordError(DateValueError.code, f"{name}: the date value could not be read; the field is left empty")
                for name in self.header.unreadable_fields()
            ]
        return Letter(
            layout=self.layout,
            **self.header.values(),
            reviewer=self.reviewer,
            outcome=outcome_of([i.decision for i in items]),
            patient=self.patient,
            diagnoses=self.diagnoses,
            items=items,
        )

    def set_aside_for_missing(self, pages: Sequence[int]) -> None:
        """Set the letter aside for its missing ``pages`` (:func:`pages_missing`): ``unresolved_item``
        with the items read, ``no_items`` when none was. A problem found in reading is the missing
        pages' consequence and gives way."""
        kind = UnresolvedItemError if self.items.items else NoItemsError
        self.problem = kind(describe_missing(pages), case_number=self.header.case_number)

    def header_read(self) -> bool:
        """Whether any header value (case number, a date, the priority) was read."""
        return any(v is not None for v in self.header.values().values())

    def partial(self) -> dict[str, Any]:
        """The letter as far as it was read, in the JSON shape of ``Letter.to_dict()``: every item
        kept in its place (``decision`` None where it could not be read, ``request`` None when that
        could not be either) and ``outcome`` None unless every decision was read."""
        reads = self.items.items
        decisions = [r.decision for r in reads]
        shell = Letter(
            layout=self.layout,
            **self.header.values(),
            reviewer=self.reviewer,
            patient=self.patient,
            diagnoses=self.diagnoses,
        )
        out = shell.to_dict()
        out["outcome"] = (
            outcome_of([d for d in decisions if d is not None]) if reads and None not in decisions else None
        )
        out["items"] = [item_dict(k + 1, r) for k, r in enumerate(reads)]
        return out


def item_dict(ordinal: int, read: itm.ItemRead) -> dict[str, Any]:
    """One item as read in the JSON shape of ``Item.to_dict()`` (``decision`` and ``request`` None
    where they were not read), with its service taxonomy."""
    category, subcategory, drug = classify_service(read.request) if read.request else (None, None, None)
    shape = Item(
        ordinal=ordinal,
        request=read.request or "",
        decision=read.decision or "upheld",  # a placeholder: written below as read
        claims_administrator_guideline=read.claims_administrator_guideline,
        reviewer_guideline=read.reviewer_guideline,
        rationale=read.rationale,
        service_category=category,
        service_subcategory=subcategory,
        drug_class=drug,
    ).to_dict()
    shape["request"] = read.request
    shape["decision"] = read.decision
    return shape


def read_letter(doc: Document) -> LetterReading:
    """Read a normalised Document as far as it goes. Raises NotImrLetterError when it is not a
    DWC IMR letter; an item that cannot be read is kept in the reading with its problem."""
    lines = doc.lines()
    check_program(_flat(lines, "\n"))
    sec = find_sections(lines)
    layout = detect_layout(sec)
    summary = _summary(sec, layout)
    head = _header(doc, sec, layout, summary)
    items = _decided_items(sec, layout)
    if layout == "A":
        _attach_sections(items.items, itm.parse_item_sections(sec.lines))
    problem: ParseError | None = None
    if items.problem is not None:
        problem = UnresolvedItemError(items.problem)
    elif not items.items:
        problem = NoItemsError("no disputed item with a decision was found")
    if problem is not None:
        problem.case_number = head.case_number
    return LetterReading(
        lines=lines,
        sections=sec,
        layout=layout,
        summary=summary,
        header=head,
        reviewer=parse_reviewer(qualification_lines(sec)),
        patient=_patient(sec, layout, summary),
        diagnoses=parse_diagnoses(summary),
        items=items,
        problem=problem,
    )


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
    head_zone = header_zone(sec)
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


def header_zone(sec: Sections) -> list[str]:
    """The lines the header is read from: those before the first heading (the first 40 lines when
    fewer than three stand there)."""
    zone = sec.before_first_heading()
    if len(zone) < 3:
        zone = sec.lines[:40]
    return zone


def qualification_lines(sec: Sections) -> list[str]:
    """The lines the reviewer's credentials are read from (a prefix of ``sec.lines`` or a section body)."""
    for key in ("qualifications", "how_made"):
        if sec.has(key):
            return sec.body(key)
    end = sec.first.get("summary", len(sec.lines))
    return sec.lines[:end]


def _attach_sections(items: list[itm.ItemRead], found: list[itm.ItemSections]) -> None:
    """Guidelines and rationale stated under each item's own headings (layout A), matched by
    order; nothing is attached when their number differs from the items'."""
    if len(found) != len(items):
        return
    for it, details in zip(items, found, strict=True):
        it.claims_administrator_guideline = details.claims_administrator_guideline
        it.reviewer_guideline = details.reviewer_guideline
        it.rationale = details.rationale
        it.label_lines = dict(details.lines)


#: The heading or title each letter has once: layout A's title, layout B's, and the first section
#: of layouts C and D.
_LETTER_STARTS = ("a_title", "b_title", "how_made")
_LABELLED_CASE = re.compile(r"Case\s+(?:Number|No\.?)\s*:?\s*(CM\d{2}-\d{7})", re.I)


def check_one_letter(doc: Document) -> None:
    """Raise SeveralLettersError when the document holds two letters or more (a stack scanned or
    faxed as one file): a letter's title or first section twice, or two case numbers after a
    ``Case Number`` label (a running header repeats the same one). Read as one letter, the items
    of the second would be loaded under the first's case number. Runs before normalisation, which
    would take the second letter's header for page furniture repeated from the first."""
    sec = find_sections(doc.lines())
    starts = _letter_starts(sec)
    cases = sorted({m.group(1) for ln in sec.lines if ln != BREAK for m in _LABELLED_CASE.finditer(ln)})
    if starts > 1 or len(cases) > 1:
        count = max(starts, len(cases))
        named = f" (case numbers {', '.join(cases)})" if len(cases) > 1 else ""
        raise SeveralLettersError(
            f"the file holds {count} letters{named}: split it into one file per letter and ingest each",
            case_number=cases[0] if cases else None,
        )


def _letter_starts(sec: Sections) -> int:
    """How many times the letter's title or first section stands in ``sec``."""
    return sum(len(sec.all.get(key, [])) for key in _LETTER_STARTS)


def pages_missing(doc: Document) -> list[int]:
    """The pages the letter's own page numbers show missing (:func:`missing_pages`), before
    normalisation removes the numbers; a file without the letter's title or first section has
    lost its first page when its numbers start above 1."""
    return missing_pages(doc, starts=_letter_starts(find_sections(doc.lines())) > 0)


def _decided_items(sec: Sections, layout: str) -> itm.ItemsRead:
    """The disputed items as read, their line indexes pointing into ``sec.lines``."""
    if layout == "A":
        first_end = sec.first.get("a_decision", len(sec.lines))
        items = itm.read_numbered_decisions(sec.lines[:first_end])
        if items.problem is None and sec.has("a_decision"):
            again = itm.read_numbered_decisions(sec.body("a_decision"), sec.body_offset("a_decision"))
            if again.problem is not None:
                return again
            if items.items and again.items:
                _check_agreement(items, again)
            items = items if items.items else again
        return items
    found = itm.ItemsRead()
    for key in ("decisions", "rationale_b", "issue"):
        if sec.has(key):
            start = sec.first[key]
            found = itm.read_item_blocks(sec.lines[start + 1 :], start + 1)
            if found.items or found.problem is not None:
                break
    else:
        found = itm.read_item_blocks(sec.lines)
    if found.problem is None:
        _check_listed_issues(sec, found)
    if found.problem is None and layout in ("C", "D1", "D2"):
        _check_complete(found, sec.lines)
    return found


#: A rationale's conclusion (the decision's necessity, however worded: 'is not medically necessary',
#: 'the medical necessity ... is not established', 'is not recommended').
#: 'necess' and 'medically' both count, so that one word misread by OCR does not hide a conclusion.
_CONCLUDES = re.compile(r"\bnecess|\bmedically\b|\b(?:is|are|was|were)\s+(?:not\s+)?(?:recommended|warranted)\b", re.I)


def _check_complete(found: itm.ItemsRead, lines: Sequence[str]) -> None:
    """Layouts C and D end with the last item's rationale, which concludes on the decision's
    necessity. A letter whose last page is missing (a page lost in a fax, a scan of the first
    pages only) ends inside a rationale without its conclusion, with an item whose guideline
    lines have no rationale after them, or with a decision line: the items of the missing pages
    would be lost silently, so the letter is set aside (the items read kept). A letter cut after a
    conclusion cannot be told from a whole one."""
    reads = found.items
    if not reads:
        return
    last = reads[-1]
    labelled = bool(last.label_lines) or any(r.rationale is not None for r in reads)
    final = next((ln for ln in reversed(lines) if ln != BREAK and ln.strip()), "")
    if itm.ends_with_decision(final) or (
        labelled and (last.rationale is None or not _CONCLUDES.search(last.rationale))
    ):
        found.unresolved(
            f"the letter ends before item {len(reads)}'s rationale is complete: a page may be missing "
            f"({len(reads)} item{'s' if len(reads) > 1 else ''} read); ingest the complete letter"
        )


def _check_agreement(items: itm.ItemsRead, again: itm.ItemsRead) -> None:
    """Layout A states its decisions twice: where the two lists disagree, the decision is not
    read (the problem is noted and the item kept with ``decision`` None)."""
    first = [i.decision for i in items.items]
    second = [i.decision for i in again.items]
    if first == second:
        return
    items.unresolved("the two lists of numbered decisions disagree")
    for k, it in enumerate(items.items):
        if k >= len(second) or second[k] != it.decision:
            it.decision = None


def _check_listed_issues(sec: Sections, found: itm.ItemsRead) -> None:
    """Layout B lists the disputed items under 'ISSUE AT DISPUTE:' before deciding them one by one:
    an item listed there whose decision was not read is never dropped (the problem is noted and
    the item kept in its place with ``decision`` None)."""
    if not sec.has("issue"):
        return
    listed = itm.count_listed(sec.body("issue"))
    if listed and len(found.items) != listed:
        listed_items = f"{listed} items are" if listed > 1 else "1 item is"
        found.unresolved(f"{listed_items} listed at dispute but {len(found.items)} decisions were read")
        found.items = _merge_listed(sec, found.items)


_LISTED = re.compile(r"^\s*\(?\d{1,2}[.)]\s+(?P<req>.+?)\s*$")
_SIMILAR = 0.8


def _merge_listed(sec: Sections, found: list[itm.ItemRead]) -> list[itm.ItemRead]:
    """The items listed at dispute, in order: each the decided item that names it, else the listed
    item without a decision (its request as its decision line writes it, when that line is found)."""
    offset = sec.body_offset("issue")
    body = sec.body("issue")
    out: list[itm.ItemRead] = []
    rest = list(found)
    for i, line in enumerate(body):
        m = _LISTED.match(line) if line != BREAK else None
        if m is None:
            continue
        request = m.group("req")
        if rest and _same_request(rest[0].request, request):
            out.append(rest.pop(0))
            continue
        out.append(_unread_listed(sec, request, offset + i))
    return out + rest


def _same_request(a: str | None, b: str) -> bool:
    if a is None:
        return False
    x, y = (re.sub(r"\s+", " ", s).strip().casefold() for s in (a, b))
    return x == y or x.startswith(y) or y.startswith(x) or difflib.SequenceMatcher(None, x, y).ratio() >= _SIMILAR


def _unread_listed(sec: Sections, request: str, listed_at: int) -> itm.ItemRead:
    """A listed item whose decision was not read: where its decision line should be is the first
    line after the list that starts with its request and a colon."""
    key = re.sub(r"\s+", " ", request).strip().casefold()
    for j in range(listed_at + 1, len(sec.lines)):
        line = sec.lines[j]
        if ":" in line and re.sub(r"\s+", " ", line).strip().casefold().startswith(key):
            return itm.ItemRead(
                itm.unread_request(line) or request,
                None,
                claims_administrator_guideline=Guideline(None, None),
                reviewer_guideline=Guideline(None, None),
                request_lines=[j],
                decision_lines=[j],
            )
    return itm.ItemRead(request, None, request_lines=[listed_at])
