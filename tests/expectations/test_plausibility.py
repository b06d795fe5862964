"""Plausibility (critical) and cross-field (warning) expectations on real, seed and synthetic letters.

Junk that carries an IMR heading and decision lines goes through the real extraction and the real
validation and ends quarantined; every real, seed and synthetic letter passes every critical
expectation, and the real and seed letters pass the cross-field warnings too.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from expectations import EXPECTATIONS, QualityReport, items_frame, validate_records
from expectations.frames import max_items
from imr.extract import extract_file
from imr.models import LetterRecord
from imr.outcomes import Level
from imr.synth import generate_letter, render_text

TODAY = dt.date(2026, 11, 29)
CROSS_FIELD = {
    "case_year_agrees_with_date_assigned",
    "case_year_agrees_with_decision_date",
    "standard_turnaround_plausible",
    "expedited_turnaround_plausible",
    "licensure_states_are_us_states",
    "specialties_are_known",
}
PLAUSIBILITY = {
    "item_count_plausible",
    "determination_heading_found",
    "reviewer_credential_or_rationale_present",
    "decision_date_stated_where_layout_requires",
    "item_request_length_plausible",
    "item_structure_matches_layout",
}


def critical(report: QualityReport, i: int) -> list[str]:
    """The critical expectations record ``i`` failed."""
    return [f.expectation for f in report.sorted_failures(i, Level.CRITICAL)]


def test_the_new_expectations_have_their_levels() -> None:
    levels = {e.name: e.level for e in EXPECTATIONS}
    assert {levels[n] for n in PLAUSIBILITY} == {Level.CRITICAL}
    assert {levels[n] for n in CROSS_FIELD} == {Level.WARNING}


def _flood(path: Path, lines: int, heading: str = "IMR ISSUES, DECISIONS AND RATIONALES") -> Path:
    body = "Item: Upheld\n" * lines
    path.write_text(f"{heading}\nCase Number: CM16-0000001\n{body}", encoding="utf-8")
    return path


@pytest.mark.slow  # 200,000 lines; the short floods below are the quick loop's
def test_a_decision_flood_is_never_loaded(tmp_path: Path) -> None:
    """Issue 9: an IMR heading, a case number and 200,000 lines 'Item: Upheld'."""
    record = extract_file(_flood(tmp_path / "flood.txt", 200_000))
    report = validate_records([record], today=TODAY)
    if record.status == "rejected":  # the extractor may refuse it first (an item cap): also fine
        assert record.errors and report.validated == ()
        return
    assert report.is_quarantined(0)
    failed = set(critical(report, 0))
    assert {"item_count_plausible", "reviewer_credential_or_rationale_present"} <= failed
    assert "item_structure_matches_layout" in failed
    assert len(items_frame([record])) == max_items() + 1, "a flood is judged on its first items only"


@pytest.mark.parametrize("lines", [1, 3, 40])
def test_a_short_flood_is_quarantined_too(tmp_path: Path, lines: int) -> None:
    """Few decision lines, but nothing else a letter has: no reviewer, no guideline lines, no rationale."""
    record = extract_file(_flood(tmp_path / f"flood-{lines}.txt", lines))
    report = validate_records([record], today=TODAY)
    assert record.status == "rejected" or report.is_quarantined(0)
    if record.status == "parsed":
        assert {"reviewer_credential_or_rationale_present", "item_structure_matches_layout"} <= set(critical(report, 0))


def _extracted(folder: Path, pattern: str) -> list[LetterRecord]:
    records = [extract_file(p, display_path=p.name) for p in sorted(folder.glob(pattern))]
    assert records and all(r.status == "parsed" for r in records)
    return records


def test_real_letters_pass_every_expectation(real_dir: Path) -> None:
    """The 65 real letters, as extracted: no critical failure and no cross-field warning."""
    records = _extracted(real_dir / "pdf", "*.pdf")
    report = validate_records(records, today=TODAY)
    assert len(report.validated) == len(records) == 65
    assert report.quarantined == []
    assert {f.expectation for i in report.failures for f in report.failures_of(i)} & CROSS_FIELD == set()
    assert report.failures == {}


def test_seed_letters_pass_every_expectation(seeds_dir: Path) -> None:
    """The seeds are headerless: their one warning is the missing case number, nothing new."""
    records = _extracted(seeds_dir, "*.txt")
    report = validate_records(records, today=TODAY)
    assert report.quarantined == []
    assert {f.expectation for i in report.failures for f in report.failures_of(i)} <= {"case_number_present"}


def test_real_gold_records_pass_the_cross_field_warnings(real_dir: Path) -> None:
    """The gold records (no layout: the layout checks skip them) pass every expectation too."""
    records = [LetterRecord.from_dict(json.loads(line)) for line in (real_dir / "gold.jsonl").open()]
    report = validate_records(records, today=TODAY)
    assert len(report.validated) == 65
    failing = {f.expectation for i in report.failures for f in report.failures_of(i)}
    # gold items carry no rationale: only the layout-dependent structure check could notice, and
    # without a layout it does not apply
    assert failing == set()


def test_synthetic_letters_pass_every_critical_expectation() -> None:
    """600 truth records of every layout, and 40 of them rendered and extracted again."""
    truths = [generate_letter(seed) for seed in range(600)]
    records = [
        LetterRecord.from_dict(
            {
                "source": {"path": f"s{k}.txt", "sha256": f"{k:064x}", "media_type": "text/plain"},
                "status": "parsed",
                "letter": {**t.letter.to_dict()},
            }
        )
        for k, t in enumerate(truths)
    ]
    for rec, t in zip(records, truths, strict=True):
        assert rec.letter is not None
        rec.letter.layout = t.letter.layout
        rec.letter.items = t.letter.items  # rationales are not part of the contract's dict
    report = validate_records(records, today=TODAY)
    assert report.quarantined == [], {
        i: [f.expectation for f in report.sorted_failures(i, Level.CRITICAL)] for i in report.quarantined[:5]
    }
    assert {t.layout for t in truths} == {"A", "B", "C", "D1", "D2"}


def test_extracted_synthetic_letters_pass_every_critical_expectation(tmp_path: Path) -> None:
    paths = []
    for seed in range(40):
        p = tmp_path / f"synth-{seed}.txt"
        p.write_bytes(render_text(generate_letter(seed), "lf"))
        paths.append(p)
    records = [extract_file(p, display_path=p.name) for p in paths]
    assert all(r.status == "parsed" for r in records)
    report = validate_records(records, today=TODAY)
    assert report.quarantined == [], {
        i: [f.expectation for f in report.sorted_failures(i, Level.CRITICAL)] for i in report.quarantined[:5]
    }
