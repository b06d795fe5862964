"""OCR benchmark: scanned renderings of letters read back through ``imr extract`` with OCR.

    .venv/bin/python -m bench.ocr                       # scanned copies of ../shared/corpus/real
    .venv/bin/python -m bench.ocr --synthetic 30        # scanned synthetic letters instead
    .venv/bin/python -m bench.ocr --jobs 2 --limit 20   # two worker processes (both cores busy)
    .venv/bin/python -m bench.ocr --faxed               # faxed copies instead (imr.synth.fax)
    .venv/bin/python -m bench.ocr --faxed --fax-resolution standard --fax-sender server   # one kind only

Each PDF is rasterised at 200 dpi greyscale with a slight skew, speckle, blur and JPEG
compression (:mod:`imr.synth.scanned`, seeded by the file name) into an image-only PDF in a
temporary folder (never in the repository), extracted with ``ocr="auto"``, and scored with
``../shared/tools/score.py`` against the gold records (files keep their names). Prints letter-exact,
silent wrong decisions, reason codes, and wall seconds per OCR'd page (total extraction wall time
over pages, with ``--jobs`` processes running at once), and with ``--faxed`` a table per kind of
copy (sender, fine or standard mode, cover sheet): letters, letter-exact, set aside, silent wrong.
Nothing of a letter's text is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zlib
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("IMR_SHARED_DIR", ROOT.parent / "shared"))
SCORER = SHARED / "tools" / "score.py"


def _scan_one(args: tuple[str, str, bool, str, str]) -> tuple[str, str]:
    """Scan (or, with ``faxed``, fax) one PDF into ``out_dir``, seeded by its name; the copy's
    path and its kind. A fax's options are drawn from the seed (``random_fax_options``), its
    resolution (``fine``, ``standard``) and sender (``machine``, ``server``) forced when given."""
    src, out_dir, faxed, resolution, sender = args
    p = Path(src)
    out = Path(out_dir) / p.name
    seed = zlib.crc32(p.name.encode())
    if not faxed:
        from imr.synth.scanned import scan_pdf

        out.write_bytes(scan_pdf(p.read_bytes(), seed=seed))
        return str(out), "scan, 200 dpi greyscale"
    import dataclasses
    import random

    from imr.synth.fax import FINE, STANDARD, fax_pdf, random_fax_options

    options = random_fax_options(random.Random(seed))
    if resolution:
        options = dataclasses.replace(options, resolution=STANDARD if resolution == "standard" else FINE)
    if sender:
        options = dataclasses.replace(options, sender=sender)
    out.write_bytes(fax_pdf(p.read_bytes(), seed, options))
    mode = "standard 204x98" if options.resolution == STANDARD else "fine 204x196"
    return str(out), f"fax, {options.sender}, {mode}{', cover sheet' if options.cover_sheet else ''}"


def letter_exact(pred: dict[str, Any], gold: dict[str, Any]) -> bool:
    """The scorer's letter-exact for one letter: status, and for parsed gold the case number, the
    five dates, priority, outcome, item count and every item decision."""
    if pred["status"] != gold["status"]:
        return False
    if gold["status"] != "parsed":
        return True
    pl, gl = pred["letter"], gold["letter"]
    dates = ("date_assigned", "decision_date", "date_of_injury", "ur_denial_date", "application_received")
    core = ("case_number", *dates, "priority", "outcome")
    return all(pl.get(k) == gl.get(k) for k in core) and [i["decision"] for i in pl["items"]] == [
        i["decision"] for i in gl["items"]
    ]


def silent_wrong(pred: dict[str, Any], gold: dict[str, Any]) -> int:
    """Item decisions of a parsed prediction that contradict the gold (the scorer's silent_wrong)."""
    if pred["status"] != "parsed" or gold["status"] != "parsed":
        return 0
    want = {i["ordinal"]: i["decision"] for i in gold["letter"]["items"]}
    return sum(1 for i in pred["letter"]["items"] if i["ordinal"] in want and want[i["ordinal"]] != i["decision"])


def kind_table(records: list[dict[str, Any]], kinds: list[str], golds: dict[str, dict[str, Any]]) -> list[str]:
    """Markdown rows per kind of copy: letters, letter-exact, set aside (rejected), silent wrong."""
    rows: dict[str, list[int]] = {}
    for rec, kind in zip(records, kinds, strict=True):
        gold = golds[Path(rec["source"]["path"]).name]
        row = rows.setdefault(kind, [0, 0, 0, 0])
        row[0] += 1
        row[1] += letter_exact(rec, gold)
        row[2] += rec["status"] == "rejected"
        row[3] += silent_wrong(rec, gold)
    out = ["| kind of copy | letters | letter-exact | set aside | silent wrong |", "|---|---|---|---|---|"]
    for kind in sorted(rows):
        n, exact, aside, wrong = rows[kind]
        out.append(f"| {kind} | {n} | {exact} ({exact / n:.2f}) | {aside} | {wrong} |")
    return out


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _extract_one(path: str) -> tuple[str, float, float]:
    """One record as JSON, its wall seconds and its CPU seconds (this process and tesseract)."""
    from imr.extract.entry import extract_file

    t, c = time.perf_counter(), _cpu()
    rec = extract_file(path, display_path=Path(path).name, ocr="auto")
    return json.dumps(rec.to_dict()), time.perf_counter() - t, _cpu() - c


def _sources(args: argparse.Namespace, work: Path) -> tuple[list[Path], Path]:
    """The born-digital PDFs to scan and their gold file."""
    if args.synthetic:
        from imr.synth.corpus import write_corpus

        src = work / "born-digital"
        write_corpus(src, args.synthetic, seed=args.seed, formats=("pdf",), bad=False)
        return sorted(src.glob("*.pdf")), src / "gold.jsonl"
    real = SHARED / "corpus" / "real"
    if not (real / "gold.jsonl").exists():
        sys.exit("bench.ocr: ../shared/corpus/real is absent")
    return sorted((real / "pdf").glob("*.pdf")), real / "gold.jsonl"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--synthetic", type=int, default=0, metavar="N", help="scan N synthetic letters instead")
    ap.add_argument(
        "--faxed",
        action="store_true",
        help="fax the PDFs (1-bit, 204x196 or 204x98 dpi, header "
        "lines, dropped lines, some cover sheets: imr.synth.fax) instead of scanning them",
    )
    ap.add_argument(
        "--fax-resolution",
        choices=("fine", "standard"),
        default="",
        help="with --faxed: every fax in this mode (default: a quarter standard, drawn per file)",
    )
    ap.add_argument(
        "--fax-sender",
        choices=("machine", "server"),
        default="",
        help="with --faxed: every fax from this kind of sender (default: a third from servers, drawn per file)",
    )
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--limit", type=int, default=0, help="only the first N files")
    ap.add_argument("--jobs", type=int, default=1, help="extraction processes at once (default 1)")
    ap.add_argument("--keep", type=Path, default=None, help="keep the scans and predictions in this folder")
    ap.add_argument("--details", action="store_true", help="per-file status and reason codes (no letter text)")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="imr-ocr-bench-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        sources, gold = _sources(args, work)
        if args.limit:
            sources = sources[: args.limit]
        scans = work / "scanned"
        scans.mkdir(exist_ok=True)
        with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            jobs = [(str(p), str(scans), args.faxed, args.fax_resolution, args.fax_sender) for p in sources]
            scanned, kinds = map(list, zip(*pool.map(_scan_one, jobs), strict=True))
        t0 = time.perf_counter()
        with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            results = list(pool.map(_extract_one, scanned))
        wall = time.perf_counter() - t0
        records = [json.loads(r) for r, _, _ in results]
        cpu = sum(c for _, _, c in results)
        pages = sum(r["source"]["pages"] or 0 for r in records)
        pred = work / "pred.jsonl"
        pred.write_text("".join(r + "\n" for r, _, _ in results), encoding="utf-8")
        names = {p.name for p in sources}
        gold_lines = [
            line
            for line in gold.read_text(encoding="utf-8").splitlines()
            if line.strip() and Path(json.loads(line)["source"]["path"]).name in names
        ]
        golds = {Path(g["source"]["path"]).name: g for g in map(json.loads, gold_lines)}
        gold_sub = work / "gold.jsonl"
        gold_sub.write_text("".join(line + "\n" for line in gold_lines), encoding="utf-8")
        scored = subprocess.run(
            [sys.executable, str(SCORER), str(gold_sub), str(pred), "--json"],
            capture_output=True,
            text=True,
            check=False,
        )
        body, _, headline = scored.stdout.rstrip().rpartition("\n")
        metrics = json.loads(body)["metrics"] if body.strip().startswith("{") else {}
        codes = Counter(e["code"] for r in records for e in r["errors"])
        if args.details:
            for r, (_, secs, _) in zip(records, results, strict=True):
                print(
                    f"{r['source']['path']}\t{r['status']}\tocr={r['source']['ocr']}\tpages={r['source']['pages']}"
                    f"\t{secs:.1f}s\t{','.join(e['code'] + ': ' + e['message'] for e in r['errors'])}"
                )
        n_ocr = sum(bool(r["source"]["ocr"]) for r in records)
        print(f"files={len(records)} pages={pages} jobs={args.jobs} ocr_records={n_ocr}")
        print(
            f"wall={wall:.1f}s seconds_per_page={wall / max(pages, 1):.2f} (wall x jobs / pages = "
            f"{wall * max(1, args.jobs) / max(pages, 1):.2f} s of one core per page)"
        )
        print(f"cpu_seconds_per_page={cpu / max(pages, 1):.2f} load_average={os.getloadavg()[0]:.1f}")
        print(f"reasons={dict(codes)}")
        if args.faxed:
            print("\n".join(kind_table(records, kinds, golds)))
        for key in ("letter_exact", "item_decision", "case_number", "item_request"):
            if key in metrics:
                print(f"{key}={metrics[key]['rate']:.3f}")
        print(headline)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
