"""Loading one extracted letter: all its rows in one transaction, idempotent by content.

For a registered source file and its parsed :class:`imr.models.LetterRecord`,
:func:`load_letter` decides, inside one transaction:

* the file was already loaded/linked/deduplicated -> the same result again (a retried task);
* a file with the same sha256 is already in the warehouse -> ``duplicate`` (no new rows), or
  ``quarantined`` with ``case_version_conflict`` when that letter is in review;
* otherwise the letter, reviewer, diagnoses, items, guideline citations, the record's errors,
  its evidence (``letter_evidence``) and a person's review (``letter_reviews``) are inserted, the
  file points at the letter, and the versions of its case number are recomputed
  (:mod:`warehouse.versions`: the latest decision date is current). The file is ``loaded``, or
  ``linked`` when its case already held a copy of the same determination (same decision date,
  dates, priority, outcome, items; other bytes), or ``quarantined`` with ``case_version_conflict``
  when its letter is in review (another letter of the case differs on the same decision date).

The review queue follows in the same transaction (:func:`warehouse.review.after_load`): a letter
quarantined ``case_version_conflict`` is queued, the item of bytes now loaded is resolved (a
reviewed record) or superseded. :func:`load_reviewed` loads the letter a person settled: the same
decisions; a letter in review whose bytes are stored is rewritten with the reviewed values.

Which letter of a case is current depends on the case's stored letters only, never on their
arrival order, batch split, worker count or runner. Either everything of a letter commits or
nothing does. :func:`load_letters` loads a chunk in one transaction with a few multi-row
statements, falling back to one SAVEPOINT per letter only when some letter breaks a constraint.
Two loads racing for the same content both succeed: the loser hits the unique constraint, rolls
back and is decided again (duplicate). Loads of one case number are serialized (a lock per case
number on PostgreSQL, taken before anything is read: :func:`warehouse.versions.lock_cases`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.engine import Connection, Engine

from imr.errors import REASON_CODES
from imr.models import Letter, LetterRecord, Source
from imr.outcomes import ARCHIVED, BatchKind, BatchStatus, DqFailure, FileStatus
from warehouse import review as queue
from warehouse import schema as s
from warehouse.batches import utcnow
from warehouse.columns import item_columns, letter_columns
from warehouse.engine import key_batches, reading, select_in, transaction
from warehouse.evidence import evidence_rows
from warehouse.files import carried_letters
from warehouse.quality import dq_failure_rows, insert_dq_rows
from warehouse.versions import CURRENT, IN_REVIEW, SUPERSEDED, Recomputed, Version, lock_cases, recompute, standings

#: the reason code of a file whose letter is in review (another letter of its case differs on the
#: same decision date)
CONFLICT = queue.CONFLICT


@dataclass(frozen=True)
class LoadResult:
    """What loading a file did: ``loaded`` a new letter, ``linked`` a copy of a determination the
    case held already, ``duplicate`` (bytes already loaded), or ``quarantined`` (its letter is kept
    but in review: ``reasons`` holds ``(code, message)``)."""

    status: FileStatus  # loaded, linked, duplicate or quarantined
    letter_id: str
    file_id: str
    reasons: tuple[tuple[str, str], ...] = ()


#: What one entry of a chunk is: the registered file's id, its parsed record, the warning-level
#: expectations it failed.
Entry = tuple[str, LetterRecord, Sequence[DqFailure]]


def _cases(entries: Sequence[Entry]) -> list[str | None]:
    return [e[1].letter.case_number if e[1].letter is not None else None for e in entries]


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
    entries: list[Entry] = [(file_id, record, dq_failures)]
    _check_parsed(entries)
    for attempt in (1, 2):
        try:
            with transaction(engine) as conn:
                lock_cases(conn, _cases(entries))
                return _load(conn, entries)[0]
        except exc.IntegrityError:
            if attempt == 2 or not _taken(engine, record):
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def load_reviewed(
    engine: Engine, file_id: str, record: LetterRecord, dq_failures: Sequence[DqFailure] = (), *, item_id: int
) -> LoadResult:
    """Load the letter a person settled from review item ``item_id`` (``record.review`` set) from
    the registered file ``file_id``, in one transaction with the item resolved and its audit row.

    The same decisions as any load (:func:`load_letter`), and the case's versions recomputed; a
    letter in review whose bytes are stored already (``case_version_conflict``) is rewritten with
    the reviewed values. When the letter would still not count (its case still in conflict:
    ``quarantined``), nothing is written and that result is returned. Raises
    :class:`imr.errors.ReviewError` when the item is unknown, settled or holds other bytes,
    ``ValueError`` for a record that is not parsed or carries no review, and as :func:`load_letter`.
    """
    if record.review is None:
        raise ValueError(f"a reviewed letter carries its review (file {file_id})")
    entries: list[Entry] = [(file_id, record, dq_failures)]
    _check_parsed(entries)
    with transaction(engine) as conn:
        queue.check_waiting_in(conn, item_id, record.source.sha256)
        stored = conn.execute(
            sa.select(s.letters.c.case_number).where(s.letters.c.content_sha256 == record.source.sha256)
        ).first()
        lock_cases(conn, [*_cases(entries), stored.case_number if stored is not None else None])
        savepoint = conn.begin_nested()
        result = _load(conn, entries)[0]
        if result.status == FileStatus.QUARANTINED:
            savepoint.rollback()
        else:
            savepoint.commit()
    return result


#: What loading one letter of a chunk gave: its result, or the error that rolled it back alone.
ChunkLoad = LoadResult | exc.IntegrityError | exc.DataError


def load_letters(engine: Engine, entries: Sequence[Entry]) -> list[ChunkLoad]:
    """Load a chunk of ``(file_id, record, dq_failures)`` in ONE transaction, each letter atomic:
    a letter breaking a constraint or a column size rolls back alone and its error is returned in
    its place; the others commit together (one commit per chunk, not per letter).

    The chunk is first written at once (a few multi-row statements, in a SAVEPOINT); only when that
    fails is it written again letter by letter, each in its own SAVEPOINT, so the bad letter is
    found and rolled back alone. Same idempotence and races as :func:`load_letter` (a letter losing
    a unique-constraint race to another transaction is decided again). The chunk's case numbers are
    locked first, for the whole transaction. Raises ``ValueError`` for a record that is not parsed,
    :class:`imr.errors.WarehouseUnavailableError` when the warehouse is down (nothing of the chunk
    is committed then: retry it).
    """
    _check_parsed(entries)
    with transaction(engine) as conn:
        lock_cases(conn, _cases(entries))
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
    """Whether this content is in the warehouse now (another transaction loaded it)."""
    cond = s.letters.c.content_sha256 == record.source.sha256
    return conn.execute(sa.select(s.letters.c.id).where(cond).limit(1)).first() is not None


def _taken(engine: Engine, record: LetterRecord) -> bool:
    """Whether another transaction has meanwhile loaded this content."""
    with reading(engine) as conn:
        return _taken_in(conn, record)


@dataclass
class _Known:
    """What the warehouse holds for a chunk's files, contents and case numbers (read once, then
    kept current as the chunk's letters are decided one after another)."""

    files: dict[str, Any]  # file id -> its source_files row (locked for update)
    carried: dict[str, str]  # sha256 -> the letter the earliest done file with these bytes carries
    by_content: dict[str, str]  # sha256 -> letter id
    stored_cases: set[str]  # the chunk's case numbers that have letters already

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
        cases = sorted({c for c in _cases(entries) if c is not None})
        stored = select_in(conn, sa.select(lt.c.case_number).distinct(), lt.c.case_number, cases)
        return cls(files, carried, by_content, {r.case_number for r in stored})


