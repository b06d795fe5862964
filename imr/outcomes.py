"""The vocabulary of a run, defined once: file and batch statuses, batch counts, expectation
results, per-letter data-quality failures and the verdict of a batch.

Everything else derives from here: the warehouse's CHECK constraints and count columns, the CLI's
columns, the summary, the Prefect artifacts and the flow run's final state::

    FileStatus ──(COUNTED_AS)──> BatchCounts ──> decide(kind, counts, failed_stage, threshold) ──> Verdict
    ExpectationResult (one expectation over a chunk or a batch: Level, DriftVerdict, BaselineSource)
    DqFailure (one letter failed one)
    ReviewStatus, ReviewAction (the review queue of letters a person can settle, and its audit trail)

Prefect-free, database-free, no letter text: counts, names and codes only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from copy import copy
from dataclasses import asdict, dataclass, field, fields, replace
from enum import StrEnum
from typing import Any


class FileStatus(StrEnum):
    """Where a registered source file stands (``source_files.status``)."""

    PENDING = "pending"
    LOADED = "loaded"
    DUPLICATE = "duplicate"
    LINKED = "linked"
    REJECTED = "rejected"
    QUARANTINED = "quarantined"
    FAILED = "failed"


#: statuses whose file goes to the archive once committed
ARCHIVED: frozenset[FileStatus] = frozenset({FileStatus.LOADED, FileStatus.LINKED, FileStatus.DUPLICATE})
#: statuses whose file goes to the quarantine folder (with a reason sidecar) once committed
SET_ASIDE: frozenset[FileStatus] = frozenset({FileStatus.REJECTED, FileStatus.QUARANTINED})
#: statuses of a committed outcome (the file only waits for its move)
COMMITTED: tuple[str, ...] = tuple(s.value for s in FileStatus if s in ARCHIVED | SET_ASIDE)
#: statuses a rerun takes up again
RERUNNABLE: frozenset[FileStatus] = frozenset(
    {FileStatus.FAILED, FileStatus.PENDING, FileStatus.REJECTED, FileStatus.QUARANTINED}
)


class BatchKind(StrEnum):
    """What started a batch."""

    INGEST = "ingest"
    RERUN = "rerun"
    BACKFILL = "backfill"


class BatchStatus(StrEnum):
    """How a batch stands (``ingest_batches.status``): running, one of the three verdicts, or ended
    before its verdict: ``abandoned`` (its run died: found by the next run, ``warehouse.runs``) or
    ``interrupted`` (stopped by SIGINT/SIGTERM between letters)."""

    RUNNING = "running"
    COMPLETED = "completed"
    COMPLETED_WITH_QUARANTINE = "completed_with_quarantine"
    FAILED = "failed"
    ABANDONED = "abandoned"
    INTERRUPTED = "interrupted"


class Level(StrEnum):
    """How bad a failed expectation is (``dq_results.level``): a critical failure quarantines the
    letter, a warning is recorded."""

    CRITICAL = "critical"
    WARNING = "warning"


class DriftVerdict(StrEnum):
    """What a batch-level check said of a batch (``dq_results.verdict``): it stayed within its
    bounds, left them, or there was too little to judge (a small batch, no baseline)."""

    PASSED = "passed"
    FAILED = "failed"
    INSUFFICIENT = "insufficient"


class BaselineSource(StrEnum):
    """What a batch-level check compared the batch with: the warehouse's history of earlier
    batches, a published figure, or nothing."""

    HISTORY = "history"
    PUBLISHED = "published"
    NONE = "none"


class ReviewStatus(StrEnum):
    """Where an item of the review queue stands (``review_items.status``): waiting for a person,
    resolved (its letter loaded with the reviewer's mark), rejected by a person (the file stays in
    quarantine), or superseded (its bytes or its case were settled otherwise: loaded by a later
    run, or the case's version conflict ended)."""

    WAITING = "waiting"
    RESOLVED = "resolved"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"


class ReviewAction(StrEnum):
    """What the review queue's audit trail records (``review_actions.action``): an item enqueued
    (or set aside again), resolved, rejected, superseded, or a resolution validation refused (the
    item stays waiting)."""

    ENQUEUED = "enqueued"
    RESOLVED = "resolved"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"
    REFUSED = "refused"


#: The suite of the batch-level (drift) checks.
DRIFT_SUITE = "drift"


@dataclass(frozen=True)
class BatchCounts:
    """How the files of a batch ended; ``files_seen`` is every file registered in the batch."""

    files_seen: int = 0  # every file registered in the batch
    loaded: int = 0  # a new letter in the warehouse
    duplicates: int = 0  # bytes already loaded: no new rows
    linked: int = 0  # another file of a case already loaded: attached to its letter
    rejected: int = 0  # not a letter, unreadable or hostile (set aside with a reason code)
    quarantined: int = 0  # a letter failing a critical expectation (set aside with its codes)
    failed: int = 0  # an error the run could not get past (rerun the batch)

    @classmethod
    def from_statuses(cls, by_status: Mapping[str, int]) -> BatchCounts:
        """Counts from ``{file status: number of files}`` (every status counts in ``files_seen``)."""
        values = dict.fromkeys(COUNT_FIELDS, 0)
        for status, n in by_status.items():
            values["files_seen"] += int(n)
            name = COUNTED_AS.get(FileStatus(status))
            if name is not None:
                values[name] += int(n)
        return cls(**values)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> BatchCounts:
        """Counts read back from a dict holding (at least) the count fields."""
        return cls(**{f: int(data.get(f) or 0) for f in COUNT_FIELDS})

    def to_dict(self) -> dict[str, int]:
        """``{field: count}`` in :data:`COUNT_FIELDS` order."""
        return asdict(self)

    @property
    def pending(self) -> int:
        """Files registered but not settled (a run stopped or died before them)."""
        counted = self.loaded + self.duplicates + self.linked + self.rejected + self.quarantined + self.failed
        return self.files_seen - counted

    @property
    def set_aside(self) -> int:
        """Files that went to the quarantine folder: rejected plus quarantined."""
        return self.rejected + self.quarantined

    @property
    def quarantine_rate(self) -> float:
        """Share of the files seen that were set aside (0.0 for an empty batch)."""
        return self.set_aside / self.files_seen if self.files_seen else 0.0


#: The count fields, in order (the batch row's columns, the CLI's columns, the summary's counts).
COUNT_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(BatchCounts))

