"""OCR of PDF pages that have no text layer (scanned or faxed letters), with Tesseract.

A pure function of the PDF's bytes, called from the read step: a page without text is first
looked at cheaply (rendered small, :func:`inked_pages`), and a blank or near-blank one (nothing
but dust) is left empty without running Tesseract; each page that carries ink is rendered by
PDFium (greyscale, at ``render_dpi``), table rules are erased, and the ``tesseract``
program (Debian ``tesseract-ocr``, run as a subprocess with ``OMP_THREAD_LIMIT=1`` and its own
timeout) returns hOCR: words with boxes, per-word confidence and per-line baselines. Boxes are
turned back by the page's skew (the median baseline slope) and converted to PDF points, so the
positioned-word path of :mod:`imr.extract.pdf_text` (lines by position, paragraph gaps, header
table pairing) reads OCR'd pages exactly as it reads text layers.

Cleanup is conservative (:mod:`imr.extract.ocr_words`): speckle and table-rule fragments are
dropped, and a decision word is only restored from a fixed set of glyph confusions; a decision
word read with low confidence raises :class:`~imr.errors.OcrLowConfidenceError` instead of being
guessed. A header date or case number of the letter's page 1 that fails its checks (``42/01/2016``)
or was read with low confidence is read again from its crop in several ways
(:func:`reread_header_values`) and takes a value only when at least two reads agree and none
says another; otherwise the checks set the letter aside. Resolutions, timeout and thresholds are
:data:`~imr.extract.ocr_settings.OCR_SETTINGS`.
"""

from __future__ import annotations

import math
import os
import statistics
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from imr.errors import CorruptPdfError, NoTextLayerError, OcrFailedError
from imr.extract.document import Document
from imr.extract.ocr_settings import OCR_SETTINGS as S
from imr.extract.ocr_words import (
    HEADER_DOUBT,
    UNREADABLE_TAIL,
    Doubt,
    OcrWord,
    agreed_reading,
    clean_words,
    confirmed_by,
    confirms,
    find_doubts,
    header_values_in_doubt,
    is_header_value,
    item_tail,
    legible_tail,
)
from imr.extract.pdf_text import Word, document_from_words

if TYPE_CHECKING:
    import pypdfium2
    from PIL.Image import Image as PilImage

#: The Tesseract command (its page segmentation modes are ``page_psm`` and ``word_psm`` of the settings).
TESSERACT = "tesseract"
#: ``OCR_SETTINGS.ink_level`` under its former name, which tests/extract/test_extract_blank_pages.py imports.
INK_LEVEL = S.ink_level

_HOCR_NS = "{http://www.w3.org/1999/xhtml}"


@dataclass
class OcrDocument(Document):
    """A Document at least one page of which was read by OCR (``ocr_pages``, 0-based);
    ``low_confidence`` says why a decisive word cannot be trusted (None when nothing is in doubt)
    and ``doubts`` are those words (for the partial letter's ``_doubtful``)."""

    ocr_pages: list[int] = field(default_factory=list)
    low_confidence: str | None = None
    doubts: list[Doubt] = field(default_factory=list, repr=False)


def document_with_ocr(data: bytes, pages_words: Sequence[Sequence[Word]], dpi: int = S.render_dpi) -> Document:
    """The Document of a PDF whose text-layer words are ``pages_words``; pages without any word
    that carry ink are rendered and OCR'd (a blank page stays empty and Tesseract never sees it).
    Raises NoTextLayerError when no page has words or ink, or OCR finds no text either, and
    OcrFailedError when Tesseract fails; a decisive word in doubt is recorded in ``low_confidence``
    (:func:`imr.extract.ocr_checks.verify_ocr` rejects the letter)."""
    missing = [i for i, words in enumerate(pages_words) if not words]
    if not pages_words or not missing:
        return document_from_words(pages_words)
    inked = inked_pages(data, missing)
    if not inked:
        if any(pages_words):
            return document_from_words(pages_words)  # blank pages beside a text layer: nothing to read
        raise NoTextLayerError("the PDF has no text layer and its pages carry no ink")
    merged: list[list[Word]] = [list(w) for w in pages_words]
    ocr_words: list[list[OcrWord]] = []
    images: list[PilImage] = []
    dpis: list[int] = []
    for i, (image, page_dpi) in zip(inked, render_for_ocr(data, inked, dpi), strict=True):
        clean = erase_rules(image, page_dpi)
        words = clean_words(ocr_image(clean, page_dpi, erase=False))
        ocr_words.append(words)
        images.append(clean)
        dpis.append(page_dpi)
        merged[i] = list(words)
    if not any(any(w.text.strip() for w in ws) for ws in ocr_words):
        if any(pages_words):
            return document_from_words(pages_words)  # blank pages beside a text layer: no OCR text
        raise NoTextLayerError("the PDF has no text layer and OCR found no text in its page images")
    doc = document_from_words(merged)
    header_page = _letter_page_one(doc, inked)
    if header_page >= 0 and reread_header_values(ocr_words[header_page], images[header_page], dpis[header_page]):
        doc = document_from_words(merged)  # the page's text and header pairs with the values settled
    second_reads(ocr_words, images, dpis, header_page=header_page, header_values=False)
    doubts = find_doubts(ocr_words, header_page=header_page)
    return OcrDocument(
        pages=doc.pages,
        media_type=doc.media_type,
        page_count=doc.page_count,
        header_fields=doc.header_fields,
        words=doc.words,
        ocr_pages=inked,
        low_confidence=doubts[0].reason if doubts else None,
        doubts=doubts,
    )


