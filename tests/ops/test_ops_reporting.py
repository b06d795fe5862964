"""pipeline.artifacts: the Prefect-free summary, table, verdict and event payload of a batch."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from expectations import EXPECTATIONS
from imr.outcomes import COMPLETED_WITH_QUARANTINE, COUNT_FIELDS, BatchCounts, BatchStatus, ExpectationResult, decide
from pipeline.artifacts import (
    BREACH_EVENT,
    batch_resource_id,
    breach_payload,
    expectation_table,
    failing_expectations,
    progress_percent,
    rerun_command,
    safe_label,
    safe_words,
    summary_markdown,
)
from pipeline.summary import BatchSummary

# expectations the pipeline really emits: two critical letter checks and a warning
CRIT = [e for e in EXPECTATIONS if e.level == "critical"]
WARN = next(e for e in EXPECTATIONS if e.level == "warning")
RESULTS = [
    ExpectationResult(CRIT[0].suite, CRIT[0].name, "critical", evaluated=10, failed=3),
    ExpectationResult(CRIT[1].suite, CRIT[1].name, "critical", evaluated=10, failed=0),
    ExpectationResult(WARN.suite, WARN.name, "warning", evaluated=25, failed=5),
]
COUNTS: dict[str, int] = dict(files_seen=10, loaded=6, duplicates=1, rejected=1, quarantined=2)


def summary(threshold: float = 0.5, kind: str = "ingest", **kw: object) -> BatchSummary:
    count_kw = {k: int(v) for k, v in kw.items() if k in COUNT_FIELDS}  # type: ignore[call-overload]
    counts = BatchCounts(**{**COUNTS, **count_kw})
    rest: dict[str, object] = dict(
        reason_codes={"pdf_corrupt": 1, f"dq_{CRIT[0].name}": 2},
        expectations=RESULTS,
        quarantined_cases=["CM14-0000001", "CM14-0000002"],
    )
    rest.update({k: v for k, v in kw.items() if k not in COUNT_FIELDS})
    return BatchSummary("42", kind, counts, decide(kind, counts, threshold=threshold, label="42"), **rest)  # type: ignore[arg-type]


def test_verdicts() -> None:
    assert decide("ingest", BatchCounts(files_seen=3, loaded=3)).status is BatchStatus.COMPLETED
    v = summary(0.5).verdict
    assert (v.status, v.state_name, v.exit_code) == (
        BatchStatus.COMPLETED_WITH_QUARANTINE,
        COMPLETED_WITH_QUARANTINE,
        0,
    )
    breached = summary(0.2).verdict  # 3/10 set aside > 20 %
    assert (breached.status, breached.state_name, breached.exit_code) == (BatchStatus.FAILED, "Failed", 1)
    assert breached.threshold_breached
    not_above = summary(0.2, rejected=0, quarantined=2).verdict  # exactly 20 %: not above
    assert not_above.status is BatchStatus.COMPLETED_WITH_QUARANTINE and not not_above.threshold_breached
    stage = decide("ingest", BatchCounts(files_seen=1, loaded=1), failed_stage="load")
    assert stage.status is BatchStatus.FAILED and "load" in stage.message
    assert decide("ingest", BatchCounts(), threshold=0.0).status is BatchStatus.COMPLETED


def test_rerun_policy() -> None:
    """A rerun whose files all reached a committed outcome is not failed, whatever its share;
    a rerun that could not process a file is."""
    all_bad = BatchCounts(files_seen=4, rejected=3, quarantined=1)
    assert decide("rerun", all_bad, threshold=0.2).status is BatchStatus.COMPLETED_WITH_QUARANTINE
    assert decide("ingest", all_bad, threshold=0.2).status is BatchStatus.FAILED
    gone = BatchCounts(files_seen=2, loaded=1, failed=1)
    assert decide("rerun", gone, threshold=0.9).status is BatchStatus.FAILED


def test_summary_round_trips_through_its_dict() -> None:
    s = summary(0.2, ignored=2, ignored_reasons={"unsupported_type": 2})
    back = BatchSummary.from_dict(s.to_dict())
    assert back == s and back.to_dict()["status"] == "failed"


def test_breach_payload_has_counts_only() -> None:
    payload = breach_payload(summary(0.2), 0.2)
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
    assert md.index(WARN.name) < md.index(CRIT[0].name)  # most failures first
    assert f"`{CRIT[1].name}`" not in md  # no failures: not in the top list
    assert f"`dq_{CRIT[0].name}` | 2" in md
    assert "`CM14-0000001`" in md
    assert "imr rerun 42" in md and rerun_command("42") == "imr rerun 42"
    assert COMPLETED_WITH_QUARANTINE in md


def test_markdown_summary_of_a_clean_batch() -> None:
    md = summary_markdown(summary(0.2, rejected=0, quarantined=0, reason_codes={}, expectations=[]), 0.2)
    assert md.count("None.") == 2 and "Completed" in md


def test_markdown_caps_the_case_list() -> None:
    cases = [f"CM14-{i:07d}" for i in range(30)]
    md = summary_markdown(summary(quarantined_cases=cases), 0.5, max_cases=5)
    assert "CM14-0000004" in md and "CM14-0000005" not in md and "and 25 more" in md


def test_markdown_summary_shows_the_review_backlog_and_the_event_payload_has_counts_only() -> None:
    from pipeline.artifacts import backlog_payload

    waiting = summary(review_waiting=5, review_oldest_days=4.25, review_overdue=2)
    md = summary_markdown(waiting, 0.5, backlog_days=3)
    assert "## Review queue" in md and "5 letters wait for a person (the oldest 4.2 days)" in md
    assert "**2 waiting longer than 3 days**" in md and "`review` deployment" in md
    assert "Empty: no letter waits for a person." in summary_markdown(summary(), 0.5, backlog_days=3)
    assert "Review queue" not in summary_markdown(summary(), 0.5)  # a caller that passes no backlog
    assert backlog_payload(waiting, 3) == {
        "batch_id": "42",
        "waiting": 5,
        "overdue": 2,
        "oldest_days": 4.25,
        "backlog_days": 3,
    }


def test_expectation_table_rows() -> None:
    rows = expectation_table(RESULTS)
    assert [r["expectation"] for r in rows] == [WARN.name, CRIT[0].name, CRIT[1].name]
    assert rows[0] == {
        "suite": WARN.suite,
        "expectation": WARN.name,
        "level": "warning",
        "evaluated": 25,
        "failed": 5,
        "failure_rate": 0.2,
    }
    assert failing_expectations(RESULTS, limit=1)[0].expectation == WARN.name


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


@pytest.mark.parametrize("name", ["quarantine-threshold-breached", "review-backlog-overdue"])
def test_the_automation_files_are_prefect_automations_of_our_events(name: str) -> None:
    import yaml
    from prefect.events.schemas.automations import AutomationCore

    from pipeline.artifacts import BACKLOG_EVENT

    spec = yaml.safe_load(
        (Path(__file__).resolve().parents[2] / "scripts" / "automations" / f"{name}.yaml").read_text()
    )
    automation = AutomationCore.model_validate(spec)
    assert automation.trigger.expect <= {BREACH_EVENT, BACKLOG_EVENT}  # type: ignore[union-attr]
