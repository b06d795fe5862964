"""Hypothesis strategies for the letter record (:class:`imr.models.LetterRecord`).

Everything generated satisfies the contract (``letter-record.schema.json``): case numbers
``CMnn-nnnnnnn``, lowercase hex sha256, enumerations from :mod:`imr.models`, item ordinals
1..n in order, ``outcome`` consistent with the item decisions. Text is any Unicode a database
can store (no NUL, no lone surrogates).

    parsed_records()      a parsed record with a letter (what the warehouse loads)
    rejected_records()    a rejected record (letter null, at least one error)
    letter_records()      either
"""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from hypothesis import strategies as st

from imr.errors import REASON_CODES
from imr.models import (
    DECISIONS,
    GUIDELINE_SOURCES,
    PRIORITIES,
    Guideline,
    Item,
    Letter,
    LetterRecord,
    Patient,
    RecordError,
    Reviewer,
    Source,
    outcome_of,
)

MEDIA_TYPES: tuple[str, ...] = ("application/pdf", "text/plain")
SEXES: tuple[str, ...] = ("male", "female")

_DIGITS = "0123456789"
T = TypeVar("T")


def texts(min_size: int = 0, max_size: int = 40) -> st.SearchStrategy[str]:
    """Unicode text a database stores as is: no NUL and no surrogate code points."""
    return st.text(
        alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00"),
        min_size=min_size,
        max_size=max_size,
    )


def optional(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    """``strategy`` or None."""
    return st.none() | strategy


sha256s: st.SearchStrategy[str] = st.binary(min_size=32, max_size=32).map(bytes.hex)
case_numbers: st.SearchStrategy[str] = st.builds(
    lambda yy, n: f"CM{yy}-{n}",
    st.text(_DIGITS, min_size=2, max_size=2),
    st.text(_DIGITS, min_size=7, max_size=7),
)
dates: st.SearchStrategy[dt.date] = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2099, 12, 31))
rel_paths: st.SearchStrategy[str] = st.builds(
    lambda parts, ext: "/".join(parts) + ext,
    st.lists(
        st.text("abcdefghijklmnopqrstuvwxyz0123456789_- ", min_size=1, max_size=12), min_size=1, max_size=3
    ),
    st.sampled_from([".pdf", ".txt"]),
)
guidelines: st.SearchStrategy[Guideline] = st.builds(
    Guideline, source=optional(st.sampled_from(GUIDELINE_SOURCES)), text=optional(texts(0, 80))
)
reviewers: st.SearchStrategy[Reviewer] = st.builds(
    Reviewer,
    licensure_states=st.lists(texts(1, 20), max_size=3),
    specialties=st.lists(texts(1, 40), max_size=3),
)
patients: st.SearchStrategy[Patient] = st.builds(
    Patient,
    age=optional(st.integers(min_value=0, max_value=120)),
    sex=optional(st.sampled_from(SEXES)),
    occupation=optional(texts(1, 30)),
)
record_errors: st.SearchStrategy[RecordError] = st.builds(
    RecordError, code=st.sampled_from(sorted(REASON_CODES)), message=texts(1, 60)
)


@st.composite
def items(draw: st.DrawFn, ordinal: int) -> Item:
    """One item with the given ordinal."""
    return Item(
        ordinal=ordinal,
        request=draw(texts(1, 80)),
        decision=draw(st.sampled_from(DECISIONS)),
        claims_administrator_guideline=draw(guidelines),
        reviewer_guideline=draw(guidelines),
        rationale=draw(optional(texts(0, 200))),
        service_category=draw(optional(texts(1, 30))),
        service_subcategory=draw(optional(texts(1, 30))),
        drug_class=draw(optional(texts(1, 30))),
    )


@st.composite
def letters(draw: st.DrawFn, case_number: st.SearchStrategy[str | None] | None = None) -> Letter:
    """A letter with 1..4 items; ``case_number`` overrides the case number strategy."""
    n = draw(st.integers(min_value=1, max_value=4))
    its = [draw(items(i)) for i in range(1, n + 1)]
    return Letter(
        case_number=draw(case_number if case_number is not None else optional(case_numbers)),
        date_assigned=draw(optional(dates)),
        decision_date=draw(optional(dates)),
        date_of_injury=draw(optional(dates)),
        ur_denial_date=draw(optional(dates)),
        application_received=draw(optional(dates)),
        priority=draw(optional(st.sampled_from(PRIORITIES))),
        reviewer=draw(reviewers),
        outcome=outcome_of([i.decision for i in its]),
        patient=draw(patients),
        diagnoses=draw(st.lists(texts(1, 40), max_size=4)),
        items=its,
        layout=draw(
            optional(st.sampled_from(["header_2013", "narrative_2015", "table_2019"]) | texts(1, 20))
        ),
    )


sources: st.SearchStrategy[Source] = st.builds(
    Source,
    path=rel_paths,
    sha256=sha256s,
    media_type=st.sampled_from(MEDIA_TYPES),
    pages=optional(st.integers(min_value=1, max_value=400)),
)


@st.composite
def parsed_records(
    draw: st.DrawFn, case_number: st.SearchStrategy[str | None] | None = None, with_errors: bool = True
) -> LetterRecord:
    """A parsed record (what the warehouse loads); ``with_errors`` allows non-fatal errors."""
    errors = draw(st.lists(record_errors, max_size=2)) if with_errors else []
    return LetterRecord(
        source=draw(sources), status="parsed", errors=errors, letter=draw(letters(case_number=case_number))
    )


@st.composite
def rejected_records(draw: st.DrawFn) -> LetterRecord:
    """A rejected record: no letter, at least one error."""
    return LetterRecord(
        source=draw(sources), status="rejected", errors=draw(st.lists(record_errors, min_size=1, max_size=2))
    )


def letter_records() -> st.SearchStrategy[LetterRecord]:
    """A parsed or a rejected record."""
    return parsed_records() | rejected_records()
