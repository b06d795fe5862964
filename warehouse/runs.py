"""Who runs a batch, and whether that run is still alive: a dead run is recognised at once.

A run holds, for as long as its process lives, something the operating system or the database
releases when the process dies (SIGKILL, OOM killer, a lost machine):

* on PostgreSQL a session-level advisory lock ``pg_advisory_lock(RUN_LOCK_CLASS, key(batch_id))``
  on a connection of its own (the server releases it when that connection ends, a killed
  client included);
* on a SQLite file an ``fcntl.flock`` on ``<warehouse>.runs/<batch_id>.lock`` beside it (the
  kernel releases it when the process exits).

The batch row records the owner (:class:`Owner`: host, boot id, pid, the process's start time,
the lock). :func:`abandon_dead` finds ``running`` batches whose lock nobody holds and whose
process is gone (same host: the pid with the same start time, which survives pid reuse), closes
them ``abandoned`` with a reason, and drops their claims, so their files are taken over by the
next run at once (``warehouse.claims``: a claim of a batch no longer running is free). A batch
recorded without an owner (an older version) is left to the claims' expiry, the last resort.

A PostgreSQL outage ends the lock's connection too: :meth:`RunLease.keep` (called between
letters) takes it again once the server is back, and on the owner's own host the live process
keeps its batch alive meanwhile. Not for network filesystems (``flock`` is local).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import socket
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from imr.outcomes import BatchStatus
from warehouse.batches import BatchRow, as_utc, finish_batch, utcnow
from warehouse.claims import release_claims
from warehouse.engine import key_batches, reading, sqlite_file, transaction, upsert
from warehouse.schema import batch_progress, file_claims, ingest_batches

log = logging.getLogger("imr.warehouse")

#: The first key of every run's advisory lock (the second is derived from the batch id).
RUN_LOCK_CLASS = 0x494D5252  # "IMRR"


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def process_start(pid: int) -> int | None:
    """When process ``pid`` started (clock ticks since boot, ``/proc/PID/stat`` field 22), or None
    when there is no such process (or no ``/proc``)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the command name (field 2) is in parentheses and may hold spaces: count fields after it
    return int(stat[stat.rindex(")") + 2 :].split()[19])


