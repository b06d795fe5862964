"""The imr-etl warehouse: schema, migrations, engine, file ledger, batches, loading and export.

Prefect-free and Great-Expectations-free. Every write goes through
:func:`warehouse.engine.transaction` with bound parameters; every function takes an
:class:`sqlalchemy.engine.Engine` and raises :class:`imr.errors.WarehouseUnavailableError`
(transient: retry) when the warehouse cannot be reached or a lock/conflict timed out.

API (all importable from ``warehouse``)::

    # engine and schema
    make_engine(url: str | URL, *, echo=False) -> Engine     # sqlite:///path | postgresql+psycopg://...
    transaction(engine) -> ContextManager[Connection]        # engine.begin() + error mapping
    upgrade(engine, revision="head") -> None                 # Alembic, in code; run before first use
    downgrade(engine, revision="base") -> None
    current_revision(engine) -> str | None

    # batches
    start_batch(engine, kind, inboxes, parent_batch_id=None, flow_run_id=None, batch_id=None) -> str
        # kind: ingest | rerun | backfill; status running; idempotent when batch_id is given
    finish_batch(engine, batch_id, status, counts=None) -> BatchRow
        # status: completed | completed_with_quarantine | failed (| running);
        # counts: BatchCounts or {files_seen, loaded, duplicates, rejected, quarantined, linked, failed};
        # None = computed from the batch's source_files
    batch_counts(engine, batch_id) -> BatchCounts
    get_batch(engine, batch_id) -> BatchRow | None
    list_batches(engine, limit=None) -> list[BatchRow]            # newest first
    resolve_batch_id(engine, id_or_prefix) -> str                # UnknownBatchError when not exactly one

    # the file ledger
    register_file(engine, batch_id, inbox, rel_path, sha256, size, media_type, current_path=None) -> file_id
        # status pending; idempotent on (batch_id, sha256, inbox, rel_path);
        # current_path defaults to inbox/rel_path
    register_files(engine, batch_id, [NewFile(inbox, rel_path, sha256, size, media_type)]) -> [file_id]
        # the same for many files in one transaction
    find_loaded_sha(engine, sha256) -> letter_id | None          # content already loaded/linked/duplicate?
    mark_file(engine, file_id, status, reason_codes=(), messages=None, current_path=None, dq_failures=())
        -> FileRow
        # status: rejected | quarantined | duplicate | failed | pending; messages: {code: message};
        # rejected/quarantined codes -> quarantine_reasons, same transaction; idempotent;
        # engine: a transaction of its own; a connection: inside the caller's (set_aside)
    set_current_path(engine, file_id, current_path) -> None     # after a move to archive/quarantine
    set_current_paths(engine, [(file_id, current_path), ...]) -> None   # many in one transaction
    get_file(engine, file_id) -> FileRow | None
    list_files(engine, batch_id) -> list[FileRow]
    files_to_rerun(engine, batch_id) -> list[FileRow]           # failed, pending, rejected, quarantined
    quarantine_reasons_of(engine, file_id) -> dict[code, message]

    # file claims (two runs on one inbox process each file once)
    claim_files(engine, batch_id, keys, ttl_seconds) -> set[key]  # key = (sha256, inbox, rel_path);
        # one INSERT .. ON CONFLICT DO UPDATE .. WHERE .. RETURNING: free, own, expired, or of a
        # batch no longer running -> held by this batch; else another run has it
    renew_claims(engine, batch_id, ttl_seconds) -> int           # between chunks of a long run
    release_claims(engine, batch_id, keys=None) -> int           # at the end of a run
    list_claims(engine, batch_id=None) -> list[Claim]

    # loading (one transaction per letter)
    load_letter(engine, file_id, record: LetterRecord, dq_failures=()) -> LoadResult
    load_letters(engine, [(file_id, record, dq_failures), ...]) -> [LoadResult | IntegrityError | DataError]
        # one transaction per chunk, a SAVEPOINT per letter: a bad letter rolls back alone
        # LoadResult(status: loaded | linked | duplicate | quarantined, letter_id, file_id, reasons)
        # same content again -> duplicate; same case number, other content -> a new version of the
        # case (linked when a copy of a determination it holds; quarantined, case_version_conflict,
        # when it differs from another letter of the same decision date: kept, in review);
        # the same file again -> its earlier result. ValueError for a record that is not parsed.
        # record.source.path is not stored: export uses the file's rel_path, so extract with
        # display_path = rel_path for an exact round trip.

    # data quality
    store_dq_results(engine, batch_id, results: Sequence[ExpectationResult]) -> None  # upsert (suite, expectation)
    dq_results(engine, batch_id) -> list[ExpectationResult]
    dq_failures_of(engine, file_id) -> list[DqFailure]
    drift_results(engine, batch_id) -> list[ExpectationResult]             # suite "drift" (batch-level)
    failed_expectations(engine, batch_id) -> list[str]            # names, for imr batches --json
    # ExpectationResult, DqFailure and BatchCounts are the vocabulary of imr.outcomes

    # export (the letters of a case number are its versions: warehouse.versions)
    export_records(engine, ids=None, all_versions=False) -> Iterator[LetterRecord]
        # current letters (all with all_versions) by case number (None last), decision date, sha256
    export_versions(engine, ids=None, all_versions=True) -> Iterator[(LetterRecord, LetterVersion)]
        # LetterVersion(current, superseded_by sha256, status).to_dict(): the contract's "version"
    export_record(engine, letter_id, evidence=False) -> LetterRecord | None
        # a reviewed letter carries its review; evidence=True: its stored evidence
    letter_for_case(engine, case_number) -> (LetterRecord with evidence, file path | None) | None
        # the letter of a case a person looks at (current, else in review) and where its file is

    # the review queue (warehouse.review; pipeline.review is the API people use)
    set_aside(engine, file_id, status, codes, messages, dq_failures=(), review=NewItem | None)
        -> (FileRow, item id | None)    # mark_file and the item in ONE transaction
    load_reviewed(engine, file_id, record, dq_failures=(), item_id=N) -> LoadResult
        # the letter a person settled: loaded (or its stored letter in review rewritten), the item
        # resolved and audited, in one transaction; still in conflict: nothing written
    list_review_items(engine, statuses=(waiting,)) / get_review_item(engine, id) / reject_review_item(...)

Typical flow::

    engine = make_engine(get_settings().warehouse_url()); upgrade(engine)
    batch = start_batch(engine, "ingest", [str(p) for p in inboxes], flow_run_id=...)
    fid = register_file(engine, batch, inbox, rel_path, sha, size, media_type)
    if find_loaded_sha(engine, sha): mark_file(engine, fid, "duplicate") ...
    res = load_letter(engine, fid, record)            # or mark_file(engine, fid, "rejected", codes)
    set_current_path(engine, fid, archived_path)      # only after the outcome is committed
    finish_batch(engine, batch, "completed")
"""

