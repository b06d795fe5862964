"""Alembic migrations of the warehouse, run in code (no ``alembic.ini``, no reliance on the CWD).

``upgrade(engine)`` brings a database (empty or older) to the newest revision;
``downgrade(engine, "base")`` removes every table. New revisions go in ``versions/``
(``alembic -c <ini with script_location = warehouse/migrations> revision -m "..."``, or copy
``0001_initial.py``); ``env.py`` renders batch operations so the same revision works on SQLite.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from warehouse.engine import reading, transaction

SCRIPT_LOCATION = Path(__file__).resolve().parent


def alembic_config() -> Config:
    """An Alembic config built in code, pointing at this package's migration scripts."""
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPT_LOCATION))
    cfg.set_main_option("path_separator", "os")
    return cfg


#: The PostgreSQL advisory lock a migration holds for its transaction (an arbitrary constant).
MIGRATION_LOCK_KEY = 0x494D52  # "IMR"


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the warehouse at ``engine`` up to ``revision`` (default the newest), in one transaction.

    Raises :class:`imr.errors.WarehouseUnavailableError` when the database is unreachable.
    """
    cfg = alembic_config()
    with transaction(engine, foreign_keys_off=True) as conn:  # SQLite: rebuilds of referenced tables
        if conn.dialect.name == "postgresql":  # two runs starting on an empty warehouse migrate one at a time
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        _check_foreign_keys(conn)


def _check_foreign_keys(conn: sa.Connection) -> None:
    """Raise when a migration left a row pointing nowhere (SQLite, whose keys were off meanwhile)."""
    if conn.dialect.name == "sqlite" and conn.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
        raise RuntimeError("the migration left rows whose foreign keys point nowhere; it was rolled back")


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Migrate the warehouse down to ``revision`` (default ``base``: drop every table)."""
    cfg = alembic_config()
    with transaction(engine, foreign_keys_off=True) as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)
        _check_foreign_keys(conn)


def current_revision(engine: Engine) -> str | None:
    """The revision the warehouse is at, or None for an empty (never migrated) database."""
    with reading(engine) as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    """The newest revision shipped in ``versions/``."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


__all__ = ["SCRIPT_LOCATION", "alembic_config", "current_revision", "downgrade", "head_revision", "upgrade"]