@dataclass
class _Decision:
    """How one entry of a chunk was taken: ``done`` before (a retried chunk), ``existing`` content,
    a ``new`` letter, or a stored letter in review a person settled (``replace``: rewritten)."""

    file_id: str
    kind: Literal["done", "existing", "new", "replace"]
    letter_id: str
    case_number: str | None = None
    status: str = ""  # of a ``done`` file
    own: bool = False  # ``existing``: this very file carries the letter (it was loaded before)
    source: Source | None = None  # the record's source (pages, OCR, media type for the file row)


def _load(conn: Connection, entries: Sequence[Entry]) -> list[LoadResult]:
    """Decide and write the letters of ``entries`` in order, inside the caller's transaction (their
    case numbers locked): a few multi-row statements for the whole list (one letter's list when a
    chunk is retried letter by letter), then the versions of the touched case numbers recomputed.
    Raises ``KeyError``/``ValueError`` for an unknown file or a record that is not its file's, and
    the database's errors (the caller's SAVEPOINT rolls them back)."""
    known = _Known.read(conn, entries)
    now = utcnow()
    rows = _Rows()
    decisions: list[_Decision] = []
    touched: list[str | None] = []  # case numbers of letters rewritten (they may leave their case)
    for file_id, record, dq_failures in entries:
        letter = record.letter
        assert letter is not None
        f = known.files.get(file_id)
        if f is None:
            raise KeyError(f"unknown source file {file_id}")
        if f.sha256 != record.source.sha256:
            raise ValueError(f"record sha256 does not match source file {file_id}")
        if f.status in ARCHIVED and f.letter_id is not None:  # a retried chunk: decided before
            decisions.append(_Decision(file_id, "done", f.letter_id, status=f.status))
            continue
        existing = known.carried.get(f.sha256) or known.by_content.get(f.sha256)
        if existing is not None and record.review is not None and f.letter_id == existing:
            # a person settled this file's letter, stored in review: rewritten with the reviewed values
            touched.append(rows.rewrite_letter(conn, existing, record, letter))
            decision = _Decision(file_id, "replace", existing, letter.case_number, source=record.source)
        elif existing is not None:
            decision = _Decision(file_id, "existing", existing, own=f.letter_id == existing, source=record.source)
        else:
            decision = _Decision(file_id, "new", str(uuid.uuid4()), letter.case_number, source=record.source)
            rows.add_letter(decision.letter_id, f.batch_id, file_id, record, letter, now)
            known.by_content[f.sha256] = decision.letter_id
        known.carried.setdefault(f.sha256, decision.letter_id)
        decisions.append(decision)
        rows.dq += dq_failure_rows(f.batch_id, file_id, decision.letter_id, dq_failures)
    new = [d for d in decisions if d.kind == "new"]
    per_case = Counter(d.case_number for d in new if d.case_number is not None)
    rewritten = [d for d in decisions if d.kind == "replace"]
    for row in rows.tables[s.letters]:  # alone in its case: current at once (no update needed)
        case = row["case_number"]
        alone = case is None or (case not in known.stored_cases and per_case[case] == 1)
        row["version_status"] = CURRENT if alone else SUPERSEDED
    rows.write_letters(conn)
    versions = recompute(conn, [d.case_number for d in (*new, *rewritten)] + touched)
    results = _results(conn, decisions, versions)
    for d, result in zip(decisions, results, strict=True):
        if d.source is None:  # decided before
            continue
        rows.files.append(
            {
                "file_id": d.file_id,
                "status": result.status,
                "letter_id": result.letter_id,
                "pages": d.source.pages,
                "ocr": d.source.ocr,
                "media_type": d.source.media_type,
                "reason_codes": [code for code, _ in result.reasons],
                "updated_at": now,
            }
        )
        rows.reasons += [{"source_file_id": d.file_id, "code": c, "message": m} for c, m in result.reasons]
    rows.write_files(conn)
    loads = [
        queue.Loaded(
            d.file_id, known.files[d.file_id].batch_id, r.status, r.letter_id, record, tuple(c for c, _ in r.reasons)
        )
        for d, r, (_, record, _) in zip(decisions, results, entries, strict=True)
        if d.source is not None
    ]
    queue.after_load(conn, loads, {i: st.status for i, st in versions.standing.items()}, now)
    return results


