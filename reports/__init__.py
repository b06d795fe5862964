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

from reports.build import ReportFiles, write_report
from reports.data import ReportData, collect
from reports.headline import HEADLINE_COLUMNS, headline_rows
from reports.queries import Period

__all__ = ["HEADLINE_COLUMNS", "Period", "ReportData", "ReportFiles", "collect", "headline_rows", "write_report"]
