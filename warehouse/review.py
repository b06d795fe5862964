"""The review queue: letters set aside for a reason a person can settle, and its audit trail.

    review_items    one per set-aside content a person can settle: the ledger row of its file's
                    latest set-aside, codes, case number, since, status (waiting, resolved,
                    rejected, superseded), the record's source and warnings, the partial letter,
                    evidence and doubtful paths, and who settled it when
    review_actions  every action on an item: enqueued, resolved, rejected, superseded, refused
                    (who, when, the note, the changed paths with their old and new values)

Every write happens in the transaction that decides it:

* :func:`set_aside` records a file's rejected/quarantined outcome (``mark_file``) and enqueues
  its item (a record set aside before loading: ``unresolved_item``, ``ocr_*``, ``no_items`` with
  a header, a failed critical expectation ``dq_*``), superseded at once when a stored letter of
  its case is a complete copy of it (:func:`is_copy_of`);
* the loading transaction (``warehouse.load``, through :func:`after_load`) enqueues a letter it
  quarantines ``case_version_conflict``, resolves the item of a reviewed letter it loads (the
  letter's ``letter_reviews`` row is one of its rows), and supersedes the items whose bytes it
  loaded as extracted, whose complete copy it loaded, or whose case's version conflict ended.
  Both take the case's lock first, so a copy set aside and its complete letter loaded by two
  workers at once end the same whichever commits first;
* :func:`reject` takes an item out of the queue (its file stays in quarantine).

One item waits per content (sha256; a partial unique index backs it): the same bytes set aside
again (a rerun, a re-drop) refresh the waiting item (its latest ledger row, codes, partial,
evidence) instead of queueing a second one; bytes a person rejected are not queued again.
Raises :class:`imr.errors.ReviewError` (one line) for an unknown or settled item.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from imr import field_paths
from imr.errors import ReviewError, is_reviewable
from imr.models import Letter, LetterRecord
from imr.outcomes import SET_ASIDE, DqFailure, FileStatus, ReviewAction, ReviewStatus
from warehouse import schema as s
from warehouse.batches import as_utc, required_utc, utcnow
from warehouse.engine import reading, select_in, transaction
from warehouse.files import FileRow, file_row, mark_file
from warehouse.versions import DATE_FIELDS, IN_REVIEW, lock_cases, request_key

#: who the audit trail names for what the pipeline did
PIPELINE_ACTOR = "imr"
#: a letter's header was read when one of these is known (``no_items`` is reviewable only then)
HEADER_FIELDS: tuple[str, ...] = ("case_number", "decision_date", "date_assigned")
#: the code of a letter whose case's versions conflict (the same word as ``warehouse.load.CONFLICT``)
CONFLICT = "case_version_conflict"
#: the key of a partial letter listing its doubtful field paths
DOUBTFUL_KEY = "_doubtful"


@dataclass(frozen=True)
class NewItem:
    """What a set-aside letter puts in the queue (see :func:`item_of`)."""

    sha256: str
    codes: tuple[str, ...]
    case_number: str | None
    source: dict[str, Any]
    errors: list[dict[str, str]]
    partial: dict[str, Any]
    evidence: dict[str, dict[str, Any]] | None
    doubtful: tuple[str, ...]
    letter_id: str | None = None


def item_of(
    record: LetterRecord, codes: Sequence[str], *, letter_id: str | None = None, doubtful: Sequence[str] = ()
) -> NewItem | None:
    """The review item of ``record`` set aside with ``codes``, or None when a person cannot settle
    it (:func:`imr.errors.is_reviewable`) or nothing of the letter was read.

    The partial letter is ``record.partial`` (a letter rejected before it parsed) else the parsed
    letter's ``to_dict()``; its ``_doubtful`` paths become the item's doubtful paths (with
    ``doubtful``). A parsed record's errors (warnings) are kept for the resolved letter."""
    partial = record.partial if record.partial is not None else None
    if partial is None and record.letter is not None:
        partial = _json_of(record.letter)
    if partial is None:
        return None
    header_read = any(partial.get(k) for k in HEADER_FIELDS)
    if not is_reviewable(list(codes), header_read=header_read):
        return None
    partial = dict(partial)
    in_doubt = [str(p) for p in partial.pop(DOUBTFUL_KEY, None) or ()]
    parsed = record.status == "parsed"
    return NewItem(
        sha256=record.source.sha256,
        codes=tuple(dict.fromkeys(codes)),
        case_number=partial.get("case_number"),
        source=record.source.to_dict(),
        errors=[e.to_dict() for e in record.errors] if parsed else [],
        partial=partial,
        evidence={p: ev.to_dict() for p, ev in record.evidence.items()} if record.evidence else None,
        doubtful=tuple(dict.fromkeys([*in_doubt, *doubtful])),
        letter_id=letter_id,
    )


