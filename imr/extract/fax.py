"""Faxed letters: their page images, and the page furniture a fax adds.

A fax page is a 1-bit black and white image, often at unequal resolutions (204 x 196 dpi "fine",
204 x 98 dpi "standard"). Tesseract wants square pixels and grey edges: :func:`fax_page_image`
recognises such a page from its image object and hands its bitmap, at its own resolution, to
:mod:`imr.extract.fax_image` (dropped scan lines filled, table rules erased, resized to
``fax_dpi`` both ways and smoothed; thresholds and resolutions:
:data:`~imr.extract.ocr_settings.OCR_SETTINGS`).

A fax also adds furniture: the sending machine's header line across the top of every page (date,
time, numbers, ``P. n/m``: never the letter's own ``Page N of M``) and sometimes a cover sheet as
page 1. :func:`remove_fax_furniture` drops both before the letter is parsed; the number of cover
sheets dropped is kept so that ``Page N of M`` checks count the letter's pages only.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from imr.extract.document import BREAK
from imr.extract.ocr_settings import OCR_SETTINGS as S

if TYPE_CHECKING:
    import pypdfium2
    from PIL.Image import Image as PilImage


def fax_page_image(page: pypdfium2.PdfPage, dpi: int = S.fax_dpi) -> PilImage | None:
    """The page ready for Tesseract at ``dpi`` (square pixels) when it is a fax page, else None.

    A fax page is one image covering the page that is 1-bit or stored at unequal resolutions
    (204 x 196, 204 x 98 dpi). Its bitmap is taken at its own resolution (never resampled by a
    render first: a 204 x 98 page rendered square loses a quarter of its columns), turned as the
    page shows it, and cleaned and resized by :func:`imr.extract.fax_image.prepare_fax`."""
    import pypdfium2.raw as pdfium_c

    from imr.extract.fax_image import prepare_fax

    width, height = page.get_size()  # as the page shows (its /Rotate applied)
    rotation = page.get_rotation()
    turned = rotation in (90, 270)
    unturned = (height, width) if turned else (width, height)
    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=1):
        meta = obj.get_metadata()
        hdpi, vdpi = float(meta.horizontal_dpi), float(meta.vertical_dpi)
        one_bit = meta.bits_per_pixel == 1
        if not (one_bit or (hdpi > 0 and vdpi > 0 and abs(hdpi - vdpi) > S.fax_dpi_mismatch_ratio * hdpi)):
            continue
        left, bottom, right, top = obj.get_bounds()
        drawn = (right - left, top - bottom)  # points, before the page's /Rotate
        if drawn[0] < S.fax_page_cover * unturned[0] or drawn[1] < S.fax_page_cover * unturned[1]:
            continue  # a logo or a signature, not the page
        bitmap = _upright_bitmap(obj, rotation)
        if bitmap is None:
            continue
        across, down = (drawn[1], drawn[0]) if turned else drawn
        resolution = (bitmap.width * 72 / across, bitmap.height * 72 / down)
        return prepare_fax(bitmap, (round(width * dpi / 72), round(height * dpi / 72)), resolution)
    return None


def _upright_bitmap(obj: pypdfium2.PdfImage, rotation: int) -> PilImage | None:
    """The image object's pixels as the page shows them: its own bitmap when it is drawn upright
    (no turn or flip in its matrix), else PDFium's rendering of it with its matrix; then turned by
    the page's ``rotation`` (degrees clockwise). None when PDFium cannot decode it."""
    import pypdfium2 as pdfium
    from PIL import Image

    m = obj.get_matrix()
    upright = m.b == 0 and m.c == 0 and m.a > 0 and m.d > 0
    try:
        bitmap: PilImage = obj.get_bitmap(render=not upright).to_pil().convert("L")
    except pdfium.PdfiumError:
        return None
    turns = {90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_90}
    return bitmap.transpose(turns[rotation]) if rotation in turns else bitmap


# ---- text: the fax header line and the cover sheet ---------------------------------------------

_TIME = re.compile(r"\b\d{1,2}\s?[:.]\s?\d{2}(?:\s?[AaPp]\.?[Mm]\.?)?\b")
#: the fax's own page count, ``P. 2/5``, ``PAGE 02/05``, ``Page: 2/5``, ``#002/005``, ``@002/005`` (OCR
#: reads the slash as ``|``, ``l``, ``I`` or ``1`` now and then)
_PAGE_MARK = r"(?<!\w)(?:P(?:AGE|G)?\.?:?|[#@])\s*0*"
_FAX_PAGE = re.compile(_PAGE_MARK + r"\d{1,3}\s*[/\\|lI1]\s*0*\d{1,3}\b", re.I)
#: the same with a slash read as one, the two numbers kept (``P. 3/5`` -> 3, 5)
_FAX_PAGE_OF = re.compile(_PAGE_MARK + r"(\d{1,3})\s*/\s*0*(\d{1,3})\b", re.I)
#: a page number without a count (``P. 2``), a fax header only beside a date and a clock time
_FAX_PAGE_ALONE = re.compile(r"(?<!\w)P(?:AGE|G)?\.?:?\s*0*\d{1,3}\s*$", re.I)
_PHONE = re.compile(r"\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}\b|\b\d{10}\b")
_DATE = re.compile(
    r"\b\d{1,2}[/-]\d{1,2}[/-]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b|"
    r"\b(?:JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)[a-z]*\.?[\s-]\d{1,2}",
    re.I,
)
_LETTER_LABEL = re.compile(r"Case\s+Number|Date\s+(?:Assigned|of\s+Injury)|Decision\s+Date|Priority\s*:", re.I)


