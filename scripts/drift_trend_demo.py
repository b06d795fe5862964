"""Publish the drift trend artifact for nine simulated nights: real warehouse, real drift checks.

Before the ingest flow publishes ``imr-drift-trend`` itself, this produces the screenshots of
docs/operations.md ("Drift monitoring"): four ordinary batches of 60 synthetic letters, two more,
one whose items are all overturned, one ordinary, one of 6 letters; after each,
``evaluate_batch_drift`` and a new version of the table artifact from ``trend_table``.

Usage (a Prefect server at PREFECT_API_URL, e.g. from ``imr server``)::

    .venv/bin/python scripts/drift_trend_demo.py /tmp/drift-demo.db
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from prefect.artifacts import create_table_artifact
from sqlalchemy.engine import Engine

import warehouse
from expectations.drift import TREND_ARTIFACT_KEY
from imr.models import LetterRecord, Source
from imr.synth import generate_letter
from pipeline.drift import evaluate_batch_drift, trend_table


def synthetic(first: int, count: int, only_overturned: bool = False) -> list[LetterRecord]:
    out: list[LetterRecord] = []
    for seed in range(first, first + count):
        letter = generate_letter(seed).letter
        if only_overturned:
            for it in letter.items:
                it.decision = "overturned"
            letter.outcome = "overturned"
        letter.case_number = f"CM16-{seed:07d}"
        sha = hashlib.sha256(f"s-{seed}-{only_overturned}".encode()).hexdigest()
        out.append(LetterRecord(Source(f"s-{seed}.txt", sha, "text/plain"), "parsed", [], letter))
    return out


def load(engine: Engine, records: list[LetterRecord]) -> str:
    b = warehouse.start_batch(engine, "ingest", ["/inbox"])
    for r in records:
        fid = warehouse.register_file(engine, b, "/inbox", r.source.path, r.source.sha256, 1000, "text/plain")
        warehouse.load_letter(engine, fid, r)
    warehouse.finish_batch(engine, b, "completed")
    return b


def main(db: Path) -> None:
    """Nine nights into the warehouse at ``db``, each followed by its drift checks and trend artifact."""
    engine = warehouse.make_engine(f"sqlite:///{db}")
    warehouse.upgrade(engine)
    nights = ["natural"] * 6 + ["overturned", "natural", "small"]
    for k, kind in enumerate(nights):
        n = 6 if kind == "small" else 60
        b = load(engine, synthetic(1000 + 100 * k, n, only_overturned=kind in ("overturned", "small")))
        results = evaluate_batch_drift(engine, b)
        failed = ", ".join(r.name for r in results if r.failed) or "none"
        create_table_artifact(
            key=TREND_ARTIFACT_KEY,
            table=trend_table(engine),
            description=f"Drift trend: one row per batch (latest {b[:8]}, {kind}); failed: {failed}",
        )
        print(kind, b, failed)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
