"""The chunk stages of an ingest run: extract -> validate -> load -> settle (archive/quarantine).

Each stage takes a chunk of :class:`~pipeline.work.WorkItem` and returns new items (inputs are
never mutated, so a retried task starts from the same input). Only ``load`` and ``settle`` write
to the warehouse, and ``settle`` moves a file only for an outcome that ``load`` committed.
A letter set aside for a reason a person can settle (an unreadable decision, OCR doubt, a failed
critical expectation, a version conflict) enters the review queue in the transaction that
records its set-aside (:func:`warehouse.set_aside`, :mod:`pipeline.review`).
Logs carry file names (relative paths), case numbers, counts and codes: never letter text.
"""

from __future__ import annotations

import atexit
import dataclasses
import datetime as dt
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

import warehouse
from expectations import BY_NAME, validate_records
from imr.models import LetterRecord
from imr.outcomes import DqFailure, ExpectationResult, FileStatus, Level
from imr.settings import Settings
from pipeline.isolation import IsolatedExtractor, Limits
from pipeline.lifecycle import Reason, archive_file, quarantine_file, sidecar_path, sync_dirs, write_sidecar
from pipeline.stop import Pulse
from pipeline.work import INGEST_REASON_CODES, Tally, WorkItem

log = logging.getLogger("imr.pipeline")


@dataclass
class Validated:
    """A validated chunk: its items (critical failures now ``quarantined``), per-expectation results
    and, by file id, every expectation each letter failed (stored with the letter or the file)."""

    items: list[WorkItem]
    results: list[ExpectationResult] = field(default_factory=list)
    dq: dict[str, list[DqFailure]] = field(default_factory=dict)


@dataclass
class ChunkOutcome:
    """What a processed chunk hands back: the tally of its settled files and its expectation results."""

    tally: Tally
    results: list[ExpectationResult] = field(default_factory=list)
    interrupted: bool = False  # asked to stop: files not reached yet were left pending


def _copy(item: WorkItem, **changes: Any) -> WorkItem:
    """A copy of ``item`` (its lists copied too) with ``changes`` applied."""
    changes.setdefault("reasons", list(item.reasons))
    changes.setdefault("also_update", list(item.also_update))
    return dataclasses.replace(item, **changes)


# --------------------------------------------------------------------------- extract


_extractors: dict[Limits, IsolatedExtractor] = {}
_extractors_lock = threading.Lock()


def extractor_for(settings: Settings) -> IsolatedExtractor:
    """This process's isolated extractor for ``settings``' limits (one child process, reused by
    every chunk the process handles; closed when the process exits)."""
    limits = Limits.from_settings(settings)
    with _extractors_lock:
        ex = _extractors.get(limits)
        if ex is None:
            ex = _extractors[limits] = IsolatedExtractor(settings)
            atexit.register(ex.close)
        return ex


def extract_item(item: WorkItem, extractor: IsolatedExtractor) -> WorkItem:
    """Extract one pending file in the isolated extractor; the result carries the record or a
    ``rejected``/``failed`` outcome.

    Never raises for bad input: a file over a cap, timing out, exhausting memory or crashing its
    worker is ``rejected`` with its code (``extract_timeout``, ``extract_memory``, ``extract_crash``,
    ...); an extractor bug becomes ``rejected`` with ``internal_error`` (the file is kept in
    quarantine); bytes that changed since discovery become ``failed`` with ``file_changed`` (the
    file stays where it is for the next run).
    """
    if item.status != FileStatus.PENDING:
        return _copy(item)
    record = extractor.extract(Path(item.path), item.rel_path, sha256=item.sha256)
    if record.source.sha256 != item.sha256:
        reason = Reason("file_changed", INGEST_REASON_CODES["file_changed"])
        return _copy(item, status=FileStatus.FAILED, reasons=[reason])
    if record.status != "parsed" or record.letter is None:
        reasons = [Reason(e.code, e.message) for e in record.errors] or [Reason("parse_error", "not parsed")]
        # a letter a person can settle keeps its record (partial letter, evidence) for the queue
        keep = record if warehouse.item_of(record, [r.code for r in reasons]) is not None else None
        return _copy(item, status=FileStatus.REJECTED, reasons=reasons, record=keep)
    return _copy(item, record=record, case_number=record.letter.case_number)


