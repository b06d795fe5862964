"""The expectation fixtures: a valid record, and one failing case per expectation (shared by the
expectation and quality-gate tests)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from expectations.frames import max_items
from imr.dates import DATE_ORDER
from imr.models import Guideline, Item, Letter, LetterRecord, Patient, RecordError, Reviewer, Source

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2016, 1, 1)
SECRET = "zz-secret-request-text"


#: The dates of a valid letter, in :data:`imr.dates.DATE_ORDER`.
VALID_DATES: dict[str, dt.date] = dict(
    zip(
        DATE_ORDER,
        (dt.date(2012, 3, 1), dt.date(2015, 1, 5), dt.date(2015, 1, 20), dt.date(2015, 1, 25), dt.date(2015, 2, 20)),
        strict=True,
    )
)


def valid_record(n: int) -> LetterRecord:
    """A clean parsed letter with two items (one upheld, one overturned); case number from ``n``."""
    items = [
        Item(1, f"{SECRET} MRI lumbar", "upheld", Guideline("mtus", "MTUS"), Guideline("mtus", "ACOEM"), SECRET),
        Item(2, f"{SECRET} physical therapy", "overturned", Guideline("non_mtus", "ODG"), Guideline("none"), SECRET),
    ]
    letter = Letter(
        case_number=f"CM15-{n:07d}",
        priority="standard",
        reviewer=Reviewer(["California"], ["Physical Medicine and Rehabilitation"]),
        outcome="partially_overturned",
        patient=Patient(age=45, sex="female", occupation=None),
        diagnoses=["lumbar strain"],
        items=items,
        layout="D2",
    )
    for name, value in VALID_DATES.items():
        setattr(letter, name, value)
    return LetterRecord(Source(f"letter-{n}.txt", f"{n:064x}", "text/plain"), "parsed", [], letter)


def rejected_record(n: int) -> LetterRecord:
    """A rejected record (no letter): never validated."""
    return LetterRecord(
        Source(f"reject-{n}.txt", f"{n:064x}", "text/plain"), "rejected", [RecordError("no_items", "none")]
    )


def L(r: LetterRecord) -> Letter:
    assert r.letter is not None
    return r.letter


Mutation = Callable[[list[LetterRecord]], None]


@dataclass(frozen=True)
class Case:
    """Records (built clean, then mutated) that must fail exactly ``expectation`` (plus the
    expectations in ``also`` that the same defect necessarily breaks), all of them."""

    id: str
    expectation: str
    mutate: Mutation
    letters: int = 1
    also: tuple[str, ...] = ()

    def records(self, first: int) -> list[LetterRecord]:
        """The case's ``letters`` records (case numbers from ``first`` on): clean, then mutated."""
        records = [valid_record(first + k) for k in range(self.letters)]
        self.mutate(records)
        return records


def _set(field: str, value: object) -> Mutation:
    def mutate(rs: list[LetterRecord]) -> None:
        setattr(L(rs[0]), field, value)

    return mutate


def _after(earlier: str, later: str) -> Mutation:
    """Move ``earlier`` to the day after ``later``: only the pair (earlier, later) is out of order."""

    def mutate(rs: list[LetterRecord]) -> None:
        later_date = getattr(L(rs[0]), later)
        setattr(L(rs[0]), earlier, later_date + dt.timedelta(days=1))

    return mutate


def _item(index: int, **changes: object) -> Mutation:
    def mutate(rs: list[LetterRecord]) -> None:
        item = L(rs[0]).items[index]
        for k, v in changes.items():
            if k in ("ca_source", "reviewer_source"):
                g = item.claims_administrator_guideline if k == "ca_source" else item.reviewer_guideline
                g.source = v  # type: ignore[assignment]
            else:
                setattr(item, k, v)

    return mutate


def _headerless(rs: list[LetterRecord]) -> None:
    """An older layout without a header: no case number, assignment or application dates."""
    letter = L(rs[0])
    letter.case_number = letter.date_assigned = letter.application_received = letter.priority = None


