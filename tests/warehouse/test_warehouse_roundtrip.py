"""Property: load then export returns exactly what was loaded (SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

import warehouse as w
from imr.models import LetterRecord
from tests.fixtures_db import wipe
from tests.strategies import case_numbers, parsed_records

DB_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _load(engine: Engine, records: list[LetterRecord]) -> list[w.LoadResult]:
    batch = w.start_batch(engine, "ingest", ["/inbox"])
    out = []
    for r in records:
        fid = w.register_file(engine, batch, "/inbox", r.source.path, r.source.sha256, 1, r.source.media_type)
        out.append(w.load_letter(engine, fid, r))
    return out


@DB_SETTINGS
@given(record=parsed_records())
def test_load_then_export_round_trips(engine: Engine, record: LetterRecord) -> None:
    wipe(engine)
    (result,) = _load(engine, [record])
    assert result.status == "loaded"
    exported = list(w.export_records(engine))
    assert [r.to_dict() for r in exported] == [record.to_dict()]
    assert w.export_record(engine, result.letter_id) == exported[0]


@DB_SETTINGS
@given(
    records=st.lists(
        parsed_records(case_number=st.none() | case_numbers),
        min_size=1,
        max_size=5,
        unique_by=(lambda r: r.source.sha256, lambda r: r.source.path),
    )
)
def test_many_letters_round_trip_in_case_number_order(engine: Engine, records: list[LetterRecord]) -> None:
    wipe(engine)
    results = _load(engine, records)
    # the first file of a case number is loaded; later files with that case number are linked
    loaded = [r for r, res in zip(records, results, strict=True) if res.status == "loaded"]
    seen: set[str] = set()
    for r, res in zip(records, results, strict=True):
        cn = r.letter.case_number if r.letter else None
        assert res.status == ("linked" if cn is not None and cn in seen else "loaded")
        if cn is not None:
            seen.add(cn)
    expected = sorted(
        loaded,
        key=lambda r: (
            r.letter is None or r.letter.case_number is None,
            r.letter.case_number or "" if r.letter else "",
        ),
    )
    exported = list(w.export_records(engine))
    assert len(exported) == len(loaded)
    with_case = [r.to_dict() for r in expected if r.letter and r.letter.case_number]
    assert [r.to_dict() for r in exported][: len(with_case)] == with_case
    # letters without a case number come last (ordered by id): compare as a multiset
    rest = [r.to_dict() for r in exported][len(with_case) :]
    without = [r.to_dict() for r in expected if not (r.letter and r.letter.case_number)]
    assert sorted(rest, key=repr) == sorted(without, key=repr)


def _load_at_once(engine: Engine, entries: list[tuple[str, LetterRecord, tuple[()]]]) -> list[w.ChunkLoad]:
    """``load_letters`` of a chunk, asserting it was written at once (no letter-by-letter fallback)."""
    savepoints: list[str] = []

    def count(conn: object, name: str) -> None:
        savepoints.append(name)

    sa.event.listen(engine, "savepoint", count)
    try:
        results = w.load_letters(engine, entries)
    finally:
        sa.event.remove(engine, "savepoint", count)
    assert len(savepoints) == 1
    return results


def _chunk_then_by_letter(engine: Engine, records: list[LetterRecord]) -> tuple[list[object], list[object]]:
    """The same records loaded as one chunk and, after a wipe, letter by letter: what each gives
    (statuses, which earlier file's letter a file joins) and the warehouse it leaves."""
    outcomes = []
    for as_chunk in (True, False):
        wipe(engine)
        batch = w.start_batch(engine, "ingest", ["/inbox"])
        fids = [
            w.register_file(engine, batch, "/inbox", r.source.path, r.source.sha256, 1, r.source.media_type)
            for r in records
        ]
        if as_chunk:
            results = _load_at_once(engine, [(f, r, ()) for f, r in zip(fids, records, strict=True)])
        else:
            results = [w.load_letter(engine, f, r) for f, r in zip(fids, records, strict=True)]
        assert all(isinstance(res, w.LoadResult) for res in results)
        first_of = {}  # a letter id -> the index of the file that first carried it
        decided = []
        for n, res in enumerate(results):
            assert isinstance(res, w.LoadResult)
            decided.append((res.status, first_of.setdefault(res.letter_id, n)))
        files = sorted((f.rel_path, f.status, f.pages) for f in w.list_files(engine, batch))
        exported = sorted((r.to_dict() for r in w.export_records(engine)), key=repr)
        outcomes.append((decided, files, exported))
    return outcomes[0], outcomes[1]


@DB_SETTINGS
@given(
    records=st.lists(
        parsed_records(case_number=st.none() | st.sampled_from(["CM13-0000001", "CM13-0000002"])),
        min_size=1,
        max_size=6,
        unique_by=lambda r: r.source.path,
    ),
    repeats=st.lists(st.tuples(st.integers(0, 5), st.text("abcdef", min_size=1, max_size=8)), max_size=3),
)
def test_a_chunk_loads_exactly_as_letter_by_letter(
    engine: Engine, records: list[LetterRecord], repeats: list[tuple[int, str]]
) -> None:
    # the same bytes under another name (a duplicate), and shared case numbers (linked letters)
    for index, name in repeats:
        original = records[index % len(records)]
        if all(r.source.path != f"copy-{name}.txt" for r in records):
            source = dataclasses.replace(original.source, path=f"copy-{name}.txt")
            records.append(dataclasses.replace(original, source=source))
    chunk, by_letter = _chunk_then_by_letter(engine, records)
    assert chunk == by_letter


def test_an_expectation_result_survives_the_warehouse_whole(engine: Engine) -> None:
    """Row checks and drift checks are one type, stored and read back field for field (what a
    drift check compared the batch with included)."""
    from imr.outcomes import BaselineSource, DriftVerdict, ExpectationResult, Level

    batch = w.start_batch(engine, "ingest", ["/srv/inbox"])
    results = [
        ExpectationResult(
            "drift", "overturn_share_within_history", Level.WARNING, 40, 1, 0.31, 0.12, 0.05, 0.2,
            DriftVerdict.FAILED, BaselineSource.PUBLISHED,
        ),
        ExpectationResult("letters", "expect_decision_date_present", Level.WARNING, 40, 4),
    ]
    w.store_dq_results(engine, batch, results)
    assert sorted(w.dq_results(engine, batch), key=lambda r: r.suite) == results
