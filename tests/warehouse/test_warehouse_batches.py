"""Batches and the file ledger: lifecycle, counts, marking, reruns, data-quality results."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

import warehouse as w
from imr.errors import REASON_CODES
from imr.outcomes import BatchCounts, DqFailure, ExpectationResult
from tests.warehouse_helpers import SHA_A, SHA_B, SHA_C, make_record

SHA_D = "d" * 64


def test_batch_lifecycle(engine: Engine) -> None:
    bid = w.start_batch(engine, "ingest", ["/in/a", "/in/b"], flow_run_id="run-1")
    b = w.get_batch(engine, bid)
    assert b is not None
    assert (b.kind, b.status, b.inboxes, b.flow_run_id, b.finished_at) == (
        "ingest",
        "running",
        ["/in/a", "/in/b"],
        "run-1",
        None,
    )
    assert b.started_at.tzinfo is not None

    loaded = w.register_file(engine, bid, "/in/a", "x/1.txt", SHA_A, 10, "text/plain")
    w.load_letter(engine, loaded, make_record(sha=SHA_A, path="x/1.txt"))
    rejected = w.register_file(engine, bid, "/in/a", "2.docx", SHA_B, 10, None)
    w.mark_file(engine, rejected, "rejected", ["unsupported_type"])
    quarantined = w.register_file(engine, bid, "/in/b", "3.txt", SHA_C, 10, "text/plain")
    w.mark_file(
        engine, quarantined, "quarantined", ["dq_expect_case_number"], {"dq_expect_case_number": "bad"}
    )
    w.register_file(engine, bid, "/in/b", "4.txt", SHA_D, 10, "text/plain")  # left pending

    done = w.finish_batch(engine, bid, "completed_with_quarantine")
    assert done.status == "completed_with_quarantine" and done.finished_at is not None
    assert done.finished_at >= done.started_at
    assert done.counts == BatchCounts(files_seen=4, loaded=1, rejected=1, quarantined=1)
    assert w.get_batch(engine, bid) == done

    # explicit counts win (a mapping updates the counts it names); a retry of finish overwrites
    again = w.finish_batch(engine, bid, "completed", {"files_seen": 9, "loaded": 9})
    assert again.status == "completed"
    assert again.counts == BatchCounts(files_seen=9, loaded=9, rejected=1, quarantined=1)
    final = w.finish_batch(engine, bid, "failed", BatchCounts(files_seen=2, failed=2))
    assert final.counts == BatchCounts(files_seen=2, failed=2) and final.status == "failed"


def test_start_batch_is_idempotent_with_an_id(engine: Engine) -> None:
    first = w.start_batch(engine, "backfill", ["/in"], batch_id="batch-fixed")
    before = w.get_batch(engine, first)
    assert first == "batch-fixed"
    assert w.start_batch(engine, "backfill", ["/other"], batch_id="batch-fixed") == "batch-fixed"
    assert w.get_batch(engine, first) == before
    assert len(w.list_batches(engine)) == 1


def test_list_batches_newest_first_and_rerun_parent(engine: Engine) -> None:
    parent = w.start_batch(engine, "ingest", ["/in"])
    child = w.start_batch(engine, "rerun", ["/in"], parent_batch_id=parent)
    batches = w.list_batches(engine)
    assert [b.id for b in batches] == [child, parent]
    assert batches[0].parent_batch_id == parent and batches[0].kind == "rerun"
    assert [b.id for b in w.list_batches(engine, limit=1)] == [child]


def test_batch_validation(engine: Engine) -> None:
    with pytest.raises(ValueError):
        w.start_batch(engine, "nightly", ["/in"])
    bid = w.start_batch(engine, "ingest", ["/in"])
    with pytest.raises(ValueError):
        w.finish_batch(engine, bid, "done")
    with pytest.raises(ValueError):
        w.finish_batch(engine, bid, "completed", {"bogus": 1})
    with pytest.raises(KeyError):
        w.finish_batch(engine, "no-such-batch", "completed")
    assert w.get_batch(engine, "no-such-batch") is None


def test_register_file_is_idempotent(engine: Engine) -> None:
    bid = w.start_batch(engine, "ingest", ["/in"])
    a = w.register_file(engine, bid, "/in", "sub/a.txt", SHA_A, 10, "text/plain")
    assert w.register_file(engine, bid, "/in", "sub/a.txt", SHA_A, 10, "text/plain") == a
    # same path with new content, or same content under another name: new rows
    b = w.register_file(engine, bid, "/in", "sub/a.txt", SHA_B, 11, "text/plain")
    c = w.register_file(engine, bid, "/in", "sub/c.txt", SHA_A, 10, "text/plain")
    assert len({a, b, c}) == 3
    f = w.get_file(engine, a)
    assert f is not None
    assert (f.status, f.inbox, f.rel_path, f.current_path, f.size_bytes) == (
        "pending",
        "/in",
        "sub/a.txt",
        "/in/sub/a.txt",
        10,
    )
    listed = [x.id for x in w.list_files(engine, bid)]
    assert set(listed[:2]) == {a, b} and listed[2] == c
    assert w.batch_counts(engine, bid).files_seen == 3


def test_mark_file_and_quarantine_reasons(engine: Engine) -> None:
    bid = w.start_batch(engine, "ingest", ["/in"])
    fid = w.register_file(engine, bid, "/in", "a.pdf", SHA_A, 10, "application/pdf")
    row = w.mark_file(
        engine,
        fid,
        "quarantined",
        ["pdf_no_text", "dq_expect_items", "pdf_no_text"],
        {"dq_expect_items": "no items"},
        current_path="/q/2026-11-20/a.pdf",
        dq_failures=[DqFailure("letters", "expect_items", "critical")],
    )
    assert row.status == "quarantined" and row.reason_codes == ["pdf_no_text", "dq_expect_items"]
    assert row.current_path == "/q/2026-11-20/a.pdf"
    reasons = w.quarantine_reasons_of(engine, fid)
    assert reasons == {
        "dq_expect_items": "no items",
        "pdf_no_text": REASON_CODES["pdf_no_text"],
    }
    assert w.dq_failures_of(engine, fid) == [DqFailure("letters", "expect_items", "critical")]
    # idempotent, and re-marking replaces the reasons
    w.mark_file(
        engine, fid, "quarantined", ["pdf_no_text", "dq_expect_items"], {"dq_expect_items": "no items"}
    )
    assert w.quarantine_reasons_of(engine, fid) == reasons
    w.mark_file(engine, fid, "rejected", ["pdf_corrupt"])
    assert set(w.quarantine_reasons_of(engine, fid)) == {"pdf_corrupt"}
    w.set_current_path(engine, fid, "/q/elsewhere.pdf")
    f = w.get_file(engine, fid)
    assert f is not None and f.current_path == "/q/elsewhere.pdf" and f.status == "rejected"

    with pytest.raises(ValueError):
        w.mark_file(engine, fid, "loaded")
    with pytest.raises(KeyError):
        w.mark_file(engine, "no-such-file", "failed")
    with pytest.raises(KeyError):
        w.set_current_path(engine, "no-such-file", "/x")


def test_files_to_rerun(engine: Engine) -> None:
    bid = w.start_batch(engine, "ingest", ["/in"])
    ids = {}
    for name, sha in (("ok.txt", SHA_A), ("bad.txt", SHA_B), ("q.txt", SHA_C), ("boom.txt", SHA_D)):
        ids[name] = w.register_file(engine, bid, "/in", name, sha, 1, "text/plain")
    pending = w.register_file(engine, bid, "/in", "later.txt", "e" * 64, 1, "text/plain")
    w.load_letter(engine, ids["ok.txt"], make_record(sha=SHA_A, path="ok.txt"))
    w.mark_file(engine, ids["bad.txt"], "rejected", ["not_imr_letter"], current_path="/q/bad.txt")
    w.mark_file(engine, ids["q.txt"], "quarantined", ["dq_x"])
    w.mark_file(engine, ids["boom.txt"], "failed", ["internal_error"])
    other = w.start_batch(engine, "ingest", ["/in"])
    w.register_file(engine, other, "/in", "other.txt", SHA_A, 1, "text/plain")

    rerun = w.files_to_rerun(engine, bid)
    assert {f.id for f in rerun} == {ids["bad.txt"], ids["q.txt"], ids["boom.txt"], pending}
    assert next(f for f in rerun if f.id == ids["bad.txt"]).current_path == "/q/bad.txt"
    assert [f.rel_path for f in rerun] == sorted(f.rel_path for f in rerun)


def test_dq_results(engine: Engine) -> None:
    bid = w.start_batch(engine, "ingest", ["/in"])
    results = [
        ExpectationResult("letters", "expect_case_number_format", "critical", 10, 1),
        ExpectationResult("items", "expect_decision_in_set", "critical", 25, 0),
        ExpectationResult("letters", "expect_priority_not_null", "warning", 0, 0),
    ]
    w.store_dq_results(engine, bid, results)
    got = w.dq_results(engine, bid)
    assert got == sorted(results, key=lambda r: (r.suite, r.expectation))
    assert got[1].failure_rate == pytest.approx(0.1) and got[2].failure_rate == 0.0
    # storing again replaces (one row per batch, suite, expectation)
    w.store_dq_results(engine, bid, [ExpectationResult("letters", "expect_case_number_format", "critical", 10, 3)])
    got = w.dq_results(engine, bid)
    assert len(got) == 3
    assert next(r for r in got if r.expectation == "expect_case_number_format").failed == 3
    with pytest.raises(ValueError):
        w.store_dq_results(engine, bid, [ExpectationResult("s", "e", "fatal", 1, 1)])
    assert w.dq_results(engine, "no-such-batch") == []
