"""What several revisions write alike, written once. Frozen like the revisions: a helper emits the
same SQL for good, so a revision that uses it builds today what it built when it was written; a
revision that needs other SQL writes it out, or adds a helper of its own.

- :func:`create_views`, :func:`drop_views`: the report views a revision lists (its function
  ``views(dialect)``, which later revisions and ``rebuild.report_views_dropped`` read too), created
  in order and dropped last first;
- :func:`in_`: a CHECK expression over a set of values; :func:`add_checked_column`: a column with
  its named CHECK by plain ``ALTER TABLE ... ADD COLUMN`` (no rebuild of a table the views read);
- :func:`create_unique_where`: a unique index over the rows where a condition holds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

#: a revision's report views for a dialect: (name, SELECT) pairs in creation order
Views = Callable[[str], list[tuple[str, str]]]


def create_views(views: Views) -> None:
    """``CREATE VIEW`` each of ``views`` (for the connection's dialect), in order."""
    dialect = op.get_bind().dialect.name
    for name, select in views(dialect):
        op.execute(f"CREATE VIEW {name} AS {select}")


def drop_views(views: Views) -> None:
    """``DROP VIEW IF EXISTS`` each of ``views``, the last created first."""
    dialect = op.get_bind().dialect.name
    for name, _select in reversed(views(dialect)):
        op.execute(f"DROP VIEW IF EXISTS {name}")


def in_(column: str, values: Sequence[str]) -> str:
    """The CHECK expression ``column IN ('a', 'b')`` over constant values."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def add_checked_column(table: str, column: str, length: int, values: Sequence[str]) -> None:
    """Add the nullable column ``VARCHAR(length)`` with its CHECK ``ck_<table>_<column>`` (one of
    ``values``) by a plain ``ALTER TABLE ... ADD COLUMN`` (SQLite and PostgreSQL alike)."""
    op.execute(
        f"ALTER TABLE {table} ADD COLUMN {column} VARCHAR({length}) "
        f"CONSTRAINT ck_{table}_{column} CHECK ({in_(column, values)})"
    )


def create_unique_where(name: str, table: str, column: str, where: str) -> None:
    """Create the unique index ``name`` on ``table.column`` over the rows where ``where`` holds (a
    partial index, on SQLite and PostgreSQL alike)."""
    op.create_index(
        op.f(name),
        table,
        [column],
        unique=True,
        sqlite_where=sa.text(where),
        postgresql_where=sa.text(where),
    )
