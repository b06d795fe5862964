"""Engines: SQLite settings, the transaction helper, and an unreachable warehouse."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

import warehouse as w
from imr.errors import TransientError, WarehouseUnavailableError
from warehouse import schema as s

CLOSED_PORT_URL = "postgresql+psycopg://postgres@127.0.0.1:1/test"


def test_sqlite_engine_creates_folder_and_sets_pragmas(tmp_path: Path) -> None:
    db = tmp_path / "deep" / "er" / "warehouse.db"
    engine = w.make_engine(f"sqlite:///{db}")
    try:
        assert db.parent.is_dir()
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    finally:
        engine.dispose()


def test_transaction_commits_or_rolls_back(engine: Engine) -> None:
    with w.transaction(engine) as conn:
        conn.execute(
            sa.insert(s.ingest_batches).values(
                id="B1", kind="ingest", status="running", started_at=sa.func.now(), inboxes=[]
            )
        )
    with pytest.raises(RuntimeError), w.transaction(engine) as conn:
        conn.execute(
            sa.insert(s.ingest_batches).values(
                id="B2", kind="ingest", status="running", started_at=sa.func.now(), inboxes=[]
            )
        )
        raise RuntimeError("boom")
    assert [b.id for b in w.list_batches(engine)] == ["B1"]


def test_unreachable_postgres_is_a_transient_error() -> None:
    engine = w.make_engine(CLOSED_PORT_URL)
    try:
        with pytest.raises(WarehouseUnavailableError) as info:
            w.start_batch(engine, "ingest", ["/in"])
        assert isinstance(info.value, TransientError) and info.value.transient
        assert info.value.code == "warehouse_unavailable"
        with pytest.raises(WarehouseUnavailableError):
            w.upgrade(engine)
        with pytest.raises(WarehouseUnavailableError):
            list(w.export_records(engine))
        with pytest.raises(WarehouseUnavailableError):
            w.get_batch(engine, "x")
    finally:
        engine.dispose()


def test_unopenable_sqlite_is_a_transient_error(tmp_path: Path) -> None:
    folder = tmp_path / "is-a-folder.db"
    folder.mkdir()
    engine = w.make_engine(f"sqlite:///{folder}")
    try:
        with pytest.raises(WarehouseUnavailableError):
            w.get_batch(engine, "x")
    finally:
        engine.dispose()


def test_locked_sqlite_is_a_transient_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    engine = w.make_engine(url)
    w.upgrade(engine)
    impatient = sa.create_engine(url, connect_args={"timeout": 0})
    try:
        # the first connection holds the write lock (BEGIN IMMEDIATE)
        with w.transaction(engine), impatient.connect() as conn:
            with pytest.raises(sa.exc.OperationalError) as info:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            assert w.is_transient(info.value)
    finally:
        impatient.dispose()
        engine.dispose()


def test_other_errors_are_not_transient(engine: Engine) -> None:
    with (
        pytest.raises(sa.exc.ProgrammingError)
        if engine.dialect.name == "postgresql"
        else pytest.raises(sa.exc.OperationalError) as info,
        w.transaction(engine) as conn,
    ):
        conn.execute(sa.text("SELECT * FROM no_such_table"))
    assert not w.is_transient(info.value)
