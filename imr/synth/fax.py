"""Faxed renderings: a PDF as a fax machine or fax server delivers it (an image-only PDF).

A fax is 1-bit black and white at 204 x 196 dpi ("fine") or 204 x 98 dpi ("standard", half the
vertical resolution), so its pixels are not square. Two kinds of sender:

* a fax **machine** scans the printed letter: each page is rendered greyscale at the fax's
  resolution (a standard-mode scan line averages two fine ones), turned by a slight skew, soiled
  with a few specks, and thresholded to black and white (noise on the threshold makes ragged
  edges; a light or a dark setting makes thin or bold strokes);
* a fax **server** (or a print-to-fax driver) renders the file itself: no skew, no grey, glyphs
  rasterised straight to 1-bit (a standard-mode page keeps every other line of a fine one, so thin
  horizontal strokes can vanish).

Either way the sending machine prints its header line across the top of every page in its own
crisp 1-bit font (date, time, numbers, the sender's name and ``P. n/m`` in one of several styles),
lines are lost in transmission (a white scan line, or a few, or a line repeated), and some faxes
start with a cover sheet. The pages are stored as CCITT G4 images at their unequal resolution.
Everything is drawn from one seed. Used by ``imr synth --faxed``, the OCR tests and ``bench/ocr.py``.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from imr.pdf_pages import each_page, grey_image
from imr.synth.scanned import images_to_pdf, render_pages, skew

if TYPE_CHECKING:
    from PIL.Image import Image as PilImage

FINE = (204, 196)
STANDARD = (204, 98)
#: Who sends the fax: a machine that scans paper, or a server that renders the file.
MACHINE = "machine"
SERVER = "server"
_SENDERS = ("MAXIMUS FED SVCS", "IMR UNIT", "CLAIMS DEPT", "WC CLAIMS", "FAXSERVER 2", "GOLDEN ST CLAIMS")
_HEADER_FONTS = (("Helvetica", "", 8), ("Courier", "", 9), ("Helvetica", "B", 7), ("Courier", "B", 8))


@dataclass(frozen=True)
class FaxOptions:
    """How the fax looks. ``resolution``: (horizontal, vertical) dpi; ``sender``: MACHINE or SERVER."""

    resolution: tuple[int, int] = FINE
    sender: str = MACHINE
    header_line: bool = True  # the sending machine's line across the top of every page
    cover_sheet: bool = False  # a fax cover sheet as page 1
    dropped_lines: int = 6  # transmission errors per page: each a burst of 1-3 lost scan lines
    max_skew_degrees: float = 0.6  # a machine's paper feed (a server's pages are straight)
    threshold: int = 150  # grey level below which a scanned pixel prints black (a machine)
    noise: int = 24  # spread of the threshold (ragged edges)
    specks: int = 40  # dust and toner specks per scanned page (a machine)

    def __post_init__(self) -> None:
        if self.sender not in (MACHINE, SERVER):
            raise ValueError(f"sender must be {MACHINE!r} or {SERVER!r}, not {self.sender!r}")


def random_fax_options(rng: random.Random) -> FaxOptions:
    """A fax as they arrive: mostly fine mode, a quarter standard mode; two thirds from machines
    (skewed, a light, normal or dark threshold), a third from servers; a header line on most, a
    cover sheet on a third, a few transmission errors."""
    return FaxOptions(
        resolution=STANDARD if rng.random() < 0.25 else FINE,
        sender=SERVER if rng.random() < 0.33 else MACHINE,
        header_line=rng.random() < 0.9,
        cover_sheet=rng.random() < 0.35,
        dropped_lines=rng.choice((0, 2, 4, 8)),
        max_skew_degrees=rng.choice((0.0, 0.3, 0.6, 1.0)),
        threshold=rng.choice((125, 150, 170)),
        noise=rng.choice((8, 16, 24)),
        specks=rng.choice((0, 40, 120)),
    )


def fax_pdf(data: bytes, seed: int, options: FaxOptions | None = None) -> bytes:
    """An image-only, 1-bit PDF of ``data`` (a PDF) as received by fax, drawn from ``seed``.

    Raises ``pypdfium2.PdfiumError`` when ``data`` is not a PDF PDFium can open."""
    opts = options or FaxOptions()
    rng = random.Random(seed)
    when = dt.datetime(2014, 1, 6, 8, 0) + dt.timedelta(minutes=rng.randrange(60 * 24 * 365 * 4))
    number = f"{rng.randint(200, 989)}{rng.randint(200, 999)}{rng.randint(1000, 9999)}"
    sender = rng.choice(_SENDERS)
    style = rng.randrange(_STYLES)
    font = rng.choice(_HEADER_FONTS)
    pages = _pages(data, opts)
    if opts.cover_sheet:
        cover = _cover_pdf(rng, when, number, len(pages) + 1, _case_number(data))
        pages.insert(0, _pages(cover, opts)[0])
    total = len(pages)
    out: list[PilImage] = []
    for n, page in enumerate(pages, 1):
        image = page if opts.sender == SERVER else _scanned(page, rng, opts)
        if opts.header_line:
            strip = _pages(_strip_pdf(_header_text(style, when, number, sender, n, total), font), opts)[0]
            _stamp(image, strip)
        out.append(_transmitted(image, rng, opts))
    return images_to_pdf(out, opts.resolution, producer="imr-etl synthetic fax")


def _pages(data: bytes, opts: FaxOptions) -> list[PilImage]:
    """The pages of ``data`` at the fax's resolution: greyscale as a machine's scanner sees them (a
    standard-mode line averages two fine ones), or black and white as a server rasterises them (a
    standard-mode page keeps every other line)."""
    from PIL import Image

    hdpi, vdpi = opts.resolution
    if opts.sender == SERVER:
        lines = Image.Resampling.NEAREST  # every other line of a fine page in standard mode
        return [_hard(im).resize((im.width, round(im.height * vdpi / hdpi)), lines) for im in _aliased(data, hdpi)]
    images = render_pages(data, hdpi)
    if vdpi == hdpi:
        return images
    return [image.resize((image.width, round(image.height * vdpi / hdpi)), Image.Resampling.BOX) for image in images]


def _aliased(data: bytes, dpi: int) -> list[PilImage]:
    """Greyscale page images of ``data`` rendered by PDFium without anti-aliasing (as a fax driver
    rasterises: every pixel black or white)."""
    flags = {"no_smoothtext": True, "no_smoothpath": True, "no_smoothimage": True}
    return each_page(data, lambda page: grey_image(page, dpi, **flags))


def _hard(image: PilImage) -> PilImage:
    """Black below mid-grey, white above: no noise."""
    return image.point(lambda v: 0 if v < 128 else 255)


def _scanned(page: PilImage, rng: random.Random, opts: FaxOptions) -> PilImage:
    """A machine's scan of the page: skewed, specked, thresholded with noise (black and white)."""
    import numpy as np
    from PIL import Image, ImageDraw

    image = skew(page, rng, opts.max_skew_degrees)
    draw = ImageDraw.Draw(image)
    for _ in range(opts.specks):
        x, y = rng.randrange(image.width), rng.randrange(image.height)
        size = rng.choice((0, 0, 1, 2))
        draw.ellipse((x, y, x + size, y + size), fill=rng.randint(0, 90))
    grey = np.asarray(image, dtype=np.int16)
    nrng = np.random.default_rng(rng.randrange(2**32))
    level = opts.threshold + nrng.integers(-opts.noise, opts.noise + 1, size=grey.shape)
    return Image.fromarray(np.where(grey < level, 0, 255).astype(np.uint8), mode="L")


