"""Data-quality expectations: every expectation has a letter that fails it and only it.

GX is slow to start (~6 s import), so the failing fixtures of all expectations are validated
together in one chunk by a module-scoped fixture, and each case is then checked on its own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass

import pytest

import expectations
from expectations import EXPECTATIONS, QualityReport, items_frame, letters_frame, validate_records
from expectations.suites import BY_NAME
from imr.models import LetterRecord, Source, outcome_of
from imr.outcomes import Level
from tests.expectation_cases import CASES, SECRET, TODAY, Case, L, rejected_record, valid_record
from tests.helpers import assert_runs_in_fresh_python


@dataclass
class Run:
    records: list[LetterRecord]
    report: QualityReport
    positions: dict[str, list[int]]
    clean: list[int]


@pytest.fixture(scope="module")
def run() -> Run:
    """Every case and some clean letters (and rejected records between them) in ONE chunk."""
    records: list[LetterRecord] = []
    positions: dict[str, list[int]] = {}
    clean: list[int] = []
    n = 0

    def add(rec: LetterRecord) -> int:
        records.append(rec)
        return len(records) - 1

    for case in CASES:
        batch = case.records(n + 1)
        n += case.letters
        positions[case.id] = [add(r) for r in batch]
        n += 1
        clean.append(add(valid_record(n)))
        add(rejected_record(n))
    return Run(records, validate_records(records, today=TODAY), positions, clean)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case_fails_exactly_its_expectation(run: Run, case: Case) -> None:
    names = {case.expectation, *case.also}
    critical = any(BY_NAME[n].level is Level.CRITICAL for n in names)
    for i in run.positions[case.id]:
        failures = run.report.failures_of(i)
        assert {(f.expectation, f.level) for f in failures} == {(n, BY_NAME[n].level) for n in names}
        assert all(f.suite == BY_NAME[f.expectation].suite for f in failures)
        assert run.report.is_quarantined(i) == critical
        assert set(run.report.reason_codes(i)) == {f"dq_{n}" for n in names}
    assert set(run.positions[case.id]) <= set(run.report.failing_letters[case.expectation])


def test_only_case_letters_fail(run: Run) -> None:
    failing = {i for ids in run.positions.values() for i in ids}
    assert set(run.report.failures) == failing
    for i in run.clean:
        assert run.report.failures_of(i) == []
        assert not run.report.is_quarantined(i)
        assert run.report.reason_codes(i) == []


def test_rejected_records_are_skipped(run: Run) -> None:
    rejected = [i for i, r in enumerate(run.records) if r.status == "rejected"]
    assert rejected and list(run.report.skipped) == rejected
    assert not set(rejected) & set(run.report.validated)
    assert not set(rejected) & set(run.report.failures)


def test_every_expectation_is_exercised_by_a_failing_fixture(run: Run) -> None:
    defined = {s.name for s in EXPECTATIONS}
    exercised = {c.expectation for c in CASES}
    assert defined - exercised == set(), "expectations without a failing fixture"
    assert exercised - defined == set(), "fixtures of unknown expectations"
    assert len(defined) == len(EXPECTATIONS), "expectation names must be unique"
    assert {r.expectation for r in run.report.results} == defined
    for r in run.report.results:
        assert r.failed >= 1 and run.report.failing_letters[r.expectation], r.expectation


def test_expectation_counts(run: Run) -> None:
    letters = len(run.report.validated)
    r = run.report.result("case_number_present")
    assert (r.suite, r.level, r.evaluated, r.failed) == ("imr_letters", Level.WARNING, letters, 2)
    assert r.failure_rate == pytest.approx(2 / letters)
    items = run.report.result("item_ordinals_unique")
    assert items.suite == "imr_items" and items.failed == 2 and len(run.report.failing_letters[items.expectation]) == 1


def test_mixed_chunk_maps_failures_to_indices() -> None:
    records = [valid_record(i) for i in range(1, 9)]
    L(records[1]).case_number = "CM1-1"
    records[2] = rejected_record(3)
    L(records[4]).priority = "urgent"  # type: ignore[assignment]
    L(records[4]).reviewer.specialties = []
    L(records[6]).items[1].ordinal = 5
    L(records[7]).patient.age = 3
    report = validate_records(records, today=TODAY)
    assert sorted(report.failures) == [1, 4, 6, 7]
    assert report.reason_codes(1) == ["dq_case_number_format"]
    assert report.reason_codes(4) == ["dq_priority_in_set", "dq_reviewer_has_specialty"]
    assert report.reason_codes(4, Level.CRITICAL) == ["dq_priority_in_set"]
    assert report.reason_codes(4, Level.WARNING) == ["dq_reviewer_has_specialty"]
    assert report.reason_codes(6) == ["dq_item_ordinals_contiguous"]
    assert report.reason_codes(7, Level.CRITICAL) == [] and not report.is_quarantined(7)
    assert report.quarantined == [1, 4, 6]
    assert report.skipped == (2,)


def test_critical_reason_codes_come_first() -> None:
    records = [valid_record(1)]
    L(records[0]).case_number = None  # warning
    L(records[0]).priority = "urgent"  # type: ignore[assignment]  # critical
    report = validate_records(records, today=TODAY)
    assert report.reason_codes(0) == ["dq_priority_in_set", "dq_case_number_present"]
    assert report.reason_codes(0, level=Level.WARNING) == ["dq_case_number_present"]


def test_report_holds_no_letter_text(run: Run) -> None:
    text = json.dumps(dataclasses.asdict(run.report), default=str)
    assert SECRET not in text
    assert "lumbar" not in text
    assert SECRET not in letters_frame(run.records, today=TODAY).to_json(date_format="iso")
    assert SECRET not in items_frame(run.records).to_json(date_format="iso")


def test_only_rejected_records_need_no_validation() -> None:
    report = validate_records([rejected_record(1), rejected_record(2)])
    assert report.validated == () and report.skipped == (0, 1) and report.failures == {}


def test_frames_key_rows_by_record_index() -> None:
    records = [rejected_record(0), valid_record(1), valid_record(2)]
    L(records[2]).items[0].ordinal = 2
    L(records[2]).items[1].ordinal = 7
    letters = letters_frame(records, today=TODAY)
    assert letters["row_key"].tolist() == [1, 2]
    assert letters["items_over_cap"].tolist() == [0, 0]
    assert letters_frame(records, today=TODAY, cap=1)["items_over_cap"].tolist() == [1, 1]
    assert len(items_frame(records, cap=0)) == 2, "a letter over the cap is judged on its first cap + 1 items"
    items = items_frame(records)
    assert items["row_key"].tolist() == [1, 1, 2, 2]
    assert items["ordinal_rank"].tolist() == [1, 2, 1, 2]


def test_chunk_of_200_reuses_the_context(run: Run) -> None:
    """One GX context per process (its speed is measured in bench/, not asserted here)."""
    from expectations import validate as v

    context = v._get_runtime().context
    records = [valid_record(i) for i in range(1000, 1200)]
    report = validate_records(records, today=TODAY)
    assert v._get_runtime().context is context
    assert report.failures == {} and len(report.validated) == 200


def test_suites_carry_levels_in_meta() -> None:
    for suite_name in expectations.SUITES:
        suite = expectations.build_suite(suite_name)
        metas = [e.meta for e in suite.expectations]
        assert [m["name"] for m in metas] == [s.name for s in expectations.expectations_of(suite_name)]
        assert all(m["level"] in set(Level) and m["description"] for m in metas)


def test_an_expectation_that_cannot_run_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    from expectations import validate as v

    def broken_frame(records: list[LetterRecord], *, today: dt.date | None = None, cap: int | None = None) -> object:
        return letters_frame(records, today=today, cap=cap).drop(columns=["priority"])

    monkeypatch.setattr(v, "letters_frame", broken_frame)
    with pytest.raises(expectations.ExpectationRunError, match="priority_in_set"):
        validate_records([valid_record(1)], today=TODAY)


def test_every_code_a_failing_letter_carries_is_registered(run: Run) -> None:
    codes = {c for i in run.report.failures for c in run.report.reason_codes(i)}
    assert len(codes) == len(EXPECTATIONS)  # every expectation failed somewhere in the fixture run
    assert codes <= set(expectations.DQ_REASON_CODES)
    assert all(expectations.DQ_REASON_CODES[c] for c in codes)


def test_import_does_not_import_great_expectations() -> None:
    assert_runs_in_fresh_python(
        "import sys, expectations\n"
        "from expectations import validate_records\n"
        "assert 'great_expectations' not in sys.modules, 'imported GX'\n"
        "assert validate_records([]).validated == ()\n"
        "assert 'great_expectations' not in sys.modules, 'imported GX on an empty chunk'\n"
    )


def test_chunk_without_any_item_skips_the_item_suite() -> None:
    """Letters without items never come from the extractor (it rejects them no_items): the item
    suite has nothing to run on and is reported evaluated on no row."""
    records = [valid_record(1), valid_record(2)]
    for r in records:
        L(r).items = []
    report = validate_records(records, today=TODAY)
    assert report.result("item_decision_in_set").evaluated == 0
    assert report.result("case_number_format").evaluated == 2


def test_letters_of_one_case_are_never_quarantined_by_the_suites() -> None:
    """Copies of a letter (another party's copy) and other versions of its case (an amended
    determination) pass the suites, whatever chunk they share: which letter of a case counts is
    decided at load from the case's stored letters (warehouse.versions), the same for any split."""
    records = [valid_record(1), valid_record(1), valid_record(1), valid_record(2)]
    records[1].source = Source("copy-for-employer.txt", f"{99:064x}", "text/plain")
    records[2].source = Source("amended.txt", f"{98:064x}", "text/plain")
    L(records[2]).items[0].decision = "overturned" if L(records[2]).items[0].decision == "upheld" else "upheld"
    L(records[2]).outcome = outcome_of([i.decision for i in L(records[2]).items])
    report = validate_records(records, today=TODAY)
    assert report.quarantined == []
    assert not [r for r in report.results if "case_number_unique" in r.expectation]