def _json_of(letter: Letter) -> dict[str, Any]:
    """The letter in the JSON shape of ``Letter.to_dict()``, whatever its values (a letter
    quarantined by a failed expectation may hold a value of the wrong type: written as text)."""
    return dict(json.loads(json.dumps(dataclasses.asdict(letter), default=str)))


@dataclass(frozen=True)
class ItemRow:
    """One item of the queue as stored, with its file's ledger row (where the file is now)."""

    id: int
    sha256: str
    codes: list[str]
    case_number: str | None
    since: dt.datetime
    status: ReviewStatus
    source: dict[str, Any]
    errors: list[dict[str, str]]
    partial: dict[str, Any]
    evidence: dict[str, dict[str, Any]] | None
    doubtful: list[str]
    letter_id: str | None
    settled_at: dt.datetime | None
    settled_by: str | None
    file: FileRow


@dataclass(frozen=True)
class ActionRow:
    """One entry of the audit trail."""

    id: int
    item_id: int
    action: ReviewAction
    actor: str
    at: dt.datetime
    note: str | None
    changes: list[dict[str, Any]]
    batch_id: str | None


def _items(conn: Connection, where: sa.ColumnElement[bool]) -> list[ItemRow]:
    t = s.review_items
    rows = conn.execute(sa.select(t).where(where).order_by(t.c.since, t.c.id)).all()
    files = {
        r.id: file_row(r)
        for r in select_in(
            conn, sa.select(s.source_files), s.source_files.c.id, sorted({r.source_file_id for r in rows})
        )
    }
    return [
        ItemRow(
            id=int(r.id),
            sha256=r.sha256,
            codes=list(r.codes or []),
            case_number=r.case_number,
            since=required_utc(r.since),
            status=ReviewStatus(r.status),
            source=dict(r.source or {}),
            errors=list(r.errors or []),
            partial=dict(r.partial or {}),
            evidence=dict(r.evidence) if r.evidence is not None else None,
            doubtful=list(r.doubtful or []),
            letter_id=r.letter_id,
            settled_at=as_utc(r.settled_at),
            settled_by=r.settled_by,
            file=files[r.source_file_id],
        )
        for r in rows
    ]


def list_items(engine: Engine, statuses: Sequence[ReviewStatus] = (ReviewStatus.WAITING,)) -> list[ItemRow]:
    """The items in ``statuses`` (default: waiting), oldest first (``since``, then id)."""
    with reading(engine) as conn:
        return _items(conn, s.review_items.c.status.in_([str(v) for v in statuses]))


def get_item(engine: Engine, item_id: int) -> ItemRow | None:
    """The item ``item_id`` (whatever its status), or None."""
    with reading(engine) as conn:
        found = _items(conn, s.review_items.c.id == int(item_id))
    return found[0] if found else None


def item_of_letter(engine: Engine, letter_id: str) -> ItemRow | None:
    """The item a letter was resolved from (the latest), or None."""
    t = s.review_items
    with reading(engine) as conn:
        found = _items(conn, (t.c.letter_id == letter_id) & (t.c.status == ReviewStatus.RESOLVED))
    return found[-1] if found else None


def waiting_since(engine: Engine) -> list[dt.datetime]:
    """When each waiting item was enqueued, oldest first (the backlog)."""
    t = s.review_items
    stmt = sa.select(t.c.since).where(t.c.status == ReviewStatus.WAITING).order_by(t.c.since)
    with reading(engine) as conn:
        return [v for v in (as_utc(r) for r in conn.scalars(stmt)) if v is not None]


