"""Loading: one transaction per letter, idempotent reloads, duplicates, linking by case number."""

from __future__ import annotations

import copy
import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

import warehouse as w
from imr.models import Guideline, LetterRecord, RecordError, Source
from imr.outcomes import DqFailure
from tests.fixtures_db import count_rows
from tests.warehouse_helpers import SHA_A, SHA_B, SHA_C, load_one, make_record
from warehouse import schema as s

LETTER_TABLES = (
    "letters",
    "letter_files",
    "letter_errors",
    "items",
    "guideline_citations",
    "diagnoses",
    "reviewer_specialties",
    "reviewer_licensure_states",
)


def test_load_then_export_is_exact(engine: Engine) -> None:
    rec = make_record()
    _, res = load_one(engine, rec)
    assert res.status == "loaded"
    assert [r.to_dict() for r in w.export_records(engine)] == [rec.to_dict()]
    f = w.get_file(engine, res.file_id)
    assert f is not None and f.status == "loaded" and f.letter_id == res.letter_id and f.pages == 3
    assert w.find_loaded_sha(engine, SHA_A) == res.letter_id
    assert w.find_loaded_sha(engine, SHA_B) is None


def test_same_file_loaded_again_returns_the_same_result(engine: Engine) -> None:
    rec = make_record()
    _batch, first = load_one(engine, rec)
    before = count_rows(engine)
    again = w.load_letter(engine, first.file_id, rec)
    assert again == first
    assert count_rows(engine) == before


def test_same_content_in_another_file_is_a_duplicate(engine: Engine) -> None:
    rec = make_record()
    _batch, first = load_one(engine, rec)
    before = count_rows(engine)
    # the same bytes found again in a later batch, under another name
    batch2 = w.start_batch(engine, "ingest", ["/in"])
    fid = w.register_file(engine, batch2, "/in", "copy.txt", SHA_A, 100, "text/plain")
    res = w.load_letter(engine, fid, make_record(path="copy.txt"))
    assert (res.status, res.letter_id) == ("duplicate", first.letter_id)
    after = count_rows(engine)
    assert {t: after[t] for t in LETTER_TABLES} == {t: before[t] for t in LETTER_TABLES}
    assert w.get_file(engine, fid).status == "duplicate"  # type: ignore[union-attr]
    assert w.batch_counts(engine, batch2).duplicates == 1


def test_same_case_number_in_other_content_is_linked(engine: Engine) -> None:
    """Another file of the same determination (same case, decision and content; other bytes, e.g.
    a copy addressed to another party) is kept as a version of the case and linked: only the copy
    with the smallest sha256 counts."""
    rec = make_record()
    batch, first = load_one(engine, rec)
    before = count_rows(engine)
    other = make_record(sha=SHA_B, path="scan.pdf")
    fid = w.register_file(engine, batch, "/in", "scan.pdf", SHA_B, 200, "application/pdf")
    res = w.load_letter(engine, fid, other)
    assert res.status == "linked" and res.letter_id != first.letter_id
    after = count_rows(engine)
    assert (before["letters"], after["letters"]) == (1, 2)
    assert after["letter_files"] == 2
    # the export still shows one record: the copy with the smallest sha256 (here the first file)
    assert [r.to_dict() for r in w.export_records(engine)] == [rec.to_dict()]
    assert w.find_loaded_sha(engine, SHA_B) == res.letter_id
    assert w.batch_counts(engine, batch).linked == 1


def test_letters_without_case_number_are_distinct(engine: Engine) -> None:
    _, a = load_one(engine, make_record(sha=SHA_A, case=None))
    _, b = load_one(engine, make_record(sha=SHA_B, path="b.txt", case=None))
    assert a.status == b.status == "loaded" and a.letter_id != b.letter_id


def test_a_failure_mid_load_leaves_no_rows(engine: Engine) -> None:
    rec = make_record()
    assert rec.letter is not None
    rec.letter.items[1].decision = "maybe"  # type: ignore[assignment]  # violates ck_items_decision
    batch = w.start_batch(engine, "ingest", ["/in"])
    fid = w.register_file(engine, batch, "/in", rec.source.path, SHA_A, 100, "text/plain")
    before = count_rows(engine)
    with pytest.raises(sa.exc.IntegrityError):
        w.load_letter(engine, fid, rec)
    assert count_rows(engine) == before
    assert all(count_rows(engine)[t] == 0 for t in LETTER_TABLES)
    f = w.get_file(engine, fid)
    assert f is not None and f.status == "pending" and f.letter_id is None
    # the corrected record loads afterwards
    assert w.load_letter(engine, fid, make_record()).status == "loaded"


