"""Faxed renderings: a PDF as a fax machine or fax server delivers it (an image-only PDF).

Each page is rasterised with PDFium at the fax's resolution: 204 x 196 dpi ("fine") or 204 x 98
dpi ("standard", half the vertical resolution), so its pixels are not square. It is turned by a
slight skew, thresholded to 1-bit black and white (a little noise on the threshold makes ragged
edges), a few scan lines are dropped (white rows), and the sending machine's header line is
printed across the top (date, time, the sender's number and name, ``P. n/m``). Some faxes start
with a cover sheet. The pages are stored as CCITT G4 images at their unequal resolution.
Everything is drawn from one seed. Used by ``imr synth --faxed``, the OCR tests and ``bench/ocr.py``.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from imr.synth.scanned import images_to_pdf, render_pages, skew

if TYPE_CHECKING:
    from PIL.Image import Image as PilImage

FINE = (204, 196)
STANDARD = (204, 98)
_SENDERS = ("MAXIMUS FED SVCS", "IMR UNIT", "CLAIMS DEPT", "WC CLAIMS", "FAXSERVER 2")


@dataclass(frozen=True)
class FaxOptions:
    """How the fax looks. ``resolution``: (horizontal, vertical) dpi."""

    resolution: tuple[int, int] = FINE
    header_line: bool = True  # the sending machine's line across the top of every page
    cover_sheet: bool = False  # a fax cover sheet as page 1
    dropped_lines: int = 6  # white scan lines per page
    max_skew_degrees: float = 0.6
    threshold: int = 150  # grey level below which a pixel prints black
    noise: int = 24  # spread of the threshold (ragged edges)


def random_fax_options(rng: random.Random) -> FaxOptions:
    """A fax as they arrive: mostly fine mode, a quarter standard mode, a header line on most, a
    cover sheet on a third, a few dropped lines."""
    return FaxOptions(
        resolution=STANDARD if rng.random() < 0.25 else FINE,
        header_line=rng.random() < 0.9,
        cover_sheet=rng.random() < 0.35,
        dropped_lines=rng.choice((0, 3, 6, 10)),
        max_skew_degrees=rng.choice((0.0, 0.3, 0.6)),
    )


def fax_pdf(data: bytes, seed: int, options: FaxOptions | None = None) -> bytes:
    """An image-only, 1-bit PDF of ``data`` (a PDF) as received by fax, drawn from ``seed``.

    Raises ``pypdfium2.PdfiumError`` when ``data`` is not a PDF PDFium can open."""
    opts = options or FaxOptions()
    rng = random.Random(seed)
    pages = _render(data, opts.resolution)
    when = dt.datetime(2014, 1, 6, 8, 0) + dt.timedelta(minutes=rng.randrange(60 * 24 * 365 * 3))
    number = f"{rng.randint(200, 989)}{rng.randint(200, 999)}{rng.randint(1000, 9999)}"
    sender = rng.choice(_SENDERS)
    style = rng.randrange(3)
    if opts.cover_sheet:
        pages.insert(0, _render(_cover_pdf(rng, when, number, len(pages) + 1), opts.resolution)[0])
    total = len(pages)
    out: list[PilImage] = []
    for n, page in enumerate(pages, 1):
        image = skew(page, rng, opts.max_skew_degrees)
        if opts.header_line:
            line = _header_text(style, when, number, sender, n, total)
            _stamp(image, _render(_strip_pdf(line), opts.resolution)[0])
        out.append(_to_fax(image, rng, opts))
    return images_to_pdf(out, opts.resolution, producer="imr-etl synthetic fax")


def _render(data: bytes, resolution: tuple[int, int]) -> list[PilImage]:
    """Greyscale page images at (horizontal, vertical) dpi: rendered square, then squeezed."""
    from PIL import Image

    hdpi, vdpi = resolution
    images = render_pages(data, hdpi)
    if vdpi == hdpi:
        return images
    return [image.resize((image.width, round(image.height * vdpi / hdpi)), Image.Resampling.BOX) for image in images]


def _stamp(image: PilImage, strip: PilImage) -> None:
    """Print the header line into the top margin (white under it first)."""
    from PIL import ImageDraw

    ImageDraw.Draw(image).rectangle((0, 0, image.width, strip.height), fill=255)
    image.paste(strip.crop((0, 0, min(strip.width, image.width), strip.height)), (0, 0))


def _to_fax(image: PilImage, rng: random.Random, opts: FaxOptions) -> PilImage:
    """1-bit black and white with a ragged threshold and dropped scan lines."""
    import numpy as np
    from PIL import Image

    grey = np.asarray(image, dtype=np.int16)
    nrng = np.random.default_rng(rng.randrange(2**32))
    level = opts.threshold + nrng.integers(-opts.noise, opts.noise + 1, size=grey.shape)
    black = grey < level
    for _ in range(opts.dropped_lines):
        black[rng.randrange(black.shape[0]), :] = False
    return Image.fromarray(np.where(black, 0, 255).astype(np.uint8), mode="L").convert("1", dither=Image.Dither.NONE)


def _header_text(style: int, when: dt.datetime, number: str, sender: str, n: int, total: int) -> str:
    """The sending machine's line for page ``n`` of ``total`` in one of three styles."""
    t = when + dt.timedelta(seconds=40 * n)
    if style == 0:
        return f"{t:%m/%d/%Y %H:%M}   {number}   {sender}   P. {n:03d}/{total:03d}"
    if style == 1:
        return f"{t:%b-%d-%Y %I:%M%p}   FROM: {sender}   ({number[:3]}) {number[3:6]}-{number[6:]}   P. {n}/{total}"
    return f"{t:%m/%d/%y} {t:%H:%M} FAX {number}   {sender}   PAGE {n:02d}/{total:02d}"


