"""The report counts the letters a person settled and the review queue's backlog (SQLite and
PostgreSQL), through the views (v_letters.reviewed_by, v_review_queue)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy.engine import Engine

import warehouse as w
from imr.models import Review
from imr.outcomes import FileStatus
from reports import Period, collect, write_report
from tests.warehouse_helpers import SHA_A, SHA_B, make_record


def _queue(engine: Engine, batch: str, sha: str, path: str, case: str) -> tuple[str, int]:
    record = make_record(sha=sha, path=path, case=case)
    fid = w.register_file(engine, batch, "/in", path, sha, 1, "text/plain")
    codes = ["dq_priority_in_set"]
    _, item_id = w.set_aside(engine, fid, FileStatus.QUARANTINED, codes, review=w.item_of(record, codes))
    assert item_id is not None
    return fid, item_id


def test_reviewed_letters_and_the_backlog(engine: Engine, tmp_path: Path) -> None:
    empty = collect(engine).reviews
    assert (empty.reviewed, empty.waiting, empty.oldest_since) == (0, 0, None)
    batch = w.start_batch(engine, "ingest", ["/in"])
    fid, item_id = _queue(engine, batch, SHA_A, "a.txt", "CM13-0000001")
    _queue(engine, batch, SHA_B, "b.txt", "CM13-0000002")
    settled = make_record(sha=SHA_A, path="a.txt", case="CM13-0000001")
    settled.review = Review(by="Ann", at=dt.datetime(2024, 1, 2, tzinfo=dt.UTC), changed=["priority"])
    assert w.load_reviewed(engine, fid, settled, item_id=item_id).status == FileStatus.LOADED
    r = collect(engine).reviews
    assert r.reviewed == 1 and r.waiting == 1
    assert r.oldest_since is not None and abs(r.oldest_since - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)
    # the letters are counted by their decision date (2013-08-02), the backlog as it stands now
    assert collect(engine, Period(since=dt.date(2014, 1, 1))).reviews.reviewed == 0
    assert collect(engine, Period(since=dt.date(2014, 1, 1))).reviews.waiting == 1
    files = write_report(engine, tmp_path)
    text = files.markdown.read_text()
    assert "| letters waiting for a person now | 1 |" in text and "settled by a person (resolved" in text
    assert "letters waiting for a person now</td>" in files.html.read_text()
