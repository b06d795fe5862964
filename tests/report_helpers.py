"""Warehouses built the way production builds them, shared by the report and drift tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Engine

import warehouse as w
from imr.models import LetterRecord
from imr.outcomes import BatchKind, FileStatus
from imr.synth.records import synthetic_records
from pipeline import stages
from pipeline.lifecycle import Reason
from pipeline.summary import failed_summary, summarise
from pipeline.work import Tally, WorkItem

Gold = dict[str, Any]


def load_batch(
    engine: Engine, records: Sequence[LetterRecord], *, inbox: str = "/inbox", failed_stage: str | None = None
) -> str:
    """One ingest batch of already-extracted ``records`` through the pipeline's stages: each file
    registered in the batch, the records validated and loaded as one chunk
    (:func:`pipeline.stages.validate_chunk`, :func:`pipeline.stages.load_chunk`), the batch closed
    by the summary with its verdict (or failed in ``failed_stage``). Only extraction and the file
    moves are left out (there are no bytes). Returns the batch id."""
    batch = w.start_batch(engine, BatchKind.INGEST, [inbox])
    items: list[WorkItem] = []
    for r in records:
        src = r.source
        fid = w.register_file(engine, batch, inbox, src.path, src.sha256, 0, src.media_type)
        item = WorkItem(fid, inbox, src.path, f"{inbox}/{src.path}", src.sha256, 0, src.media_type, record=r)
        if r.status == "rejected":  # as extraction hands a rejected record on
            item.status, item.reasons = FileStatus.REJECTED, [Reason(e.code, e.message) for e in r.errors]
        items.append(item)
    validated = stages.validate_chunk(items)
    stages.load_chunk(engine, validated)
    if failed_stage is not None:
        failed_summary(engine, batch, BatchKind.INGEST, failed_stage)
    else:
        summarise(engine, batch, kind=BatchKind.INGEST, settled=Tally(), results=validated.results)
    return batch


def load_golds(engine: Engine, golds: list[Gold]) -> str:
    """Every gold record in one batch through the pipeline's stages (:func:`load_batch`); returns the batch id."""
    return load_batch(engine, [LetterRecord.from_dict(g) for g in golds])


def synthetic_golds(count: int, seed: int = 12) -> list[Gold]:
    """``count`` synthetic gold records with distinct case numbers (generator letters, fake bytes)."""
    return [r.to_dict() for r in synthetic_records(seed * 100_003, count)]
