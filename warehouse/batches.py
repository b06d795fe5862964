"""Ingest batches: one row per ingest, rerun or backfill run, with its outcome counts."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from imr.errors import ImrError
from imr.outcomes import COUNT_FIELDS, BatchCounts, BatchStatus
from warehouse.engine import insert_ignoring, reading, transaction
from warehouse.schema import BATCH_KINDS, BATCH_STATUSES, ingest_batches, source_files


def utcnow() -> dt.datetime:
    """Now, in UTC (the warehouse stores every timestamp in UTC)."""
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    """A timestamp read back from the warehouse, made timezone-aware (SQLite drops the zone)."""
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def required_utc(value: dt.datetime | None) -> dt.datetime:
    """:func:`as_utc` of a ``NOT NULL`` timestamp column; raises ``ValueError`` on None."""
    at = as_utc(value)
    if at is None:
        raise ValueError("a NOT NULL timestamp was read back as NULL")
    return at


@dataclass(frozen=True)
class BatchRow:
    """One ingest batch as stored."""

    id: str
    kind: str
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    parent_batch_id: str | None
    flow_run_id: str | None
    inboxes: list[str]
    counts: BatchCounts = field(default_factory=BatchCounts)
    ignored: int = 0
    ignored_reasons: dict[str, int] = field(default_factory=dict)
    owner: dict[str, Any] | None = None  # who runs it: host, boot id, pid, process start, lock
    status_reason: str | None = None  # why it ended so (abandoned, interrupted), or a stop asked


def _row(r: sa.Row[Any]) -> BatchRow:
    m = r._mapping
    return BatchRow(
        id=m["id"],
        kind=m["kind"],
        status=m["status"],
        started_at=required_utc(m["started_at"]),
        finished_at=as_utc(m["finished_at"]),
        parent_batch_id=m["parent_batch_id"],
        flow_run_id=m["flow_run_id"],
        inboxes=list(m["inboxes"] or []),
        counts=BatchCounts.from_mapping(dict(m)),
        ignored=int(m["ignored"] or 0),
        ignored_reasons=dict(m["ignored_reasons"] or {}),
        owner=m["owner"],
        status_reason=m["status_reason"],
    )


def start_batch(
    engine: Engine,
    kind: str,
    inboxes: Sequence[str],
    parent_batch_id: str | None = None,
    flow_run_id: str | None = None,
    batch_id: str | None = None,
    owner: Mapping[str, Any] | None = None,
) -> str:
    """Record a new ``running`` batch and return its id (a new uuid4 unless ``batch_id`` is given).

    Idempotent when ``batch_id`` is given: starting an existing batch again changes nothing and
    returns the same id (a retried flow run resumes its batch). ``owner``: the process running it
    and the lock it holds (``warehouse.runs``), so a dead run is recognised at once. Raises ``ValueError`` for an
    unknown ``kind`` and :class:`imr.errors.WarehouseUnavailableError` when unreachable.
    """
    if kind not in BATCH_KINDS:
        raise ValueError(f"unknown batch kind {kind!r}; expected one of {BATCH_KINDS}")
    bid = batch_id or str(uuid.uuid4())
    row = {
        "id": bid,
        "kind": kind,
        "parent_batch_id": parent_batch_id,
        "started_at": utcnow(),
        "finished_at": None,
        "status": BatchStatus.RUNNING,
        "flow_run_id": flow_run_id,
        "owner": dict(owner) if owner is not None else None,
        "inboxes": [str(i) for i in inboxes],
        **BatchCounts().to_dict(),
    }
    with transaction(engine) as conn:
        insert_ignoring(conn, ingest_batches, [row], keys=["id"])
    return bid


def count_files(conn: Connection, batch_id: str) -> BatchCounts:
    """The counts of a batch computed from its ``source_files`` rows."""
    rows = conn.execute(
        sa.select(source_files.c.status, sa.func.count())
        .where(source_files.c.batch_id == batch_id)
        .group_by(source_files.c.status)
    ).all()
    return BatchCounts.from_statuses({status: int(n) for status, n in rows})


def batch_counts(engine: Engine, batch_id: str) -> BatchCounts:
    """The counts of a batch as its files stand now (from ``source_files``)."""
    with reading(engine) as conn:
        return count_files(conn, batch_id)


def finish_batch(
    engine: Engine,
    batch_id: str,
    status: str,
    counts: BatchCounts | Mapping[str, int] | None = None,
    ignored_reasons: Mapping[str, int] | None = None,
    status_reason: str | None = None,
) -> BatchRow:
    """Close a batch with ``status`` and ``counts``; returns the stored row.

    ``counts``: a :class:`BatchCounts` sets every count; a mapping sets only the counts it
    names; None computes every count from the batch's ``source_files``. ``ignored_reasons``
    (``{reason code: entries}``) records what the run left in its inboxes; ``status_reason`` why
    the batch ended so (an abandoned or interrupted run; None keeps what the row holds).

    Calling it again overwrites status, counts and ``finished_at`` (idempotent for a retry).
    Raises ``ValueError`` for an unknown status, ``KeyError`` for an unknown batch.
    """
    if status not in BATCH_STATUSES:
        raise ValueError(f"unknown batch status {status!r}; expected one of {BATCH_STATUSES}")
    with transaction(engine) as conn:
        if counts is None:
            values = count_files(conn, batch_id).to_dict()
        elif isinstance(counts, BatchCounts):
            values = counts.to_dict()
        else:
            unknown = set(counts) - set(COUNT_FIELDS)
            if unknown:
                raise ValueError(f"unknown batch counts: {sorted(unknown)}")
            values = {k: int(v) for k, v in counts.items()}
        result = conn.execute(
            sa.update(ingest_batches)
            .where(ingest_batches.c.id == batch_id)
            .values(
                status=status,
                finished_at=utcnow(),
                **values,
                **_ignored(ignored_reasons),
                **({"status_reason": status_reason} if status_reason is not None else {}),
            )
        )
        if result.rowcount == 0:
            raise KeyError(f"unknown batch {batch_id}")
        row = conn.execute(sa.select(ingest_batches).where(ingest_batches.c.id == batch_id)).one()
    return _row(row)


def _ignored(reasons: Mapping[str, int] | None) -> dict[str, Any]:
    """The batch columns of the entries its run left in place (nothing when not given)."""
    if reasons is None:
        return {}
    return {"ignored": sum(int(n) for n in reasons.values()), "ignored_reasons": dict(sorted(reasons.items()))}


def get_batch(engine: Engine, batch_id: str) -> BatchRow | None:
    """The batch ``batch_id``, or None when there is no such batch."""
    with reading(engine) as conn:
        row = conn.execute(sa.select(ingest_batches).where(ingest_batches.c.id == batch_id)).first()
    return _row(row) if row is not None else None


def list_batches(engine: Engine, limit: int | None = None) -> list[BatchRow]:
    """Batches, newest first (by ``started_at``, then id); at most ``limit`` when given."""
    stmt = sa.select(ingest_batches).order_by(ingest_batches.c.started_at.desc(), ingest_batches.c.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    with reading(engine) as conn:
        return [_row(r) for r in conn.execute(stmt)]


class UnknownBatchError(ImrError, LookupError):
    """No batch, or more than one, matches an id or prefix."""

    code = "unknown_batch"


def resolve_batch_id(engine: Engine, given: str) -> str:
    """The full id of the batch ``given`` (an id or a unique prefix of one).

    Raises :class:`UnknownBatchError` (one-line message naming ``given``) when no batch or several
    match, :class:`imr.errors.WarehouseUnavailableError` when the warehouse cannot be read.
    """
    with reading(engine) as conn:
        exact = conn.execute(sa.select(ingest_batches.c.id).where(ingest_batches.c.id == given)).scalars().all()
        if exact:
            return str(exact[0])
        pattern = given.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        matches = (
            conn.execute(sa.select(ingest_batches.c.id).where(ingest_batches.c.id.like(pattern, escape="\\")).limit(2))
            .scalars()
            .all()
        )
    if len(matches) != 1:
        what = "no batch" if not matches else "more than one batch"
        raise UnknownBatchError(f"{what} matches {given!r} (see `imr batches`)")
    return str(matches[0])