def _stamp(image: PilImage, strip: PilImage) -> None:
    """Print the header line into the top margin (white under it first), crisp black and white."""
    from PIL import ImageDraw

    ImageDraw.Draw(image).rectangle((0, 0, image.width, strip.height), fill=255)
    image.paste(_hard(strip).crop((0, 0, min(strip.width, image.width), strip.height)), (0, 0))


def _transmitted(image: PilImage, rng: random.Random, opts: FaxOptions) -> PilImage:
    """The page as received: 1-bit, with ``dropped_lines`` transmission errors, each a burst of
    1-3 scan lines lost (white) or, on some receivers, the line before repeated."""
    import numpy as np
    from PIL import Image

    black = np.asarray(image, dtype=np.uint8) < 128
    rows = black.shape[0]
    for _ in range(opts.dropped_lines):
        start, length = rng.randrange(1, rows - 3), rng.choice((1, 1, 1, 2, 3))
        black[start : start + length, :] = black[start - 1, :] if rng.random() < 0.25 else False
    return Image.fromarray(np.where(black, 0, 255).astype(np.uint8), mode="L").convert("1", dither=Image.Dither.NONE)


_STYLES = 6


def _header_text(style: int, when: dt.datetime, number: str, sender: str, n: int, total: int) -> str:
    """The sending machine's line for page ``n`` of ``total`` in one of ``_STYLES`` styles (all
    with a clock time and the fax's own page count)."""
    t = when + dt.timedelta(seconds=40 * n)
    phone = f"({number[:3]}) {number[3:6]}-{number[6:]}"
    if style == 0:
        return f"{t:%m/%d/%Y %H:%M}   {number}   {sender}   P. {n:03d}/{total:03d}"
    if style == 1:
        return f"{t:%b-%d-%Y %I:%M%p}   FROM: {sender}   {phone}   P. {n}/{total}"
    if style == 2:
        return f"{t:%m/%d/%y} {t:%H:%M} FAX {number}   {sender}   PAGE {n:02d}/{total:02d}"
    if style == 3:
        return f"{t:%b}. {t.day}. {t.year} {t:%I:%M%p}   {sender}   No. {int(number[-4:])}   P. {n}/{total}"
    if style == 4:
        return f"{t:%m/%d/%Y %a %H:%M} FAX {number[:3]} {number[3:6]} {number[6:]}   {sender}   P.{n:03d}/{total:03d}"
    return f"{t:%d %b %Y %H:%M}  FROM {phone} TO {number[::-1]}  {sender}  P. {n} / {total}"


