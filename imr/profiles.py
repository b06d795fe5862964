"""The profile of a batch: counts that drift checks compare with earlier batches (no letter text).

Built from the warehouse (:mod:`warehouse.history`) or from records in hand
(:func:`expectations.drift.profile_records`); judged by :mod:`expectations.drift`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: Letter fields whose missing share is monitored (key -> what is missing).
LETTER_NULL_FIELDS: tuple[str, ...] = ("decision_date", "reviewer_specialty", "patient_age", "patient_sex")
#: Item fields whose missing share is monitored (the guideline source of each party).
ITEM_NULL_FIELDS: tuple[str, ...] = ("claims_administrator_guideline_source", "reviewer_guideline_source")


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
