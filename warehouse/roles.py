"""The read-only analyst role on PostgreSQL: SELECT on the warehouse's tables and views, nothing else.

The loader's role owns the schema (it runs ``imr db-upgrade`` and every load); analysts connect
with a role that can only read. :func:`readonly_grant_sql` is the documented snippet,
:func:`grant_readonly` runs it (``imr db-grant-readonly ROLE``) as the schema owner.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from warehouse.engine import reading, transaction

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _check(what: str, name: str) -> None:
    if not _IDENTIFIER.match(name):
        raise ValueError(f"{what} name must match {_IDENTIFIER.pattern}: {name!r}")


def readonly_grant_sql(role: str, schema: str = "public", *, create: bool = False) -> list[str]:
    """The statements that make ``role`` a read-only analyst of the warehouse in ``schema``.

    USAGE on the schema and SELECT on every table and view in it, now and (through the default
    privileges of whoever runs them: the schema owner, i.e. the loader's role) on tables and
    views created later; nothing else. With ``create``, the role is created first (LOGIN, no
    password: set one, or rely on the server's authentication rules). Raises ``ValueError`` for a
    role or schema name that is not a plain lower-case identifier (they are spliced into DDL).
    """
    _check("role", role)
    _check("schema", schema)
    statements = [f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE'] if create else []
    return [
        *statements,
        f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"',
        f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"',
        f'ALTER DEFAULT PRIVILEGES IN SCHEMA "{schema}" GRANT SELECT ON TABLES TO "{role}"',
    ]


def grant_readonly(engine: Engine, role: str, *, schema: str | None = None, create: bool = False) -> list[str]:
    """Run :func:`readonly_grant_sql` on ``engine`` (PostgreSQL) in one transaction; returns the statements.

    ``schema`` defaults to the connection's current schema (the first of its ``search_path``).
    With ``create``, a role that exists already is only granted. Raises ``ValueError`` on SQLite
    (no roles), for a bad name, or for a role that does not exist without ``create``;
    :class:`imr.errors.WarehouseUnavailableError` when the server cannot be reached.
    """
    if engine.dialect.name != "postgresql":
        raise ValueError(f"roles need PostgreSQL; this warehouse is {engine.dialect.name}")
    with transaction(engine) as conn:
        target = schema or str(conn.execute(sa.text("SELECT current_schema()")).scalar_one())
        statements = readonly_grant_sql(role, target, create=create)
        exists = conn.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
        if create and exists:
            statements = readonly_grant_sql(role, target, create=False)
        elif not create and not exists:
            raise ValueError(f"role {role!r} does not exist: add --create to create it (LOGIN, no password)")
        for statement in statements:
            conn.exec_driver_sql(statement)
    return statements


def cannot_write(engine: Engine) -> str | None:
    """Why the connection's role cannot load the warehouse (PostgreSQL: no INSERT on its tables, or
    no CREATE in its schema before the first migration), or None when it can."""
    if engine.dialect.name != "postgresql":
        return None
    with reading(engine) as conn:
        user = str(conn.execute(sa.text("SELECT current_user")).scalar_one())
        exists = conn.execute(sa.text("SELECT to_regclass('ingest_batches') IS NOT NULL")).scalar_one()
        if exists:
            ok = conn.execute(sa.text("SELECT has_table_privilege('ingest_batches', 'INSERT')")).scalar_one()
        else:
            ok = conn.execute(sa.text("SELECT has_schema_privilege(current_schema(), 'CREATE')")).scalar_one()
    if ok:
        return None
    what = "write the warehouse tables" if exists else "create the warehouse tables"
    return f"role {user!r} cannot {what} (a read-only role?): use the loader's role in --db or IMR_DATABASE_URL"
