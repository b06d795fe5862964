"""Planning a run: which files to process, which are already settled, which moves to finish.

* :func:`plan_inboxes` (ingest and backfill): every file discovered gets a ledger row in the batch,
  except files whose outcome is already committed but never moved (a crash between commit and
  move: the earlier row is *recovered*, its move finished, nothing counted twice) and, for a
  backfill, files whose bytes already have a committed outcome (*skipped*: that is how a backfill
  resumes). Bytes already loaded become ``duplicate`` rows at once (no extraction).
* :func:`plan_rerun`: the failed, pending, rejected and quarantined files of a batch, found where
  the ledger says they are now; bytes loaded since then are skipped (a repeated rerun is a no-op).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

import warehouse
from imr.extract.pipeline import media_type_of
from imr.outcomes import FileStatus
from pipeline import ledger
from pipeline.discovery import Discovery, RefusedFile, sha256_file
from pipeline.lifecycle import Reason
from pipeline.work import INGEST_REASON_CODES, WorkItem

log = logging.getLogger("imr.pipeline")


@dataclass
class Plan:
    """What a run will do: ``work`` to extract/validate/load, ``settled`` (outcome committed now,
    only a move left), ``recovered`` (outcome committed by an earlier run, move left), and counts
    of files ``skipped``, ``unstable`` (left for the next run) and ``ignored`` (not letters)."""

    batch_id: str
    work: list[WorkItem] = field(default_factory=list)
    settled: list[WorkItem] = field(default_factory=list)
    recovered: list[WorkItem] = field(default_factory=list)
    skipped: int = 0
    unstable: int = 0
    ignored: int = 0
    claimed: int = 0
    ignored_reasons: dict[str, int] = field(default_factory=dict)

    def run_counts(self) -> dict[str, Any]:
        """What the summary reports of the plan: files skipped, unstable, ignored (with reasons), claimed."""
        return {
            "skipped": self.skipped,
            "unstable": self.unstable,
            "ignored": self.ignored,
            "claimed": self.claimed,
            "ignored_reasons": dict(self.ignored_reasons),
        }


def _recovered(engine: Engine, sha256: str, path: str) -> WorkItem | None:
    rows = ledger.committed_in_place(engine, sha256, path)
    if not rows:
        return None
    first = rows[0]
    reasons = [Reason(c, m) for c, m in warehouse.quarantine_reasons_of(engine, first.id).items()]
    if not reasons:
        reasons = [Reason(c, INGEST_REASON_CODES.get(c, c)) for c in first.reason_codes]
    return WorkItem(
        file_id=first.id,
        inbox=first.inbox,
        rel_path=first.rel_path,
        path=path,
        sha256=sha256,
        size=first.size_bytes,
        media_type=first.media_type or media_type_of(path),
        status=FileStatus(first.status),
        reasons=reasons,
        letter_id=first.letter_id,
        also_update=[r.id for r in rows[1:]],
    )


def _refuse(engine: Engine, batch_id: str, inbox: str, r: RefusedFile) -> WorkItem:
    sha = r.pseudo_sha256
    path = str(Path(inbox) / r.rel_path)
    fid = warehouse.register_file(engine, batch_id, inbox, r.rel_path, sha, 0, None, current_path=path)
    warehouse.mark_file(engine, fid, "rejected", [r.code], {r.code: r.message})
    log.warning("refused %s: %s", r.rel_path, r.code)
    item = WorkItem(fid, inbox, r.rel_path, path, sha, 0, media_type_of(path), status=FileStatus.REJECTED)
    item.reasons = [Reason(r.code, r.message)]
    return item


def plan_inboxes(
    engine: Engine, batch_id: str, discovery: Discovery, *, move_files: bool = True, skip_committed: bool = False
) -> Plan:
    """Register what ``discovery`` found in ``batch_id`` and sort it into work, settled and recovered.

    ``move_files`` (ingest) enables recovery of committed-but-unmoved files; ``skip_committed``
    (backfill) skips bytes with any committed outcome. Raises
    :class:`imr.errors.WarehouseUnavailableError` when the warehouse is down (nothing is lost:
    registering is idempotent, the task can be retried).
    """
    plan = Plan(batch_id, unstable=len(discovery.unstable), ignored=discovery.ignored)
    for r in discovery.refused:
        inbox = str(r.inbox.absolute())
        path = str(Path(inbox) / r.rel_path)
        rec = _recovered(engine, r.pseudo_sha256, path) if move_files else None
        if rec is not None:
            plan.recovered.append(rec)
        elif skip_committed and ledger.committed_outcome(engine, r.pseudo_sha256) is not None:
            plan.skipped += 1
        else:
            plan.settled.append(_refuse(engine, batch_id, inbox, r))
    for f in discovery.files:
        inbox = str(f.inbox.absolute())
        path = str(Path(inbox) / f.rel_path)
        rec = _recovered(engine, f.sha256, path) if move_files else None
        if rec is not None:
            log.info("recovered %s: outcome %s committed earlier; finishing its move", f.rel_path, rec.status)
            plan.recovered.append(rec)
            continue
        if skip_committed and ledger.committed_outcome(engine, f.sha256) is not None:
            plan.skipped += 1
            continue
        fid = warehouse.register_file(engine, batch_id, inbox, f.rel_path, f.sha256, f.size, f.media_type, path)
        item = WorkItem(fid, inbox, f.rel_path, path, f.sha256, f.size, f.media_type)
        # earlier rows of this very file (a failed batch's pending rows) follow it when it moves
        item.also_update = [r.id for r in ledger.rows_of_file(engine, f.sha256, inbox, f.rel_path) if r.id != fid]
        letter_id = warehouse.find_loaded_sha(engine, f.sha256)
        if letter_id is not None:
            reason = Reason("duplicate_file", INGEST_REASON_CODES["duplicate_file"])
            warehouse.mark_file(engine, fid, "duplicate", [reason.code], {reason.code: reason.message})
            item.status, item.reasons, item.letter_id = FileStatus.DUPLICATE, [reason], letter_id
            plan.settled.append(item)
        else:
            plan.work.append(item)
    log.info(
        "planned batch %s: %d to process, %d settled, %d recovered, %d skipped, %d unstable",
        batch_id,
        len(plan.work),
        len(plan.settled),
        len(plan.recovered),
        plan.skipped,
        plan.unstable,
    )
    return plan


def plan_rerun(engine: Engine, batch_id: str, parent_batch_id: str) -> Plan:
    """Register the rerunnable files of ``parent_batch_id`` in the new batch ``batch_id``.

    Each file is looked for where its newest ledger row says it is (inbox or quarantine). Bytes
    loaded meanwhile are skipped; a file that is gone or changed gets a ``failed`` row with
    ``file_missing``. Raises ``KeyError`` for an unknown parent batch.
    """
    if warehouse.get_batch(engine, parent_batch_id) is None:
        raise KeyError(f"unknown batch {parent_batch_id}")
    plan = Plan(batch_id)
    seen: set[tuple[str, str, str]] = set()
    for row in warehouse.files_to_rerun(engine, parent_batch_id):
        key = (row.sha256, row.inbox, row.rel_path)
        if key in seen:
            continue
        seen.add(key)
        if warehouse.find_loaded_sha(engine, row.sha256) is not None:
            plan.skipped += 1
            continue
        rows = ledger.rows_of_file(engine, *key)
        where = next((r.current_path for r in rows if r.current_path), None) or str(Path(row.inbox) / row.rel_path)
        path = Path(where)
        media = row.media_type or media_type_of(where)
        fid = warehouse.register_file(
            engine, batch_id, row.inbox, row.rel_path, row.sha256, row.size_bytes, media, where
        )
        item = WorkItem(fid, row.inbox, row.rel_path, where, row.sha256, row.size_bytes, media)
        item.also_update = [r.id for r in rows]
        if path.is_symlink() and row.reason_codes:
            item.status = FileStatus.REJECTED
            item.reasons = [Reason(c, INGEST_REASON_CODES.get(c, c)) for c in row.reason_codes]
            warehouse.mark_file(engine, fid, "rejected", item.codes, {r.code: r.message for r in item.reasons})
            plan.settled.append(item)
        elif not path.is_file() or sha256_file(path) != row.sha256:
            reason = Reason("file_missing", INGEST_REASON_CODES["file_missing"])
            item.status, item.reasons = FileStatus.FAILED, [reason]
            warehouse.mark_file(engine, fid, "failed", [reason.code], {reason.code: reason.message})
            plan.settled.append(item)
        else:
            plan.work.append(item)
    log.info(
        "planned rerun %s of %s: %d to process, %d skipped", batch_id, parent_batch_id, len(plan.work), plan.skipped
    )
    return plan
