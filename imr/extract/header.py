"""Letter-level dates, case number and priority: from the page-1 header where there is one,
otherwise from the letter's sentences (layout A's procedural sentence, the case summary)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import Field, dataclass, field, fields
from typing import Any

from imr.errors import DateValueError
from imr.extract.dates import DATE_RE, find_dates, parse_date

CASE_RE = re.compile(r"\bCM\d{2}-\d{7}\b")

#: A priority word ('Urgent' is expedited, 'Regular' standard).
PRIORITY_RE = re.compile(r"\b(Standard|Expedited|Urgent|Regular)\b", re.I)


def _label(printed: str, pattern: str) -> dict[str, str]:
    """A header field's metadata: its label as printed in layout D (``printed``) and the regex of
    the label's text forms (``pattern``; the value follows it)."""
    return {"label": printed, "pattern": pattern}


@dataclass
class HeaderFields:
    """The letter-level header fields: the one list of them. Each field's metadata holds its
    printed label (PDF geometry pairs by it) and the regex of its text forms; the field names are
    :class:`imr.models.Letter` attributes, so a header copies onto a letter by name."""

    case_number: str | None = field(default=None, metadata=_label("Case Number", r"Case\s+(?:Number|No\.?|#)\s*:"))
    date_assigned: dt.date | None = field(default=None, metadata=_label("Date Assigned", r"Date\s+Assigned\s*:"))
    date_of_injury: dt.date | None = field(default=None, metadata=_label("Date of Injury", r"Date\s+of\s+Injury\s*:"))
    decision_date: dt.date | None = field(default=None, metadata=_label("Decision Date", r"Decision\s+Date\s*:"))
    ur_denial_date: dt.date | None = field(
        default=None,
        metadata=_label(
            "UR Denial Date",
            r"UR\s+(?:Denial\s+|Decision\s+)?Date\s*:|Utilization\s+Review\s+(?:Denial|Decision)\s+Date\s*:|"
            r"Date\s+of\s+(?:the\s+)?(?:UR|Utilization\s+Review)\s+(?:Decision|Denial|Determination)\s*:",
        ),
    )
    priority: str | None = field(default=None, metadata=_label("Priority", r"Priority\s*:"))
    application_received: dt.date | None = field(
        default=None,
        metadata=_label("Application Received", r"Application\s+Received\s*:|Date\s+Application\s+Received\s*:"),
    )

    #: fields whose printed value was date-shaped but not a date (warnings when they stay empty)
    unreadable: list[str] = field(default_factory=list, repr=False, compare=False)

    def values(self) -> dict[str, Any]:
        """Field name -> value, for copying onto a :class:`~imr.models.Letter`."""
        return {f.name: getattr(self, f.name) for f in header_fields()}

    def unreadable_fields(self) -> list[str]:
        """Fields with an unreadable value that no other source filled, in table order."""
        return [f.name for f in header_fields() if f.name in self.unreadable and getattr(self, f.name) is None]


def header_fields() -> tuple[Field[Any], ...]:
    """The header fields (those with a label), in table order."""
    return tuple(f for f in fields(HeaderFields) if "label" in f.metadata)


#: header field -> label regex (text form); the label's value follows it
LABEL_PATTERNS: dict[str, str] = {f.name: f.metadata["pattern"] for f in header_fields()}
#: printed label -> header field
GEOMETRY_NAMES: dict[str, str] = {f.metadata["label"]: f.name for f in header_fields()}


def label_tokens() -> dict[str, tuple[str, ...]]:
    """Printed labels as word sequences, the last word carrying the colon ('Date', 'Assigned:')."""
    out: dict[str, tuple[str, ...]] = {}
    for label in GEOMETRY_NAMES:
        *head, last = label.split()
        out[label] = (*head, last + ":")
    return out


