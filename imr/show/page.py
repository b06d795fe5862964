"""``imr show``'s page: one self-contained HTML file per letter, its values beside its pages.

Left, the extracted values (the letter, or the partial letter of one set aside, with the values
that were not read saying so) as field path -> value, each linked to its evidence; values in
doubt stand out, with their OCR confidence when known. Right, a PDF's pages rendered by PDFium
with a box over every value's evidence, labelled with its field path; a text letter's lines,
numbered, with the lines holding evidence marked and labelled. Everything is inline (CSS, images
as base64 PNG): the file opens offline and prints. All text is escaped.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Sequence
from html import escape
from pathlib import Path

from imr.models import LetterRecord
from imr.show.images import DEFAULT_DPI, render_pages
from imr.show.marks import Mark, confidence_label, marks_of, row_anchor
from imr.show.pdf_view import render_pdf_pages
from imr.show.style import CSS, hover_rules
from imr.show.text_view import render_text_lines
from imr.show.values import FieldRow, doubtful_paths, field_rows, letter_values, rows_in_doubt

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def write_page(
    record: LetterRecord,
    data: bytes,
    out_dir: Path,
    *,
    title: str | None = None,
    doubtful: Sequence[str] = (),
    dpi: int = DEFAULT_DPI,
) -> Path:
    """Write the page of ``record`` (read from the file whose bytes are ``data``) into ``out_dir``
    (created if missing) and return its path, ``<case number or file name>-<sha256[:8]>.html``.

    ``doubtful``: field paths to draw attention to (with those the partial letter lists as in
    doubt). Raises ``OSError`` when the file cannot be written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / page_name(record)
    html = render_page(record, data, title=title, doubtful=doubtful, dpi=dpi)
    tmp = out_dir / f".{target.name}.{os.getpid()}.tmp"  # the whole page or none (modes as the umask says)
    try:
        tmp.write_text(html, encoding="utf-8", errors="replace")
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def page_name(record: LetterRecord) -> str:
    """The page's file name: the letter's case number (else the file's name) and the first 8
    characters of its sha256, so versions of a case never overwrite each other."""
    stem = case_number_of(record) or Path(record.source.path).stem or "letter"
    return f"{_UNSAFE.sub('_', stem)[:80]}-{record.source.sha256[:8]}.html"


def case_number_of(record: LetterRecord) -> str | None:
    """The case number the record read (of its letter or its partial letter), or None."""
    values = letter_values(record) or {}
    case = values.get("case_number")
    return str(case) if case else None


def render_page(
    record: LetterRecord, data: bytes, *, title: str | None = None, doubtful: Sequence[str] = (), dpi: int = DEFAULT_DPI
) -> str:
    """The page of ``record`` as one HTML document (see :func:`write_page`)."""
    in_doubt = doubtful_paths(record, doubtful)
    evidence = record.evidence or {}
    rows = field_rows(letter_values(record), [*evidence, *sorted(in_doubt)])
    in_doubt |= rows_in_doubt(rows, in_doubt)
    marks = marks_of(evidence, rows, in_doubt)
    view, unplaced = _view(record, data, marks, dpi)
    heading = title or case_number_of(record) or Path(record.source.path).name
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(heading)} - imr show</title><style>{CSS}{hover_rules(marks)}</style></head><body>",
        _header(record, heading),
        '<main><section class="values"><h2>Values</h2>',
        _table(rows, marks, in_doubt),
        _unplaced(unplaced),
        f'</section><section class="pages"><h2>{"Pages" if _is_pdf(record) else "Text"}</h2>{view}</section></main>',
        "</body></html>",
    ]
    return "".join(parts) + "\n"


def _is_pdf(record: LetterRecord) -> bool:
    return record.source.media_type == "application/pdf"


def _view(record: LetterRecord, data: bytes, marks: Sequence[Mark], dpi: int) -> tuple[str, list[Mark]]:
    if _is_pdf(record):
        import pypdfium2 as pdfium

        try:
            pages = render_pages(data, dpi)
        except pdfium.PdfiumError:
            note = "the file's pages could not be rendered (PDFium cannot open it)"
            return f'<p class="unread">{escape(note)}</p>', list(marks)
        return render_pdf_pages(pages, marks)
    from imr.errors import ReadError
    from imr.extract.text_decode import decode_text  # the extractor's decoding: its line numbers

    try:
        text = decode_text(data)
    except ReadError:
        return '<p class="unread">the file has no text that can be shown</p>', list(marks)
    return render_text_lines(text, marks)


