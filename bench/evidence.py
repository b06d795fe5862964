"""What evidence costs (issue 20): extraction time and peak memory with and without ``evidence=True``.

Run ``python -m bench.evidence`` (a few minutes; ``--scanned 0`` skips OCR) and it prints a
markdown report on stdout (``--out FILE`` also writes it), progress on stderr.

For each corpus (the real PDFs, the seed letters, generated text letters of every layout,
generated PDFs, generated scanned PDFs when Tesseract is installed) and each mode (without and
with evidence), a fresh spawned process warms up on one file, then extracts every file ``--runs``
times in process; the report gives the median wall and CPU time per letter and the process's peak
RSS (``VmHWM``: the measuring process alone). It also checks that asking for evidence changes
nothing else in any record, and reports how many fields got evidence and its JSON size per letter.

Wall time is ``time.perf_counter``, CPU time ``time.process_time``: on a shared machine CPU time is
the steadier of the two.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.extraction import REAL_PDF_DIR, SEEDS_DIR, load_avg, machine_info


def _measure(files: list[str], evidence: bool, runs: int, ocr: str) -> dict[str, Any]:
    """In a fresh process: warm up, then extract ``files`` ``runs`` times; timings and records."""
    from imr.extract.entry import extract_file

    extract_file(files[0], ocr=ocr, evidence=evidence)  # imports and caches
    walls: list[float] = []
    cpus: list[float] = []
    records: list[dict[str, Any]] = []
    for _ in range(runs):
        w0, c0 = time.perf_counter(), time.process_time()
        records = [extract_file(f, ocr=ocr, evidence=evidence).to_dict() for f in files]
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return {"wall": statistics.median(walls), "cpu": statistics.median(cpus), "peak_mb": _peak_mb(), "records": records}


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM: of its own address space; ``ru_maxrss`` would
    carry the spawning parent's high-water mark across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _in_fresh_process(files: list[str], evidence: bool, runs: int, ocr: str) -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        result: dict[str, Any] = pool.apply(_measure, (files, evidence, runs, ocr))
    return result


def _corpora(tmp: Path, texts: int, pdfs: int, scanned: int) -> dict[str, tuple[list[str], str]]:
    """Corpus name -> (files, OCR mode)."""
    from imr.synth import LAYOUTS, generate_letter, render_text
    from imr.synth.pdf_render import PdfOptions, render_pdf

    out: dict[str, tuple[list[str], str]] = {}
    real = sorted(str(p) for p in REAL_PDF_DIR.glob("*.pdf"))
    if real:
        out[f"real PDFs ({len(real)})"] = (real, "off")
    seeds = sorted(str(p) for p in SEEDS_DIR.glob("*.txt"))
    if seeds:
        out[f"seed text letters ({len(seeds)})"] = (seeds, "off")
    made: list[str] = []
    for k in range(texts):
        path = tmp / f"t{k:04d}.txt"
        path.write_bytes(render_text(generate_letter(k, layout=LAYOUTS[k % len(LAYOUTS)]), "lf"))
        made.append(str(path))
    out[f"generated text letters ({texts})"] = (made, "off")
    made = []
    for k in range(pdfs):
        path = tmp / f"p{k:04d}.pdf"
        path.write_bytes(render_pdf(generate_letter(k, layout=LAYOUTS[k % len(LAYOUTS)]), PdfOptions()))
        made.append(str(path))
    out[f"generated PDFs ({pdfs})"] = (made, "off")
    if scanned and shutil.which("tesseract"):
        from imr.synth.scanned import scan_pdf

        made = []
        for k in range(scanned):
            path = tmp / f"s{k:04d}.pdf"
            original = render_pdf(generate_letter(k, layout=LAYOUTS[k % len(LAYOUTS)]), PdfOptions())
            path.write_bytes(scan_pdf(original, seed=k))
            made.append(str(path))
        out[f"generated scanned PDFs, OCR ({scanned})"] = (made, "auto")
    return out


def _without_evidence(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "evidence"}


def run(texts: int, pdfs: int, scanned: int, runs: int) -> str:
    started = time.perf_counter()
    load_at_start = load_avg()
    lines = [
        "## Cost of evidence (`python -m bench.evidence`)",
        "",
        f"Date: {time.strftime('%Y-%m-%d')}; load average (1/5/15 min) at start {load_at_start}.",
        "",
        "| Corpus | Evidence | Runs | Wall ms/letter | CPU ms/letter | CPU cost | Peak RSS MB "
        "| Fields with evidence/letter | Evidence JSON KB/letter | Records otherwise identical |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    with tempfile.TemporaryDirectory(prefix="imr-bench-evidence-") as tmp:
        for name, (files, ocr) in _corpora(Path(tmp), texts, pdfs, scanned).items():
            n = len(files)
            times = runs if ocr == "off" else 1
            print(f"bench.evidence: {name}", file=sys.stderr)
            plain = _in_fresh_process(files, False, times, ocr)
            full = _in_fresh_process(files, True, times, ocr)
            same = [_without_evidence(r) for r in full["records"]] == plain["records"]
            fields = statistics.fmean(len(r.get("evidence") or {}) for r in full["records"])
            size = statistics.fmean(len(json.dumps(r.get("evidence") or {})) for r in full["records"]) / 1024
            cost = f"+{100 * (full['cpu'] / plain['cpu'] - 1):.0f}%" if plain["cpu"] else "–"
            for label, m in (("no", plain), ("yes", full)):
                lines.append(
                    f"| {name} | {label} | {times} | {1000 * m['wall'] / n:.1f} | {1000 * m['cpu'] / n:.1f} | "
                    f"{cost if label == 'yes' else ''} | {m['peak_mb']:.1f} | "
                    f"{fields if label == 'yes' else 0:.1f} | {size if label == 'yes' else 0:.2f} | "
                    f"{('yes' if same else 'NO') if label == 'yes' else ''} |"
                )
    lines += ["", "Machine:", "", "| | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in machine_info().items()]
    lines += ["", f"Run took {time.perf_counter() - started:.0f} s; load average at end {load_avg()}.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--texts", type=int, default=200, help="generated text letters (default 200)")
    p.add_argument("--pdfs", type=int, default=40, help="generated PDFs (default 40)")
    p.add_argument("--scanned", type=int, default=5, help="generated scanned PDFs, OCR'd once (default 5; 0: none)")
    p.add_argument("--runs", type=int, default=3, help="runs per text-layer corpus and mode (median; default 3)")
    p.add_argument("--out", type=Path, help="also write the report to this file")
    args = p.parse_args(argv)
    report = run(args.texts, args.pdfs, args.scanned, args.runs)
    print(report)
    if args.out is not None:
        args.out.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