def priority_value(text: str | None) -> str | None:
    """'standard' or 'expedited' from a header value."""
    if not text:
        return None
    m = PRIORITY_RE.search(text)
    if not m:
        return None
    return "expedited" if m.group(1).lower() in ("expedited", "urgent") else "standard"


def _set(h: HeaderFields, name: str, raw: str) -> None:
    if getattr(h, name) is not None:
        return
    if name == "case_number":
        m = CASE_RE.search(raw.upper())
        h.case_number = m.group(0) if m else None
    elif name == "priority":
        h.priority = priority_value(raw)
    else:
        try:
            setattr(h, name, parse_date(raw, errors="raise"))
        except DateValueError:
            h.unreadable.append(name)


def header_from_geometry(fields: dict[str, str]) -> HeaderFields:
    """Header values paired by position on page 1 (PDF)."""
    h = HeaderFields()
    for label, raw in fields.items():
        name = GEOMETRY_NAMES.get(label)
        if name:
            _set(h, name, raw)
    return h


def header_from_lines(lines: Sequence[str], h: HeaderFields | None = None) -> HeaderFields:
    """Header values from text lines; fills only fields still missing in ``h``.

    Handles values on the label's line ('Date Assigned: 11/09/2016'), wrapped labels
    ('Application 11/03/2016 Received:') and the order some extractors emit: all labels first,
    then all values (paired in order).
    """
    h = h or HeaderFields()
    text = _table_typed_again("\n".join(ln for ln in lines if ln))
    hits: list[tuple[int, int, str]] = []
    for name, rx in LABEL_PATTERNS.items():
        for m in re.finditer(rx, text, re.I):
            hits.append((m.start(), m.end(), name))
    hits.sort()
    # A wrapped 'Application <date> Received:' label.
    m_app = re.search(r"Application\s+(" + DATE_RE.pattern + r")\s+Received\s*:", text, re.I)
    if m_app:
        _set(h, "application_received", m_app.group(1))
    unpaired: list[str] = []
    for k, (_start, end, name) in enumerate(hits):
        nxt = hits[k + 1][0] if k + 1 < len(hits) else len(text)
        value = text[end:nxt].strip()
        if name == "application_received" and m_app and not value:
            continue
        if value and _value_fits(name, value):
            _set(h, name, value)
        else:
            unpaired.append(name)
    if unpaired:
        # All labels first, then all values: pair the leftover values in label order.
        tail = text[hits[-1][1] :] if hits else ""
        values = _value_tokens(tail)
        for name, value in zip([n for n in unpaired if getattr(h, n) is None], values, strict=False):
            if _value_fits(name, value):
                _set(h, name, value)
    return h


#: A header value's start: a case number, a date or a priority word.
_VALUE_START = r"(?:CM\d{2}-\d{7}|" + DATE_RE.pattern + r"|(?:Standard|Expedited|Urgent|Regular)\b)"
#: A printed label without its colon, right before a value ('Date Assigned<TAB>11/09/2016').
_BARE_LABEL = re.compile(
    r"(?<![\w:])("
    + "|".join(r"\s+".join(label.split()) for label in GEOMETRY_NAMES)
    + r")(?!\s*:)\s+(?="
    + _VALUE_START
    + ")",
    re.I,
)


def _table_typed_again(text: str) -> str:
    """The header as a table typed again reads as the printed one: cell rules ('| Case Number: |
    CM16-... |') are spaces, and a printed label without its colon right before a value of its kind
    ('Date Assigned 11/09/2016') gets its colon."""
    text = re.sub(r"[ \t]*\|[ \t]*", "  ", text)
    return _BARE_LABEL.sub(lambda m: m.group(1) + ": ", text)


def _value_fits(name: str, value: str) -> bool:
    first = value.split("\n", 1)[0]
    if name == "case_number":
        return bool(CASE_RE.search(first.upper()))
    if name == "priority":
        return priority_value(first) is not None
    if DATE_RE.match(first.strip()):
        return True
    # a date wrapped after its day ('January 6,' / '2017'): the first line starts it
    two = " ".join(value.split("\n", 2)[:2]).strip()
    m = DATE_RE.match(two)
    return m is not None and m.end() > len(first.strip())


