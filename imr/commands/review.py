"""Settle the letters the pipeline set aside for a reason a person can settle: an item decision or
a header value that could not be read safely (unresolved_item, ocr_low_confidence,
ocr_check_failed, no_items with a header), a failed critical expectation (dq_*), or a case whose
letters conflict (case_version_conflict). Each waits in the review queue with the letter as far
as it was read, where each value stands in its file, and the field paths in doubt.

  list              the waiting letters, oldest first: id, since (UTC), case number, codes, file
  show ID           one item as JSON: codes, doubtful paths, the partial letter, evidence
                    (--out DIR: also an HTML page of the file with each value marked on it)
  resolve ID        load the letter with your values (--set PATH=VALUE, repeatable): the same
                    validation and load as every letter, your name and note kept with it, the
                    file moved from quarantine to the archive
  reject ID         take it out of the queue (the file stays in quarantine), with a reason

Field paths: case_number, decision_date (YYYY-MM-DD), priority, patient.age,
reviewer.specialties (comma-separated), items[0].decision (upheld|overturned; 0-based item
index), items[0].reviewer_guideline.source, ... An empty value clears an optional field.

Examples:
  imr review list
  imr review show 12 --out /tmp/review
  imr review resolve 12 --set items[1].decision=overturned --by "A. Reviewer" --note "read on page 3"
  imr review reject 13 --by "A. Reviewer" --reason "a cover sheet, not a letter"
Exit status: 0 done, 1 validation refused the values (the item stays waiting) or the warehouse
is unreachable, 2 a usage error or an unknown or settled item.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from imr.commands.common import CommandError, add_db_argument, open_warehouse, warehouse_url

HELP = "list, show, resolve or reject the letters set aside for a person to settle"

EXIT_REFUSED = 1
EXIT_USAGE = 2


def _set(text: str) -> tuple[str, str]:
    path, sep, value = text.partition("=")
    if not sep or not path.strip():
        raise argparse.ArgumentTypeError(f"expected PATH=VALUE, e.g. items[0].decision=upheld (got {text!r})")
    return path.strip(), value


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``imr review`` and its actions."""
    sub = p.add_subparsers(dest="action", metavar="ACTION")
    ls = sub.add_parser("list", help="the waiting letters, oldest first")
    ls.add_argument("--json", action="store_true", help="print a JSON array (id, file, codes, case_number, since)")
    show = sub.add_parser("show", help="one item: codes, doubtful paths, partial letter, evidence (JSON)")
    show.add_argument("id", type=int, help="the item's id (see `imr review list`)")
    show.add_argument("--out", metavar="DIR", type=Path, help="also write an HTML page of the file, values marked")
    resolve = sub.add_parser("resolve", help="load the letter with your values and your name")
    resolve.add_argument("id", type=int, help="the item's id")
    resolve.add_argument(
        "--set",
        dest="sets",
        metavar="PATH=VALUE",
        type=_set,
        action="append",
        default=[],
        help="a value to set (repeatable), e.g. items[1].decision=overturned or decision_date=2016-03-04",
    )
    resolve.add_argument("--by", required=True, metavar="NAME", help="your name (kept with the letter)")
    resolve.add_argument("--note", metavar="TEXT", help="a note kept with the review")
    reject = sub.add_parser("reject", help="take the item out of the queue (the file stays in quarantine)")
    reject.add_argument("id", type=int, help="the item's id")
    reject.add_argument("--by", required=True, metavar="NAME", help="your name")
    reject.add_argument("--reason", required=True, metavar="TEXT", help="why (kept in the audit trail)")
    for q in (ls, show, resolve, reject):
        add_db_argument(q)


def _entry(item: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"id": item.id, "file": item.file, "codes": list(item.codes)}
    if item.case_number:
        out["case_number"] = item.case_number
    out["since"] = item.to_dict()["since"]
    return out


def _list(engine: Any, as_json: bool) -> int:
    from imr.settings import get_settings
    from pipeline import review

    items = review.waiting(engine)
    if as_json:
        print(json.dumps([_entry(i) for i in items], indent=2))
        return 0
    if not items:
        print("the review queue is empty")
        return 0
    head = ["id", "since (UTC)", "case number", "codes", "file"]
    rows = [
        [str(i.id), i.since.strftime("%Y-%m-%d %H:%M"), i.case_number or "-", ",".join(i.codes), i.file] for i in items
    ]
    widths = [max(len(x) for x in col) for col in zip(head, *rows, strict=False)]
    for line in [head, *rows]:
        print("  ".join(x.ljust(w) for x, w in zip(line, widths, strict=True)).rstrip())
    days = get_settings().review_backlog_days
    b = review.backlog(engine)
    print(
        f"{b.count} waiting, the oldest for {b.oldest_days or 0:.1f} days; {b.older_than(days)} waiting over "
        f"{days:g} days (IMR_REVIEW_BACKLOG_DAYS)"
    )
    return 0


def _show(engine: Any, item_id: int, out: Path | None) -> int:
    from pipeline import review

    item = review.get(engine, item_id)
    print(json.dumps(item.to_dict(), indent=2, ensure_ascii=False))
    if out is not None:
        page = review.write_item_page(item, out)
        if page is None:
            print(
                f"imr review: no page written: the file {item.file} cannot be read (or imr.show is not installed)",
                file=sys.stderr,
            )
            return EXIT_REFUSED
        print(page, file=sys.stderr)
    return 0


def run(args: argparse.Namespace) -> int:
    """Do the action; 0 when done, 1 when validation refused or the warehouse is unreachable,
    2 for a usage error or an unknown or settled item."""
    from imr.errors import ImrError, ReviewError

    if args.action is None:
        print(
            "imr review: say what to do: list, show ID, resolve ID or reject ID (see imr review --help)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        engine = open_warehouse(warehouse_url(args), create=False)
        from imr.settings import get_settings
        from pipeline import review

        if args.action == "list":
            return _list(engine, args.json)
        if args.action == "show":
            return _show(engine, args.id, args.out)
        if args.action == "reject":
            review.reject(args.id, args.by, args.reason, settings=get_settings())
            print(f"review item {args.id} rejected: its file stays in quarantine")
            return 0
        sets = dict(args.sets)
        if len(sets) != len(args.sets):
            raise ReviewError("a field path is set twice: give each --set PATH=VALUE once")
        outcome = review.resolve(args.id, sets, args.by, args.note, settings=get_settings())
    except ReviewError as e:
        print(f"imr review: {e}", file=sys.stderr)
        return EXIT_USAGE
    except (CommandError, ImrError) as e:
        print(f"imr review: {e}", file=sys.stderr)
        return 1
    if not outcome.resolved:
        print(f"imr review: {outcome.message}", file=sys.stderr)
        return EXIT_REFUSED
    print(outcome.message)
    return 0
