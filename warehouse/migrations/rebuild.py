"""For revisions after 0002: a table the report views read cannot be rebuilt under them (SQLite
refuses to rename over a viewed table; PostgreSQL refuses to drop it). Such a revision changes the
table with plain ADD COLUMN where it can, and inside :func:`report_views_dropped` where it must."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from warehouse.migrations.helpers import create_views, drop_views


def load_revision(name: str) -> ModuleType:
    """The revision script ``versions/<name>.py`` as a module (to reuse its frozen SQL)."""
    path = Path(__file__).with_name("versions") / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"imr_revision_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextmanager
def report_views_dropped(revision: str = "0002_report_views") -> Iterator[None]:
    """Drop the report views as ``revision`` created them (its frozen SQL), run the block, create
    them again. The views of the warehouse are those of 0002 up to revision 0007; revisions after
    0008 pass ``"0008_case_versions"`` (whose views read only the current letter of each case)."""
    views = load_revision(revision).views
    drop_views(views)
    yield
    create_views(views)
