"""Engines, the one transaction helper every write goes through, and error mapping.

* :func:`make_engine` builds an engine for SQLite (the embedded default) or PostgreSQL
  (``postgresql+psycopg://``). SQLite gets its parent folder created, WAL, a busy timeout,
  foreign keys ON and real ``BEGIN IMMEDIATE`` write transactions (so two writers wait for
  each other instead of failing on a lock upgrade).
* :func:`transaction` is ``engine.begin()`` with failures mapped: a warehouse that cannot be
  reached, a dropped connection, a lock timeout or a serialization failure becomes
  :class:`imr.errors.WarehouseUnavailableError` (transient: retry the task).
* :func:`reading` is the same for read-only work.
* :func:`in_transaction` takes an engine (a :func:`transaction` of its own) or the caller's
  connection (the write joins the caller's transaction): one function for both.
* :func:`insert_ignoring` is ``INSERT ... ON CONFLICT DO NOTHING`` in the engine's dialect.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from imr.errors import WarehouseUnavailableError

SQLITE_BUSY_TIMEOUT_MS = 30_000
PG_CONNECT_TIMEOUT_S = 10
_WRITE_OPTION = "imr_write"

# PostgreSQL SQLSTATE classes worth a retry: connection exception, transaction rollback
# (serialization failure, deadlock), insufficient resources, operator intervention, lock timeout.
_TRANSIENT_SQLSTATE_PREFIXES: tuple[str, ...] = ("08", "40", "53", "57P", "55P03")
_TRANSIENT_SQLITE_MESSAGES: tuple[str, ...] = ("database is locked", "database is busy", "unable to open")


def make_engine(url: str | sa.URL, *, echo: bool = False) -> Engine:
    """An engine for the warehouse at ``url`` (``sqlite:///path`` or ``postgresql+psycopg://...``).

    Nothing connects yet; the first :func:`transaction` does. For a SQLite file the parent
    folder is created; a bare ``postgresql://`` URL uses psycopg 3.
    Raises :class:`sqlalchemy.exc.ArgumentError` for a malformed URL.
    """
    u = sa.make_url(url)
    if u.drivername in ("postgresql", "postgres"):
        u = u.set(drivername="postgresql+psycopg")  # psycopg 3 is the driver we ship
    if u.get_backend_name() == "sqlite":
        return _sqlite_engine(u, echo=echo)
    connect_args: dict[str, Any] = {}
    if u.get_backend_name() == "postgresql" and u.get_driver_name() == "psycopg":
        connect_args["connect_timeout"] = PG_CONNECT_TIMEOUT_S
    return sa.create_engine(u, echo=echo, pool_pre_ping=True, connect_args=connect_args, hide_parameters=True)


def sqlite_file(url: sa.URL) -> Path | None:
    """The file of a SQLite URL (absolute), or None: another database, in memory, or a ``file:`` URI."""
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).expanduser().absolute()


def _sqlite_engine(u: sa.URL, *, echo: bool) -> Engine:
    file = sqlite_file(u)
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
    wal = bool(u.database) and u.database != ":memory:"  # a file, or a file: URI
    engine = sa.create_engine(u, echo=echo, pool_pre_ping=True, hide_parameters=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if wal:
                cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = bool(conn.get_execution_options().get(_WRITE_OPTION))
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def is_transient(error: BaseException) -> bool:
    """True when ``error`` (a SQLAlchemy DBAPI error) is worth a retry: outage, lock, conflict."""
    if isinstance(error, exc.InterfaceError):
        return True
    if not isinstance(error, exc.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    orig = error.orig
    sqlstate = getattr(orig, "sqlstate", None)
    if isinstance(sqlstate, str) and sqlstate.startswith(_TRANSIENT_SQLSTATE_PREFIXES):
        return True
    if isinstance(error, exc.OperationalError):
        message = str(orig).lower()
        return any(m in message for m in _TRANSIENT_SQLITE_MESSAGES) or (
            sqlstate is None and type(orig).__module__.startswith("psycopg")
        )
    return False


#: Phrases of driver messages -> the one-line reason users read (never the driver's text itself,
#: which may echo connection parameters).
_REASONS: tuple[tuple[str, str], ...] = (
    ('role "', "the role (user) does not exist"),
    ("does not exist", "the database does not exist"),
    ("password authentication failed", "authentication failed"),
    ("authentication failed", "authentication failed"),
    ("no password supplied", "authentication failed (no password)"),
    ("connection refused", "connection refused (is the server running on that host and port?)"),
    ("could not translate host name", "unknown host"),
    ("name or service not known", "unknown host"),
    ("timeout expired", "connection timed out"),
    ("unable to open database file", "cannot open the SQLite file (does its folder exist?)"),
    ("database is locked", "the database is locked"),
)


def describe_error(error: BaseException) -> str:
    """A short reason for a database error (no parameters, no password): e.g. ``connection refused``."""
    orig = getattr(error, "orig", None) or error
    text = str(orig).lower()
    for phrase, reason in _REASONS:
        if phrase in text:
            return reason
    return type(orig).__name__


def _unavailable(engine: Engine, error: BaseException) -> WarehouseUnavailableError:
    where = engine.url.render_as_string(hide_password=True)
    return WarehouseUnavailableError(f"warehouse unavailable ({where}): {describe_error(error)}")


def _connect(engine: Engine) -> Connection:
    try:
        return engine.connect()
    except (exc.OperationalError, exc.InterfaceError) as e:
        raise _unavailable(engine, e) from e


@contextmanager
def transaction(engine: Engine, *, foreign_keys_off: bool = False) -> Iterator[Connection]:
    """``with transaction(engine) as conn:`` — one write transaction, committed on exit.

    Rolls back when the block raises. Raises :class:`WarehouseUnavailableError` when the
    warehouse cannot be reached or the failure is transient (lock, dropped connection,
    serialization failure); other database errors (e.g. ``IntegrityError``) propagate.
    ``foreign_keys_off``: on SQLite, foreign keys are not enforced during this transaction (the
    migrations' table rebuilds; the caller checks them before the commit), on again after it.
    """
    with _connect(engine) as conn:
        conn.execution_options(**{_WRITE_OPTION: True})
        raw = conn.connection.dbapi_connection if foreign_keys_off and engine.dialect.name == "sqlite" else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys = OFF")  # outside the transaction (a no-op inside one)
        try:
            with conn.begin():
                yield conn
        except exc.DBAPIError as e:
            if is_transient(e):
                raise _unavailable(engine, e) from e
            raise
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys = ON")


@contextmanager
def in_transaction(bind: Engine | Connection) -> Iterator[Connection]:
    """``with in_transaction(bind) as conn:`` — the caller's connection as it is (inside the
    caller's transaction, which commits what is written with the rest), or for an engine a
    :func:`transaction` of its own."""
    if isinstance(bind, Connection):
        yield bind
        return
    with transaction(bind) as conn:
        yield conn


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """``with reading(engine) as conn:`` — a read-only unit of work (rolled back on exit).

    Raises :class:`WarehouseUnavailableError` like :func:`transaction`.
    """
    with _connect(engine) as conn:
        try:
            with conn.begin() as tx:
                yield conn
                tx.rollback()
        except exc.DBAPIError as e:
            if is_transient(e):
                raise _unavailable(engine, e) from e
            raise


#: How many keys one ``IN (...)`` lists (well under SQLite's and PostgreSQL's parameter limits).
IN_BATCH = 500


def key_batches(keys: Sequence[Any]) -> Iterator[Sequence[Any]]:
    """``keys`` in slices of at most :data:`IN_BATCH`, one ``IN (...)`` each."""
    for i in range(0, len(keys), IN_BATCH):
        yield keys[i : i + IN_BATCH]


def select_in(conn: Connection, stmt: sa.Select[Any], column: sa.ColumnElement[Any], keys: Sequence[Any]) -> list[Any]:
    """The rows of ``stmt`` whose ``column`` is one of ``keys`` (a statement per :func:`key_batches`)."""
    rows: list[Any] = []
    for batch in key_batches(keys):
        rows += conn.execute(stmt.where(column.in_(batch))).all()
    return rows


def insert_ignoring(
    conn: Connection, table: sa.Table, rows: Sequence[dict[str, Any]], *, keys: Sequence[str]
) -> int:
    """``INSERT ... ON CONFLICT (keys) DO NOTHING`` of ``rows``; returns how many were inserted."""
    if not rows:
        return 0
    name = conn.dialect.name
    if name == "postgresql":
        stmt: Any = postgresql.insert(table).on_conflict_do_nothing(index_elements=list(keys))
    elif name == "sqlite":
        stmt = sqlite.insert(table).on_conflict_do_nothing(index_elements=list(keys))
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise NotImplementedError(f"unsupported warehouse dialect: {name}")
    result = conn.execute(stmt, list(rows))
    return max(result.rowcount, 0)


def upsert(
    conn: Connection,
    table: sa.Table,
    rows: Sequence[dict[str, Any]],
    *,
    keys: Sequence[str],
    update: Sequence[str],
) -> None:
    """``INSERT ... ON CONFLICT (keys) DO UPDATE SET update = excluded.update`` of ``rows``."""
    if not rows:
        return
    name = conn.dialect.name
    if name == "postgresql":
        pg = postgresql.insert(table)
        stmt: Any = pg.on_conflict_do_update(
            index_elements=list(keys), set_={c: pg.excluded[c] for c in update}
        )
    elif name == "sqlite":
        lite = sqlite.insert(table)
        stmt = lite.on_conflict_do_update(
            index_elements=list(keys), set_={c: lite.excluded[c] for c in update}
        )
    else:  # pragma: no cover
        raise NotImplementedError(f"unsupported warehouse dialect: {name}")
    conn.execute(stmt, list(rows))
