"""The review queue in the warehouse (SQLite and PostgreSQL): an item enters in the transaction that
records its file's set-aside, one waits per content, a person's rejection stands, every action is
audited, loading the bytes settles the item (resolved with a review, superseded without), and a
case's version conflict is queued, rewritten when a person settles it, and never half-written."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

import warehouse as w
from imr.errors import ReviewError, is_reviewable
from imr.models import Evidence, LetterRecord, RecordError, Review
from imr.outcomes import FileStatus, ReviewAction, ReviewStatus
from tests.warehouse_helpers import SHA_A, SHA_B, make_record
from warehouse import review as queue
from warehouse import schema as s

DAMAGED = "unresolved_item"


def _rejected(sha: str = SHA_A, path: str = "a.txt") -> LetterRecord:
    """A letter rejected ``unresolved_item``: its partial letter with the second decision unread."""
    parsed = make_record(sha=sha, path=path)
    assert parsed.letter is not None
    partial = parsed.letter.to_dict()
    partial["items"][1]["decision"] = None
    partial["_doubtful"] = ["items[1].decision"]
    return LetterRecord(
        source=parsed.source,
        status="rejected",
        errors=[RecordError(DAMAGED, "an item whose decision could not be resolved")],
        evidence={"items[1].decision": Evidence(page=2, text="Overt#rned", line=40)},
        partial=partial,
    )


def _register(engine: Engine, record: LetterRecord, batch: str | None = None) -> tuple[str, str]:
    batch = batch or w.start_batch(engine, "ingest", ["/in"])
    fid = w.register_file(engine, batch, "/in", record.source.path, record.source.sha256, 10, "text/plain")
    return batch, fid


def _set_aside(engine: Engine, record: LetterRecord, batch: str | None = None) -> tuple[str, int | None]:
    _, fid = _register(engine, record, batch)
    codes = [e.code for e in record.errors]
    _, item_id = w.set_aside(engine, fid, FileStatus.REJECTED, codes, review=w.item_of(record, codes))
    return fid, item_id


def _actions(engine: Engine, item_id: int) -> list[ReviewAction]:
    return [a.action for a in queue.actions_of(engine, item_id)]


def test_which_codes_a_person_can_settle() -> None:
    assert is_reviewable(["unresolved_item"], header_read=False)
    assert is_reviewable(["dq_decision_date_not_in_future", "dq_priority_in_set"], header_read=True)
    assert is_reviewable(["no_items"], header_read=True)
    assert not is_reviewable(["no_items"], header_read=False)
    for code in ("other_program", "not_imr_letter", "pdf_corrupt", "pdf_password", "empty_file", "duplicate_file"):
        assert not is_reviewable([code], header_read=True), code
    for code in ("file_too_large", "extract_timeout", "too_many_items", "warehouse_constraint"):
        assert not is_reviewable([code], header_read=True), code
    assert not is_reviewable([], header_read=True)


def test_a_set_aside_letter_enters_the_queue_with_its_partial_evidence_and_doubt(engine: Engine) -> None:
    record = _rejected()
    fid, item_id = _set_aside(engine, record)
    assert item_id is not None
    (row,) = queue.list_items(engine)
    assert row.id == item_id and row.status == ReviewStatus.WAITING
    assert row.codes == [DAMAGED] and row.case_number == "CM13-0000001" and row.sha256 == SHA_A
    assert row.doubtful == ["items[1].decision"] and "_doubtful" not in row.partial
    assert row.partial["items"][1]["decision"] is None
    assert row.evidence == {
        "items[1].decision": {"page": 2, "bbox": None, "line": 40, "text": "Overt#rned", "confidence": None}
    }
    assert row.file.id == fid and row.file.status == FileStatus.REJECTED
    assert row.errors == []  # a rejected record's errors are its reasons, not warnings to keep
    assert row.since.tzinfo is not None
    assert _actions(engine, item_id) == [ReviewAction.ENQUEUED]


def test_what_a_person_cannot_settle_is_not_queued(engine: Engine) -> None:
    look_alike = dataclasses.replace(_rejected(), errors=[RecordError("other_program", "DMHC")])
    no_header = _rejected(sha=SHA_B, path="b.txt")
    no_header.errors = [RecordError("no_items", "none found")]
    assert no_header.partial is not None
    no_header.partial.update(case_number=None, decision_date=None, date_assigned=None)
    for record in (look_alike, no_header):
        _, item_id = _set_aside(engine, record)
        assert item_id is None
    assert queue.list_items(engine) == []
    with w.reading(engine) as conn:  # the set-aside itself is recorded all the same
        assert conn.execute(sa.select(sa.func.count()).select_from(s.quarantine_reasons)).scalar_one() == 2


def test_the_set_aside_and_its_item_commit_together(engine: Engine) -> None:
    record = _rejected()
    _, fid = _register(engine, record)
    item = w.item_of(record, [DAMAGED])
    assert item is not None
    broken = dataclasses.replace(item, partial={"case_number": object()})  # not JSON: the item cannot be written
    with pytest.raises((sa.exc.StatementError, TypeError)):
        w.set_aside(engine, fid, FileStatus.REJECTED, [DAMAGED], review=broken)
    assert w.get_file(engine, fid).status == FileStatus.PENDING  # type: ignore[union-attr]
    assert queue.list_items(engine) == []


def test_one_item_waits_per_content_and_a_rejection_stands(engine: Engine) -> None:
    record = _rejected()
    _, first = _set_aside(engine, record)
    fid2, again = _set_aside(engine, record)  # a rerun: the same bytes set aside again
    assert first == again
    (row,) = queue.list_items(engine)
    assert row.file.id == fid2  # the item follows the latest set-aside of its bytes
    assert _actions(engine, row.id) == [ReviewAction.ENQUEUED, ReviewAction.ENQUEUED]
    queue.reject(engine, row.id, "Ann", "not a letter of ours")
    assert queue.list_items(engine) == []
    _, third = _set_aside(engine, record)
    assert third is None  # the person's rejection is not undone by a rerun
    settled = queue.get_item(engine, row.id)
    assert settled is not None and settled.status == ReviewStatus.REJECTED and settled.settled_by == "Ann"
    trail = queue.actions_of(engine, row.id)
    assert (
        trail[-1].action == ReviewAction.REJECTED
        and trail[-1].actor == "Ann"
        and trail[-1].note == "not a letter of ours"
    )
    with pytest.raises(ReviewError, match="rejected already"):
        queue.reject(engine, row.id, "Ann", "again")
    with pytest.raises(ReviewError, match="no review item 999"):
        queue.reject(engine, 999, "Ann", "?")


def _resolved_record(record: LetterRecord, by: str = "Bo") -> LetterRecord:
    parsed = make_record(sha=record.source.sha256, path=record.source.path)
    parsed.evidence = record.evidence
    parsed.review = Review(
        by=by, at=dt.datetime(2024, 6, 1, 9, 30, tzinfo=dt.UTC), changed=["items[1].decision"], note="read it"
    )
    return parsed


def test_loading_a_reviewed_letter_resolves_its_item_in_the_same_transaction(engine: Engine) -> None:
    record = _rejected()
    fid, item_id = _set_aside(engine, record)
    assert item_id is not None
    result = w.load_reviewed(engine, fid, _resolved_record(record), item_id=item_id)
    assert result.status == FileStatus.LOADED
    item = queue.get_item(engine, item_id)
    assert item is not None and item.status == ReviewStatus.RESOLVED and item.letter_id == result.letter_id
    trail = queue.actions_of(engine, item_id)
    assert trail[-1].action == ReviewAction.RESOLVED and trail[-1].actor == "Bo" and trail[-1].note == "read it"
    assert trail[-1].changes == [{"path": "items[1].decision", "old": None, "new": "overturned"}]
    (back,) = w.export_records(engine, evidence=True)
    assert back.review is not None and back.review.by == "Bo" and back.evidence == record.evidence
    with pytest.raises(ReviewError, match="resolved already"):
        w.load_reviewed(engine, fid, _resolved_record(record), item_id=item_id)


def test_bytes_loaded_as_extracted_supersede_their_waiting_item(engine: Engine) -> None:
    """A rerun with an extractor that reads the letter now: the item leaves the queue, audited."""
    record = _rejected()
    _, item_id = _set_aside(engine, record)
    assert item_id is not None
    _, fid = _register(engine, record)
    result = w.load_letter(engine, fid, make_record())
    assert result.status == FileStatus.LOADED
    item = queue.get_item(engine, item_id)
    assert item is not None and item.status == ReviewStatus.SUPERSEDED
    assert _actions(engine, item_id)[-1] == ReviewAction.SUPERSEDED
    assert next(w.export_records(engine)).review is None


def _conflicting(engine: Engine) -> tuple[w.LoadResult, w.LoadResult]:
    """Two letters of one case and decision date that differ on a decision."""
    first = make_record()
    second = make_record(sha=SHA_B, path="b.txt")
    assert second.letter is not None
    second.letter.items[0].decision = "overturned"
    second.letter.outcome = "overturned"
    batch = w.start_batch(engine, "ingest", ["/in"])
    out = []
    for r in (first, second):
        _, fid = _register(engine, r, batch)
        out.append(w.load_letter(engine, fid, r))
    return out[0], out[1]


def test_a_version_conflict_is_queued_with_what_differs(engine: Engine) -> None:
    first, second = _conflicting(engine)
    assert first.status == FileStatus.LOADED and second.status == FileStatus.QUARANTINED
    (row,) = queue.list_items(engine)
    assert row.codes == ["case_version_conflict"] and row.letter_id == second.letter_id
    assert row.doubtful == ["outcome", "items[0].decision"]
    assert row.partial["items"][0]["decision"] == "overturned"


def test_a_settled_conflict_rewrites_its_letter_and_the_case_counts_again(engine: Engine) -> None:
    _, second = _conflicting(engine)
    (row,) = queue.list_items(engine)
    fixed = make_record(sha=SHA_B, path="b.txt")  # the person read the decision as the first letter says
    fixed.review = Review(by="Cy", at=dt.datetime(2024, 6, 2, tzinfo=dt.UTC), changed=["items[0].decision"])
    result = w.load_reviewed(engine, row.file.id, fixed, item_id=row.id)
    assert result.letter_id == second.letter_id and result.status in (FileStatus.LOADED, FileStatus.LINKED)
    versions = {v.status for _, v in w.export_versions(engine)}
    assert "in_review" not in versions  # one determination again: the case has a current letter
    item = queue.get_item(engine, row.id)
    assert item is not None and item.status == ReviewStatus.RESOLVED
    rewritten = w.export_record(engine, second.letter_id)
    assert rewritten is not None and rewritten.letter is not None and rewritten.review is not None
    assert rewritten.letter.items[0].decision == "upheld"


def test_a_conflict_settled_without_a_difference_writes_nothing(engine: Engine) -> None:
    _conflicting(engine)
    (row,) = queue.list_items(engine)
    same = make_record(sha=SHA_B, path="b.txt")
    assert same.letter is not None
    same.letter.items[0].decision = "overturned"
    same.letter.outcome = "overturned"
    same.review = Review(by="Cy", at=dt.datetime(2024, 6, 2, tzinfo=dt.UTC), changed=["priority"])
    result = w.load_reviewed(engine, row.file.id, same, item_id=row.id)
    assert result.status == FileStatus.QUARANTINED
    assert queue.get_item(engine, row.id).status == ReviewStatus.WAITING  # type: ignore[union-attr]
    with w.reading(engine) as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(s.letter_reviews)).scalar_one() == 0


def test_a_conflict_that_ends_otherwise_supersedes_its_item(engine: Engine) -> None:
    """A later letter of the case (a later decision date) ends the conflict: nothing left to settle."""
    _conflicting(engine)
    (row,) = queue.list_items(engine)
    later = make_record(sha="c" * 64, path="c.txt")
    assert later.letter is not None
    later.letter.decision_date = dt.date(2013, 9, 1)
    _, fid = _register(engine, later)
    assert w.load_letter(engine, fid, later).status == FileStatus.LOADED
    item = queue.get_item(engine, row.id)
    assert item is not None and item.status == ReviewStatus.SUPERSEDED


def test_two_transactions_queueing_the_same_bytes_leave_one_item(engine: Engine) -> None:
    """Two chunks setting aside the same bytes at once (PostgreSQL: concurrent transactions; the
    second waits on the unique index, then refreshes the first's item instead of failing)."""
    import threading

    record = _rejected()
    item = w.item_of(record, [DAMAGED])
    assert item is not None
    _, fid1 = _register(engine, record)
    _, fid2 = _register(engine, record)
    first_in = threading.Event()
    release = threading.Event()
    results: list[int | None] = []

    def hold() -> None:
        with w.transaction(engine) as conn:
            results.append(queue.enqueue_in(conn, fid1, None, item, queue.utcnow()))
            first_in.set()
            release.wait(10)

    t = threading.Thread(target=hold)
    t.start()
    assert first_in.wait(10)
    if engine.dialect.name == "postgresql":  # SQLite runs one write transaction at a time
        threading.Timer(0.5, release.set).start()
    else:
        release.set()
    with w.transaction(engine) as conn:
        results.append(queue.enqueue_in(conn, fid2, None, item, queue.utcnow()))
    t.join(10)
    assert results[0] is not None and results[0] == results[1]
    (row,) = queue.list_items(engine)
    assert row.file.id == fid2


def _copy_without_a_page(sha: str = SHA_B, decision: str | None = None) -> LetterRecord:
    """A copy of ``make_record()``'s letter (other bytes) set aside ``unresolved_item``: its page
    with the second item lost; the first item's decision read as ``decision`` when given."""
    record = _rejected(sha=sha, path="copy.txt")
    assert record.partial is not None
    record.partial["items"] = record.partial["items"][:1]
    if decision is not None:
        record.partial["items"][0]["decision"] = decision
    record.partial["_doubtful"] = ["items"]
    return record


def test_is_copy_of() -> None:
    whole = _json(make_record())
    cut = _copy_without_a_page().partial
    assert cut is not None and queue.is_copy_of(cut, whole)
    assert queue.is_copy_of({**cut, "items": []}, whole)  # no item read, the header agrees
    assert queue.is_copy_of({**cut, "items": [{"request": None, "decision": None}]}, whole)
    second = dict(whole["items"][1], decision=None)
    assert queue.is_copy_of({**cut, "items": [second]}, whole)  # the first item's page lost
    assert not queue.is_copy_of({**cut, "items": [second, whole["items"][0]]}, whole)  # out of order
    assert not queue.is_copy_of({**cut, "decision_date": "2013-08-03"}, whole)  # another determination
    assert not queue.is_copy_of({**cut, "decision_date": None}, whole)  # which one cannot be told
    assert not queue.is_copy_of({**cut, "priority": "expedited"}, whole)
    assert not queue.is_copy_of({**cut, "case_number": "CM13-0000002"}, whole)
    flipped = _copy_without_a_page(decision="overturned" if whole["items"][0]["decision"] == "upheld" else "upheld")
    assert flipped.partial is not None and not queue.is_copy_of(flipped.partial, whole)  # read otherwise
    retyped = dict(whole["items"][0], request="  " + whole["items"][0]["request"].upper().replace(" ", "\n"))
    assert queue.is_copy_of({**cut, "items": [retyped]}, whole)


def _json(record: LetterRecord) -> dict[str, Any]:
    assert record.letter is not None
    return record.letter.to_dict()


def test_loading_the_complete_letter_supersedes_its_set_aside_copy(engine: Engine) -> None:
    """A copy that lost a page waits; the complete letter (other bytes) loads: the copy's item is
    superseded in the loading transaction, naming the letter."""
    _, item_id = _set_aside(engine, _copy_without_a_page())
    assert item_id is not None
    _, fid = _register(engine, make_record())
    result = w.load_letter(engine, fid, make_record())
    item = queue.get_item(engine, item_id)
    assert item is not None and item.status == ReviewStatus.SUPERSEDED and item.letter_id == result.letter_id
    assert queue.actions_of(engine, item_id)[-1].note == queue.COPY_LOADED
    assert queue.list_items(engine) == []


def test_a_copy_set_aside_after_its_complete_letter_loaded_is_superseded_at_once(engine: Engine) -> None:
    """The other order ends the same: the item is queued and superseded in the set-aside's
    transaction (audited both), its file rejected and findable as before."""
    _, fid = _register(engine, make_record())
    result = w.load_letter(engine, fid, make_record())
    copy_fid, item_id = _set_aside(engine, _copy_without_a_page())
    assert item_id is not None
    item = queue.get_item(engine, item_id)
    assert item is not None and item.status == ReviewStatus.SUPERSEDED and item.letter_id == result.letter_id
    assert _actions(engine, item_id) == [ReviewAction.ENQUEUED, ReviewAction.SUPERSEDED]
    row = w.get_file(engine, copy_fid)
    assert row is not None and row.status == FileStatus.REJECTED


@pytest.mark.parametrize("copy_first", [True, False])
def test_a_copy_that_read_a_value_otherwise_waits_for_a_person(engine: Engine, copy_first: bool) -> None:
    whole = make_record()
    assert whole.letter is not None
    other = "overturned" if whole.letter.items[0].decision == "upheld" else "upheld"
    steps = ["copy", "load"] if copy_first else ["load", "copy"]
    for step in steps:
        if step == "copy":
            _, item_id = _set_aside(engine, _copy_without_a_page(decision=other))
        else:
            _, fid = _register(engine, whole)
            w.load_letter(engine, fid, whole)
    (waiting,) = queue.list_items(engine)
    assert waiting.id == item_id and waiting.status == ReviewStatus.WAITING
