"""Export: rebuild the contract record of every loaded letter from the normalized tables.

``source`` is the letter's first file (``path`` = its path relative to its inbox, as found),
``status`` is ``parsed``, ``errors`` are the record's errors as loaded. By default only the
current letter of each case number is exported (:mod:`warehouse.versions`: the latest decision
date; a case in review has none); with ``all_versions`` every letter, each with its standing
(:class:`LetterVersion`, the contract's ``version`` object). Letters come ordered by case number
(letters without one last), then decision date (none first), then content sha256: an order of
the stored letters alone, computed in Python so SQLite and PostgreSQL (whose collations differ)
agree.

A letter a person settled carries the contract's ``review`` object (who, when, the note, the paths
they set); with ``evidence`` the stored evidence comes back as the contract's ``evidence`` object.
:func:`letter_for_case` finds the letter of a case a person looks at (``imr show CASE``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from imr.models import Guideline, Item, Letter, LetterRecord, RecordError, Review, Reviewer, Source
from warehouse import schema as s
from warehouse.batches import required_utc
from warehouse.columns import item_fields, letter_fields
from warehouse.engine import reading
from warehouse.evidence import evidence_of
from warehouse.versions import CURRENT, IN_REVIEW

EXPORT_CHUNK = 500


@dataclass(frozen=True)
class LetterVersion:
    """Where an exported letter stands among the letters of its case number: the contract's
    ``version`` object. A letter that is not current and superseded by none is in review (another
    letter of its case differs on the same decision date)."""

    current: bool
    superseded_by: str | None  # sha256 of the file whose letter replaced this one
    status: str = CURRENT  # current | superseded | in_review (letters.version_status)

    def to_dict(self) -> dict[str, Any]:
        """The contract's ``version`` object: ``{"current", "superseded_by"}``."""
        return {"current": self.current, "superseded_by": self.superseded_by}


def _order(r: Any) -> tuple[Any, ...]:
    return (
        r.case_number is None,
        r.case_number or "",
        r.decision_date is not None,
        r.decision_date or dt.date.min,
        r.content_sha256,
    )


def letter_ids(engine: Engine, *, all_versions: bool = False) -> list[str]:
    """Ids of the current letters (every letter with ``all_versions``) in export order: case
    number (letters without one last), decision date (none first), content sha256."""
    lt = s.letters
    stmt = sa.select(lt.c.id, lt.c.case_number, lt.c.decision_date, lt.c.content_sha256)
    if not all_versions:
        stmt = stmt.where(lt.c.version_status == CURRENT)
    with reading(engine) as conn:
        rows = conn.execute(stmt).all()
    return [r.id for r in sorted(rows, key=_order)]


def export_records(
    engine: Engine, ids: Sequence[str] | None = None, *, all_versions: bool = False, evidence: bool = False
) -> Iterator[LetterRecord]:
    """Yield the record of every current letter (every letter with ``all_versions``, or of
    ``ids``, in that order), read in chunks; with ``evidence``, each with its stored evidence
    (an empty map for a letter stored without).

    Raises :class:`imr.errors.WarehouseUnavailableError` when the warehouse is unreachable.
    """
    for record, _version in export_versions(engine, ids, all_versions=all_versions, evidence=evidence):
        yield record


def export_versions(
    engine: Engine, ids: Sequence[str] | None = None, *, all_versions: bool = True, evidence: bool = False
) -> Iterator[tuple[LetterRecord, LetterVersion]]:
    """Yield ``(record, version)`` of every letter (only current ones unless ``all_versions``; or
    of ``ids``, in that order): what ``imr export --all-versions`` prints, read in chunks (with
    ``evidence``: each record with its stored evidence)."""
    order = list(ids) if ids is not None else letter_ids(engine, all_versions=all_versions)
    for start in range(0, len(order), EXPORT_CHUNK):
        chunk = order[start : start + EXPORT_CHUNK]
        with reading(engine) as conn:
            records = _records(conn, chunk, evidence=evidence)
        for letter_id in chunk:
            if letter_id in records:
                yield records[letter_id]


def export_record(engine: Engine, letter_id: str, *, evidence: bool = False) -> LetterRecord | None:
    """The record of one letter (whatever its standing), or None when there is no such letter."""
    return next(export_records(engine, [letter_id], evidence=evidence), None)


#: which letter of a case :func:`letter_for_case` prefers: the current one, else one in review
_PREFERENCE = {CURRENT: 0, IN_REVIEW: 1}


