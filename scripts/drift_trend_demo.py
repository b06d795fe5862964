"""Publish the drift trend artifact for nine simulated nights: real warehouse, real drift checks.

Before the ingest flow publishes ``imr-drift-trend`` itself, this produces the screenshots of
docs/operations.md ("Drift monitoring"): four ordinary batches of 60 synthetic letters, two more,
one whose items are all overturned, one ordinary, one of 6 letters; after each,
``evaluate_batch_drift`` and a new version of the table artifact from ``trend_table``.

Usage (a Prefect server at PREFECT_API_URL, e.g. from ``imr server``)::

    .venv/bin/python scripts/drift_trend_demo.py /tmp/drift-demo.db
"""

from __future__ import annotations

import sys
from pathlib import Path

from prefect.artifacts import create_table_artifact

import warehouse
from expectations.drift import TREND_ARTIFACT_KEY
from imr.synth.records import synthetic_records
from pipeline.drift import evaluate_batch_drift, trend_table


def main(db: Path) -> None:
    """Nine nights into the warehouse at ``db``, each followed by its drift checks and trend artifact."""
    engine = warehouse.make_engine(f"sqlite:///{db}")
    warehouse.upgrade(engine)
    nights = ["natural"] * 6 + ["overturned", "natural", "small"]
    for k, kind in enumerate(nights):
        n = 6 if kind == "small" else 60
        b = warehouse.load_records(
            engine, synthetic_records(1000 + 100 * k, n, only_overturned=kind in ("overturned", "small"))
        )
        results = evaluate_batch_drift(engine, b)
        failed = ", ".join(r.expectation for r in results if r.failed) or "none"
        create_table_artifact(
            key=TREND_ARTIFACT_KEY,
            table=trend_table(engine),
            description=f"Drift trend: one row per batch (latest {b[:8]}, {kind}); failed: {failed}",
        )
        print(kind, b, failed)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
