"""The summary of one run: the batch's counts (from the warehouse, the truth), its verdict, and
what only the run knows (recovered moves, skipped, unstable and ignored files, reason codes,
expectation results, quarantined case numbers), and the review backlog as the run ends (letters
waiting for a person: how many, the oldest's age in days, how many are overdue: older than
``IMR_REVIEW_BACKLOG_DAYS``).

One :class:`BatchSummary` serves everyone: it is stored in the batch row (status, counts), it is
the flow run's result (:meth:`BatchSummary.to_dict`), the CLI prints it, and the Prefect
artifacts are drawn from it (:mod:`pipeline.artifacts`). Counts, codes and names only.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine

import warehouse
from imr.errors import ImrError
from imr.outcomes import (
    RUN_COUNT_FIELDS,
    BatchCounts,
    BatchStatus,
    ExpectationResult,
    RunNumbers,
    Verdict,
    decide,
    merge_results,
)
from imr.settings import get_settings
from pipeline.work import Tally
from warehouse import review as queue

log = logging.getLogger("imr.pipeline")

#: What a run knows beyond the counts (all zero unless something happened).
RUN_FIELDS: tuple[str, ...] = ("recovered", *RUN_COUNT_FIELDS, "moved")


@dataclass
class BatchSummary(RunNumbers):
    """Counts, verdict, codes and expectation results of one batch (no letter text)."""

    batch_id: str
    kind: str
    counts: BatchCounts
    verdict: Verdict
    parent_batch_id: str | None = None
    recovered: int = 0
    moved: int = 0
    reason_codes: dict[str, int] = field(default_factory=dict)
    expectations: list[ExpectationResult] = field(default_factory=list)
    quarantined_cases: list[str] = field(default_factory=list)
    failed_stage: str | None = None
    #: the review backlog when the run ended: items waiting, the oldest's age in days, the overdue
    review_waiting: int = 0
    review_oldest_days: float | None = None
    review_overdue: int = 0

    @property
    def status(self) -> BatchStatus:
        """The batch's status: the verdict's."""
        return self.verdict.status

    def to_dict(self) -> dict[str, Any]:
        """A flat JSON-ready dict: ids, status, every count, the run's numbers, codes and results."""
        return {
            "batch_id": self.batch_id,
            "kind": self.kind,
            "status": self.status.value,
            "message": self.verdict.message,
            "threshold_breached": self.verdict.threshold_breached,
            "parent_batch_id": self.parent_batch_id,
            **self.counts.to_dict(),
            **{k: getattr(self, k) for k in RUN_FIELDS},
            "reason_codes": dict(self.reason_codes),
            "ignored_reasons": dict(self.ignored_reasons),
            "claimed_by": {k: dict(v) for k, v in self.claimed_by.items()},
            "expectations": [vars(e) for e in self.expectations],
            "quarantined_cases": list(self.quarantined_cases),
            "failed_stage": self.failed_stage,
            "review_waiting": self.review_waiting,
            "review_oldest_days": self.review_oldest_days,
            "review_overdue": self.review_overdue,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BatchSummary:
        """Read back :meth:`to_dict` (e.g. a flow run's result)."""
        status = BatchStatus(data["status"])
        return cls(
            batch_id=str(data["batch_id"]),
            kind=str(data["kind"]),
            counts=BatchCounts.from_mapping(data),
            verdict=Verdict(status, str(data.get("message") or ""), bool(data.get("threshold_breached"))),
            parent_batch_id=data.get("parent_batch_id"),
            **{k: int(data.get(k) or 0) for k in RUN_FIELDS},
            reason_codes=dict(data.get("reason_codes") or {}),
            ignored_reasons=dict(data.get("ignored_reasons") or {}),
            claimed_by={k: dict(v) for k, v in (data.get("claimed_by") or {}).items()},
            expectations=[ExpectationResult(**e) for e in data.get("expectations") or ()],
            quarantined_cases=list(data.get("quarantined_cases") or ()),
            failed_stage=data.get("failed_stage"),
            review_waiting=int(data.get("review_waiting") or 0),
            review_oldest_days=data.get("review_oldest_days"),
            review_overdue=int(data.get("review_overdue") or 0),
        )

    def line(self) -> str:
        """One human line: ``batch <id> (ingest, completed): files seen 3, loaded 2, ...``."""
        counts = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in self.counts.to_dict().items())
        extra = "".join(f", {k} {getattr(self, k)}" for k in RUN_FIELDS if k != "moved" and getattr(self, k))
        return f"batch {self.batch_id} ({self.kind}, {self.status.value}): {counts}{extra}"


