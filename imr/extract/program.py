"""Which program a letter belongs to: DWC workers' compensation IMR, a look-alike, or neither.

DMHC and CDI health-plan IMR letters (also decided by MAXIMUS) share the Upheld/Overturned
vocabulary; utilization review letters share the treatment vocabulary. They are rejected with
their own reason codes before any parsing.
"""

from __future__ import annotations

import re

from imr.errors import NotImrLetterError

_DWC_STRONG = [
    r"\bCM\d{2}-\d{7}\b",
    r"IMR ISSUES,? DECISIONS? AND RATIONALES?",
    r"IMR DECISION\(?S?\)? AND RATIONALE",
    r"HOW THE IMR FINAL DETERMINATION WAS MADE",
    r"Notice of Independent Medical Review Determination",
    r"Claims Administrator guideline",
    r"MEDICAL PROFESSIONAL REVIEW",
]
_DWC_WEAK = [
    r"Independent Medical Review",
    r"\bMAXIMUS\b",
    r"Claims Administrator",
    r"workers'? compensation",
    r"Division of Workers",
    r"\bMTUS\b",
    r"injured worker",
    r"\bIMR\b",
]
_OTHER_PROGRAM = [
    r"Department of Managed Health Care",
    r"\bDMHC\b",
    r"Department of Insurance",
    r"\bCDI\b",
    r"health (?:care )?(?:plan|insurer)(?:'s)? (?:denial|decision)",
    r"Health Insurer",
    r"\benrollee\b",
    r"health plan",
]
_UR = [
    r"utilization review (?:determination|decision|notice|letter)",
    r"notice of (?:utilization review|certification|non-?certification|modification)",
    r"request for authorization",
    r"\bnon-?certif",
    r"peer[- ]to[- ]peer",
    r"physician advisor",
]


def _hits(patterns: list[str], text: str) -> int:
    return sum(1 for p in patterns if re.search(p, text, re.I))


def check_program(text: str) -> None:
    """Raise :class:`NotImrLetterError` (codes ``other_program``, ``utilization_review``,
    ``not_imr_letter``) unless ``text`` is a DWC IMR final determination letter."""
    strong = _hits(_DWC_STRONG, text)
    weak = _hits(_DWC_WEAK, text)
    other = _hits(_OTHER_PROGRAM, text)
    wc = bool(re.search(r"Claims Administrator|workers'? compensation|\bMTUS\b|injured worker|\bCM\d{2}-", text, re.I))
    if other and not wc:
        raise NotImrLetterError(
            "an IMR letter of another program (DMHC or CDI health-plan review), not DWC", code="other_program"
        )
    if strong >= 1 and weak >= 2:
        return
    if strong >= 2:
        return
    # UR letters tell the worker how to apply for IMR, so a mention of IMR does not make one.
    if _hits(_UR, text) >= 1 and strong == 0:
        raise NotImrLetterError("a utilization review letter, not an IMR determination", code="utilization_review")
    if other:
        raise NotImrLetterError(
            "an IMR letter of another program (DMHC or CDI health-plan review), not DWC", code="other_program"
        )
    raise NotImrLetterError("not a DWC IMR final determination letter", code="not_imr_letter")