def _results(conn: Connection, decisions: Sequence[_Decision], versions: Recomputed) -> list[LoadResult]:
    """Each entry's outcome as its letter-by-letter load would have given it (a chunk gives its
    files the statuses loading them one after another gives; only the letters' standings are the
    chunk's final ones): the case as it stood after the entries before it."""
    new_ids = {d.letter_id for d in decisions if d.kind in ("new", "replace")}
    held: dict[str, list[Version]] = defaultdict(list)  # case -> its letters so far
    for letter_id, of_case in versions.case_of.items():
        if letter_id not in new_ids:
            held[of_case].append(versions.versions[letter_id])
    lt = s.letters
    elsewhere = sorted({d.letter_id for d in decisions if d.kind == "existing"} - versions.case_of.keys())
    stored = {
        r.id: r.version_status for r in select_in(conn, sa.select(lt.c.id, lt.c.version_status), lt.c.id, elsewhere)
    }
    results: list[LoadResult] = []
    for d in decisions:
        case = versions.case_of.get(d.letter_id)
        copy = False
        if d.kind in ("new", "replace") and case is not None:
            version = versions.versions[d.letter_id]
            copy = any(v.key == version.key for v in held[case])
            held[case].append(version)
        status = standings(held[case])[d.letter_id].status if case is not None else stored.get(d.letter_id, CURRENT)
        if d.kind == "done":
            result = LoadResult(FileStatus(d.status), d.letter_id, d.file_id)
        elif status == IN_REVIEW:
            result = LoadResult(FileStatus.QUARANTINED, d.letter_id, d.file_id, ((CONFLICT, REASON_CODES[CONFLICT]),))
        elif d.kind == "existing":
            result = LoadResult(FileStatus.LOADED if d.own else FileStatus.DUPLICATE, d.letter_id, d.file_id)
        else:
            result = LoadResult(FileStatus.LINKED if copy else FileStatus.LOADED, d.letter_id, d.file_id)
        results.append(result)
    return results