@dataclass(frozen=True)
class Owner:
    """The process running a batch, and the lock it holds while it lives."""

    host: str
    boot_id: str
    pid: int
    start: int | None
    lock: str | None  # "pg:<class>:<key>", "flock:<path>" or None (an in-memory warehouse)

    @classmethod
    def of_this_process(cls, lock: str | None) -> Owner:
        pid = os.getpid()
        return cls(socket.gethostname(), _boot_id(), pid, process_start(pid), lock)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Owner:
        return cls(
            str(data.get("host", "")),
            str(data.get("boot_id", "")),
            int(data.get("pid", 0)),
            data.get("start"),
            data.get("lock"),
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        """``host pid N``: who, in words (no path, no secret)."""
        return f"{self.host} pid {self.pid}"

    def process_alive(self) -> bool | None:
        """True/False when the owner is on this host (its pid alive with the same start time), None
        when it runs elsewhere (only its lock can tell)."""
        if self.host != socket.gethostname() or self.boot_id != _boot_id():
            return None
        started = process_start(self.pid)
        return started is not None and (self.start is None or started == self.start)


def _lock_key(batch_id: str) -> int:
    """The advisory lock's second key: 31 bits of the batch id's SHA-256 (non-negative int4)."""
    return int.from_bytes(hashlib.sha256(batch_id.encode()).digest()[:4], "big") & 0x7FFFFFFF


def lock_dir(engine: Engine) -> Path | None:
    """Where a SQLite file warehouse keeps its runs' lock files (None: PostgreSQL or in memory)."""
    db = sqlite_file(engine.url)
    return None if db is None else db.with_name(db.name + ".runs")


class RunLease:
    """The lock a run holds while its process lives (:func:`hold`); :meth:`release` at its end."""

    def __init__(self, engine: Engine, batch_id: str) -> None:
        self.engine = engine
        self.batch_id = batch_id
        self._conn: Connection | None = None
        self._file: IO[bytes] | None = None
        self._guard = threading.Lock()
        self._released = False
        self.lock: str | None = None
        folder = lock_dir(engine)
        if engine.dialect.name == "postgresql":
            self.lock = f"pg:{RUN_LOCK_CLASS}:{_lock_key(batch_id)}"
            self._take_pg()
        elif folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{batch_id}.lock"
            self.lock = f"flock:{path}"
            self._file = open(path, "ab")  # noqa: SIM115  (held until release)
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self.owner = Owner.of_this_process(self.lock)

    def _take_pg(self) -> None:
        conn = self.engine.connect()
        try:
            conn.execute(
                sa.text("SELECT pg_advisory_lock(CAST(:c AS integer), CAST(:k AS integer))"),
                {"c": RUN_LOCK_CLASS, "k": _lock_key(self.batch_id)},
            )
            conn.commit()  # the lock is the session's: it outlives the transaction
        except Exception:
            conn.invalidate()
            conn.close()
            raise
        self._conn = conn

    def keep(self) -> None:
        """Take the lock again when its connection was lost (a PostgreSQL outage); best effort:
        an outage still going on is for the caller's next step to meet."""
        if self.engine.dialect.name != "postgresql":
            return
        with self._guard:
            if self._released:
                return
            conn = self._conn
            try:
                if conn is not None:
                    conn.execute(sa.text("SELECT 1"))
                    conn.rollback()
                    return
            except Exception:
                if conn is not None:
                    with contextlib.suppress(Exception):
                        conn.invalidate()
                        conn.close()
                self._conn = None
            try:
                self._take_pg()
                log.info("batch %s: run lock taken again after a lost connection", self.batch_id)
            except Exception as e:
                log.warning("batch %s: run lock not taken again yet: %s", self.batch_id, type(e).__name__)

    def release(self) -> None:
        """Give the lock up (the run is over); idempotent."""
        with self._guard:
            self._released = True
            if self._conn is not None:
                with contextlib.suppress(Exception):
                    self._conn.invalidate()  # ends the session: PostgreSQL drops its advisory locks
                    self._conn.close()
                self._conn = None
            if self._file is not None:
                with contextlib.suppress(OSError):
                    Path(self._file.name).unlink()
                self._file.close()
                self._file = None


_leases: dict[str, RunLease] = {}
_leases_lock = threading.Lock()


def hold(engine: Engine, batch_id: str) -> RunLease:
    """Take the run lock of ``batch_id`` for this process (kept in a process-wide registry until
    :func:`release`)."""
    with _leases_lock:
        lease = _leases.get(batch_id)
        if lease is None:
            lease = _leases[batch_id] = RunLease(engine, batch_id)
        return lease


def held(batch_id: str) -> RunLease | None:
    """This process's lease of ``batch_id``, if it holds one."""
    with _leases_lock:
        return _leases.get(batch_id)


def release(batch_id: str) -> None:
    """Give up this process's run lock of ``batch_id`` (nothing when it holds none)."""
    with _leases_lock:
        lease = _leases.pop(batch_id, None)
    if lease is not None:
        lease.release()


def _lock_held(conn: Connection, lock: str | None) -> bool | None:
    """Whether someone holds ``lock`` (None when this process cannot tell: no lock recorded, or
    a lock file of a database on another dialect)."""
    if not lock:
        return None
    kind, _, rest = lock.partition(":")
    if kind == "pg" and conn.dialect.name == "postgresql":
        cls, _, key = rest.partition(":")
        n = conn.execute(
            sa.text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = :c AND objid = :k "
                "AND objsubid = 2 AND granted"
            ),
            {"c": int(cls), "k": int(key)},
        ).scalar_one()
        return bool(n)
    if kind == "flock":
        try:
            fh = open(rest, "rb")  # noqa: SIM115
        except FileNotFoundError:
            return False
        except OSError:
            return None
        with fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(fh, fcntl.LOCK_UN)
            return False
    return None


@dataclass(frozen=True)
class DeadRun:
    """A ``running`` batch whose run is gone."""

    batch_id: str
    owner: Owner
    reason: str


def _dead(conn: Connection, batch_id: str, owner_data: dict[str, Any] | None) -> DeadRun | None:
    if not owner_data:
        return None  # recorded by an older version: its claims expire (IMR_CLAIM_TTL_SECONDS)
    owner = Owner.from_dict(owner_data)
    if held(batch_id) is not None:
        return None  # this very process runs it
    lock = _lock_held(conn, owner.lock)
    if lock:
        return None
    alive = owner.process_alive()
    if alive:
        return None  # its lock is being taken again (a lost PostgreSQL connection): still working
    if alive is None and lock is None:
        return None  # another host, and no lock to tell by: the claims' expiry decides
    how = "its process is gone" if alive is False else "its lock was released"
    return DeadRun(batch_id, owner, f"its run ({owner.describe()}) died: {how}")


