"""``imr show``: one offline HTML page per letter, its extracted values beside its pages.

Prefect-free, SQLAlchemy-free. The page (``page``) puts the values table (``values``) beside the
PDF's pages rendered by PDFium (``images``) with a box over each value's evidence (``pdf_view``),
or beside a text letter's numbered lines (``text_view``); ``marks`` ties each evidence entry to
its row, ``style`` holds the inline stylesheet.

    write_page(record, data, out_dir, *, title=None, doubtful=()) -> Path
    render_page(record, data, *, title=None, doubtful=()) -> str
"""

from __future__ import annotations

from imr.show.page import page_name, render_page, write_page

__all__ = ["page_name", "render_page", "write_page"]