class BatchFailedError(ImrError):
    """A batch ended ``failed`` (quarantine threshold breached, or files a rerun could not process).

    The data of the flow run's Failed state: calling a flow from Python raises it, and
    ``state.result(raise_on_failure=False)`` returns it; ``summary`` is :meth:`BatchSummary.to_dict`.
    """

    code = "batch_failed"

    def __init__(self, message: str, summary: Mapping[str, Any]) -> None:
        super().__init__(message)
        self.summary = dict(summary)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.message, self.summary))


def summarise(
    engine: Engine,
    batch_id: str,
    *,
    kind: str,
    settled: Tally,
    recovered: Tally | None = None,
    results: Iterable[ExpectationResult] = (),
    threshold: float = 1.0,
    parent_batch_id: str | None = None,
    review_backlog_days: float | None = None,
    **run_counts: Any,
) -> BatchSummary:
    """Close the batch: store its expectation results, count its files, decide its verdict, write
    status and counts to its row; return the summary (with the review backlog as it stands).

    ``settled`` tallies the batch's settled files, ``recovered`` the earlier rows whose moves this
    run finished; ``run_counts`` the plan's ``skipped``, ``unstable``, ``ignored``, ``claimed`` and
    ``ignored_reasons``; ``review_backlog_days`` when a waiting review item is overdue (default
    ``IMR_REVIEW_BACKLOG_DAYS``). Raises :class:`imr.errors.WarehouseUnavailableError` when the
    warehouse is down.
    """
    merged = merge_results(results)
    if merged:
        warehouse.store_dq_results(engine, batch_id, merged)
    recovered = recovered or Tally()
    counts = warehouse.batch_counts(engine, batch_id)
    verdict = decide(kind, counts, threshold=threshold, label=batch_id)
    summary = BatchSummary(
        batch_id=batch_id,
        kind=kind,
        counts=counts,
        verdict=verdict,
        parent_batch_id=parent_batch_id,
        recovered=recovered.files,
        moved=settled.moved + recovered.moved,
        reason_codes=dict(sorted(settled.codes.items())),
        expectations=merged,
        quarantined_cases=sorted(settled.quarantined_cases),
        **run_counts,
    )
    days = get_settings().review_backlog_days if review_backlog_days is None else review_backlog_days
    summary.review_waiting, summary.review_oldest_days, summary.review_overdue = review_backlog(engine, days)
    warehouse.finish_batch(engine, batch_id, verdict.status, counts, ignored_reasons=summary.ignored_reasons)
    log.info(summary.line())
    return summary


def review_backlog(
    engine: Engine, overdue_days: float, now: dt.datetime | None = None
) -> tuple[int, float | None, int]:
    """``(waiting, oldest age in days, overdue)`` of the review queue: items waiting for a person,
    how long the oldest has waited (None when none waits), how many waited over ``overdue_days``."""
    since = queue.waiting_since(engine)
    now = now or dt.datetime.now(dt.UTC)
    if not since:
        return 0, None, 0
    oldest = round(max(0.0, (now - since[0]).total_seconds() / 86400), 2)
    limit = now - dt.timedelta(days=overdue_days)
    return len(since), oldest, sum(1 for s in since if s < limit)


def summary_of_row(row: warehouse.BatchRow) -> BatchSummary:
    """The summary a batch row tells (a run whose own summary is not at hand: a step failed, or
    the run was stopped): ids, status, counts and what ended it; the run's own numbers are zero."""
    status = BatchStatus(row.status)
    return BatchSummary(
        batch_id=row.id,
        kind=row.kind,
        counts=row.counts,
        verdict=Verdict(status, row.status_reason or ""),
        parent_batch_id=row.parent_batch_id,
        ignored=row.ignored,
        ignored_reasons=dict(row.ignored_reasons),
    )


def failed_summary(engine: Engine, batch_id: str, kind: str, stage: str) -> BatchSummary:
    """Mark a batch ``failed`` after ``stage`` raised and return what its row says (counts as now).

    Raises :class:`imr.errors.WarehouseUnavailableError` when the warehouse is down.
    """
    counts = warehouse.batch_counts(engine, batch_id)
    verdict = decide(kind, counts, failed_stage=stage, label=batch_id)
    warehouse.finish_batch(engine, batch_id, verdict.status, counts)
    log.error("batch %s (%s) failed in stage %s", batch_id, kind, stage)
    return BatchSummary(batch_id, kind, counts, verdict, failed_stage=stage)
