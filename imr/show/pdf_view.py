"""A PDF letter's pages as inline PNG images with a box over every value's evidence.

A box is an absolutely positioned link over its page image, at its bbox scaled from PDF points to
the image's pixels (``points * dpi / 72``, :meth:`PageImage.to_pixels`) and written as a share
of the image's size, so it stays on its words however wide the page is shown (or printed).
Clicking a box goes to its value; clicking a value goes to its box (``:target``).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from html import escape

from imr.show.images import PageImage
from imr.show.marks import Mark

#: The width of a label's character (10 px monospace) and its padding and gap, in pixels.
LABEL_CHAR_PX = 6.1
LABEL_PAD_PX = 10.0


def render_pdf_pages(pages: Sequence[PageImage], marks: Sequence[Mark]) -> tuple[str, list[Mark]]:
    """The pages as HTML figures with their marks' boxes, and the marks that have no place on them
    (no bbox, or a page the file does not have)."""
    by_page: dict[int, list[Mark]] = {}
    unplaced: list[Mark] = []
    numbers = {p.number for p in pages}
    for m in marks:
        if m.evidence.bbox is None or m.evidence.page not in numbers:
            unplaced.append(m)
        else:
            by_page.setdefault(m.evidence.page, []).append(m)
    figures = [_figure(p, by_page.get(p.number, []), len(pages)) for p in pages]
    return "".join(figures), unplaced


def _figure(page: PageImage, marks: Sequence[Mark], total: int) -> str:
    data = base64.b64encode(page.png).decode("ascii")
    boxes = "".join(_box(page, m, shift) for m, shift in zip(marks, _label_shifts(marks), strict=True))
    return (
        f'<figure class="page" id="page-{page.number}" style="max-width:{page.width_px}px">'
        f'<div class="sheet"><img src="data:image/png;base64,{data}" width="{page.width_px}" '
        f'height="{page.height_px}" alt="page {page.number} of {total}">{boxes}</div>'
        f"<figcaption>page {page.number} of {total}</figcaption></figure>"
    )


def _label_shifts(marks: Sequence[Mark]) -> list[float]:
    """How far right (pixels) each mark's label starts: labels of boxes that start at the same
    place (values read from one line) stand side by side instead of over each other."""
    used: dict[tuple[int, int], float] = {}
    shifts = []
    for m in marks:
        assert m.evidence.bbox is not None
        x0, top, _x1, _bottom = m.evidence.bbox
        at = (round(x0), round(top))
        shifts.append(used.get(at, 0.0))
        used[at] = shifts[-1] + len(m.path) * LABEL_CHAR_PX + LABEL_PAD_PX
    return shifts


def _box(page: PageImage, m: Mark, shift: float = 0.0) -> str:
    assert m.evidence.bbox is not None
    left, top, width, height = page.to_pixels(m.evidence.bbox)
    style = (
        f"left:{_share(left, page.width_px)}%;top:{_share(top, page.height_px)}%;"
        f"width:{_share(width, page.width_px)}%;height:{_share(height, page.height_px)}%"
    )
    cls = "box doubt" if m.doubtful else "box"
    label_style = f' style="left:{shift:.0f}px"' if shift else ""
    return (
        f'<a class="{cls}" id="{m.anchor}" href="#{m.row}" data-path="{escape(m.path)}" '
        f'data-px="{left:.1f},{top:.1f},{width:.1f},{height:.1f}" style="{style}" title="{escape(m.title)}">'
        f'<span class="label"{label_style}>{escape(m.path)}</span></a>'
    )


def _share(px: float, of: int) -> str:
    return f"{px / of * 100:.3f}"
