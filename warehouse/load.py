"""Loading one extracted letter: all its rows in one transaction, idempotent by content and case.

For a registered source file and its parsed :class:`imr.models.LetterRecord`,
:func:`load_letter` decides, inside one transaction:

* the file was already loaded/linked/deduplicated -> the same result again (a retried task);
* a file with the same sha256 is already in the warehouse -> ``duplicate`` (no new rows);
* a letter with the same case number exists -> ``linked``: the file is attached to it
  (``letter_files``), no second letter;
* otherwise -> ``loaded``: the letter, reviewer, diagnoses, items, guideline citations and the
  record's errors are inserted, and the file points at the letter.

Either everything of a letter commits or nothing does. :func:`load_letters` loads a chunk in one
transaction with a few multi-row statements (the same decisions, taken letter after letter in
memory), falling back to one SAVEPOINT per letter only when some letter breaks a constraint. Two loads
racing for the same content or case number both succeed: the loser hits a unique constraint, rolls
back and is decided again (duplicate/linked).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.engine import Connection, Engine

from imr.models import Letter, LetterRecord
from imr.outcomes import DqFailure
from warehouse import schema as s
from warehouse.batches import utcnow
from warehouse.columns import letter_columns
from warehouse.engine import key_batches, reading, select_in, transaction
from warehouse.files import DONE_STATUSES, carried_letters
from warehouse.quality import dq_failure_rows, insert_dq_rows

LoadStatus = Literal["loaded", "linked", "duplicate"]


@dataclass(frozen=True)
class LoadResult:
    """What loading a file did: ``loaded`` a new letter, ``linked`` it to one, or ``duplicate``."""

    status: LoadStatus
    letter_id: str
    file_id: str


#: What one entry of a chunk is: the registered file's id, its parsed record, the warning-level
#: expectations it failed.
Entry = tuple[str, LetterRecord, Sequence[DqFailure]]


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
    _check_parsed([(file_id, record, dq_failures)])
    for attempt in (1, 2):
        try:
            with transaction(engine) as conn:
                return _load(conn, [(file_id, record, dq_failures)])[0]
        except exc.IntegrityError:
            if attempt == 2 or not _taken(engine, record):
                raise
    raise AssertionError("unreachable")  # pragma: no cover


#: What loading one letter of a chunk gave: its result, or the error that rolled it back alone.
ChunkLoad = LoadResult | exc.IntegrityError | exc.DataError


def load_letters(engine: Engine, entries: Sequence[Entry]) -> list[ChunkLoad]:
    """Load a chunk of ``(file_id, record, dq_failures)`` in ONE transaction, each letter atomic:
    a letter breaking a constraint or a column size rolls back alone and its error is returned in
    its place; the others commit together (one commit per chunk, not per letter).

    The chunk is first written at once (a few multi-row statements, in a SAVEPOINT); only when that
    fails is it written again letter by letter, each in its own SAVEPOINT, so the bad letter is
    found and rolled back alone. Same idempotence and races as :func:`load_letter` (a letter losing
    a unique-constraint race to another transaction is decided again). Raises ``ValueError`` for a
    record that is not parsed, :class:`imr.errors.WarehouseUnavailableError` when the warehouse is
    down (nothing of the chunk is committed then: retry it).
    """
    _check_parsed(entries)
    with transaction(engine) as conn:
        try:
            with conn.begin_nested():
                return list(_load(conn, entries))
        except (exc.IntegrityError, exc.DataError):
            pass  # some letter breaks a constraint: find it, letter by letter
        return [_load_in_savepoint(conn, entry) for entry in entries]


def _check_parsed(entries: Sequence[Entry]) -> None:
    for file_id, record, _ in entries:
        if record.status != "parsed" or record.letter is None:
            raise ValueError(f"only parsed records are loaded (file {file_id}, status {record.status})")


def _load_in_savepoint(conn: Connection, entry: Entry) -> ChunkLoad:
    for attempt in (1, 2):
        try:
            with conn.begin_nested():
                return _load(conn, [entry])[0]
        except (exc.IntegrityError, exc.DataError) as e:
            if attempt == 2 or isinstance(e, exc.DataError) or not _taken_in(conn, entry[1]):
                return e
    raise AssertionError("unreachable")  # pragma: no cover


def _taken_in(conn: Connection, record: LetterRecord) -> bool:
    """Whether this content or case number is in the warehouse now (another transaction loaded it)."""
    cond = s.letters.c.content_sha256 == record.source.sha256
    if record.letter is not None and record.letter.case_number is not None:
        cond = cond | (s.letters.c.case_number == record.letter.case_number)
    return conn.execute(sa.select(s.letters.c.id).where(cond).limit(1)).first() is not None


def _taken(engine: Engine, record: LetterRecord) -> bool:
    """Whether another transaction has meanwhile loaded this content or case number."""
    with reading(engine) as conn:
        return _taken_in(conn, record)


@dataclass
class _Known:
    """What the warehouse holds for a chunk's files, contents and case numbers (read once, then
    kept current as the chunk's letters are decided one after another)."""

    files: dict[str, Any]  # file id -> its source_files row (locked for update)
    carried: dict[str, str]  # sha256 -> the letter the earliest done file with these bytes carries
    by_content: dict[str, str]  # sha256 -> letter id
    by_case: dict[str, str]  # case number -> letter id

    @classmethod
    def read(cls, conn: Connection, entries: Sequence[Entry]) -> _Known:
        t, lt = s.source_files, s.letters
        files = {r.id: r for r in select_in(conn, sa.select(t).with_for_update(), t.c.id, [e[0] for e in entries])}
        shas = sorted({r.sha256 for r in files.values()})
        carried = carried_letters(conn, shas)
        by_content = {
            r.content_sha256: r.id
            for r in select_in(conn, sa.select(lt.c.id, lt.c.content_sha256), lt.c.content_sha256, shas)
        }
        cases = sorted({e[1].letter.case_number for e in entries if e[1].letter and e[1].letter.case_number})
        by_case = {
            r.case_number: r.id
            for r in select_in(conn, sa.select(lt.c.id, lt.c.case_number), lt.c.case_number, cases)
        }
        return cls(files, carried, by_content, by_case)