def _header(record: LetterRecord, heading: str) -> str:
    src = record.source
    facts = [
        f"<code>{escape(src.path)}</code>",
        escape(src.media_type),
        f"{src.pages} pages" if src.pages is not None else "",
        "read by OCR" if src.ocr else "",
        f"status <b>{escape(record.status)}</b>",
        f"sha256 <code>{escape(src.sha256[:16])}</code>",
    ]
    out = [f"<header><h1>{escape(heading)}</h1>", f'<p class="meta">{" · ".join(f for f in facts if f)}</p>']
    if record.errors:
        items = "".join(f"<li><code>{escape(e.code)}</code>: {escape(e.message)}</li>" for e in record.errors)
        out.append(f'<ul class="errors">{items}</ul>')
    if record.review is not None:
        r = record.review
        changed = f"; changed {escape(', '.join(r.changed))}" if r.changed else ""
        note = f": {escape(r.note)}" if r.note else ""
        out.append(f'<p class="review">settled by {escape(r.by)} at {escape(r.at.isoformat())}{changed}{note}</p>')
    out.append(_LEGEND_PDF if _is_pdf(record) else _LEGEND_TEXT)
    return "".join(out) + "</header>"


_LEGEND_PDF = (
    '<p class="legend">Boxes<i></i>show where each value was read;<i class="doubt"></i>values in doubt. '
    "Click a value to see its box, a box to see its value.</p>"
)
_LEGEND_TEXT = (
    '<p class="legend">Marked lines<i></i>hold the values read, tagged with their fields;<i class="doubt"></i>'
    "values in doubt. Click a value to see its line, a tag to see its value.</p>"
)


def _table(rows: Sequence[FieldRow], marks: Sequence[Mark], doubtful: Collection[str]) -> str:
    by_row: dict[str, list[Mark]] = {}
    for m in marks:
        by_row.setdefault(m.row, []).append(m)
    body = []
    for i, row in enumerate(rows):
        anchor = row_anchor(i)
        own = by_row.get(anchor, [])
        in_doubt = row.path in doubtful or any(m.doubtful for m in own)
        cls = ' class="doubt"' if in_doubt else ""
        body.append(
            f'<tr id="{anchor}"{cls} '
            f'data-path="{escape(row.path)}"><th scope="row"><code>{escape(row.path)}</code></th>'
            f"<td>{_value(row, own)}{_where(own)}{_flag(in_doubt, own)}</td></tr>"
        )
    if not rows:
        body.append('<tr><td colspan="2" class="unread">nothing was read from this file</td></tr>')
    return f"<table><tbody>{''.join(body)}</tbody></table>"


def _value(row: FieldRow, marks: Sequence[Mark]) -> str:
    shown = escape(row.value) if row.value is not None else '<span class="unread">not read</span>'
    if not marks:
        return shown
    return f'<a class="value" href="#{marks[0].anchor}">{shown}</a>'


def _where(marks: Sequence[Mark]) -> str:
    if not marks:
        return ""
    links = ", ".join(f'<a href="#{m.anchor}">{escape(_place(m))}</a>' for m in marks)
    return f'<span class="where">{links}</span>'


def _place(m: Mark) -> str:
    ev = m.evidence
    return f"line {ev.line}" if ev.line is not None else f"p. {ev.page}"


def _flag(in_doubt: bool, marks: Sequence[Mark]) -> str:
    if not in_doubt:
        return ""
    confidences = [confidence_label(m.evidence) for m in marks if m.evidence.confidence is not None]
    return f'<span class="flag">{escape(" · ".join(["in doubt", *confidences]))}</span>'


def _unplaced(marks: Sequence[Mark]) -> str:
    if not marks:
        return ""
    items = "".join(
        f'<li><a id="{m.anchor}" href="#{m.row}"><code>{escape(m.path)}</code></a> '
        f"({escape(_place(m))}): {escape(m.evidence.text)}</li>"
        for m in marks
    )
    return f'<div class="unplaced">Read where the page cannot show it:<ul>{items}</ul></div>'
