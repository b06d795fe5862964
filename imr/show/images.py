"""A PDF's pages as PNG images (PDFium), with the scale that maps PDF points onto their pixels.

A value's evidence box is ``(x0, top, x1, bottom)`` in PDF points from the page's top-left corner
(pdfplumber's convention, OCR'd pages included); on an image rendered at ``dpi`` it stands at
``points * dpi / 72`` pixels (:meth:`PageImage.to_pixels`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from imr.pdf_pages import each_page, grey_image

#: The resolution pages are shown at: readable on screen, a few hundred KB per letter.
DEFAULT_DPI = 100

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class PageImage:
    """One rendered page: its PNG bytes, its size in pixels and in PDF points, and its dpi."""

    number: int  # 1-based
    png: bytes
    width_px: int
    height_px: int
    width_pt: float
    height_pt: float
    dpi: int

    @property
    def scale(self) -> float:
        """Pixels per PDF point."""
        return self.dpi / 72

    def to_pixels(self, bbox: Box) -> Box:
        """``bbox`` (PDF points from the top-left) as ``(left, top, width, height)`` in pixels."""
        x0, top, x1, bottom = bbox
        s = self.scale
        return (x0 * s, top * s, (x1 - x0) * s, (bottom - top) * s)


def render_pages(data: bytes, dpi: int = DEFAULT_DPI) -> list[PageImage]:
    """Every page of ``data`` (a PDF) rendered by PDFium at ``dpi`` as a greyscale PNG.

    Raises ``ValueError`` for a dpi outside 20..600 and ``pypdfium2.PdfiumError`` when PDFium
    cannot open ``data`` (not a PDF, or it needs a password)."""
    if not 20 <= dpi <= 600:
        raise ValueError(f"dpi {dpi} is out of range: use 20 to 600")

    def shown(page: Any) -> tuple[bytes, int, int, float, float]:  # PNG, pixels, points
        width_pt, height_pt = page.get_size()
        image = grey_image(page, dpi)
        buf = io.BytesIO()
        image.save(buf, format="PNG", optimize=True)
        return buf.getvalue(), image.width, image.height, width_pt, height_pt

    return [PageImage(number, *shown_page, dpi) for number, shown_page in enumerate(each_page(data, shown), 1)]
