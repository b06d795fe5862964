"""Ingest the drop folders: discover stable letters, extract, validate, load, archive or quarantine.

Runs the Prefect flow ``ingest`` in this process and prints the batch summary. With no Prefect API
configured, Prefect starts a temporary local server for the run (nothing to set up). To report
to a real server, start one (``imr server``, or ``prefect server start``) and point the run at it:

  export PREFECT_API_URL=http://127.0.0.1:4200/api

The run then shows up in that server's UI with its task runs, logs and artifacts.

Examples:
  imr ingest                                   # the inboxes of IMR_INBOXES (default <IMR_DATA_DIR>/inbox)
  imr ingest --inbox /srv/drop/a --inbox /srv/drop/b
  imr ingest --db postgresql+psycopg://etl@db:5432/imr --json
  imr ingest --workers 2                       # two chunks at a time in worker processes
Exit status: 0 when the batch completed (even with rejected or quarantined files), 1 when it
failed (more than IMR_QUARANTINE_THRESHOLD of the files set aside, or a step failed, e.g. the
warehouse stayed unreachable: files are left in the inbox; see `imr rerun`), 2 for a bad argument
(e.g. an inbox that does not exist), 130/143 when Ctrl-C/SIGTERM stopped it between letters (the
batch is closed `interrupted`, the rest stays in the inbox: run again). After a crash, run again at
once: the dead run's batch is closed `abandoned` and its files are taken.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from imr.commands.common import (
    add_flow_arguments,
    flow_options,
    run_flow_command,
)

HELP = "ingest the drop folders into the warehouse (runs the Prefect flow `ingest`)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``imr ingest``."""
    p.add_argument(
        "--inbox",
        action="append",
        metavar="DIR",
        default=None,
        help="a drop folder (repeatable; default: IMR_INBOXES)",
    )
    add_flow_arguments(p)
    p.add_argument(
        "--stable-seconds",
        type=float,
        default=None,
        help="take a file once unchanged this long (default: IMR_STABLE_SECONDS)",
    )


def run(args: argparse.Namespace) -> int:
    """Run the ingest flow once; the exit status is the batch verdict's (0 completed, 1 failed)."""
    from imr.settings import get_settings

    inboxes = [Path(p) for p in args.inbox] if args.inbox else get_settings().inbox_paths()
    missing = [str(p) for p in inboxes if not p.is_dir()]
    if missing:
        print(f"imr ingest: no such inbox folder: {missing[0]} (create it or pass --inbox DIR)", file=sys.stderr)
        return 2

    def call() -> Any:
        from flows.ingest import ingest_flow

        return ingest_flow(
            inboxes=[str(p) for p in inboxes],
            stable_seconds=args.stable_seconds,
            **flow_options(args),
        )

    return run_flow_command("ingest", args, call)
