"""Dates as letters write them (10/13/2016, 10-13-16, December 15, 2016, Dec. 15, 2016) to ``date``,
and as a letter typed again may (2016-10-13, 10.13.2016).

Matching is done by :data:`DATE_RE` (only date-shaped text is ever parsed); parsing is delegated to
dateutil. Coercion takes a policy: ``errors="raise"`` (:class:`imr.errors.DateValueError`, which
the header reader turns into a warning on the record) or ``errors="null"`` (return None).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from dateutil import parser as _dateutil

from imr.errors import DateValueError

_MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
#: A date-shaped token: numeric m/d/y or m-d-y (2- or 4-digit year), m.d.yyyy, ISO yyyy-mm-dd (or
#: yyyy/mm/dd), or month-name forms.
DATE_RE = re.compile(
    r"(?<![\d/-])(?:\d{1,2}[/-]\d{1,2}[/-](?:\d{4}|\d{2})(?![\d/])"
    r"|(?<!\.)\d{1,2}\.\d{1,2}\.\d{4}(?![\d/])(?![.-]\d)"
    r"|(?:19|20)\d{2}(?:-\d{1,2}-|/\d{1,2}/)\d{1,2}(?![\d/])(?![.-]\d)"
    rf"|{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}\s+{_MONTHS}\.?,?\s+\d{{4}})",
    re.I,
)

Policy = Literal["raise", "null"]


def parse_date(text: str | None, errors: Policy = "null") -> dt.date | None:
    """Parse one date written in a letter; None (or DateValueError) when it is not a valid date."""
    if text is None:
        return None
    m = DATE_RE.search(text)
    if m is None:
        if errors == "raise":
            raise DateValueError("not a date")
        return None
    token = re.sub(r"(?<=\d)[.-](?=\d)", "/", m.group(0))
    yearfirst = re.match(r"\d{4}/", token) is not None
    try:
        value: dt.date = _dateutil.parse(token, dayfirst=False, yearfirst=yearfirst).date()
    except (ValueError, OverflowError) as exc:
        if errors == "raise":
            raise DateValueError("not a valid date") from exc
        return None
    if not 1900 <= value.year <= 2100:
        if errors == "raise":
            raise DateValueError("date out of range")
        return None
    return value


def find_dates(text: str) -> list[tuple[int, dt.date]]:
    """Every valid date in ``text`` with its character offset, in order."""
    out: list[tuple[int, dt.date]] = []
    for m in DATE_RE.finditer(text):
        d = parse_date(m.group(0))
        if d is not None:
            out.append((m.start(), d))
    return out
