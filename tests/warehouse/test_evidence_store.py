"""Stored evidence and the reviewer's mark: load then export gives back the record's ``evidence``
and ``review`` objects exactly (SQLite and PostgreSQL), schema-valid, in the letter's transaction."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

import warehouse as w
from imr.models import Evidence, LetterRecord, Review
from imr.outcomes import FileStatus
from tests.fixtures_db import wipe
from tests.helpers import assert_contract
from tests.strategies import parsed_records, texts
from tests.warehouse_helpers import SHA_B, load_one, make_record
from warehouse import schema as s

DB_SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

_coord = st.floats(min_value=0, max_value=2000, allow_nan=False, allow_infinity=False)
evidences = st.one_of(
    st.builds(  # a PDF: a box, no line
        Evidence,
        page=st.integers(1, 50),
        text=texts(1, 60),
        bbox=st.tuples(_coord, _coord, _coord, _coord),
        line=st.none(),
        confidence=st.none() | st.floats(min_value=0, max_value=1, allow_nan=False),
    ),
    st.builds(  # a text letter: a line, no box
        Evidence, page=st.integers(1, 5), text=texts(1, 60), bbox=st.none(), line=st.integers(1, 5000)
    ),
)
paths = st.sampled_from(
    ["case_number", "decision_date", "priority", "reviewer.specialties", "patient.age"]
) | st.builds(lambda n, f: f"items[{n}].{f}", st.integers(0, 39), st.sampled_from(["request", "decision"]))
evidence_maps = st.dictionaries(paths, evidences, max_size=12)
reviews = st.builds(
    Review,
    by=texts(1, 30),
    at=st.datetimes(
        min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1), timezones=st.just(dt.UTC)
    ).map(lambda t: t.replace(microsecond=0)),
    changed=st.lists(paths, max_size=4, unique=True),
    note=st.none() | texts(0, 80),
)


@DB_SETTINGS
@given(record=parsed_records(), evidence=evidence_maps, review=st.none() | reviews)
def test_evidence_and_review_round_trip(
    engine: Engine, record: LetterRecord, evidence: dict[str, Evidence], review: Review | None
) -> None:
    wipe(engine)
    record = dataclasses.replace(record, evidence=evidence, review=review)
    _, result = load_one(engine, record)
    assert result.status == FileStatus.LOADED
    (back,) = w.export_records(engine, evidence=True)
    assert back.to_dict() == record.to_dict()
    without = next(w.export_records(engine))
    assert "evidence" not in without.to_dict()  # only when asked for
    assert without.review == back.review  # the reviewer's mark always


def test_exported_evidence_is_the_contracts(engine: Engine) -> None:
    record = make_record()
    record.evidence = {
        "case_number": Evidence(page=1, text="Case Number: CM13-0000001", line=3),
        "items[0].decision": Evidence(page=2, text="Upheld", bbox=(72.0, 100.5, 110.25, 112.0), confidence=0.91),
    }
    record.review = Review(by="Dr. Reviewer", at=dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC), changed=["priority"])
    load_one(engine, record)
    (back,) = w.export_records(engine, evidence=True)
    out = back.to_dict()
    assert_contract(out)
    assert out["evidence"]["items[0].decision"] == {
        "page": 2,
        "bbox": [72.0, 100.5, 110.25, 112.0],
        "line": None,
        "text": "Upheld",
        "confidence": 0.91,
    }
    assert out["review"] == {"by": "Dr. Reviewer", "at": "2024-05-01T12:00:00Z", "note": None, "changed": ["priority"]}


def test_a_letter_stored_without_evidence_exports_an_empty_map(engine: Engine) -> None:
    load_one(engine)
    (back,) = w.export_records(engine, evidence=True)
    assert back.evidence == {} and back.review is None


def test_evidence_rows_commit_with_the_letter_or_not_at_all(engine: Engine) -> None:
    """A letter breaking a constraint rolls back alone, its evidence with it; its neighbour's stays."""
    good = make_record()
    good.evidence = {"case_number": Evidence(page=1, text="CM13-0000001", line=2)}
    bad = make_record(sha=SHA_B, path="b.txt", case="CM13-0000002")
    assert bad.letter is not None
    bad.letter.items[1].decision = "maybe"  # type: ignore[assignment]  # breaks ck_items_decision
    bad.evidence = {"case_number": Evidence(page=1, text="CM13-0000002", line=2)}
    batch = w.start_batch(engine, "ingest", ["/in"])
    ids = [w.register_file(engine, batch, "/in", r.source.path, r.source.sha256, 1, "text/plain") for r in (good, bad)]
    results = w.load_letters(engine, [(ids[0], good, ()), (ids[1], bad, ())])
    assert isinstance(results[0], w.LoadResult) and isinstance(results[1], sa.exc.IntegrityError)
    with w.reading(engine) as conn:
        stored = conn.execute(sa.select(s.letter_evidence.c.text)).scalars().all()
    assert stored == ["CM13-0000001"]


def test_letter_for_case_gives_the_record_with_evidence_and_its_file(engine: Engine, tmp_path: Path) -> None:
    record = make_record()
    record.evidence = {"priority": Evidence(page=1, text="Standard", line=9)}
    _, result = load_one(engine, record)
    assert w.letter_for_case(engine, "CM99-0000000") is None
    found = w.letter_for_case(engine, "CM13-0000001")
    assert found is not None
    back, path = found
    assert back.evidence == record.evidence and back.letter == record.letter
    assert path is None  # the registered path /in/... does not exist here
    archived = tmp_path / "archive" / "a.txt"
    archived.parent.mkdir(parents=True)
    archived.write_text("letter")
    w.set_current_path(engine, result.file_id, str(archived))
    assert w.letter_for_case(engine, "CM13-0000001") == (back, str(archived))
