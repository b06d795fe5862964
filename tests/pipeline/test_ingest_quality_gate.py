"""Every critical expectation failure quarantines its letter (SQLite and PostgreSQL).

Each failing fixture of ``tests/expectations/test_expectations.py`` becomes a real file in an inbox, registered
in a batch; the chunk then goes through the real validate -> load -> settle stages. The records
are built directly (this test is about routing, not extraction): critical failures end in the
quarantine folder with ``dq_<name>`` codes in the ledger and the sidecar, warning-only letters
load with their failures recorded, clean letters load.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

import warehouse
from expectations import EXPECTATIONS
from imr.models import LetterRecord
from imr.outcomes import Level
from pipeline import stages
from pipeline.lifecycle import SIDECAR_SUFFIX
from pipeline.work import WorkItem
from tests.expectation_cases import CASES, TODAY, valid_record

CRITICAL = {e.name for e in EXPECTATIONS if e.level is Level.CRITICAL}


def _item(engine: Engine, batch: str, inbox: Path, name: str, record: LetterRecord) -> WorkItem:
    path = inbox / name
    path.write_text(f"fixture {name}\n", encoding="utf-8")
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    record.source.sha256, record.source.path = sha, name
    fid = warehouse.register_file(engine, batch, str(inbox), name, sha, path.stat().st_size, "text/plain")
    return WorkItem(fid, str(inbox), name, str(path), sha, path.stat().st_size, "text/plain", record=record)


def test_critical_failures_are_quarantined_warnings_load(engine: Engine, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    batch = warehouse.start_batch(engine, "ingest", [str(inbox)])
    items: list[WorkItem] = []
    expected: dict[str, str] = {}  # file name -> expectation it must fail
    n = 0
    for case in CASES:
        records = case.records(n + 1)
        n += case.letters
        for k, rec in enumerate(records):
            name = f"{case.id}-{k}.txt"
            items.append(_item(engine, batch, inbox, name, rec))
            expected[name] = case.expectation
        n += 1
        items.append(_item(engine, batch, inbox, f"clean-{n}.txt", valid_record(n)))

    validated = stages.validate_chunk(items, today=TODAY)
    loaded = stages.load_chunk(engine, validated)
    dest = stages.Destinations(tmp_path / "archive", tmp_path / "quarantine", dt.date(2026, 11, 5))
    settled = {i.rel_path: i for i in stages.settle_chunk(engine, loaded, dest, batch)}

    assert set(expected.values()) >= CRITICAL, "every critical expectation has a failing file"
    for name, expectation in expected.items():
        item = settled[name]
        row = warehouse.get_file(engine, item.file_id)
        assert row is not None
        if expectation in CRITICAL:
            assert item.status == row.status == "quarantined", name
            assert f"dq_{expectation}" in row.reason_codes
            where = tmp_path / "quarantine" / "2026-11-05" / name
            assert row.current_path == str(where) and where.exists()
            side = json.loads(where.with_name(name + SIDECAR_SUFFIX).read_text())
            assert f"dq_{expectation}" in side["codes"] and "fixture" not in json.dumps(side)
        else:
            assert item.status in ("loaded", "linked"), name
            assert (tmp_path / "archive" / "2026-11-05" / name).exists()
            failed = {f.expectation for f in warehouse.dq_failures_of(engine, item.file_id)}
            assert expectation in failed, name
    clean = [i for i in settled.values() if i.rel_path.startswith("clean-")]
    assert clean and all(i.status == "loaded" for i in clean)
    assert not list(inbox.iterdir()), "every file was archived or quarantined"


@pytest.mark.parametrize("level", [Level.CRITICAL])
def test_quarantine_reasons_are_stored(engine: Engine, tmp_path: Path, level: str) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    batch = warehouse.start_batch(engine, "ingest", [str(inbox)])
    rec = valid_record(1)
    assert rec.letter is not None
    rec.letter.decision_date = dt.date(2016, 2, 1)  # after TODAY: decision_date_not_in_future
    # ...with the application and assignment a few weeks before (no turnaround warning)
    rec.letter.application_received, rec.letter.date_assigned = dt.date(2016, 1, 5), dt.date(2016, 1, 8)
    item = _item(engine, batch, inbox, "future.txt", rec)
    loaded = stages.load_chunk(engine, stages.validate_chunk([item], today=TODAY))
    assert loaded[0].status == "quarantined"
    reasons = warehouse.quarantine_reasons_of(engine, item.file_id)
    assert list(reasons) == ["dq_decision_date_not_in_future"] and reasons["dq_decision_date_not_in_future"]
    assert {f.level for f in warehouse.dq_failures_of(engine, item.file_id)} == {level}


def test_letter_breaking_a_warehouse_constraint_is_quarantined(engine: Engine, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    batch = warehouse.start_batch(engine, "ingest", [str(inbox)])
    bad, good = valid_record(1), valid_record(2)
    assert bad.letter is not None
    bad.letter.patient.sex = "unknown"  # type: ignore[assignment]  # no expectation; a CHECK constraint
    items = [_item(engine, batch, inbox, "bad.txt", bad), _item(engine, batch, inbox, "good.txt", good)]
    loaded = {i.rel_path: i for i in stages.load_chunk(engine, stages.validate_chunk(items, today=TODAY))}
    assert loaded["bad.txt"].status == "quarantined" and loaded["bad.txt"].codes == ["warehouse_constraint"]
    assert loaded["good.txt"].status == "loaded", "one bad letter does not stop the chunk"
    row = warehouse.get_file(engine, loaded["bad.txt"].file_id)
    assert row is not None and row.status == "quarantined" and row.letter_id is None
