"""``write_report``: read the warehouse once, write ``report.html`` and ``report.md`` into a folder."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from reports import charts, html, markdown, tables
from reports.data import ReportData, collect
from reports.queries import Period

TITLE = "IMR determinations report"


@dataclass(frozen=True)
class ReportFiles:
    """What :func:`write_report` wrote, and the figures it wrote them from."""

    html: Path
    markdown: Path
    data: ReportData


def _write_atomically(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide the report from its readers
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_report(
    engine: Engine,
    out_dir: Path,
    since: dt.date | None = None,
    until: dt.date | None = None,
    *,
    generated_at: dt.datetime | None = None,
) -> ReportFiles:
    """Write ``out_dir/report.html`` (self-contained, inline SVG charts) and ``out_dir/report.md``.

    Letters decided from ``since`` to ``until`` (inclusive; None: open). Creates ``out_dir``;
    each file is replaced atomically. Raises :class:`imr.errors.WarehouseUnavailableError` when
    the warehouse cannot be reached, ``ValueError`` when ``since`` is after ``until``.
    """
    if since is not None and until is not None and since > until:
        raise ValueError(f"--from {since} is after --to {until}")
    data = collect(engine, Period(since, until))
    when = (generated_at or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M UTC")
    subtitle = f"California DWC Independent Medical Review, {data.period.describe()}; generated {when} by imr-etl."
    parts = tables.sections(data)
    rendered = charts.render(data)
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path, md_path = out_dir / "report.html", out_dir / "report.md"
    _write_atomically(html_path, html.render(TITLE, subtitle, parts, rendered))
    _write_atomically(md_path, markdown.render(TITLE, subtitle, parts, {k: c.title for k, c in rendered.items()}))
    return ReportFiles(html_path, md_path, data)
