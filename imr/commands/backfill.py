"""Load a folder tree of historical letters into the warehouse, in bounded chunks.

Every file's outcome is committed to the ledger chunk by chunk, and files whose bytes already have
an outcome are skipped, so an interrupted backfill is resumed by running the same command again.
Source files are history: they stay where they are unless --move is given (then they are
archived or quarantined like an ingest's).

Examples:
  imr backfill /archive/imr-2019
  imr backfill /archive/imr-2019 --chunk-size 100 --db postgresql+psycopg://etl@db:5432/imr
Exit status: 0 when the run completed, 1 when the folder is missing or the flow failed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from imr.commands.ingest import add_db_argument, add_retry_arguments, prepare_prefect, run_flow

HELP = "load a folder tree of historical letters (resumable; files stay in place)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``imr backfill``."""
    p.add_argument("folder", metavar="DIR", help="the folder tree to load (searched recursively)")
    add_db_argument(p)
    p.add_argument("--chunk-size", type=int, default=None, help="files per task (default: IMR_CHUNK_SIZE)")
    p.add_argument("--move", action="store_true", help="archive/quarantine the files afterwards")
    add_retry_arguments(p)
    p.add_argument("--json", action="store_true", help="print the summary as one JSON object")


def run(args: argparse.Namespace) -> int:
    """Run the backfill flow; exit 0 when it completed, 1 otherwise."""
    folder = Path(args.folder)
    if not folder.is_dir():
        print(f"imr backfill: no such folder: {folder}", file=sys.stderr)
        return 1
    prepare_prefect()
    from flows.ingest import backfill_flow

    return run_flow(
        "backfill",
        lambda: backfill_flow(
            folder=str(folder.absolute()),
            db_url=args.db,
            chunk_size=args.chunk_size,
            move_files=args.move,
            transient_retries=args.retries,
            retry_delay_seconds=args.retry_delay,
            return_state=True,
        ),
        as_json=args.json,
        db_url=args.db,
    )
