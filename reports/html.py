"""``report.html``: one self-contained page (inline CSS and SVG charts; no script, no external link)."""

from __future__ import annotations

from html import escape

from reports.charts import Chart
from reports.tables import Section, Table

FOLD_ROWS = 15

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1f2933;
 max-width:1060px;margin:0 auto;padding:24px 28px;background:#fff}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 8px;border-bottom:1px solid #d8dee4;
 padding-bottom:4px}.meta{color:#616e7c;margin:0 0 16px}.note{color:#3e4c59;margin:4px 0 10px}
nav a{margin-right:12px;color:#2f6ea5;text-decoration:none}
table{border-collapse:collapse;margin:8px 0 14px;font-variant-numeric:tabular-nums}
th,td{padding:3px 10px;border-bottom:1px solid #e4e7eb;text-align:left;vertical-align:top}
th{background:#f5f7fa;font-weight:600}td.n,th.n{text-align:right}
caption{caption-side:bottom;text-align:left;color:#616e7c;font-size:12px;padding-top:4px}
figure{margin:10px 0 18px}figcaption{color:#616e7c;font-size:12px}figure svg{max-width:100%;height:auto}
.tiles{display:flex;flex-wrap:wrap;gap:12px;margin:8px 0 16px}.tile{border:1px solid #d8dee4;
 border-radius:6px;padding:8px 14px;min-width:150px}.tile b{display:block;font-size:22px}
.tile span{color:#616e7c;font-size:12px}
details{margin:8px 0 14px}summary{cursor:pointer;color:#2f6ea5}
"""


def _table(t: Table) -> str:
    head = "".join(
        f'<th class="n">{escape(c)}</th>' if n else f"<th>{escape(c)}</th>"
        for c, n in zip(t.columns, t.numeric, strict=True)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="n">{escape(c)}</td>' if n else f"<td>{escape(c)}</td>"
            for c, n in zip(row, t.numeric, strict=True)
        )
        + "</tr>"
        for row in t.rows
    )
    if not t.rows:
        body = f'<tr><td colspan="{len(t.columns)}">no rows</td></tr>'
    caption = f"<caption>{escape(t.caption)}</caption>" if t.caption else ""
    table = f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    if len(t.rows) > FOLD_ROWS:  # long tables fold away; the charts above them carry the trend
        what = t.title or t.columns[0]
        return f"<details><summary>{escape(what)}: show all {len(t.rows):,} rows</summary>{table}</details>"
    return table


def _figure(chart: Chart) -> str:
    caption = escape(chart.title + (f". {chart.caption}" if chart.caption else ""))
    return f'<figure id="chart-{chart.name}">{chart.svg}<figcaption>{caption}</figcaption></figure>'


def _tiles(section: Section) -> str:
    # the headline table's first rows as tiles: value, and the count behind it
    rows = section.tables[0].rows[:5] if section.tables else []
    tiles = "".join(
        f'<div class="tile"><b>{escape(r[1])}</b>{escape(r[0])}<br><span>{escape(r[2])} of {escape(r[3])}</span></div>'
        for r in rows
    )
    return f'<div class="tiles">{tiles}</div>'


def render(title: str, subtitle: str, sections: list[Section], charts: dict[str, Chart]) -> str:
    """The whole HTML document."""
    nav = "".join(f'<a href="#{s.key}">{escape(s.title)}</a>' for s in sections)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>",
        f'<h1>{escape(title)}</h1><p class="meta">{escape(subtitle)}</p><nav>{nav}</nav>',
    ]
    for s in sections:
        parts.append(f'<section id="{s.key}"><h2>{escape(s.title)}</h2>')
        if s.note:
            parts.append(f'<p class="note">{escape(s.note)}</p>')
        if s.key == "headline":
            parts.append(_tiles(s))
        parts.extend(_figure(charts[name]) for name in s.charts)
        parts.extend(_table(t) for t in s.tables)
        parts.append("</section>")
    parts.append("</body></html>\n")
    return "\n".join(parts)