def _letter_page_one(doc: Document, inked: Sequence[int]) -> int:
    """Which of the OCR'd pages ``inked`` is the letter's page 1 (the page after any fax cover
    sheets), or -1 when that page was not OCR'd."""
    from imr.extract.fax import is_cover_sheet

    first = 0
    while first < len(doc.pages) - 1 and is_cover_sheet(doc.pages[first]):
        first += 1
    return inked.index(first) if first in inked else -1


def second_reads(
    pages: Sequence[Sequence[OcrWord]],
    images: Sequence[PilImage],
    dpi: int | Sequence[int],
    header_first: bool = True,
    header_page: int | None = None,
    header_values: bool = True,
) -> int:
    """Read each decisive word in doubt again, alone (Tesseract ``--psm 7`` on its crop); a second
    read that gives the very same word with enough confidence confirms it (its confidence is
    raised). When it does not, the crop is read the other ways of :func:`reread_variants`, and
    two of those reads that confirm it, with none that reads another word with confidence, do
    (:func:`~imr.extract.ocr_words.confirmed_by`). Nothing is ever replaced. ``dpi``: of every image, or one per image.
    ``header_values``: header dates and case numbers in doubt too (False: they were read again
    already, by :func:`reread_header_values`). Returns how many words were confirmed."""
    confirmed = 0
    doubts = find_doubts(pages, header_first, header_page)
    if not header_values:
        doubts = [d for d in doubts if d.reason != HEADER_DOUBT or d.word is None or not is_header_value(d.word.text)]
    for doubt in doubts[: S.second_read_max]:
        w = doubt.word
        page_dpi = dpi if isinstance(dpi, int) else dpi[doubt.page]
        if w is None:
            if doubt.reason == UNREADABLE_TAIL:
                confirmed += reread_item_tail(doubt.line, images[doubt.page], page_dpi)
            continue
        crop = _word_crop(images[doubt.page], w)
        if crop is None:
            continue
        variants = reread_variants(crop, page_dpi)
        reads = [_read_word(variants[0], page_dpi)]
        if not confirms(doubt, *reads[0]):  # the crop as is did not confirm it: the other ways
            reads += [_read_word(variant, page_dpi) for variant in variants[1:]]
        conf = confirmed_by(doubt, reads)
        if conf is not None:
            w.conf = max(w.conf, conf)
            confirmed += 1
    return confirmed


def _read_word(image: PilImage, dpi: int) -> tuple[str, float]:
    """What Tesseract reads in a word's crop (``--psm 7``), and its least confidence (0 for nothing)."""
    again = ocr_image(image, dpi, psm=str(S.word_psm), erase=False)
    return "".join(a.text for a in again), min((a.conf for a in again), default=0.0)


