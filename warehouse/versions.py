"""Versions of a case: the letters of one case number, and which of them counts.

A corrected or amended determination is a later letter of the same case number. Every distinct
letter (distinct bytes) is kept in ``letters``; where it stands among the letters of its case is
``letters.version_status`` and ``letters.superseded_by_letter_id``, a function of the case's
stored rows only (never of the order they arrived in), recomputed by :func:`recompute` inside
every loading transaction, after the new rows are written, for the case numbers it touched:

* letters are grouped by decision date (a letter without one comes before every dated one);
  within a date, letters that agree on what copies of one determination agree on (the dates,
  priority, outcome, each item's request and decision: :func:`determination_key`) are **copies**
  of one determination, whose **original** is the copy with the smallest ``content_sha256``;
* the latest date holding one determination: its original is ``current``;
* the latest date holding several determinations (two letters of one decision date that differ):
  their originals are ``in_review`` (none of the case is current until a person decides; each
  file of such a letter is set aside with ``case_version_conflict``);
* every other letter is ``superseded``: a copy by its original, an original of an earlier date by
  the original with the smallest ``content_sha256`` of the next later date.

Letters without a case number are each their own case: always ``current``.

Loads of letters of one case are serialized: SQLite writes one transaction at a time
(``BEGIN IMMEDIATE``); on PostgreSQL a loading transaction takes a transaction-level advisory
lock per case number (:func:`lock_cases`, in a fixed order) before it reads anything, so two
chunks loading letters of the same case never both decide from a state missing the other's
rows. The partial unique index ``uq_letters_current_case_number`` (one current letter per case)
backs this up.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from warehouse import schema as s
from warehouse.engine import select_in

VersionStatus = Literal["current", "superseded", "in_review"]
CURRENT: VersionStatus = "current"
SUPERSEDED: VersionStatus = "superseded"
IN_REVIEW: VersionStatus = "in_review"

#: the dates copies of one determination agree on, in their natural order
DATE_FIELDS: tuple[str, ...] = (
    "date_of_injury",
    "ur_denial_date",
    "application_received",
    "date_assigned",
    "decision_date",
)

#: the key of the transaction-level advisory locks on case numbers (PostgreSQL; the two-int form,
#: a key space of its own: ``pg_advisory_xact_lock(CASE_LOCK_SPACE, hashtext(case_number))``)
CASE_LOCK_SPACE = 0x494D43  # "IMC"


def request_key(request: object) -> str:
    """A request as copies of one letter agree on it: whitespace collapsed, case folded."""
    return " ".join(str(request).split()).casefold()


def determination_key(
    dates: Sequence[dt.date | None], priority: str | None, outcome: str | None, items: Iterable[tuple[str, str]]
) -> str:
    """What copies of one determination agree on, as a short stable string: the dates of
    :data:`DATE_FIELDS`, priority, outcome and each item's (request, decision), the request with
    whitespace collapsed and case folded (copies addressed to other parties share these)."""
    value = [
        [d.isoformat() if d is not None else None for d in dates],
        priority,
        outcome,
        [[request_key(request), decision] for request, decision in items],
    ]
    return hashlib.sha256(json.dumps(value, separators=(",", ":")).encode()).hexdigest()


@dataclass(frozen=True)
class Version:
    """A stored letter of a case as the rule sees it."""

    id: str
    content_sha256: str
    decision_date: dt.date | None
    key: str  # :func:`determination_key`


@dataclass(frozen=True)
class Standing:
    """Where a letter stands among the letters of its case."""

    status: VersionStatus
    superseded_by: str | None = None  # letter id (None unless superseded)


def _date_order(d: dt.date | None) -> tuple[bool, dt.date]:
    return (d is not None, d or dt.date.min)


def standings(letters: Sequence[Version]) -> dict[str, Standing]:
    """The standing of each letter of ONE case (see the module docstring). Depends on the set of
    letters only, never on their order."""
    if not letters:
        return {}
    by_date: dict[dt.date | None, list[Version]] = defaultdict(list)
    for v in letters:
        by_date[v.decision_date].append(v)
    dates = sorted(by_date, key=_date_order)
    out: dict[str, Standing] = {}
    for n, d in enumerate(dates):
        group = by_date[d]
        originals: dict[str, Version] = {}
        for v in sorted(group, key=lambda v: v.content_sha256):
            original = originals.setdefault(v.key, v)
            if original is not v:
                out[v.id] = Standing(SUPERSEDED, original.id)
        if n + 1 < len(dates):
            successor = min(by_date[dates[n + 1]], key=lambda v: v.content_sha256)
            for v in originals.values():
                out[v.id] = Standing(SUPERSEDED, successor.id)
        else:
            status = CURRENT if len(originals) == 1 else IN_REVIEW
            for v in originals.values():
                out[v.id] = Standing(status)
    return out


def lock_cases(conn: Connection, case_numbers: Iterable[str | None]) -> None:
    """Inside a write transaction, before reading: hold the case numbers' locks to its end
    (PostgreSQL advisory locks, taken in the order of their keys so two transactions never wait
    for each other in a circle; SQLite's write transactions are serialized already)."""
    cases = sorted({c for c in case_numbers if c is not None})
    if not cases or conn.dialect.name != "postgresql":
        return
    stmt = sa.text(
        "SELECT count(pg_advisory_xact_lock(:space, k)) FROM "
        "(SELECT DISTINCT hashtext(c) AS k FROM unnest(CAST(:cases AS text[])) AS c ORDER BY k) AS keys"
    )
    conn.execute(stmt, {"space": CASE_LOCK_SPACE, "cases": cases})


@dataclass
class Recomputed:
    """What :func:`recompute` found for the letters of the given case numbers: each letter as the
    rule sees it (determination keys only where a case has several letters), its case and its
    standing."""

    versions: dict[str, Version]
    case_of: dict[str, str]  # letter id -> case number
    standing: dict[str, Standing]


def _keys(conn: Connection, rows: Sequence[Any]) -> dict[str, str]:
    it = s.items
    items: dict[str, list[tuple[str, str]]] = defaultdict(list)
    stmt = sa.select(it.c.letter_id, it.c.request, it.c.decision).order_by(it.c.letter_id, it.c.ordinal)
    for r in select_in(conn, stmt, it.c.letter_id, [r.id for r in rows]):
        items[r.letter_id].append((r.request, r.decision))
    return {
        r.id: determination_key([r._mapping[f] for f in DATE_FIELDS], r.priority, r.outcome, items.get(r.id, []))
        for r in rows
    }


def recompute(conn: Connection, case_numbers: Iterable[str | None]) -> Recomputed:
    """Inside the loading transaction (cases locked, new rows written): set the standing of every
    letter of these case numbers from the stored rows, writing only the rows that change. Idempotent."""
    cases = sorted({c for c in case_numbers if c is not None})
    lt = s.letters
    cols = [lt.c.id, lt.c.case_number, lt.c.content_sha256, lt.c.version_status, lt.c.superseded_by_letter_id]
    stmt = sa.select(*cols, *(lt.c[f] for f in DATE_FIELDS), lt.c.priority, lt.c.outcome)
    by_case: dict[str, list[Any]] = defaultdict(list)
    for r in select_in(conn, stmt, lt.c.case_number, cases):
        by_case[r.case_number].append(r)
    several = [r for rows in by_case.values() if len(rows) > 1 for r in rows]
    keys = _keys(conn, several) if several else {}
    versions = {
        r.id: Version(r.id, r.content_sha256, r.decision_date, keys.get(r.id, ""))
        for rows in by_case.values()
        for r in rows
    }
    standing: dict[str, Standing] = {}
    for rows in by_case.values():
        standing.update(standings([versions[r.id] for r in rows]))
    stored = {r.id: Standing(r.version_status, r.superseded_by_letter_id) for rows in by_case.values() for r in rows}
    _write(conn, {i: st for i, st in standing.items() if stored[i] != st})
    case_of = {r.id: c for c, rows in by_case.items() for r in rows}
    return Recomputed(versions, case_of, standing)


def _write(conn: Connection, changed: Mapping[str, Standing]) -> None:
    """Write changed standings: first every letter that is not current (so a case never holds two
    current letters, even for a moment: the partial unique index checks each row), then the
    current ones."""
    if not changed:
        return
    lt = s.letters
    stmt = (
        sa.update(lt)
        .where(lt.c.id == sa.bindparam("letter_id"))
        .values(version_status=sa.bindparam("new_status"), superseded_by_letter_id=sa.bindparam("new_by"))
    )
    for phase in (False, True):
        rows = [
            {"letter_id": i, "new_status": st.status, "new_by": st.superseded_by}
            for i, st in sorted(changed.items())
            if (st.status == CURRENT) == phase
        ]
        if rows:
            conn.execute(stmt, rows)


def version_of(standing: Standing, sha_of: Mapping[str, str]) -> dict[str, Any]:
    """The contract's ``version`` object of a letter: ``{"current", "superseded_by"}`` (the sha256
    of the file whose letter replaced it; null for the current letter and for one in review)."""
    by = standing.superseded_by
    return {"current": standing.status == CURRENT, "superseded_by": sha_of[by] if by is not None else None}