def _load(conn: Connection, entries: Sequence[Entry]) -> list[LoadResult]:
    """Decide and write the letters of ``entries`` in order, inside the caller's transaction: a few
    multi-row statements for the whole list (one letter's list when a chunk is retried letter by
    letter). Raises ``KeyError``/``ValueError`` for an unknown file or a record that is not its
    file's, and the database's errors (the caller's SAVEPOINT rolls them back)."""
    known = _Known.read(conn, entries)
    now = utcnow()
    results: list[LoadResult] = []
    rows = _Rows()
    for file_id, record, dq_failures in entries:
        letter = record.letter
        assert letter is not None
        f = known.files.get(file_id)
        if f is None:
            raise KeyError(f"unknown source file {file_id}")
        if f.sha256 != record.source.sha256:
            raise ValueError(f"record sha256 does not match source file {file_id}")
        if f.status in DONE_STATUSES and f.letter_id is not None:  # a retried chunk: decided before
            results.append(LoadResult(f.status, f.letter_id, file_id))
            continue
        existing = known.carried.get(f.sha256) or known.by_content.get(f.sha256)
        same_case = known.by_case.get(letter.case_number) if letter.case_number is not None else None
        if existing is not None:
            result = LoadResult("duplicate", existing, file_id)
        elif same_case is not None:
            rows.add(s.letter_files, letter_id=same_case, source_file_id=file_id, role="linked", linked_at=now)
            result = LoadResult("linked", same_case, file_id)
        else:
            result = LoadResult("loaded", str(uuid.uuid4()), file_id)
            rows.add_letter(result.letter_id, f.batch_id, file_id, record, letter, now)
            known.by_content[f.sha256] = result.letter_id
            if letter.case_number is not None:
                known.by_case[letter.case_number] = result.letter_id
        known.carried.setdefault(f.sha256, result.letter_id)
        results.append(result)
        rows.files.append(
            {
                "file_id": file_id,
                "status": result.status,
                "letter_id": result.letter_id,
                "pages": record.source.pages,
                "ocr": record.source.ocr,
                "media_type": record.source.media_type,
                "reason_codes": [],
                "updated_at": now,
            }
        )
        rows.dq += dq_failure_rows(f.batch_id, file_id, result.letter_id, dq_failures)
    rows.write(conn)
    return results


