"""Planning a run: which files to process, which are already settled, which moves to finish.

* :func:`plan_inboxes` (ingest and backfill): every file discovered is claimed for the batch (files
  another running batch holds are only counted as ``claimed``), then gets a ledger row in the batch,
  except files whose outcome is already committed but never moved (a crash between commit and
  move: the earlier row is *recovered*, its move finished, nothing counted twice) and, for a
  backfill, files whose bytes already have a committed outcome (*skipped*: that is how a backfill
  resumes). Bytes already loaded become ``duplicate`` rows at once (no extraction). Given the
  archive and quarantine roots, it first repairs ``current_path`` of files a dead run moved without
  recording it (:func:`repair_moved`).
* :func:`plan_rerun`: the failed, pending, rejected and quarantined files of a batch, found where
  the ledger says they are now; bytes loaded since then are skipped (a repeated rerun is a no-op).
"""

from __future__ import annotations

import glob
import logging
import os
import stat as stat_mod
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

import warehouse
from imr.extract.entry import media_type_of
from imr.outcomes import SET_ASIDE, FileStatus, RunNumbers
from pipeline import ledger
from pipeline.discovery import Discovery, FoundFile, RefusedFile, sha256_file
from pipeline.lifecycle import Reason, safe_rel_path, sidecar_path, write_sidecar
from pipeline.names import log_safe
from pipeline.work import INGEST_REASON_CODES, WorkItem
from warehouse import runs

log = logging.getLogger("imr.pipeline")


@dataclass
class Plan(RunNumbers):
    """What a run will do: ``work`` to extract/validate/load, ``settled`` (outcome committed now,
    only a move left), ``recovered`` (outcome committed by an earlier run, move left), and the
    :class:`~imr.outcomes.RunNumbers` of its inboxes: files ``skipped``, ``unstable`` (left for the
    next run), ``ignored`` (entries that are not letters, by reason in ``ignored_reasons``),
    ``claimed`` (another run is working on them: not registered here, not duplicates) and
    ``repaired`` (rows whose moved file was found again by its hash in the archive or quarantine
    and whose ``current_path`` was corrected)."""

    batch_id: str
    work: list[WorkItem] = field(default_factory=list)
    settled: list[WorkItem] = field(default_factory=list)
    recovered: list[WorkItem] = field(default_factory=list)


def _recovered(
    engine: Engine, known: ledger.LedgerSnapshot, sha256: str, path: str, real_path: str | None = None
) -> WorkItem | None:
    """The committed-but-unmoved outcome of the file at ``path`` (its ledger text; ``real_path`` is
    where the bytes are when the name is not valid UTF-8), or None."""
    rows = known.committed_in_place(sha256, path)
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
        path=real_path or path,
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
    warehouse.mark_file(engine, fid, FileStatus.REJECTED, [r.code], {r.code: r.message})
    log.warning("refused %s: %s", log_safe(r.rel_path), r.code)
    item = WorkItem(
        fid, inbox, r.rel_path, str(r.path.absolute()), sha, 0, media_type_of(path), status=FileStatus.REJECTED
    )
    item.reasons = [Reason(r.code, r.message)]
    return item


def _still_there(path: Path, size: int) -> bool:
    """True when ``path`` still holds a regular file of ``size`` bytes (not moved by another run)."""
    try:
        st = path.stat()
    except OSError:
        return False
    return stat_mod.S_ISREG(st.st_mode) and st.st_size == size


def _claim(
    engine: Engine, batch_id: str, discovery: Discovery, ttl_seconds: float
) -> tuple[list[RefusedFile], list[FoundFile], int, dict[str, dict[str, Any]]]:
    """Claim every discovered file for this batch: ``(refused, files, claimed by another run, who
    holds those)``. Batches whose run died are closed ``abandoned`` first, so their files are taken."""
    keyed_refused = [((r.pseudo_sha256, str(r.inbox.absolute()), r.rel_path), r) for r in discovery.refused]
    keyed_files = [((f.sha256, str(f.inbox.absolute()), f.rel_path), f) for f in discovery.files]
    keys = [k for k, _ in keyed_refused] + [k for k, _ in keyed_files]
    if keys:
        runs.abandon_dead(engine)  # a dead run's claims are free at once, not after their expiry
    held = warehouse.claim_files(engine, batch_id, keys, ttl_seconds) if keys else set()
    refused = [r for k, r in keyed_refused if k in held and os.path.lexists(r.path)]
    files = [f for k, f in keyed_files if k in held and _still_there(f.path, f.size)]
    other = len(keys) - len(refused) - len(files)
    holders = runs.holders(engine, [k for k in keys if k not in held]) if other else {}
    for bid, h in holders.items():
        log.info("batch %s: %d files held by batch %s (%s) since %s", batch_id, h["files"], bid, h["owner"], h["since"])
    if other:
        log.info("batch %s: %d files claimed by another run (or moved by it meanwhile): skipped", batch_id, other)
    return refused, files, other, holders


