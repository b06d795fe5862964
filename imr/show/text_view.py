"""A text letter's lines, numbered, with the lines that hold evidence marked and labelled.

Lines are counted as the extractor counts them: the decoded text (``imr.extract.text_decode``,
line ends made LF) split at each LF, the first line 1. A form feed starts a new page; the
numbering goes on across pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from imr.show.marks import Mark


def render_text_lines(text: str, marks: Sequence[Mark]) -> tuple[str, list[Mark]]:
    """The numbered lines of ``text`` as HTML, and the marks that have no place in them (no line
    number, or a line the text does not have)."""
    lines = text.split("\n")
    if len(lines) > 1 and lines[-1] == "":  # the line end of the last line opens no line
        lines.pop()
    by_line: dict[int, list[Mark]] = {}
    unplaced: list[Mark] = []
    for m in marks:
        line = m.evidence.line
        if line is None or not 1 <= line <= len(lines):
            unplaced.append(m)
        else:
            by_line.setdefault(line, []).append(m)
    page = 1
    out = [f'<div class="lines" id="page-{page}">']
    for number, raw in enumerate(lines, start=1):
        for _ in range(raw.count("\f")):  # a form feed opens the next page
            page += 1
            out.append(f'<div class="pagebreak" id="page-{page}">page {page}</div>')
        out.append(_line(number, raw.replace("\f", ""), by_line.get(number, [])))
    out.append("</div>")
    return "".join(out), unplaced


def _line(number: int, text: str, marks: Sequence[Mark]) -> str:
    cls = "line"
    if marks:
        cls += " marked" + (" doubt" if any(m.doubtful for m in marks) else "")
    tags = "".join(
        f'<a class="tag{" doubt" if m.doubtful else ""}" id="{m.anchor}" href="#{m.row}" '
        f'data-path="{escape(m.path)}" title="{escape(m.title)}">{escape(m.path)}</a>'
        for m in marks
    )
    tags_html = f'<span class="tags">{tags}</span>' if tags else ""
    return (
        f'<div class="{cls}" id="line-{number}"><span class="no">{number}</span>'
        f'<span class="txt">{escape(text)}</span>{tags_html}</div>'
    )
