"""Loading one extracted letter: all its rows in one transaction, idempotent by content and case.

For a registered source file and its parsed :class:`imr.models.LetterRecord`,
:func:`load_letter` decides, inside one transaction:

* the file was already loaded/linked/deduplicated -> the same result again (a retried task);
* a file with the same sha256 is already in the warehouse -> ``duplicate`` (no new rows);
* a letter with the same case number exists -> ``linked``: the file is attached to it
  (``letter_files``), no second letter;
* otherwise -> ``loaded``: the letter, reviewer, diagnoses, items, guideline citations and the
  record's errors are inserted, and the file points at the letter.

Either everything commits or nothing does. Two loads racing for the same content or case number
both succeed: the loser hits a unique constraint, rolls back and is decided again (duplicate/linked).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.engine import Connection, Engine

from imr.models import Letter, LetterRecord
from imr.outcomes import DqFailure
from warehouse import schema as s
from warehouse.batches import utcnow
from warehouse.columns import letter_columns
from warehouse.engine import reading, transaction
from warehouse.files import DONE_STATUSES, loaded_letter_of_sha
from warehouse.quality import insert_dq_failures

LoadStatus = Literal["loaded", "linked", "duplicate"]


@dataclass(frozen=True)
class LoadResult:
    """What loading a file did: ``loaded`` a new letter, ``linked`` it to one, or ``duplicate``."""

    status: LoadStatus
    letter_id: str
    file_id: str


def load_letter(
    engine: Engine,
    file_id: str,
    record: LetterRecord,
    dq_failures: Sequence[DqFailure] = (),
) -> LoadResult:
    """Load ``record`` (extracted from the registered file ``file_id``) in one transaction.

    ``dq_failures`` (warning-level expectations the letter failed) are stored in
    ``dq_letter_failures`` in the same transaction. Idempotent (see the module docstring).

    Raises ``ValueError`` when the record is not ``parsed`` or its sha256 is not the file's,
    ``KeyError`` for an unknown file, :class:`sqlalchemy.exc.IntegrityError` when the record
    breaks a constraint (nothing is written), :class:`imr.errors.WarehouseUnavailableError`
    when the warehouse is unreachable or locked (retry).
    """
    if record.status != "parsed" or record.letter is None:
        raise ValueError(f"only parsed records are loaded (file {file_id}, status {record.status})")
    letter = record.letter
    for attempt in (1, 2):
        try:
            with transaction(engine) as conn:
                return _load(conn, file_id, record, letter, dq_failures)
        except exc.IntegrityError:
            if attempt == 2 or not _taken(engine, record.source.sha256, letter.case_number):
                raise
    raise AssertionError("unreachable")  # pragma: no cover


#: What loading one letter of a chunk gave: its result, or the error that rolled it back alone.
ChunkLoad = LoadResult | exc.IntegrityError | exc.DataError


def load_letters(
    engine: Engine, entries: Sequence[tuple[str, LetterRecord, Sequence[DqFailure]]]
) -> list[ChunkLoad]:
    """Load a chunk of ``(file_id, record, dq_failures)`` in ONE transaction, each letter in its own
    SAVEPOINT: a letter breaking a constraint or a column size rolls back alone and its error is
    returned in its place; the others commit together (one commit per chunk, not per letter).

    Same idempotence and races as :func:`load_letter` (a letter losing a unique-constraint race
    to another transaction is decided again). Raises ``ValueError`` for a record that is not
    parsed, :class:`imr.errors.WarehouseUnavailableError` when the warehouse is down (nothing of
    the chunk is committed then: retry it).
    """
    for file_id, record, _ in entries:
        if record.status != "parsed" or record.letter is None:
            raise ValueError(f"only parsed records are loaded (file {file_id}, status {record.status})")
    out: list[ChunkLoad] = []
    with transaction(engine) as conn:
        for file_id, record, failures in entries:
            assert record.letter is not None
            out.append(_load_in_savepoint(conn, file_id, record, record.letter, failures))
    return out


def _load_in_savepoint(
    conn: Connection, file_id: str, record: LetterRecord, letter: Letter, failures: Sequence[DqFailure]
) -> ChunkLoad:
    for attempt in (1, 2):
        try:
            with conn.begin_nested():
                return _load(conn, file_id, record, letter, failures)
        except (exc.IntegrityError, exc.DataError) as e:
            if attempt == 2 or isinstance(e, exc.DataError) or not _taken_in(conn, record.source.sha256, letter):
                return e
    raise AssertionError("unreachable")  # pragma: no cover


def _taken_in(conn: Connection, sha256: str, letter: Letter) -> bool:
    """Whether this content or case number is in the warehouse now (another transaction loaded it)."""
    cond = s.letters.c.content_sha256 == sha256
    if letter.case_number is not None:
        cond = cond | (s.letters.c.case_number == letter.case_number)
    return conn.execute(sa.select(s.letters.c.id).where(cond).limit(1)).first() is not None


def _taken(engine: Engine, sha256: str, case_number: str | None) -> bool:
    """Whether another transaction has meanwhile loaded this content or case number."""
    with reading(engine) as conn:
        return _taken_in(conn, sha256, Letter(case_number=case_number))


def _load(
    conn: Connection, file_id: str, record: LetterRecord, letter: Letter, dq_failures: Sequence[DqFailure]
) -> LoadResult:
    f = conn.execute(
        sa.select(s.source_files).where(s.source_files.c.id == file_id).with_for_update()
    ).first()
    if f is None:
        raise KeyError(f"unknown source file {file_id}")
    if f.sha256 != record.source.sha256:
        raise ValueError(f"record sha256 does not match source file {file_id}")
    if f.status in DONE_STATUSES and f.letter_id is not None:
        return LoadResult(f.status, f.letter_id, file_id)

    now = utcnow()
    file_values: dict[str, Any] = {
        "pages": record.source.pages,
        "ocr": record.source.ocr,
        "media_type": record.source.media_type,
        "reason_codes": [],
        "updated_at": now,
    }

    result: LoadResult
    existing = (
        loaded_letter_of_sha(conn, f.sha256)
        or conn.execute(sa.select(s.letters.c.id).where(s.letters.c.content_sha256 == f.sha256)).scalar()
    )
    if existing is not None:
        result = LoadResult("duplicate", existing, file_id)
    else:
        same_case = (
            conn.execute(
                sa.select(s.letters.c.id).where(s.letters.c.case_number == letter.case_number)
            ).scalar()
            if letter.case_number is not None
            else None
        )
        if same_case is not None:
            conn.execute(
                sa.insert(s.letter_files).values(
                    letter_id=same_case, source_file_id=file_id, role="linked", linked_at=now
                )
            )
            result = LoadResult("linked", same_case, file_id)
        else:
            letter_id = str(uuid.uuid4())
            _insert_letter(conn, letter_id, f.batch_id, file_id, f.sha256, record, letter)
            result = LoadResult("loaded", letter_id, file_id)

    conn.execute(
        sa.update(s.source_files)
        .where(s.source_files.c.id == file_id)
        .values(status=result.status, letter_id=result.letter_id, **file_values)
    )
    # a file quarantined earlier and loaded on a rerun keeps no stale reasons
    conn.execute(sa.delete(s.quarantine_reasons).where(s.quarantine_reasons.c.source_file_id == file_id))
    if dq_failures:
        insert_dq_failures(conn, f.batch_id, file_id, result.letter_id, dq_failures)
    return result


def _insert_letter(
    conn: Connection,
    letter_id: str,
    batch_id: str,
    file_id: str,
    sha256: str,
    record: LetterRecord,
    letter: Letter,
) -> None:
    now = utcnow()
    conn.execute(
        sa.insert(s.letters).values(
            id=letter_id,
            content_sha256=sha256,
            **letter_columns(letter),
            batch_id=batch_id,
            first_file_id=file_id,
            loaded_at=now,
        )
    )
    conn.execute(
        sa.insert(s.letter_files).values(
            letter_id=letter_id, source_file_id=file_id, role="first", linked_at=now
        )
    )
    _insert_many(
        conn,
        s.letter_errors,
        [
            {"letter_id": letter_id, "position": i, "code": e.code, "message": e.message}
            for i, e in enumerate(record.errors)
        ],
    )
    for table, column, values in (
        (s.reviewer_specialties, "specialty", letter.reviewer.specialties),
        (s.reviewer_licensure_states, "state", letter.reviewer.licensure_states),
        (s.diagnoses, "diagnosis", letter.diagnoses),
    ):
        _insert_many(
            conn, table, [{"letter_id": letter_id, "position": i, column: v} for i, v in enumerate(values)]
        )
    item_rows: list[dict[str, Any]] = []
    citation_rows: list[dict[str, Any]] = []
    for item in letter.items:
        item_id = str(uuid.uuid4())
        item_rows.append(
            {
                "id": item_id,
                "letter_id": letter_id,
                "ordinal": item.ordinal,
                "request": item.request,
                "decision": item.decision,
                "rationale": item.rationale,
                "service_category": item.service_category,
                "service_subcategory": item.service_subcategory,
                "drug_class": item.drug_class,
            }
        )
        for party, guideline in (
            ("claims_administrator", item.claims_administrator_guideline),
            ("reviewer", item.reviewer_guideline),
        ):
            citation_rows.append(
                {"item_id": item_id, "party": party, "source": guideline.source, "text": guideline.text}
            )
    _insert_many(conn, s.items, item_rows)
    _insert_many(conn, s.guideline_citations, citation_rows)


def _insert_many(conn: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(sa.insert(table), rows)


def load_records(
    engine: Engine, records: Sequence[LetterRecord], *, inbox: str = "/records", status: str = "completed"
) -> str:
    """Load already-extracted ``records`` as one finished batch (each file registered, then loaded
    in one transaction per chunk): for demos, benchmarks and backfills of records from elsewhere.
    Returns the batch id."""
    from warehouse.batches import finish_batch, start_batch
    from warehouse.files import register_file

    batch = start_batch(engine, "ingest", [inbox])
    entries = [
        (register_file(engine, batch, inbox, r.source.path, r.source.sha256, 0, r.source.media_type), r, ())
        for r in records
    ]
    load_letters(engine, entries)
    finish_batch(engine, batch, status)
    return batch