def actions_of(engine: Engine, item_id: int) -> list[ActionRow]:
    """The audit trail of an item, in order."""
    t = s.review_actions
    stmt = sa.select(t).where(t.c.item_id == int(item_id)).order_by(t.c.id)
    with reading(engine) as conn:
        rows = conn.execute(stmt).all()
    return [
        ActionRow(
            id=int(r.id),
            item_id=int(r.item_id),
            action=ReviewAction(r.action),
            actor=r.actor,
            at=required_utc(r.acted_at),
            note=r.note,
            changes=list(r.changes),
            batch_id=r.batch_id,
        )
        for r in rows
    ]


def _audit(
    conn: Connection,
    item_id: int,
    action: ReviewAction,
    actor: str,
    now: dt.datetime,
    *,
    note: str | None = None,
    changes: Sequence[Mapping[str, Any]] = (),
    batch_id: str | None = None,
) -> None:
    conn.execute(
        sa.insert(s.review_actions).values(
            item_id=item_id,
            action=action,
            actor=actor,
            acted_at=now,
            note=note,
            changes=[dict(c) for c in changes],
            batch_id=batch_id,
        )
    )


def _values(file_id: str, item: NewItem) -> dict[str, Any]:
    return {
        "source_file_id": file_id,
        "codes": list(item.codes),
        "case_number": item.case_number,
        "source": item.source,
        "errors": item.errors,
        "partial": item.partial,
        "evidence": item.evidence,
        "doubtful": list(item.doubtful),
        "letter_id": item.letter_id,
    }


def enqueue_in(conn: Connection, file_id: str, batch_id: str | None, item: NewItem, now: dt.datetime) -> int | None:
    """Inside the transaction recording the set-aside of file ``file_id``: put ``item`` in the
    queue (audit ``enqueued``) and return its id. The waiting item of the same bytes is refreshed
    instead (its file row, codes, partial, evidence: audited as set aside again); bytes whose
    latest item a person rejected are not queued again (None)."""
    t = s.review_items
    for attempt in (1, 2):
        latest = conn.execute(
            sa.select(t.c.id, t.c.status).where(t.c.sha256 == item.sha256).order_by(t.c.id.desc()).limit(1)
        ).first()
        if latest is not None and latest.status == ReviewStatus.REJECTED:
            return None
        if latest is not None and latest.status == ReviewStatus.WAITING:
            conn.execute(sa.update(t).where(t.c.id == latest.id).values(**_values(file_id, item)))
            _audit(
                conn, latest.id, ReviewAction.ENQUEUED, PIPELINE_ACTOR, now, note="set aside again", batch_id=batch_id
            )
            return int(latest.id)
        insert = postgresql.insert(t) if conn.dialect.name == "postgresql" else sqlite.insert(t)
        stmt = (
            insert.values(sha256=item.sha256, since=now, status=ReviewStatus.WAITING, **_values(file_id, item))
            .on_conflict_do_nothing(index_elements=[t.c.sha256], index_where=sa.text(s.REVIEW_WAITING))
            .returning(t.c.id)
        )
        new_id = conn.execute(stmt).scalar_one_or_none()
        if new_id is None:  # another transaction queued these bytes meanwhile: refresh that one
            if attempt == 2:
                raise RuntimeError(f"review item of {item.sha256[:12]} neither inserted nor found")
            continue
        _audit(conn, new_id, ReviewAction.ENQUEUED, PIPELINE_ACTOR, now, note=",".join(item.codes), batch_id=batch_id)
        return int(new_id)
    raise AssertionError("unreachable")  # pragma: no cover


