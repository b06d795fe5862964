"""List ingest batches, newest first, with their status and counts.

Examples:
  imr batches
  imr batches --limit 5 --json
Exit status: 0 on success, 1 when the warehouse is unreachable or not initialised.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from imr.commands.ingest import add_db_argument

HELP = "list ingest batches with their counts"

_COLUMNS: tuple[str, ...] = ("files_seen", "loaded", "duplicates", "linked", "rejected", "quarantined", "failed")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``imr batches``."""
    add_db_argument(p)
    p.add_argument("--json", action="store_true", help="print a JSON array")
    p.add_argument("--limit", type=int, default=None, help="at most this many batches")


def _as_dict(b: Any) -> dict[str, Any]:
    return {
        "id": b.id,
        "kind": b.kind,
        "status": b.status,
        "started_at": b.started_at.isoformat(),
        "finished_at": b.finished_at.isoformat() if b.finished_at else None,
        "parent_batch_id": b.parent_batch_id,
        "flow_run_id": b.flow_run_id,
        **b.counts.to_dict(),
    }


def run(args: argparse.Namespace) -> int:
    """Print the batches; 0 on success, 1 when the warehouse cannot be read."""
    import warehouse
    from imr.errors import WarehouseUnavailableError
    from imr.settings import get_settings

    url = args.db or get_settings().warehouse_url()
    try:
        engine = warehouse.make_engine(url)
        if warehouse.current_revision(engine) is None:
            print("imr batches: the warehouse is not initialised (run `imr db-upgrade`)", file=sys.stderr)
            return 1
        rows = [_as_dict(b) for b in warehouse.list_batches(engine, limit=args.limit)]
    except WarehouseUnavailableError as e:
        print(f"imr batches: {e}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    head = ["batch", "kind", "status", "started (UTC)", *_COLUMNS]
    table = [
        [r["id"], r["kind"], r["status"], r["started_at"][:19].replace("T", " "), *(str(r[c]) for c in _COLUMNS)]
        for r in rows
    ]
    widths = [max(len(str(x)) for x in col) for col in zip(head, *table, strict=False)]
    for line in [head, *table]:
        print("  ".join(str(x).ljust(w) for x, w in zip(line, widths, strict=True)).rstrip())
    return 0