from __future__ import annotations

from warehouse.batches import (
    BatchRow,
    UnknownBatchError,
    batch_counts,
    finish_batch,
    get_batch,
    list_batches,
    resolve_batch_id,
    start_batch,
)
from warehouse.claims import Claim, ClaimKey, claim_files, list_claims, release_claims, renew_claims
from warehouse.engine import describe_error, is_transient, make_engine, reading, transaction
from warehouse.export import (
    LetterVersion,
    export_record,
    export_records,
    export_versions,
    letter_for_case,
    letter_ids,
)
from warehouse.files import (
    FileRow,
    NewFile,
    files_to_rerun,
    find_loaded_sha,
    get_file,
    list_files,
    mark_file,
    quarantine_reasons_of,
    register_file,
    register_files,
    set_current_path,
    set_current_paths,
)
from warehouse.history import batch_history, batch_profile
from warehouse.load import ChunkLoad, LoadResult, load_letter, load_letters, load_records, load_reviewed
from warehouse.migrations import current_revision, downgrade, head_revision, upgrade
from warehouse.quality import dq_failures_of, dq_results, drift_results, failed_expectations, store_dq_results
from warehouse.review import NewItem, item_of, set_aside
from warehouse.review import get_item as get_review_item
from warehouse.review import list_items as list_review_items
from warehouse.review import reject as reject_review_item

__all__ = [
    "BatchRow",
    "ChunkLoad",
    "Claim",
    "ClaimKey",
    "FileRow",
    "LetterVersion",
    "LoadResult",
    "NewFile",
    "NewItem",
    "UnknownBatchError",
    "batch_counts",
    "batch_history",
    "batch_profile",
    "claim_files",
    "current_revision",
    "describe_error",
    "downgrade",
    "dq_failures_of",
    "dq_results",
    "drift_results",
    "export_record",
    "export_records",
    "export_versions",
    "failed_expectations",
    "files_to_rerun",
    "find_loaded_sha",
    "finish_batch",
    "get_batch",
    "get_file",
    "get_review_item",
    "head_revision",
    "is_transient",
    "item_of",
    "letter_for_case",
    "letter_ids",
    "list_batches",
    "list_claims",
    "list_files",
    "list_review_items",
    "load_letter",
    "load_letters",
    "load_records",
    "load_reviewed",
    "make_engine",
    "mark_file",
    "quarantine_reasons_of",
    "reading",
    "register_file",
    "register_files",
    "reject_review_item",
    "release_claims",
    "renew_claims",
    "resolve_batch_id",
    "set_aside",
    "set_current_path",
    "set_current_paths",
    "start_batch",
    "store_dq_results",
    "transaction",
    "upgrade",
]
