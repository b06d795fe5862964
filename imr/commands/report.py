"""Write the report users open: report.html (one self-contained file, charts inline) and report.md.

Letters, items and the share of items overturned; by decision month, DWC service category and
subcategory, drug class, guideline source (reviewer and claims administrator), reviewer
specialty and priority; days from application received to decision (median, p90); data quality
per batch. Every rate has its count beside it; rates over fewer than 10 items read "n<10".
Aggregated by the database through the report views (see docs/report.md).

Examples:
  imr report --out build/report
  imr report --db postgresql+psycopg://analyst@db:5432/imr --out /srv/reports/2017 --from 2017-01-01 --to 2017-12-31
Exit status: 0 on success, 1 when the warehouse is unreachable or has no report views yet
(run `imr db-upgrade`), 2 on a usage error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from imr.commands.common import add_db_argument

HELP = "write report.html and report.md: overturn rates, trends, services, guidelines, turnaround"


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from e


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``imr report``."""
    add_db_argument(p)
    p.add_argument("--out", metavar="DIR", type=Path, required=True, help="folder for report.html and report.md")
    p.add_argument("--from", dest="since", metavar="DATE", type=_date, help="first decision date (inclusive)")
    p.add_argument("--to", dest="until", metavar="DATE", type=_date, help="last decision date (inclusive)")


def run(args: argparse.Namespace) -> int:
    """Write the report and print where; 0 on success, 1 when the warehouse cannot be read."""
    from sqlalchemy import exc

    from imr.commands.common import CommandError, fail, open_warehouse, warehouse_url
    from imr.errors import ImrError
    from reports import write_report

    try:
        engine = open_warehouse(warehouse_url(args), create=False)
        files = write_report(engine, args.out, args.since, args.until)
    except (CommandError, ImrError) as e:
        return fail("report", e)
    except exc.DBAPIError as e:
        print(f"imr report: cannot read the report views ({type(e).__name__}); run `imr db-upgrade`", file=sys.stderr)
        return 1
    except ValueError as e:
        print(f"imr report: {e}", file=sys.stderr)
        return 2
    t = files.data.totals
    print(f"{files.html}\n{files.markdown}")
    print(f"{t.letters:,} letters, {t.items:,} items, {t.overturned_items:,} overturned", file=sys.stderr)
    return 0
