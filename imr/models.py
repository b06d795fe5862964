"""The letter record: the contract of ``imr extract`` and ``imr export``.

The dataclasses mirror ``imr/contract/letter-record.schema.json`` (a verbatim copy of the
shared contract). ``LetterRecord.to_dict()`` produces exactly the JSON the contract describes;
``LetterRecord.from_dict()`` reads it back (used by the warehouse round trip and the tests).
Dates are kept as :class:`datetime.date` and written as ISO 8601 strings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, get_args

Decision = Literal["upheld", "overturned"]
Outcome = Literal["upheld", "overturned", "partially_overturned"]
GuidelineSource = Literal["mtus", "non_mtus", "mtus_and_non_mtus", "none"]
Priority = Literal["standard", "expedited"]
Sex = Literal["male", "female"]
MediaType = Literal["application/pdf", "text/plain"]
Status = Literal["parsed", "rejected"]

# Each value set is written once, as the Literal above; these tuples are the same words for code
# that needs them as data (the warehouse's CHECK constraints, the expectations' value sets).
DECISIONS: tuple[Decision, ...] = get_args(Decision)
OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)
GUIDELINE_SOURCES: tuple[GuidelineSource, ...] = get_args(GuidelineSource)
PRIORITIES: tuple[Priority, ...] = get_args(Priority)
SEXES: tuple[Sex, ...] = get_args(Sex)
MEDIA_TYPES: tuple[MediaType, ...] = get_args(MediaType)
RECORD_STATUSES: tuple[Status, ...] = get_args(Status)


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d is not None else None


def _date(s: Any) -> dt.date | None:
    if s is None:
        return None
    if isinstance(s, dt.date):
        return s
    return dt.date.fromisoformat(str(s))


@dataclass
class Guideline:
    """One guideline line of an item (claims administrator's or the reviewer's)."""

    source: GuidelineSource | None = None
    text: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "text": self.text}

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> Guideline:
        d = d or {}
        return cls(source=d.get("source"), text=d.get("text"))


@dataclass
class Item:
    """One disputed item/service and its decision."""

    ordinal: int
    request: str
    decision: Decision
    claims_administrator_guideline: Guideline = field(default_factory=Guideline)
    reviewer_guideline: Guideline = field(default_factory=Guideline)
    rationale: str | None = None
    service_category: str | None = None
    service_subcategory: str | None = None
    drug_class: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "ordinal": self.ordinal,
            "request": self.request,
            "decision": self.decision,
            "claims_administrator_guideline": self.claims_administrator_guideline.to_dict(),
            "reviewer_guideline": self.reviewer_guideline.to_dict(),
            "rationale": self.rationale,
            "service_category": self.service_category,
            "service_subcategory": self.service_subcategory,
            "drug_class": self.drug_class,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Item:
        return cls(
            ordinal=int(d["ordinal"]),
            request=d["request"],
            decision=d["decision"],
            claims_administrator_guideline=Guideline.from_dict(d.get("claims_administrator_guideline")),
            reviewer_guideline=Guideline.from_dict(d.get("reviewer_guideline")),
            rationale=d.get("rationale"),
            service_category=d.get("service_category"),
            service_subcategory=d.get("service_subcategory"),
            drug_class=d.get("drug_class"),
        )


@dataclass
class Reviewer:
    """The expert reviewer: licensure states (full names) and specialties as written."""

    licensure_states: list[str] = field(default_factory=list)
    specialties: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"licensure_states": list(self.licensure_states), "specialties": list(self.specialties)}

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> Reviewer:
        d = d or {}
        return cls(list(d.get("licensure_states") or []), list(d.get("specialties") or []))


@dataclass
class Patient:
    """What the letter states about the injured worker (never a name)."""

    age: int | None = None
    sex: Sex | None = None
    occupation: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"age": self.age, "sex": self.sex, "occupation": self.occupation}

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> Patient:
        d = d or {}
        return cls(age=d.get("age"), sex=d.get("sex"), occupation=d.get("occupation"))


@dataclass
class Letter:
    """A parsed DWC IMR final determination letter."""

    case_number: str | None = None
    date_assigned: dt.date | None = None
    decision_date: dt.date | None = None
    date_of_injury: dt.date | None = None
    ur_denial_date: dt.date | None = None
    application_received: dt.date | None = None
    priority: Priority | None = None
    reviewer: Reviewer = field(default_factory=Reviewer)
    outcome: Outcome = "upheld"
    patient: Patient = field(default_factory=Patient)
    diagnoses: list[str] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    layout: str | None = None
    program: Literal["dwc_imr"] = "dwc_imr"

    def to_dict(self) -> dict[str, Any]:
        return {
            "program": self.program,
            "layout": self.layout,
            "case_number": self.case_number,
            "date_assigned": _iso(self.date_assigned),
            "decision_date": _iso(self.decision_date),
            "date_of_injury": _iso(self.date_of_injury),
            "ur_denial_date": _iso(self.ur_denial_date),
            "application_received": _iso(self.application_received),
            "priority": self.priority,
            "reviewer": self.reviewer.to_dict(),
            "outcome": self.outcome,
            "patient": self.patient.to_dict(),
            "diagnoses": list(self.diagnoses),
            "items": [i.to_dict() for i in self.items],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Letter:
        return cls(
            program=d.get("program", "dwc_imr"),
            layout=d.get("layout"),
            case_number=d.get("case_number"),
            date_assigned=_date(d.get("date_assigned")),
            decision_date=_date(d.get("decision_date")),
            date_of_injury=_date(d.get("date_of_injury")),
            ur_denial_date=_date(d.get("ur_denial_date")),
            application_received=_date(d.get("application_received")),
            priority=d.get("priority"),
            reviewer=Reviewer.from_dict(d.get("reviewer")),
            outcome=d["outcome"],
            patient=Patient.from_dict(d.get("patient")),
            diagnoses=list(d.get("diagnoses") or []),
            items=[Item.from_dict(i) for i in d.get("items") or []],
        )


def outcome_of(decisions: list[str]) -> Outcome:
    """The case outcome implied by item decisions (all upheld, all overturned, or mixed)."""
    s = set(decisions)
    if s == {"overturned"}:
        return "overturned"
    if "overturned" in s:
        return "partially_overturned"
    return "upheld"


@dataclass
class Source:
    """The input file: path as given (or as found relative to its inbox), hash, type, pages, and
    whether its text was read by OCR from page images (``ocr``)."""

    path: str
    sha256: str
    media_type: MediaType
    pages: int | None = None
    ocr: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The fields by name, in order (all plain values): the contract's ``source`` object."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Source:
        return cls(
            path=d["path"],
            sha256=d["sha256"],
            media_type=d["media_type"],
            pages=d.get("pages"),
            ocr=bool(d.get("ocr")),
        )


@dataclass
class RecordError:
    """A stable reason code and a human message (never letter text)."""

    code: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message}


@dataclass
class Evidence:
    """Where one extracted value stands in its file (the contract's ``evidence`` entry).

    ``bbox`` is ``(x0, top, x1, bottom)`` in PDF points from the page's top-left corner
    (pdfplumber's convention; OCR'd pages in the same units), None for a text letter; ``line`` is
    the 1-based line of a text letter (None for a PDF); ``text`` the exact source text;
    ``confidence`` the OCR confidence (0..1) where OCR read it, else None."""

    page: int
    text: str
    bbox: tuple[float, float, float, float] | None = None
    line: int | None = None
    confidence: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "page": self.page,
            "bbox": [round(v, 2) for v in self.bbox] if self.bbox is not None else None,
            "line": self.line,
            "text": self.text,
            "confidence": round(self.confidence, 3) if self.confidence is not None else None,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Evidence:
        box = d.get("bbox")
        return cls(
            page=int(d["page"]),
            text=d["text"],
            bbox=(float(box[0]), float(box[1]), float(box[2]), float(box[3])) if box else None,
            line=d.get("line"),
            confidence=d.get("confidence"),
        )


#: Evidence keyed by field path as in the record: ``case_number``, ``reviewer.specialties``,
#: ``items[0].decision`` (0-based item index), ...
EvidenceMap = dict[str, Evidence]


@dataclass
class Review:
    """A person settled the letter (the contract's ``review`` object)."""

    by: str
    at: dt.datetime
    changed: list[str] = field(default_factory=list)
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        at = self.at if self.at.tzinfo else self.at.replace(tzinfo=dt.UTC)
        return {
            "by": self.by,
            "at": at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
            "note": self.note,
            "changed": list(self.changed),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Review:
        return cls(
            by=d["by"],
            at=dt.datetime.fromisoformat(str(d["at"]).replace("Z", "+00:00")),
            changed=list(d.get("changed") or []),
            note=d.get("note"),
        )


@dataclass
class LetterRecord:
    """One record per input file: what ``imr extract`` prints.

    ``evidence`` is filled only when asked for (``imr extract --evidence``, ingest) and written
    only when not None, so the record without it is unchanged. ``review`` is set on a letter a
    person settled. ``partial`` is what a review item starts from (see below)."""

    source: Source
    status: Status
    errors: list[RecordError] = field(default_factory=list)
    letter: Letter | None = None
    evidence: EvidenceMap | None = None
    review: Review | None = None
    #: For a letter set aside because a value is in doubt: the letter as far as it was read, in
    #: the JSON shape of ``letter`` (``Letter.to_dict()``) with None where a value was not read,
    #: plus ``"_doubtful"``: the field paths in doubt (``["items[1].decision"]``, ``["decision_date"]``).
    #: Filled for ``unresolved_item`` (every item kept in its place, the unread one with
    #: ``decision`` None; ``outcome`` None), ``no_items`` when a header was read (``items`` [],
    #: ``_doubtful`` ``["items"]``), ``ocr_low_confidence`` and ``ocr_check_failed`` (the full letter
    #: when it parsed, its doubtful values kept); None otherwise. With evidence asked for,
    #: ``evidence`` holds the evidence of what was read, keyed by this dict's paths (an unread
    #: decision: where it should stand). Not part of the contract (never in ``to_dict``); the
    #: review queue keeps it (``imr.extract.partial``).
    partial: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "source": self.source.to_dict(),
            "status": self.status,
            "errors": [e.to_dict() for e in self.errors],
            "letter": self.letter.to_dict() if self.letter is not None else None,
        }
        if self.evidence is not None:
            out["evidence"] = {path: ev.to_dict() for path, ev in self.evidence.items()}
        if self.review is not None:
            out["review"] = self.review.to_dict()
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LetterRecord:
        letter = d.get("letter")
        evidence = d.get("evidence")
        review = d.get("review")
        return cls(
            source=Source.from_dict(d["source"]),
            status=d["status"],
            errors=[RecordError(e["code"], e["message"]) for e in d.get("errors") or []],
            letter=Letter.from_dict(letter) if letter else None,
            evidence={k: Evidence.from_dict(v) for k, v in evidence.items()} if evidence is not None else None,
            review=Review.from_dict(review) if review else None,
        )
