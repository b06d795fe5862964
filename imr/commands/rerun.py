"""Reprocess the failed, pending, rejected and quarantined files of one batch as a new batch.

The new batch records the old one as its parent. Files are taken from where the ledger says
they are now (still in the inbox after an outage, or in quarantine). Safe to repeat: files whose
bytes were loaded in the meantime are skipped. BATCH_ID may be a unique prefix (see `imr batches`).

Examples:
  imr rerun 3f2c9a1e
  imr rerun 3f2c9a1e-0b7d-4c55-9d0e-1a2b3c4d5e6f --db postgresql+psycopg://etl@db:5432/imr
Exit status: 0 when the run completed, 1 when the batch is unknown or the flow failed.
"""

from __future__ import annotations

import argparse
import sys

from imr.commands.ingest import add_db_argument, add_retry_arguments, prepare_prefect, run_flow

HELP = "reprocess a batch's failed, pending, rejected and quarantined files (new batch)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``imr rerun``."""
    p.add_argument("batch_id", metavar="BATCH_ID", help="the batch to rerun (id or unique prefix)")
    add_db_argument(p)
    p.add_argument("--chunk-size", type=int, default=None, help="files per task (default: IMR_CHUNK_SIZE)")
    add_retry_arguments(p)
    p.add_argument("--json", action="store_true", help="print the summary as one JSON object")


def resolve_batch(url: str, given: str) -> str | None:
    """The full id of the batch ``given`` (an id or a unique prefix), or None (message on stderr)."""
    import warehouse
    from imr.errors import WarehouseUnavailableError

    try:
        ids = [b.id for b in warehouse.list_batches(warehouse.make_engine(url))]
    except WarehouseUnavailableError as e:
        print(f"imr rerun: {e}", file=sys.stderr)
        return None
    matches = [i for i in ids if i == given] or [i for i in ids if i.startswith(given)]
    if len(matches) != 1:
        what = "no batch" if not matches else f"{len(matches)} batches"
        print(f"imr rerun: {what} matching {given!r} (see `imr batches`)", file=sys.stderr)
        return None
    return matches[0]


def run(args: argparse.Namespace) -> int:
    """Rerun the batch; exit 0 when the flow completed, 1 otherwise."""
    from imr.settings import get_settings

    url = args.db or get_settings().warehouse_url()
    batch_id = resolve_batch(url, args.batch_id)
    if batch_id is None:
        return 1
    prepare_prefect()
    from flows.ingest import rerun_flow

    return run_flow(
        "rerun",
        lambda: rerun_flow(
            batch_id=batch_id,
            db_url=url,
            chunk_size=args.chunk_size,
            transient_retries=args.retries,
            retry_delay_seconds=args.retry_delay,
            return_state=True,
        ),
        as_json=args.json,
        db_url=url,
    )
