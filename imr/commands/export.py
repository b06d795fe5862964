"""Print the warehouse's letters as contract records (one JSON object per loaded letter).

Each record is what `imr extract` printed for the letter's first file (``source.path`` is the
path relative to its inbox). No Prefect, no Great Expectations.

Examples:
  imr export --format jsonl > letters.jsonl
  imr export --db postgresql+psycopg://etl@db:5432/imr | jq .letter.case_number
Exit status: 0 on success, 1 when the warehouse is unreachable or not initialised.
"""

from __future__ import annotations

import argparse
import json
import sys

from imr.commands.common import CommandError, add_db_argument, fail, open_warehouse, warehouse_url

HELP = "print one contract JSON record per loaded letter"


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``imr export``."""
    add_db_argument(p)
    p.add_argument("--format", choices=["jsonl"], default="jsonl", help="output format (default jsonl)")


def run(args: argparse.Namespace) -> int:
    """Write the records to stdout; 0 on success, 1 when the warehouse cannot be read."""
    import warehouse
    from imr.errors import ImrError

    try:
        engine = open_warehouse(warehouse_url(args), create=False)
        out = sys.stdout
        for record in warehouse.export_records(engine):
            out.write(json.dumps(record.to_dict(), ensure_ascii=False) + "\n")
        out.flush()
    except (CommandError, ImrError) as e:
        return fail("export", e)
    return 0