def _gap_out_of_order(rs: list[LetterRecord]) -> None:
    """No UR date: the application date is then compared with the date of injury (and is earlier)."""
    letter = L(rs[0])
    letter.ur_denial_date = None
    assert letter.application_received is not None
    letter.date_of_injury = letter.application_received + dt.timedelta(days=1)


def _no_specialty(rs: list[LetterRecord]) -> None:
    L(rs[0]).reviewer.specialties.clear()


def _age(age: int) -> Mutation:
    def mutate(rs: list[LetterRecord]) -> None:
        L(rs[0]).patient.age = age

    return mutate


def _future_decision(rs: list[LetterRecord]) -> None:
    """A decision after the validation day, with its application and assignment a few weeks before."""
    letter = L(rs[0])
    letter.application_received, letter.date_assigned = dt.date(2016, 1, 5), dt.date(2016, 1, 8)
    letter.decision_date = dt.date(2016, 2, 1)


def _many_items(n: int) -> Mutation:
    def mutate(rs: list[LetterRecord]) -> None:
        template = L(rs[0]).items[0]
        L(rs[0]).items = [
            Item(
                k,
                f"{SECRET} item {k}",
                "upheld",
                template.claims_administrator_guideline,
                template.reviewer_guideline,
                "r",
            )
            for k in range(1, n + 1)
        ]
        L(rs[0]).outcome = "upheld"

    return mutate


def _nobody_reviewed(rs: list[LetterRecord]) -> None:
    """Layout A prints no rationale: without states and specialties nothing shows a reviewer."""
    letter = L(rs[0])
    letter.layout = "A"
    letter.reviewer = Reviewer([], [])
    for it in letter.items:
        it.rationale = None


def _reviewer(states: list[str], specialties: list[str]) -> Mutation:
    def mutate(rs: list[LetterRecord]) -> None:
        L(rs[0]).reviewer = Reviewer(states, specialties)

    return mutate


def _layout_without_decision_date(layout: str) -> Mutation:
    def mutate(rs: list[LetterRecord]) -> None:
        L(rs[0]).layout = layout
        L(rs[0]).decision_date = None

    return mutate


#: A case's dates in the order it goes through them.
_TIMELINE = ("ur_denial_date", "application_received", "date_assigned", "decision_date")


def _timeline(case_number: str, *dates: dt.date) -> Mutation:
    """The case number, and the first ``len(dates)`` dates of :data:`_TIMELINE`."""

    def mutate(rs: list[LetterRecord]) -> None:
        L(rs[0]).case_number = case_number
        for name, value in zip(_TIMELINE, dates, strict=False):
            setattr(L(rs[0]), name, value)

    return mutate


def _turnaround(priority: str, days: int) -> Mutation:
    def mutate(rs: list[LetterRecord]) -> None:
        letter = L(rs[0])
        letter.priority = priority  # type: ignore[assignment]
        assert letter.decision_date is not None
        letter.application_received = letter.decision_date - dt.timedelta(days=days)
        letter.date_assigned = letter.decision_date - dt.timedelta(days=min(days, 2))
        letter.ur_denial_date = letter.application_received - dt.timedelta(days=3)

    return mutate