def _value_tokens(text: str) -> list[str]:
    rx = re.compile(r"CM\d{2}-\d{7}|" + DATE_RE.pattern + r"|\b(?:Standard|Expedited|Urgent)\b", re.I)
    return [m.group(0) for m in rx.finditer(text)]


# ---- dates stated in sentences (layouts without a header) --------------------------------------

#: The phrases that state a date of injury in a sentence (the date follows).
INJURY_PATTERNS = [
    r"(?:sustained|suffered|incurred|reported|had)\s+(?:an?\s+)?(?:[\w-]+\s+){0,3}injur(?:y|ies)\s+(?:on|dated)\s+",
    r"date\s+of\s+injury\s*(?:of|was|is|:)?\s*",
    r"\binjured\s+(?:at\s+work\s+)?on\s+",
    r"\bDOI\s*:?\s*",
]
#: What a sentence reporting the utilization review's action says.
UR_SENTENCE = re.compile(r"utilization review|\bUR\b|non-?certif|modif(?:ied|ication)|\bdenied\b|\bdenial\b", re.I)


def injury_date_from_text(text: str) -> dt.date | None:
    """Date of injury from a narrative sentence ('sustained an injury on 8/1/13')."""
    for rx in INJURY_PATTERNS:
        m = re.search(rx + "(" + DATE_RE.pattern + ")", text, re.I)
        if m:
            return parse_date(m.group(1))
    return None


#: The explicit form of the UR decision's date ('Utilization Review Denial dated <date>').
UR_DATED = r"Utilization\s+Review\s+(?:Denial|Decision|Determination|Modification)\s+dated\s+(" + DATE_RE.pattern + ")"


def ur_date_from_text(text: str) -> dt.date | None:
    """Date of the utilization review decision from the letter's sentences: the explicit
    'Utilization Review Denial dated X' form first, else the last summary sentence that reports
    the UR action with a date."""
    m = re.search(UR_DATED, text, re.I)
    if m:
        return parse_date(m.group(1))
    found: dt.date | None = None
    for sentence in re.split(r"(?<=[.;])\s+(?=[A-Z])", text):
        if UR_SENTENCE.search(sentence) and not re.search(r"\binjur", sentence, re.I):
            dates = find_dates(sentence)
            if dates:
                found = dates[0][1]
    return found


#: Layout A's sentences that state header dates (the date is group 1).
A_LAYOUT_PATTERNS: dict[str, str] = {
    "decision_date": r"\bDated:?\s*(" + DATE_RE.pattern + ")",
    "application_received": r"application for Independent Medical Review was (?:filed|received) on\s+("
    + DATE_RE.pattern
    + ")",
    "date_assigned": r"Notice of Assignment(?: and Request for Information)? was (?:provided|sent|mailed)"
    r"(?: to the (?:above )?parties)? on\s+(" + DATE_RE.pattern + ")",
}


def a_layout_dates(text: str, h: HeaderFields) -> HeaderFields:
    """Layout A: 'Dated:', 'application ... was filed on', 'Notice of Assignment ... on'."""
    for name, rx in A_LAYOUT_PATTERNS.items():
        m = re.search(rx, text, re.I)
        if m:
            _set(h, name, m.group(1))
    return h


#: A line that starts 'Dated:' (the date is group 1).
DATED_LINE = re.compile(r"^\s*Dated\s*:\s*(" + DATE_RE.pattern + ")", re.I)


def dated_line(lines: Sequence[str]) -> dt.date | None:
    """The date of a line that starts ``Dated:`` (the letter's own date: layouts A and C print it
    under the title), never a 'dated <date>' inside a sentence."""
    for line in lines:
        m = DATED_LINE.match(line)
        if m:
            return parse_date(m.group(1))
    return None
