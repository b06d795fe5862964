"""pipeline.review, the queue's Prefect-free core (SQLite and PostgreSQL): letters set aside by the
pipeline's stages wait in the queue; a person resolves one (its letter goes through the chunk's
validation and the load, with the reviewer's mark, and its file to the archive) or rejects it; a
value that validation refuses leaves it waiting; a path or value that makes no sense is one line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

import warehouse
from imr.errors import ReviewError
from imr.extract.entry import extract_bytes
from imr.models import LetterRecord, RecordError
from imr.outcomes import FileStatus, ReviewAction, ReviewStatus
from imr.settings import Settings
from imr.synth import generate_letter, render_text
from pipeline import review
from pipeline.lifecycle import sidecar_path
from tests.pipeline_helpers import url_of
from tests.review_helpers import Damaged, damaged_letters, set_aside_by_stages, set_aside_records
from warehouse import review as queue


@pytest.fixture
def setup(engine: Engine, tmp_path: Path) -> tuple[Engine, Settings, list[Damaged]]:
    """Two damaged letters set aside (queued, in quarantine) through the pipeline's stages."""
    settings = Settings(data_dir=tmp_path / "data", database_url=url_of(engine), stable_seconds=0)
    letters = damaged_letters(2)
    set_aside_by_stages(engine, settings, tmp_path / "inbox", letters)
    return engine, settings, letters


def test_the_damaged_letters_wait_in_quarantine_oldest_first(setup: tuple[Engine, Settings, list[Damaged]]) -> None:
    engine, settings, letters = setup
    items = review.waiting(engine, settings=settings)
    assert [i.file for i in items] == [f"quarantine/{dt.date.today()}/damaged-{d.seed}.txt" for d in letters]
    for item, d in zip(items, letters, strict=True):
        assert item.status == ReviewStatus.WAITING and item.codes == ["unresolved_item"]
        assert item.case_number == d.synthetic.letter.case_number
        assert item.doubtful == [f"items[{d.index}].decision"]
        assert item.partial["items"][d.index]["decision"] is None
        assert (settings.data_dir / item.file).read_bytes() == d.data
    assert review.next_waiting(engine, settings=settings) == items[0]
    assert review.get(engine, items[1].id, settings=settings) == items[1]
    with pytest.raises(ReviewError, match="no review item 4242"):
        review.get(engine, 4242)


def test_resolve_loads_the_letter_with_the_reviewers_mark_and_archives_its_file(
    setup: tuple[Engine, Settings, list[Damaged]],
) -> None:
    engine, settings, letters = setup
    item, d = review.waiting(engine, settings=settings)[0], letters[0]
    path = f"items[{d.index}].decision"
    outcome = review.resolve(item.id, {path: d.decision.upper()}, "Ann Lee", "read from the fax", settings=settings)
    assert outcome.resolved and outcome.status == FileStatus.LOADED, outcome.message
    assert str(outcome) == outcome.message and "\n" not in outcome.message
    assert outcome.file is not None and outcome.file.startswith(f"archive/{dt.date.today()}/")
    archived = settings.data_dir / outcome.file
    assert archived.read_bytes() == d.data
    assert not (settings.data_dir / item.file).exists() and not sidecar_path(settings.data_dir / item.file).exists()
    (record,) = warehouse.export_records(engine)
    assert record.letter is not None
    assert [i.decision for i in record.letter.items] == [i.decision for i in d.synthetic.letter.items]
    assert record.review is not None and record.review.by == "Ann Lee" and record.review.changed == [path]
    assert record.review.note == "read from the fax" and record.source.sha256 == item.sha256
    assert review.get(engine, item.id).status == ReviewStatus.RESOLVED
    assert [i.id for i in review.waiting(engine)] == [review.waiting(engine)[0].id] != [item.id]
    trail = queue.actions_of(engine, item.id)
    assert [a.action for a in trail] == [ReviewAction.ENQUEUED, ReviewAction.RESOLVED]
    assert trail[-1].changes == [{"path": path, "old": None, "new": d.decision}]
    file = warehouse.get_file(engine, item_row_file(engine, item.id))
    assert file is not None and file.status == FileStatus.LOADED and file.current_path == str(archived.absolute())
    with pytest.raises(ReviewError, match="resolved already"):
        review.resolve(item.id, {path: d.decision}, "Ann Lee", settings=settings)


def item_row_file(engine: Engine, item_id: int) -> str:
    row = queue.get_item(engine, item_id)
    assert row is not None
    return row.file.id