def reread_item_tail(line: Sequence[OcrWord], image: PilImage, dpi: int) -> int:
    """Read again, in the ways of :func:`reread_variants`, the words after an item's colon that the
    page could not read (``line``: the item's line). When the reads show legible words that are no
    decision (:func:`~imr.extract.ocr_words.legible_tail`), their confidence is raised so they are
    no longer in doubt (their text stays as read); a read that looks like a decision word leaves
    the doubt standing. Returns 1 when the doubt was settled, else 0."""
    tail = item_tail(line)
    if not tail:
        return 0
    px = (
        min(w.px[0] for w in tail),
        min(w.px[1] for w in tail),
        max(w.px[2] for w in tail),
        max(w.px[3] for w in tail),
    )
    crop = _word_crop(image, OcrWord("", 0, 0, 0, 0, px=px))
    if crop is None:
        return 0
    reads = [
        [(a.text, a.conf) for a in ocr_image(variant, dpi, psm=str(S.word_psm), erase=False)]
        for variant in reread_variants(crop, dpi)
    ]
    conf = legible_tail(reads)
    if conf is None:
        return 0
    for w in tail:
        w.conf = max(w.conf, conf)
    return 1


def reread_header_values(words: Sequence[OcrWord], image: PilImage, dpi: int) -> int:
    """Read again, in several ways, each header date and case number of the letter's page 1
    (``words``, read from ``image`` at ``dpi``) that fails its checks or was read with low
    confidence (:func:`~imr.extract.ocr_words.header_values_in_doubt`): Tesseract ``--psm 7`` on
    its crop as it is, softened, blurred, blurred and re-inked, and made black and white
    (:func:`reread_variants`). A word takes the value those reads agree on
    (:func:`~imr.extract.ocr_words.agreed_reading`: at least two reads, none saying another value,
    a glyph or two from the first read); otherwise it stays as read, and the checks set the letter
    aside. Returns how many words were settled."""
    settled = 0
    for w in header_values_in_doubt(words)[: S.reread_max]:
        crop = _word_crop(image, w)
        if crop is None:
            continue
        reads = [_read_word(variant, dpi) for variant in reread_variants(crop, dpi)]  # nothing read: no vote
        agreed = agreed_reading(w, reads)
        if agreed is not None:
            w.text, w.conf = agreed
            settled += 1
    return settled


def reread_variants(crop: PilImage, dpi: int) -> list[PilImage]:
    """The crop of one word as it is, softened, blurred, blurred and re-inked (thresholded and
    softened again: broken strokes and a speck beside them melt into the glyph), and made black and
    white; radii in inches of the page (``reread_*``), so a 200-dpi scan and a 300-dpi fax are
    treated alike."""
    from PIL import ImageFilter

    soft = ImageFilter.GaussianBlur(S.reread_soft_blur_inches * dpi)
    blurred = crop.filter(ImageFilter.GaussianBlur(S.reread_blur_inches * dpi))
    reinked = blurred.point(lambda v: 0 if v < S.reread_ink_level else 255).filter(soft)
    hard = crop.point(lambda v: 0 if v < S.reread_hard_level else 255)
    return [crop, crop.filter(soft), blurred, reinked, hard]


def _word_crop(image: PilImage, w: OcrWord) -> PilImage | None:
    """The word's box in ``image`` with a margin (``second_read_pad_*``), or None when it is empty."""
    x0, y0, x1, y1 = w.px
    pad = max(S.second_read_pad_min, S.second_read_pad_ratio * (y1 - y0))
    box = (
        max(0, int(x0 - pad)),
        max(0, int(y0 - pad)),
        min(image.width, int(x1 + pad)),
        min(image.height, int(y1 + pad)),
    )
    if box[2] <= box[0] or box[3] <= box[1]:
        return None
    return image.crop(box)


def render_pages(data: bytes, indexes: Sequence[int], dpi: int = S.render_dpi) -> list[PilImage]:
    """Greyscale images of the pages ``indexes`` of the PDF ``data`` at ``dpi``."""
    with _opened(data) as pdf:
        return [_render(pdf, i, dpi) for i in indexes]


def render_for_ocr(data: bytes, indexes: Sequence[int], dpi: int = S.render_dpi) -> list[tuple[PilImage, int]]:
    """Images of the pages ``indexes`` ready for Tesseract, each with its resolution: a scanned
    page greyscale at ``dpi``; a faxed page (1-bit, or pixels that are not square) at
    ``fax_dpi``, its dropped lines filled and its edges smoothed."""
    from imr.extract.fax import fax_page_image

    out: list[tuple[PilImage, int]] = []
    with _opened(data) as pdf:
        for i in indexes:
            page = pdf[i]
            try:
                fax = fax_page_image(page, S.fax_dpi)
            finally:
                page.close()
            out.append((_render(pdf, i, dpi), dpi) if fax is None else (fax, S.fax_dpi))
    return out


