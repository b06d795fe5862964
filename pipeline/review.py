"""The review queue, Prefect-free: what a person does with the letters the pipeline set aside for a
reason a person can settle (``imr review``, and the review flow's form in the Prefect UI)::

    waiting(engine) -> list[ReviewItem]                   oldest first
    get(engine, item_id) -> ReviewItem                    ReviewError (one line) when unknown
    next_waiting(engine) -> ReviewItem | None
    resolve(item_id, sets, by, note=None, *, settings=None) -> ResolveOutcome
    reject(item_id, by, reason, *, settings=None) -> None
    backlog(engine, now=None) -> Backlog                  count, oldest, older_than(days)
    engine(settings=None) -> Engine                       the settings' warehouse, migrated
    write_item_page(item, out_dir=None, *, settings=None) -> Path | None   the imr show page

A letter is queued by the pipeline in the transaction that records its set-aside
(:mod:`pipeline.stages`, :mod:`warehouse.review`). :func:`resolve` applies the reviewer's values
(:func:`apply_sets`: coerced by the field's type) to the partial letter, and sends the letter
through what every letter goes through: the chunk's validation
(:func:`pipeline.stages.validate_chunk`, the Great Expectations suites), the load with the
case's versions (:func:`warehouse.load_reviewed`: the letter, its evidence and the reviewer's mark,
the item resolved and audited, one transaction) and the move to the archive once committed
(:func:`pipeline.stages.settle_chunk`). Refused by validation, the item stays waiting and the
outcome says why in one line (audited ``refused``).

Logs carry item ids, case numbers, codes and field paths: never values or letter text.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

import warehouse
from imr import field_paths
from imr.errors import ReviewError
from imr.models import (
    DECISIONS,
    GUIDELINE_SOURCES,
    PRIORITIES,
    SEXES,
    Evidence,
    Letter,
    LetterRecord,
    RecordError,
    Review,
    Source,
    outcome_of,
)
from imr.outcomes import FileStatus, ReviewStatus
from imr.settings import Settings, get_settings
from pipeline import ledger
from pipeline.run import engine_for
from pipeline.stages import Destinations, settle_chunk, validate_chunk
from pipeline.work import WorkItem
from warehouse import review as queue

log = logging.getLogger("imr.pipeline")

__all__ = [
    "Backlog",
    "ResolveOutcome",
    "ReviewError",
    "ReviewItem",
    "apply_sets",
    "backlog",
    "engine",
    "get",
    "next_waiting",
    "reject",
    "resolve",
    "waiting",
    "write_item_page",
]


@dataclass
class ReviewItem:
    """One letter in the review queue.

    ``file`` is where its file is now, relative to the data folder (``quarantine/<day>/...``;
    absolute when elsewhere), ``sha256`` its bytes; ``codes`` why it was set aside; ``since`` when
    it was queued (UTC); ``partial`` the letter as far as read (the JSON shape of
    ``Letter.to_dict()``, None where a value was not read); ``evidence`` where each value read
    stands in the file; ``doubtful`` the field paths in doubt. ``source`` (the record's source
    object), ``path`` (the file's absolute path) and ``letter_id`` (the stored letter: in review,
    or the one it resolved to) complete it."""

    id: int
    file: str
    sha256: str
    codes: list[str]
    case_number: str | None
    since: dt.datetime
    status: ReviewStatus
    partial: dict[str, Any]
    evidence: dict[str, Evidence]
    doubtful: list[str]
    source: dict[str, Any] = field(default_factory=dict)
    path: str | None = None
    letter_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the item (what ``imr review show`` prints)."""
        return {
            "id": self.id,
            "file": self.file,
            "sha256": self.sha256,
            "codes": list(self.codes),
            "case_number": self.case_number,
            "since": _iso(self.since),
            "status": self.status.value,
            "doubtful": list(self.doubtful),
            "partial": self.partial,
            "evidence": {p: ev.to_dict() for p, ev in self.evidence.items()},
        }


