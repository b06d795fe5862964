"""Per-batch aggregates of the warehouse: what each earlier batch looked like, for drift checks.

Prefect-free and Great-Expectations-free. A :class:`BatchProfile` holds counts only (letters,
items, overturned items, letters per layout, missing values per field, reason codes per file,
days from application to decision): no letter text, no case numbers. The drift checks of
:mod:`expectations.drift` compare a new batch's profile with the profiles of a rolling window of
earlier batches (:func:`batch_history`).

A letter belongs to the batch that loaded it (``letters.batch_id``); a file to the batch that saw
it (``source_files.batch_id``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from imr.outcomes import BatchStatus, FileStatus
from imr.profiles import ITEM_NULL_FIELDS, LETTER_NULL_FIELDS, BatchProfile, days_to_decision
from warehouse import schema as s
from warehouse.batches import as_utc
from warehouse.engine import reading

#: Batches that count as history: finished ones (a failed or running batch is not a baseline).
HISTORY_STATUSES: tuple[str, ...] = (BatchStatus.COMPLETED, BatchStatus.COMPLETED_WITH_QUARANTINE)


def _ocr_counts(conn: Connection, ids: Sequence[str]) -> dict[str, int]:
    """OCR'd letters per batch: the batch's loaded files whose text was read by OCR."""
    F = s.source_files
    stmt = (
        sa.select(F.c.batch_id, sa.func.count())
        .where(F.c.batch_id.in_(ids), F.c.status == FileStatus.LOADED, F.c.ocr.is_(True))
        .group_by(F.c.batch_id)
    )
    counts = {b: 0 for b in ids}
    for b, n in conn.execute(stmt):
        counts[b] = int(n)
    return counts


def _missing(letter: Any, field: str, with_specialty: Collection[str]) -> bool:
    """Whether a ``letters`` row lacks the monitored ``field`` (:data:`LETTER_NULL_FIELDS`): a
    specialty is missing when the letter has no ``reviewer_specialties`` row, the others when
    their column is null."""
    if field == "reviewer_specialty":
        return letter.id not in with_specialty
    return getattr(letter, field) is None


def _profiles(conn: Connection, batches: Sequence[tuple[str, dt.datetime | None]]) -> list[BatchProfile]:
    ids = [b for b, _ in batches]
    if not ids:
        return []
    L, IT, G = s.letters, s.items, s.guideline_citations
    letters: dict[str, list[Any]] = {b: [] for b in ids}
    rows = conn.execute(
        sa.select(
            L.c.id,
            L.c.batch_id,
            L.c.layout,
            L.c.decision_date,
            L.c.application_received,
            L.c.priority,
            L.c.patient_age,
            L.c.patient_sex,
        ).where(L.c.batch_id.in_(ids))
    )
    for r in rows:
        letters[r.batch_id].append(r)
    # items per letter and overturned items per letter
    per_letter: dict[str, tuple[int, int]] = {}
    for lid, n, over in conn.execute(
        sa.select(
            IT.c.letter_id,
            sa.func.count(),
            sa.func.sum(sa.case((IT.c.decision == "overturned", 1), else_=0)),
        )
        .join(L, L.c.id == IT.c.letter_id)
        .where(L.c.batch_id.in_(ids))
        .group_by(IT.c.letter_id)
    ):
        per_letter[lid] = (int(n), int(over or 0))
    with_specialty = set(
        conn.scalars(
            sa.select(s.reviewer_specialties.c.letter_id)
            .join(L, L.c.id == s.reviewer_specialties.c.letter_id)
            .where(L.c.batch_id.in_(ids))
            .distinct()
        )
    )
    # items missing a party's guideline source (no citation row, or a row without a source)
    null_items: dict[str, Counter[str]] = {b: Counter() for b in ids}
    for party, key in (("claims_administrator", ITEM_NULL_FIELDS[0]), ("reviewer", ITEM_NULL_FIELDS[1])):
        g = G.alias(f"g_{party}")
        stmt = (
            sa.select(L.c.batch_id, sa.func.count())
            .select_from(
                IT.join(L, L.c.id == IT.c.letter_id).outerjoin(g, (g.c.item_id == IT.c.id) & (g.c.party == party))
            )
            .where(L.c.batch_id.in_(ids), g.c.source.is_(None))
            .group_by(L.c.batch_id)
        )
        for b, n in conn.execute(stmt):
            null_items[b][key] = int(n)
    # files and their reason codes
    F = s.source_files
    files: Counter[str] = Counter()
    codes: dict[str, Counter[str]] = {b: Counter() for b in ids}
    for batch_of_file, file_codes in conn.execute(
        sa.select(F.c.batch_id, F.c.reason_codes).where(F.c.batch_id.in_(ids))
    ):
        files[batch_of_file] += 1
        codes[batch_of_file].update(set(file_codes or []))
    ocr = _ocr_counts(conn, ids)
    out: list[BatchProfile] = []
    for b, started in batches:
        rows_b = letters[b]
        counts = [per_letter.get(r.id, (0, 0)) for r in rows_b]
        days = tuple(
            d
            for r in rows_b
            if (d := days_to_decision(r.application_received, r.decision_date, r.priority)) is not None
        )
        out.append(
            BatchProfile(
                batch_id=b,
                started_at=as_utc(started),
                letters=len(rows_b),
                items=sum(n for n, _ in counts),
                overturned_items=sum(o for _, o in counts),
                items_per_letter=dict(Counter(n for n, _ in counts)),
                layouts=dict(Counter(r.layout or "unknown" for r in rows_b)),
                null_letters={f: sum(1 for r in rows_b if _missing(r, f, with_specialty)) for f in LETTER_NULL_FIELDS},
                null_items={k: null_items[b].get(k, 0) for k in ITEM_NULL_FIELDS},
                ocr_letters=None if ocr is None else ocr[b],
                files=files[b],
                reason_codes=dict(codes[b]),
                decision_days=days,
            )
        )
    return out


def batch_profile(engine: Engine, batch_id: str) -> BatchProfile:
    """The aggregates of one batch (whatever its status). KeyError for an unknown batch."""
    B = s.ingest_batches
    with reading(engine) as conn:
        started = conn.execute(sa.select(B.c.started_at).where(B.c.id == batch_id)).scalar_one_or_none()
        if started is None:
            raise KeyError(batch_id)
        return _profiles(conn, [(batch_id, started)])[0]


def batch_history(
    engine: Engine,
    before: str | None = None,
    window: int = 30,
    statuses: Iterable[str] = HISTORY_STATUSES,
) -> list[BatchProfile]:
    """Profiles of the ``window`` latest finished batches that loaded at least one letter, newest
    first; with ``before``, only batches started before that batch (which is never included)."""
    B = s.ingest_batches
    with reading(engine) as conn:
        stmt = (
            sa.select(B.c.id, B.c.started_at)
            .where(B.c.status.in_(list(statuses)))
            .where(sa.exists().where(s.letters.c.batch_id == B.c.id))
        )
        if before is not None:
            started = conn.execute(sa.select(B.c.started_at).where(B.c.id == before)).scalar_one_or_none()
            if started is None:
                raise KeyError(before)
            stmt = stmt.where(B.c.started_at < started, B.c.id != before)
        stmt = stmt.order_by(B.c.started_at.desc(), B.c.id.desc()).limit(window)
        batches = [(str(i), t) for i, t in conn.execute(stmt)]
        return _profiles(conn, batches)
