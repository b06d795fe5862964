"""The data-quality expectations of imr-etl, defined as code (no YAML, no GX import here).

Each :class:`ExpectationSpec` names one check with a stable ``name`` (reason code
``dq_<name>``), a ``level`` (``critical``: the letter is quarantined; ``warning``: it loads
and the failure is recorded), the suite it belongs to (letter level or item level), the
Great Expectations class that implements it and that class's arguments. The GX objects are
built lazily by :func:`build_suite`, so listing the expectations costs no GX import.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from expectations import frames as F
from imr.dates import DATE_ORDER
from imr.models import DECISIONS, GUIDELINE_SOURCES, PRIORITIES
from imr.outcomes import Level

LETTER_SUITE = "imr_letters"
ITEM_SUITE = "imr_items"
SUITES: tuple[str, ...] = (LETTER_SUITE, ITEM_SUITE)

CASE_NUMBER_REGEX = r"^CM\d{2}-\d{7}$"
AGE_MIN = 14
AGE_MAX = 100

# Plausibility (critical): what junk with an IMR heading cannot fake.
#: Requests are a few words to a long compound formula (real letters: 9-142 characters).
REQUEST_MIN_CHARS = 3
REQUEST_MAX_CHARS = 500

# Cross-field warnings.
#: A case numbered CMyy is assigned and decided in 20yy or early the next year: months counted
#: from January of 20yy, 0..17 (up to June of 20yy+1). Real letters: CM16 assigned Nov 2016 to
#: Jan 2017, decided Dec 2016 to Feb 2017.
CASE_YEAR_MONTHS_MAX = 17
#: Days from the application (else the assignment) to the decision. Standard reviews are decided
#: about 30 days after the records arrive (real letters: 25-46 days after the application);
#: expedited ones within days (8 CCR 9792.10.6). Beyond these bounds the priority or a date is misread.
STANDARD_TURNAROUND_DAYS = (7, 120)
EXPEDITED_TURNAROUND_DAYS = (0, 21)


@dataclass(frozen=True)
class ExpectationSpec:
    """One named expectation: what it checks, how bad a failure is, and the GX class doing it."""

    name: str
    suite: str
    level: Level
    description: str
    gx_class: str
    kwargs: Mapping[str, Any] = field(default_factory=dict)

    @property
    def reason_code(self) -> str:
        """The reason code a failing letter carries: ``dq_<name>``."""
        return f"dq_{self.name}"

    def build(self) -> Any:
        """The Great Expectations expectation object (imports GX; returns a ``gx.expectations`` instance)."""
        import great_expectations as gx  # lazy: ~6 s import

        cls = getattr(gx.expectations, self.gx_class)
        meta = {"name": self.name, "level": self.level, "description": self.description}
        return cls(**dict(self.kwargs), meta=meta, description=self.description)


def _letter(name: str, level: Level, description: str, gx_class: str, **kwargs: Any) -> ExpectationSpec:
    return ExpectationSpec(name, LETTER_SUITE, level, description, gx_class, kwargs)


def _item(name: str, level: Level, description: str, gx_class: str, **kwargs: Any) -> ExpectationSpec:
    return ExpectationSpec(name, ITEM_SUITE, level, description, gx_class, kwargs)


def _date_specs() -> list[ExpectationSpec]:
    specs = [
        _letter(
            f"{f}_is_date",
            Level.CRITICAL,
            f"{f}, when present, is a real calendar date (YYYY-MM-DD).",
            "ExpectColumnValuesToMatchStrftimeFormat",
            column=f,
            strftime_format="%Y-%m-%d",
        )
        for f in DATE_ORDER
    ]
    for earlier, later in pairwise(DATE_ORDER):
        specs.append(
            _letter(
                f"{later}_not_before_{earlier}",
                Level.WARNING,
                f"{later} is on or after {earlier} (or, when that is absent, the nearest earlier "
                "date of the chain that is present); rows missing either are not compared.",
                "ExpectColumnPairValuesAToBeGreaterThanB",
                column_A=F.parsed(later),
                column_B=F.previous(later),
                or_equal=True,
                ignore_row_if="either_value_is_missing",
            )
        )
    return specs


def _turnaround_spec(priority: str, column: str, days: tuple[int, int]) -> ExpectationSpec:
    """A warning unless a ``priority`` review's ``column`` (days from the application, else the
    assignment, to the decision) is within ``days``."""
    low, high = days
    article = "An" if priority[0] in "aeiou" else "A"
    span = f"within {high} days of" if low == 0 else f"{low}-{high} days after"
    return _letter(
        f"{priority}_turnaround_plausible",
        Level.WARNING,
        f"{article} {priority} review is decided {span} the application (else the assignment).",
        "ExpectColumnValuesToBeBetween",
        column=column,
        min_value=low,
        max_value=high,
    )


#: Every expectation, letter suite first, in the order reason codes are reported.
EXPECTATIONS: tuple[ExpectationSpec, ...] = (
    _letter(
        "case_number_present",
        Level.WARNING,
        "The letter states a case number (older layouts without a header have none).",
        "ExpectColumnValuesToNotBeNull",
        column=F.CASE_NUMBER,
    ),
    _letter(
        "case_number_format",
        Level.CRITICAL,
        "A case number, when present, matches CMyy-nnnnnnn.",
        "ExpectColumnValuesToMatchRegex",
        column=F.CASE_NUMBER,
        regex=CASE_NUMBER_REGEX,
    ),
    *_date_specs(),
    _letter(
        "decision_date_not_in_future",
        Level.CRITICAL,
        "The decision date is not after the validation day.",
        "ExpectColumnValuesToBeBetween",
        column=F.DECISION_DAYS_AHEAD,
        max_value=0,
    ),
    _letter(
        "priority_in_set",
        Level.CRITICAL,
        "Priority, when stated, is standard or expedited.",
        "ExpectColumnValuesToBeInSet",
        column=F.PRIORITY,
        value_set=list(PRIORITIES),
    ),
    _letter(
        "reviewer_has_specialty",
        Level.WARNING,
        "The reviewer has at least one specialty.",
        "ExpectColumnValuesToBeBetween",
        column=F.SPECIALTY_COUNT,
        min_value=1,
    ),
    _letter(
        "patient_age_plausible",
        Level.WARNING,
        f"The patient's age, when stated, is between {AGE_MIN} and {AGE_MAX}.",
        "ExpectColumnValuesToBeBetween",
        column=F.PATIENT_AGE,
        min_value=AGE_MIN,
        max_value=AGE_MAX,
    ),
    _letter(
        "item_count_plausible",
        Level.CRITICAL,
        "The letter has at most IMR_EXTRACT_MAX_ITEMS items: a flood of decision lines is not a letter. "
        "imr ingest's isolated extractor already rejects a longer letter (too_many_items); this catches "
        "records that did not pass through it (extract_file called alone, another extractor).",
        "ExpectColumnValuesToBeBetween",
        column=F.ITEMS_OVER_CAP,
        max_value=0,
    ),
    _letter(
        "determination_heading_found",
        Level.CRITICAL,
        "The extractor recognised the letter's layout from its determination headings (A, B, C, D1, D2; not unknown).",
        "ExpectColumnValuesToBeInSet",
        column=F.LAYOUT,
        value_set=list(F.KNOWN_LAYOUTS),
    ),
    _letter(
        "reviewer_credential_or_rationale_present",
        Level.CRITICAL,
        "The letter shows its expert reviewer: a licensure state, a specialty, or a decision rationale.",
        "ExpectColumnValuesToBeBetween",
        column=F.CREDENTIALS_OR_RATIONALES,
        min_value=1,
    ),
    _letter(
        "decision_date_stated_where_layout_requires",
        Level.CRITICAL,
        "Layouts that always print a decision date (A, C) have one.",
        "ExpectColumnValuesToBeBetween",
        column=F.DECISION_DATE_MISSING,
        max_value=0,
    ),
    _letter(
        "case_year_agrees_with_date_assigned",
        Level.WARNING,
        f"The assignment date lies in the case number's year or the first {CASE_YEAR_MONTHS_MAX - 11} months "
        "of the next (CM16: 2016 to June 2017).",
        "ExpectColumnValuesToBeBetween",
        column=F.CASE_MONTHS_TO_ASSIGNED,
        min_value=0,
        max_value=CASE_YEAR_MONTHS_MAX,
    ),
    _letter(
        "case_year_agrees_with_decision_date",
        Level.WARNING,
        f"The decision date lies in the case number's year or the first {CASE_YEAR_MONTHS_MAX - 11} months "
        "of the next (CM16: 2016 to June 2017).",
        "ExpectColumnValuesToBeBetween",
        column=F.CASE_MONTHS_TO_DECISION,
        min_value=0,
        max_value=CASE_YEAR_MONTHS_MAX,
    ),
    _turnaround_spec("standard", F.STANDARD_TURNAROUND_DAYS, STANDARD_TURNAROUND_DAYS),
    _turnaround_spec("expedited", F.EXPEDITED_TURNAROUND_DAYS, EXPEDITED_TURNAROUND_DAYS),
    _letter(
        "licensure_states_are_us_states",
        Level.WARNING,
        "Every licensure state is a US state, DC or a territory (full name).",
        "ExpectColumnValuesToBeBetween",
        column=F.UNKNOWN_STATE_COUNT,
        max_value=0,
    ),
    _letter(
        "specialties_are_known",
        Level.WARNING,
        "Every reviewer specialty is a known board specialty or reviewer profession "
        "(expectations.credentials), or a combination of them.",
        "ExpectColumnValuesToBeBetween",
        column=F.UNKNOWN_SPECIALTY_COUNT,
        max_value=0,
    ),
    _item(
        "item_request_not_empty",
        Level.CRITICAL,
        "Every item names the disputed request (non-blank).",
        "ExpectColumnValuesToBeBetween",
        column=F.REQUEST_CHARS,
        min_value=1,
    ),
    _item(
        "item_request_length_plausible",
        Level.CRITICAL,
        f"A non-blank request has {REQUEST_MIN_CHARS}-{REQUEST_MAX_CHARS} characters (longer is a "
        "rationale or a page read as one request).",
        "ExpectColumnValuesToBeBetween",
        column=F.REQUEST_LENGTH,
        min_value=REQUEST_MIN_CHARS,
        max_value=REQUEST_MAX_CHARS,
    ),
    _item(
        "item_structure_matches_layout",
        Level.CRITICAL,
        "Every item carries the parts its layout prints: a rationale (B, C, D1, D2) and a guideline line (C, D1, D2).",
        "ExpectColumnValuesToBeBetween",
        column=F.MISSING_ITEM_PARTS,
        max_value=0,
    ),
    _item(
        "item_decision_in_set",
        Level.CRITICAL,
        "Every item decision is upheld or overturned (a missing decision fails).",
        "ExpectColumnValuesToBeInSet",
        column=F.DECISION,
        value_set=list(DECISIONS),
    ),
    _item(
        "claims_administrator_guideline_source_in_set",
        Level.CRITICAL,
        "The claims administrator guideline source, when present, is one of the contract's sources.",
        "ExpectColumnValuesToBeInSet",
        column=F.CA_GUIDELINE_SOURCE,
        value_set=list(GUIDELINE_SOURCES),
    ),
    _item(
        "reviewer_guideline_source_in_set",
        Level.CRITICAL,
        "The reviewer (MAXIMUS) guideline source, when present, is one of the contract's sources.",
        "ExpectColumnValuesToBeInSet",
        column=F.REVIEWER_GUIDELINE_SOURCE,
        value_set=list(GUIDELINE_SOURCES),
    ),
    _item(
        "item_ordinals_unique",
        Level.CRITICAL,
        "No two items of a letter share an ordinal.",
        "ExpectCompoundColumnsToBeUnique",
        column_list=[F.ROW_KEY, F.ORDINAL],
    ),
    _item(
        "item_ordinals_contiguous",
        Level.CRITICAL,
        "The distinct item ordinals of a letter are 1, 2, ..., n (no gap, none below 1).",
        "ExpectColumnPairValuesToBeEqual",
        column_A=F.ORDINAL,
        column_B=F.ORDINAL_RANK,
        ignore_row_if="either_value_is_missing",
    ),
)

BY_NAME: dict[str, ExpectationSpec] = {s.name: s for s in EXPECTATIONS}
if len(BY_NAME) != len(EXPECTATIONS):  # pragma: no cover - a definition bug
    raise RuntimeError("expectation names must be unique")

#: The reason codes data-quality failures add (``dq_<name>``), with their level and meaning.
DQ_REASON_CODES: dict[str, str] = {s.reason_code: f"{s.level}: {s.description}" for s in EXPECTATIONS}


def expectations_of(suite: str) -> tuple[ExpectationSpec, ...]:
    """The expectations of one suite (``LETTER_SUITE`` or ``ITEM_SUITE``), in report order."""
    return tuple(s for s in EXPECTATIONS if s.suite == suite)


def build_suite(suite: str) -> Any:
    """A ``gx.ExpectationSuite`` holding the suite's expectations (imports GX)."""
    import great_expectations as gx  # lazy: ~6 s import

    if suite not in SUITES:
        raise ValueError(f"unknown suite {suite!r}; expected one of {SUITES}")
    return gx.ExpectationSuite(name=suite, expectations=[s.build() for s in expectations_of(suite)])
