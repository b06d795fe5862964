"""Reprocess the failed, pending, rejected and quarantined files of one batch as a new batch.

The new batch records the old one as its parent. Files are taken from where the ledger says
they are now (still in the inbox after an outage, or in quarantine). Safe to repeat: files whose
bytes were loaded in the meantime are skipped. BATCH_ID may be a unique prefix (see `imr batches`).

Examples:
  imr rerun 3f2c9a1e
  imr rerun 3f2c9a1e-0b7d-4c55-9d0e-1a2b3c4d5e6f --db postgresql+psycopg://etl@db:5432/imr
A rerun whose files all reach a committed outcome (loaded, or rejected/quarantined again) ends
completed_with_quarantine; it fails only when it could not process a file (e.g. a file is gone).
Exit status: 0 when the batch completed, 1 when the batch is unknown or the rerun failed.
"""

from __future__ import annotations

import argparse
from typing import Any

from imr.commands.common import (
    CommandError,
    add_flow_arguments,
    fail,
    flow_options,
    open_warehouse,
    run_flow_command,
    warehouse_url,
)

HELP = "reprocess a batch's failed, pending, rejected and quarantined files (new batch)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``imr rerun``."""
    p.add_argument("batch_id", metavar="BATCH_ID", help="the batch to rerun (id or unique prefix)")
    add_flow_arguments(p)


def run(args: argparse.Namespace) -> int:
    """Rerun the batch; the exit status is the new batch verdict's (0 completed, 1 failed)."""
    import warehouse
    from imr.errors import ImrError

    try:
        url = warehouse_url(args)
        engine = open_warehouse(url, create=False)
        batch_id = warehouse.resolve_batch_id(engine, args.batch_id)
        engine.dispose()
    except (CommandError, ImrError) as e:
        return fail("rerun", e)

    def call() -> Any:
        from flows.ingest import rerun_flow

        return rerun_flow(
            batch_id=batch_id,
            **flow_options(args),
        )

    return run_flow_command("rerun", args, call, create=False)