def extract_chunk(items: Sequence[WorkItem], settings: Settings, pulse: Pulse | None = None) -> list[WorkItem]:
    """:func:`extract_item` over a chunk, in this process's isolated extractor. With a ``pulse``,
    its progress is recorded as it goes, and when the run is asked to stop the files not reached
    yet come back untouched (``pending``: they stay where they are for the next run)."""
    extractor = extractor_for(settings)
    out: list[WorkItem] = []
    for n, item in enumerate(items):
        if pulse is not None and not pulse.beat(n):
            out += [_copy(i) for i in items[n:]]
            log.warning("stopped after %d of %d files of the chunk", n, len(items))
            break
        out.append(extract_item(item, extractor))
    rejected = sum(1 for i in out if i.status == FileStatus.REJECTED)
    log.info("extracted %d files: %d parsed, %d rejected", len(out), len(out) - rejected, rejected)
    return out


# --------------------------------------------------------------------------- validate


def validate_chunk(items: Sequence[WorkItem], *, today: dt.date | None = None) -> Validated:
    """Run the expectations once over the chunk's parsed records.

    A letter failing a critical expectation becomes ``quarantined`` with ``dq_<name>`` reason codes;
    warning-level failures are kept in ``Validated.dq`` (by file id) to be stored with the letter.
    """
    out = [_copy(i) for i in items]
    todo = [n for n, i in enumerate(out) if i.status == FileStatus.PENDING and i.record is not None]
    records: list[LetterRecord] = [r for n in todo if (r := out[n].record) is not None]
    if not records:
        return Validated(out)
    report = validate_records(records, today=today)
    dq: dict[str, list[DqFailure]] = {}
    for k, n in enumerate(todo):
        item = out[n]
        failures = report.failures_of(k)
        if not failures:
            continue
        dq[item.file_id] = failures
        if report.is_quarantined(k):
            item.status = FileStatus.QUARANTINED
            item.reasons = [
                Reason(f.code, BY_NAME[f.expectation].description) for f in report.sorted_failures(k, Level.CRITICAL)
            ]
    results = list(report.results)
    log.info("validated %d letters: %d quarantined", len(records), len(report.quarantined))
    return Validated(out, results, dq)


# --------------------------------------------------------------------------- load


def load_chunk(engine: Engine, validated: Validated) -> list[WorkItem]:
    """Commit every item's outcome: the chunk's letters in one transaction (a SAVEPOINT each: a
    letter breaking a constraint rolls back alone and is quarantined), every other outcome marked.

    Idempotent (a retried chunk reloads nothing twice). Raises
    :class:`imr.errors.WarehouseUnavailableError` when the warehouse is down (retry the chunk).
    """
    out = [_copy(item, record=None) for item in validated.items]  # the letters go to the warehouse
    letters = [(n, item) for n, item in enumerate(validated.items) if item.status == FileStatus.PENDING and item.record]
    loads = warehouse.load_letters(
        engine, [(i.file_id, i.record, validated.dq.get(i.file_id, [])) for _, i in letters if i.record]
    )
    for (n, _), res in zip(letters, loads, strict=True):
        done = out[n]
        if isinstance(res, warehouse.LoadResult):  # committed (quarantined: kept, in review)
            done.status, done.letter_id = FileStatus(res.status), res.letter_id
            done.reasons = [Reason(code, message) for code, message in res.reasons] or done.reasons
        else:  # breaks a constraint or a column size
            reason = Reason("warehouse_constraint", INGEST_REASON_CODES["warehouse_constraint"])
            done.status, done.reasons = FileStatus.QUARANTINED, [reason]
    loaded = {n for (n, _), res in zip(letters, loads, strict=True) if isinstance(res, warehouse.LoadResult)}
    for n, done in enumerate(out):
        if n not in loaded and done.status != FileStatus.PENDING:
            _mark(engine, done, validated.dq.get(done.file_id, []), validated.items[n].record)
    return out


def _mark(
    engine: Engine, item: WorkItem, failures: Sequence[DqFailure] = (), record: LetterRecord | None = None
) -> None:
    """Record the item's outcome; a set-aside letter a person can settle enters the review queue
    in the same transaction."""
    messages = {r.code: r.message for r in item.reasons}
    review = warehouse.item_of(record, item.codes) if record is not None else None
    warehouse.set_aside(engine, item.file_id, item.status, item.codes, messages, dq_failures=failures, review=review)


# --------------------------------------------------------------------------- settle


@dataclass(frozen=True)
class Destinations:
    """Where settled files go, and whether they move at all (a backfill leaves history in place)."""

    archive_root: Path
    quarantine_root: Path
    day: dt.date
    move_files: bool = True


