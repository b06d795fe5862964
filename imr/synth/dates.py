"""Date choices and date formats for synthetic letters.

Headers print ``MM/DD/YYYY``; narratives mix the four formats seen in real letters
(``10-13-2016``, ``10/13/2016``, ``December 15, 2016``, ``10-13-16``) plus the short
``8/1/13`` form of older letters.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

NARRATIVE_FORMATS: tuple[str, ...] = ("dash4", "slash4", "long", "dash2", "slash_short")


def header_date(d: dt.date) -> str:
    """``11/09/2016``: the form used in header tables."""
    return f"{d.month:02d}/{d.day:02d}/{d.year}"


def short_date(d: dt.date) -> str:
    """``9/26/2013``: the unpadded form of 2013 letters."""
    return f"{d.month}/{d.day}/{d.year}"


def long_date(d: dt.date) -> str:
    """``December 15, 2016``."""
    return f"{d.strftime('%B')} {d.day}, {d.year}"


def narrative_date(d: dt.date, form: str) -> str:
    """``d`` written in one of :data:`NARRATIVE_FORMATS`."""
    if form == "dash4":
        return f"{d.month:02d}-{d.day:02d}-{d.year}"
    if form == "slash4":
        return header_date(d)
    if form == "long":
        return long_date(d)
    if form == "dash2":
        return f"{d.month}-{d.day}-{d.year % 100:02d}"
    if form == "slash_short":
        return f"{d.month}/{d.day}/{d.year % 100:02d}"
    raise ValueError(f"unknown date form {form!r}")


class DateWriter:
    """Writes narrative dates: one fixed form, or a random form per date (``mixed``)."""

    def __init__(self, rng: random.Random, mixed: bool) -> None:
        self._rng = rng
        self._mixed = mixed
        self._form = rng.choice(NARRATIVE_FORMATS[:4])

    def __call__(self, d: dt.date) -> str:
        form = self._rng.choice(NARRATIVE_FORMATS) if self._mixed else self._form
        return narrative_date(d, form)


@dataclass(frozen=True)
class CaseDates:
    """The dates of one case, in their natural order."""

    injury: dt.date
    ur_denial: dt.date
    application: dt.date
    assigned: dt.date
    decision: dt.date
    request: dt.date  # request for authorisation, before the UR decision
    visit: dt.date  # last clinic visit before the request


def case_dates(rng: random.Random, year_range: tuple[int, int]) -> CaseDates:
    """Plausible case dates whose decision falls in ``year_range`` (inclusive)."""
    start = dt.date(year_range[0], 1, 1)
    end = dt.date(year_range[1], 12, 31)
    decision = start + dt.timedelta(days=rng.randrange((end - start).days + 1))
    assigned = decision - dt.timedelta(days=rng.randint(14, 40))
    application = assigned - dt.timedelta(days=rng.randint(1, 20))
    ur_denial = application - dt.timedelta(days=rng.randint(0, 25))
    request = ur_denial - dt.timedelta(days=rng.randint(2, 12))
    visit = request - dt.timedelta(days=rng.randint(0, 10))
    injury = visit - dt.timedelta(days=rng.choice((rng.randint(10, 60), rng.randint(90, 3000))))
    return CaseDates(injury, ur_denial, application, assigned, decision, request, visit)
