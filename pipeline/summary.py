"""The summary of one run: counts from the ledger plus what only the run knows.

``files_seen``/``loaded``/``duplicates``/``linked``/``rejected``/``quarantined``/``failed`` come from
the batch's ``source_files`` rows (the warehouse is the truth; they are also stored in the batch
row). ``recovered`` (moves finished for an earlier run), ``skipped``, ``unstable``, the reason-code
counts, the per-expectation results and the quarantined case numbers come from the run itself.
The dict form is what ``tasks/publish.py`` (``BatchSummary.from_mapping``) reads.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy.engine import Engine

from pipeline.work import WorkItem

log = logging.getLogger("pipeline")

#: The counts the CLI prints, in order.
COUNT_KEYS: tuple[str, ...] = ("files_seen", "loaded", "duplicates", "linked", "rejected", "quarantined", "failed")


@dataclass
class IngestSummary:
    """Counts, codes and expectation results of one batch (no letter text)."""

    batch_id: str
    kind: str = "ingest"
    status: str = "running"
    parent_batch_id: str | None = None
    files_seen: int = 0
    loaded: int = 0
    duplicates: int = 0
    linked: int = 0
    rejected: int = 0
    quarantined: int = 0
    failed: int = 0
    recovered: int = 0
    skipped: int = 0
    unstable: int = 0
    moved: int = 0
    reason_codes: dict[str, int] = field(default_factory=dict)
    expectations: list[dict[str, Any]] = field(default_factory=list)
    quarantined_cases: list[str] = field(default_factory=list)
    failed_stage: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the flow's return value)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> IngestSummary:
        """Read back :meth:`to_dict` (unknown keys ignored)."""
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})

    def line(self) -> str:
        """One human line: ``batch <id>: files seen 3, loaded 2, ...``."""
        counts = ", ".join(f"{k.replace('_', ' ')} {getattr(self, k)}" for k in COUNT_KEYS)
        extra = f", recovered {self.recovered}" if self.recovered else ""
        return f"batch {self.batch_id} ({self.kind}, {self.status}): {counts}{extra}"


def merge_expectations(chunks: Iterable[Sequence[Mapping[str, Any]]]) -> list[dict[str, Any]]:
    """Sum per-chunk expectation results into one result per (suite, expectation)."""
    total: dict[tuple[str, str], dict[str, Any]] = {}
    for results in chunks:
        for r in results:
            key = (str(r["suite"]), str(r["expectation"]))
            acc = total.setdefault(
                key, {"suite": key[0], "expectation": key[1], "level": r["level"], "evaluated": 0, "failed": 0}
            )
            acc["evaluated"] += int(r["evaluated"])
            acc["failed"] += int(r["failed"])
    return list(total.values())


def batch_status(summary: IngestSummary) -> str:
    """``failed`` when a stage failed, ``completed_with_quarantine`` when files were set aside, else ``completed``."""
    if summary.failed_stage:
        return "failed"
    if summary.rejected or summary.quarantined:
        return "completed_with_quarantine"
    return "completed"


def summarise(
    engine: Engine,
    batch_id: str,
    *,
    kind: str,
    items: Sequence[WorkItem],
    recovered: Sequence[WorkItem] = (),
    expectation_chunks: Iterable[Sequence[Mapping[str, Any]]] = (),
    skipped: int = 0,
    unstable: int = 0,
    failed_stage: str | None = None,
    parent_batch_id: str | None = None,
) -> IngestSummary:
    """Close the batch (status and counts in its row, expectation results stored); return the summary.

    ``items`` are the batch's settled items, ``recovered`` the earlier rows whose moves this run
    finished. Raises :class:`imr.errors.WarehouseUnavailableError` when the warehouse is down.
    """
    import warehouse

    expectations = merge_expectations(expectation_chunks)
    if expectations:
        warehouse.store_dq_results(
            engine,
            batch_id,
            [
                warehouse.DqResult(e["suite"], e["expectation"], e["level"], e["evaluated"], e["failed"])
                for e in expectations
            ],
        )
    codes: Counter[str] = Counter()
    for item in items:
        codes.update(item.codes)
    cases = sorted({i.case_number for i in items if i.status == "quarantined" and i.case_number})
    summary = IngestSummary(
        batch_id=batch_id,
        kind=kind,
        parent_batch_id=parent_batch_id,
        recovered=len(recovered),
        skipped=skipped,
        unstable=unstable,
        moved=sum(1 for i in [*items, *recovered] if i.moved_to),
        reason_codes=dict(sorted(codes.items())),
        expectations=expectations,
        quarantined_cases=cases,
        failed_stage=failed_stage,
    )
    counts = warehouse.batch_counts(engine, batch_id)
    for k in COUNT_KEYS:
        setattr(summary, k, getattr(counts, k))
    summary.status = batch_status(summary)
    warehouse.finish_batch(engine, batch_id, summary.status, counts)
    log.info(summary.line())
    return summary
