"""Records to pandas DataFrames for validation: one row per letter, one row per item.

Both frames carry ``row_key``: the index of the record in the chunk handed to
:func:`letters_frame` / :func:`items_frame`, so a failing row maps back to its letter.
The frames hold no free letter text: only the case number, enumerations, dates, counts and
numbers (a request is reduced to its length, the reviewer's states and specialties to counts of
unknown ones, the layout to its name), so nothing a validation keeps can leak text.
A missing item decision becomes ``""`` so a set check catches it; optional fields stay missing
(null) and are skipped by the checks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

from expectations.credentials import is_known_specialty, is_us_state
from imr.dates import DATE_ORDER
from imr.models import LetterRecord
from imr.settings import get_settings

ROW_KEY = "row_key"

# letters frame
CASE_NUMBER = "case_number"
DECISION_DAYS_AHEAD = "decision_days_ahead"
PRIORITY = "priority"
#: Items beyond the items-per-letter cap (``IMR_EXTRACT_MAX_ITEMS``): 0 for a letter within it.
ITEMS_OVER_CAP = "items_over_cap"
SPECIALTY_COUNT = "specialty_count"
PATIENT_AGE = "patient_age"
#: The layout (generation) the extractor recognised from the headings: A, B, C, D1, D2 or unknown.
LAYOUT = "layout"
#: Licensure states plus specialties plus items with a rationale: 0 when nothing shows a reviewer.
CREDENTIALS_OR_RATIONALES = "credentials_or_rationales"
#: 1 when the layout always states a decision date and none was read, 0 otherwise.
DECISION_DATE_MISSING = "decision_date_missing"
UNKNOWN_STATE_COUNT = "unknown_state_count"
UNKNOWN_SPECIALTY_COUNT = "unknown_specialty_count"
#: Months from January of the case number's year (CMyy) to a date: 0..11 the same year, 12.. the next.
CASE_MONTHS_TO_ASSIGNED = "case_months_to_date_assigned"
CASE_MONTHS_TO_DECISION = "case_months_to_decision_date"
#: Days from the application (else the assignment) to the decision, by priority (null for the other).
STANDARD_TURNAROUND_DAYS = "standard_turnaround_days"
EXPEDITED_TURNAROUND_DAYS = "expedited_turnaround_days"

# items frame
ORDINAL = "ordinal"
ORDINAL_RANK = "ordinal_rank"
REQUEST_CHARS = "request_chars"
#: The request's length, null when it is blank (blank requests fail item_request_not_empty).
REQUEST_LENGTH = "request_length"
DECISION = "decision"
CA_GUIDELINE_SOURCE = "claims_administrator_guideline_source"
REVIEWER_GUIDELINE_SOURCE = "reviewer_guideline_source"
#: How many of the parts its letter's layout prints with every item are missing (see below).
MISSING_ITEM_PARTS = "missing_item_parts"

#: The layouts the extractor names from a determination heading (imr.extract.sections).
KNOWN_LAYOUTS: tuple[str, ...] = ("A", "B", "C", "D1", "D2")
#: Layouts that always print a decision date (A: "Dated:", C: its header lines). D1/D2 letters
#: may come without their header table (the seeds), B never states one.
LAYOUTS_WITH_DECISION_DATE: frozenset[str] = frozenset({"A", "C"})
#: Layouts whose items always carry a "Decision rationale:" (B's rationale is an unlabelled
#: paragraph the extractor does not keep; A has none).
LAYOUTS_WITH_RATIONALE: frozenset[str] = frozenset({"C", "D1", "D2"})
#: Layouts whose items always carry guideline lines (at least one of the two parties').
LAYOUTS_WITH_GUIDELINES: frozenset[str] = frozenset({"C", "D1", "D2"})


def parsed(date_field: str) -> str:
    """Column of a date field parsed to datetime64 (NaT when missing or not a date)."""
    return f"{date_field}__parsed"


def previous(date_field: str) -> str:
    """Column holding the nearest earlier date of :data:`imr.dates.DATE_ORDER` that is present."""
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


def _case_year(case_number: Any) -> int | None:
    if not isinstance(case_number, str) or len(case_number) < 4 or not case_number[2:4].isdigit():
        return None
    return 2000 + int(case_number[2:4])


def _months_from_case_year(case_year: int | None, value: Any) -> int | None:
    if case_year is None or not isinstance(value, dt.date):
        return None
    return (value.year - case_year) * 12 + value.month - 1


def _turnaround(letter: Any, priority: str) -> int | None:
    if letter.priority != priority or not isinstance(letter.decision_date, dt.date):
        return None
    start = letter.application_received or letter.date_assigned
    if not isinstance(start, dt.date):
        return None
    return (letter.decision_date - start).days


def missing_item_parts(layout: Any, item: Any) -> int:
    """The parts every item of ``layout`` prints that ``item`` lacks: its rationale and its
    guideline lines (layouts C, D1, D2; both parties' sources missing). 0 for layouts A and B,
    an unknown layout, or a complete item."""
    missing = 0
    if layout in LAYOUTS_WITH_RATIONALE and not (isinstance(item.rationale, str) and item.rationale.strip()):
        missing += 1
    if layout in LAYOUTS_WITH_GUIDELINES and (
        item.claims_administrator_guideline.source is None and item.reviewer_guideline.source is None
    ):
        missing += 1
    return missing


_LETTER_COUNTS: tuple[str, ...] = (
    CREDENTIALS_OR_RATIONALES,
    DECISION_DATE_MISSING,
    UNKNOWN_STATE_COUNT,
    UNKNOWN_SPECIALTY_COUNT,
)
_LETTER_NUMBERS: tuple[str, ...] = (
    CASE_MONTHS_TO_ASSIGNED,
    CASE_MONTHS_TO_DECISION,
    STANDARD_TURNAROUND_DAYS,
    EXPEDITED_TURNAROUND_DAYS,
)


def max_items() -> int:
    """The items-per-letter cap: the ``IMR_EXTRACT_MAX_ITEMS`` setting (the extractor's cap)."""
    return get_settings().extract_max_items


def letters_frame(
    records: Sequence[LetterRecord], *, today: dt.date | None = None, cap: int | None = None
) -> pd.DataFrame:
    """One row per validated letter (see :func:`validated_indices`), keyed by record index.

    ``today`` is the day the decision date must not pass (default: the local date today); ``cap``
    the items-per-letter cap (default: :func:`max_items`).
    """
    today = today or dt.date.today()
    cap = max_items() if cap is None else cap
    rows: list[dict[str, Any]] = []
    indices = validated_indices(records)
    for i in indices:
        letter = records[i].letter
        assert letter is not None
        row: dict[str, Any] = {
            ROW_KEY: i,
            CASE_NUMBER: letter.case_number,
            PRIORITY: letter.priority,
            ITEMS_OVER_CAP: max(0, len(letter.items) - cap),
            SPECIALTY_COUNT: len(letter.reviewer.specialties),
            PATIENT_AGE: letter.patient.age,
            LAYOUT: letter.layout,
            CREDENTIALS_OR_RATIONALES: len(letter.reviewer.licensure_states)
            + len(letter.reviewer.specialties)
            + sum(1 for it in letter.items if isinstance(it.rationale, str) and it.rationale.strip()),
            DECISION_DATE_MISSING: int(letter.layout in LAYOUTS_WITH_DECISION_DATE and letter.decision_date is None),
            UNKNOWN_STATE_COUNT: sum(1 for x in letter.reviewer.licensure_states if not is_us_state(str(x))),
            UNKNOWN_SPECIALTY_COUNT: sum(1 for x in letter.reviewer.specialties if not is_known_specialty(str(x))),
            CASE_MONTHS_TO_ASSIGNED: _months_from_case_year(_case_year(letter.case_number), letter.date_assigned),
            CASE_MONTHS_TO_DECISION: _months_from_case_year(_case_year(letter.case_number), letter.decision_date),
            STANDARD_TURNAROUND_DAYS: _turnaround(letter, "standard"),
            EXPEDITED_TURNAROUND_DAYS: _turnaround(letter, "expedited"),
        }
        for f in DATE_ORDER:
            row[f] = _iso(getattr(letter, f))
        rows.append(row)
    columns = [ROW_KEY, CASE_NUMBER, *DATE_ORDER, PRIORITY, ITEMS_OVER_CAP]
    columns += [SPECIALTY_COUNT, PATIENT_AGE, LAYOUT, *_LETTER_COUNTS, *_LETTER_NUMBERS]
    import pandas as pd  # lazy: only the processes that validate need pandas (~65 MB)

    df = pd.DataFrame(rows, columns=columns)
    for c in (CASE_NUMBER, *DATE_ORDER, PRIORITY, LAYOUT):
        df[c] = df[c].astype(object).where(df[c].notna(), None)
    df[ROW_KEY] = df[ROW_KEY].astype("int64")
    df[ITEMS_OVER_CAP] = df[ITEMS_OVER_CAP].astype("int64")
    df[SPECIALTY_COUNT] = df[SPECIALTY_COUNT].astype("int64")
    for c in _LETTER_COUNTS:
        df[c] = df[c].astype("int64")
    for c in _LETTER_NUMBERS:
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
    df[PATIENT_AGE] = pd.to_numeric(df[PATIENT_AGE], errors="coerce").astype("float64")
    nearest: pd.Series[Any] = pd.Series(pd.NaT, index=df.index, dtype="datetime64[s]")
    for f in DATE_ORDER:
        col = pd.to_datetime(df[f], format="%Y-%m-%d", errors="coerce").astype("datetime64[s]")
        df[parsed(f)] = col
        df[previous(f)] = nearest
        nearest = col.where(col.notna(), nearest)
    decision = df[parsed("decision_date")]
    ahead = (decision - pd.Timestamp(today)).dt.days
    df[DECISION_DAYS_AHEAD] = ahead.astype("float64")
    return df


def items_frame(records: Sequence[LetterRecord], *, cap: int | None = None) -> pd.DataFrame:
    """One row per item of every validated letter; ``row_key`` is the index of its letter's record.

    A letter with more items than ``cap`` (default: :func:`max_items`) contributes only its first
    ``cap + 1``: it fails ``item_count_plausible`` (critical) anyway, and a flood of 200,000
    decision lines must not cost a validation of 200,000 rows.

    ``ordinal_rank`` is the dense rank of the ordinal within its letter (1 for the smallest),
    so ordinals are contiguous from 1 exactly when every ordinal equals its rank.
    """
    cap = max_items() if cap is None else cap
    rows: list[dict[str, Any]] = []
    for i in validated_indices(records):
        letter = records[i].letter
        assert letter is not None
        for it in letter.items[: cap + 1]:
            request = it.request.strip() if isinstance(it.request, str) else ""
            rows.append(
                {
                    ROW_KEY: i,
                    ORDINAL: it.ordinal,
                    REQUEST_CHARS: len(request),
                    REQUEST_LENGTH: len(request) if request else None,
                    DECISION: it.decision if it.decision is not None else "",
                    CA_GUIDELINE_SOURCE: it.claims_administrator_guideline.source,
                    REVIEWER_GUIDELINE_SOURCE: it.reviewer_guideline.source,
                    MISSING_ITEM_PARTS: missing_item_parts(letter.layout, it),
                }
            )
    columns = [ROW_KEY, ORDINAL, REQUEST_CHARS, DECISION, CA_GUIDELINE_SOURCE, REVIEWER_GUIDELINE_SOURCE]
    columns += [MISSING_ITEM_PARTS, REQUEST_LENGTH]
    import pandas as pd  # lazy, as in letters_frame

    df = pd.DataFrame(rows, columns=columns)
    for c in (DECISION, CA_GUIDELINE_SOURCE, REVIEWER_GUIDELINE_SOURCE):
        df[c] = df[c].astype(object).where(df[c].notna(), None)
    df[ROW_KEY] = df[ROW_KEY].astype("int64")
    df[REQUEST_CHARS] = df[REQUEST_CHARS].astype("int64")
    df[MISSING_ITEM_PARTS] = df[MISSING_ITEM_PARTS].astype("int64")
    df[REQUEST_LENGTH] = pd.to_numeric(df[REQUEST_LENGTH], errors="coerce").astype("float64")
    df[ORDINAL] = pd.to_numeric(df[ORDINAL], errors="coerce").astype("float64")
    df[ORDINAL_RANK] = df.groupby(ROW_KEY)[ORDINAL].rank(method="dense").astype("float64")
    return df