def _strip_pdf(line: str, font: tuple[str, str, int]) -> bytes:
    """A one-line PDF strip (letter width, a quarter inch high) with the header line."""
    from fpdf import FPDF

    family, style, size = font
    pdf = FPDF(unit="pt", format=(612, 18))
    pdf.set_margins(0, 0)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font(family, style, size)
    pdf.set_xy(24, 5)
    pdf.cell(0, 9, line)
    return bytes(pdf.output())


def _case_number(data: bytes) -> str | None:
    """The letter's case number as its first page prints it (a cover sheet may name it), or None."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data, password="")
    try:
        page = pdf[0]
        try:
            found = re.search(r"CM\d{2}-\d{7}", page.get_textpage().get_text_range())
        finally:
            page.close()
    finally:
        pdf.close()
    return found.group(0) if found else None


_ORGS = (
    ("Golden State Claims Services", "1200 Harbor Blvd, Suite 300, Oakland, CA 94607"),
    ("Pacific Comp Administrators", "PO Box 4410, Fresno, CA 93744"),
    ("Sierra Occupational Health", "88 River Park Dr, Sacramento, CA 95815"),
)


def _cover_pdf(rng: random.Random, when: dt.datetime, number: str, pages: int, case: str | None) -> bytes:
    """A fax cover sheet (fictional parties) as a one-page PDF, in one of a few designs: a title,
    sometimes the sender's letterhead, To/From/Fax/Pages/Re fields (plain or ruled), checkboxes,
    a comment, a confidentiality notice."""
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="letter")
    pdf.set_margins(72, 72)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    if rng.random() < 0.5:
        org, address = rng.choice(_ORGS)
        pdf.set_font("Helvetica", "B", 14)
        pdf.cell(0, 18, org, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 9)
        pdf.cell(0, 12, address, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(14)
    pdf.set_font("Helvetica", "B", rng.choice((24, 30)))
    title = rng.choice(("FAX", "FACSIMILE", "Fax Cover Sheet", "FAX TRANSMITTAL"))
    pdf.cell(0, 40, title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(16)
    subject = rng.choice(("Final determination", "Documents as requested", "IMR decision enclosed"))
    if case and rng.random() < 0.5:
        subject = f"IMR Final Determination, case {case}"
    count = rng.choice((f"{pages} (including cover)", str(pages), f"{pages} including this page"))
    rows = [
        ("Date:", f"{when:%m/%d/%Y}"),
        ("To:", rng.choice(("Claims Adjuster", "Applicant Attorney", "Requesting Physician", "Records Dept."))),
        ("Fax:", f"({rng.randint(200, 989)}) {rng.randint(200, 999)}-{rng.randint(1000, 9999)}"),
        ("From:", rng.choice(("Medical Records", "IMR Correspondence", "Claims Unit"))),
        ("Fax:", f"({number[:3]}) {number[3:6]}-{number[6:]}"),
        (rng.choice(("Pages:", "No. of pages:")), count),
        (rng.choice(("Re:", "Subject:")), subject),
    ]
    ruled = rng.random() < 0.4
    for label, value in rows:
        pdf.set_font("Helvetica", "B", 12)
        pdf.cell(110, 24, label, border=1 if ruled else 0)
        pdf.set_font("Helvetica", "", 12)
        pdf.cell(320 if ruled else 0, 24, value, border=1 if ruled else 0, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(24)
    if rng.random() < 0.6:
        pdf.set_font("Helvetica", "", 11)
        boxes = "[ ] Urgent   [ ] For Review   [ ] Please Comment   [ ] Please Reply"
        pdf.cell(0, 18, boxes, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(10)
    if rng.random() < 0.5:
        pdf.set_font("Helvetica", "", 11)
        comment = rng.choice(("Please see attached.", "Copy for your file.", "As discussed."))
        pdf.multi_cell(0, 15, f"Comments: {comment}")
        pdf.ln(10)
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(
        0,
        12,
        "CONFIDENTIALITY NOTICE: The documents accompanying this facsimile transmission contain "
        "confidential information. If you have received this fax in error, please notify the sender "
        "by telephone and destroy the documents.",
    )
    return bytes(pdf.output())