def set_aside(
    engine: Engine,
    file_id: str,
    status: str,
    reason_codes: Sequence[str] = (),
    messages: Mapping[str, str] | None = None,
    *,
    dq_failures: Sequence[DqFailure] = (),
    review: NewItem | None = None,
) -> tuple[FileRow, int | None]:
    """``mark_file`` of a file's outcome and, for a rejected/quarantined file a person can settle
    (``review``), its review item, in ONE transaction. Returns the file row and the item's id
    (None when nothing was queued). Raises as ``mark_file``."""
    with transaction(engine) as conn:
        if review is not None:
            lock_cases(conn, [review.case_number])  # before reading: a copy of it may be loading
        row = mark_file(conn, file_id, status, reason_codes, messages, dq_failures=dq_failures)
        item_id = None
        if review is not None and FileStatus(status) in SET_ASIDE:
            now = utcnow()
            item_id = enqueue_in(conn, file_id, row.batch_id, review, now)
            stored = None if item_id is None or CONFLICT in review.codes else _stored_copy(conn, review.partial)
            if item_id is not None and stored is not None:  # its letter is loaded already: nothing to settle
                _supersede(conn, item_id, stored, now, COPY_LOADED, row.batch_id)
    return row, item_id


def _waiting_for_update(conn: Connection, item_id: int) -> Any:
    t = s.review_items
    stmt = sa.select(t.c.id, t.c.status, t.c.sha256).where(t.c.id == int(item_id))
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    row = conn.execute(stmt).first()
    if row is None:
        raise ReviewError(f"no review item {item_id} (see `imr review list`)")
    if row.status != ReviewStatus.WAITING:
        raise ReviewError(f"review item {item_id} is {row.status} already: nothing left to do (see `imr review list`)")
    return row


def check_waiting_in(conn: Connection, item_id: int, sha256: str) -> None:
    """Inside a transaction: lock item ``item_id`` and raise :class:`ReviewError` unless it is
    waiting and holds these bytes."""
    row = _waiting_for_update(conn, item_id)
    if row.sha256 != sha256:
        raise ReviewError(
            f"review item {item_id} holds other bytes than the file given: reload it with `imr review show`"
        )


def reject(engine: Engine, item_id: int, by: str, reason: str, *, now: dt.datetime | None = None) -> None:
    """Take a waiting item out of the queue as rejected (audit ``rejected`` with the reason); its
    file stays in quarantine. Raises :class:`ReviewError` for an unknown or settled item."""
    now = now or utcnow()
    t = s.review_items
    with transaction(engine) as conn:
        _waiting_for_update(conn, item_id)
        conn.execute(
            sa.update(t)
            .where(t.c.id == int(item_id))
            .values(status=ReviewStatus.REJECTED, settled_at=now, settled_by=by)
        )
        _audit(conn, int(item_id), ReviewAction.REJECTED, by, now, note=reason)


def refuse(
    engine: Engine,
    item_id: int,
    by: str,
    why: str,
    changes: Sequence[Mapping[str, Any]],
    *,
    now: dt.datetime | None = None,
) -> None:
    """Record a resolution that validation refused (audit ``refused``: the reason and the values
    tried); the item stays waiting."""
    with transaction(engine) as conn:
        _audit(conn, int(item_id), ReviewAction.REFUSED, by, now or utcnow(), note=why, changes=changes)


# ----------------------------------------------------------------------------- the loading transaction


@dataclass(frozen=True)
class Loaded:
    """One file a loading transaction decided (what :func:`after_load` needs of it)."""

    file_id: str
    batch_id: str
    status: FileStatus
    letter_id: str
    record: LetterRecord
    codes: tuple[str, ...] = ()


def changes_of(partial: Mapping[str, Any], letter: Mapping[str, Any], paths: Sequence[str]) -> list[dict[str, Any]]:
    """``[{"path", "old", "new"}]`` of ``paths`` between a partial letter and the letter settled from it."""
    out: list[dict[str, Any]] = []
    for path in paths:
        values = []
        for source in (partial, letter):
            try:
                values.append(field_paths.get(dict(source), path))
            except field_paths.FieldPathError:
                values.append(None)
        out.append({"path": path, "old": values[0], "new": values[1]})
    return out


#: The note of an item superseded by a loaded letter it is a copy of (:func:`is_copy_of`).
COPY_LOADED = "a complete copy of the letter is loaded"