CASES: list[Case] = [
    Case("case-number-missing", "case_number_present", _set("case_number", None)),
    Case("headerless-layout", "case_number_present", _headerless),
    Case("case-number-short", "case_number_format", _set("case_number", "CM15-12345")),
    Case("case-number-lowercase", "case_number_format", _set("case_number", "cm15-1234567")),
    *[Case(f"{f}-not-a-date", f"{f}_is_date", _set(f, "2015-02-30")) for f in DATE_ORDER],
    *[
        Case(f"{later}-before-{earlier}", f"{later}_not_before_{earlier}", _after(earlier, later))
        for earlier, later in pairwise(DATE_ORDER)
    ],
    Case(
        "gap-compares-nearest-present-date",
        "application_received_not_before_ur_denial_date",
        _gap_out_of_order,
    ),
    Case("decision-in-future", "decision_date_not_in_future", _future_decision),
    Case("priority-unknown", "priority_in_set", _set("priority", "urgent")),
    Case("reviewer-without-specialty", "reviewer_has_specialty", _no_specialty),
    Case("patient-too-young", "patient_age_plausible", _age(7)),
    Case("patient-too-old", "patient_age_plausible", _age(130)),
    Case("request-blank", "item_request_not_empty", _item(1, request="   ")),
    Case("request-too-short", "item_request_length_plausible", _item(1, request="x")),
    Case("request-too-long", "item_request_length_plausible", _item(0, request="y" * 5000)),
    Case("d2-item-without-rationale", "item_structure_matches_layout", _item(0, rationale=None)),
    Case(
        "d1-item-without-guideline-lines",
        "item_structure_matches_layout",
        _item(1, ca_source=None, reviewer_source=None),
    ),
    Case("too-many-items", "item_count_plausible", _many_items(max_items() + 1)),
    Case("decision-flood", "item_count_plausible", _many_items(2000)),
    Case("no-determination-heading", "determination_heading_found", _set("layout", "unknown")),
    Case(
        "nothing-shows-a-reviewer",
        "reviewer_credential_or_rationale_present",
        _nobody_reviewed,
        also=("reviewer_has_specialty",),
    ),
    Case("layout-a-without-dated", "decision_date_stated_where_layout_requires", _layout_without_decision_date("A")),
    Case(
        "layout-c-without-decision-date",
        "decision_date_stated_where_layout_requires",
        _layout_without_decision_date("C"),
    ),
    Case(
        "assigned-the-year-before-the-case-year",
        "case_year_agrees_with_date_assigned",
        _timeline("CM15-0000777", dt.date(2014, 12, 1), dt.date(2014, 12, 10), dt.date(2014, 12, 20)),
    ),
    Case(
        "case-year-long-after-dates",
        "case_year_agrees_with_date_assigned",
        _set("case_number", "CM16-0000777"),
        also=("case_year_agrees_with_decision_date",),
    ),
    Case(
        "case-year-long-before-dates",
        "case_year_agrees_with_date_assigned",
        _set("case_number", "CM13-0000777"),
        also=("case_year_agrees_with_decision_date",),
    ),
    Case(
        "decided-too-late-for-the-case-year",
        "case_year_agrees_with_decision_date",
        _timeline("CM14-0000777", dt.date(2015, 5, 20), dt.date(2015, 5, 25), dt.date(2015, 6, 1), dt.date(2015, 7, 1)),
    ),
    Case("standard-decided-in-a-year", "standard_turnaround_plausible", _turnaround("standard", 200)),
    Case("standard-decided-next-day", "standard_turnaround_plausible", _turnaround("standard", 1)),
    Case("expedited-decided-in-a-month", "expedited_turnaround_plausible", _turnaround("expedited", 30)),
    Case(
        "licensure-state-misread", "licensure_states_are_us_states", _reviewer(["California", "Board"], ["Neurology"])
    ),
    Case("specialty-misread", "specialties_are_known", _reviewer(["Texas"], ["the injured worker reported pain"])),
    Case("decision-unknown", "item_decision_in_set", _item(1, decision="denied")),
    Case("decision-missing", "item_decision_in_set", _item(0, decision=None)),
    Case("ca-guideline-unknown", "claims_administrator_guideline_source_in_set", _item(0, ca_source="acoem")),
    Case("reviewer-guideline-unknown", "reviewer_guideline_source_in_set", _item(1, reviewer_source="odg")),
    Case("ordinal-duplicate", "item_ordinals_unique", _item(1, ordinal=1)),
    Case("ordinal-gap", "item_ordinals_contiguous", _item(1, ordinal=3)),
    Case("ordinal-zero", "item_ordinals_contiguous", _item(0, ordinal=0)),
]