def _iso(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _relative(path: str | None, data_dir: Path) -> str:
    if path is None:
        return ""
    try:
        return Path(path).absolute().relative_to(data_dir.absolute()).as_posix()
    except ValueError:
        return path


def _item(row: queue.ItemRow, data_dir: Path) -> ReviewItem:
    return ReviewItem(
        id=row.id,
        file=_relative(row.file.current_path, data_dir),
        sha256=row.sha256,
        codes=list(row.codes),
        case_number=row.case_number,
        since=row.since,
        status=row.status,
        partial=dict(row.partial),
        evidence={p: Evidence.from_dict(v) for p, v in (row.evidence or {}).items()},
        doubtful=list(row.doubtful),
        source=dict(row.source),
        path=row.file.current_path,
        letter_id=row.letter_id,
    )


def engine(settings: Settings | None = None) -> Engine:
    """The engine of the settings' warehouse (process-wide, migrated to the newest revision).
    Raises :class:`imr.errors.WarehouseUnavailableError` when it cannot be reached."""
    return engine_for((settings or get_settings()).warehouse_url())


def waiting(engine: Engine, *, settings: Settings | None = None) -> list[ReviewItem]:
    """The waiting items, oldest first (``since``, then id)."""
    data_dir = (settings or get_settings()).data_dir
    return [_item(r, data_dir) for r in queue.list_items(engine)]


def get(engine: Engine, item_id: int, *, settings: Settings | None = None) -> ReviewItem:
    """The item ``item_id`` (waiting or settled). Raises :class:`ReviewError` when there is none."""
    row = queue.get_item(engine, int(item_id))
    if row is None:
        raise ReviewError(f"no review item {item_id} (see `imr review list`)")
    return _item(row, (settings or get_settings()).data_dir)


def next_waiting(engine: Engine, *, settings: Settings | None = None) -> ReviewItem | None:
    """The oldest waiting item, or None when the queue is empty."""
    items = waiting(engine, settings=settings)
    return items[0] if items else None


# ----------------------------------------------------------------------------- the backlog


@dataclass(frozen=True)
class Backlog:
    """The waiting items at ``now``: how many, since when (each, oldest first)."""

    count: int
    oldest_since: dt.datetime | None
    now: dt.datetime
    since: tuple[dt.datetime, ...] = ()

    @property
    def oldest_days(self) -> float | None:
        """How many days the oldest item has waited (None when nothing waits)."""
        if self.oldest_since is None:
            return None
        return max(0.0, (self.now - self.oldest_since).total_seconds() / 86400)

    def older_than(self, days: float) -> int:
        """How many items have waited more than ``days`` days."""
        limit = self.now - dt.timedelta(days=days)
        return sum(1 for s in self.since if s < limit)

    def to_dict(self, overdue_days: float | None = None) -> dict[str, Any]:
        """``{"waiting", "oldest_since", "oldest_days"}`` (and ``"overdue"``: items older than
        ``overdue_days``, when given)."""
        out: dict[str, Any] = {
            "waiting": self.count,
            "oldest_since": _iso(self.oldest_since) if self.oldest_since is not None else None,
            "oldest_days": round(self.oldest_days, 2) if self.oldest_days is not None else None,
        }
        if overdue_days is not None:
            out["overdue"] = self.older_than(overdue_days)
        return out


def backlog(engine: Engine, now: dt.datetime | None = None) -> Backlog:
    """The review backlog: waiting items, the oldest's ``since``. Raises
    :class:`imr.errors.WarehouseUnavailableError` when the warehouse is down."""
    since = tuple(queue.waiting_since(engine))
    return Backlog(len(since), since[0] if since else None, now or dt.datetime.now(dt.UTC), since)


# ----------------------------------------------------------------------------- the reviewer's values

_DATES = frozenset({"date_assigned", "decision_date", "date_of_injury", "ur_denial_date", "application_received"})
_TEXT = frozenset({"request", "rationale", "service_category", "service_subcategory", "drug_class", "text"})
_GUIDELINES = frozenset({"reviewer_guideline", "claims_administrator_guideline"})
_LISTS = frozenset({("reviewer", "specialties"), ("reviewer", "licensure_states"), ("diagnoses",)})


def _choice(path: str, value: str, choices: Sequence[str]) -> str | None:
    word = value.strip().lower().replace(" ", "_")
    if not word:
        return None
    if word not in choices:
        raise ReviewError(f"{path}: {value!r} is not one of {', '.join(choices)} (give one of them)")
    return word


def _coerce(path: str, value: str) -> Any:
    """The JSON value of the text ``value`` for the field at ``path`` (typed by the field: dates
    ISO, decisions and other enumerations by word, integers, lists comma-separated, ``""`` clears
    an optional value). Raises :class:`ReviewError` for a value of the wrong type or a field a
    person does not set."""
    steps = field_paths.parse(path)
    names = tuple(s for s in steps if isinstance(s, str))
    last = names[-1]
    text = value.strip()
    if names in (("outcome",),):
        raise ReviewError("outcome follows from the item decisions: set items[N].decision instead")
    if names in (("program",),):
        raise ReviewError("program is always dwc_imr: a letter of another program cannot be settled here (reject it)")
    if names in _LISTS and not isinstance(steps[-1], int):
        return [part.strip() for part in text.split(",") if part.strip()]
    if last in _DATES and len(names) == 1:
        if not text:
            return None
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise ReviewError(f"{path}: {value!r} is not a date (give YYYY-MM-DD)") from None
    if names == ("priority",):
        return _choice(path, value, PRIORITIES)
    if names == ("patient", "sex"):
        return _choice(path, value, SEXES)
    if names in (("patient", "age"), ("items", "ordinal")):
        if not text and last == "age":
            return None
        try:
            return int(text)
        except ValueError:
            raise ReviewError(f"{path}: {value!r} is not a whole number (give e.g. 42)") from None
    if names == ("items", "decision"):
        return _choice(path, value, DECISIONS)
    if last == "source" or (len(names) == 2 and last in _GUIDELINES):
        return _choice(path, value, GUIDELINE_SOURCES)
    if (
        names in (("case_number",), ("layout",), ("patient", "occupation"))
        or (names[0] == "items" and last in _TEXT)
        or (names in _LISTS and isinstance(steps[-1], int))
    ):
        return text or None
    raise ReviewError(f"{path} is not a value a person sets (set a value such as {path}.source, or a scalar field)")


def apply_sets(partial: Mapping[str, Any], sets: Mapping[str, str]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The partial letter with the reviewer's values applied (a copy, ``_doubtful`` dropped), and
    the changes ``[{"path", "old", "new"}]`` in the order given.

    A bare guideline path (``items[0].reviewer_guideline``) sets its source. A path of the item
    after the last (``items[N]`` of a letter with N items: a letter set aside ``no_items``) adds
    that item, its ordinal N + 1. Raises :class:`ReviewError` (one line) for a path the letter
    lacks or a value of the wrong type."""
    letter = copy.deepcopy(dict(partial))
    letter.pop(queue.DOUBTFUL_KEY, None)
    changes: list[dict[str, Any]] = []
    for path, value in sets.items():
        try:
            steps = field_paths.parse(path)
            _add_item_for(letter, steps)
            target = f"{path}.source" if isinstance(steps[-1], str) and steps[-1] in _GUIDELINES else path
            old = field_paths.get(letter, target)
        except field_paths.FieldPathError as e:
            raise ReviewError(str(e)) from None
        new = _coerce(path, str(value))
        field_paths.put(letter, target, new)
        changes.append({"path": target, "old": old, "new": new})
    return letter, changes


def _add_item_for(letter: dict[str, Any], steps: tuple[field_paths.Step, ...]) -> None:
    """When ``steps`` name a field of the item right after the letter's last one, add that item
    (its ordinal the next, every value unread)."""
    items = letter.get("items")
    if len(steps) < 3 or steps[0] != "items" or not isinstance(items, list) or steps[1] != len(items):
        return
    unread = {"source": None, "text": None}
    items.append(
        {
            "ordinal": len(items) + 1,
            "request": None,
            "decision": None,
            "claims_administrator_guideline": dict(unread),
            "reviewer_guideline": dict(unread),
            "rationale": None,
            "service_category": None,
            "service_subcategory": None,
            "drug_class": None,
        }
    )


def reviewed_record(row: queue.ItemRow, letter: dict[str, Any], review: Review) -> LetterRecord:
    """The parsed record of a settled letter: the item's source and warnings, the letter with its
    outcome recomputed from the item decisions, the item's evidence and the reviewer's mark.
    Raises :class:`ReviewError` when the letter has no item, an item's ordinal is unknown or a
    date is not one."""
    letter = dict(letter)
    items = list(letter.get("items") or [])
    if not items:
        raise ReviewError(
            "the letter has no item: give each with --set items[0].request=TEXT "
            "--set items[0].decision=upheld|overturned"
        )
    for n, it in enumerate(items):
        if it.get("ordinal") is None:
            raise ReviewError(f"items[{n}].ordinal is not known: give it with --set items[{n}].ordinal=N")
    for name in sorted(_DATES):
        value = letter.get(name)
        try:
            dt.date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            raise ReviewError(
                f"{name} holds {value!r}, which is not a date: set it with --set {name}=YYYY-MM-DD "
                "(empty when the letter states none)"
            ) from None
    letter["outcome"] = outcome_of([str(it["decision"]) for it in items if it.get("decision")])
    source = Source.from_dict({**row.source, "path": row.file.rel_path, "sha256": row.sha256})
    return LetterRecord(
        source=source,
        status="parsed",
        errors=[RecordError(e["code"], e["message"]) for e in row.errors],
        letter=Letter.from_dict(letter),
        evidence={p: Evidence.from_dict(v) for p, v in (row.evidence or {}).items()},
        review=review,
    )


# ----------------------------------------------------------------------------- resolve and reject


@dataclass(frozen=True)
class ResolveOutcome:
    """What :func:`resolve` did: ``resolved`` (the letter loaded: ``status`` loaded or linked,
    ``letter_id``, ``file`` where its file is now) or refused by validation (``codes``: why; the
    item stays waiting). ``message`` is one line; ``str(outcome)`` is it."""

    item_id: int
    resolved: bool
    message: str
    status: FileStatus | None = None
    letter_id: str | None = None
    codes: tuple[str, ...] = ()
    file: str | None = None

    def __str__(self) -> str:
        return self.message


def _waiting_row(eng: Engine, item_id: int) -> queue.ItemRow:
    row = queue.get_item(eng, int(item_id))
    if row is None:
        raise ReviewError(f"no review item {item_id} (see `imr review list`)")
    if row.status != ReviewStatus.WAITING:
        raise ReviewError(f"review item {item_id} is {row.status.value} already: nothing left to do")
    return row


def _by(by: str) -> str:
    name = " ".join(str(by).split())
    if not name:
        raise ReviewError("give the reviewer's name (--by NAME): it is recorded with the letter")
    return name


def _destinations(settings: Settings) -> Destinations:
    return Destinations(
        archive_root=settings.archive_path().absolute(),
        quarantine_root=settings.quarantine_path().absolute(),
        day=dt.date.today(),
    )


def _work_item(eng: Engine, row: queue.ItemRow, record: LetterRecord | None, **changes: Any) -> WorkItem:
    f = row.file
    item = WorkItem(
        file_id=f.id,
        inbox=f.inbox,
        rel_path=f.rel_path,
        path=f.current_path or str(Path(f.inbox) / f.rel_path),
        sha256=f.sha256,
        size=f.size_bytes,
        media_type=f.media_type or str(row.source.get("media_type") or ""),
        record=record,
        case_number=record.letter.case_number if record is not None and record.letter is not None else None,
        also_update=[r.id for r in ledger.rows_of_file(eng, f.sha256, f.inbox, f.rel_path) if r.id != f.id],
    )
    for name, value in changes.items():
        setattr(item, name, value)
    return item


def finish_moves(eng: Engine, settings: Settings) -> int:
    """Move to the archive the files of resolved items still in quarantine (a resolution whose
    process died between its commit and its move); returns how many moved."""
    quarantine = settings.quarantine_path().absolute()
    rows = [
        r
        for r in queue.list_items(eng, (ReviewStatus.RESOLVED,))
        if r.file.current_path
        and r.file.status in (FileStatus.LOADED, FileStatus.LINKED)
        and Path(r.file.current_path).absolute().is_relative_to(quarantine)
        and Path(r.file.current_path).exists()
    ]
    if not rows:
        return 0
    items = [_work_item(eng, r, None, status=FileStatus(r.file.status), letter_id=r.letter_id) for r in rows]
    moved = settle_chunk(eng, items, _destinations(settings), rows[0].file.batch_id)
    return sum(1 for i in moved if i.moved_to)


def resolve(
    item_id: int, sets: Mapping[str, str], by: str, note: str | None = None, *, settings: Settings | None = None
) -> ResolveOutcome:
    """Settle waiting item ``item_id`` with the reviewer's values ``sets`` (field path -> text),
    by ``by``, with an optional ``note``.

    The values are applied to the partial letter (:func:`apply_sets`), the outcome recomputed from
    the item decisions, and the letter goes through the chunk's validation, the load (versions of
    its case, evidence, the reviewer's mark, the item resolved and audited: one transaction) and
    its file's move from quarantine to the archive (after the commit). Refused by validation (or
    still in conflict with another letter of its case), the item stays waiting, the refusal is
    audited and the outcome says why. Raises :class:`ReviewError` (one line) for an unknown or
    settled item, a path the letter lacks or a value of the wrong type; and
    :class:`imr.errors.WarehouseUnavailableError` when the warehouse is down.
    """
    settings = settings or get_settings()
    name = _by(by)
    eng = engine(settings)
    finish_moves(eng, settings)
    row = _waiting_row(eng, item_id)
    letter, changes = apply_sets(row.partial, sets)
    review = Review(by=name, at=dt.datetime.now(dt.UTC), changed=[c["path"] for c in changes], note=note or None)
    record = reviewed_record(row, letter, review)
    work = _work_item(eng, row, record)
    validated = validate_chunk([work])
    checked = validated.items[0]
    if checked.status != FileStatus.PENDING:
        codes = tuple(checked.codes)
        why = f"validation refused: {checked.reasons[0].code} ({checked.reasons[0].message})"
        if len(codes) > 1:
            why += f" and {len(codes) - 1} more ({', '.join(codes[1:])})"
        queue.refuse(eng, row.id, name, why, changes)
        log.info("review item %d refused: %s", row.id, ",".join(codes))
        return ResolveOutcome(row.id, False, f"review item {row.id} stays waiting: {why}", codes=codes)
    result = warehouse.load_reviewed(eng, work.file_id, record, validated.dq.get(work.file_id, []), item_id=row.id)
    if result.status == FileStatus.QUARANTINED:
        codes = tuple(code for code, _ in result.reasons)
        why = (
            f"still in conflict with another letter of case {record.letter.case_number if record.letter else '?'} "
            "on its decision date: correct the field that differs, or reject one of them"
        )
        queue.refuse(eng, row.id, name, why, changes)
        log.info("review item %d refused: %s", row.id, ",".join(codes))
        return ResolveOutcome(row.id, False, f"review item {row.id} stays waiting: {why}", codes=codes)
    done = _work_item(eng, row, None, status=result.status, letter_id=result.letter_id)
    moved = settle_chunk(eng, [done], _destinations(settings), row.file.batch_id)[0]
    where = _relative(moved.path, settings.data_dir)
    log.info("review item %d resolved: %s (%d values set)", row.id, result.status, len(changes))
    return ResolveOutcome(
        row.id,
        True,
        f"review item {row.id} resolved: letter {result.status} with the review of {name}, file at {where}",
        status=result.status,
        letter_id=result.letter_id,
        file=where,
    )


def reject(item_id: int, by: str, reason: str, *, settings: Settings | None = None) -> None:
    """Take waiting item ``item_id`` out of the queue as rejected by ``by`` for ``reason`` (audited);
    its file stays in quarantine. Raises :class:`ReviewError` for an unknown or settled item or an
    empty reason."""
    settings = settings or get_settings()
    name = _by(by)
    if not str(reason).strip():
        raise ReviewError("give the reason for rejecting (--reason TEXT): it is kept in the audit trail")
    queue.reject(engine(settings), int(item_id), name, str(reason).strip())
    log.info("review item %d rejected", int(item_id))


# ----------------------------------------------------------------------------- the letter's page


def write_item_page(item: ReviewItem, out_dir: Path | None = None, *, settings: Settings | None = None) -> Path | None:
    """The item's ``imr show`` page (the letter's file with each value read marked on its page,
    the doubtful ones first) written to ``out_dir`` (default ``<data dir>/review/pages``); None when
    the file cannot be read or the page renderer (``imr.show``) is not installed."""
    settings = settings or get_settings()
    try:
        from imr.show import write_page
    except ImportError:
        return None
    if item.path is None:
        return None
    try:
        data = Path(item.path).read_bytes()
    except OSError:
        return None
    source = Source.from_dict({**item.source, "path": item.file, "sha256": item.sha256}) if item.source else None
    if source is None:
        return None
    record = LetterRecord(
        source=source,
        status="rejected",
        errors=[RecordError(c, c) for c in item.codes],
        evidence=dict(item.evidence),
        partial={**item.partial, queue.DOUBTFUL_KEY: list(item.doubtful)},
    )
    title = f"review item {item.id}: {item.case_number or item.file}"
    out = out_dir if out_dir is not None else settings.data_dir / "review" / "pages"
    return Path(write_page(record, data, out, title=title, doubtful=item.doubtful))
