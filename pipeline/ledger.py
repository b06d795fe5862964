"""What the ingest stage asks the warehouse ledger beyond the ``warehouse`` API.

Read-only queries over ``source_files`` (through :func:`warehouse.engine.reading`):

* :func:`snapshot`: every row of many files' bytes, read at once, answering per file (a
  :class:`LedgerSnapshot`): rows whose outcome is committed but whose file was never moved (the
  process died between the commit and the move: the next run finishes the move), whether any
  batch already committed a final outcome for some bytes (a backfill skips those: that is what
  makes it resumable), the rows of one physical file and the letter its bytes already carry;
* :func:`rows_of_file`: every row of one physical file (same bytes, inbox and relative path), so
  all of them follow the file when it moves;
* :func:`final_rows_under` and :func:`paths_in_use`: rows whose file was moved but whose new path
  was never recorded (a crash between the move and its record), found by the planner.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from imr.outcomes import ARCHIVED, COMMITTED
from warehouse.engine import reading, select_in
from warehouse.files import FileRow, file_row
from warehouse.schema import source_files


@dataclass(frozen=True)
class LedgerSnapshot:
    """Every ledger row (all batches) of some bytes, read in a few statements: what the planner asks
    of thousands of files at once, answered in memory with the same rules as the single queries."""

    rows: Mapping[str, tuple[FileRow, ...]]

    def committed_in_place(self, sha256: str, current_path: str) -> list[FileRow]:
        """Rows with a final status for these bytes whose ``current_path`` is still ``current_path``.

        Oldest first. Non-empty means: the outcome was committed, the move never happened.
        """
        return [r for r in self._committed(sha256) if r.current_path == current_path]

    def committed_outcome(self, sha256: str) -> FileRow | None:
        """The earliest row of any batch with a final outcome for these bytes, or None."""
        return next(iter(self._committed(sha256)), None)

    def rows_of_file(self, sha256: str, inbox: str, rel_path: str) -> list[FileRow]:
        """Every row (all batches) of the file with these bytes at ``inbox``/``rel_path``, newest first."""
        rows = [r for r in self.rows.get(sha256, ()) if r.inbox == inbox and r.rel_path == rel_path]
        return sorted(sorted(rows, key=lambda r: r.id), key=lambda r: r.updated_at, reverse=True)

    def loaded_letter(self, sha256: str) -> str | None:
        """The letter these bytes already carry (loaded, linked or a duplicate), or None."""
        return next((r.letter_id for r in _oldest_first(self.rows.get(sha256, ())) if _carries_letter(r)), None)

    def _committed(self, sha256: str) -> list[FileRow]:
        return [r for r in _oldest_first(self.rows.get(sha256, ())) if r.status in COMMITTED]


def _oldest_first(rows: Sequence[FileRow]) -> list[FileRow]:
    return sorted(rows, key=lambda r: (r.seen_at, r.id))


def _carries_letter(row: FileRow) -> bool:
    return row.status in ARCHIVED and row.letter_id is not None


def snapshot(engine: Engine, sha256s: Iterable[str]) -> LedgerSnapshot:
    """The ledger rows of these bytes (one read)."""
    found: dict[str, list[FileRow]] = {}
    with reading(engine) as conn:
        for r in select_in(conn, sa.select(source_files), source_files.c.sha256, sorted(set(sha256s))):
            row = file_row(r)
            found.setdefault(row.sha256, []).append(row)
    return LedgerSnapshot({sha: tuple(rows) for sha, rows in found.items()})


def rows_of_file(engine: Engine, sha256: str, inbox: str, rel_path: str) -> list[FileRow]:
    """:meth:`LedgerSnapshot.rows_of_file` of one file."""
    return snapshot(engine, [sha256]).rows_of_file(sha256, inbox, rel_path)


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
