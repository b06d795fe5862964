"""``report.md``: the same headline figures and tables as the HTML, for Git and e-mail (charts by title)."""

from __future__ import annotations

from reports.tables import Section, Table


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(t: Table) -> list[str]:
    lines = [
        "| " + " | ".join(_cell(c) for c in t.columns) + " |",
        "|" + "|".join("---:" if n else "---" for n in t.numeric) + "|",
    ]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in t.rows] or ["| no rows |"]
    if t.caption:
        lines += ["", f"*{t.caption}*"]
    return [*lines, ""]


def render(title: str, subtitle: str, sections: list[Section], chart_titles: dict[str, str]) -> str:
    """The whole Markdown document."""
    lines = [f"# {title}", "", subtitle, ""]
    for s in sections:
        lines += [f"## {s.title}", ""]
        if s.note:
            lines += [s.note, ""]
        if s.charts:
            lines += ["Charts in report.html: " + "; ".join(chart_titles[c] for c in s.charts) + ".", ""]
        for t in s.tables:
            lines += _table(t)
    return "\n".join(lines).rstrip() + "\n"
