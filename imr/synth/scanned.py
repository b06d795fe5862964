"""Scanned renderings: a PDF as a mail-room scanner returns it (an image-only PDF).

Each page is rasterised with PDFium (about 200 dpi, greyscale), turned by a slight skew, soiled
with speckle, softened by a blur and JPEG-compressed, then wrapped back into a PDF that has no
text layer. Everything is drawn from one seed, so the same bytes and seed give the same file.
Used for OCR fixtures (``tests/extract/test_extract_ocr*.py``), ``imr synth --scanned`` and ``bench/ocr.py``;
``fax.py`` renders, skews and wraps its pages with the same functions.
"""

from __future__ import annotations

import io
import random
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from imr.pdf_pages import each_page, grey_image

if TYPE_CHECKING:
    from PIL.Image import Image as PilImage

#: Fixed PDF dates so that a scan is byte-identical for the same input and seed.
_PDF_DATE = time.gmtime(1480593600)  # 2016-12-01 12:00 UTC


@dataclass(frozen=True)
class ScanOptions:
    """How rough the scan is. The defaults imitate an office scanner at 200 dpi."""

    dpi: int = 200  # the resolution pages are rendered at
    max_skew_degrees: float = 1.5  # each page is turned by up to this much, either way
    speckles_per_page: int = 900  # dust and toner dots
    blur_radius: float = 0.6  # Gaussian blur of the optics, in pixels
    jpeg_quality: int = 55  # the scanner's JPEG compression


def scan_pdf(data: bytes, seed: int, options: ScanOptions | None = None) -> bytes:
    """An image-only PDF of ``data`` (a PDF) with scanner degradations drawn from ``seed``.

    Raises ``pypdfium2.PdfiumError`` when ``data`` is not a PDF PDFium can open."""
    opts = options or ScanOptions()
    rng = random.Random(seed)
    return images_to_pdf([degrade(image, rng, opts) for image in render_pages(data, opts.dpi)], opts.dpi)


def render_pages(data: bytes, dpi: int) -> list[PilImage]:
    """Greyscale images of the pages of ``data`` (a PDF), rendered by PDFium at ``dpi``.

    Raises ``pypdfium2.PdfiumError`` when ``data`` is not a PDF PDFium can open."""
    return each_page(data, lambda page: grey_image(page, dpi))


def skew(image: PilImage, rng: random.Random, max_degrees: float) -> PilImage:
    """``image`` turned by up to ``max_degrees`` either way (drawn from ``rng``), white filling the corners."""
    from PIL import Image

    angle = rng.uniform(-max_degrees, max_degrees)
    return image.rotate(angle, resample=Image.Resampling.BILINEAR, expand=False, fillcolor=255)


def degrade(image: PilImage, rng: random.Random, opts: ScanOptions) -> PilImage:
    """One greyscale page image with skew, speckle, blur and JPEG artefacts (deterministic in ``rng``)."""
    from PIL import Image, ImageDraw, ImageFilter

    out = skew(image, rng, opts.max_skew_degrees)
    draw = ImageDraw.Draw(out)
    w, h = out.size
    for _ in range(opts.speckles_per_page):
        x, y = rng.randrange(w), rng.randrange(h)
        size = rng.choice((0, 0, 0, 1, 1, 2))
        shade = rng.randint(0, 110) if rng.random() < 0.8 else 255
        draw.ellipse((x, y, x + size, y + size), fill=shade)
    if opts.blur_radius > 0:
        out = out.filter(ImageFilter.GaussianBlur(opts.blur_radius))
    buf = io.BytesIO()
    out.save(buf, format="JPEG", quality=opts.jpeg_quality)
    buf.seek(0)
    return Image.open(buf).convert("L")


def images_to_pdf(
    images: list[PilImage], dpi: int | tuple[int, int], producer: str = "imr-etl synthetic scanner"
) -> bytes:
    """Page images wrapped into one PDF (no text layer), with fixed dates. ``dpi``: one resolution,
    or (horizontal, vertical) for pixels that are not square (a fax). Greyscale pages are stored
    as JPEG streams, 1-bit pages as CCITT G4."""
    pages = list(images)
    if not pages:
        raise ValueError("no page images")
    # A pair goes as ``dpi``; one resolution as ``resolution``, which leaves the JPEG streams
    # without a density of their own (``dpi`` would write one: the scans' bytes would change).
    density = {"dpi": dpi} if isinstance(dpi, tuple) else {"resolution": float(dpi)}
    buf = io.BytesIO()
    pages[0].save(
        buf,
        format="PDF",
        save_all=True,
        append_images=pages[1:],
        **density,
        creationDate=_PDF_DATE,
        modDate=_PDF_DATE,
        producer=producer,
    )
    return buf.getvalue()


def blank_region(data: bytes, page_index: int, box: tuple[float, float, float, float], dpi: int = 200) -> bytes:
    """``data`` (an image-only PDF from :func:`scan_pdf`) with ``box`` (PDF points, top-left
    origin: x0, top, x1, bottom) on one page smudged into grey noise: a word a reader cannot read.
    Used to test that an unreadable decision word is never guessed."""
    from PIL import ImageDraw, ImageFilter

    images = render_pages(data, dpi)
    image = images[page_index]
    k = dpi / 72
    x0, y0, x1, y1 = (int(v * k) for v in box)
    region = image.crop((x0, y0, x1, y1)).filter(ImageFilter.GaussianBlur(6))
    image.paste(region, (x0, y0))
    draw = ImageDraw.Draw(image)
    rng = random.Random(page_index * 7919 + x0)
    for _ in range((x1 - x0) * (y1 - y0) // 12):
        draw.point((rng.randrange(x0, x1), rng.randrange(y0, y1)), fill=rng.randint(60, 200))
    return images_to_pdf(images, dpi)
