"""Faxed letters: their page images, and the page furniture a fax adds.

A fax page is a 1-bit black and white image, often at unequal resolutions (204 x 196 dpi "fine",
204 x 98 dpi "standard"). Tesseract wants square pixels and grey edges: :func:`fax_page_image`
recognises such a page from its image object and returns it with dropped scan lines filled,
resized to ``fax_dpi`` both ways and smoothed (thresholds and resolutions:
:data:`~imr.extract.ocr_settings.OCR_SETTINGS`).

A fax also adds furniture: the sending machine's header line across the top of every page (date,
time, numbers, ``P. n/m``: never the letter's own ``Page N of M``) and sometimes a cover sheet as
page 1. :func:`remove_fax_furniture` drops both before the letter is parsed; the number of cover
sheets dropped is kept so that ``Page N of M`` checks count the letter's pages only.
"""

from __future__ import annotations

import re
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
    (204 x 196, 204 x 98 dpi). Its bitmap is taken at its own resolution, scan lines the line
    dropped (a white row between dark ones) are filled, and it is resized to ``dpi`` both ways with
    a bicubic filter and softened: 1-bit staircase edges become grey edges Tesseract reads well."""
    import pypdfium2.raw as pdfium_c

    width, height = page.get_size()
    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=1):
        meta = obj.get_metadata()
        hdpi, vdpi = float(meta.horizontal_dpi), float(meta.vertical_dpi)
        one_bit = meta.bits_per_pixel == 1
        if not (one_bit or (hdpi > 0 and vdpi > 0 and abs(hdpi - vdpi) > S.fax_dpi_mismatch_ratio * hdpi)):
            continue
        left, bottom, right, top = obj.get_bounds()
        if (right - left) < S.fax_page_cover * width or (top - bottom) < S.fax_page_cover * height:
            continue  # a logo or a signature, not the page
        bitmap = obj.get_bitmap(render=True).to_pil().convert("L")
        return prepare_fax(bitmap, (round(width * dpi / 72), round(height * dpi / 72)))
    return None


def prepare_fax(bitmap: PilImage, size: tuple[int, int]) -> PilImage:
    """A fax page's bitmap (its own resolution) with dropped scan lines filled, resized to
    ``size`` (bicubic) and softened."""
    import numpy as np
    from PIL import Image, ImageFilter

    dark = np.asarray(bitmap, dtype=np.uint8) < S.fax_dark_level
    filled = dark.copy()
    filled[1:-1, :] |= dark[:-2, :] & dark[2:, :]  # a white row between two dark ones was dropped
    out = Image.fromarray(np.where(filled, 0, 255).astype(np.uint8), mode="L")
    return out.resize(size, Image.Resampling.BICUBIC).filter(ImageFilter.GaussianBlur(S.fax_blur_radius))


# ---- text: the fax header line and the cover sheet ---------------------------------------------

_TIME = re.compile(r"\b\d{1,2}\s?[:.]\s?\d{2}(?:\s?[AaPp]\.?[Mm]\.?)?\b")
_FAX_PAGE = re.compile(r"\b(?:P(?:AGE|G)?\.?|#)\s*0*\d{1,3}\s*[/\\|lI1]\s*0*\d{1,3}\b", re.I)
_PHONE = re.compile(r"\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}\b|\b\d{10}\b")
_DATE = re.compile(
    r"\b\d{1,2}[/-]\d{1,2}[/-]\d{2,4}\b|\b(?:JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)[a-z]*[\s-]\d{1,2}", re.I
)
_LETTER_LABEL = re.compile(r"Case\s+Number|Date\s+(?:Assigned|of\s+Injury)|Decision\s+Date|Priority\s*:", re.I)


def is_fax_header(line: str) -> bool:
    """Whether ``line`` is a fax machine's header line: a time with a fax page count (``P. 2/4``),
    or a date and time with a phone number. A letter's own lines never carry a clock time."""
    if _LETTER_LABEL.search(line) or not _TIME.search(line):
        return False
    return bool(_FAX_PAGE.search(line)) or bool(_DATE.search(line) and _PHONE.search(line))


_COVER_WORDS = re.compile(r"\b(?:fax|facsimile|telecopy|transmittal)\b", re.I)
_COVER_FIELDS = re.compile(
    r"^\s*(?:to|from|fax|phone|tel|date|re|subject|attn|pages?|number\s+of\s+pages|no\.?\s+of\s+pages)\s*[:#]", re.I
)
_LETTER_BODY = re.compile(
    r"HOW THE IMR FINAL DETERMINATION|CLINICAL CASE SUMMARY|IMR ISSUES|DECISIONS? AND RATIONALE|"
    r"Notice of Independent Medical Review|MEDICAL PROFESSIONAL REVIEW|ISSUES? AT DISPUTE|"
    r"Case\s+Number\s*:|:\s*(?:Upheld|Overturned)\s*$",
    re.I,
)


def is_cover_sheet(lines: Sequence[str]) -> bool:
    """Whether a page is a fax cover sheet: it says fax (or facsimile), has at least
    ``cover_sheet_min_fields`` fields of a cover sheet (To:, From:, Fax:, Pages:, Re:...) and none
    of a letter's headings, header labels or decision lines."""
    content = [ln for ln in lines if ln != BREAK]
    text = "\n".join(content)
    if not _COVER_WORDS.search(text) or _LETTER_BODY.search(text):
        return False
    return sum(1 for ln in content if _COVER_FIELDS.match(ln)) >= S.cover_sheet_min_fields


def remove_fax_furniture(pages: list[list[str]]) -> tuple[list[list[str]], int]:
    """``pages`` without fax cover sheets (leading pages only) and without fax header lines in the
    first or last lines of a page; and how many cover sheets were dropped. A document with no such
    furniture comes back unchanged."""
    covers = 0
    while covers < len(pages) - 1 and is_cover_sheet(pages[covers]):
        covers += 1
    out: list[list[str]] = []
    for page in pages[covers:]:
        idx = [i for i, ln in enumerate(page) if ln != BREAK]
        edges = set(idx[: S.fax_header_edge_lines]) | set(idx[-S.fax_header_edge_lines :])
        drop = {i for i in edges if is_fax_header(page[i])}
        kept = [ln for i, ln in enumerate(page) if i not in drop]
        while kept and kept[0] == BREAK:
            kept.pop(0)
        out.append(kept)
    return out, covers