#: Which count a final file status adds to (pending adds to ``files_seen`` only).
COUNTED_AS: dict[FileStatus, str] = {
    FileStatus.LOADED: "loaded",
    FileStatus.DUPLICATE: "duplicates",
    FileStatus.LINKED: "linked",
    FileStatus.REJECTED: "rejected",
    FileStatus.QUARANTINED: "quarantined",
    FileStatus.FAILED: "failed",
}


@dataclass(kw_only=True)
class RunNumbers:
    """What a run knows of its inboxes beyond the batch's counts: files skipped (a backfill's
    committed bytes, a rerun's loaded ones), unstable (left for the next run), ignored (left in
    place, by reason code), claimed by another run, and ledger paths repaired."""

    skipped: int = 0
    unstable: int = 0
    ignored: int = 0
    claimed: int = 0
    repaired: int = 0
    ignored_reasons: dict[str, int] = field(default_factory=dict)
    #: who holds the files counted as ``claimed``: ``{batch id: {"files", "since", "owner"}}``
    claimed_by: dict[str, dict[str, Any]] = field(default_factory=dict)

    def run_numbers(self) -> dict[str, Any]:
        """These numbers as a dict (a fresh copy of the reasons)."""
        return {f.name: copy(getattr(self, f.name)) for f in fields(RunNumbers)}


#: The run numbers that are counts, in order (the summary's and the CLI's extra lines).
RUN_COUNT_FIELDS: tuple[str, ...] = ("skipped", "unstable", "ignored", "claimed", "repaired")


