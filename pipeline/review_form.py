"""The review form of a set-aside letter, as data (Prefect-free): which fields, their kinds and
pre-filled values, the markdown shown above them, and the ``--set`` values an answer stands for.

``tasks.review`` turns :func:`form_fields` into a Prefect ``RunInput`` the UI renders as a form;
the answer goes through :func:`sets_of_answer` to exactly the ``PATH=VALUE`` pairs
``imr review resolve`` takes, so resolving in the UI and on the command line are one thing.

What the form shows is ``IMR_REVIEW_FORM_SHOWS``: by default only the values
in doubt and the lines they were read from (letter text reaches the Prefect UI: keep it small);
``all`` adds every value read; ``codes`` shows reason codes and field paths, no letter text
(:class:`imr.settings.ReviewFormShows`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from imr import field_paths
from imr.models import DECISIONS, PRIORITIES, SEXES, Evidence
from imr.settings import ReviewFormShows as FormShows


class FieldKind(StrEnum):
    """How a form field is typed (and so rendered: a select, a date picker, a number, text)."""

    DECISION = "decision"
    PRIORITY = "priority"
    SEX = "sex"
    DATE = "date"
    INTEGER = "integer"
    TEXT = "text"


#: the choices of the kinds that have them
CHOICES: dict[FieldKind, tuple[str, ...]] = {
    FieldKind.DECISION: DECISIONS,
    FieldKind.PRIORITY: PRIORITIES,
    FieldKind.SEX: SEXES,
}
_DATE_FIELDS = frozenset({"date_assigned", "decision_date", "date_of_injury", "ur_denial_date", "application_received"})
#: a field path of the record: ``decision_date``, ``patient.age``, ``items[2].decision``
_PATH = re.compile(r"^(?:items\[(?P<index>\d+)\]\.)?(?P<name>[a-z_]+(?:\.[a-z_]+)?)$")
#: answers of the form that are not field values
REVIEWER, NOTE, ACTION, REJECT_REASON, MORE = "reviewer", "note", "action", "reject_reason", "more_changes"


class Reviewable(Protocol):
    """What the form needs of a review item (``pipeline.review.ReviewItem``)."""

    @property
    def id(self) -> int: ...
    @property
    def codes(self) -> list[str]: ...
    @property
    def case_number(self) -> str | None: ...
    @property
    def partial(self) -> dict[str, Any]: ...
    @property
    def evidence(self) -> dict[str, Evidence]: ...
    @property
    def doubtful(self) -> list[str]: ...


@dataclass(frozen=True)
class FormField:
    """One field of the form: ``name`` is a Python identifier (``items_1_decision``), ``path`` the
    record's field path it sets, ``initial`` what was read (None: not read)."""

    name: str
    path: str
    kind: FieldKind
    initial: str | None

    @property
    def choices(self) -> tuple[str, ...]:
        return CHOICES.get(self.kind, ())


def kind_of(path: str) -> FieldKind:
    """The kind of a field path (``ValueError`` for something that is not a field path)."""
    m = _PATH.match(path)
    if m is None:
        raise ValueError(f"not a field path: {path!r}")
    name = m.group("name")
    if name == "decision":
        return FieldKind.DECISION
    if name == "priority":
        return FieldKind.PRIORITY
    if name == "patient.sex":
        return FieldKind.SEX
    if name in _DATE_FIELDS:
        return FieldKind.DATE
    if name in ("patient.age", "ordinal"):
        return FieldKind.INTEGER
    return FieldKind.TEXT


def field_name(path: str) -> str:
    """``items[1].decision`` -> ``items_1_decision`` (a form field's identifier)."""
    return re.sub(r"[^0-9a-z]+", "_", path.lower()).strip("_")


def value_at(record: dict[str, Any], path: str) -> Any:
    """The value at ``path`` in a letter dict (None where absent, unread or not a field)."""
    try:
        return field_paths.get(record, path)
    except field_paths.FieldPathError:
        return None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, Mapping):  # a guideline: its text
        return None if value.get("text") is None else str(value["text"])
    return str(value)


