"""A PDF's pages through PDFium, one at a time: each page is closed once used and the document at
the end (pypdfium2 frees its native memory only then), whatever the caller's work raises.

``imr.show`` renders the pages a letter's page shows, ``imr.synth`` the pages it scans or faxes.
PDFium (pypdfium2) is imported when a PDF is opened, not with this module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from PIL.Image import Image as PilImage

T = TypeVar("T")


def each_page(data: bytes, use: Callable[[Any], T]) -> list[T]:
    """``use(page)`` of every page of ``data`` (a PDF), in order: a ``pypdfium2.PdfPage``, closed
    after ``use`` returns. Raises ``pypdfium2.PdfiumError`` when PDFium cannot open ``data`` (not a
    PDF, or it needs a password), and what ``use`` raises."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data, password="")
    try:
        out: list[T] = []
        for i in range(len(pdf)):
            page = pdf[i]
            try:
                out.append(use(page))
            finally:
                page.close()
        return out
    finally:
        pdf.close()


def grey_image(page: Any, dpi: float, **render: bool) -> PilImage:
    """``page`` (a ``pypdfium2.PdfPage``) rendered at ``dpi`` as a greyscale image (mode ``L``);
    ``render``: PDFium's rendering flags (e.g. ``no_smoothtext=True``)."""
    image: PilImage = page.render(scale=dpi / 72, grayscale=True, **render).to_pil().convert("L")
    return image
