"""Alembic environment of the warehouse: online only, on the connection handed in by the caller.

:func:`warehouse.migrations.upgrade` puts an open connection in ``config.attributes["connection"]``.
Batch mode is rendered so ``ALTER`` works on SQLite (move-and-copy) and PostgreSQL alike.
"""

from __future__ import annotations

from alembic import context

from warehouse.engine import make_engine
from warehouse.schema import metadata

config = context.config


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on the caller's connection, or on ``sqlalchemy.url`` if none was given."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("warehouse migrations need a connection or sqlalchemy.url")
    engine = make_engine(url)
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("offline (--sql) migrations are not supported; use warehouse.migrations.upgrade")
run_migrations_online()