def inked_pages(data: bytes, indexes: Sequence[int], dpi: int = S.ink_dpi) -> list[int]:
    """Those of the pages ``indexes`` of the PDF ``data`` that carry ink (:func:`has_ink` on a
    greyscale render at ``dpi``): the ones worth OCR. A blank page, a duplex back side or an
    end-of-document page with a few specks of dust, is not."""
    with _opened(data) as pdf:
        return [i for i in indexes if has_ink(_render(pdf, i, dpi))]


def has_ink(image: PilImage) -> bool:
    """True when at least ``ink_min_share`` of ``image``'s pixels are darker than
    ``ink_level`` and touch another such pixel (8-neighbourhood): isolated specks are not ink.
    A page with too few dark pixels at all is answered from its histogram, without numpy."""
    grey = image.convert("L")
    least = S.ink_min_share * grey.width * grey.height
    if sum(grey.histogram()[: S.ink_level]) < least:
        return False
    import numpy as np

    dark = np.asarray(grey, dtype=np.uint8) < S.ink_level
    rows, cols = dark.shape
    padded = np.pad(dark, 1)
    touching = np.zeros_like(dark)
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            if (dy, dx) != (1, 1):
                touching |= padded[dy : dy + rows, dx : dx + cols]
    return int(np.count_nonzero(dark & touching)) >= least


