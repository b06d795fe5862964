"""What a batch looks like in the Prefect UI: Prefect-free formatting of summaries and verdicts.

The Prefect side (``tasks/publish.py``) only publishes what this module computes:

- :class:`BatchSummary` / :class:`ExpectationResult`: the counts of one batch and the result of
  each data-quality expectation (numbers, names and codes only).
- :func:`summary_markdown`: the markdown artifact ``imr-ingest-summary``.
- :func:`expectation_table`: the rows of the table artifact ``imr-dq-expectations``.
- :func:`verdict`: how the flow run ends (``Completed``, ``CompletedWithQuarantine`` or ``Failed``).
- :func:`breach_payload`: the payload of the ``imr.batch.quarantine-threshold-breached`` event.

No letter text ever reaches these functions' output: free-form values (file names, case numbers,
reason codes, expectation names) go through :func:`safe_label`, which keeps only a short run of
identifier characters, so a misplaced sentence cannot end up in an artifact.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

#: artifact keys (lowercase letters, digits and dashes; reused keys build a history in the UI)
SUMMARY_KEY = "imr-ingest-summary"
EXPECTATIONS_KEY = "imr-dq-expectations"
PROGRESS_KEY = "imr-ingest-progress"

#: the custom event emitted when the quarantine share passes ``settings.quarantine_threshold``
BREACH_EVENT = "imr.batch.quarantine-threshold-breached"

#: name of the completed state of a run that quarantined or rejected files
COMPLETED_WITH_QUARANTINE = "CompletedWithQuarantine"

VerdictKind = Literal["completed", "completed_with_quarantine", "failed"]

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


@dataclass(frozen=True)
class ExpectationResult:
    """The outcome of one data-quality expectation over a batch (counts only)."""

    suite: str
    expectation: str
    level: str = "critical"
    evaluated: int = 0
    failed: int = 0

    @property
    def failure_rate(self) -> float:
        """Failed / evaluated, 0.0 when nothing was evaluated."""
        return self.failed / self.evaluated if self.evaluated else 0.0

    @classmethod
    def coerce(cls, item: ExpectationResult | Mapping[str, Any] | object) -> ExpectationResult:
        """Build a result from a mapping or any object with the same attribute names.

        This is the seam to ``expectations.QualityReport``: its per-expectation results carry
        ``suite, expectation, level, evaluated, failed`` (``failure_rate`` is recomputed).
        """
        if isinstance(item, ExpectationResult):
            return item

        def get(name: str, default: Any) -> Any:
            if isinstance(item, Mapping):
                return item.get(name, default)
            return getattr(item, name, default)

        return cls(
            suite=str(get("suite", "")),
            expectation=str(get("expectation", get("name", ""))),
            level=str(get("level", "critical")),
            evaluated=int(get("evaluated", 0) or 0),
            failed=int(get("failed", 0) or 0),
        )


@dataclass
class BatchSummary:
    """The counts of one ingest batch, as the flow's summarise step sees them.

    ``rejected`` counts files that could not be read as IMR letters (reason codes such as
    ``pdf_corrupt``); ``quarantined`` counts letters set aside by data-quality checks
    (``dq_<expectation>`` codes). Both end up in the quarantine folder. ``linked`` counts known
    letters found under a new name, ``failed`` files left in place for the next run. The fields
    match :class:`pipeline.summary.IngestSummary`, whose ``to_dict()`` :meth:`from_mapping` reads.
    ``failed_stage`` names the stage that raised (``discover``, ``extract``, ``load``...), if any.
    """

    batch_id: str
    kind: str = "ingest"
    files_seen: int = 0
    loaded: int = 0
    duplicates: int = 0
    linked: int = 0
    rejected: int = 0
    quarantined: int = 0
    failed: int = 0
    reason_codes: Mapping[str, int] = field(default_factory=dict)
    expectations: Sequence[ExpectationResult] = ()
    quarantined_cases: Sequence[str] = ()
    failed_stage: str | None = None

    @property
    def set_aside(self) -> int:
        """Files that went to the quarantine folder: rejected plus quarantined."""
        return self.rejected + self.quarantined

    @property
    def quarantine_rate(self) -> float:
        """Share of the files seen that were set aside (0.0 for an empty batch)."""
        return self.set_aside / self.files_seen if self.files_seen else 0.0

    def counts(self) -> dict[str, int]:
        """The batch counts as a plain dict (also the event payload's counts)."""
        return {
            "files_seen": self.files_seen,
            "loaded": self.loaded,
            "duplicates": self.duplicates,
            "linked": self.linked,
            "rejected": self.rejected,
            "quarantined": self.quarantined,
            "failed": self.failed,
        }

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> BatchSummary:
        """Build a summary from a dict (unknown keys are ignored; expectations are coerced)."""
        return cls(
            batch_id=str(data["batch_id"]),
            kind=str(data.get("kind") or "ingest"),
            files_seen=int(data.get("files_seen", 0) or 0),
            loaded=int(data.get("loaded", 0) or 0),
            duplicates=int(data.get("duplicates", 0) or 0),
            linked=int(data.get("linked", 0) or 0),
            rejected=int(data.get("rejected", 0) or 0),
            quarantined=int(data.get("quarantined", 0) or 0),
            failed=int(data.get("failed", 0) or 0),
            reason_codes=dict(data.get("reason_codes") or {}),
            expectations=[ExpectationResult.coerce(e) for e in data.get("expectations") or ()],
            quarantined_cases=[str(c) for c in data.get("quarantined_cases") or ()],
            failed_stage=data.get("failed_stage"),
        )


@dataclass(frozen=True)
class Verdict:
    """How a batch's flow run ends: the state kind, its name and a short message."""

    kind: VerdictKind
    name: str
    message: str


def threshold_breached(summary: BatchSummary, threshold: float) -> bool:
    """True when the share of files set aside is strictly above ``threshold``."""
    return summary.files_seen > 0 and summary.quarantine_rate > threshold


def verdict(summary: BatchSummary, threshold: float) -> Verdict:
    """Decide the final state of a batch's flow run.

    - ``failed`` when a stage failed or the quarantine share passes ``threshold``;
    - ``completed_with_quarantine`` (state name ``CompletedWithQuarantine``) when any file was
      rejected or quarantined;
    - ``completed`` otherwise.
    """
    batch = safe_label(summary.batch_id)
    if summary.failed_stage:
        return Verdict("failed", "Failed", f"Batch {batch}: stage {safe_label(summary.failed_stage)} failed.")
    if threshold_breached(summary, threshold):
        return Verdict(
            "failed",
            "Failed",
            f"Batch {batch}: {summary.set_aside}/{summary.files_seen} files set aside "
            f"({summary.quarantine_rate:.1%} > {threshold:.1%}).",
        )
    if summary.set_aside:
        return Verdict(
            "completed_with_quarantine",
            COMPLETED_WITH_QUARANTINE,
            f"Batch {batch}: {summary.loaded} loaded, {summary.rejected} rejected, "
            f"{summary.quarantined} quarantined.",
        )
    return Verdict("completed", "Completed", f"Batch {batch}: {summary.loaded} loaded.")


def breach_payload(summary: BatchSummary, threshold: float) -> dict[str, Any]:
    """The event payload of a threshold breach: counts, rate and threshold only."""
    return {
        "batch_id": safe_label(summary.batch_id),
        **summary.counts(),
        "quarantine_rate": round(summary.quarantine_rate, 4),
        "threshold": threshold,
    }


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


def summary_markdown(summary: BatchSummary, threshold: float, max_cases: int = 20) -> str:
    """The markdown of the ``imr-ingest-summary`` artifact: counts, failures, rerun command.

    Holds only counts, codes, expectation names and case numbers (at most ``max_cases``).
    """
    v = verdict(summary, threshold)
    lines = [
        f"# {safe_label(summary.kind).capitalize()} batch {safe_label(summary.batch_id)}",
        "",
        f"**Outcome:** {v.name}. Quarantine rate {summary.quarantine_rate:.1%} "
        f"(threshold {threshold:.1%}).",
        "",
        _md_row([k.replace("_", " ") for k in summary.counts()]),
        _md_row(["---:"] * len(summary.counts())),
        _md_row(list(summary.counts().values())),
    ]
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
