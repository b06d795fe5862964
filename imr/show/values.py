"""The values a page shows: a letter (or the part of it that was read) as field path -> value rows.

Field paths are the record's (``case_number``, ``reviewer.specialties``, ``patient.age``,
``items[0].decision``, ...; 0-based item index), the keys of its evidence. A list of words
(specialties, states, diagnoses) is one value; a guideline (``{"source", "text"}``) is one value;
``None`` is a value that was not read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from imr.models import LetterRecord

#: Shown for a value the extractor did not read.
NOT_READ = "not read"
#: Fields every letter carries with a fixed value: not worth a row.
_CONSTANT = frozenset({"program"})
#: The key of the partial letter that lists the field paths in doubt (not a value).
DOUBTFUL_KEY = "_doubtful"


@dataclass(frozen=True)
class FieldRow:
    """One row of the values table: a field path and its value as shown (None: not read)."""

    path: str
    value: str | None


def letter_values(record: LetterRecord) -> dict[str, Any] | None:
    """The letter's values in the contract's JSON shape: the parsed letter, else the partial letter
    of a record set aside (None where a value was not read), else None (nothing was read)."""
    if record.letter is not None:
        return record.letter.to_dict()
    if record.partial is not None:
        return {k: v for k, v in record.partial.items() if k != DOUBTFUL_KEY}
    return None


def doubtful_paths(record: LetterRecord, extra: Iterable[str] = ()) -> set[str]:
    """The field paths in doubt: ``extra`` and those the partial letter lists under ``_doubtful``."""
    listed = (record.partial or {}).get(DOUBTFUL_KEY) or []
    return {str(p) for p in listed} | {str(p) for p in extra}


def field_rows(values: Mapping[str, Any] | None, extra_paths: Iterable[str] = ()) -> list[FieldRow]:
    """The rows of ``values`` in the letter's order; then a row for each of ``extra_paths`` (evidence
    or doubt about a field the values do not hold) that no row covers, its value not read."""
    rows = list(_flatten("", values or {}))
    for path in extra_paths:
        if path_row(path, rows) is None:
            rows.append(FieldRow(path, None))
    return rows


def path_row(path: str, rows: Iterable[FieldRow]) -> FieldRow | None:
    """The row that shows ``path``: the row of that path, else the row of its nearest enclosing
    field (``items[0].reviewer_guideline.source`` -> ``items[0].reviewer_guideline``), else the
    first row of a field it encloses (``items[0]`` -> ``items[0].ordinal``), else None."""
    rows = list(rows)
    by_path = {r.path: r for r in rows}
    probe = path
    while probe:
        if probe in by_path:
            return by_path[probe]
        probe = _parent(probe)
    return next((r for r in rows if r.path.startswith((f"{path}.", f"{path}["))), None)


def rows_in_doubt(rows: Iterable[FieldRow], doubtful: Iterable[str]) -> set[str]:
    """The paths of the rows that show a field in doubt (see :func:`path_row`)."""
    rows = list(rows)
    found = (path_row(p, rows) for p in doubtful)
    return {r.path for r in found if r is not None}


def _parent(path: str) -> str:
    cut = max(path.rfind("."), path.rfind("["))
    return path[:cut] if cut > 0 else ""


def _flatten(prefix: str, value: Any) -> Iterable[FieldRow]:
    if isinstance(value, Mapping) and not _is_guideline(value):
        for key, sub in value.items():
            if not prefix and key in _CONSTANT:
                continue
            yield from _flatten(f"{prefix}.{key}" if prefix else str(key), sub)
    elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
        for i, sub in enumerate(value):
            yield from _flatten(f"{prefix}[{i}]", sub)
    else:
        yield FieldRow(prefix, shown(value))


def _is_guideline(value: Mapping[str, Any]) -> bool:
    return set(value) == {"source", "text"}


def shown(value: Any) -> str | None:
    """A value as one line of text (None when not read): lists joined by ``; ``, a guideline as
    ``source: text``, an empty list as ``none``."""
    if value is None:
        return None
    if isinstance(value, Mapping) and _is_guideline(value):
        if value.get("source") is None and value.get("text") is None:
            return None
        return ": ".join(str(v) for v in (value.get("source"), value.get("text")) if v is not None)
    if isinstance(value, list):
        return "; ".join(str(v) for v in value) if value else "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