def form_fields(item: Reviewable) -> list[FormField]:
    """The form's value fields: one per doubtful path, in the item's order, pre-filled with what
    was read (the reviewer confirms or corrects it)."""
    out: list[FormField] = []
    for path in item.doubtful:
        try:
            kind = kind_of(path)
        except ValueError:
            continue  # a path this version cannot set from a form: the note and more_changes remain
        out.append(FormField(field_name(path), path, kind, _text(value_at(item.partial, path))))
    return out


def _quote(text: str) -> str:
    """Letter text as a markdown code span (no markdown or HTML of its own gets through)."""
    flat = " / ".join(ln.strip() for ln in text.splitlines() if ln.strip())
    ticks = "``" if "`" in flat else "`"
    return f"{ticks} {flat} {ticks}"


def _source(ev: Evidence | None) -> str:
    if ev is None:
        return "no source line recorded"
    where = f"page {ev.page}" + (f", line {ev.line}" if ev.line else "")
    conf = f", OCR confidence {ev.confidence:.2f}" if ev.confidence is not None else ""
    return f"{_quote(ev.text)} ({where}{conf})"


def form_description(item: Reviewable, shows: FormShows, page_link: str | None = None) -> str:
    """The markdown above the form: what set the letter aside, and (unless ``codes``) the values
    in doubt with the lines they were read from; ``all`` lists every value read too."""
    case = f" (case {item.case_number})" if item.case_number else ""
    lines = [
        f"**Review item {item.id}**{case}: set aside for {', '.join(f'`{c}`' for c in item.codes)}.",
        "",
        "Set each value below as the letter states it, enter your name, and submit. "
        "Choose `reject` to keep the letter out of the warehouse (give the reason).",
    ]
    if page_link:
        lines += ["", f"The letter with every value marked on its page: {page_link}"]
    if shows is FormShows.CODES:
        lines += ["", "Values in doubt: " + (", ".join(f"`{p}`" for p in item.doubtful) or "none")]
        return "\n".join(lines)
    lines += ["", "| value in doubt | read | source |", "|---|---|---|"]
    for path in item.doubtful:
        read = _text(value_at(item.partial, path))
        shown = _quote(read) if read is not None else "*not read*"
        lines.append(f"| `{path}` | {shown} | {_source(item.evidence.get(path))} |")
    if shows is FormShows.ALL:
        lines += ["", "| value | read | source |", "|---|---|---|"]
        for path in sorted(item.evidence):
            if path in item.doubtful:
                continue
            read = _text(value_at(item.partial, path))
            shown = _quote(read) if read is not None else "*not read*"
            lines.append(f"| `{path}` | {shown} | {_source(item.evidence.get(path))} |")
    return "\n".join(lines)


def _answer_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    text = str(value).strip()
    return text or None


def more_changes(text: str | None) -> dict[str, str]:
    """``PATH=VALUE`` lines (the form's free-text field for any other correction); ``ValueError``
    names the first line that is not one."""
    out: dict[str, str] = {}
    for raw in re.split(r"\r?\n", text or ""):
        line = raw.strip()
        if not line:
            continue
        path, sep, value = line.partition("=")
        if not sep or not path.strip():
            raise ValueError(f"not PATH=VALUE: {line[:60]!r}")
        out[path.strip()] = value.strip()
    return out


def sets_of_answer(fields: Sequence[FormField], answer: Mapping[str, Any]) -> dict[str, str]:
    """The ``--set`` values of a submitted form: every field with a value, then the
    ``more_changes`` lines (which win for a path given twice). A field left empty sets nothing
    (validation then says what is still missing)."""
    sets: dict[str, str] = {}
    for f in fields:
        value = _answer_text(answer.get(f.name))
        if value is not None:
            sets[f.path] = value
    sets.update(more_changes(answer.get(MORE)))
    return sets


def changed_paths(fields: Iterable[FormField], sets: Mapping[str, str]) -> list[str]:
    """The paths whose value the answer changes from what was read (for the run's log)."""
    initial = {f.path: f.initial for f in fields}
    return [p for p, v in sets.items() if initial.get(p) != v]