def _strip_pdf(line: str) -> bytes:
    """A one-line PDF strip (letter width, a quarter inch high) with the header line."""
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format=(612, 18))
    pdf.set_margins(0, 0)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("Helvetica", "", 8)
    pdf.set_xy(24, 5)
    pdf.cell(0, 9, line)
    return bytes(pdf.output())


def _cover_pdf(rng: random.Random, when: dt.datetime, number: str, pages: int) -> bytes:
    """A fax cover sheet (fictional parties) as a one-page PDF."""
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="letter")
    pdf.set_margins(72, 72)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 30)
    pdf.cell(0, 40, rng.choice(("FAX", "FACSIMILE", "Fax Cover Sheet")), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(20)
    rows = [
        ("Date:", f"{when:%m/%d/%Y}"),
        ("To:", rng.choice(("Claims Adjuster", "Applicant Attorney", "Requesting Physician", "Records Dept."))),
        ("Fax:", f"({rng.randint(200, 989)}) {rng.randint(200, 999)}-{rng.randint(1000, 9999)}"),
        ("From:", rng.choice(("Medical Records", "IMR Correspondence", "Claims Unit"))),
        ("Fax:", f"({number[:3]}) {number[3:6]}-{number[6:]}"),
        ("Pages:", f"{pages} (including cover)" if rng.random() < 0.5 else str(pages)),
        ("Re:", rng.choice(("Final determination", "Documents as requested", "IMR decision enclosed"))),
    ]
    for label, value in rows:
        pdf.set_font("Helvetica", "B", 12)
        pdf.cell(80, 22, label)
        pdf.set_font("Helvetica", "", 12)
        pdf.cell(0, 22, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(30)
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(
        0,
        12,
        "CONFIDENTIALITY NOTICE: The documents accompanying this facsimile transmission contain "
        "confidential information. If you have received this fax in error, please notify the sender "
        "by telephone and destroy the documents.",
    )
    return bytes(pdf.output())
