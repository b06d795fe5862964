"""Migrations: upgrade from empty, downgrade to base, and the revisions build exactly the metadata."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine

from warehouse import current_revision, downgrade, head_revision, upgrade
from warehouse import schema as s

TABLES = {t.name for t in s.metadata.sorted_tables}


def _tables(engine: Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


def test_upgrade_from_empty_builds_every_table(empty_engine: Engine) -> None:
    assert current_revision(empty_engine) is None
    upgrade(empty_engine)
    assert current_revision(empty_engine) == head_revision() is not None
    assert _tables(empty_engine) == TABLES


def test_upgrade_twice_is_a_no_op(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    upgrade(empty_engine)
    assert current_revision(empty_engine) == head_revision()


def test_downgrade_to_base_and_up_again(engine: Engine) -> None:
    downgrade(engine, "base")
    assert current_revision(engine) is None
    assert _tables(engine) == set()
    upgrade(engine)
    assert _tables(engine) == TABLES


def test_downgrade_with_data(engine: Engine) -> None:
    from tests.warehouse_helpers import load_one

    load_one(engine)
    downgrade(engine, "base")
    assert _tables(engine) == set()


def test_revisions_match_the_metadata(engine: Engine) -> None:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, s.metadata)
    assert diff == []


def test_constraints_exist(engine: Engine) -> None:
    insp = sa.inspect(engine)
    uniques = {tuple(u["column_names"]) for u in insp.get_unique_constraints("letters")}
    assert ("content_sha256",) in uniques and ("case_number",) not in uniques  # versions of a case (0008)
    indexes = {i["name"]: i for i in insp.get_indexes("letters")}
    assert indexes["uq_letters_current_case_number"]["unique"]  # one current letter per case number
    assert {c["name"] for c in insp.get_check_constraints("letters")} >= {
        "ck_letters_outcome",
        "ck_letters_priority",
        "ck_letters_patient_sex",
        "ck_letters_version_status",
    }
    assert ("batch_id", "sha256", "inbox", "rel_path") in {
        tuple(u["column_names"]) for u in insp.get_unique_constraints("source_files")
    }
    fks = {
        (tuple(f["constrained_columns"]), f["referred_table"]) for f in insp.get_foreign_keys("source_files")
    }
    assert (("letter_id",), "letters") in fks and (("batch_id",), "ingest_batches") in fks
    checks = {c["name"] for c in insp.get_check_constraints("items")}
    assert "ck_items_decision" in checks