#: The tables of what a letter says besides its ``letters`` row, parents before children.
_CONTENT_TABLES = (
    s.letter_errors,
    s.reviewer_specialties,
    s.reviewer_licensure_states,
    s.diagnoses,
    s.items,
    s.guideline_citations,
    s.letter_evidence,
    s.letter_reviews,
)
#: The tables a new letter adds rows to besides ``letters``, parents before children.
_CHILD_TABLES = (s.letter_files, *_CONTENT_TABLES)


@dataclass
class _Rows:
    """The rows a list of letters adds, by table (in an order the foreign keys allow), and the
    source files they update."""

    tables: dict[sa.Table, list[dict[str, Any]]] = field(
        default_factory=lambda: {t: [] for t in (s.letters, *_CHILD_TABLES)}
    )
    files: list[dict[str, Any]] = field(default_factory=list)
    reasons: list[dict[str, Any]] = field(default_factory=list)  # quarantine_reasons of set-aside files
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
            version_status=SUPERSEDED,  # set before the write (see _load), then recomputed
        )
        self.add(s.letter_files, letter_id=letter_id, source_file_id=file_id, role="first", linked_at=now)
        self.add_content(letter_id, record, letter)

    def add_content(self, letter_id: str, record: LetterRecord, letter: Letter) -> None:
        """The rows of what the letter says: errors, reviewer, diagnoses, items and their guideline
        citations, the record's evidence and a person's review."""
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
                **item_columns(item),
            )
            for party, guideline in (
                ("claims_administrator", item.claims_administrator_guideline),
                ("reviewer", item.reviewer_guideline),
            ):
                self.add(
                    s.guideline_citations, item_id=item_id, party=party, source=guideline.source, text=guideline.text
                )
        if record.evidence:
            self.tables[s.letter_evidence] += evidence_rows(letter_id, record.evidence)
        review = record.review
        if review is not None:
            self.add(
                s.letter_reviews,
                letter_id=letter_id,
                reviewed_by=review.by,
                reviewed_at=review.at if review.at.tzinfo else review.at.replace(tzinfo=dt.UTC),
                note=review.note,
                changed=list(review.changed),
            )

    def rewrite_letter(self, conn: Connection, letter_id: str, record: LetterRecord, letter: Letter) -> str | None:
        """Rewrite a stored letter with what ``record`` says (its ``letters`` columns updated now,
        its content rows deleted now and added again with the others); returns the case number it
        had (its case's versions are recomputed too)."""
        lt = s.letters
        before = conn.execute(sa.select(lt.c.case_number).where(lt.c.id == letter_id)).scalar_one()
        item_ids = list(conn.scalars(sa.select(s.items.c.id).where(s.items.c.letter_id == letter_id)))
        for batch in key_batches(item_ids):
            conn.execute(sa.delete(s.guideline_citations).where(s.guideline_citations.c.item_id.in_(batch)))
        for table in _CONTENT_TABLES:
            if table is not s.guideline_citations:
                conn.execute(sa.delete(table).where(table.c.letter_id == letter_id))
        conn.execute(sa.update(lt).where(lt.c.id == letter_id).values(**letter_columns(letter)))
        self.add_content(letter_id, record, letter)
        return str(before) if before is not None else None

    def write_letters(self, conn: Connection) -> None:
        for table, rows in self.tables.items():
            if rows:
                conn.execute(sa.insert(table), rows)

    def write_files(self, conn: Connection) -> None:
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
            if self.reasons:
                conn.execute(sa.insert(qr), self.reasons)
        insert_dq_rows(conn, self.dq)


def load_records(
    engine: Engine,
    records: Sequence[LetterRecord],
    *,
    inbox: str = "/records",
    status: BatchStatus = BatchStatus.COMPLETED,
) -> str:
    """Load already-extracted ``records`` as one finished batch (each file registered, then loaded
    in one transaction per chunk): for demos, benchmarks and backfills of records from elsewhere.
    Returns the batch id."""
    from warehouse.batches import finish_batch, start_batch
    from warehouse.files import register_file

    batch = start_batch(engine, BatchKind.INGEST, [inbox])
    entries = [
        (register_file(engine, batch, inbox, r.source.path, r.source.sha256, 0, r.source.media_type), r, ())
        for r in records
    ]
    load_letters(engine, entries)
    finish_batch(engine, batch, status)
    return batch