def is_copy_of(partial: Mapping[str, Any], letter: Mapping[str, Any]) -> bool:
    """Whether a set-aside letter, as far as it was read (``partial``), is a copy of ``letter``
    (both in the JSON shape of ``Letter.to_dict()``): the same case number and decision date, every
    other header date and the priority the same where it read them, and every item whose request
    it read one of the letter's items, in the letter's order, with the same decision where it read
    one. A copy that lost pages or a decision word is one; a copy that read any of these values
    otherwise is not (it waits for a person), nor one whose decision date was not read."""
    if partial.get("case_number") is None or partial.get("decision_date") is None:
        return False
    header = ("case_number", *DATE_FIELDS, "priority")
    if any(partial.get(k) is not None and partial.get(k) != letter.get(k) for k in header):
        return False
    theirs = [(request_key(i.get("request")), i.get("decision")) for i in letter.get("items") or ()]
    at = 0
    for item in partial.get("items") or ():
        if item.get("request") is None:
            continue
        want = request_key(item["request"])
        while at < len(theirs) and theirs[at][0] != want:
            at += 1
        if at == len(theirs) or item.get("decision") not in (None, theirs[at][1]):
            return False
        at += 1
    return True


def _stored_copy(conn: Connection, partial: Mapping[str, Any]) -> str | None:
    """The id of a stored letter of the partial letter's case that it is a copy of, if any (the
    oldest loaded first)."""
    lt, it = s.letters, s.items
    case, decided = partial.get("case_number"), partial.get("decision_date")
    if case is None or decided is None:
        return None
    rows = conn.execute(
        sa.select(lt.c.id, lt.c.priority, *(lt.c[f] for f in DATE_FIELDS))
        .where(lt.c.case_number == case)
        .order_by(lt.c.loaded_at, lt.c.id)
    ).all()
    for row in rows:
        letter: dict[str, Any] = {"case_number": case, "priority": row.priority}
        dates = {f: row._mapping[f] for f in DATE_FIELDS}
        letter.update({f: d.isoformat() if d is not None else None for f, d in dates.items()})
        items = conn.execute(
            sa.select(it.c.request, it.c.decision).where(it.c.letter_id == row.id).order_by(it.c.ordinal)
        ).all()
        letter["items"] = [{"request": i.request, "decision": i.decision} for i in items]
        if is_copy_of(partial, letter):
            return str(row.id)
    return None


def _supersede(
    conn: Connection, item_id: int, letter_id: str | None, now: dt.datetime, note: str, batch_id: str | None = None
) -> None:
    """Settle waiting item ``item_id`` as superseded by the pipeline (audited with ``note``)."""
    values: dict[str, Any] = {"status": ReviewStatus.SUPERSEDED, "settled_at": now, "settled_by": PIPELINE_ACTOR}
    if letter_id is not None:
        values["letter_id"] = letter_id
    conn.execute(sa.update(s.review_items).where(s.review_items.c.id == item_id).values(**values))
    _audit(conn, item_id, ReviewAction.SUPERSEDED, PIPELINE_ACTOR, now, note=note, batch_id=batch_id)


def _conflicting_paths(conn: Connection, letter_id: str, case_number: str | None) -> list[str]:
    """The fields a letter in review differs on from the other letters in review of its case
    (dates, priority, outcome, each item's request and decision): where a person looks first."""
    if case_number is None:
        return []
    lt, it = s.letters, s.items
    fields = [*DATE_FIELDS, "priority", "outcome"]
    rows = conn.execute(
        sa.select(lt.c.id, *(lt.c[f] for f in fields)).where(
            (lt.c.case_number == case_number) & (lt.c.version_status == IN_REVIEW)
        )
    ).all()
    items: dict[str, list[tuple[str, str]]] = {r.id: [] for r in rows}
    for r in select_in(
        conn, sa.select(it.c.letter_id, it.c.request, it.c.decision).order_by(it.c.ordinal), it.c.letter_id, list(items)
    ):
        items[r.letter_id].append((request_key(r.request), r.decision))
    own = next((r for r in rows if r.id == letter_id), None)
    if own is None:
        return []
    paths: list[str] = []
    others = [r for r in rows if r.id != letter_id]
    for f in fields:
        if any(o._mapping[f] != own._mapping[f] for o in others):
            paths.append(f)
    mine = items[letter_id]
    for n, (request, decision) in enumerate(mine):
        for part, value in (("request", request), ("decision", decision)):
            k = 0 if part == "request" else 1
            if any(n >= len(items[o.id]) or items[o.id][n][k] != value for o in others):
                paths.append(f"items[{n}].{part}")
    return paths


