"""Ingest the drop folders: discover stable letters, extract, validate, load, archive or quarantine.

Runs the Prefect flow ``ingest`` in this process and prints the batch summary. With no Prefect API
configured, Prefect starts a temporary local server for the run (nothing to set up). To report
to a real server, start one (``imr server``, or ``prefect server start``) and point the run at it:

  export PREFECT_API_URL=http://127.0.0.1:4200/api

The run then shows up in that server's UI with its task runs, logs and artifacts.

Examples:
  imr ingest                                   # the inboxes of IMR_INBOXES (default data/inbox)
  imr ingest --inbox /srv/drop/a --inbox /srv/drop/b
  imr ingest --db postgresql+psycopg://etl@db:5432/imr --json
Exit status: 0 when the run completed (even with rejected or quarantined files), 1 when the flow
failed (e.g. the warehouse stayed unreachable: files are left in the inbox; see `imr rerun`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Mapping
from typing import Any

HELP = "ingest the drop folders into the warehouse (runs the Prefect flow `ingest`)"

#: Seconds Prefect may take to start its temporary server on a busy 2-core machine.
EPHEMERAL_STARTUP_TIMEOUT = "90"

_LABELS: tuple[tuple[str, str], ...] = (
    ("files_seen", "files seen"),
    ("loaded", "loaded"),
    ("duplicates", "duplicates"),
    ("linked", "linked"),
    ("rejected", "rejected"),
    ("quarantined", "quarantined"),
    ("failed", "failed"),
    ("recovered", "recovered"),
    ("skipped", "skipped"),
    ("unstable", "unstable (next run)"),
)


def add_db_argument(p: argparse.ArgumentParser) -> None:
    """``--db URL`` (shared by the warehouse commands)."""
    p.add_argument(
        "--db",
        metavar="URL",
        default=None,
        help="warehouse URL (default: IMR_DATABASE_URL, else sqlite under IMR_DATA_DIR)",
    )


def add_retry_arguments(p: argparse.ArgumentParser) -> None:
    """``--retries N --retry-delay S``: how warehouse tasks retry transient failures."""
    p.add_argument(
        "--retries", type=int, default=3, help="retries of a warehouse task on a transient failure (default 3)"
    )
    p.add_argument(
        "--retry-delay", type=float, default=10.0, metavar="S", help="seconds between those retries (default 10)"
    )


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``imr ingest``."""
    p.add_argument(
        "--inbox",
        action="append",
        metavar="DIR",
        default=None,
        help="a drop folder (repeatable; default: IMR_INBOXES)",
    )
    add_db_argument(p)
    p.add_argument("--chunk-size", type=int, default=None, help="files per task (default: IMR_CHUNK_SIZE)")
    p.add_argument(
        "--stable-seconds",
        type=float,
        default=None,
        help="take a file once unchanged this long (default: IMR_STABLE_SECONDS)",
    )
    add_retry_arguments(p)
    p.add_argument("--json", action="store_true", help="print the summary as one JSON object")


def format_summary(summary: Mapping[str, Any]) -> str:
    """The summary as aligned ``label  count`` lines under a ``batch <id> <status>`` header."""
    lines = [f"batch {summary.get('batch_id')} ({summary.get('kind', 'ingest')}): {summary.get('status')}"]
    for key, label in _LABELS:
        value = summary.get(key, 0)
        if key in ("recovered", "skipped", "unstable") and not value:
            continue
        lines.append(f"  {label:<20} {value}")
    codes = summary.get("reason_codes") or {}
    if codes:
        lines.append("  reason codes         " + ", ".join(f"{c}={n}" for c, n in codes.items()))
    return "\n".join(lines)


def prepare_prefect() -> None:
    """Environment defaults for an in-process flow run (set before Prefect is imported)."""
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", EPHEMERAL_STARTUP_TIMEOUT)


def batch_of_run(db_url: str, flow_run_id: str) -> dict[str, Any] | None:
    """The batch a flow run wrote, as a summary dict (None when absent or unreadable)."""
    from sqlalchemy.exc import SQLAlchemyError

    import warehouse
    from imr.errors import WarehouseUnavailableError

    try:
        engine = warehouse.make_engine(db_url)
        rows = [b for b in warehouse.list_batches(engine) if b.flow_run_id == flow_run_id]
        engine.dispose()
    except (WarehouseUnavailableError, SQLAlchemyError):
        return None
    if not rows:
        return None
    b = rows[0]
    return {
        "batch_id": b.id,
        "kind": b.kind,
        "status": b.status,
        "parent_batch_id": b.parent_batch_id,
        "flow_run_id": b.flow_run_id,
        **b.counts.to_dict(),
    }


def run_flow(name: str, call: Callable[[], Any], *, as_json: bool, db_url: str | None = None) -> int:
    """Run a flow via ``call`` (which must pass ``return_state=True``); print the batch summary.

    The summary is the flow's result (when it is a mapping) updated with the batch row the run
    wrote (``db_url``; default the settings' warehouse), so it is printed even for a failed run.
    Returns 0 when the flow run completed, 1 when it failed or crashed (its message on stderr).
    """
    try:
        state = call()
    except Exception as e:  # the flow could not even start (e.g. no Prefect API reachable)
        print(f"imr {name}: could not run the flow: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    if db_url is None:
        from imr.settings import get_settings

        db_url = get_settings().warehouse_url()
    try:
        result = state.result(raise_on_failure=False)
    except Exception:  # a failed state whose data is not an exception
        result = None
    row = batch_of_run(db_url, str(state.state_details.flow_run_id))
    summary = {**(dict(result) if isinstance(result, Mapping) else {}), **(row or {})} or None
    if summary is not None:
        print(json.dumps(summary, default=str) if as_json else format_summary(summary))
    if not state.is_completed():
        print(f"imr {name}: flow run {state.name}: {state.message or 'see the logs above'}", file=sys.stderr)
        return 1
    return 0


def run(args: argparse.Namespace) -> int:
    """Run the ingest flow once; exit 0 when it completed, 1 when it failed."""
    prepare_prefect()
    from flows.ingest import ingest_flow

    inboxes = [str(p) for p in args.inbox] if args.inbox else None
    url = args.db
    return run_flow(
        "ingest",
        lambda: ingest_flow(
            inboxes=inboxes,
            db_url=args.db,
            chunk_size=args.chunk_size,
            stable_seconds=args.stable_seconds,
            transient_retries=args.retries,
            retry_delay_seconds=args.retry_delay,
            return_state=True,
        ),
        as_json=args.json,
        db_url=url,
    )
