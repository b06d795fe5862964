"""The warehouse schema as SQLAlchemy Core metadata (the Alembic revisions build exactly this).

Tables, parents first::

    ingest_batches            one row per ingest / rerun / backfill run
    source_files              every file ever seen, per batch (status, reason codes, where it is now)
    letters                   one row per distinct letter (unique content sha256); the letters of one
                              case number are its versions: at most one is current (warehouse.versions)
    letter_files              letter <-> the files that carry it (its first file; linked copies of
                              warehouses loaded before revision 0008)
    letter_errors             the record's ``errors`` of a loaded letter, ordered
    reviewer_specialties      per letter, ordered
    reviewer_licensure_states per letter, ordered
    diagnoses                 per letter, ordered
    items                     per letter, unique ordinal, decision upheld|overturned
    guideline_citations       per item and party (claims_administrator | reviewer)
    dq_results                per batch, suite and expectation: evaluated / failed counts (batch-level
                              drift checks also: observed value, baseline, bounds and verdict)
    dq_letter_failures        per batch, source file and expectation: which file failed what
    quarantine_reasons        per source file and reason code
    file_claims               per file (sha256, inbox, rel_path): the run working on it, until when
    letter_evidence           per letter and field path: where the value stands in its file (revision 0010)
    review_items              the review queue: a letter set aside for a reason a person can settle,
                              its partial record, evidence and doubtful paths, and how it was settled
    review_actions            the queue's audit trail: who did what to an item, when, and what changed
    letter_reviews            per letter a person settled: who, when, the note, the paths changed

``source_files.letter_id`` and ``letters.first_file_id`` reference each other; the former is
created with ``use_alter`` (a separate ``ALTER TABLE`` on PostgreSQL, inline on SQLite).
Every constraint has a name (see :data:`NAMING_CONVENTION`) so migrations can address it. The
columns of a letter's header and patient and of an item's fields are those revision 0001 created
(:func:`warehouse.migrations.helpers.letter_fields`, ``item_fields``: one definition for both).
"""

from __future__ import annotations

import sqlalchemy as sa

from imr.models import DECISIONS, GUIDELINE_SOURCES, OUTCOMES, PRIORITIES, SEXES
from imr.outcomes import (
    COUNT_FIELDS,
    BaselineSource,
    BatchKind,
    BatchStatus,
    DriftVerdict,
    FileStatus,
    Level,
    ReviewAction,
    ReviewStatus,
)
from warehouse.migrations.helpers import in_, item_fields, letter_fields

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

BATCH_KINDS: tuple[str, ...] = tuple(k.value for k in BatchKind)
BATCH_STATUSES: tuple[str, ...] = tuple(s.value for s in BatchStatus)
FILE_STATUSES: tuple[str, ...] = tuple(s.value for s in FileStatus)
LETTER_FILE_ROLES: tuple[str, ...] = ("first", "linked")
#: where a letter stands among the letters of its case number (see :mod:`warehouse.versions`)
VERSION_STATUSES: tuple[str, ...] = ("current", "superseded", "in_review")
PARTIES: tuple[str, ...] = ("claims_administrator", "reviewer")
DQ_LEVELS: tuple[str, ...] = tuple(v.value for v in Level)
DQ_VERDICTS: tuple[str, ...] = tuple(v.value for v in DriftVerdict)
BASELINE_SOURCES: tuple[str, ...] = tuple(v.value for v in BaselineSource)
REVIEW_STATUSES: tuple[str, ...] = tuple(v.value for v in ReviewStatus)
REVIEW_ACTIONS: tuple[str, ...] = tuple(v.value for v in ReviewAction)

UUID_LEN = 36
SHA_LEN = 64
CODE_LEN = 64


def _check_in(column: str, values: tuple[str, ...]) -> sa.CheckConstraint:
    """The CHECK ``column IN ('a', 'b')`` over constant enumerations of this module, named after the
    column (the naming convention adds the table)."""
    return sa.CheckConstraint(in_(column, values), name=column)


def _uuid_pk() -> sa.Column[str]:
    return sa.Column("id", sa.String(UUID_LEN), primary_key=True)


