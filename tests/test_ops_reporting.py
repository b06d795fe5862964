"""pipeline.artifacts: the Prefect-free summary, table, verdict and event payload of a batch."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from pipeline.artifacts import (
    COMPLETED_WITH_QUARANTINE,
    BatchSummary,
    ExpectationResult,
    batch_resource_id,
    breach_payload,
    expectation_table,
    failing_expectations,
    progress_percent,
    rerun_command,
    safe_label,
    safe_words,
    summary_markdown,
    threshold_breached,
    verdict,
)

RESULTS = [
    ExpectationResult("letter", "decision_date_present", "critical", evaluated=10, failed=3),
    ExpectationResult("letter", "case_number_format", "critical", evaluated=10, failed=0),
    ExpectationResult("item", "guideline_known", "warning", evaluated=25, failed=5),
]


def summary(**kw: object) -> BatchSummary:
    base: dict[str, object] = dict(
        batch_id="42",
        files_seen=10,
        loaded=6,
        duplicates=1,
        rejected=1,
        quarantined=2,
        reason_codes={"pdf_corrupt": 1, "dq_decision_date_present": 2},
        expectations=RESULTS,
        quarantined_cases=["CM14-0000001", "CM14-0000002"],
    )
    base.update(kw)
    return BatchSummary.from_mapping(base)


def test_verdicts() -> None:
    assert verdict(summary(rejected=0, quarantined=0), 0.2).kind == "completed"
    v = verdict(summary(), 0.5)
    assert (v.kind, v.name) == ("completed_with_quarantine", COMPLETED_WITH_QUARANTINE)
    assert verdict(summary(), 0.2).kind == "failed"  # 3/10 set aside > 20 %
    assert verdict(summary(rejected=0, quarantined=2), 0.2).kind == "completed_with_quarantine"  # not above
    assert verdict(summary(rejected=0, quarantined=0, failed_stage="load"), 0.2).kind == "failed"
    assert verdict(summary(files_seen=0, loaded=0, rejected=0, quarantined=0), 0.0).kind == "completed"


def test_threshold_is_strict_and_empty_batches_never_breach() -> None:
    assert not threshold_breached(summary(rejected=0, quarantined=2), 0.2)
    assert threshold_breached(summary(rejected=1, quarantined=2), 0.2)
    assert not threshold_breached(summary(files_seen=0, rejected=0, quarantined=0), 0.0)


def test_breach_payload_has_counts_only() -> None:
    payload = breach_payload(summary(), 0.2)
    assert payload == {
        "batch_id": "42",
        "files_seen": 10,
        "loaded": 6,
        "duplicates": 1,
        "linked": 0,
        "rejected": 1,
        "quarantined": 2,
        "failed": 0,
        "quarantine_rate": 0.3,
        "threshold": 0.2,
    }
    assert batch_resource_id("42") == "imr.batch.42"


def test_markdown_summary_lists_counts_failures_codes_cases_and_rerun() -> None:
    md = summary_markdown(summary(), 0.5)
    assert "| files seen | loaded | duplicates | linked | rejected | quarantined | failed |" in md
    assert "| 10 | 6 | 1 | 0 | 1 | 2 | 0 |" in md
    assert md.index("guideline_known") < md.index("decision_date_present")  # most failures first
    assert "case_number_format" not in md  # no failures: not in the top list
    assert "`dq_decision_date_present` | 2" in md
    assert "`CM14-0000001`" in md
    assert "imr rerun 42" in md and rerun_command("42") == "imr rerun 42"
    assert COMPLETED_WITH_QUARANTINE in md


def test_markdown_summary_of_a_clean_batch() -> None:
    md = summary_markdown(summary(rejected=0, quarantined=0, reason_codes={}, expectations=[]), 0.2)
    assert md.count("None.") == 2 and "Completed" in md


def test_markdown_caps_the_case_list() -> None:
    cases = [f"CM14-{i:07d}" for i in range(30)]
    md = summary_markdown(summary(quarantined_cases=cases), 0.5, max_cases=5)
    assert "CM14-0000004" in md and "CM14-0000005" not in md and "and 25 more" in md


def test_expectation_table_rows() -> None:
    rows = expectation_table(RESULTS)
    assert [r["expectation"] for r in rows] == ["guideline_known", "decision_date_present", "case_number_format"]
    assert rows[0] == {
        "suite": "item",
        "expectation": "guideline_known",
        "level": "warning",
        "evaluated": 25,
        "failed": 5,
        "failure_rate": 0.2,
    }
    assert failing_expectations(RESULTS, limit=1)[0].expectation == "guideline_known"


def test_expectation_result_coerces_quality_report_objects() -> None:
    class Like:  # expectations.results.ExpectationResult names the expectation ``name``
        suite, name, level, evaluated, failed = "letter", "x_present", "warning", 4, 1

    r = ExpectationResult.coerce(Like())
    assert (r.expectation, r.level, r.failure_rate) == ("x_present", "warning", 0.25)
    assert ExpectationResult.coerce({"suite": "s", "expectation": "e"}).failure_rate == 0.0


@pytest.mark.parametrize(
    "value",
    [
        "The injured worker was diagnosed with lumbar strain and the request is medically necessary.",
        "x" * 500,
        "a\nb\tc;d,e f",
    ],
)
def test_safe_label_never_lets_a_sentence_through(value: str) -> None:
    label = safe_label(value)
    assert " " not in label and len(label) <= 64
    assert re.fullmatch(r"[A-Za-z0-9._:/\-…]+", label)


def test_safe_label_keeps_identifiers() -> None:
    assert safe_label("CM14-0000001") == "CM14-0000001"
    assert safe_label("inbox/2026-11/letter_01.pdf") == "inbox/2026-11/letter_01.pdf"
    assert safe_label("") == "-"


def test_safe_words() -> None:
    assert safe_words("batch 3a09-x") == "batch 3a09-x"
    assert safe_words("one two three four five six seven eight nine ten") == "one two three four five six seven eight"


def test_progress_percent() -> None:
    assert progress_percent(0, 8) == 0.0
    assert progress_percent(3, 8) == 37.5
    assert progress_percent(9, 8) == 100.0
    assert progress_percent(0, 0) == 100.0


def test_reporting_core_imports_no_prefect() -> None:
    code = "import sys, pipeline.artifacts; sys.exit('prefect' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
