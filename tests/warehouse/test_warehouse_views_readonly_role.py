"""The read-only analyst role on PostgreSQL: SELECT on tables and views works, every write fails."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

import warehouse as w
from imr.cli import main
from reports import write_report
from tests.fixtures_db import postgres_schema, postgres_test_url
from tests.report_helpers import load_golds, synthetic_golds
from warehouse.roles import grant_readonly, readonly_grant_sql

pytestmark = pytest.mark.postgres


@pytest.fixture
def warehouse_schema(postgres_admin: Engine) -> Iterator[tuple[Engine, str]]:
    """A migrated warehouse in a fresh schema, loaded with a few letters, and the schema's name."""
    with postgres_schema(postgres_admin) as (engine, schema):
        w.upgrade(engine)
        load_golds(engine, synthetic_golds(6, seed=4))
        yield engine, schema


@pytest.fixture
def role(postgres_admin: Engine) -> Iterator[str]:
    """A role name unique to the test; the role (and whatever was granted to it) is dropped afterwards."""
    name = f"imr_analyst_{uuid.uuid4().hex[:10]}"
    yield name
    with postgres_admin.begin() as conn:
        exists = conn.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": name}).first()
        if exists:
            conn.exec_driver_sql(f'DROP OWNED BY "{name}"')
            conn.exec_driver_sql(f'DROP ROLE "{name}"')


def _url(role: str, schema: str) -> sa.URL:
    url = sa.make_url(postgres_test_url()).set(username=role, password=None)
    return url.update_query_dict({"options": f"-csearch_path={schema}"})


def _as(role: str, schema: str) -> Engine:
    return sa.create_engine(_url(role, schema))


def test_analyst_selects_views_and_tables_and_writes_nothing(warehouse_schema: tuple[Engine, str], role: str) -> None:
    engine, schema = warehouse_schema
    statements = grant_readonly(engine, role, create=True)
    assert statements == readonly_grant_sql(role, schema, create=True)
    analyst = _as(role, schema)
    try:
        with analyst.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM v_letters")).scalar_one() == 6
            assert conn.execute(sa.text("SELECT sum(items) FROM v_by_category")).scalar_one() > 0
            assert conn.execute(sa.text("SELECT count(*) FROM letters")).scalar_one() == 6
        writes = [
            "INSERT INTO letter_errors (letter_id, position, code, message) SELECT id, 99, 'x', 'x' FROM letters",
            "UPDATE letters SET priority = 'expedited'",
            "DELETE FROM guideline_citations",
            "CREATE TABLE analyst_scratch (x integer)",
            "CREATE VIEW analyst_view AS SELECT 1 AS x",
            "DROP VIEW v_monthly",
            "TRUNCATE items CASCADE",
        ]
        for statement in writes:
            with (
                pytest.raises(sa.exc.ProgrammingError, match=r"permission denied|must be owner"),
                analyst.begin() as conn,
            ):
                conn.exec_driver_sql(statement)
    finally:
        analyst.dispose()
    # nothing changed
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM letters WHERE priority = 'expedited'")).scalar_one() == sum(
            1 for g in synthetic_golds(6, seed=4) if g["letter"]["priority"] == "expedited"
        )


def test_tables_created_later_by_the_owner_are_readable_too(warehouse_schema: tuple[Engine, str], role: str) -> None:
    engine, schema = warehouse_schema
    grant_readonly(engine, role, create=True)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE later_table (x integer)")
        conn.exec_driver_sql("INSERT INTO later_table VALUES (1)")
    analyst = _as(role, schema)
    try:
        with analyst.connect() as conn:
            assert conn.execute(sa.text("SELECT x FROM later_table")).scalar_one() == 1
    finally:
        analyst.dispose()


def test_command_grants_an_existing_role(
    warehouse_schema: tuple[Engine, str], role: str, postgres_admin: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    engine, schema = warehouse_schema
    with postgres_admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE ROLE "{role}" LOGIN')
    url = engine.url.render_as_string(hide_password=False)
    assert main(["db-grant-readonly", role, "--db", url]) == 0
    assert f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO "{role}";' in capsys.readouterr().out
    analyst = _as(role, schema)
    try:
        with analyst.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM v_item_outcomes")).scalar_one() > 0
    finally:
        analyst.dispose()


def test_names_are_checked_before_they_reach_sql() -> None:
    for bad in ('x"; DROP TABLE letters; --', "Analyst", "", "a" * 64):
        with pytest.raises(ValueError):
            readonly_grant_sql(bad)
    assert main(["db-grant-readonly", "bad-name", "--print"]) == 2


def test_analyst_runs_the_report(warehouse_schema: tuple[Engine, str], role: str, tmp_path: Path) -> None:
    engine, schema = warehouse_schema
    grant_readonly(engine, role, create=True)
    analyst = w.make_engine(_url(role, schema))
    try:
        files = write_report(analyst, tmp_path)
    finally:
        analyst.dispose()
    assert files.data.totals.letters == 6
    assert "| letters | 6 | 6 | 6 |" in files.markdown.read_text(encoding="utf-8")


def test_the_front_door_of_roles_is_one_line_each(
    warehouse_schema: tuple[Engine, str], role: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A role that does not exist, granting without --create, ingesting as the read-only role: one
    line that says what to do, never a traceback."""
    engine, schema = warehouse_schema
    owner_url = engine.url.render_as_string(hide_password=False)
    assert main(["db-grant-readonly", role, "--db", owner_url]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "does not exist" in err and "--create" in err
    assert main(["db-grant-readonly", role, "--db", owner_url, "--create"]) == 0
    assert main(["db-grant-readonly", role, "--db", owner_url, "--create"]) == 0, "again: the role exists"
    capsys.readouterr()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    analyst = _url(role, schema).render_as_string(hide_password=False)
    assert main(["ingest", "--inbox", str(inbox), "--db", analyst]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "cannot write the warehouse tables" in err and "Traceback" not in err
    nobody = sa.make_url(analyst).set(username=f"{role}_nobody").render_as_string(hide_password=False)
    assert main(["batches", "--db", nobody]) == 1
    err = capsys.readouterr().err.strip()
    assert "the role (user) does not exist" in err and err.count("\n") == 0
