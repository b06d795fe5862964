"""Evidence: where each extracted value stands in its file.

:func:`locate` takes the letter as read (:class:`~imr.extract.reading.LetterReading`), the raw
Document and the letter's values (``Letter.to_dict()``, or the partial letter of a letter set
aside) and returns an :class:`~imr.models.Evidence` per filled field path: the page, the box (a
PDF, in PDF points from the page's top-left) or the line (a text letter), the exact source text of
the line(s) the value was read from and, for OCR'd text, the mean confidence of its words.

Which lines a value was read from:

* items: the parsers say (each :class:`~imr.extract.items.ItemRead` keeps the lines of its
  paragraph, of its decision words and of its label lines), so a decision is never confused with
  the same word in another item's block; an unread decision points where it should stand;
* header values: the field's own label first ('Case Number:', 'Date of Injury:', layout A's
  sentences, 'Dated:'), then the label with its value on the lines after it (a header whose values
  stand below or after the labels), then the first place the value is written; a candidate counts
  only when what it says parses to the value, so equal dates elsewhere are never taken first;
* reviewer, patient, diagnoses: the labelled lines or the sentence the parser reads, checked the
  same way by reading the lines found again.

The lines found (indexes into the normalised lines) are paired with the file's own lines
(:mod:`imr.extract.origins`); an evidence keeps the lines of one page next to each other in the
file. A value whose place cannot be found has no evidence. Nothing here runs unless asked for.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from typing import Any

from imr.extract import header as hdr
from imr.extract.dates import DATE_RE, parse_date
from imr.extract.document import BREAK, Document
from imr.extract.flat import Flat
from imr.extract.items import ItemRead, decision_lines_in, request_lines_in
from imr.extract.origins import SourceLine, align, mean_confidence, source_lines, union
from imr.extract.patient import AGE_SEX, DIAGNOSES, OCCUPATION, SEX_PHRASE, SEX_WORDS, parse_diagnoses
from imr.extract.reading import LetterReading, header_zone, qualification_lines
from imr.extract.reviewer import (
    BOARD_CERTIFIED,
    LICENSED_IN,
    SPECIALTY_LABEL,
    STATES_LABEL,
    labelled_lines,
    parse_reviewer,
)
from imr.models import Evidence, EvidenceMap

DATE_FIELDS = ("date_assigned", "decision_date", "date_of_injury", "ur_denial_date", "application_received")
#: How far after a label its value may stand (labels first, then values) in characters.
_VALUE_REACH = 600
_DATE = "(?P<date>" + DATE_RE.pattern + ")"
_PRIORITY_WORD = re.compile(r"\b(?P<v>Standard|Expedited|Urgent|Regular)\b", re.I)
_CASE = re.compile(r"(?<![A-Za-z0-9])(?P<v>CM\d{2}-\d{7})\b", re.I)


def locate(reading: LetterReading, doc: Document, values: dict[str, Any]) -> EvidenceMap:
    """Evidence for each filled field of ``values`` (the JSON shape of a letter: ``Letter.to_dict()``
    or a partial letter) read as ``reading`` from the raw Document ``doc``. A partial letter's
    unread decision gets the evidence of where it should stand, when that is known."""
    sources, places = locate_lines(reading, doc, values)
    return {path: evidence_of([sources[j] for j in run]) for path, run in places.items()}


def locate_lines(
    reading: LetterReading, doc: Document, values: dict[str, Any]
) -> tuple[list[SourceLine], dict[str, list[int]]]:
    """The source lines of ``doc`` and, per field path of ``values``, the indexes of the source
    lines it was read from (what :func:`locate` makes its evidence of)."""
    found = _Locator(reading, doc)
    return found.sources, found.places(values)


def evidence_of(lines: Sequence[SourceLine]) -> Evidence:
    """The evidence of source lines of one page that stand next to each other."""
    boxes = [box for box in (ln.bbox for ln in lines) if box is not None]
    return Evidence(
        page=lines[0].page,
        text="\n".join(ln.text for ln in lines),
        bbox=union(boxes) if boxes else None,
        line=lines[0].line,
        confidence=mean_confidence(lines),
    )


class _Locator:
    def __init__(self, reading: LetterReading, doc: Document) -> None:
        self.reading = reading
        self.lines = reading.lines
        self.sources = source_lines(doc)
        self.at = align(self.lines, self.sources)
        self.nl = Flat.of(self.lines)  # lines joined by newlines: labels and their values
        self.sp = Flat.of(self.lines, sep=" ")  # joined by spaces, as the parsers read sentences
        zone = header_zone(reading.sections)  # a prefix of the lines: where the header is read
        self.zone_end = len("\n".join(ln for ln in zone if ln != BREAK))

    # ------------------------------------------------------------------ the map

    def places(self, values: dict[str, Any]) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        if not self.sources:
            return out

        def put(path: str, found: tuple[list[int], int | None] | None) -> None:
            if found is not None:
                run = self.run(*found)
                if run:
                    out[path] = run

        if values.get("case_number"):
            put("case_number", self._case_number(str(values["case_number"])))
        for name in DATE_FIELDS:
            when = values.get(name)
            if when:
                put(name, self._date(name, dt.date.fromisoformat(str(when))))
        if values.get("priority"):
            put("priority", self._priority(str(values["priority"])))
        reviewer = values.get("reviewer") or {}
        if reviewer.get("licensure_states"):
            put("reviewer.licensure_states", self._reviewer("licensure_states", reviewer["licensure_states"]))
        if reviewer.get("specialties"):
            put("reviewer.specialties", self._reviewer("specialties", reviewer["specialties"]))
        patient = values.get("patient") or {}
        for name in ("age", "sex", "occupation"):
            if patient.get(name) is not None:
                put(f"patient.{name}", self._patient(name, patient[name]))
        if values.get("diagnoses"):
            put("diagnoses", self._diagnoses(list(values["diagnoses"])))
        reads = self.reading.items.items
        for k, item in enumerate(values.get("items") or []):
            if k >= len(reads):
                break
            for path, found in self._item(item, reads[k]):
                put(f"items[{k}].{path}", found)
        return out

    def run(self, indexes: Sequence[int], anchor: int | None = None) -> list[int]:
        """The source lines of the normalised lines ``indexes``: those on the page of ``anchor``
        (default the last line) that stand next to each other in the file around it."""
        mapped = [j for j in (self.at[i] for i in indexes if 0 <= i < len(self.at)) if j is not None]
        if not mapped:
            return []
        first = self.at[anchor] if anchor is not None and 0 <= anchor < len(self.at) else None
        pivot = first if first is not None else mapped[-1]
        page = self.sources[pivot].page
        taken = {j for j in mapped if self.sources[j].page == page}
        lo = hi = pivot
        while lo - 1 in taken:
            lo -= 1
        while hi + 1 in taken:
            hi += 1
        return list(range(lo, hi + 1))

    # ------------------------------------------------------------------ header values

    def _span(self, flat: Flat, start: int, end: int, anchor_at: int) -> tuple[list[int], int | None]:
        return flat.lines_at(start, end), flat.line_of(anchor_at)

    def _labelled(
        self, patterns: Sequence[str], fits: Any, group: str, flags: int = re.I, end: int | None = None
    ) -> tuple[list[int], int | None] | None:
        """The first match of one of ``patterns`` (in order; before ``end``) whose ``group`` ``fits``."""
        stop = len(self.nl.text) if end is None else end
        for rx in patterns:
            for m in re.compile(rx, flags).finditer(self.nl.text, 0, stop):
                if fits(m.group(group)):
                    return self._span(self.nl, m.start(), m.end(), m.start(group))
        return None

    def _by_label(
        self, labelled: Sequence[str], others: Sequence[str], fits: Any, group: str
    ) -> tuple[list[int], int | None] | None:
        """The field's own label with its value in the header (where the parser reads it), then the
        letter's other phrases for it, then the label anywhere."""
        flags = re.I | re.M
        return (
            self._labelled(labelled, fits, group, flags, self.zone_end)
            or self._labelled(others, fits, group, flags)
            or self._labelled(labelled, fits, group, flags)
        )

    def _after_label(self, label: str, value: re.Pattern[str], fits: Any) -> tuple[list[int], int | None] | None:
        """The label, and the first value that ``fits`` on the lines after it (with the label's line
        when the value stands on the next line)."""
        text = self.nl.text
        for m in re.finditer(label, text, re.I):
            for v in value.finditer(text, m.end(), min(len(text), m.end() + _VALUE_REACH)):
                if fits(v.group(0)):
                    at_label, at_value = self.nl.line_of(m.start()), self.nl.line_of(v.start())
                    assert at_label is not None and at_value is not None
                    lines = self._between(at_label, at_value)
                    return (lines if len(lines) <= 2 else [at_value]), at_value
        return None

    def _between(self, a: int, b: int) -> list[int]:
        return [i for i in range(a, b + 1) if self.lines[i] != BREAK]

    def _anywhere(
        self, value: re.Pattern[str], fits: Any, zone: tuple[int, int] | None = None
    ) -> tuple[list[int], int | None] | None:
        start, end = zone if zone is not None else (0, len(self.nl.text))
        for v in value.finditer(self.nl.text, start, end):
            if fits(v.group(0)):
                return self._span(self.nl, v.start(), v.end(), v.start())
        return None

    def _case_number(self, value: str) -> tuple[list[int], int | None] | None:
        label = "(?:" + hdr.LABEL_PATTERNS["case_number"] + ")"

        def fits(s: str) -> bool:
            return s.upper() == value.upper()

        return (
            self._by_label([label + r"\s*(?P<v>CM\d{2}-\d{7})\b"], [], fits, "v")
            or self._after_label(label, _CASE, fits)
            or self._anywhere(_CASE, fits)
        )

    def _date(self, name: str, value: dt.date) -> tuple[list[int], int | None] | None:
        def fits(s: str | None) -> bool:
            return s is not None and _may_be(s, value) and parse_date(s) == value

        label = "(?:" + hdr.LABEL_PATTERNS[name] + ")"
        labelled = [label + r"\s*" + _DATE]
        if name == "application_received":
            labelled.append(r"Application\s+" + _DATE + r"\s+Received\s*:")
        others: list[str] = []
        if name == "decision_date":
            others.append(r"^\s*Dated\s*:\s*" + _DATE)
        if name in hdr.A_LAYOUT_PATTERNS and self.reading.layout == "A":
            others.append(_named(hdr.A_LAYOUT_PATTERNS[name]))
        if name == "date_of_injury":
            others += [rx + _DATE for rx in hdr.INJURY_PATTERNS]
        if name == "ur_denial_date":
            others.append(_named(hdr.UR_DATED))
        found = self._by_label(labelled, others, fits, "date") or self._after_label(label, DATE_RE, fits)
        if found is None and name == "ur_denial_date":
            found = self._ur_sentence(value)
        return found or self._anywhere(DATE_RE, fits)

    def _ur_sentence(self, value: dt.date) -> tuple[list[int], int | None] | None:
        """The date of a sentence that reports the utilization review's action (the parser's last
        resort for a letter without a header)."""
        text = self.sp.text
        for sentence in re.finditer(r"[^.;]+(?:[.;]|$)", text):
            if not hdr.UR_SENTENCE.search(sentence.group(0)) or re.search(r"\binjur", sentence.group(0), re.I):
                continue
            for d in DATE_RE.finditer(text, sentence.start(), sentence.end()):
                if parse_date(d.group(0)) == value:
                    return self._span(self.sp, d.start(), d.end(), d.start())
        return None

    def _priority(self, value: str) -> tuple[list[int], int | None] | None:
        def fits(s: str) -> bool:
            return hdr.priority_value(s) == value

        label = "(?:" + hdr.LABEL_PATTERNS["priority"] + ")"
        return (
            self._by_label([label + r"\s*(?P<v>Standard|Expedited|Urgent|Regular)\b"], [], fits, "v")
            or self._after_label(label, _PRIORITY_WORD, fits)
            or self._anywhere(_PRIORITY_WORD, fits, (0, self.zone_end))
        )

    # ------------------------------------------------------------------ reviewer, patient, diagnoses

    def _reviewer(self, name: str, value: list[str]) -> tuple[list[int], int | None] | None:
        lines = qualification_lines(self.reading.sections)
        offset = self._offset_of(lines)
        label = STATES_LABEL if name == "licensure_states" else SPECIALTY_LABEL
        where = [offset + i for i in labelled_lines(lines, label)]
        candidates: list[list[int]] = [where] if where else []
        sentence = LICENSED_IN if name == "licensure_states" else BOARD_CERTIFIED
        for m in sentence.finditer(self.sp.text):
            candidates.append(self.sp.lines_at(m.start(), m.end() + 1))
        for found in candidates:
            if getattr(parse_reviewer([self.lines[i] for i in found]), name) == value:
                return found, found[0]
        return None

    def _offset_of(self, part: list[str]) -> int:
        """Where the lines ``part`` (a prefix of the letter's lines or a section body) start."""
        sec = self.reading.sections
        for key in ("qualifications", "how_made"):
            if sec.has(key) and sec.body(key) == part:
                return sec.body_offset(key)
        return 0

    def _summary_start(self) -> int:
        """Where the text the patient is read from starts in the space-joined text."""
        sec = self.reading.sections
        if sec.has("summary"):
            i = sec.first["summary"]
            k = self.sp.index.index(i) if i in self.sp.index else 0
            return self.sp.starts[k] if self.sp.starts else 0
        m = re.search(r"\bDisclaimer\s*:", self.sp.text, re.I)
        return m.start() if m else 0

    def _patient(self, name: str, value: Any) -> tuple[list[int], int | None] | None:
        for m in self._from_summary(AGE_SEX):
            if name == "age" and int(m.group(1)) == value:
                return self._span(self.sp, m.start(), m.end(), m.start())
            if name == "sex" and m.group(2) and SEX_WORDS.get(m.group(2).lower()) == value:
                return self._span(self.sp, m.start(), m.end(), m.start(2))
        if name == "sex":
            for m in self._from_summary(SEX_PHRASE):
                if SEX_WORDS.get(m.group(1).lower()) == value:
                    return self._span(self.sp, m.start(), m.end(), m.start(1))
        if name == "occupation":
            for m in self._from_summary(OCCUPATION):
                if m.group(1).strip().lower() == value:
                    return self._span(self.sp, m.start(), m.end(), m.start(1))
        return None

    def _from_summary(self, rx: re.Pattern[str]) -> Iterator[re.Match[str]]:
        """Matches of ``rx`` from the summary on, then before it (an older letter's other sentences)."""
        start = self._summary_start()
        yield from rx.finditer(self.sp.text, start)
        yield from rx.finditer(self.sp.text, 0, start)

    def _diagnoses(self, value: list[str]) -> tuple[list[int], int | None] | None:
        for m in self._from_summary(DIAGNOSES):
            if parse_diagnoses(self.sp.text[m.start() :]) == value:
                return self._span(self.sp, m.start(), m.end(), m.start())
        return None

    # ------------------------------------------------------------------ items

    def _item(self, item: dict[str, Any], read: ItemRead) -> Iterator[tuple[str, tuple[list[int], int | None] | None]]:
        request = request_lines_in(self.lines, read.request_lines)
        if item.get("request") and request:
            yield "request", (request, request[0])
        decision = read.decision_lines or decision_lines_in(self.lines, read.request_lines)
        if decision:  # a decision not read: where it should stand
            yield "decision", (decision, decision[-1])
        for path, key in (("claims_administrator_guideline", "ca"), ("reviewer_guideline", "mx")):
            guideline = item.get(path) or {}
            where = read.label_lines.get(key)
            if where and (guideline.get("text") or guideline.get("source")):
                yield path, (where, where[0])


_NUMERIC_DATE = re.compile(r"(\d{1,2})[/-](\d{1,2})[/-](\d{2,4})")


def _may_be(text: str, value: dt.date) -> bool:
    """False when ``text``, a numeric date, plainly is another date (spares the date parser)."""
    m = _NUMERIC_DATE.fullmatch(text.strip())
    if m is None:
        return True
    month, day, year = (int(g) for g in m.groups())
    return month == value.month and day == value.day and year % 100 == value.year % 100


def _named(pattern: str) -> str:
    """A pattern whose first group is a date, with that group named ``date``."""
    return pattern.replace("(" + DATE_RE.pattern + ")", _DATE, 1)
