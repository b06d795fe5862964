"""What the ingest stage asks the warehouse ledger beyond the ``warehouse`` API.

Read-only queries over ``source_files`` (through :func:`warehouse.engine.reading`):

* :func:`committed_in_place`: rows whose outcome is committed but whose file was never moved
  (the process died between the commit and the move): the next run finishes the move;
* :func:`committed_outcome`: whether any batch already committed a final outcome for some bytes
  (a backfill skips those: that is what makes it resumable);
* :func:`rows_of_file`: every row of one physical file (same bytes, inbox and relative path), so
  all of them follow the file when it moves;
* :func:`final_rows_under` and :func:`paths_in_use`: rows whose file was moved but whose new path
  was never recorded (a crash between the move and its record), found by the planner.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from imr.outcomes import COMMITTED
from warehouse.engine import reading
from warehouse.files import FileRow, file_row
from warehouse.schema import source_files


def committed_in_place(engine: Engine, sha256: str, current_path: str) -> list[FileRow]:
    """Rows with a final status for these bytes whose ``current_path`` is still ``current_path``.

    Oldest first. Non-empty means: the outcome was committed, the move never happened.
    """
    t = source_files
    stmt = (
        sa.select(t)
        .where((t.c.sha256 == sha256) & (t.c.current_path == current_path) & t.c.status.in_(COMMITTED))
        .order_by(t.c.seen_at, t.c.id)
    )
    with reading(engine) as conn:
        return [file_row(r) for r in conn.execute(stmt)]


def committed_outcome(engine: Engine, sha256: str) -> FileRow | None:
    """The earliest row of any batch with a final outcome for these bytes, or None."""
    t = source_files
    stmt = (
        sa.select(t)
        .where((t.c.sha256 == sha256) & t.c.status.in_(COMMITTED))
        .order_by(t.c.seen_at, t.c.id)
        .limit(1)
    )
    with reading(engine) as conn:
        row = conn.execute(stmt).first()
    return file_row(row) if row is not None else None


def rows_of_file(engine: Engine, sha256: str, inbox: str, rel_path: str) -> list[FileRow]:
    """Every row (all batches) of the file with these bytes at ``inbox``/``rel_path``, newest first."""
    t = source_files
    stmt = (
        sa.select(t)
        .where((t.c.sha256 == sha256) & (t.c.inbox == inbox) & (t.c.rel_path == rel_path))
        .order_by(t.c.updated_at.desc(), t.c.id)
    )
    with reading(engine) as conn:
        return [file_row(r) for r in conn.execute(stmt)]


def final_rows_under(engine: Engine, inboxes: Sequence[str]) -> list[FileRow]:
    """Rows with a final status whose ``current_path`` still lies in one of ``inboxes``, oldest first.

    Normally there are none (a settled file's path follows it); a row here is either a file left
    in place (a backfill) or a move whose record never happened (a crash between the two).
    """
    t = source_files
    if not inboxes:
        return []
    under = sa.or_(*(t.c.current_path.startswith(ib.rstrip("/") + "/", autoescape=True) for ib in inboxes))
    stmt = sa.select(t).where(t.c.status.in_(COMMITTED) & under).order_by(t.c.seen_at, t.c.id)
    with reading(engine) as conn:
        return [file_row(r) for r in conn.execute(stmt)]


def paths_in_use(engine: Engine, paths: Sequence[str]) -> set[str]:
    """Which of ``paths`` some ledger row already names as its ``current_path``."""
    if not paths:
        return set()
    t = source_files
    with reading(engine) as conn:
        return {r[0] for r in conn.execute(sa.select(t.c.current_path).where(t.c.current_path.in_(list(paths))))}