@dataclass(frozen=True)
class ExpectationResult:
    """One expectation over a chunk or a batch: the row checks of a chunk and the batch-level
    (drift) checks of a batch alike.

    ``evaluated`` counts what the check rests on (rows of a chunk; for a batch-level check, the
    letters, items or files of the batch it judged), ``failed`` the rows that failed it (a
    batch-level check judges one row, the batch: 1 when its verdict is ``failed``, else 0).
    A batch-level check also says what it saw: the batch's ``observed`` value, the ``baseline`` it
    was compared with and where that came from (``baseline_source``), the ``lower_bound`` /
    ``upper_bound`` it had to stay within, and its ``verdict``; row checks leave them None.
    Counts, shares and names only (PHI-free).
    """

    suite: str
    expectation: str
    level: Level
    evaluated: int = 0
    failed: int = 0
    observed: float | None = None
    baseline: float | None = None
    lower_bound: float | None = None
    upper_bound: float | None = None
    verdict: DriftVerdict | None = None
    baseline_source: BaselineSource | None = None

    def __post_init__(self) -> None:
        # words read back from the warehouse or a summary's JSON become the vocabulary's members
        object.__setattr__(self, "level", Level(self.level))
        if self.verdict is not None:
            object.__setattr__(self, "verdict", DriftVerdict(self.verdict))
        if self.baseline_source is not None:
            object.__setattr__(self, "baseline_source", BaselineSource(self.baseline_source))

    @property
    def failure_rate(self) -> float:
        """``failed / evaluated`` (0.0 when nothing was evaluated)."""
        return self.failed / self.evaluated if self.evaluated else 0.0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every field (values rounded to 6 places; for artifacts, events, logs)."""
        out: dict[str, Any] = {}
        for k, v in asdict(self).items():
            if isinstance(v, StrEnum):
                v = v.value
            elif isinstance(v, float):
                v = round(v, 6)
            out[k] = v
        return out


def merge_results(results: Iterable[ExpectationResult]) -> list[ExpectationResult]:
    """Sum results of the same (suite, expectation) over chunks, in first-seen order."""
    total: dict[tuple[str, str], ExpectationResult] = {}
    for r in results:
        key = (r.suite, r.expectation)
        acc = total.get(key)
        if acc is not None:
            r = replace(acc, evaluated=acc.evaluated + r.evaluated, failed=acc.failed + r.failed)
        total[key] = r
    return list(total.values())


@dataclass(frozen=True)
class DqFailure:
    """One expectation one letter failed."""

    suite: str
    expectation: str
    level: Level

    def __post_init__(self) -> None:
        object.__setattr__(self, "level", Level(self.level))

    @property
    def code(self) -> str:
        """The reason code of the failure: ``dq_<expectation>``."""
        return f"dq_{self.expectation}"


#: The Prefect state name of a run that set files aside but is not failed.
COMPLETED_WITH_QUARANTINE = "CompletedWithQuarantine"

_STATE_NAMES: dict[BatchStatus, str] = {
    BatchStatus.COMPLETED: "Completed",
    BatchStatus.COMPLETED_WITH_QUARANTINE: COMPLETED_WITH_QUARANTINE,
    BatchStatus.FAILED: "Failed",
    BatchStatus.INTERRUPTED: "Cancelled",
    BatchStatus.ABANDONED: "Crashed",
}


@dataclass(frozen=True)
class Verdict:
    """How a batch ends, the same everywhere: the batch row's status, the printed status,
    ``imr batches --json``, the artifacts, the Prefect state and the CLI's exit code."""

    status: BatchStatus
    message: str
    threshold_breached: bool = False

    @property
    def state_name(self) -> str:
        """The Prefect state name: ``Completed``, ``CompletedWithQuarantine`` or ``Failed``."""
        return _STATE_NAMES[self.status]

    @property
    def exit_code(self) -> int:
        """0 for a completed batch (with or without quarantine), 1 for a failed one."""
        return 1 if self.status is BatchStatus.FAILED else 0


def decide(
    kind: str, counts: BatchCounts, *, failed_stage: str | None = None, threshold: float = 1.0, label: str = ""
) -> Verdict:
    """The one verdict of a batch.

    - ``failed``: a stage failed; or an ingest/backfill set aside more than ``threshold`` of its
      files; or a rerun could not process a file (``failed`` count above 0);
    - ``completed_with_quarantine``: files were rejected or quarantined (a rerun whose files all
      reached a committed outcome ends here, whatever its quarantine share);
    - ``completed`` otherwise.
    """
    name = f"Batch {label}: " if label else ""
    if failed_stage:
        return Verdict(BatchStatus.FAILED, f"{name}stage {failed_stage} failed.")
    breached = counts.files_seen > 0 and counts.quarantine_rate > threshold
    if kind == BatchKind.RERUN:
        if counts.failed:
            return Verdict(BatchStatus.FAILED, f"{name}{counts.failed} files could not be processed.", breached)
    elif breached:
        return Verdict(
            BatchStatus.FAILED,
            f"{name}{counts.set_aside}/{counts.files_seen} files set aside "
            f"({counts.quarantine_rate:.1%} > {threshold:.1%}).",
            True,
        )
    if counts.set_aside:
        return Verdict(
            BatchStatus.COMPLETED_WITH_QUARANTINE,
            f"{name}{counts.loaded} loaded, {counts.rejected} rejected, {counts.quarantined} quarantined.",
            breached,
        )
    return Verdict(BatchStatus.COMPLETED, f"{name}{counts.loaded} loaded.")