def plan_inboxes(
    engine: Engine,
    batch_id: str,
    discovery: Discovery,
    *,
    move_files: bool = True,
    skip_committed: bool = False,
    search_roots: Sequence[Path] = (),
    claim_ttl_seconds: float = 900.0,
) -> Plan:
    """Claim and register what ``discovery`` found in ``batch_id``; sort it into work, settled, recovered.

    Every file is first claimed for this batch (:func:`warehouse.claim_files`, one statement):
    files another running batch holds are not registered, only counted in ``Plan.claimed`` (so two
    concurrent runs process each file once). ``claim_ttl_seconds`` is
    ``IMR_CLAIM_TTL_SECONDS``. ``move_files`` (ingest) enables recovery of committed-but-unmoved
    files; ``skip_committed`` (backfill) skips bytes with any committed outcome. ``search_roots``
    (the archive and quarantine roots) are where files moved by a run that died before recording
    the move are looked for by their hash (see :func:`repair_moved`). Raises
    :class:`imr.errors.WarehouseUnavailableError` when the warehouse is down (nothing is lost:
    claiming and registering are idempotent, the task can be retried).
    """
    plan = Plan(
        batch_id,
        unstable=len(discovery.unstable),
        ignored=discovery.ignored,
        ignored_reasons=discovery.ignored_by_code(),
    )
    if move_files and search_roots:
        inboxes = [str(p.absolute()) for p in discovery.inboxes]
        plan.repaired = repair_moved(engine, inboxes, search_roots)
    refused, files, plan.claimed, plan.claimed_by = _claim(engine, batch_id, discovery, claim_ttl_seconds)
    # what the ledger knows of these bytes, read once (not a few queries per file)
    known = ledger.snapshot(engine, [r.pseudo_sha256 for r in refused] + [f.sha256 for f in files])
    for r in refused:
        inbox = str(r.inbox.absolute())
        path = str(Path(inbox) / r.rel_path)
        rec = _recovered(engine, known, r.pseudo_sha256, path, str(r.path.absolute())) if move_files else None
        if rec is not None:
            plan.recovered.append(rec)
        elif skip_committed and known.committed_outcome(r.pseudo_sha256) is not None:
            plan.skipped += 1
        else:
            plan.settled.append(_refuse(engine, batch_id, inbox, r))
    new: list[tuple[FoundFile, str, str]] = []
    for f in files:
        inbox = str(f.inbox.absolute())
        path = str(Path(inbox) / f.rel_path)  # the ledger's text form of where the file is
        real = str(f.path.absolute())  # where the bytes are (differs for names that are not UTF-8)
        rec = _recovered(engine, known, f.sha256, path, real) if move_files else None
        if rec is not None:
            log.info("recovered %s: outcome %s committed earlier; finishing its move", log_safe(f.rel_path), rec.status)
            plan.recovered.append(rec)
        elif skip_committed and known.committed_outcome(f.sha256) is not None:
            plan.skipped += 1
        else:
            new.append((f, inbox, path))
    ids = warehouse.register_files(
        engine,
        batch_id,
        [warehouse.NewFile(inbox, f.rel_path, f.sha256, f.size, f.media_type, path) for f, inbox, path in new],
    )
    for (f, inbox, _), fid in zip(new, ids, strict=True):
        item = WorkItem(fid, inbox, f.rel_path, str(f.path.absolute()), f.sha256, f.size, f.media_type)
        # earlier rows of this very file (a failed batch's pending rows) follow it when it moves
        item.also_update = [r.id for r in known.rows_of_file(f.sha256, inbox, f.rel_path) if r.id != fid]
        letter_id = known.loaded_letter(f.sha256)
        if letter_id is not None:
            reason = Reason("duplicate_file", INGEST_REASON_CODES["duplicate_file"])
            warehouse.mark_file(engine, fid, FileStatus.DUPLICATE, [reason.code], {reason.code: reason.message})
            item.status, item.reasons, item.letter_id = FileStatus.DUPLICATE, [reason], letter_id
            plan.settled.append(item)
        else:
            plan.work.append(item)
    log.info(
        "planned batch %s: %d to process, %d settled, %d recovered, %d skipped, %d unstable, %d ignored, "
        "%d claimed by another run, %d paths repaired",
        batch_id,
        len(plan.work),
        len(plan.settled),
        len(plan.recovered),
        plan.skipped,
        plan.unstable,
        plan.ignored,
        plan.claimed,
        plan.repaired,
    )
    return plan


