"""The evidence of a record as marks on its page: each entry gets an anchor, the row of the values
table it belongs to, and whether its value is in doubt."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from imr.models import Evidence
from imr.show.values import FieldRow, path_row


@dataclass(frozen=True)
class Mark:
    """One evidence entry as the page shows it: a box on a PDF page or a tag on a text line.

    ``anchor`` is its element id (``ev-<n>``), ``row`` the element id of its row in the values
    table (``row-<n>``)."""

    anchor: str
    row: str
    path: str
    evidence: Evidence
    doubtful: bool

    @property
    def title(self) -> str:
        """What hovering the mark says: the field path, the source text and the OCR confidence."""
        return f"{self.path}: {self.evidence.text}" + (
            f" ({confidence_label(self.evidence)})" if self.evidence.confidence is not None else ""
        )


def row_anchor(index: int) -> str:
    """The element id of the values table's row ``index`` (0-based)."""
    return f"row-{index + 1}"


def marks_of(
    evidence: Mapping[str, Evidence] | None, rows: Sequence[FieldRow], doubtful: Collection[str]
) -> list[Mark]:
    """A mark per evidence entry, in the order of the rows they belong to (then of the evidence).

    Every evidence path has a row (:func:`imr.show.values.field_rows` adds one for a path the
    values do not hold), so every entry is marked."""
    index = {id(r): i for i, r in enumerate(rows)}
    placed: list[tuple[int, int, str, Evidence]] = []
    for n, (path, ev) in enumerate((evidence or {}).items()):
        row = path_row(path, rows)
        if row is None:
            raise ValueError(f"no row shows the evidence of {path!r}: build the rows with its path")
        placed.append((index[id(row)], n, path, ev))
    placed.sort(key=lambda p: (p[0], p[1]))
    return [
        Mark(f"ev-{k + 1}", row_anchor(i), path, ev, path in doubtful or rows[i].path in doubtful)
        for k, (i, _n, path, ev) in enumerate(placed)
    ]


def confidence_label(ev: Evidence) -> str:
    """``OCR 87 %`` for evidence OCR read, else an empty string."""
    return f"OCR {round(ev.confidence * 100)} %" if ev.confidence is not None else ""
