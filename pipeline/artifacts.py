"""What a batch looks like in the Prefect UI: Prefect-free formatting of summaries and verdicts.

The Prefect side (``tasks/publish.py``) only publishes what this module computes:

- :func:`summary_markdown`: the markdown artifact ``imr-ingest-summary``.
- :func:`expectation_table`: the rows of the table artifact ``imr-dq-expectations``.
- :func:`breach_payload`: the payload of the ``imr.batch.quarantine-threshold-breached`` event.

No letter text ever reaches these functions' output: free-form values (file names, case numbers,
reason codes, expectation names) go through :func:`safe_label`, which keeps only a short run of
identifier characters, so a misplaced sentence cannot end up in an artifact.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from imr.outcomes import ExpectationResult
from pipeline.summary import RUN_FIELDS, BatchSummary

#: artifact keys (lowercase letters, digits and dashes; reused keys build a history in the UI)
SUMMARY_KEY = "imr-ingest-summary"
EXPECTATIONS_KEY = "imr-dq-expectations"
PROGRESS_KEY = "imr-ingest-progress"

#: the custom event emitted when the quarantine share passes ``settings.quarantine_threshold``
BREACH_EVENT = "imr.batch.quarantine-threshold-breached"
#: emitted after a run when review items have waited longer than IMR_REVIEW_BACKLOG_DAYS
BACKLOG_EVENT = "imr.review.backlog-overdue"
#: the resource of the review queue in Prefect events
REVIEW_QUEUE_RESOURCE = "imr.review-queue"

_UNSAFE = re.compile(r"[^A-Za-z0-9._:/\-]+")
_MAX_LABEL = 64


def safe_label(value: object, max_len: int = _MAX_LABEL) -> str:
    """Return ``value`` as a short identifier-like label fit for logs and artifacts.

    Runs of characters other than letters, digits and ``. _ : / -`` become one ``_``, and the
    result is cut to ``max_len`` characters (with a trailing ``…``). A sentence pasted by mistake
    therefore turns into one unreadable token instead of narrative text.
    """
    text = _UNSAFE.sub("_", str(value)).strip("_")
    if len(text) > max_len:
        text = text[: max_len - 1] + "…"
    return text or "-"


def batch_resource_id(batch_id: str) -> str:
    """The Prefect event resource id of a batch: ``imr.batch.<batch_id>``."""
    return f"imr.batch.{safe_label(batch_id)}"


def rerun_command(batch_id: str) -> str:
    """The CLI command that reruns a batch: ``imr rerun <batch_id>``."""
    return f"imr rerun {safe_label(batch_id)}"


def breach_payload(summary: BatchSummary, threshold: float) -> dict[str, Any]:
    """The event payload of a threshold breach: counts, rate and threshold only."""
    return {
        "batch_id": safe_label(summary.batch_id),
        **summary.counts.to_dict(),
        "quarantine_rate": round(summary.counts.quarantine_rate, 4),
        "threshold": threshold,
    }


def backlog_payload(summary: BatchSummary, days: float) -> dict[str, Any]:
    """The event payload of an overdue review backlog: counts and ages only."""
    return {
        "batch_id": safe_label(summary.batch_id),
        "waiting": summary.review_waiting,
        "overdue": summary.review_overdue,
        "oldest_days": summary.review_oldest_days,
        "backlog_days": days,
    }


def backlog_markdown(summary: BatchSummary, days: float) -> list[str]:
    """The summary artifact's lines on the review queue as the run ended."""
    if not summary.review_waiting:
        return ["## Review queue", "", "Empty: no letter waits for a person."]
    oldest = summary.review_oldest_days or 0.0
    overdue = f", **{summary.review_overdue} waiting longer than {days:g} days**" if summary.review_overdue else ""
    return [
        "## Review queue",
        "",
        f"{summary.review_waiting} letters wait for a person (the oldest {oldest:.1f} days){overdue}. "
        "Settle them with the `review` deployment (a form in this UI) or `imr review list`.",
    ]


def failing_expectations(results: Iterable[ExpectationResult], limit: int = 5) -> list[ExpectationResult]:
    """The expectations with failures, most failures first (critical before warning on ties)."""
    failing = [r for r in results if r.failed > 0]
    failing.sort(key=lambda r: (-r.failed, r.level != "critical", r.suite, r.expectation))
    return failing[:limit]


