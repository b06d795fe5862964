"""How the report writes its numbers: counts as integers, rates to one decimal with ``%``, small bases flagged.

A rate is never shown without its count beside it, and a rate over fewer than :data:`MIN_BASE`
items (or letters, or files) is not shown as a percentage at all: it reads ``n<10``.
"""

from __future__ import annotations

MIN_BASE = 10
SMALL_BASE = f"n<{MIN_BASE}"

#: labels of codes and missing values, shared by tables and charts
GUIDELINE_LABELS: dict[str | None, str] = {
    "mtus": "MTUS",
    "non_mtus": "non-MTUS",
    "mtus_and_non_mtus": "MTUS and non-MTUS",
    "none": "none cited",
    None: "(not stated)",
}
OUTCOME_LABELS: dict[str, str] = {
    "upheld": "upheld",
    "overturned": "overturned",
    "partially_overturned": "partially overturned",
}
PARTY_LABELS: dict[str, str] = {"reviewer": "IMR reviewer", "claims_administrator": "claims administrator (UR)"}


def rate(count: int, base: int) -> float | None:
    """``count / base`` as a fraction, or None when the base is below :data:`MIN_BASE` (or zero)."""
    if base < MIN_BASE or base <= 0:
        return None
    return count / base


def pct(count: int, base: int) -> str:
    """The rate as text: ``"12.3%"``, ``"n<10"`` for a small base, ``"–"`` for an empty one."""
    if base <= 0:
        return "–"
    r = rate(count, base)
    return SMALL_BASE if r is None else f"{100 * r:.1f}%"


def num(value: int | None) -> str:
    """An integer with thousands separators, ``"–"`` for None."""
    return "–" if value is None else f"{value:,}"


def label(value: str | None, missing: str = "(not stated)") -> str:
    """A grouping value as shown: the value itself, or ``missing`` for NULL."""
    return missing if value is None else value
