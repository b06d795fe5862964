"""The schema itself makes duplicates and bad values impossible (raw inserts, both backends)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

import warehouse as w
from tests.warehouse_helpers import SHA_A, SHA_B, load_one
from warehouse import schema as s

NOW = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)


def _insert(engine: Engine, table: sa.Table, **values: Any) -> None:
    with w.transaction(engine) as conn:
        conn.execute(sa.insert(table).values(**values))


def _rejects(engine: Engine, table: sa.Table, **values: Any) -> None:
    with pytest.raises(sa.exc.IntegrityError):
        _insert(engine, table, **values)


@pytest.fixture
def loaded(engine: Engine) -> dict[str, str]:
    """A loaded letter: its batch, file, letter and first item ids."""
    batch, res = load_one(engine)
    with engine.connect() as conn:
        item_id = conn.execute(
            sa.select(s.items.c.id).where((s.items.c.letter_id == res.letter_id) & (s.items.c.ordinal == 1))
        ).scalar_one()
    return {"batch": batch, "file": res.file_id, "letter": res.letter_id, "item": item_id}


def _letter(ids: dict[str, str], **over: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": "L2",
        "case_number": "CM99-0000001",
        "content_sha256": SHA_B,
        "program": "dwc_imr",
        "outcome": "upheld",
        "batch_id": ids["batch"],
        "first_file_id": ids["file"],
        "loaded_at": NOW,
    }
    row.update(over)
    return row


def test_letters_unique_case_number_and_content(engine: Engine, loaded: dict[str, str]) -> None:
    _rejects(engine, s.letters, **_letter(loaded, case_number="CM13-0000001"))
    _rejects(engine, s.letters, **_letter(loaded, content_sha256=SHA_A))
    _rejects(engine, s.letters, **_letter(loaded, id=loaded["letter"]))
    # several letters without a case number are fine
    _insert(engine, s.letters, **_letter(loaded, id="L3", case_number=None, content_sha256="3" * 64))
    _insert(engine, s.letters, **_letter(loaded, id="L4", case_number=None, content_sha256="4" * 64))


def test_letter_checks(engine: Engine, loaded: dict[str, str]) -> None:
    _rejects(engine, s.letters, **_letter(loaded, outcome="partially"))
    _rejects(engine, s.letters, **_letter(loaded, priority="urgent"))
    _rejects(engine, s.letters, **_letter(loaded, patient_sex="x"))
    _rejects(engine, s.letters, **_letter(loaded, batch_id="no-such-batch"))
    _rejects(engine, s.letters, **_letter(loaded, first_file_id="no-such-file"))


def test_items_and_citations(engine: Engine, loaded: dict[str, str]) -> None:
    item = {"letter_id": loaded["letter"], "request": "x", "decision": "upheld"}
    _rejects(engine, s.items, id="I2", ordinal=1, **item)  # ordinal taken
    _rejects(engine, s.items, id="I3", ordinal=3, **{**item, "decision": "denied"})
    _rejects(engine, s.items, id="I4", ordinal=3, **{**item, "letter_id": "no-such-letter"})
    _rejects(engine, s.guideline_citations, item_id=loaded["item"], party="reviewer", source="mtus", text="x")
    _rejects(engine, s.guideline_citations, item_id=loaded["item"], party="judge", source="mtus", text="x")
    _insert(engine, s.items, id="I5", ordinal=3, **item)
    _rejects(engine, s.guideline_citations, item_id="I5", party="reviewer", source="acoem", text="x")
    _insert(engine, s.guideline_citations, item_id="I5", party="reviewer", source=None, text=None)


def test_ordered_lists(engine: Engine, loaded: dict[str, str]) -> None:
    _rejects(engine, s.reviewer_specialties, letter_id=loaded["letter"], position=0, specialty="x")
    _rejects(engine, s.reviewer_licensure_states, letter_id=loaded["letter"], position=0, state="x")
    _rejects(engine, s.diagnoses, letter_id=loaded["letter"], position=0, diagnosis="x")
    _rejects(engine, s.diagnoses, letter_id="no-such-letter", position=0, diagnosis="x")


def test_files_and_links(engine: Engine, loaded: dict[str, str]) -> None:
    f = w.get_file(engine, loaded["file"])
    assert f is not None
    row = {
        "id": "F2",
        "batch_id": f.batch_id,
        "inbox": f.inbox,
        "rel_path": f.rel_path,
        "sha256": f.sha256,
        "size_bytes": 1,
        "status": "pending",
        "reason_codes": [],
        "seen_at": NOW,
        "updated_at": NOW,
    }
    _rejects(engine, s.source_files, **row)  # same batch, sha, inbox, path
    _rejects(engine, s.source_files, **{**row, "rel_path": "other", "status": "lost"})
    _rejects(engine, s.source_files, **{**row, "rel_path": "other", "letter_id": "no-such-letter"})
    _rejects(
        engine,
        s.letter_files,
        letter_id=loaded["letter"],
        source_file_id=loaded["file"],
        role="first",
        linked_at=NOW,
    )
    _insert(engine, s.source_files, **{**row, "rel_path": "other"})
    _rejects(
        engine, s.letter_files, letter_id=loaded["letter"], source_file_id="F2", role="copy", linked_at=NOW
    )


def test_batches_dq_and_quarantine(engine: Engine, loaded: dict[str, str]) -> None:
    batch = {"started_at": NOW, "status": "running", "inboxes": []}
    _rejects(engine, s.ingest_batches, id="B2", kind="hourly", **batch)
    _rejects(engine, s.ingest_batches, id="B3", kind="ingest", **{**batch, "status": "ok"})
    _rejects(engine, s.ingest_batches, id="B4", kind="rerun", parent_batch_id="no-such-batch", **batch)
    _rejects(engine, s.ingest_batches, id=loaded["batch"], kind="ingest", **batch)

    dq = {"batch_id": loaded["batch"], "suite": "s", "expectation": "e", "evaluated": 1, "failed": 0}
    _insert(engine, s.dq_results, level="critical", failure_rate=0.0, recorded_at=NOW, **dq)
    _rejects(engine, s.dq_results, level="critical", failure_rate=0.0, recorded_at=NOW, **dq)
    _rejects(engine, s.dq_results, level="info", failure_rate=0.0, recorded_at=NOW, **{**dq, "suite": "t"})

    fail = {"batch_id": loaded["batch"], "source_file_id": loaded["file"], "suite": "s", "expectation": "e"}
    _insert(engine, s.dq_letter_failures, level="warning", **fail)
    _rejects(engine, s.dq_letter_failures, level="warning", **fail)

    _insert(engine, s.quarantine_reasons, source_file_id=loaded["file"], code="x", message="m")
    _rejects(engine, s.quarantine_reasons, source_file_id=loaded["file"], code="x", message="m2")
    _rejects(engine, s.quarantine_reasons, source_file_id="no-such-file", code="x", message="m")
