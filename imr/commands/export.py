"""Print the warehouse's letters as contract records (one JSON object per letter that counts).

Each record is what `imr extract` printed for the letter's first file (``source.path`` is the
path relative to its inbox). The letters of one case number are versions of one determination:
by default only the current one is printed (the latest decision date; a case whose latest letters
differ on the same decision date is in review and has none); with --all-versions every letter is,
each with the contract's ``version`` object ``{"current", "superseded_by"}`` (the sha256 of the
file whose letter replaced it; a letter neither current nor superseded is in review). A letter
a person settled from the review queue carries the contract's ``review`` object (who, when, the
note, the field paths they set); with --evidence each record carries its stored ``evidence``
(where each value stands in its file). No Prefect, no Great Expectations.

Examples:
  imr export --format jsonl > letters.jsonl
  imr export --all-versions | jq 'select(.version.current | not)'
  imr export --evidence | jq '.evidence["items[0].decision"]'
  imr export --db postgresql+psycopg://etl@db:5432/imr | jq .letter.case_number
Exit status: 0 on success, 1 when the warehouse is unreachable or not initialised.
"""

from __future__ import annotations

import argparse
import json
import sys

from imr.commands.common import CommandError, add_db_argument, fail, open_warehouse, warehouse_url

HELP = "print one contract JSON record per current letter (--all-versions: every letter)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``imr export``."""
    add_db_argument(p)
    p.add_argument("--format", choices=["jsonl"], default="jsonl", help="output format (default jsonl)")
    p.add_argument(
        "--all-versions",
        action="store_true",
        help="every letter of each case number (superseded and in review too), each with its 'version' object",
    )
    p.add_argument(
        "--evidence",
        action="store_true",
        help="each record with its stored 'evidence' object: where each value stands in its file",
    )


def run(args: argparse.Namespace) -> int:
    """Write the records to stdout; 0 on success, 1 when the warehouse cannot be read."""
    import warehouse
    from imr.errors import ImrError

    try:
        engine = open_warehouse(warehouse_url(args), create=False)
        out = sys.stdout
        if args.all_versions:
            for record, version in warehouse.export_versions(engine, all_versions=True, evidence=args.evidence):
                out.write(json.dumps({**record.to_dict(), "version": version.to_dict()}, ensure_ascii=False) + "\n")
        else:
            for record in warehouse.export_records(engine, evidence=args.evidence):
                out.write(json.dumps(record.to_dict(), ensure_ascii=False) + "\n")
        out.flush()
    except (CommandError, ImrError) as e:
        return fail("export", e)
    return 0
