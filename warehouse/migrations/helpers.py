"""What several revisions write alike, written once. Frozen like the revisions: a helper emits the
same SQL for good, so a revision that uses it builds today what it built when it was written; a
revision that needs other SQL writes it out, or adds a helper of its own.

- :func:`create_views`, :func:`drop_views`: the report views a revision lists (its function
  ``views(dialect)``, which later revisions and ``rebuild.report_views_dropped`` read too), created
  in order and dropped last first;
- :func:`in_`: a CHECK expression over a set of values; :func:`add_checked_column`: a column with
  its named CHECK by plain ``ALTER TABLE ... ADD COLUMN`` (no rebuild of a table the views read);
- :func:`create_indexes`: indexes named by the naming convention (``ix_<table>_<columns>``);
  :func:`create_unique_where`: a unique index over the rows where a condition holds;
- :func:`pk`, :func:`fk`, :func:`unique`, :func:`check_in`: a table's constraints named as the
  naming convention of ``warehouse.schema`` names them (``pk_<table>``,
  ``fk_<table>_<column>_<referred table>``, ``uq_<table>_<columns>``, ``ck_<table>_<column>``);
- :data:`UUID`, :data:`SHA`, :func:`ts`: the types of ids, hashes and timestamps;
  :func:`nullable`, :func:`not_null`: columns of one type; :func:`letter_fields`,
  :func:`item_fields`: the columns of a letter's header and patient and of an item's fields as
  revision 0001 created them (``warehouse.schema`` declares them with these too).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

#: a revision's report views for a dialect: (name, SELECT) pairs in creation order
Views = Callable[[str], list[tuple[str, str]]]

UUID = sa.String(36)
SHA = sa.String(64)


def ts(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    """A timestamp column with its time zone (``NOT NULL`` unless ``nullable``)."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


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


def create_indexes(table: str, *columns: Sequence[str]) -> None:
    """Create an index on ``table`` over each of ``columns``, named ``ix_<table>_<column>_<column>...``."""
    for cols in columns:
        op.create_index(op.f(f"ix_{table}_{'_'.join(cols)}"), table, list(cols))


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


def pk(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    """The primary key of ``table`` over ``columns``, named ``pk_<table>``."""
    return sa.PrimaryKeyConstraint(*columns, name=op.f(f"pk_{table}"))


def fk(table: str, column: str, referred: str) -> sa.ForeignKeyConstraint:
    """The foreign key ``table.column`` -> ``referred.id``, named ``fk_<table>_<column>_<referred>``."""
    return sa.ForeignKeyConstraint([column], [f"{referred}.id"], name=op.f(f"fk_{table}_{column}_{referred}"))


def unique(table: str, *columns: str) -> sa.UniqueConstraint:
    """The unique constraint of ``table`` over ``columns``, named ``uq_<table>_<column>_<column>...``."""
    return sa.UniqueConstraint(*columns, name=op.f(f"uq_{table}_{'_'.join(columns)}"))


def check_in(table: str, column: str, values: Sequence[str]) -> sa.CheckConstraint:
    """The CHECK ``column IN (values)`` of ``table``, named ``ck_<table>_<column>``."""
    return sa.CheckConstraint(in_(column, values), name=op.f(f"ck_{table}_{column}"))


def nullable(type_: Any, *names: str) -> list[sa.Column[Any]]:
    """Nullable columns ``names`` of one type, in order."""
    return [sa.Column(name, type_, nullable=True) for name in names]


def not_null(type_: Any, *names: str) -> list[sa.Column[Any]]:
    """``NOT NULL`` columns ``names`` of one type, in order."""
    return [sa.Column(name, type_, nullable=False) for name in names]


def letter_fields() -> list[sa.Column[Any]]:
    """The columns of a letter's header and patient in ``letters``, ``layout`` to ``patient_occupation``,
    as revision 0001 created them. ``warehouse.schema`` declares them with this too: a revision that
    changes one of them spells the columns out in the schema instead of changing them here."""
    return [
        sa.Column("layout", sa.Text, nullable=True),
        *nullable(
            sa.Date, "date_assigned", "decision_date", "date_of_injury", "ur_denial_date", "application_received"
        ),
        sa.Column("priority", sa.String(16), nullable=True),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("patient_age", sa.Integer, nullable=True),
        sa.Column("patient_sex", sa.String(16), nullable=True),
        sa.Column("patient_occupation", sa.Text, nullable=True),
    ]


def item_fields() -> list[sa.Column[Any]]:
    """The columns of an item's fields in ``items``, ``ordinal`` to ``drug_class``, as revision 0001
    created them (``warehouse.schema`` declares them with this too, as with :func:`letter_fields`)."""
    return [
        sa.Column("ordinal", sa.Integer, nullable=False),
        sa.Column("request", sa.Text, nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        *nullable(sa.Text, "rationale", "service_category", "service_subcategory", "drug_class"),
    ]