def _moved_copies(roots: Sequence[Path], rel_path: str) -> list[Path]:
    """Where a file of ``rel_path`` may have been moved: ``root/<day>/<rel_path>`` and its
    collision names (``<stem>.<n><suffix>``), for every dated folder of every root."""
    try:
        rel = safe_rel_path(rel_path)
    except ValueError:
        return []
    found: list[Path] = []
    for root in roots:
        try:
            days = sorted(d for d in Path(root).iterdir() if d.is_dir())
        except OSError:
            continue
        for day in days:
            target = day / rel
            pattern = glob.escape(target.stem) + ".*" + glob.escape(target.suffix)
            for cand in [target, *sorted(target.parent.glob(pattern))]:
                if cand.is_file() and not cand.is_symlink() and cand not in found:
                    found.append(cand)
    return found


def repair_moved(engine: Engine, inboxes: Sequence[str], roots: Sequence[Path]) -> int:
    """Correct ``current_path`` of files moved by a run that died before recording the move.

    A row with a final status whose ``current_path`` still names a file in one of ``inboxes``
    that is no longer there is looked for in ``roots`` (archive, quarantine) by its relative path
    and verified by its SHA-256; found, every row of that file gets the new path (and a missing
    quarantine sidecar is written from the ledger's reasons). Returns how many files were repaired.
    """
    repaired = 0
    done: set[tuple[str, str, str]] = set()
    for row in ledger.final_rows_under(engine, inboxes):
        key = (row.sha256, row.inbox, row.rel_path)
        if key in done or row.current_path is None or os.path.lexists(row.current_path):
            continue
        done.add(key)
        cands = [c for c in _moved_copies(roots, row.rel_path) if str(c) not in ledger.paths_in_use(engine, [str(c)])]
        match = next((c for c in cands if _sha_or_none(c) == row.sha256), None)
        if match is None:
            log.warning("file %s of batch %s is gone and was not found moved", log_safe(row.rel_path), row.batch_id)
            continue
        for r in ledger.rows_of_file(engine, *key):
            warehouse.set_current_path(engine, r.id, str(match))
        if row.status in SET_ASIDE and not sidecar_path(match).exists():
            reasons = [Reason(c, m) for c, m in warehouse.quarantine_reasons_of(engine, row.id).items()]
            reasons = reasons or [Reason(c, INGEST_REASON_CODES.get(c, c)) for c in row.reason_codes]
            info = {"sha256": row.sha256, "status": row.status, "batch_id": row.batch_id, "rel_path": row.rel_path}
            write_sidecar(match, reasons, info=info)
        log.info("repaired %s: found moved to %s", log_safe(row.rel_path), log_safe(match.name))
        repaired += 1
    return repaired


def _sha_or_none(path: Path) -> str | None:
    try:
        return sha256_file(path)
    except OSError:
        return None


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
            warehouse.mark_file(engine, fid, FileStatus.REJECTED, item.codes, {r.code: r.message for r in item.reasons})
            plan.settled.append(item)
        elif not path.is_file() or sha256_file(path) != row.sha256:
            reason = Reason("file_missing", INGEST_REASON_CODES["file_missing"])
            item.status, item.reasons = FileStatus.FAILED, [reason]
            warehouse.mark_file(engine, fid, FileStatus.FAILED, [reason.code], {reason.code: reason.message})
            plan.settled.append(item)
        else:
            plan.work.append(item)
    log.info(
        "planned rerun %s of %s: %d to process, %d skipped", batch_id, parent_batch_id, len(plan.work), plan.skipped
    )
    return plan
