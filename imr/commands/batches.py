"""List ingest batches, newest first, with their status and counts.

Examples:
  imr batches
  imr batches --limit 5 --json
Exit status: 0 on success, 1 when the warehouse is unreachable or not initialised.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from imr.commands.common import CommandError, add_db_argument, fail, open_warehouse, warehouse_url
from imr.outcomes import COUNT_FIELDS

HELP = "list ingest batches with their counts"


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
        "ignored": b.ignored,
        "ignored_reasons": b.ignored_reasons,
        "status_reason": b.status_reason,
        "owner": b.owner,
    }


def run(args: argparse.Namespace) -> int:
    """Print the batches; 0 on success, 1 when the warehouse cannot be read."""
    import warehouse
    from imr.errors import ImrError
    from warehouse import runs

    try:
        engine = open_warehouse(warehouse_url(args), create=False)
        dead = {d.batch_id for d in runs.find_dead(engine)}  # read-only: the next run closes them
        rows = [
            {
                **_as_dict(b),
                "dead": b.id in dead,
                "failed_expectations": warehouse.failed_expectations(engine, b.id),
            }
            for b in warehouse.list_batches(engine, limit=args.limit)
        ]
    except (CommandError, ImrError) as e:
        return fail("batches", e)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    numbers = [*COUNT_FIELDS, "ignored"]  # ignored: entries that are not letters, left in the inbox
    head = ["batch", "kind", "status", "started (UTC)", *numbers]
    table = [
        [
            r["id"],
            r["kind"],
            f"{r['status']} (dead)" if r["dead"] else r["status"],
            r["started_at"][:19].replace("T", " "),
            *(str(r[c]) for c in numbers),
        ]
        for r in rows
    ]
    widths = [max(len(str(x)) for x in col) for col in zip(head, *table, strict=False)]
    for line in [head, *table]:
        print("  ".join(str(x).ljust(w) for x, w in zip(line, widths, strict=True)).rstrip())
    if dead:
        print("running (dead): its process died; the next run closes it abandoned and takes its files")
    return 0