def test_guideline_source_check(engine: Engine) -> None:
    rec = make_record()
    assert rec.letter is not None
    rec.letter.items[0].reviewer_guideline = Guideline("odg", "x")  # type: ignore[arg-type]
    with pytest.raises(sa.exc.IntegrityError):
        load_one(engine, rec)
    assert count_rows(engine)["letters"] == 0


def test_rejected_records_and_wrong_sha_are_refused(engine: Engine) -> None:
    batch = w.start_batch(engine, "ingest", ["/in"])
    fid = w.register_file(engine, batch, "/in", "x.txt", SHA_A, 1, "text/plain")
    rejected = LetterRecord(
        Source("x.txt", SHA_A, "text/plain"), "rejected", [RecordError("empty_file", "empty")]
    )
    with pytest.raises(ValueError):
        w.load_letter(engine, fid, rejected)
    with pytest.raises(ValueError):
        w.load_letter(engine, fid, make_record(sha=SHA_C))
    with pytest.raises(KeyError):
        w.load_letter(engine, "no-such-file", make_record())


def test_dq_failures_are_stored_with_the_letter(engine: Engine) -> None:
    rec = make_record()
    batch = w.start_batch(engine, "ingest", ["/in"])
    fid = w.register_file(engine, batch, "/in", rec.source.path, SHA_A, 100, "text/plain")
    failures = [DqFailure("letters", "expect_priority_not_null", "warning")]
    w.load_letter(engine, fid, rec, dq_failures=failures)
    assert w.dq_failures_of(engine, fid) == failures


def test_record_errors_round_trip(engine: Engine) -> None:
    rec = make_record()
    rec.errors = [RecordError("parse_error", "date_of_injury unreadable"), RecordError("read_error", "x")]
    load_one(engine, rec)
    assert [r.to_dict() for r in w.export_records(engine)] == [rec.to_dict()]


def test_concurrent_loads_of_the_same_content(engine: Engine) -> None:
    """Two workers load copies of the same letter at once: one letter, one loaded, one duplicate."""
    batch = w.start_batch(engine, "ingest", ["/in"])
    recs = [make_record(path=f"copy{i}.txt") for i in range(2)]
    fids = [w.register_file(engine, batch, "/in", r.source.path, SHA_A, 100, "text/plain") for r in recs]
    results: list[w.LoadResult] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def work(i: int) -> None:
        barrier.wait()
        try:
            results.append(w.load_letter(engine, fids[i], copy.deepcopy(recs[i])))
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(r.status for r in results) == ["duplicate", "loaded"]
    assert len({r.letter_id for r in results}) == 1
    assert count_rows(engine)["letters"] == 1


def test_export_order_is_by_case_number_then_id(engine: Engine) -> None:
    recs = [
        make_record(sha=SHA_A, path="a.txt", case="CM14-0000002"),
        make_record(sha=SHA_B, path="b.txt", case=None),
        make_record(sha=SHA_C, path="c.txt", case="CM13-0000009"),
    ]
    for r in recs:
        load_one(engine, r)
    cases = [r.letter.case_number for r in w.export_records(engine) if r.letter is not None]
    assert cases == ["CM13-0000009", "CM14-0000002", None]


def test_letter_rows_are_normalized(engine: Engine) -> None:
    _, res = load_one(engine)
    with engine.connect() as conn:
        states = conn.execute(
            sa.select(s.reviewer_licensure_states.c.state)
            .where(s.reviewer_licensure_states.c.letter_id == res.letter_id)
            .order_by(s.reviewer_licensure_states.c.position)
        ).scalars()
        assert list(states) == ["California", "Texas"]
        parties = conn.execute(sa.select(s.guideline_citations.c.party)).scalars().all()
        assert sorted(parties) == ["claims_administrator"] * 2 + ["reviewer"] * 2


def test_a_chunk_commits_together_and_a_bad_letter_rolls_back_alone(engine: Engine) -> None:
    batch = w.start_batch(engine, "ingest", ["/in"])
    records = [make_record(sha, f"{n}.txt", f"CM13-000000{n}") for n, sha in enumerate((SHA_A, SHA_B, SHA_C))]
    records[1].letter.priority = "urgent"  # type: ignore[union-attr,assignment]  # breaks the CHECK constraint
    fids = [
        w.register_file(engine, batch, "/in", r.source.path, r.source.sha256, 10, "text/plain") for r in records
    ]
    results = w.load_letters(engine, [(f, r, []) for f, r in zip(fids, records, strict=True)])
    assert [type(r).__name__ for r in results] == ["LoadResult", "IntegrityError", "LoadResult"]
    assert count_rows(engine)["letters"] == 2
    assert {x.source.sha256 for x in w.export_records(engine)} == {SHA_A, SHA_C}
    again = w.load_letters(engine, [(fids[0], records[0], [])])  # idempotent
    assert again == [results[0]]