#: The tables a new letter adds rows to besides ``letters``, parents before children.
_CHILD_TABLES = (
    s.letter_files,
    s.letter_errors,
    s.reviewer_specialties,
    s.reviewer_licensure_states,
    s.diagnoses,
    s.items,
    s.guideline_citations,
)


@dataclass
class _Rows:
    """The rows a list of letters adds, by table (in an order the foreign keys allow), and the
    source files they update."""

    tables: dict[sa.Table, list[dict[str, Any]]] = field(
        default_factory=lambda: {t: [] for t in (s.letters, *_CHILD_TABLES)}
    )
    files: list[dict[str, Any]] = field(default_factory=list)
    dq: list[dict[str, Any]] = field(default_factory=list)

    def add(self, table: sa.Table, **values: Any) -> None:
        self.tables[table].append(values)

    def add_letter(
        self, letter_id: str, batch_id: str, file_id: str, record: LetterRecord, letter: Letter, now: dt.datetime
    ) -> None:
        sha256 = record.source.sha256
        self.add(
            s.letters,
            id=letter_id,
            content_sha256=sha256,
            **letter_columns(letter),
            batch_id=batch_id,
            first_file_id=file_id,
            loaded_at=now,
        )
        self.add(s.letter_files, letter_id=letter_id, source_file_id=file_id, role="first", linked_at=now)
        for i, e in enumerate(record.errors):
            self.add(s.letter_errors, letter_id=letter_id, position=i, code=e.code, message=e.message)
        for table, column, values in (
            (s.reviewer_specialties, "specialty", letter.reviewer.specialties),
            (s.reviewer_licensure_states, "state", letter.reviewer.licensure_states),
            (s.diagnoses, "diagnosis", letter.diagnoses),
        ):
            self.tables[table] += [{"letter_id": letter_id, "position": i, column: v} for i, v in enumerate(values)]
        for item in letter.items:
            item_id = str(uuid.uuid4())
            self.add(
                s.items,
                id=item_id,
                letter_id=letter_id,
                ordinal=item.ordinal,
                request=item.request,
                decision=item.decision,
                rationale=item.rationale,
                service_category=item.service_category,
                service_subcategory=item.service_subcategory,
                drug_class=item.drug_class,
            )
            for party, guideline in (
                ("claims_administrator", item.claims_administrator_guideline),
                ("reviewer", item.reviewer_guideline),
            ):
                self.add(
                    s.guideline_citations, item_id=item_id, party=party, source=guideline.source, text=guideline.text
                )

    def write(self, conn: Connection) -> None:
        for table, rows in self.tables.items():
            if rows:
                conn.execute(sa.insert(table), rows)
        if self.files:
            t = s.source_files
            values = {c: sa.bindparam(f"new_{c}", type_=t.c[c].type) for c in self.files[0] if c != "file_id"}
            update = sa.update(t).where(t.c.id == sa.bindparam("file_id")).values(values)
            conn.execute(update, [{k if k == "file_id" else f"new_{k}": v for k, v in r.items()} for r in self.files])
            # a file quarantined earlier and loaded on a rerun keeps no stale reasons
            qr = s.quarantine_reasons
            ids = [r["file_id"] for r in self.files]
            for batch in key_batches(ids):
                conn.execute(sa.delete(qr).where(qr.c.source_file_id.in_(batch)))
        insert_dq_rows(conn, self.dq)



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
