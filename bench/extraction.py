"""Extraction benchmark: throughput, PDF engine cost per page, engine identity, memory, start-up.

Run ``python -m bench.extraction`` (full, a few minutes) or ``python -m bench.extraction --quick``
(subsets, under a minute). It prints a markdown report on stdout (``--out FILE`` also writes it)
and progress on stderr.

What is measured, on this machine:

* text letters per second on one core (in-process ``extract_file`` over a synthetic text corpus
  plus the seed letters), and through the CLI with ``--jobs 1`` and ``--jobs 2``;
* PDF milliseconds per page: (a) the pdfplumber floor (``pdfplumber.open`` +
  ``page.extract_text()``), (b) the pipeline with ``pdf_engine="pdfplumber"``, (c) the pypdfium2
  floor (``PdfDocument`` + ``get_text_range()``), (d) the pipeline with ``"pdfium"``,
  (e) ``"auto"``; on the real corpus and on synthetic PDFs, with the overheads (b)/(a) and (d)/(c);
* whether the ``pdfium`` and ``pdfplumber`` records are identical for every PDF;
* peak RSS of the process that extracted each corpus (every measurement runs in a fresh spawned
  process, so ``ru_maxrss`` belongs to that measurement alone);
* CLI start-up time and which heavy packages the extract path imports;
* a projection for a year of letters at the measured two-core rate of the ``auto`` engine.

``python -m bench.extraction --blank-pages`` measures only what issue 18 asked: ``imr extract`` on
the real PDFs against the bare PDFium text floor (both as fresh processes), with OCR on, with OCR
on and the ``tesseract`` program hidden from ``PATH``, and with ``--ocr off``; how many times
Tesseract ran (a counting ``tesseract`` shim first on ``PATH``); whether the records are the same
in all three; and the same on synthetic letters with a dusty blank scanned page appended.

Wall time is ``time.perf_counter``; CPU time (``time.process_time`` in the measuring process,
``RUSAGE_CHILDREN`` for CLI runs) is reported beside it because other work on a shared machine
inflates wall time much more than CPU time. Each measuring process warms up on one file first.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.metadata
import json
import multiprocessing
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REAL_PDF_DIR = Path(os.environ.get("IMR_BENCH_REAL_PDF", "/work/shared/corpus/real/pdf"))
SEEDS_DIR = Path(os.environ.get("IMR_BENCH_SEEDS", "/work/shared/corpus/seeds"))

#: a year of letters, and pages per letter as in the real corpus (168 pages / 65 letters)
YEAR_LETTERS = 175_000
PAGES_PER_LETTER = 2.6
#: the goal for pipeline cost on top of the bare text-extraction floor
OVERHEAD_GOAL_PCT = 25.0
#: packages the extract path must not import
FORBIDDEN = ("prefect", "great_expectations")
#: other heavy packages whose presence after an extract run is reported
HEAVY = ("prefect", "great_expectations", "sqlalchemy", "alembic", "pandas", "fastapi", "uvicorn", "pyarrow")


@dataclass(frozen=True)
class Plan:
    """Sizes and repetitions of one benchmark run."""

    quick: bool
    text_letters: int
    synthetic_pdfs: int
    real_limit: int | None
    repeats: int
    cli_repeats: int
    startup_repeats: int
    #: the CLI PDF throughput runs get the real PDFs this many times, so start-up weighs less
    cli_copies: int


def make_plan(quick: bool, text_letters: int | None, synthetic_pdfs: int | None) -> Plan:
    """The full plan, or the ``--quick`` one (small subsets, single runs)."""
    if quick:
        return Plan(True, text_letters or 100, synthetic_pdfs or 8, 8, 1, 1, 3, 1)
    return Plan(False, text_letters or 500, synthetic_pdfs or 100, None, 3, 2, 5, 2)


# --------------------------------------------------------------------------- measuring processes


def _rss_kb() -> int:
    """This process's RSS high-water mark in KB.

    ``VmHWM`` from ``/proc/self/status`` (reset by exec); ``ru_maxrss`` is the fallback, but on
    Linux it carries over the parent's RSS across fork+exec, which would hide a small child's peak.
    """
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _run_kind(kind: str, files: Sequence[str], keep: list[Any] | None) -> int:
    """One pass of ``kind`` over ``files``; returns the page count (0 for text letters)."""
    pages = 0
    if kind == "floor-pdfplumber":
        import pdfplumber

        for f in files:
            with pdfplumber.open(f, password="") as pdf:
                for page in pdf.pages:
                    page.extract_text()
                    pages += 1
    elif kind == "floor-pdfium":
        from bench.pdfium_floor import read_text

        pages = read_text(files)
    elif kind.startswith("pipeline-"):
        from imr.extract.entry import extract_file

        engine = kind.removeprefix("pipeline-")
        for f in files:
            rec = extract_file(f, pdf_engine=engine)
            pages += rec.source.pages or 0
            if keep is not None:
                keep.append(rec)
    else:
        raise ValueError(f"unknown kind {kind!r}")
    return pages


def measure_worker(kind: str, files: list[str], repeats: int) -> dict[str, Any]:
    """Runs in a fresh process: warm up on one file, then time ``repeats`` passes over ``files``.

    Returns wall and CPU seconds per pass, pages, the records of the first pass as dicts (pipeline
    kinds only) and the process's RSS high-water mark before warm-up, after it and at the end (KB).
    """
    rss_start = _rss_kb()
    _run_kind(kind, files[:1], None)
    rss_warm = _rss_kb()
    walls: list[float] = []
    cpus: list[float] = []
    pages = 0
    kept: list[Any] = []
    for r in range(repeats):
        keep = kept if r == 0 and kind.startswith("pipeline-") else None
        c0, t0 = time.process_time(), time.perf_counter()
        pages = _run_kind(kind, files, keep)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    records = [rec.to_dict() for rec in kept] if kept else None
    return {
        "kind": kind,
        "walls": walls,
        "cpus": cpus,
        "pages": pages,
        "files": len(files),
        "records": records,
        "rss_start_kb": rss_start,
        "rss_warm_kb": rss_warm,
        "rss_peak_kb": _rss_kb(),
    }


@dataclass
class Measured:
    """One measurement (a kind over a corpus) as reported."""

    label: str
    corpus: str
    files: int
    pages: int
    walls: list[float]
    cpus: list[float]
    rss_peak_mb: float | None = None
    records: list[dict[str, Any]] | None = None
    note: str = ""

    @property
    def wall(self) -> float:
        """Median wall seconds of a pass."""
        return statistics.median(self.walls)

    @property
    def cpu(self) -> float:
        """Median CPU seconds of a pass."""
        return statistics.median(self.cpus)

    def ms_per_page(self, cpu: bool = False) -> float:
        """Median milliseconds per page (wall, or CPU)."""
        return 1000.0 * (self.cpu if cpu else self.wall) / max(self.pages, 1)


def measure(label: str, corpus: str, kind: str, files: Sequence[str], repeats: int) -> Measured:
    """Run :func:`measure_worker` in a fresh spawned process and wrap its result."""
    _log(f"{label} on {corpus}: {len(files)} files x {repeats}")
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as ex:
        res = ex.submit(measure_worker, kind, list(files), repeats).result()
    return Measured(
        label=label,
        corpus=corpus,
        files=res["files"],
        pages=res["pages"],
        walls=res["walls"],
        cpus=res["cpus"],
        rss_peak_mb=res["rss_peak_kb"] / 1024.0,
        records=res["records"],
    )


# --------------------------------------------------------------------------- subprocesses


def imr_command() -> list[str]:
    """The ``imr`` console script next to this interpreter, else ``python -m imr.cli``."""
    script = Path(sys.executable).parent / "imr"
    return [str(script)] if script.exists() else [sys.executable, "-m", "imr.cli"]


def run_timed(cmd: Sequence[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Run ``cmd`` (in ``env``, else this environment); returns wall seconds, CPU seconds of it
    and its children, and its stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(list(cmd), capture_output=True, text=True, check=False, env=env)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])}... exited {proc.returncode}: {proc.stderr[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc.stdout


def measure_cli(label: str, corpus: str, paths: Sequence[str], args: Sequence[str], repeats: int) -> Measured:
    """Time ``imr extract PATHS ARGS`` (``repeats`` runs after one warm-up run); checks the output."""
    _log(f"{label} on {corpus}: x {repeats}")
    cmd = [*imr_command(), "extract", *paths, *args]
    _, _, out = run_timed(cmd)  # warm-up (page cache, .pyc)
    records = [json.loads(line) for line in out.splitlines() if line.strip()]
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(repeats):
        wall, cpu, _ = run_timed(cmd)
        walls.append(wall)
        cpus.append(cpu)
    pages = sum((r.get("source") or {}).get("pages") or 0 for r in records)
    return Measured(label, corpus, len(records), pages, walls, cpus, records=records)


IMPORT_CHECK = r"""
import contextlib, io, json, sys
from imr.cli import main
buf = io.StringIO()
with contextlib.redirect_stdout(buf):
    rc = main(["extract", *sys.argv[1:]])
