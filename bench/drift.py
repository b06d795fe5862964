"""Drift-check benchmark: what the batch-level checks cost on a warehouse with a long history.

Run ``python -m bench.drift`` (30 finished batches of 500 synthetic letters in a SQLite file, then a
new 500-letter batch) or ``python -m bench.drift --batches 5 --letters 100`` (quick). It prints a
markdown table on stdout and progress on stderr.

Measured: loading the history (for scale only), ``batch_profile`` of the new batch,
``batch_history`` over the window, ``evaluate_drift`` (GX warm and the first, cold call with the
GX import), the whole ``evaluate_batch_drift`` (profile + history + GX + store), and
``validate_records`` on a 200-letter chunk with every row-level expectation (plausibility and
cross-field checks included), warm.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import warehouse
from expectations import validate_records
from expectations.drift import evaluate_drift
from imr.synth.records import synthetic_records
from pipeline.drift import evaluate_batch_drift
from warehouse.history import batch_history, batch_profile


def _timed(label: str, rows: list[tuple[str, str]], fn: object) -> object:
    started = time.perf_counter()
    out = fn()  # type: ignore[operator]
    rows.append((label, f"{(time.perf_counter() - started) * 1000:.0f} ms"))
    print(f"{label}: {rows[-1][1]}", file=sys.stderr)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print a markdown table."""
    parser = argparse.ArgumentParser(prog="python -m bench.drift", description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=30)
    parser.add_argument("--letters", type=int, default=500)
    args = parser.parse_args(argv)
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        engine = warehouse.make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        warehouse.upgrade(engine)
        n = args.letters

        def history() -> None:
            for b in range(args.batches):
                warehouse.load_records(engine, synthetic_records(10_000 + b * n, n))

        _timed(f"load history: {args.batches} batches x {n} letters (scale only)", rows, history)
        current = _timed(
            f"load the new batch ({n} letters)",
            rows,
            lambda: warehouse.load_records(engine, synthetic_records(1_000_000, n)),
        )
        assert isinstance(current, str)
        profile = _timed("batch_profile (new batch)", rows, lambda: batch_profile(engine, current))
        past = _timed(f"batch_history (window {args.batches})", rows, lambda: batch_history(engine, current))
        _timed("evaluate_drift, first call (imports GX)", rows, lambda: evaluate_drift(profile, past))  # type: ignore[arg-type]
        _timed("evaluate_drift, warm", rows, lambda: evaluate_drift(profile, past))  # type: ignore[arg-type]
        results = _timed("evaluate_batch_drift (profile + history + GX + store)", rows,
                         lambda: evaluate_batch_drift(engine, current))  # fmt: skip
        chunk = synthetic_records(2_000_000, 200)
        validate_records(chunk[:5])
        _timed("validate_records, 200-letter chunk, warm (all row-level expectations)", rows,
               lambda: validate_records(chunk))  # fmt: skip
        assert isinstance(results, list)
        failed = [r.expectation for r in results if r.failed]
        print("| Step | Time |\n|---|---|")
        for label, value in rows:
            print(f"| {label} | {value} |")
        print(f"\n{len(results)} drift checks; failed on the natural-mix batch: {failed or 'none'}")
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