def letter_for_case(engine: Engine, case_number: str) -> tuple[LetterRecord, str | None] | None:
    """The letter of ``case_number`` a person looks at, with its stored evidence (and review), and
    where its file is now; None when no letter has that case number.

    The current letter of the case, else (a case in review) one in review, else the latest
    superseded one (latest decision date, then smallest content sha256). The file is the letter's
    first file where the ledger says it is (the archive once settled), else another file that
    carries the letter; None when no recorded path of them exists. Raises
    :class:`imr.errors.WarehouseUnavailableError` when the warehouse is down.
    """
    lt, sf = s.letters, s.source_files
    with reading(engine) as conn:
        rows = conn.execute(
            sa.select(lt.c.id, lt.c.version_status, lt.c.decision_date, lt.c.content_sha256, lt.c.first_file_id).where(
                lt.c.case_number == case_number
            )
        ).all()
        if not rows:
            return None
        rows = sorted(rows, key=lambda r: r.content_sha256)
        rows = sorted(rows, key=lambda r: (r.decision_date is not None, r.decision_date or dt.date.min), reverse=True)
        chosen = min(rows, key=lambda r: _PREFERENCE.get(r.version_status, 2))
        files = conn.execute(
            sa.select(sf.c.id, sf.c.current_path)
            .where((sf.c.letter_id == chosen.id) & sf.c.current_path.is_not(None))
            .order_by(sf.c.seen_at, sf.c.id)
        ).all()
        found = _records(conn, [chosen.id], evidence=True)
    paths = [r.current_path for r in files if r.id == chosen.first_file_id] + [r.current_path for r in files]
    where = next((p for p in paths if Path(p).exists()), None)
    if chosen.id not in found:  # pragma: no cover - read in the same transaction
        return None
    return found[chosen.id][0], where


def _ordered(conn: Connection, table: sa.Table, column: str, ids: Sequence[str]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = defaultdict(list)
    stmt = (
        sa.select(table.c.letter_id, table.c[column])
        .where(table.c.letter_id.in_(ids))
        .order_by(table.c.letter_id, table.c.position)
    )
    for letter_id, value in conn.execute(stmt):
        out[letter_id].append(value)
    return out


def _reviews(conn: Connection, ids: Sequence[str]) -> dict[str, Review]:
    t = s.letter_reviews
    out: dict[str, Review] = {}
    for r in conn.execute(sa.select(t).where(t.c.letter_id.in_(ids))):
        at = required_utc(r.reviewed_at)
        out[r.letter_id] = Review(by=r.reviewed_by, at=at, changed=list(r.changed or []), note=r.note)
    return out


def _records(
    conn: Connection, ids: Sequence[str], *, evidence: bool = False
) -> dict[str, tuple[LetterRecord, LetterVersion]]:
    lt, sf = s.letters, s.source_files
    by = lt.alias("superseding")
    heads = conn.execute(
        sa.select(
            lt,
            sf.c.rel_path,
            sf.c.sha256,
            sf.c.media_type,
            sf.c.pages,
            sf.c.ocr,
            by.c.content_sha256.label("superseded_by_sha256"),
        )
        .join(sf, sf.c.id == lt.c.first_file_id)
        .outerjoin(by, by.c.id == lt.c.superseded_by_letter_id)
        .where(lt.c.id.in_(ids))
    ).all()
    specialties = _ordered(conn, s.reviewer_specialties, "specialty", ids)
    states = _ordered(conn, s.reviewer_licensure_states, "state", ids)
    diagnoses = _ordered(conn, s.diagnoses, "diagnosis", ids)
    errors: dict[str, list[RecordError]] = defaultdict(list)
    for letter_id, code, message in conn.execute(
        sa.select(s.letter_errors.c.letter_id, s.letter_errors.c.code, s.letter_errors.c.message)
        .where(s.letter_errors.c.letter_id.in_(ids))
        .order_by(s.letter_errors.c.letter_id, s.letter_errors.c.position)
    ):
        errors[letter_id].append(RecordError(code, message))
    guidelines: dict[tuple[str, str], Guideline] = {}
    for item_id, party, source, text in conn.execute(
        sa.select(s.guideline_citations)
        .join(s.items, s.items.c.id == s.guideline_citations.c.item_id)
        .where(s.items.c.letter_id.in_(ids))
    ):
        guidelines[(item_id, party)] = Guideline(source=source, text=text)
    items: dict[str, list[Item]] = defaultdict(list)
    for r in conn.execute(
        sa.select(s.items).where(s.items.c.letter_id.in_(ids)).order_by(s.items.c.letter_id, s.items.c.ordinal)
    ):
        items[r.letter_id].append(
            Item(
                **item_fields(r._mapping),
                claims_administrator_guideline=guidelines.get((r.id, "claims_administrator"), Guideline()),
                reviewer_guideline=guidelines.get((r.id, "reviewer"), Guideline()),
            )
        )
    reviews = _reviews(conn, ids)
    stored = evidence_of(conn, ids) if evidence else {}
    out: dict[str, tuple[LetterRecord, LetterVersion]] = {}
    for h in heads:
        letter = Letter(
            **letter_fields(h._mapping),
            reviewer=Reviewer(licensure_states=states.get(h.id, []), specialties=specialties.get(h.id, [])),
            diagnoses=diagnoses.get(h.id, []),
            items=items.get(h.id, []),
        )
        record = LetterRecord(
            source=Source(path=h.rel_path, sha256=h.sha256, media_type=h.media_type, pages=h.pages, ocr=bool(h.ocr)),
            status="parsed",
            errors=errors.get(h.id, []),
            letter=letter,
            evidence=stored.get(h.id, {}) if evidence else None,
            review=reviews.get(h.id),
        )
        version = LetterVersion(h.version_status == CURRENT, h.superseded_by_sha256, h.version_status)
        out[h.id] = (record, version)
    return out
