"""Alembic environment of the warehouse: online only, on the connection handed in by the caller.

:func:`warehouse.migrations.upgrade` puts an open connection in ``config.attributes["connection"]``.
Batch mode is rendered so ``ALTER`` works on SQLite (move-and-copy) and PostgreSQL alike.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from warehouse.engine import make_engine, transaction
from warehouse.schema import metadata

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on the caller's connection, else on ``sqlalchemy.url`` or the settings' URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        from imr.settings import get_settings

        url = get_settings().warehouse_url()
    engine = make_engine(url)
    with transaction(engine) as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("offline (--sql) migrations are not supported; use warehouse.migrations.upgrade")
run_migrations_online()
