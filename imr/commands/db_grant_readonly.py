"""Make a PostgreSQL role a read-only analyst of the warehouse: SELECT on its tables and views, nothing else.

Run as the loader's role (the schema owner); it grants USAGE on the schema, SELECT on every
table and view in it, and SELECT on tables and views the owner creates later (default
privileges). --print only prints the SQL; --create creates the role first (LOGIN, no password).

Examples:
  imr db-grant-readonly analyst --db postgresql+psycopg://etl@db:5432/imr
  imr db-grant-readonly analyst --print --schema public
Exit status: 0 on success, 1 when the warehouse is unreachable or the grant fails, 2 on a bad name.
"""

from __future__ import annotations

import argparse
import sys

from imr.commands.common import add_db_argument

HELP = "grant a PostgreSQL role read-only access (SELECT) to the warehouse tables and views"


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``imr db-grant-readonly``."""
    p.add_argument("role", help="the role to grant (lower-case letters, digits, underscores)")
    add_db_argument(p)
    p.add_argument("--schema", default=None, help="schema of the warehouse (default: the connection's current schema)")
    p.add_argument("--create", action="store_true", help="create the role first (LOGIN, no password)")
    p.add_argument("--print", dest="print_only", action="store_true", help="only print the SQL (schema default public)")


def run(args: argparse.Namespace) -> int:
    """Grant (or print) and list the statements; 0 on success."""
    from sqlalchemy import exc

    import warehouse
    from imr.errors import WarehouseUnavailableError
    from imr.settings import get_settings
    from warehouse.roles import grant_readonly, readonly_grant_sql

    try:
        if args.print_only:
            statements = readonly_grant_sql(args.role, args.schema or "public", create=args.create)
        else:
            engine = warehouse.make_engine(args.db or get_settings().warehouse_url())
            statements = grant_readonly(engine, args.role, schema=args.schema, create=args.create)
    except ValueError as e:
        print(f"imr db-grant-readonly: {e}", file=sys.stderr)
        return 2
    except WarehouseUnavailableError as e:
        print(f"imr db-grant-readonly: {e}", file=sys.stderr)
        return 1
    except exc.DBAPIError as e:
        print(f"imr db-grant-readonly: the grant failed ({type(e).__name__}: {e.orig})", file=sys.stderr)
        return 1
    print(";\n".join(statements) + ";")
    return 0
