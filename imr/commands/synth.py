"""Write synthetic (fictional) IMR letters and their gold records.

Letters of layouts A, B, C, D1 and D2 as text and PDF files, plus one file per rejection case
unless --no-bad, and OUT_DIR/gold.jsonl in the shared gold format (score an extractor with
../shared/tools/score.py OUT_DIR/gold.jsonl pred.jsonl). The same --seed gives the same letters.

With --sample, OUT_DIR receives the bundled sample inbox and its gold goes to OUT_DIR-gold.jsonl
beside it (how samples/inbox and samples/inbox-gold.jsonl are regenerated).

Examples:
  imr synth out/ --count 200 --seed 7
  imr synth out/ --count 50 --formats txt --no-bad
  imr synth scans/ --count 10 --formats pdf --scanned    # image-only scanned copies (OCR)
  imr synth faxes/ --count 10 --formats pdf --faxed      # faxed copies: 1-bit, 204x196 or 204x98 dpi
  imr synth out/ --count 400 --amended 15                # 15 later letters for existing cases

Case numbers never repeat by accident; --amended N adds N later letters (amended determinations:
the same case number, a later decision date) of N distinct letters, named syn_0007_D2_amended.txt.
  imr synth samples/inbox --sample
"""

from __future__ import annotations

import argparse
import sys

HELP = "write synthetic IMR letters (txt/pdf) and their gold.jsonl"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``imr synth``."""
    parser.add_argument("out_dir", metavar="OUT_DIR", help="directory to write (created if missing)")
    parser.add_argument("--count", type=int, default=20, help="number of letters (default 20)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--formats", default="txt,pdf", help="comma-separated file formats: txt, pdf (default txt,pdf)")
    parser.add_argument("--no-bad", action="store_true", help="do not add the rejection cases")
    parser.add_argument(
        "--scanned",
        action="store_true",
        help="write PDF letters as image-only scans (200 dpi greyscale, skew, speckle, blur, JPEG) for OCR",
    )
    parser.add_argument(
        "--faxed",
        action="store_true",
        help="write PDF letters as faxes for OCR: 1-bit at 204x196 dpi (a quarter 204x98 'standard'), the fax "
        "machine's header line on most, dropped scan lines, a cover sheet on about a third",
    )
    parser.add_argument(
        "--amended",
        type=int,
        default=0,
        metavar="N",
        help="also write N later letters (amended determinations) for N distinct letters' cases (default 0)",
    )
    parser.add_argument(
        "--sample", action="store_true", help="write the bundled sample inbox (ignores the other options)"
    )


def run(args: argparse.Namespace) -> int:
    """Write the corpus; prints a one-line summary. Returns 0, or 2 on bad options."""
    from imr.synth.corpus import FORMATS, write_corpus
    from imr.synth.samples import write_sample_inbox

    if args.sample:
        paths = write_sample_inbox(args.out_dir)
        print(f"imr synth: wrote {len(paths) - 1} sample files and {paths[-1]}")
        return 0
    formats = tuple(f.strip() for f in str(args.formats).split(",") if f.strip())
    unknown = [f for f in formats if f not in FORMATS]
    if not formats or unknown:
        print(f"imr synth: unknown format(s) {', '.join(unknown) or '(none)'}; use txt, pdf", file=sys.stderr)
        return 2
    if args.scanned and args.faxed:
        print("imr synth: choose --scanned or --faxed, not both", file=sys.stderr)
        return 2
    if args.count < 0:
        print("imr synth: --count must be >= 0", file=sys.stderr)
        return 2
    if not 0 <= args.amended <= args.count:
        print("imr synth: --amended must be between 0 and --count", file=sys.stderr)
        return 2
    try:
        paths = write_corpus(
            args.out_dir,
            args.count,
            args.seed,
            formats=formats,
            bad=not args.no_bad,
            scanned=args.scanned,
            faxed=args.faxed,
            amended=args.amended,
        )
    except ValueError as e:
        print(f"imr synth: {e}", file=sys.stderr)
        return 2
    print(f"imr synth: wrote {len(paths)} files and {args.out_dir}/gold.jsonl")
    return 0
