"""File claims: two runs on the same inbox and warehouse process each file once.

Before a run registers a file it *claims* it: a row in ``file_claims`` keyed by the file's
identity (sha256, inbox, rel_path), naming the run's batch and an expiry. The claim is taken in
one statement (``INSERT ... ON CONFLICT DO UPDATE ... WHERE ... RETURNING``, the same on SQLite
and PostgreSQL), so of two runs racing for a file exactly one gets it. An existing claim is taken
over only when it is the caller's own, has expired (its run was killed: nobody renewed it), or
belongs to a batch that is no longer ``running`` (the run finished or failed). A run renews its
claims while it works (:func:`renew_claims`) and releases them at its end (:func:`release_claims`).

Timestamps are UTC, written by the claiming process (the hosts of concurrent runs are assumed to
keep their clocks within a fraction of the expiry).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.sql.dml import ReturningInsert

from imr.outcomes import BatchStatus
from warehouse.batches import as_utc, utcnow
from warehouse.engine import reading, transaction
from warehouse.schema import file_claims, ingest_batches

#: A file's identity in the ledger: ``(sha256, inbox, rel_path)``.
ClaimKey = tuple[str, str, str]

@dataclass(frozen=True)
class Claim:
    """One claim as stored."""

    sha256: str
    inbox: str
    rel_path: str
    batch_id: str
    claimed_at: dt.datetime
    expires_at: dt.datetime

    @property
    def key(self) -> ClaimKey:
        return (self.sha256, self.inbox, self.rel_path)


def _claim_statement(engine: Engine, now: dt.datetime) -> ReturningInsert[Any]:
    """``INSERT ON CONFLICT (key) DO UPDATE ... WHERE <takeable> RETURNING key`` for this dialect
    (executed with many rows: SQLAlchemy batches them into multi-row statements, compiled once)."""
    t = file_claims
    finished = sa.select(ingest_batches.c.id).where(ingest_batches.c.status != BatchStatus.RUNNING)
    key = [t.c.sha256, t.c.inbox, t.c.rel_path]
    dialects: dict[str, Any] = {"postgresql": postgresql, "sqlite": sqlite}
    dialect = dialects.get(engine.dialect.name)
    if dialect is not None:
        stmt = dialect.insert(t)
        ex = stmt.excluded
        return stmt.on_conflict_do_update(  # type: ignore[no-any-return]
            index_elements=key,
            set_={"batch_id": ex.batch_id, "claimed_at": ex.claimed_at, "expires_at": ex.expires_at},
            where=(t.c.batch_id == ex.batch_id) | (t.c.expires_at < now) | t.c.batch_id.in_(finished),
        ).returning(*key)
    raise NotImplementedError(f"file claims need ON CONFLICT (SQLite or PostgreSQL), not {engine.dialect.name}")


def claim_files(
    engine: Engine, batch_id: str, keys: Iterable[ClaimKey], ttl_seconds: float, *, now: dt.datetime | None = None
) -> set[ClaimKey]:
    """Claim ``keys`` for ``batch_id`` for ``ttl_seconds``; returns the keys this batch now holds.

    A key is held when it was free, already this batch's, expired, or claimed by a batch that is
    no longer running; otherwise another run works on it and it is not returned. One transaction
    (the rows go in multi-row statements). Raises :class:`imr.errors.WarehouseUnavailableError` when unreachable.
    """
    now = now or utcnow()
    expires = now + dt.timedelta(seconds=ttl_seconds)
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return set()
    rows = [
        {"sha256": s, "inbox": i, "rel_path": r, "batch_id": batch_id, "claimed_at": now, "expires_at": expires}
        for s, i, r in wanted
    ]
    with transaction(engine) as conn:
        return {(r[0], r[1], r[2]) for r in conn.execute(_claim_statement(engine, now), rows)}


def renew_claims(engine: Engine, batch_id: str, ttl_seconds: float, *, now: dt.datetime | None = None) -> int:
    """Push the expiry of every claim of ``batch_id`` to now + ``ttl_seconds``; returns how many.

    Call it between chunks of a long run, so its claims never expire while it works.
    """
    expires = (now or utcnow()) + dt.timedelta(seconds=ttl_seconds)
    stmt = sa.update(file_claims).where(file_claims.c.batch_id == batch_id).values(expires_at=expires)
    with transaction(engine) as conn:
        return int(conn.execute(stmt).rowcount or 0)


def release_claims(
    engine: Engine, batch_id: str, keys: Sequence[ClaimKey] | None = None, *, expired: bool = False
) -> int:
    """Drop the claims of ``batch_id`` (only ``keys`` when given; with ``expired``, also every
    expired claim: those a killed run left on files no later run needed); returns how many."""
    t = file_claims
    cond = t.c.batch_id == batch_id
    if expired:
        cond = cond | (t.c.expires_at < utcnow())
    if keys is not None:
        if not keys:
            return 0
        cond = cond & sa.tuple_(t.c.sha256, t.c.inbox, t.c.rel_path).in_(list(keys))
    with transaction(engine) as conn:
        return int(conn.execute(sa.delete(t).where(cond)).rowcount or 0)


def list_claims(engine: Engine, batch_id: str | None = None) -> list[Claim]:
    """The stored claims (of ``batch_id`` when given), by key."""
    t = file_claims
    stmt = sa.select(t).order_by(t.c.sha256, t.c.inbox, t.c.rel_path)
    if batch_id is not None:
        stmt = stmt.where(t.c.batch_id == batch_id)
    with reading(engine) as conn:
        return [
            Claim(
                sha256=r.sha256,
                inbox=r.inbox,
                rel_path=r.rel_path,
                batch_id=r.batch_id,
                claimed_at=as_utc(r.claimed_at) or r.claimed_at,
                expires_at=as_utc(r.expires_at) or r.expires_at,
            )
            for r in conn.execute(stmt)
        ]