def is_fax_header(line: str) -> bool:
    """Whether ``line`` is a fax machine's header line: a time with a fax page count (``P. 2/4``),
    or a date and time with a phone number or a page number (``P. 2``). A letter's own lines never
    carry a clock time."""
    if _LETTER_LABEL.search(line) or not _TIME.search(line):
        return False
    if _FAX_PAGE.search(line):
        return True
    return bool(_DATE.search(line) and (_PHONE.search(line) or _FAX_PAGE_ALONE.search(line)))


def _edge_lines(page: Sequence[str]) -> list[int]:
    """Indexes of the page's first and last ``fax_header_edge_lines`` lines (breaks left out), in
    order: where a fax header line stands."""
    idx = [i for i, ln in enumerate(page) if ln != BREAK]
    return sorted(set(idx[: S.fax_header_edge_lines]) | set(idx[-S.fax_header_edge_lines :]))


def fax_page_numbers(pages: Sequence[Sequence[str]]) -> list[tuple[int, int]]:
    """The fax's own ``P. n/m`` of each page whose header line (in its first or last lines) shows one
    with a slash read as a slash: (n, m) pairs, in page order."""
    out: list[tuple[int, int]] = []
    for page in pages:
        for i in _edge_lines(page):
            m = _FAX_PAGE_OF.search(page[i]) if is_fax_header(page[i]) else None
            if m is not None and 0 < int(m.group(1)) <= int(m.group(2)):
                out.append((int(m.group(1)), int(m.group(2))))
                break
    return out


def fax_pages_missing(pages: Sequence[Sequence[str]]) -> int | None:
    """How many pages of a fax did not arrive, by its own page count: the count ``m`` that two
    pages' ``P. n/m`` agree on, when the file has fewer pages and no page shows ``m/m`` (the last
    pages lost; a cover sheet left out before sending is page 1, not the last). None when the count
    cannot be trusted (fewer than two pages agree) or nothing is missing."""
    numbers = fax_page_numbers(pages)
    counts = Counter(m for _, m in numbers)
    if not counts:
        return None
    total, agreeing = counts.most_common(1)[0]
    if agreeing < 2 or len(pages) >= total or max(n for n, m in numbers if m == total) >= total:
        return None
    return total - len(pages)


_COVER_WORDS = re.compile(r"\b(?:fax|facsimile|telecopy|telecopier|transmittal)\b", re.I)
#: A cover sheet's field labels, wherever they sit on a line (two columns of fields put two on one
#: line); OCR reads a colon as ';' now and then.
_COVER_FIELDS = re.compile(
    r"(?:^|\s)(to|from|fax|phone|tel|date|re|subject|attn|cc|company|pages?|number\s+of\s+pages|"
    r"no\.?\s+of\s+pages)\s*[:;#]",
    re.I,
)
_LETTER_BODY = re.compile(
    r"HOW THE IMR FINAL DETERMINATION|CLINICAL CASE SUMMARY|IMR ISSUES|DECISIONS? AND RATIONALE|"
    r"Notice of Independent Medical Review|MEDICAL PROFESSIONAL REVIEW|ISSUES? AT DISPUTE|"
    r"Case\s+Number\s*:|:\s*(?:Upheld|Overturned)\s*$",
    re.I | re.M,
)


def is_cover_sheet(lines: Sequence[str]) -> bool:
    """Whether a page is a fax cover sheet: it says fax (or facsimile, telecopy, transmittal), has
    at least ``cover_sheet_min_fields`` different fields of a cover sheet (To:, From:, Fax:,
    Pages:, Re:...) and none of a letter's headings, header labels or decision lines."""
    content = [ln for ln in lines if ln != BREAK]
    text = "\n".join(content)
    if not _COVER_WORDS.search(text) or _LETTER_BODY.search(text):
        return False
    labels = {" ".join(m.lower().split()) for ln in content for m in _COVER_FIELDS.findall(ln)}
    return len(labels) >= S.cover_sheet_min_fields


def remove_fax_furniture(pages: list[list[str]]) -> tuple[list[list[str]], int]:
    """``pages`` without fax cover sheets (leading pages only) and without fax header lines in the
    first or last lines of a page; and how many cover sheets were dropped. A document with no such
    furniture comes back unchanged."""
    covers = 0
    while covers < len(pages) - 1 and is_cover_sheet(pages[covers]):
        covers += 1
    out: list[list[str]] = []
    for page in pages[covers:]:
        drop = {i for i in _edge_lines(page) if is_fax_header(page[i])}
        kept = [ln for i, ln in enumerate(page) if i not in drop]
        while kept and kept[0] == BREAK:
            kept.pop(0)
        out.append(kept)
    return out, covers
