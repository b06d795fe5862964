"""The profile of a batch: counts that drift checks compare with earlier batches (no letter text).

What is counted is defined here (the monitored missing fields, the days-to-decision rule); the
profiles are built from the warehouse, the one builder (:mod:`warehouse.history`), and judged by
:mod:`expectations.drift`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: Letter fields whose missing share is monitored: the decision date, the reviewer's specialties
#: (none), the patient's age and sex.
LETTER_NULL_FIELDS: tuple[str, ...] = ("decision_date", "reviewer_specialty", "patient_age", "patient_sex")
#: Item fields whose missing share is monitored (the guideline source of each party).
ITEM_NULL_FIELDS: tuple[str, ...] = ("claims_administrator_guideline_source", "reviewer_guideline_source")


def days_to_decision(
    application_received: dt.date | None, decision_date: dt.date | None, priority: str | None
) -> int | None:
    """Days from the application to the decision of a letter that states both dates and is not
    expedited (an expedited review is decided within days: it would blur the standard ones'
    mean); None otherwise."""
    if application_received is None or decision_date is None or priority == "expedited":
        return None
    return (decision_date - application_received).days


@dataclass(frozen=True)
class BatchProfile:
    """The aggregates of one batch (counts only).

    ``items_per_letter`` maps an item count to the number of letters with that many items;
    ``null_letters`` / ``null_items`` the monitored fields (:data:`LETTER_NULL_FIELDS`,
    :data:`ITEM_NULL_FIELDS`) to the letters / items missing them; ``reason_codes`` a code to the
    files of the batch carrying it; ``decision_days`` the days from application to decision of
    its non-expedited letters that state both dates. ``ocr_letters`` is None when the warehouse
    does not record OCR.
    """

    batch_id: str
    started_at: dt.datetime | None = None
    letters: int = 0
    items: int = 0
    overturned_items: int = 0
    items_per_letter: Mapping[int, int] = field(default_factory=dict)
    layouts: Mapping[str, int] = field(default_factory=dict)
    null_letters: Mapping[str, int] = field(default_factory=dict)
    null_items: Mapping[str, int] = field(default_factory=dict)
    ocr_letters: int | None = None
    files: int = 0
    reason_codes: Mapping[str, int] = field(default_factory=dict)
    decision_days: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (counts only)."""
        return {
            "batch_id": self.batch_id,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "letters": self.letters,
            "items": self.items,
            "overturned_items": self.overturned_items,
            "items_per_letter": {str(k): v for k, v in sorted(self.items_per_letter.items())},
            "layouts": dict(sorted(self.layouts.items())),
            "null_letters": dict(self.null_letters),
            "null_items": dict(self.null_items),
            "ocr_letters": self.ocr_letters,
            "files": self.files,
            "reason_codes": dict(sorted(self.reason_codes.items())),
            "decision_days": list(self.decision_days),
        }