def top_reason_codes(codes: Mapping[str, int], limit: int = 10) -> list[tuple[str, int]]:
    """The most frequent reason codes with their counts, most frequent first."""
    items = [(safe_label(code), int(n)) for code, n in codes.items() if int(n) > 0]
    items.sort(key=lambda kv: (-kv[1], kv[0]))
    return items[:limit]


def expectation_table(results: Iterable[ExpectationResult]) -> list[dict[str, Any]]:
    """Rows of the ``imr-dq-expectations`` table artifact, one per expectation, failing ones first."""
    return [
        {
            "suite": safe_label(r.suite),
            "expectation": safe_label(r.expectation),
            "level": safe_label(r.level),
            "evaluated": r.evaluated,
            "failed": r.failed,
            "failure_rate": round(r.failure_rate, 4),
        }
        for r in sorted(results, key=lambda r: (-r.failed, r.suite, r.level != "critical", r.expectation))
    ]


def _md_row(cells: Sequence[object]) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def summary_markdown(
    summary: BatchSummary, threshold: float, max_cases: int = 20, backlog_days: float | None = None
) -> str:
    """The markdown of the ``imr-ingest-summary`` artifact: counts, failures, the review queue
    (with ``backlog_days``), rerun command.

    Holds only counts, codes, expectation names and case numbers (at most ``max_cases``).
    """
    v, counts = summary.verdict, summary.counts.to_dict()
    lines = [
        f"# {safe_label(summary.kind).capitalize()} batch {safe_label(summary.batch_id)}",
        "",
        f"**Outcome:** {v.state_name}. Quarantine rate {summary.counts.quarantine_rate:.1%} "
        f"(threshold {threshold:.1%}).",
        "",
        _md_row([k.replace("_", " ") for k in counts]),
        _md_row(["---:"] * len(counts)),
        _md_row(list(counts.values())),
    ]
    run_numbers = {k: getattr(summary, k) for k in RUN_FIELDS if k != "moved" and getattr(summary, k)}
    if run_numbers:
        lines += ["", ", ".join(f"{k.replace('_', ' ')}: {n}" for k, n in run_numbers.items()) + "."]
    if summary.ignored_reasons:
        ignored = ", ".join(f"`{safe_label(c)}` {n}" for c, n in sorted(summary.ignored_reasons.items()))
        lines += ["", f"**Ignored (left in place):** {ignored}."]
    if summary.failed_stage:
        lines += ["", f"**Failed stage:** `{safe_label(summary.failed_stage)}`"]
    failing = failing_expectations(summary.expectations)
    lines += ["", "## Top failing expectations", ""]
    if failing:
        lines += [_md_row(["expectation", "suite", "level", "failed", "evaluated", "failure rate"])]
        lines += [_md_row(["---", "---", "---", "---:", "---:", "---:"])]
        lines += [
            _md_row(
                [
                    f"`{safe_label(r.expectation)}`",
                    safe_label(r.suite),
                    safe_label(r.level),
                    r.failed,
                    r.evaluated,
                    f"{r.failure_rate:.1%}",
                ]
            )
            for r in failing
        ]
    else:
        lines += ["None."]
    codes = top_reason_codes(summary.reason_codes)
    lines += ["", "## Reason codes", ""]
    if codes:
        lines += [_md_row(["code", "files"]), _md_row(["---", "---:"])]
        lines += [_md_row([f"`{code}`", n]) for code, n in codes]
    else:
        lines += ["None."]
    cases = [safe_label(c) for c in summary.quarantined_cases]
    if cases:
        shown = ", ".join(f"`{c}`" for c in cases[:max_cases])
        more = f" and {len(cases) - max_cases} more" if len(cases) > max_cases else ""
        lines += ["", "## Quarantined cases", "", shown + more + "."]
    if backlog_days is not None:
        lines += ["", *backlog_markdown(summary, backlog_days)]
    lines += ["", "## Rerun", "", "```", rerun_command(summary.batch_id), "```", ""]
    return "\n".join(lines)


def safe_words(text: str, max_words: int = 8) -> str:
    """A short description: at most ``max_words`` words, each passed through :func:`safe_label`."""
    return " ".join(safe_label(w) for w in text.split()[:max_words])


def progress_percent(done: int, total: int) -> float:
    """Progress in percent (0-100) for ``done`` of ``total`` units; 100 when ``total`` is 0."""
    if total <= 0:
        return 100.0
    return round(min(max(done, 0), total) * 100.0 / total, 1)