def _under(path: Path, root: Path) -> bool:
    try:
        path.absolute().relative_to(root.absolute())
    except ValueError:
        return False
    return True


def move_item(item: WorkItem, dest: Destinations, batch_id: str) -> WorkItem:
    """Move one file whose outcome is committed; return the item (``moved_to`` set when it moved).
    Its new folder is flushed to disk and where it went recorded by :func:`settle_chunk`.

    Archive for loaded/linked/duplicate, quarantine (with sidecar) for rejected/quarantined, nothing
    for other statuses or when ``dest.move_files`` is false. A file already in the right place
    (a rerun of a quarantined file that is quarantined again) stays; its sidecar is rewritten.
    A vanished file is logged and skipped. Other ``OSError`` propagate: the next run finishes.
    """
    done = _copy(item)
    src = Path(item.path)
    where = item.disposition
    if where == "keep" or not dest.move_files:
        return done
    info = {"sha256": item.sha256, "status": item.status, "batch_id": batch_id, "rel_path": item.rel_path}
    try:
        if where == "archive":
            if _under(src, dest.archive_root):
                return done
            new = archive_file(src, dest.archive_root, item.rel_path, dest.day, sync=False)
            old_sidecar = sidecar_path(src)
            if _under(src, dest.quarantine_root) and old_sidecar.exists():
                old_sidecar.unlink()
        elif _under(src, dest.quarantine_root):
            write_sidecar(src, item.reasons, info=info)
            return done
        else:
            new = quarantine_file(
                src, dest.quarantine_root, item.rel_path, dest.day, item.reasons, info=info, sync=False
            )
    except FileNotFoundError:
        log.warning("settle %s: file is gone; left as recorded", item.rel_path)
        return done
    done.moved_to = str(new)
    done.path = str(new)
    return done


#: Moves recorded in one transaction. A run dying between a move and its record leaves the ledger's
#: path stale; the next run finds such files by their hash (:func:`pipeline.planning.repair_moved`).
RECORD_MOVES_EVERY = 100


def _record_moves(engine: Engine, moved: Sequence[WorkItem]) -> None:
    """Flush the moved files' new folders to disk, then record where the files are now: every
    ledger row of each (its own and ``also_update``)."""
    sync_dirs(Path(str(i.moved_to)).parent for i in moved)
    paths = {fid: str(i.moved_to) for i in moved for fid in (i.file_id, *i.also_update)}
    warehouse.set_current_paths(engine, list(paths.items()))


def settle_chunk(engine: Engine, items: Sequence[WorkItem], dest: Destinations, batch_id: str) -> list[WorkItem]:
    """Move a chunk's files (:func:`move_item`, in order) and record where they went, a hundred
    moves per transaction. The first unexpected error stops the chunk; the moves made before it
    are recorded all the same."""
    out: list[WorkItem] = []
    unrecorded: list[WorkItem] = []
    try:
        for item in items:
            out.append(move_item(item, dest, batch_id))
            if out[-1].moved_to:
                unrecorded.append(out[-1])
            if len(unrecorded) >= RECORD_MOVES_EVERY:
                _record_moves(engine, unrecorded)
                unrecorded = []
    finally:
        _record_moves(engine, unrecorded)
    log.info("settled %d files: %d moved", len(out), sum(1 for i in out if i.moved_to))
    return out


def process_chunk(
    engine: Engine, chunk: Sequence[WorkItem], dest: Destinations, batch_id: str, settings: Settings
) -> ChunkOutcome:
    """Extract, validate (one GX run), load (outcomes committed) and settle (files moved) one chunk;
    the batch's claims on its files are renewed first (a long batch keeps them). Its progress is
    recorded every few seconds; asked to stop, it finishes the letters it extracted (validated,
    loaded, moved) and leaves the rest pending (:mod:`pipeline.stop`)."""
    warehouse.renew_claims(engine, batch_id, settings.claim_ttl_seconds)
    pulse = Pulse(engine, batch_id, chunk[0].file_id if chunk else "empty", len(chunk))
    validated = validate_chunk(extract_chunk(chunk, settings, pulse))
    loaded = load_chunk(engine, validated)
    tally = Tally.of(i for i in settle_chunk(engine, loaded, dest, batch_id) if i.status != FileStatus.PENDING)
    pulse.beat(tally.files, force=True)
    return ChunkOutcome(tally, validated.results, interrupted=pulse.stopped)
