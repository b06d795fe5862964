"""A longer fuzzing run than the test suite's: random mutations of synthetic and real letters
(PDF and text) through :class:`pipeline.isolation.IsolatedExtractor`.

Run ``python -m bench.fuzz [--minutes 10] [--seed 1]``. Mutations are those of
``tests/hostile_files.py`` (bit flips, cuts, inserted bytes, repeated slices, long runs of
repeated separators, truncation), one to four per example. Reports, in markdown: examples run,
outcome codes, wall time per example (median, p99, max), every example the isolation had to stop
(``extract_timeout``, ``extract_memory``, ``extract_crash``) or that hit ``internal_error``, and
the slowest examples, each described by its source file name and mutations (never its text).
Real letters come from ``IMR_BENCH_REAL_PDF`` (default ``/work/shared/corpus/real/pdf``) when present.
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from imr.settings import Settings
from imr.synth import generate_letter, render_text
from imr.synth.pdf_render import render_pdf
from pipeline.isolation import IsolatedExtractor
from tests.hostile_files import MUTATION_KINDS, SEPARATORS, Mutation, mutate

REAL_PDF_DIR = Path(os.environ.get("IMR_BENCH_REAL_PDF", "/work/shared/corpus/real/pdf"))
FOUND = ("extract_crash", "extract_timeout", "extract_memory", "internal_error")


def sources() -> list[tuple[str, bytes]]:
    """``(name, bytes)`` of the letters to mutate: synthetic text and PDF, and real PDFs."""
    out: list[tuple[str, bytes]] = []
    for seed in range(6):
        letter = generate_letter(seed)
        out.append((f"synthetic-{seed}.txt", render_text(letter, "lf")))
        out.append((f"synthetic-{seed}.pdf", render_pdf(letter)))
    if REAL_PDF_DIR.is_dir():
        out += [(p.name, p.read_bytes()) for p in sorted(REAL_PDF_DIR.glob("*.pdf"))]
    return out


def random_ops(rng: random.Random) -> list[Mutation]:
    """One to four random mutations (the test suite's Hypothesis strategy, drawn with ``random``)."""
    return [
        (
            rng.choice(MUTATION_KINDS),
            rng.random(),
            rng.choice([1, 8, 64, 512, 4096, 20000]),
            rng.randrange(len(SEPARATORS)),
        )
        for _ in range(rng.randint(1, 4))
    ]


def main(argv: list[str] | None = None) -> int:
    """Fuzz for ``--minutes``; print the markdown report."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=20.0, help="per-file time limit (s)")
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    srcs = sources()
    codes: collections.Counter[str] = collections.Counter()
    times: list[float] = []
    found: list[tuple[str, str, list[Mutation], float]] = []
    slowest: list[tuple[float, str, list[Mutation], str]] = []
    end = time.monotonic() + args.minutes * 60
    with tempfile.TemporaryDirectory() as tmp, IsolatedExtractor(Settings(extract_timeout_seconds=args.timeout)) as ex:
        while time.monotonic() < end:
            name, data = rng.choice(srcs)
            ops = random_ops(rng)
            path = Path(tmp) / ("f" + Path(name).suffix)
            path.write_bytes(mutate(data, ops))
            t = time.perf_counter()
            rec = ex.extract(path, path.name)
            dt = time.perf_counter() - t
            times.append(dt)
            got = [e.code for e in rec.errors] or [rec.status]
            codes.update(got)
            for c in got:
                if c in FOUND:
                    found.append((c, name, ops, dt))
            slowest = sorted([*slowest, (dt, name, ops, ",".join(got))], reverse=True)[:8]
        restarts = ex.children_started
    print(
        f"Examples: {len(times)} in {args.minutes:g} min (seed {args.seed}, {len(srcs)} source letters, "
        f"per-file limit {args.timeout:g} s); extractor processes started: {restarts}.\n"
    )
    q = statistics.quantiles(times, n=100) if len(times) > 1 else times * 99
    print(
        f"Wall per example: median {statistics.median(times) * 1000:.0f} ms, p99 {q[98] * 1000:.0f} ms, "
        f"max {max(times) * 1000:.0f} ms.\n"
    )
    print("| outcome code | examples |\n|---|---|")
    for c, n in codes.most_common():
        print(f"| `{c}` | {n} |")
    print(
        "\nStopped by the isolation or internal errors:"
        if found
        else "\nNothing stopped by the isolation, no internal error."
    )
    for c, name, ops, dt in found:
        print(f"- `{c}` after {dt:.1f} s: {name} with {ops}")
    print("\nSlowest examples:")
    for dt, name, ops, got in slowest:
        print(f"- {dt:.2f} s ({got}): {name} with {ops}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
