"""Database fixtures: the same test on a real SQLite file and on a real PostgreSQL server.

Enable with ``pytest_plugins = ["tests.fixtures_db"]`` in ``tests/conftest.py``.

* ``engine``: a migrated warehouse, parametrized over ``sqlite`` (a file under ``tmp_path``) and
  ``postgresql`` (``IMR_TEST_POSTGRES_URL``, default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``).
  Each PostgreSQL test gets its own fresh schema (``CREATE SCHEMA`` + ``search_path``), dropped
  afterwards, so tests never see each other's rows. PostgreSQL cases are marked ``postgres``
  and skipped when the server is unreachable.
* ``empty_engine``: the same, not migrated.
* :func:`postgres_schema`: such a fresh PostgreSQL schema, for fixtures of their own.
* :func:`wipe` deletes every row (for Hypothesis examples sharing one database).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from warehouse import make_engine, transaction, upgrade
from warehouse import schema as s

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def postgres_test_url() -> str:
    """The PostgreSQL server the tests use (``IMR_TEST_POSTGRES_URL``)."""
    return os.environ.get("IMR_TEST_POSTGRES_URL", DEFAULT_PG_URL)


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    """An engine on the test PostgreSQL server's default schema; skips when unreachable."""
    url = sa.make_url(postgres_test_url())
    admin = sa.create_engine(url, connect_args={"connect_timeout": 3}, pool_pre_ping=True)
    try:
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.DBAPIError as e:
        admin.dispose()
        pytest.skip(
            f"PostgreSQL unreachable at {url.render_as_string(hide_password=True)}: {type(e).__name__}"
        )
    yield admin
    admin.dispose()


@contextmanager
def postgres_schema(admin: Engine) -> Iterator[tuple[Engine, str]]:
    """A fresh, empty PostgreSQL schema and an engine whose ``search_path`` is that schema; both
    are disposed of (the schema dropped with everything in it) on leaving."""
    schema = f"imr_test_{uuid.uuid4().hex[:12]}"
    with admin.begin() as conn:
        conn.execute(sa.schema.CreateSchema(schema))
    url = admin.url.update_query_dict({"options": f"-csearch_path={schema}"})
    engine = make_engine(url)
    try:
        yield engine, schema
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(sa.schema.DropSchema(schema, cascade=True))


def _postgres_engine(admin: Engine) -> Iterator[Engine]:
    with postgres_schema(admin) as (engine, _schema):
        yield engine


@pytest.fixture(params=BACKENDS)
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty (not migrated) database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'db' / 'warehouse.db'}")
        yield engine
        engine.dispose()
    else:
        admin: Engine = request.getfixturevalue("postgres_admin")
        yield from _postgres_engine(admin)


@pytest.fixture
def engine(empty_engine: Engine) -> Engine:
    """A migrated warehouse (both backends)."""
    upgrade(empty_engine)
    return empty_engine


def wipe(engine: Engine) -> None:
    """Delete every row of every warehouse table (breaking the source_files <-> letters cycle first)."""
    with transaction(engine) as conn:
        conn.execute(sa.update(s.source_files).values(letter_id=None))
        for table in reversed(s.metadata.sorted_tables):
            conn.execute(sa.delete(table))


def count_rows(engine: Engine) -> dict[str, int]:
    """Rows per warehouse table."""
    with engine.connect() as conn:
        return {
            t.name: int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())
            for t in s.metadata.sorted_tables
        }
