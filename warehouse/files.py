"""The file ledger: every source file ever seen, its status, reason codes and where it is now."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from imr.errors import REASON_CODES
from imr.outcomes import ARCHIVED, RERUNNABLE, SET_ASIDE, DqFailure, FileStatus
from warehouse.batches import as_utc, utcnow
from warehouse.engine import in_transaction, insert_ignoring, reading, select_in, transaction
from warehouse.quality import insert_dq_failures
from warehouse.schema import quarantine_reasons, source_files

#: Statuses a file may be set to with :func:`mark_file` (``loaded``/``linked`` come from loading).
_FROM_LOADING = (FileStatus.LOADED, FileStatus.LINKED)
MARKABLE_STATUSES: tuple[str, ...] = tuple(s.value for s in FileStatus if s not in _FROM_LOADING)
#: Statuses :func:`files_to_rerun` returns.
RERUN_STATUSES: tuple[str, ...] = tuple(s.value for s in FileStatus if s in RERUNNABLE)
#: Statuses whose content is in the warehouse.


@dataclass(frozen=True)
class FileRow:
    """One source file as stored."""

    id: str
    batch_id: str
    inbox: str
    rel_path: str
    sha256: str
    size_bytes: int
    media_type: str | None
    pages: int | None
    status: str
    reason_codes: list[str]
    letter_id: str | None
    current_path: str | None
    seen_at: dt.datetime
    updated_at: dt.datetime


def file_row(r: sa.Row[Any]) -> FileRow:
    """A ``source_files`` row as a :class:`FileRow`."""
    m = r._mapping
    seen, updated = as_utc(m["seen_at"]), as_utc(m["updated_at"])
    assert seen is not None and updated is not None
    return FileRow(
        id=m["id"],
        batch_id=m["batch_id"],
        inbox=m["inbox"],
        rel_path=m["rel_path"],
        sha256=m["sha256"],
        size_bytes=int(m["size_bytes"]),
        media_type=m["media_type"],
        pages=m["pages"],
        status=m["status"],
        reason_codes=list(m["reason_codes"] or []),
        letter_id=m["letter_id"],
        current_path=m["current_path"],
        seen_at=seen,
        updated_at=updated,
    )


@dataclass(frozen=True)
class NewFile:
    """A file found in ``inbox`` at ``rel_path``, to be registered in a batch (see :func:`register_files`)."""

    inbox: str
    rel_path: str
    sha256: str
    size: int
    media_type: str | None
    current_path: str | None = None  # default: inbox/rel_path


def register_file(
    engine: Engine,
    batch_id: str,
    inbox: str,
    rel_path: str,
    sha256: str,
    size: int,
    media_type: str | None,
    current_path: str | None = None,
) -> str:
    """Record a file found in ``inbox`` at ``rel_path`` as ``pending`` in ``batch_id``; returns its id.

    Idempotent: the same (batch, sha256, inbox, rel_path) returns the existing id and leaves the
    row as it is. ``current_path`` defaults to ``inbox/rel_path``. Raises ``IntegrityError``
    for an unknown batch, :class:`imr.errors.WarehouseUnavailableError` when unreachable.
    """
    new = NewFile(str(inbox), str(rel_path), sha256, size, media_type, current_path)
    return register_files(engine, batch_id, [new])[0]


def register_files(engine: Engine, batch_id: str, files: Sequence[NewFile]) -> list[str]:
    """:func:`register_file` for many files in one transaction; returns their ids in order."""
    if not files:
        return []
    now = utcnow()
    rows: list[dict[str, Any]] = [
        {
            "id": str(uuid.uuid4()),
            "batch_id": batch_id,
            "inbox": f.inbox,
            "rel_path": f.rel_path,
            "sha256": f.sha256,
            "size_bytes": int(f.size),
            "media_type": f.media_type,
            "pages": None,
            "status": FileStatus.PENDING,
            "reason_codes": [],
            "letter_id": None,
            "current_path": f.current_path if f.current_path is not None else str(PurePath(f.inbox) / f.rel_path),
            "seen_at": now,
            "updated_at": now,
        }
        for f in files
    ]
    t = source_files
    with transaction(engine) as conn:
        insert_ignoring(conn, t, rows, keys=["batch_id", "sha256", "inbox", "rel_path"])
        stmt = sa.select(t.c.id, t.c.sha256, t.c.inbox, t.c.rel_path).where(t.c.batch_id == batch_id)
        if len(files) == 1:  # the common single call: only its row
            f = files[0]
            stmt = stmt.where((t.c.sha256 == f.sha256) & (t.c.inbox == f.inbox) & (t.c.rel_path == f.rel_path))
        ids = {(r.sha256, r.inbox, r.rel_path): r.id for r in conn.execute(stmt)}
    return [ids[(f.sha256, f.inbox, f.rel_path)] for f in files]


def get_file(engine: Engine, file_id: str) -> FileRow | None:
    """The source file ``file_id``, or None."""
    with reading(engine) as conn:
        row = conn.execute(sa.select(source_files).where(source_files.c.id == file_id)).first()
    return file_row(row) if row is not None else None


def list_files(engine: Engine, batch_id: str) -> list[FileRow]:
    """The files of a batch, ordered by inbox and relative path."""
    stmt = (
        sa.select(source_files)
        .where(source_files.c.batch_id == batch_id)
        .order_by(source_files.c.inbox, source_files.c.rel_path, source_files.c.id)
    )
    with reading(engine) as conn:
        return [file_row(r) for r in conn.execute(stmt)]


def find_loaded_sha(engine: Engine, sha256: str) -> str | None:
    """The id of the letter whose content has this sha256 (loaded, linked or a duplicate), or None."""
    with reading(engine) as conn:
        return carried_letters(conn, [sha256]).get(sha256)


def carried_letters(conn: Connection, sha256s: Sequence[str]) -> dict[str, str]:
    """Inside a transaction: for each of these contents, the letter its earliest file with a
    loaded/linked/duplicate outcome carries (contents without one are left out)."""
    t = source_files
    stmt = (
        sa.select(t.c.sha256, t.c.letter_id)
        .where(t.c.status.in_(sorted(ARCHIVED)) & t.c.letter_id.is_not(None))
        .order_by(t.c.seen_at, t.c.id)
    )
    carried: dict[str, str] = {}
    for r in select_in(conn, stmt, t.c.sha256, sorted(set(sha256s))):
        carried.setdefault(r.sha256, r.letter_id)
    return carried


def _messages(codes: Sequence[str], messages: Mapping[str, str] | None) -> dict[str, str]:
    given = dict(messages or {})
    return {c: given.get(c) or REASON_CODES.get(c) or c for c in dict.fromkeys(codes)}


def mark_file(
    bind: Engine | Connection,
    file_id: str,
    status: str,
    reason_codes: Sequence[str] = (),
    messages: Mapping[str, str] | None = None,
    current_path: str | None = None,
    dq_failures: Sequence[DqFailure] = (),
) -> FileRow:
    """Set a file's outcome (rejected, quarantined, duplicate, failed, pending) in one transaction:
    an engine's own, or the caller's when ``bind`` is its connection (what else the outcome writes,
    e.g. a review item, commits with it).

    ``reason_codes`` replace the file's codes; for ``rejected``/``quarantined`` they are also
    written to ``quarantine_reasons`` with ``messages[code]`` (default: the code's meaning from
    :data:`imr.errors.REASON_CODES`); ``dq_failures`` go to ``dq_letter_failures``.
    ``current_path`` (where the file is now) is updated when given. Idempotent. Returns the row.
    Raises ``ValueError`` for a status not in :data:`MARKABLE_STATUSES`, ``KeyError`` for an
    unknown file.
    """
    if status not in MARKABLE_STATUSES:
        raise ValueError(f"cannot mark a file {status!r}; expected one of {MARKABLE_STATUSES}")
    codes = list(dict.fromkeys(reason_codes))
    values: dict[str, Any] = {"status": status, "reason_codes": codes, "updated_at": utcnow()}
    if current_path is not None:
        values["current_path"] = str(current_path)
    with in_transaction(bind) as conn:
        result = conn.execute(sa.update(source_files).where(source_files.c.id == file_id).values(**values))
        if result.rowcount == 0:
            raise KeyError(f"unknown source file {file_id}")
        conn.execute(sa.delete(quarantine_reasons).where(quarantine_reasons.c.source_file_id == file_id))
        if status in SET_ASIDE and codes:
            conn.execute(
                sa.insert(quarantine_reasons),
                [{"source_file_id": file_id, "code": c, "message": m} for c, m in _messages(codes, messages).items()],
            )
        row = conn.execute(sa.select(source_files).where(source_files.c.id == file_id)).one()
        if dq_failures:
            insert_dq_failures(conn, row.batch_id, file_id, None, dq_failures)
    return file_row(row)


def set_current_path(engine: Engine, file_id: str, current_path: str) -> None:
    """Record where a file is now (after it was archived or quarantined). Raises ``KeyError``."""
    set_current_paths(engine, [(file_id, current_path)])


def set_current_paths(engine: Engine, paths: Sequence[tuple[str, str]]) -> None:
    """:func:`set_current_path` of many ``(file_id, current_path)`` in one transaction. Raises
    ``KeyError`` (nothing recorded) when a file is unknown."""
    if not paths:
        return
    t = source_files
    stmt = (
        sa.update(t)
        .where(t.c.id == sa.bindparam("file_id"))
        .values(current_path=sa.bindparam("new_path"), updated_at=utcnow())
    )
    with transaction(engine) as conn:
        result = conn.execute(stmt, [{"file_id": fid, "new_path": str(path)} for fid, path in paths])
        counted = len(paths) == 1 or conn.dialect.supports_sane_multi_rowcount
        if counted and result.rowcount != len(paths):
            raise KeyError(f"unknown source file among {[fid for fid, _ in paths][:3]}")


def quarantine_reasons_of(engine: Engine, file_id: str) -> dict[str, str]:
    """The quarantine reasons of a file: ``{code: message}``."""
    stmt = (
        sa.select(quarantine_reasons.c.code, quarantine_reasons.c.message)
        .where(quarantine_reasons.c.source_file_id == file_id)
        .order_by(quarantine_reasons.c.code)
    )
    with reading(engine) as conn:
        return {code: message for code, message in conn.execute(stmt)}


def files_to_rerun(engine: Engine, batch_id: str) -> list[FileRow]:
    """Files of ``batch_id`` a rerun should try again: failed, pending, rejected or quarantined.

    Their ``current_path`` says where each file is now (still in the inbox, or in quarantine).
    """
    stmt = (
        sa.select(source_files)
        .where((source_files.c.batch_id == batch_id) & source_files.c.status.in_(RERUN_STATUSES))
        .order_by(source_files.c.inbox, source_files.c.rel_path, source_files.c.id)
    )
    with reading(engine) as conn:
        return [file_row(r) for r in conn.execute(stmt)]