def _ref(name: str, target: str, *, nullable: bool = False, primary_key: bool = False) -> sa.Column[str]:
    """A column holding the id (a UUID string) of a row of ``target`` (``table.id``)."""
    return sa.Column(name, sa.String(UUID_LEN), sa.ForeignKey(target), nullable=nullable, primary_key=primary_key)


def _ts(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _unique_where(name: str, column: str, where: str) -> sa.Index:
    """A unique index on ``column`` over the rows where ``where`` holds (partial, SQLite and PostgreSQL)."""
    return sa.Index(name, column, unique=True, sqlite_where=sa.text(where), postgresql_where=sa.text(where))


ingest_batches = sa.Table(
    "ingest_batches",
    metadata,
    _uuid_pk(),
    sa.Column("kind", sa.String(16), nullable=False),
    _ref("parent_batch_id", "ingest_batches.id", nullable=True),
    _ts("started_at"),
    _ts("finished_at", nullable=True),
    sa.Column("status", sa.String(32), nullable=False),
    *(sa.Column(name, sa.Integer, nullable=False, server_default="0") for name in COUNT_FIELDS),
    # entries the run left in its inboxes (not registered: hidden, partial, other types, non-files)
    sa.Column("ignored", sa.Integer, nullable=False, server_default="0"),
    sa.Column("ignored_reasons", sa.JSON, nullable=True),
    sa.Column("flow_run_id", sa.String(64), nullable=True),
    sa.Column("inboxes", sa.JSON, nullable=False),
    # who runs it (host, pid, process start, lock): a dead owner is recognised at once (warehouse.runs)
    sa.Column("owner", sa.JSON, nullable=True),
    sa.Column("status_reason", sa.Text, nullable=True),  # why it ended so (abandoned, interrupted, failed)
    _check_in("kind", BATCH_KINDS),
    _check_in("status", BATCH_STATUSES),
)

batch_progress = sa.Table(
    "batch_progress",
    metadata,
    _ref("batch_id", "ingest_batches.id", primary_key=True),
    sa.Column("chunk", sa.String(CODE_LEN), primary_key=True),
    sa.Column("done", sa.Integer, nullable=False),  # letters of the chunk settled or extracted so far
    sa.Column("total", sa.Integer, nullable=False),
    _ts("updated_at"),
)

source_files = sa.Table(
    "source_files",
    metadata,
    _uuid_pk(),
    _ref("batch_id", "ingest_batches.id", nullable=False),
    sa.Column("inbox", sa.Text, nullable=False),
    sa.Column("rel_path", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(SHA_LEN), nullable=False),
    sa.Column("size_bytes", sa.BigInteger, nullable=False),
    sa.Column("media_type", sa.String(CODE_LEN), nullable=True),
    sa.Column("pages", sa.Integer, nullable=True),
    sa.Column("ocr", sa.Boolean, nullable=False, server_default=sa.false()),  # text read from page images
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("reason_codes", sa.JSON, nullable=False),
    sa.Column(
        "letter_id",
        sa.String(UUID_LEN),
        sa.ForeignKey("letters.id", use_alter=True, name="fk_source_files_letter_id_letters"),
        nullable=True,
    ),
    sa.Column("current_path", sa.Text, nullable=True),
    _ts("seen_at"),
    _ts("updated_at"),
    _check_in("status", FILE_STATUSES),
    sa.UniqueConstraint("batch_id", "sha256", "inbox", "rel_path"),
    sa.Index("ix_source_files_sha256", "sha256"),
    sa.Index("ix_source_files_letter_id", "letter_id"),
)

letters = sa.Table(
    "letters",
    metadata,
    _uuid_pk(),
    sa.Column("case_number", sa.String(CODE_LEN), nullable=True),
    sa.Column("content_sha256", sa.String(SHA_LEN), nullable=False, unique=True),
    sa.Column("program", sa.String(CODE_LEN), nullable=False),
    # the header and patient: layout, the five dates, priority, outcome, patient_age, _sex, _occupation
    *letter_fields(),
    _ref("batch_id", "ingest_batches.id", nullable=False),
    _ref("first_file_id", "source_files.id", nullable=False),
    _ts("loaded_at"),
    # versions of a case (revision 0008): current | superseded | in_review, and the letter that
    # replaced this one; recomputed from the case's rows whenever a letter of the case is loaded
    sa.Column("version_status", sa.String(16), nullable=False, server_default="current"),
    _ref("superseded_by_letter_id", "letters.id", nullable=True),
    _check_in("priority", PRIORITIES),
    _check_in("outcome", OUTCOMES),
    _check_in("patient_sex", SEXES),
    _check_in("version_status", VERSION_STATUSES),
    sa.Index("ix_letters_case_number", "case_number"),
    # one current letter per case number (letters without one are each their own case)
    _unique_where("uq_letters_current_case_number", "case_number", "version_status = 'current'"),
)

letter_files = sa.Table(
    "letter_files",
    metadata,
    _ref("letter_id", "letters.id", primary_key=True),
    _ref("source_file_id", "source_files.id", primary_key=True),
    sa.Column("role", sa.String(16), nullable=False),
    _ts("linked_at"),
    _check_in("role", LETTER_FILE_ROLES),
    sa.UniqueConstraint("source_file_id"),
)

letter_errors = sa.Table(
    "letter_errors",
    metadata,
    _ref("letter_id", "letters.id", primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(CODE_LEN * 2), nullable=False),
    sa.Column("message", sa.Text, nullable=False),
)


def _ordered_strings(name: str, value_column: str) -> sa.Table:
    return sa.Table(
        name,
        metadata,
        _ref("letter_id", "letters.id", primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column(value_column, sa.Text, nullable=False),
    )


reviewer_specialties = _ordered_strings("reviewer_specialties", "specialty")
reviewer_licensure_states = _ordered_strings("reviewer_licensure_states", "state")
diagnoses = _ordered_strings("diagnoses", "diagnosis")

items = sa.Table(
    "items",
    metadata,
    _uuid_pk(),
    _ref("letter_id", "letters.id", nullable=False),
    *item_fields(),  # ordinal, request, decision, rationale, service_category, _subcategory, drug_class
    _check_in("decision", DECISIONS),
    sa.UniqueConstraint("letter_id", "ordinal"),
)

guideline_citations = sa.Table(
    "guideline_citations",
    metadata,
    _ref("item_id", "items.id", primary_key=True),
    sa.Column("party", sa.String(32), primary_key=True),
    sa.Column("source", sa.String(32), nullable=True),
    sa.Column("text", sa.Text, nullable=True),
    _check_in("party", PARTIES),
    _check_in("source", GUIDELINE_SOURCES),
)

dq_results = sa.Table(
    "dq_results",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    _ref("batch_id", "ingest_batches.id", nullable=False),
    sa.Column("suite", sa.String(128), nullable=False),
    sa.Column("expectation", sa.String(255), nullable=False),
    sa.Column("level", sa.String(16), nullable=False),
    sa.Column("evaluated", sa.Integer, nullable=False),
    sa.Column("failed", sa.Integer, nullable=False),
    sa.Column("failure_rate", sa.Float, nullable=False),
    _ts("recorded_at"),
    # batch-level (drift) checks only; null for row-level expectations (revision 0004)
    sa.Column("observed", sa.Float, nullable=True),
    sa.Column("baseline", sa.Float, nullable=True),
    sa.Column("lower_bound", sa.Float, nullable=True),
    sa.Column("upper_bound", sa.Float, nullable=True),
    sa.Column("verdict", sa.String(16), nullable=True),
    sa.Column("baseline_source", sa.String(16), nullable=True),  # what the baseline was (revision 0009)
    _check_in("level", DQ_LEVELS),
    _check_in("verdict", DQ_VERDICTS),
    _check_in("baseline_source", BASELINE_SOURCES),
    sa.UniqueConstraint("batch_id", "suite", "expectation"),
)

dq_letter_failures = sa.Table(
    "dq_letter_failures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    _ref("batch_id", "ingest_batches.id", nullable=False),
    _ref("source_file_id", "source_files.id", nullable=False),
    _ref("letter_id", "letters.id", nullable=True),
    sa.Column("suite", sa.String(128), nullable=False),
    sa.Column("expectation", sa.String(255), nullable=False),
    sa.Column("level", sa.String(16), nullable=False),
    _check_in("level", DQ_LEVELS),
    sa.UniqueConstraint("batch_id", "source_file_id", "suite", "expectation"),
)

quarantine_reasons = sa.Table(
    "quarantine_reasons",
    metadata,
    _ref("source_file_id", "source_files.id", primary_key=True),
    sa.Column("code", sa.String(CODE_LEN * 2), primary_key=True),
    sa.Column("message", sa.Text, nullable=False),
)

file_claims = sa.Table(
    "file_claims",
    metadata,
    sa.Column("sha256", sa.String(SHA_LEN), primary_key=True),
    sa.Column("inbox", sa.Text, primary_key=True),
    sa.Column("rel_path", sa.Text, primary_key=True),
    _ref("batch_id", "ingest_batches.id", nullable=False),
    _ts("claimed_at"),
    _ts("expires_at"),
    sa.Index("ix_file_claims_batch_id", "batch_id"),
)

# ----------------------------------------------------------------------------- revision 0010

letter_evidence = sa.Table(
    "letter_evidence",
    metadata,
    _ref("letter_id", "letters.id", primary_key=True),
    sa.Column("path", sa.String(255), primary_key=True),  # the field path: items[0].decision, ...
    sa.Column("page", sa.Integer, nullable=False),
    # the box in PDF points from the page's top-left corner (null for a text letter)
    sa.Column("x0", sa.Float, nullable=True),
    sa.Column("top", sa.Float, nullable=True),
    sa.Column("x1", sa.Float, nullable=True),
    sa.Column("bottom", sa.Float, nullable=True),
    sa.Column("line", sa.Integer, nullable=True),  # 1-based line of a text letter
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("confidence", sa.Float, nullable=True),  # OCR confidence 0..1
)

#: the rows of ``review_items`` the unique index on sha256 covers (one waiting item per content);
#: an INSERT ... ON CONFLICT names the index by this same predicate, as SQL text: PostgreSQL infers
#: a partial index only from a predicate it can read, never from a bound parameter
REVIEW_WAITING = f"status = '{ReviewStatus.WAITING}'"

review_items = sa.Table(
    "review_items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    # the ledger row of the file's latest set-aside (its current_path: where the file is now)
    _ref("source_file_id", "source_files.id", nullable=False),
    sa.Column("sha256", sa.String(SHA_LEN), nullable=False),
    sa.Column("codes", sa.JSON, nullable=False),
    sa.Column("case_number", sa.String(CODE_LEN), nullable=True),
    _ts("since"),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("source", sa.JSON, nullable=False),  # the record's source object (pages, OCR, media type)
    sa.Column("errors", sa.JSON, nullable=False),  # warnings of a parsed record, kept on resolution
    sa.Column("partial", sa.JSON, nullable=False),  # the letter as far as read (Letter.to_dict shape)
    sa.Column("evidence", sa.JSON, nullable=True),  # {path: Evidence.to_dict()}
    sa.Column("doubtful", sa.JSON, nullable=False),  # field paths in doubt
    # the stored letter: the one in review (case_version_conflict), then the one the item resolved to
    _ref("letter_id", "letters.id", nullable=True),
    _ts("settled_at", nullable=True),
    sa.Column("settled_by", sa.Text, nullable=True),
    _check_in("status", REVIEW_STATUSES),
    sa.Index("ix_review_items_sha256", "sha256"),
    sa.Index("ix_review_items_status_since", "status", "since"),
    # one waiting item per content
    _unique_where("uq_review_items_waiting_sha256", "sha256", REVIEW_WAITING),
)

review_actions = sa.Table(
    "review_actions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("item_id", sa.Integer, sa.ForeignKey("review_items.id"), nullable=False),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("actor", sa.Text, nullable=False),  # the person, or "imr" for the pipeline
    _ts("acted_at"),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("changes", sa.JSON, nullable=False),  # [{"path", "old", "new"}]
    _ref("batch_id", "ingest_batches.id", nullable=True),
    _check_in("action", REVIEW_ACTIONS),
    sa.Index("ix_review_actions_item_id", "item_id"),
)

letter_reviews = sa.Table(
    "letter_reviews",
    metadata,
    _ref("letter_id", "letters.id", primary_key=True),
    sa.Column("reviewed_by", sa.Text, nullable=False),
    _ts("reviewed_at"),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("changed", sa.JSON, nullable=False),  # the field paths the reviewer set
)