def after_load(conn: Connection, loads: Sequence[Loaded], standing: Mapping[str, str], now: dt.datetime) -> None:
    """Inside the loading transaction, after the letters' standings were recomputed (``standing``:
    letter id -> version status of every letter of the touched cases): the queue follows what was
    loaded.

    * a letter that counts now (loaded or linked) settles the waiting item of its bytes: resolved
      when the record carries a person's review (audit with the changed paths' old and new values),
      else superseded (loaded as extracted: a rerun after an extractor fix);
    * a letter quarantined ``case_version_conflict`` is queued (doubtful: where it differs from
      the case's other letters in review);
    * an item waiting on a letter that is no longer in review (its case's conflict ended) is
      superseded.
    """
    t = s.review_items
    counted = {ld.record.source.sha256: ld for ld in loads if ld.status in (FileStatus.LOADED, FileStatus.LINKED)}
    settled: set[int] = set()
    if counted:
        stmt = sa.select(t.c.id, t.c.sha256, t.c.partial).where(t.c.status == ReviewStatus.WAITING)
        for r in select_in(conn, stmt, t.c.sha256, sorted(counted)):
            ld = counted[r.sha256]
            review = ld.record.review
            letter = ld.record.letter
            assert letter is not None
            values: dict[str, Any] = {"letter_id": ld.letter_id, "settled_at": now}
            if review is not None:
                values.update(status=ReviewStatus.RESOLVED, settled_by=review.by)
                changes = changes_of(r.partial or {}, letter.to_dict(), review.changed)
                action, actor, note = ReviewAction.RESOLVED, review.by, review.note
            else:
                values.update(status=ReviewStatus.SUPERSEDED, settled_by=PIPELINE_ACTOR)
                changes, action, actor, note = [], ReviewAction.SUPERSEDED, PIPELINE_ACTOR, "loaded as extracted"
            conn.execute(sa.update(t).where(t.c.id == r.id).values(**values))
            _audit(conn, int(r.id), action, actor, now, note=note, changes=changes, batch_id=ld.batch_id)
            settled.add(int(r.id))
    for ld in counted.values():
        letter = ld.record.letter
        if letter is None or letter.case_number is None:
            continue
        copies = sa.select(t.c.id, t.c.codes, t.c.partial).where(
            t.c.status == ReviewStatus.WAITING,
            t.c.case_number == letter.case_number,
            t.c.sha256 != ld.record.source.sha256,
        )
        whole = _json_of(letter)
        for r in conn.execute(copies.order_by(t.c.id)):
            if int(r.id) not in settled and CONFLICT not in r.codes and is_copy_of(r.partial or {}, whole):
                _supersede(conn, int(r.id), ld.letter_id, now, COPY_LOADED, ld.batch_id)
                settled.add(int(r.id))
    for ld in loads:
        if ld.status == FileStatus.QUARANTINED and CONFLICT in ld.codes and ld.record.review is None:
            case = ld.record.letter.case_number if ld.record.letter is not None else None
            doubtful = _conflicting_paths(conn, ld.letter_id, case)
            new = item_of(ld.record, [CONFLICT], letter_id=ld.letter_id, doubtful=doubtful)
            if new is not None:
                enqueue_in(conn, ld.file_id, ld.batch_id, new, now)
    ended = sorted(i for i, status in standing.items() if status != IN_REVIEW)
    if ended:
        waiting: sa.Select[Any] = sa.select(t.c.id).where(t.c.status == ReviewStatus.WAITING)
        for r in select_in(conn, waiting, t.c.letter_id, ended):
            if int(r.id) in settled:
                continue
            _supersede(conn, int(r.id), None, now, "the case's version conflict ended")
