"""Cost of isolated extraction: :class:`pipeline.isolation.IsolatedExtractor` against plain
:func:`imr.extract.extract_file` on the same files, in the same process.

Run ``python -m bench.isolation [--texts 200 --pdfs 30 --rounds 3]``. Prints a markdown table:
milliseconds per file (wall and CPU of the measuring process; the child's CPU is read from
``RUSAGE_CHILDREN`` after it exits), the ratio isolated/plain (the goal: within 2.5x for text
letters), and the child's start-up time. Records are checked identical.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path

from imr.extract import extract_file
from imr.settings import Settings
from imr.synth.corpus import write_corpus
from pipeline.isolation import IsolatedExtractor


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def measure(files: list[Path], rounds: int) -> dict[str, float]:
    """Best-of-``rounds`` ms/file plain and isolated (wall), and the isolated CPU (parent + child)."""
    for f in files[:3]:
        extract_file(f, f.name)
    plain, iso, iso_cpu, startup = [], [], [], []
    for _ in range(rounds):
        t = time.perf_counter()
        want = [extract_file(f, f.name).to_dict() for f in files]
        plain.append((time.perf_counter() - t) / len(files) * 1000)
        c0, p0 = _children_cpu(), time.process_time()
        with IsolatedExtractor(Settings()) as ex:
            t = time.perf_counter()
            ex.extract(files[0], files[0].name)
            startup.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            got = [ex.extract(f, f.name).to_dict() for f in files]
            iso.append((time.perf_counter() - t) / len(files) * 1000)
        iso_cpu.append((_children_cpu() - c0 + time.process_time() - p0) / len(files) * 1000)
        assert got == want, "isolated records differ from plain ones"
    return {
        "plain_ms": min(plain),
        "isolated_ms": min(iso),
        "ratio": min(iso) / min(plain),
        "isolated_cpu_ms": statistics.median(iso_cpu),
        "startup_ms": statistics.median(startup),
    }


def main(argv: list[str] | None = None) -> int:
    """Write the corpora, measure, print the markdown table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--texts", type=int, default=200)
    ap.add_argument("--pdfs", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        texts = write_corpus(Path(tmp) / "t", args.texts, seed=11, formats=("txt",), bad=False)
        pdfs = write_corpus(Path(tmp) / "p", args.pdfs, seed=12, formats=("pdf",), bad=False)
        rows = [("text letters", len(texts), measure(texts, args.rounds))]
        rows.append(("PDF letters", len(pdfs), measure(pdfs, args.rounds)))
    print(
        "| files | n | plain ms/file | isolated ms/file | ratio | isolated CPU ms/file (both) | child start-up ms |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, n, m in rows:
        print(
            f"| {name} | {n} | {m['plain_ms']:.2f} | {m['isolated_ms']:.2f} | {m['ratio']:.2f}x | "
            f"{m['isolated_cpu_ms']:.2f} | {m['startup_ms']:.0f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
