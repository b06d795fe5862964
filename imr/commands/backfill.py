"""Load a folder tree of historical letters into the warehouse, in bounded chunks.

Every file's outcome is committed to the ledger chunk by chunk, and files whose bytes already have
an outcome are skipped, so an interrupted backfill is resumed by running the same command again.
Source files are history: they stay where they are unless --move is given (then they are
archived or quarantined like an ingest's).

Examples:
  imr backfill /archive/imr-2019
  imr backfill /archive/imr-2019 --chunk-size 100 --db postgresql+psycopg://etl@db:5432/imr
Exit status: 0 when the batch completed, 1 when it failed, 2 when the folder is missing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from imr.commands.common import add_flow_arguments, flow_options, run_flow_command

HELP = "load a folder tree of historical letters (resumable; files stay in place)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``imr backfill``."""
    p.add_argument("folder", metavar="DIR", help="the folder tree to load (searched recursively)")
    add_flow_arguments(p)
    p.add_argument("--move", action="store_true", help="archive/quarantine the files afterwards")


def run(args: argparse.Namespace) -> int:
    """Run the backfill flow; the exit status is the batch verdict's (0 completed, 1 failed)."""
    folder = Path(args.folder)
    if not folder.is_dir():
        print(f"imr backfill: no such folder: {folder}", file=sys.stderr)
        return 2

    def call() -> Any:
        from flows.ingest import backfill_flow

        return backfill_flow(
            folder=str(folder.absolute()),
            move_files=args.move,
            **flow_options(args),
        )

    return run_flow_command("backfill", args, call)
