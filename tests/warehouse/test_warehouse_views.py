"""The report views: created by the migrations on SQLite and PostgreSQL, declared right, same rows on both."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

import warehouse as w
from imr.outcomes import ExpectationResult, FileStatus
from reports import Period, collect
from tests.fixtures_db import postgres_schema
from tests.report_helpers import load_golds, synthetic_golds
from warehouse import views as v

# columns whose values are generated per database (uuids, load times)
PER_DATABASE = {"item_id", "letter_id", "batch_id", "loaded_at", "batch_started_at", "source_file_id", "since"}


def _rows(engine: Engine, view: sa.Table) -> list[tuple[Any, ...]]:
    cols = [c for c in view.c if c.name not in PER_DATABASE]
    with engine.connect() as conn:
        rows = conn.execute(sa.select(*cols)).all()
    return sorted((tuple(r) for r in rows), key=repr)


def test_migrations_create_every_view_with_its_declared_columns(engine: Engine) -> None:
    insp = sa.inspect(engine)
    assert set(v.VIEW_NAMES) <= set(insp.get_view_names())
    for name, table in v.view_metadata.tables.items():
        assert [c["name"] for c in insp.get_columns(name)] == [c.name for c in table.c], name
    # views are not tables: the table-level tooling (autogenerate, wipe) never sees them
    assert not set(v.VIEW_NAMES) & set(insp.get_table_names())


def test_downgrade_to_0001_drops_the_views_and_upgrade_restores_them(engine: Engine) -> None:
    load_golds(engine, synthetic_golds(5))
    w.downgrade(engine, "0001")
    assert not set(v.VIEW_NAMES) & set(sa.inspect(engine).get_view_names())
    with engine.connect() as conn:  # the data is untouched
        assert conn.execute(sa.text("SELECT count(*) FROM letters")).scalar_one() == 5
    w.upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(v.v_letters)).scalar_one() == 5


def test_aggregate_views_equal_the_report(engine: Engine) -> None:
    load_golds(engine, synthetic_golds(60, seed=3))
    data = collect(engine, Period())
    with engine.connect() as conn:
        by_sub = {
            (r.service_category, r.service_subcategory): (r.items, r.overturned_items)
            for r in conn.execute(sa.select(v.v_by_category))
        }
        monthly = {
            r.decision_month: (r.letters, r.items, r.overturned_items) for r in conn.execute(sa.select(v.v_monthly))
        }
        by_drug = {r.drug_class: r.items for r in conn.execute(sa.select(v.v_by_drug_class))}
        by_spec = {r.specialty: (r.letters, r.items) for r in conn.execute(sa.select(v.v_by_specialty))}
        by_guideline = {(r.party, r.source): r.items for r in conn.execute(sa.select(v.v_by_guideline))}
        turnaround = {
            r.decision_month: (r.letters, r.median_days, r.p90_days)
            for r in conn.execute(sa.select(v.v_turnaround_monthly))
        }
    assert by_sub == {g.key: (g.items, g.overturned) for g in data.subcategories}
    assert monthly == {m.month: (m.letters, m.items, m.overturned_items) for m in data.months}
    assert by_drug == {g.key[0]: g.items for g in data.drug_classes}
    assert by_spec == {g.key[0]: (g.letters, g.items) for g in data.specialties}
    assert by_guideline == {
        **{("reviewer", g.key[0]): g.items for g in data.reviewer_guidelines},
        **{("claims_administrator", g.key[0]): g.items for g in data.claims_guidelines},
    }
    assert turnaround == {t.month: (t.letters, t.median, t.p90) for t in data.turnaround_months}


@pytest.fixture
def both(tmp_path: Path, postgres_admin: Engine) -> Iterator[tuple[Engine, Engine]]:
    """A migrated SQLite warehouse and a migrated PostgreSQL schema."""
    lite = w.make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    with postgres_schema(postgres_admin) as (pg, _schema):
        try:
            w.upgrade(lite)
            w.upgrade(pg)
            yield lite, pg
        finally:
            lite.dispose()


def _queue_one(engine: Engine, batch: str) -> None:
    """A letter set aside for a person to settle (the review queue's view has a row)."""
    from tests.warehouse_helpers import make_record

    record = make_record(sha="f" * 64, path="queued.txt", case="CM13-0000099")
    fid = w.register_file(engine, batch, "/in", "queued.txt", record.source.sha256, 1, "text/plain", "/q/queued.txt")
    codes = ["dq_priority_in_set"]
    w.set_aside(engine, fid, FileStatus.QUARANTINED, codes, review=w.item_of(record, codes))


@pytest.mark.postgres
def test_views_return_identical_rows_on_sqlite_and_postgresql(both: tuple[Engine, Engine]) -> None:
    lite, pg = both
    golds = synthetic_golds(80, seed=7)
    for engine in both:
        batch = load_golds(engine, golds)
        w.store_dq_results(engine, batch, [ExpectationResult("letters", "expect_items_present", "warning", 80, 3)])
        _queue_one(engine, batch)
    for name, view in v.view_metadata.tables.items():
        on_sqlite, on_postgres = _rows(lite, view), _rows(pg, view)
        assert on_sqlite, name
        assert on_sqlite == on_postgres, name
    # dates come back as dates on both, months as 'YYYY-MM'
    row = next(r for r in _rows(lite, v.v_letters) if r[4] is not None)
    assert isinstance(row[4], dt.date)
    with lite.connect() as conn:
        months = {m for (m,) in conn.execute(sa.select(v.v_letters.c.decision_month)) if m}
    assert months and all(len(m) == 7 and m[4] == "-" for m in months)
