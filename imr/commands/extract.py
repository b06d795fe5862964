"""Extract letter records from IMR letters (text or PDF) and print one JSON record per file.

Examples:
  imr extract letters/                      # every .pdf/.txt under letters/, recursively
  imr extract a.pdf b.txt --format jsonl > records.jsonl
  imr extract big-folder/ --jobs 2 --progress
  imr extract scans/ --ocr off              # reject image-only PDFs (pdf_no_text) instead of OCR
  imr extract letter.pdf --evidence          # where each value stands: page, box or line, text
Exit status: 0 when every input was processed, whatever its status; 2 for usage errors.

With --evidence each record carries the contract's "evidence" object: per field path
('case_number', 'decision_date', 'items[0].decision', ...) the page, the box in PDF points from the
page's top-left (a PDF) or the line (a text letter), the exact source text the value was read from,
and the OCR confidence of that text where OCR read it. A letter set aside after it was read has
evidence for what was read.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator

from imr.commands.common import add_reading_arguments, reading_options

HELP = "extract letter records from .pdf/.txt letters (one JSON record per file)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help="letter files or folders (searched recursively)")
    p.add_argument("--format", choices=["jsonl"], default="jsonl", help="output format (default jsonl)")
    p.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--progress", action="store_true", help="show a progress bar on stderr")
    add_reading_arguments(p)
    p.add_argument(
        "--evidence",
        action="store_true",
        help="add where each value stands in its file: page, box (PDF points) or line, source text, OCR confidence",
    )


def _one(args: tuple[str, str, str, bool]) -> str:
    from imr.extract.entry import extract_file

    path, engine, ocr, evidence = args
    record = extract_file(path, pdf_engine=engine, ocr=ocr, evidence=evidence)
    return json.dumps(record.to_dict(), ensure_ascii=False)


def run(args: argparse.Namespace) -> int:
    from imr.extract.entry import iter_input_files

    try:
        files = [str(f) for f in iter_input_files(args.paths)]
    except FileNotFoundError as exc:
        print(f"imr extract: no such file or folder: {exc}", file=sys.stderr)
        return 2
    if args.jobs < 1:
        print("imr extract: --jobs must be at least 1", file=sys.stderr)
        return 2
    engine, ocr = reading_options(args)
    work = [(f, engine, ocr, bool(args.evidence)) for f in files]
    results: Iterator[str]
    if args.jobs > 1 and len(work) > 1:
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(max_workers=args.jobs)
        results = pool.map(_one, work, chunksize=8)
    else:
        pool = None
        results = map(_one, work)
    if args.progress:
        from tqdm import tqdm

        results = iter(tqdm(results, total=len(work), unit="file", file=sys.stderr))
    out = sys.stdout
    try:
        for line in results:
            out.write(line + "\n")
        out.flush()
    finally:
        if pool is not None:
            pool.shutdown()
    return 0