heavy = json.loads(HEAVY)
print(json.dumps({"rc": rc, "records": len(buf.getvalue().splitlines()),
                  "loaded": sorted(m for m in heavy if m in sys.modules), "modules": len(sys.modules)}))
"""


@dataclass
class StartupResult:
    """CLI start-up times and the import check of the extract path."""

    python_bare_s: float
    help_s: float
    txt_s: float
    txt_engine_s: float
    pdf_s: float | None
    loaded: list[str]
    modules: int
    records: int
    top_imports: list[tuple[str, float]] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """True when none of :data:`FORBIDDEN` was imported."""
        return not any(m in self.loaded for m in FORBIDDEN)


def median_wall(cmd: Sequence[str], n: int) -> float:
    """Median wall seconds of ``n`` runs of ``cmd`` (after one warm-up run)."""
    run_timed(cmd)
    return statistics.median(run_timed(cmd)[0] for _ in range(n))


def measure_startup(txt: str, pdf: str | None, n: int) -> StartupResult:
    """Start-up wall times (median of ``n``) and the heavy-import check in a fresh interpreter."""
    _log("start-up and imports")
    imr = imr_command()
    bare = median_wall([sys.executable, "-c", "pass"], n)
    help_s = median_wall([*imr, "extract", "--help"], n)
    txt_s = median_wall([*imr, "extract", txt], n)
    txt_engine_s = median_wall([*imr, "extract", txt, "--pdf-engine", "auto"], n)
    pdf_s = median_wall([*imr, "extract", pdf], n) if pdf else None
    code = IMPORT_CHECK.replace("HEAVY", repr(json.dumps(list(HEAVY))))
    inputs = [txt] + ([pdf] if pdf else [])
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code, *inputs], capture_output=True, text=True, check=True
    )
    info = json.loads(proc.stdout.strip().splitlines()[-1])
    return StartupResult(
        python_bare_s=bare,
        help_s=help_s,
        txt_s=txt_s,
        txt_engine_s=txt_engine_s,
        pdf_s=pdf_s,
        loaded=info["loaded"],
        modules=info["modules"],
        records=info["records"],
        top_imports=top_level_imports(proc.stderr, 6),
    )


_IMPORTTIME = re.compile(r"^import time:\s+(\d+)\s*\|\s*(\d+)\s*\|(\s*)(\S+)")


def top_level_imports(stderr: str, n: int) -> list[tuple[str, float]]:
    """The ``n`` slowest top-level imports (cumulative ms) from ``-X importtime`` output."""
    found: list[tuple[str, float]] = []
    for line in stderr.splitlines():
        m = _IMPORTTIME.match(line)
        if m and len(m.group(3)) <= 1:
            found.append((m.group(4), int(m.group(2)) / 1000.0))
    return sorted(found, key=lambda kv: -kv[1])[:n]


def profile_hotspots(corpus: str, files: Sequence[str], engine: str, top: int = 12) -> str:
    """cProfile one in-process pass of the pipeline over ``files``: the functions with the largest
    cumulative time, as a markdown table (profiling overhead inflates absolute times)."""
    import cProfile
    import pstats

    from imr.extract.entry import extract_file

    _log(f"profiling {engine} on {corpus}")
    extract_file(files[0], pdf_engine=engine)
    prof = cProfile.Profile()
    prof.enable()
    for f in files:
        extract_file(f, pdf_engine=engine)
    prof.disable()
    stats: dict[Any, Any] = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    total = max((ct for (_, _, _, ct, _) in stats.values()), default=0.0)
    rows: list[tuple[float, float, int, str]] = []
    for (filename, line, func), (_, ncalls, tottime, cumtime, _) in stats.items():
        where = filename.split("site-packages/")[-1] if "site-packages/" in filename else filename
        if "/imr/" in filename:
            where = "imr/" + filename.split("/imr/", 1)[1]
        elif "site-packages/" not in filename:
            continue
        if where.startswith(("imr/extract/pipeline.py",)) and func in ("extract_file", "extract_bytes", "_extract"):
            continue
        rows.append((cumtime, tottime, ncalls, f"`{where}:{line}({func})`"))
    rows.sort(reverse=True)
    lines = [
        f"{corpus}, engine `{engine}`, {len(files)} files, {total:.2f} s under the profiler:\n",
        "| Function | Calls | Own s | Cumulative s | Share |",
        "|---|---:|---:|---:|---:|",
    ]
    for cum, own, calls, name in rows[:top]:
        lines.append(f"| {name} | {calls:,} | {own:.2f} | {cum:.2f} | {100 * cum / total:.0f}% |")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- machine


def machine_info() -> dict[str, str]:
    """CPU, RAM, Python and library versions of this machine."""
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = "unknown"
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    with contextlib.suppress(OSError):
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        if limit != "max":
            ram += f" (cgroup limit {int(limit) / 1024**3:.1f} GiB)"
    nproc = subprocess.run(["nproc"], capture_output=True, text=True, check=False).stdout.strip()
    info = {
        "nproc": nproc or str(len(os.sched_getaffinity(0))),
        "CPU": cpu,
        "RAM": ram,
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
    }
    for dist in ("imr-etl", "pdfplumber", "pdfminer.six", "pypdfium2"):
        try:
            info[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            info[dist] = "not installed"
    with contextlib.suppress(Exception):
        import pypdfium2.version as pv

        info["PDFium"] = str(pv.PDFIUM_INFO)
    return info


def load_avg() -> str:
    """The 1/5/15-minute load averages."""
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


# --------------------------------------------------------------------------- corpora and checks


@dataclass
class Corpora:
    """Input file lists for one run."""

    texts: list[str]
    text_dir: str
    synthetic_pdfs: list[str]
    synthetic_pdf_dir: str
    real_pdfs: list[str]
    real_note: str


def build_corpora(tmp: Path, plan: Plan) -> Corpora:
    """Generate the synthetic corpora (and copy the seeds into the text folder); list the real PDFs."""
    from imr.synth.corpus import write_corpus

    _log(f"generating {plan.text_letters} text and {plan.synthetic_pdfs} PDF letters")
    text_dir = tmp / "txt"
    write_corpus(text_dir, plan.text_letters, seed=20261123, formats=("txt",), bad=False)
    seeds = sorted(SEEDS_DIR.glob("*.txt")) if SEEDS_DIR.is_dir() else []
    for s in seeds:
        shutil.copy(s, text_dir / f"seed_{s.name}")
    pdf_dir = tmp / "pdf"
    write_corpus(pdf_dir, plan.synthetic_pdfs, seed=1123, formats=("pdf",), bad=False)
    real = sorted(str(p) for p in REAL_PDF_DIR.glob("*.pdf")) if REAL_PDF_DIR.is_dir() else []
    if not real:
        note = f"skipped: {REAL_PDF_DIR} is absent"
    elif plan.real_limit is not None and len(real) > plan.real_limit:
        real = real[: plan.real_limit]
        note = f"first {plan.real_limit} files (--quick)"
    else:
        note = "all files"
    return Corpora(
        texts=sorted(str(p) for p in text_dir.glob("*.txt")),
        text_dir=str(text_dir),
        synthetic_pdfs=sorted(str(p) for p in pdf_dir.glob("*.pdf")),
        synthetic_pdf_dir=str(pdf_dir),
        real_pdfs=real,
        real_note=note,
    )


def _diff_keys(a: Any, b: Any, prefix: str = "", depth: int = 2) -> Iterator[str]:
    """Key paths (never values) where two records differ, down to ``depth`` levels."""
    if isinstance(a, dict) and isinstance(b, dict) and depth > 0:
        for k in sorted(set(a) | set(b)):
            if a.get(k) != b.get(k):
                yield from _diff_keys(a.get(k), b.get(k), f"{prefix}.{k}" if prefix else k, depth - 1)
    elif a != b:
        yield prefix or "<record>"


@dataclass
class Identity:
    """Whether the pdfium and pdfplumber records agree for one corpus."""

    corpus: str
    total: int
    identical: int
    differing: list[tuple[str, list[str]]]
    pdfium_not_parsed: int


def identity(corpus: str, files: Sequence[str], pdfium: Measured, plumber: Measured) -> Identity:
    """Compare ``to_dict()`` of the records of both engines file by file."""
    a = pdfium.records or []
    b = plumber.records or []
    differing = [(Path(f).name, list(_diff_keys(x, y))) for f, x, y in zip(files, a, b, strict=True) if x != y]
    return Identity(
        corpus=corpus,
        total=len(files),
        identical=len(files) - len(differing),
        differing=differing,
        pdfium_not_parsed=sum(1 for r in a if r.get("status") != "parsed"),
    )


# --------------------------------------------------------------------------- report


def _fmt(x: float | None, digits: int = 1) -> str:
    return "–" if x is None else f"{x:,.{digits}f}"


def _pct(num: float, den: float) -> float:
    return 100.0 * (num - den) / den if den else float("nan")


@dataclass
class Report:
    """Everything measured in one run, rendered as markdown by :meth:`markdown`."""

    plan: Plan
    machine: dict[str, str]
    command: str
    load_start: str
    load_end: str = ""
    elapsed_s: float = 0.0
    text_rows: list[Measured] = field(default_factory=list)
    pdf_rows: dict[str, dict[str, Measured]] = field(default_factory=dict)
    cli_pdf: list[Measured] = field(default_factory=list)
    identities: list[Identity] = field(default_factory=list)
    startup: StartupResult | None = None
    notes: list[str] = field(default_factory=list)
    load_during: str = ""
    profiles: list[str] = field(default_factory=list)

    def markdown(self) -> str:
        """The report as markdown."""
        out: list[str] = []
        w = out.append
        w(f"# Extraction benchmark ({'quick' if self.plan.quick else 'full'} run)\n")
        w(f"Command: `{self.command}`  ")
        w(
            f"Date: {dt.date.today().isoformat()}; run took {self.elapsed_s:.0f} s; "
            f"load average (1/5/15 min) at start {self.load_start}, at end {self.load_end}; "
            f"1-min load sampled at each step: {self.load_during or '–'}.\n"
        )
        w("## Machine\n")
        w("| | |\n|---|---|")
        for k, v in self.machine.items():
            w(f"| {k} | {v} |")
        w("")
        w("## Text letters\n")
        w("| Measure | Letters | Runs | Wall s (median) | Letters/s | Letters/s per core | CPU s | Peak RSS MB |")
        w("|---|---:|---:|---:|---:|---:|---:|---:|")
        for m in self.text_rows:
            cores = 2 if "jobs 2" in m.label else 1
            rate = m.files / m.wall
            w(
                f"| {m.label} | {m.files} | {len(m.walls)} | {m.wall:.2f} | {rate:.0f} | {rate / cores:.0f} | "
                f"{m.cpu:.2f} | {_fmt(m.rss_peak_mb)} |"
            )
        w("")
        w("## PDF milliseconds per page\n")
        w(
            "| Measure | Corpus | Files | Pages | Runs | Wall s (median) | ms/page wall | ms/page CPU | "
            "ms/letter wall | Peak RSS MB |"
        )
        w("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for corpus, rows in self.pdf_rows.items():
            for m in rows.values():
                w(
                    f"| {m.label} | {corpus} | {m.files} | {m.pages} | {len(m.walls)} | {m.wall:.2f} | "
                    f"{m.ms_per_page():.1f} | {m.ms_per_page(True):.1f} | {1000 * m.wall / max(m.files, 1):.0f} | "
                    f"{_fmt(m.rss_peak_mb)} |"
                )
        for m in self.cli_pdf:
            w(
                f"| {m.label} | real | {m.files} | {m.pages} | {len(m.walls)} | {m.wall:.2f} | "
                f"{m.ms_per_page():.1f} | {m.ms_per_page(True):.1f} | {1000 * m.wall / max(m.files, 1):.0f} | – |"
            )
        w("")
        w(
            "CLI rows include interpreter start-up and, for `--jobs 2`, the process pool; their CPU time is "
            "summed over all processes. Peak RSS is the high-water mark of the process that ran that row.\n"
        )
        w("### Pipeline overhead over the bare text-extraction floor\n")
        w(
            "| Corpus | (b) pdfplumber pipeline over (a) floor, wall | CPU | (d) pdfium pipeline over (c) floor, "
            "wall | CPU | goal |"
        )
        w("|---|---:|---:|---:|---:|---|")
        for corpus, rows in self.pdf_rows.items():
            a, b, c, d = (rows.get(k) for k in "abcd")
            if not (a and b and c and d):
                continue
            w(
                f"| {corpus} | {_pct(b.wall, a.wall):+.0f}% | {_pct(b.cpu, a.cpu):+.0f}% | "
                f"{_pct(d.wall, c.wall):+.0f}% | {_pct(d.cpu, c.cpu):+.0f}% | ≤ +{OVERHEAD_GOAL_PCT:.0f}% |"
            )
        w("")
        w("## Engine identity (pdfium vs pdfplumber records, `to_dict()` equality)\n")
        w("| Corpus | PDFs | Identical | Differing | pdfium not parsed (auto falls back) |")
        w("|---|---:|---:|---:|---:|")
        for ident in self.identities:
            w(
                f"| {ident.corpus} | {ident.total} | {ident.identical} | {len(ident.differing)} | "
                f"{ident.pdfium_not_parsed} |"
            )
        for ident in self.identities:
            for name, keys in ident.differing:
                w(f"- {ident.corpus}: `{name}` differs in {', '.join(keys)}")
        w("")
        if self.startup:
            s = self.startup
            w("## Start-up and imports\n")
            w("| Command | Wall ms (median) |\n|---|---:|")
            w(f"| `python -c pass` | {1000 * s.python_bare_s:.0f} |")
            w(f"| `imr extract --help` | {1000 * s.help_s:.0f} |")
            w(f"| `imr extract one.txt` (engine from settings) | {1000 * s.txt_s:.0f} |")
            w(f"| `imr extract one.txt --pdf-engine auto` (settings not imported) | {1000 * s.txt_engine_s:.0f} |")
            if s.pdf_s is not None:
                w(f"| `imr extract one.pdf` (auto) | {1000 * s.pdf_s:.0f} |")
            w("")
            verdict = "imports neither" if s.clean else "IMPORTS"
            w(
                f"Extract path ({s.records} files, default engine) {verdict} "
                f"{' nor '.join(FORBIDDEN)}; heavy packages loaded: {', '.join(s.loaded) or 'none'} "
                f"(checked: {', '.join(HEAVY)}); {s.modules} modules in sys.modules.  "
            )
            w(
                "Slowest top-level imports (`-X importtime`, cumulative ms): "
                + ", ".join(f"{n} {ms:.0f}" for n, ms in s.top_imports)
                + "\n"
            )
        proj = self.projection()
        if proj:
            w("## Projection: a year of letters\n")
            w(proj + "\n")
        if self.profiles:
            w("## Profile (cProfile, in-process, one pass)\n")
            out.extend(self.profiles)
        if self.notes:
            w("## Notes\n")
            out.extend(f"- {n}" for n in self.notes)
            w("")
        return "\n".join(out)

    def projection(self) -> str:
        """A year of letters at the measured two-core rate of the auto engine."""
        two = next((m for m in self.cli_pdf if "jobs 2" in m.label), None)
        auto = self.pdf_rows.get("real", {}).get("e") or self.pdf_rows.get("synthetic", {}).get("e")
        if two is None and auto is None:
            return ""
        pages = YEAR_LETTERS * PAGES_PER_LETTER
        lines = [f"{YEAR_LETTERS:,} letters × {PAGES_PER_LETTER} pages = {pages:,.0f} pages, engine `auto`:"]
        if two is not None:
            s = pages * two.wall / max(two.pages, 1)
            lines.append(
                f"- measured `imr extract --jobs 2` rate ({two.ms_per_page():.1f} ms/page wall on 2 "
                f"cores): **{s / 3600:.1f} h**"
            )
        if auto is not None:
            s = pages * auto.wall / max(auto.pages, 1) / 2
            lines.append(
                f"- one-process rate ({auto.ms_per_page():.1f} ms/page, {auto.corpus}) halved for ideal "
                f"2-core scaling: {s / 3600:.1f} h"
            )
            s = pages * auto.cpu / max(auto.pages, 1) / 2
            lines.append(
                f"- same from CPU time ({auto.ms_per_page(True):.1f} ms/page CPU) on 2 idle cores: {s / 3600:.1f} h"
            )
        return "\n".join(lines)


# --------------------------------------------------------------------------- main


_LOADS: list[float] = []


def _log(msg: str) -> None:
    _LOADS.append(os.getloadavg()[0])
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


PDF_KINDS: tuple[tuple[str, str, str, bool], ...] = (
    # (key, label, kind, expensive)
    ("a", "(a) pdfplumber floor", "floor-pdfplumber", True),
    ("b", "(b) pipeline pdfplumber", "pipeline-pdfplumber", True),
    ("c", "(c) pypdfium2 floor", "floor-pdfium", False),
    ("d", "(d) pipeline pdfium", "pipeline-pdfium", False),
    ("e", "(e) pipeline auto", "pipeline-auto", False),
)


def run(plan: Plan, command: str, profile: bool = False) -> Report:
    """Run every measurement of ``plan`` and return the report."""
    t_start = time.perf_counter()
    report = Report(plan=plan, machine=machine_info(), command=command, load_start=load_avg())
    with tempfile.TemporaryDirectory(prefix="imr-bench-") as tmp:
        corp = build_corpora(Path(tmp), plan)
        n_seeds = sum(1 for t in corp.texts if Path(t).name.startswith("seed_"))
        report.notes.append(
            f"Text corpus: {len(corp.texts)} letters ({plan.text_letters} synthetic + {n_seeds} seeds); "
            f"synthetic PDFs: {len(corp.synthetic_pdfs)} letters from `write_corpus(..., formats=('pdf',))`; "
            f"real PDFs: {len(corp.real_pdfs)} ({corp.real_note})."
        )
        report.text_rows.append(
            measure("pipeline, in-process (1 core)", "text", "pipeline-auto", corp.texts, plan.repeats)
        )
        for jobs in (1, 2):
            m = measure_cli(
                f"`imr extract DIR --jobs {jobs}`",
                "text",
                [corp.text_dir],
                ["--jobs", str(jobs)],
                plan.cli_repeats,
            )
            if m.files != len(corp.texts):
                report.notes.append(f"CLI --jobs {jobs} printed {m.files} records for {len(corp.texts)} files")
            report.text_rows.append(m)

        sets = [("real", corp.real_pdfs), ("synthetic", corp.synthetic_pdfs)]
        for corpus, files in sets:
            if not files:
                report.notes.append(f"{corpus} PDFs: {corp.real_note}")
                continue
            rows: dict[str, Measured] = {}
            for key, label, kind, expensive in PDF_KINDS:
                rows[key] = measure(label, corpus, kind, files, 1 if expensive else plan.repeats)
            report.pdf_rows[corpus] = rows
            report.identities.append(identity(corpus, files, rows["d"], rows["b"]))
        if corp.real_pdfs:
            for jobs in (1, 2):
                report.cli_pdf.append(
                    measure_cli(
                        f"(e) `imr extract DIR --jobs {jobs} --pdf-engine auto`",
                        "real",
                        corp.real_pdfs * plan.cli_copies,
                        ["--jobs", str(jobs), "--pdf-engine", "auto"],
                        plan.cli_repeats,
                    )
                )
        txt = next((t for t in corp.texts if Path(t).name.startswith("seed_")), corp.texts[0])
        any_pdfs = corp.real_pdfs or corp.synthetic_pdfs
        pdf = any_pdfs[0] if any_pdfs else None
        report.startup = measure_startup(txt, pdf, plan.startup_repeats)
        if profile:
            pdfs = corp.real_pdfs or corp.synthetic_pdfs
            report.profiles.append(profile_hotspots("text", corp.texts, "auto"))
            if pdfs:
                report.profiles.append(profile_hotspots("PDF", pdfs, "pdfium"))
    report.load_end = load_avg()
    if _LOADS:
        report.load_during = f"{min(_LOADS):.2f}–{max(_LOADS):.2f}"
    report.elapsed_s = time.perf_counter() - t_start
    report.notes.append(
        "Expensive rows (a), (b) run once per corpus; the others are medians of "
        f"{plan.repeats} passes; each row ran in its own freshly spawned process after a one-file warm-up. "
        f"CLI rows are medians of {plan.cli_repeats} runs after a warm-up run, the PDF ones with the real PDFs "
        f"listed {plan.cli_copies} time(s) so that one start-up weighs less."
    )
    return report


# --------------------------------------------------------------------------- issue 18: blank pages

#: the bare PDFium floor as a fresh process (it imports pypdfium2 and nothing else)
FLOOR_SCRIPT = Path(__file__).with_name("pdfium_floor.py")

SHIM = """#!/bin/sh
echo run >> "{count}"
exec "{real}" "$@"
"""


def path_without(program: str, path: str | None = None) -> str:
    """``PATH`` (or ``path``) without the folders that hold ``program``."""
    dirs = (path if path is not None else os.environ.get("PATH", "")).split(os.pathsep)
    return os.pathsep.join(d for d in dirs if d and not (Path(d) / program).exists())


def counting_shim(folder: Path, real: str) -> Path:
    """A ``tesseract`` in ``folder`` that counts its runs in ``folder/runs`` and runs ``real``."""
    folder.mkdir(parents=True, exist_ok=True)
    shim = folder / "tesseract"
    shim.write_text(SHIM.format(count=folder / "runs", real=real), encoding="utf-8")
    shim.chmod(0o755)
    (folder / "runs").unlink(missing_ok=True)
    return folder / "runs"


def with_blank_scan(data: bytes, seed: int) -> bytes:
    """``data`` (a PDF) with a scanned blank page appended: an image-only page of dust (the
    scanner's speckle, blur and JPEG on white paper), as a duplex back side comes out."""
    import io

    import pypdfium2 as pdfium
    from PIL import Image

    from imr.synth.scanned import ScanOptions, degrade, images_to_pdf

    opts = ScanOptions()
    blank = degrade(Image.new("L", (int(8.5 * opts.dpi), 11 * opts.dpi), 255), random.Random(seed), opts)
    pdf = pdfium.PdfDocument(data, password="")
    extra = pdfium.PdfDocument(images_to_pdf([blank], opts.dpi))
    try:
        pdf.import_pages(extra)
        buf = io.BytesIO()
        pdf.save(buf)
        return buf.getvalue()
    finally:
        extra.close()
        pdf.close()


@dataclass
class BlankRow:
    """One ``imr extract`` run (or the floor) in the blank-pages measurement."""

    label: str
    corpus: str
    walls: list[float]
    cpus: list[float]
    tesseract_runs: int | None = None
    ocr_letters: int | None = None
    statuses: str = ""
    same_as_off: bool | None = None


def _blank_pages_corpus(tmp: Path, letters: int) -> list[str]:
    """``letters`` synthetic born-digital letters, each with a dusty blank scanned page appended."""
    from imr.synth.content import HardCases
    from imr.synth.generator import generate_letter
    from imr.synth.pdf_render import PdfOptions, render_pdf_counted

    out = tmp / "blank-last-page"
    out.mkdir()
    files = []
    for i in range(letters):
        letter = generate_letter(1800 + i, hard=HardCases.none())
        born, _ = render_pdf_counted(letter, PdfOptions(footer=i % 2 == 0))
        path = out / f"synthetic_{i:03d}.pdf"
        path.write_bytes(with_blank_scan(born, seed=i))
        files.append(str(path))
    return files


def measure_blank_pages(files: Sequence[str], corpus: str, repeats: int, tmp: Path) -> list[BlankRow]:
    """The floor and ``imr extract`` with OCR on, OCR on without tesseract, and OCR off, over ``files``."""
    base = {k: v for k, v in os.environ.items() if k != "IMR_OCR"}
    imr = [*imr_command(), "extract", *files, "--pdf-engine", "auto"]
    runs = [
        ("bare PDFium text (`PdfDocument` + `get_text_range`)", [sys.executable, str(FLOOR_SCRIPT), *files], base),
        ("`imr extract --ocr auto`", [*imr, "--ocr", "auto"], base),
        ("`imr extract --ocr auto`, tesseract hidden from PATH", [*imr, "--ocr", "auto"],
         {**base, "PATH": path_without("tesseract")}),
        ("`imr extract --ocr off`", [*imr, "--ocr", "off"], base),
    ]  # fmt: skip
    rows: list[BlankRow] = []
    outs: list[str] = []
    for label, cmd, env in runs:
        _log(f"{label} on {corpus}: {len(files)} files x {repeats}")
        _, _, out = run_timed(cmd, env)  # warm-up (page cache, .pyc)
        timed = [run_timed(cmd, env) for _ in range(repeats)]
        row = BlankRow(label, corpus, [t[0] for t in timed], [t[1] for t in timed])
        if cmd[0] != sys.executable:
            records = [json.loads(line) for line in out.splitlines() if line.strip()]
            row.ocr_letters = sum(1 for r in records if r["source"]["ocr"])
            codes = [r["errors"][0]["code"] if r["status"] != "parsed" else "parsed" for r in records]
            row.statuses = ", ".join(f"{c} {n}" for c, n in sorted(Counter(codes).items()))
            real = shutil.which("tesseract", path=env["PATH"])
            row.tesseract_runs = 0
            if real is not None and "--ocr" in cmd and cmd[-1] == "auto":
                count = counting_shim(tmp / f"shim-{corpus}", real)
                run_timed(cmd, {**env, "PATH": f"{count.parent}{os.pathsep}{env['PATH']}"})
                row.tesseract_runs = len(count.read_text().splitlines()) if count.exists() else 0
        rows.append(row)
        outs.append(out)
    for row, out in zip(rows[1:], outs[1:], strict=True):
        row.same_as_off = out == outs[-1]
    return rows


def blank_pages_markdown(rows: Sequence[BlankRow], machine: dict[str, str], command: str, load: str) -> str:
    """The blank-pages measurement as a markdown section."""
    out = [
        f"Command: `{command}`; {dt.date.today().isoformat()}; {machine['nproc']} cores ({machine['CPU']}), "
        f"Python {machine['Python']}, pypdfium2 {machine['pypdfium2']}; load average at start / end {load}.\n",
        "| Corpus | Measure | Runs | Wall s (median) | CPU s (median) | × floor wall | × floor CPU | "
        "tesseract runs | letters `source.ocr` | statuses | same records as `--ocr off` |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    floors = {r.corpus: r for r in rows if r.label.startswith("bare")}
    for r in rows:
        f = floors[r.corpus]
        wall, cpu = statistics.median(r.walls), statistics.median(r.cpus)
        fw, fc = statistics.median(f.walls), statistics.median(f.cpus)
        same = "–" if r.same_as_off is None else ("yes" if r.same_as_off else "**no**")
        out.append(
            f"| {r.corpus} | {r.label} | {len(r.walls)} | {wall:.2f} | {cpu:.2f} | {wall / fw:.1f}× | "
            f"{cpu / fc:.1f}× | {_fmt(r.tesseract_runs, 0)} | {_fmt(r.ocr_letters, 0)} | {r.statuses or '–'} | {same} |"
        )
    return "\n".join(out) + "\n"


def run_blank_pages(repeats: int, synthetic: int, command: str) -> str:
    """The issue-18 measurement on the real PDFs (and ``synthetic`` letters with a blank scanned page)."""
    load = load_avg()
    machine = machine_info()
    rows: list[BlankRow] = []
    with tempfile.TemporaryDirectory(prefix="imr-bench-blank-") as tmp:
        real = sorted(str(p) for p in REAL_PDF_DIR.glob("*.pdf")) if REAL_PDF_DIR.is_dir() else []
        if real:
            rows += measure_blank_pages(real, "real", repeats, Path(tmp))
        if synthetic:
            rows += measure_blank_pages(
                _blank_pages_corpus(Path(tmp), synthetic), "synthetic+blank", repeats, Path(tmp)
            )
    return blank_pages_markdown(rows, machine, command, f"{load} / {load_avg()}")


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m bench.extraction", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small subsets and single runs (under a minute)")
    parser.add_argument("--text-letters", type=int, default=None, help="synthetic text letters (default 500)")
    parser.add_argument("--synthetic-pdfs", type=int, default=None, help="synthetic PDF letters (default 100)")
    parser.add_argument("--profile", action="store_true", help="add cProfile hotspots of the pipeline")
    parser.add_argument("--out", type=Path, default=None, help="also write the markdown report here")
    parser.add_argument(
        "--blank-pages",
        action="store_true",
        help="only imr extract on the real PDFs against the PDFium floor: OCR on, tesseract hidden, OCR off (issue 18)",
    )
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per row of --blank-pages (default 5)")
    args = parser.parse_args(argv)
    plan = make_plan(args.quick, args.text_letters, args.synthetic_pdfs)
    command = "python -m bench.extraction" + (" " + " ".join(argv if argv is not None else sys.argv[1:])).rstrip()
    if args.blank_pages:
        text = run_blank_pages(args.repeats, args.synthetic_pdfs or 0, command.strip())
    else:
        text = run(plan, command.strip(), profile=args.profile).markdown()
    print(text)
    if args.out is not None:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
