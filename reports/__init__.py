"""The report users open: overturn rates, trends, services, guidelines, reviewers, turnaround, data quality.

Reads the warehouse's report views (revision 0002, :mod:`warehouse.views`) through SQLAlchemy;
every aggregate is computed by the database. Prefect-free and Great-Expectations-free; shows
figures, counts and codes, never letter text.

API::

    write_report(engine, out_dir, since=None, until=None) -> ReportFiles   # report.html + report.md
    headline_rows(engine, since=None, until=None) -> list[dict[str, str | int]]
        # keys HEADLINE_COLUMNS = (figure, value, count, of); for a Prefect table artifact
    collect(engine, period=None) -> ReportData                              # every figure, typed
    Period(since, until)                                                    # decision dates, inclusive

Modules: ``queries`` (SQL through the views), ``data`` (one read), ``figures`` (formatting:
one decimal and ``%``, ``n<10`` for small bases), ``tables`` (sections as text cells),
``charts`` (matplotlib SVG), ``html``, ``markdown``, ``build``, ``headline``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reports.data import ReportData, collect
from reports.headline import HEADLINE_COLUMNS, headline_rows
from reports.queries import Period

if TYPE_CHECKING:
    from reports.build import ReportFiles, write_report


def __getattr__(name: str) -> Any:
    """``write_report`` and ``ReportFiles`` on first use: they bring matplotlib (half a second and
    tens of MB), which the flow's headline artifact and the chunk workers never need."""
    if name in ("write_report", "ReportFiles"):
        from reports import build

        return getattr(build, name)
    raise AttributeError(f"module 'reports' has no attribute {name!r}")


__all__ = ["HEADLINE_COLUMNS", "Period", "ReportData", "ReportFiles", "collect", "headline_rows", "write_report"]
