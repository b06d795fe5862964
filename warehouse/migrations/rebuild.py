"""For revisions after 0002: a table the report views read cannot be rebuilt under them (SQLite
refuses to rename over a viewed table; PostgreSQL refuses to drop it). Such a revision changes the
table with plain ADD COLUMN where it can, and inside :func:`report_views_dropped` where it must."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def report_views_dropped() -> Iterator[None]:
    """Drop the views of revision 0002 (its frozen SQL), run the block, create them again."""
    path = Path(__file__).with_name("versions") / "0002_report_views.py"
    spec = importlib.util.spec_from_file_location("imr_revision_0002", path)
    assert spec is not None and spec.loader is not None
    views = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(views)
    views.downgrade()
    yield
    views.upgrade()
