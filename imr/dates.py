"""The order of a letter's dates, defined once.

A case goes through its dates in one order: the injury, the utilization review's denial, the
application for IMR, the assignment to a reviewer, the decision. The expectations check it on
every letter (``<later>_not_before_<earlier>``, warnings) and the OCR checks on a letter read by
OCR (``ocr_check_failed``); both read it from here. The names are ``imr.models.Letter`` fields.
"""

from __future__ import annotations

#: The dates of a letter in the order they must occur (each pair that is present).
DATE_ORDER: tuple[str, ...] = (
    "date_of_injury",
    "ur_denial_date",
    "application_received",
    "date_assigned",
    "decision_date",
)
