"""Records to pandas DataFrames for validation: one row per letter, one row per item.

Both frames carry ``row_key``: the index of the record in the chunk handed to
:func:`letters_frame` / :func:`items_frame`, so a failing row maps back to its letter.
The frames hold no free letter text: only the case number, enumerations, dates, counts and
numbers (a request is reduced to its length), so nothing a validation keeps can leak text.
Missing required enumerations (outcome, item decision) become ``""`` so a set check catches
them; optional fields stay missing (null) and are skipped by the checks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd

from imr.models import LetterRecord, outcome_of

ROW_KEY = "row_key"

# letters frame
CASE_NUMBER = "case_number"
#: The case number where the chunk holds copies of that case that disagree, else null.
CONFLICTING_CASE = "conflicting_case"
#: The dates in the order they must occur: injury, UR denial, application, assignment, decision.
DATE_CHAIN: tuple[str, ...] = (
    "date_of_injury",
    "ur_denial_date",
    "application_received",
    "date_assigned",
    "decision_date",
)
DECISION_DAYS_AHEAD = "decision_days_ahead"
PRIORITY = "priority"
OUTCOME = "outcome"
EXPECTED_OUTCOME = "expected_outcome"
ITEM_COUNT = "item_count"
SPECIALTY_COUNT = "specialty_count"
PATIENT_AGE = "patient_age"

# items frame
ORDINAL = "ordinal"
ORDINAL_RANK = "ordinal_rank"
REQUEST_CHARS = "request_chars"
DECISION = "decision"
CA_GUIDELINE_SOURCE = "claims_administrator_guideline_source"
REVIEWER_GUIDELINE_SOURCE = "reviewer_guideline_source"

_DECISIONS = frozenset({"upheld", "overturned"})


def parsed(date_field: str) -> str:
    """Column of a date field parsed to datetime64 (NaT when missing or not a date)."""
    return f"{date_field}__parsed"


def previous(date_field: str) -> str:
    """Column holding the nearest earlier date of :data:`DATE_CHAIN` that is present."""
    return f"{date_field}__previous"


def validated_indices(records: Sequence[LetterRecord]) -> list[int]:
    """Indices of the records that are validated: status ``parsed`` with a letter."""
    return [i for i, r in enumerate(records) if r.status == "parsed" and r.letter is not None]


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):  # a datetime is not a date field value: keep it visible
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _expected_outcome(decisions: list[Any]) -> str | None:
    if not decisions or any(d not in _DECISIONS for d in decisions):
        return None
    return outcome_of([str(d) for d in decisions])


def content_key(letter: Any) -> tuple[Any, ...]:
    """What copies of one letter must agree on: dates, priority, outcome, item requests and decisions.

    Copies of a case addressed to different parties share these; they are linked to one letter at
    load. Copies that disagree cannot both be right."""
    return (
        tuple(_iso(getattr(letter, f)) for f in DATE_CHAIN),
        letter.priority,
        letter.outcome,
        tuple((" ".join(str(it.request).split()).casefold(), it.decision) for it in letter.items),
    )


def _conflicting_cases(records: Sequence[LetterRecord], indices: Sequence[int]) -> set[str]:
    versions: dict[str, set[tuple[Any, ...]]] = {}
    for i in indices:
        letter = records[i].letter
        if letter is not None and letter.case_number:
            versions.setdefault(letter.case_number, set()).add(content_key(letter))
    return {case for case, keys in versions.items() if len(keys) > 1}


def letters_frame(records: Sequence[LetterRecord], *, today: dt.date | None = None) -> pd.DataFrame:
    """One row per validated letter (see :func:`validated_indices`), keyed by record index.

    ``today`` is the day the decision date must not pass (default: the local date today).
    """
    today = today or dt.date.today()
    rows: list[dict[str, Any]] = []
    indices = validated_indices(records)
    conflicts = _conflicting_cases(records, indices)
    for i in indices:
        letter = records[i].letter
        assert letter is not None
        row: dict[str, Any] = {
            ROW_KEY: i,
            CASE_NUMBER: letter.case_number,
            CONFLICTING_CASE: letter.case_number if letter.case_number in conflicts else None,
            PRIORITY: letter.priority,
            OUTCOME: letter.outcome if letter.outcome is not None else "",
            EXPECTED_OUTCOME: _expected_outcome([it.decision for it in letter.items]),
            ITEM_COUNT: len(letter.items),
            SPECIALTY_COUNT: len(letter.reviewer.specialties),
            PATIENT_AGE: letter.patient.age,
        }
        for f in DATE_CHAIN:
            row[f] = _iso(getattr(letter, f))
        rows.append(row)
    columns = [ROW_KEY, CASE_NUMBER, CONFLICTING_CASE, *DATE_CHAIN, PRIORITY, OUTCOME, EXPECTED_OUTCOME, ITEM_COUNT]
    columns += [SPECIALTY_COUNT, PATIENT_AGE]
    df = pd.DataFrame(rows, columns=columns)
    for c in (CASE_NUMBER, CONFLICTING_CASE, *DATE_CHAIN, PRIORITY, OUTCOME, EXPECTED_OUTCOME):
        df[c] = df[c].astype(object).where(df[c].notna(), None)
    df[ROW_KEY] = df[ROW_KEY].astype("int64")
    df[ITEM_COUNT] = df[ITEM_COUNT].astype("int64")
    df[SPECIALTY_COUNT] = df[SPECIALTY_COUNT].astype("int64")
    df[PATIENT_AGE] = pd.to_numeric(df[PATIENT_AGE], errors="coerce").astype("float64")
    nearest: pd.Series[Any] = pd.Series(pd.NaT, index=df.index, dtype="datetime64[s]")
    for f in DATE_CHAIN:
        col = pd.to_datetime(df[f], format="%Y-%m-%d", errors="coerce").astype("datetime64[s]")
        df[parsed(f)] = col
        df[previous(f)] = nearest
        nearest = col.where(col.notna(), nearest)
    decision = df[parsed("decision_date")]
    ahead = (decision - pd.Timestamp(today)).dt.days
    df[DECISION_DAYS_AHEAD] = ahead.astype("float64")
    return df


def items_frame(records: Sequence[LetterRecord]) -> pd.DataFrame:
    """One row per item of every validated letter; ``row_key`` is the index of its letter's record.

    ``ordinal_rank`` is the dense rank of the ordinal within its letter (1 for the smallest),
    so ordinals are contiguous from 1 exactly when every ordinal equals its rank.
    """
    rows: list[dict[str, Any]] = []
    for i in validated_indices(records):
        letter = records[i].letter
        assert letter is not None
        for it in letter.items:
            request = it.request.strip() if isinstance(it.request, str) else ""
            rows.append(
                {
                    ROW_KEY: i,
                    ORDINAL: it.ordinal,
                    REQUEST_CHARS: len(request),
                    DECISION: it.decision if it.decision is not None else "",
                    CA_GUIDELINE_SOURCE: it.claims_administrator_guideline.source,
                    REVIEWER_GUIDELINE_SOURCE: it.reviewer_guideline.source,
                }
            )
    columns = [ROW_KEY, ORDINAL, REQUEST_CHARS, DECISION, CA_GUIDELINE_SOURCE, REVIEWER_GUIDELINE_SOURCE]
    df = pd.DataFrame(rows, columns=columns)
    for c in (DECISION, CA_GUIDELINE_SOURCE, REVIEWER_GUIDELINE_SOURCE):
        df[c] = df[c].astype(object).where(df[c].notna(), None)
    df[ROW_KEY] = df[ROW_KEY].astype("int64")
    df[REQUEST_CHARS] = df[REQUEST_CHARS].astype("int64")
    df[ORDINAL] = pd.to_numeric(df[ORDINAL], errors="coerce").astype("float64")
    df[ORDINAL_RANK] = df.groupby(ROW_KEY)[ORDINAL].rank(method="dense").astype("float64")
    return df