@contextmanager
def _opened(data: bytes) -> Iterator[pypdfium2.PdfDocument]:
    """The PDF ``data`` opened by PDFium (closed after); a PDFium error is CorruptPdfError."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data, password="")
    except pdfium.PdfiumError:
        raise CorruptPdfError("the PDF cannot be rendered for OCR (PdfiumError)") from None
    try:
        yield pdf
    except pdfium.PdfiumError:
        raise CorruptPdfError("the PDF cannot be rendered for OCR (PdfiumError)") from None
    finally:
        pdf.close()


def _render(pdf: pypdfium2.PdfDocument, index: int, dpi: int) -> PilImage:
    """Page ``index`` of ``pdf`` as a greyscale image at ``dpi``."""
    page = pdf[index]
    try:
        image: PilImage = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
        return image
    finally:
        page.close()


def erase_rules(image: PilImage, dpi: int) -> PilImage:
    """``image`` despeckled (3x3 median) and with long horizontal and vertical rules (table
    borders, underlines) made white: Tesseract reads the cells of a ruled table as words glued to
    ``|``, and speckle as punctuation, otherwise."""
    import numpy as np
    from PIL import Image, ImageFilter

    from imr.extract.fax_image import horizontal_runs

    image = image.filter(ImageFilter.MedianFilter(S.despeckle_size))  # speckle of a pixel or two goes too
    arr = np.asarray(image, dtype=np.uint8)
    dark = arr < S.rule_dark_level
    run = max(S.rule_min_run, dpi // S.rule_run_inch_fraction)
    mask = horizontal_runs(dark, run) | horizontal_runs(dark.T, run).T
    if not mask.any():
        return image
    # widen by one pixel so that blurred rule edges go too
    grown = mask.copy()
    grown[1:, :] |= mask[:-1, :]
    grown[:-1, :] |= mask[1:, :]
    grown[:, 1:] |= mask[:, :-1]
    grown[:, :-1] |= mask[:, 1:]
    out = arr.copy()
    out[grown] = 255
    return Image.fromarray(out, mode="L")


def ocr_image(
    image: PilImage,
    dpi: int = S.render_dpi,
    timeout: float = S.page_timeout_seconds,
    psm: str = str(S.page_psm),
    erase: bool = True,
) -> list[OcrWord]:
    """Words of one page image, boxes in PDF points (top-left origin) with the skew removed.
    ``erase``: make table rules white first (:func:`erase_rules`)."""
    import io

    buf = io.BytesIO()
    (erase_rules(image, dpi) if erase else image).save(buf, format="PPM")  # greyscale PGM: no encoding cost
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    cmd = [TESSERACT, "stdin", "stdout", "--psm", psm, "--dpi", str(dpi), "-l", "eng"]
    cmd += ["-c", "tessedit_do_invert=0", "hocr"]
    try:
        proc = subprocess.run(cmd, input=buf.getvalue(), capture_output=True, timeout=timeout, env=env, check=False)
    except FileNotFoundError:
        raise OcrFailedError("OCR is on but the tesseract program is not installed") from None
    except subprocess.TimeoutExpired:
        raise OcrFailedError(f"OCR of a page took longer than {timeout:.0f} s") from None
    if proc.returncode != 0:
        raise OcrFailedError(f"tesseract failed (exit status {proc.returncode})")
    return words_from_hocr(proc.stdout, dpi, image.size)


#: A word as read (text, pixel box, confidence) with its deskewed centre x.
_Placed = tuple[float, float, list[tuple[str, tuple[float, float, float, float], float, float]]]


@dataclass
class _Line:
    slope: float
    size: float
    words: list[tuple[str, tuple[float, float, float, float], float]]


def words_from_hocr(hocr: bytes, dpi: int, size: tuple[int, int]) -> list[OcrWord]:
    """Parse Tesseract hOCR into positioned words (PDF points, deskewed by the median baseline slope)."""
    try:
        root = ET.fromstring(hocr)
    except ET.ParseError:
        raise OcrFailedError("tesseract returned unreadable hOCR") from None
    lines: list[_Line] = []
    for span in root.iter(f"{_HOCR_NS}span"):
        if span.get("class") not in ("ocr_line", "ocr_header", "ocr_caption", "ocr_textfloat"):
            continue
        props = _props(span.get("title", ""))
        baseline = props.get("baseline", ["0", "0"])
        slope = float(baseline[0]) if baseline else 0.0
        x_size = float(props.get("x_size", ["0"])[0])
        words = []
        for w in span.iter(f"{_HOCR_NS}span"):
            if w.get("class") != "ocrx_word":
                continue
            text = "".join(w.itertext()).strip()
            wp = _props(w.get("title", ""))
            if not text or "bbox" not in wp:
                continue
            x0, y0, x1, y1 = (float(v) for v in wp["bbox"][:4])
            conf = float(wp.get("x_wconf", ["0"])[0])
            words.append((text, (x0, y0, x1, y1), conf))
        if words:
            lines.append(_Line(slope, x_size, words))
    if not lines:
        return []
    width, height = size
    long_lines = [ln.slope for ln in lines if _span(ln) > width * S.skew_line_share] or [ln.slope for ln in lines]
    angle = math.atan(statistics.median(long_lines))
    cos, sin = math.cos(angle), math.sin(angle)
    cx, cy = width / 2, height / 2
    k = 72.0 / dpi
    placed: list[_Placed] = []
    for ln in lines:
        turned: list[tuple[str, tuple[float, float, float, float], float, float]] = []
        for text, (x0, y0, x1, y1), conf in ln.words:
            mx, my = (x0 + x1) / 2 - cx, (y0 + y1) / 2 - cy
            # rotate by -angle: the baseline becomes horizontal
            turned.append((text, (x0, y0, x1, y1), conf, mx * cos + my * sin + cx))
        mids = [-((b[0] + b[2]) / 2 - cx) * sin + ((b[1] + b[3]) / 2 - cy) * cos + cy for _, b, _ in ln.words]
        heights = [b[3] - b[1] for _, b, _ in ln.words]
        line_h = max(ln.size, statistics.median(heights)) if ln.size else statistics.median(heights)
        placed.append((statistics.median(mids), line_h, turned))
    # lines Tesseract split at one height (a table row, a word set apart) become one line again
    placed.sort(key=lambda p: p[0])
    groups: list[list[_Placed]] = []
    for item in placed:
        if groups and abs(item[0] - groups[-1][0][0]) < S.line_merge_ratio * min(item[1], groups[-1][0][1]):
            groups[-1].append(item)
        else:
            groups.append([item])
    out: list[OcrWord] = []
    for number, group in enumerate(groups):
        mid = statistics.mean(g[0] for g in group)
        line_h = max(g[1] for g in group)
        members = sorted((w for g in group for w in g[2]), key=lambda w: w[3])
        for text, (x0, y0, x1, y1), conf, rx in members:
            half = (x1 - x0) / 2
            out.append(
                OcrWord(
                    text,
                    (rx - half) * k,
                    (rx + half) * k,
                    (mid - line_h / 2) * k,
                    (mid + line_h / 2) * k,
                    conf=conf,
                    box_height=(y1 - y0) * k,
                    line=number,
                    px=(x0, y0, x1, y1),
                )
            )
    return out


def _span(ln: _Line) -> float:
    return max(b[2] for _, b, _ in ln.words) - min(b[0] for _, b, _ in ln.words)


def _props(title: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part in title.split(";"):
        bits = part.strip().split()
        if bits:
            out[bits[0]] = bits[1:]
    return out