def test_a_missing_decision_is_refused_by_validation_and_the_item_waits(
    setup: tuple[Engine, Settings, list[Damaged]],
) -> None:
    engine, settings, _ = setup
    item = review.waiting(engine, settings=settings)[0]
    outcome = review.resolve(item.id, {}, "Ann", settings=settings)
    assert not outcome.resolved and outcome.codes == ("dq_item_decision_in_set",)
    assert outcome.message.startswith(
        f"review item {item.id} stays waiting: validation refused: dq_item_decision_in_set"
    )
    assert "\n" not in outcome.message
    assert review.get(engine, item.id).status == ReviewStatus.WAITING
    assert (settings.data_dir / item.file).exists()
    assert list(warehouse.export_records(engine)) == []
    assert queue.actions_of(engine, item.id)[-1].action == ReviewAction.REFUSED


def test_reject_leaves_the_file_in_quarantine(setup: tuple[Engine, Settings, list[Damaged]]) -> None:
    engine, settings, _ = setup
    item = review.waiting(engine, settings=settings)[0]
    review.reject(item.id, "Ann", "a duplicate sent by fax", settings=settings)
    assert review.get(engine, item.id).status == ReviewStatus.REJECTED
    assert (settings.data_dir / item.file).exists()
    assert [i.id for i in review.waiting(engine)] != [item.id] and len(review.waiting(engine)) == 1
    with pytest.raises(ReviewError, match="rejected already"):
        review.reject(item.id, "Ann", "again", settings=settings)
    with pytest.raises(ReviewError, match="reason"):
        review.reject(review.waiting(engine)[0].id, "Ann", "  ", settings=settings)


@pytest.mark.parametrize(
    ("sets", "message"),
    [
        ({"items[9].decision": "upheld"}, "no field 'items[9].decision'"),
        ({"items[0].verdict": "upheld"}, "no field 'items[0].verdict'"),
        ({"decision_date": "13/45/2016"}, "is not a date"),
        ({"items[0].decision": "maybe"}, "is not one of upheld, overturned"),
        ({"patient.age": "fifty"}, "is not a whole number"),
        ({"priority": "urgent"}, "is not one of standard, expedited"),
        ({"outcome": "upheld"}, "follows from the item decisions"),
        ({"items[0": "upheld"}, "malformed field path"),
        ({"reviewer": "x"}, "is not a value a person sets"),
    ],
)
def test_a_path_or_value_that_makes_no_sense_is_one_line(
    setup: tuple[Engine, Settings, list[Damaged]], sets: dict[str, str], message: str
) -> None:
    engine, settings, _ = setup
    item = review.waiting(engine, settings=settings)[0]
    with pytest.raises(ReviewError, match="^.*" + message.replace("[", r"\[").replace("]", r"\]")) as e:
        review.resolve(item.id, sets, "Ann", settings=settings)
    assert "\n" not in str(e.value)
    assert review.get(engine, item.id).status == ReviewStatus.WAITING
    with pytest.raises(ReviewError, match="reviewer's name"):
        review.resolve(item.id, {}, "  ", settings=settings)


def test_the_backlog_counts_and_ages_the_waiting_items(setup: tuple[Engine, Settings, list[Damaged]]) -> None:
    engine, settings, _ = setup
    items = review.waiting(engine, settings=settings)
    now = items[-1].since + dt.timedelta(days=5)
    b = review.backlog(engine, now=now)
    assert b.count == 2 and b.oldest_since == items[0].since
    assert b.oldest_days is not None and 5 <= b.oldest_days < 5.1
    assert b.older_than(4) == 2 and b.older_than(6) == 0
    assert b.to_dict(3)["overdue"] == 2
    review.reject(items[0].id, "Ann", "not ours", settings=settings)
    assert review.backlog(engine, now=now).count == 1


