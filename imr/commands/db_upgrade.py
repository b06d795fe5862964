"""Create or migrate the warehouse schema to the newest revision (Alembic, run in code).

`imr ingest` also migrates on first use; run this before pointing other tools at a new database.

Examples:
  imr db-upgrade
  imr db-upgrade --db postgresql+psycopg://etl@db:5432/imr
Exit status: 0 on success, 1 when the warehouse is unreachable.
"""

from __future__ import annotations

import argparse

from imr.commands.common import CommandError, add_db_argument, fail, open_warehouse, warehouse_url

HELP = "create or migrate the warehouse schema"


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``imr db-upgrade``."""
    add_db_argument(p)


def run(args: argparse.Namespace) -> int:
    """Migrate to head and print the revision; 0 on success, 1 when unreachable."""
    import sqlalchemy as sa

    import warehouse
    from imr.errors import ImrError

    try:
        url = warehouse_url(args)
        engine = open_warehouse(url, create=True)
        warehouse.upgrade(engine)
        revision = warehouse.current_revision(engine)
    except (CommandError, ImrError) as e:
        return fail("db-upgrade", e)
    shown = sa.make_url(url).render_as_string(hide_password=True)
    print(f"warehouse {shown} at revision {revision}")
    return 0