def find_dead(engine: Engine) -> list[DeadRun]:
    """The ``running`` batches whose run is gone (lock released, process gone)."""
    b = ingest_batches
    with reading(engine) as conn:
        rows = conn.execute(sa.select(b.c.id, b.c.owner).where(b.c.status == BatchStatus.RUNNING)).all()
        return [d for r in rows if (d := _dead(conn, r.id, r.owner)) is not None]


def abandon_dead(engine: Engine) -> list[DeadRun]:
    """Close every batch whose run died as ``abandoned`` (counts from its files, the reason in
    ``status_reason``) and drop its claims; returns them. Its files are taken by the next run
    (pending rows stay for ``imr rerun``)."""
    dead = find_dead(engine)
    for d in dead:
        close_batch(engine, d.batch_id, BatchStatus.ABANDONED, d.reason)
        log.warning("batch %s abandoned: %s", d.batch_id, d.reason)
    return dead


def close_batch(engine: Engine, batch_id: str, status: BatchStatus, reason: str) -> BatchRow:
    """Close a batch that ended before its verdict (``abandoned``, ``interrupted``): counts from its
    files, ``reason`` recorded, its claims dropped (its untouched files are free for the next run)."""
    row = finish_batch(engine, batch_id, status, status_reason=reason)
    release_claims(engine, batch_id)
    return row


def request_stop(engine: Engine, batch_id: str, reason: str) -> None:
    """Ask every process working on ``batch_id`` to stop between letters (``status_reason`` set
    while the batch is still ``running``; :func:`report_progress` reads it)."""
    b = ingest_batches
    with transaction(engine) as conn:
        conn.execute(
            sa.update(b).where((b.c.id == batch_id) & (b.c.status == BatchStatus.RUNNING)).values(status_reason=reason)
        )


def report_progress(engine: Engine, batch_id: str, chunk: str, done: int, total: int) -> bool:
    """Record that ``done`` of the ``total`` letters of ``chunk`` are through; returns True when the
    run should stop (a stop was requested, or the batch is no longer running)."""
    b = ingest_batches
    row = {"batch_id": batch_id, "chunk": chunk, "done": done, "total": total, "updated_at": utcnow()}
    with transaction(engine) as conn:
        upsert(conn, batch_progress, [row], keys=["batch_id", "chunk"], update=["done", "total", "updated_at"])
        status, reason = conn.execute(sa.select(b.c.status, b.c.status_reason).where(b.c.id == batch_id)).one()
    return bool(status != BatchStatus.RUNNING or reason is not None)


def progress_of(engine: Engine, batch_id: str) -> tuple[int, int]:
    """``(done, total)`` letters of the batch's chunks so far (their last reports)."""
    t = batch_progress
    with reading(engine) as conn:
        done, total = conn.execute(
            sa.select(sa.func.coalesce(sa.func.sum(t.c.done), 0), sa.func.coalesce(sa.func.sum(t.c.total), 0)).where(
                t.c.batch_id == batch_id
            )
        ).one()
    return int(done), int(total)


def holders(engine: Engine, keys: Sequence[tuple[str, str, str]]) -> dict[str, dict[str, Any]]:
    """Who holds the claims on ``keys``: ``{batch_id: {"files", "since", "owner"}}`` (no paths)."""
    t, b = file_claims, ingest_batches
    out: dict[str, dict[str, Any]] = {}
    with reading(engine) as conn:
        for part in key_batches(list(keys)):
            stmt = (
                sa.select(t.c.batch_id, sa.func.count(), sa.func.min(t.c.claimed_at))
                .where(sa.tuple_(t.c.sha256, t.c.inbox, t.c.rel_path).in_(part))
                .group_by(t.c.batch_id)
            )
            for bid, n, since in conn.execute(stmt):
                entry = out.setdefault(bid, {"files": 0, "since": None, "owner": None})
                entry["files"] += int(n)
                iso = (as_utc(since) or since).isoformat()
                entry["since"] = min(filter(None, [entry["since"], iso]))
        if out:
            for bid, owner in conn.execute(sa.select(b.c.id, b.c.owner).where(b.c.id.in_(sorted(out)))):
                out[bid]["owner"] = Owner.from_dict(owner).describe() if owner else None
    return out