def test_apply_sets_coerces_by_type_and_lists_the_changes() -> None:
    partial = {
        "decision_date": None,
        "priority": None,
        "reviewer": {"specialties": [], "licensure_states": ["California"]},
        "patient": {"age": None, "sex": None, "occupation": None},
        "items": [
            {"ordinal": 1, "request": "PT x6", "decision": None, "reviewer_guideline": {"source": None, "text": None}}
        ],
        "_doubtful": ["items[0].decision"],
    }
    sets = {
        "decision_date": "2016-03-04",
        "priority": "Expedited",
        "reviewer.specialties": "Orthopedic Surgery, Pain Medicine",
        "patient.age": "52",
        "patient.sex": "female",
        "items[0].decision": "Overturned",
        "items[0].reviewer_guideline": "MTUS",
    }
    letter, changes = review.apply_sets(partial, sets)
    assert "_doubtful" not in letter and partial["decision_date"] is None  # a copy
    assert letter["decision_date"] == "2016-03-04" and letter["priority"] == "expedited"
    assert letter["reviewer"]["specialties"] == ["Orthopedic Surgery", "Pain Medicine"]
    assert letter["patient"] == {"age": 52, "sex": "female", "occupation": None}
    assert letter["items"][0]["decision"] == "overturned"
    assert letter["items"][0]["reviewer_guideline"]["source"] == "mtus"
    assert [c["path"] for c in changes] == [*list(sets)[:-1], "items[0].reviewer_guideline.source"]
    assert changes[0] == {"path": "decision_date", "old": None, "new": "2016-03-04"}


_PARTIAL = {"case_number": "CM16-0000001", "decision_date": None, "items": [{"ordinal": 1, "decision": None}]}


@settings(max_examples=300, deadline=None)
@given(path=st.text(max_size=30), value=st.text(max_size=20))
def test_apply_sets_never_raises_anything_but_a_one_line_review_error(path: str, value: str) -> None:
    try:
        review.apply_sets(_PARTIAL, {path: value})
    except ReviewError as e:
        assert "\n" not in str(e).replace(repr(path), "").replace(repr(value), "")


@settings(max_examples=100, deadline=None)
@given(day=st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 1, 1)))
def test_a_date_set_is_read_back_as_that_date(day: dt.date) -> None:
    letter, _ = review.apply_sets(_PARTIAL, {"decision_date": day.isoformat()})
    assert letter["decision_date"] == day.isoformat()


def test_a_resolution_that_died_before_its_move_is_moved_by_the_next(
    setup: tuple[Engine, Settings, list[Damaged]],
) -> None:
    """The commit happened, the move did not (the process died between them): the file waits in
    quarantine with its letter loaded, and the next resolution archives it first."""
    engine, settings, letters = setup
    first, second = review.waiting(engine, settings=settings)
    outcome = review.resolve(first.id, {f"items[{letters[0].index}].decision": letters[0].decision}, "Ann",
                             settings=settings)  # fmt: skip
    assert outcome.file is not None
    archived, quarantined = settings.data_dir / outcome.file, settings.data_dir / first.file
    archived.rename(quarantined)  # as if the move never happened
    warehouse.set_current_path(engine, item_row_file(engine, first.id), str(quarantined.absolute()))
    review.resolve(second.id, {f"items[{letters[1].index}].decision": letters[1].decision}, "Ann", settings=settings)
    row = queue.get_item(engine, first.id)
    assert row is not None and row.file.current_path is not None
    assert not quarantined.exists() and Path(row.file.current_path).read_bytes() == letters[0].data
    assert Path(row.file.current_path).is_relative_to(settings.archive_path().absolute())


def test_a_letter_with_no_item_found_gets_its_items_from_the_reviewer(engine: Engine, tmp_path: Path) -> None:
    """``no_items`` with its header read: the reviewer adds the items (items[0], items[1], ...)."""
    settings = Settings(data_dir=tmp_path / "data", database_url=url_of(engine), stable_seconds=0)
    data = render_text(generate_letter(7, layout="A"), "lf")
    parsed = extract_bytes(data, "no-items.txt")
    assert parsed.letter is not None
    partial = parsed.letter.to_dict() | {"items": [], "_doubtful": ["items"]}
    record = LetterRecord(parsed.source, "rejected", [RecordError("no_items", "no item found")], partial=partial)
    set_aside_records(engine, settings, tmp_path / "inbox", [("no-items.txt", data, record)])
    (item,) = review.waiting(engine, settings=settings)
    with pytest.raises(ReviewError, match="the letter has no item"):
        review.resolve(item.id, {}, "Ann", settings=settings)
    with pytest.raises(ReviewError, match=r"no field 'items\[1\].decision'"):
        review.resolve(item.id, {"items[1].decision": "upheld"}, "Ann", settings=settings)  # not after the last
    sets = {"items[0].request": "Physical therapy x 6", "items[0].decision": "overturned"}
    outcome = review.resolve(item.id, sets, "Ann", settings=settings)
    assert outcome.resolved, outcome.message
    (loaded,) = warehouse.export_records(engine)
    assert loaded.letter is not None and loaded.letter.outcome == "overturned"
    assert [(i.ordinal, i.request, i.decision) for i in loaded.letter.items] == [
        (1, "Physical therapy x 6", "overturned")
    ]
