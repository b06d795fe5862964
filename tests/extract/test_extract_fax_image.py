"""A fax page's bitmap before Tesseract (issue 21): taken at its own resolution (a 204 x 98 page is
never squeezed to square pixels by a render first), dropped scan lines filled, table rules erased
with their ragged fringe, the ink the right way round. No OCR engine needed."""

from __future__ import annotations

from typing import Any

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image

from imr.extract import fax_image
from imr.extract.fax import fax_page_image
from imr.extract.fax_image import fill_dropped_lines, ink_of, rule_mask
from imr.extract.ocr_settings import OCR_SETTINGS as S
from imr.synth import generate_letter
from imr.synth.fax import FINE, MACHINE, SERVER, STANDARD, FaxOptions, fax_pdf
from imr.synth.pdf_render import render_pdf_counted


def _strokes(rows: int = 40, cols: int = 60) -> np.ndarray:
    """Ink of a few upright strokes (the stems of letters) and a blob, rows 10-29."""
    ink = np.zeros((rows, cols), dtype=bool)
    for x in (5, 6, 15, 16, 30, 31, 32, 45):
        ink[10:30, x] = True
    ink[18:22, 38:42] = True
    return ink


@pytest.mark.parametrize("burst", [1, 2, S.fax_dropped_max_rows])
def test_a_dropped_scan_line_across_strokes_is_filled(burst: int) -> None:
    ink = _strokes()
    dropped = ink.copy()
    dropped[15 : 15 + burst, :] = False
    assert (fill_dropped_lines(dropped, *FINE)[15 : 15 + burst] == ink[15 : 15 + burst]).all()


def _slanted(resolution: tuple[int, int], cols: int = 240) -> np.ndarray:
    """Ink of slanted strokes (the diagonals of a 4, a 7, a slash, a V: one going right, one going
    left, each a few pixels wide, moving half a 45-degree stroke's columns per row) and a bowl
    (an O: two sides that close in), rows 10-29 of a bitmap at ``resolution``."""
    hdpi, vdpi = resolution
    ink = np.zeros((40, cols), dtype=bool)
    step = 0.5 * hdpi / vdpi  # columns per row
    for r in range(10, 30):
        k = r - 10
        for x0, sign in ((20, 1), (90, -1)):
            x = round(x0 + sign * step * k)
            ink[r, x : x + 3] = True
        half = round(12 * (1 - ((k - 9.5) / 10) ** 2) ** 0.5)  # the bowl: a circle's sides
        ink[r, 160 - half : 163 - half] = True
        ink[r, 160 + half : 163 + half] = True
    return ink


@pytest.mark.parametrize("burst", [1, 2, S.fax_dropped_max_rows])
@pytest.mark.parametrize("resolution", [FINE, STANDARD])
def test_a_dropped_scan_line_across_slanted_strokes_and_curves_is_filled_along_them(
    resolution: tuple[int, int], burst: int
) -> None:
    """Slanted strokes share little ink from one side of a dropped run to the other (the old test
    of shared ink alone left them white): each pixel is drawn towards the nearest ink across,
    a step of the way on each row, so the filled rows follow the strokes to within a pixel."""
    ink = _slanted(resolution)
    dropped = ink.copy()
    dropped[17 : 17 + burst, :] = False
    filled = fill_dropped_lines(dropped, *resolution)[17 : 17 + burst]
    want = ink[17 : 17 + burst]
    near = fax_image._grown(want, 1, axis=1)
    assert filled.any(axis=1).all()
    assert not (filled & ~near).any()  # no ink where no stroke goes
    assert (want & fax_image._grown(filled, 1, axis=1)).sum() >= 0.9 * want.sum()


def test_white_rows_that_are_not_dropped_lines_stay_white() -> None:
    ink = _strokes()
    # a gap between two lines of text: the rows around it share no ink
    two_lines = np.zeros((30, 60), dtype=bool)
    two_lines[5:12, 0:20:3] = True
    two_lines[13:20, 1:20:3] = True
    assert not fill_dropped_lines(two_lines, *FINE)[12].any()
    # a white run longer than a transmission error is a gap, not a lost line
    long_gap = ink.copy()
    long_gap[14 : 15 + S.fax_dropped_max_rows, :] = False
    assert not fill_dropped_lines(long_gap, *FINE)[14 : 15 + S.fax_dropped_max_rows].any()


@pytest.mark.parametrize("resolution", [FINE, STANDARD])
def test_the_white_between_a_line_of_text_and_a_rule_under_it_is_not_a_dropped_line(
    resolution: tuple[int, int],
) -> None:
    """A table rule under a line of digits: every foot has the rule close under it, and most of
    the rule's columns have a foot within a stroke's reach; the rule is left out of the test of
    strokes going on across, so the white above it stays white."""
    hdpi, _ = resolution
    ink = np.zeros((40, 2 * hdpi), dtype=bool)
    for x0 in range(4, 2 * hdpi - 8, 8):  # digits' stems and feet, a few pixels apart
        ink[10:30, x0 : x0 + 2] = True
        ink[29, x0 : x0 + 3] = True
    ink[33, :] = True  # the rule three rows under the feet (row 29)
    assert not fill_dropped_lines(ink, *resolution)[30:33].any()


@pytest.mark.parametrize("resolution", [FINE, STANDARD])
def test_rules_are_found_broken_skewed_and_with_their_fringe_but_text_is_not(resolution: tuple[int, int]) -> None:
    hdpi, vdpi = resolution
    rows, cols = vdpi * 2, hdpi * 3
    ink = np.zeros((rows, cols), dtype=bool)
    top = vdpi // 2
    for x in range(20, cols - 20):  # a rule across the page: one step of skew, gaps of 2 pixels
        if x % 37 not in (0, 1):
            ink[top + (x > cols // 2), x] = True
    ink[top + 1, 100:104] = True  # the ragged fringe a threshold leaves beside it
    ink[top + 5 : vdpi + 10, 40] = True  # a vertical rule: a cell's border
    text = np.zeros_like(ink)
    for x0 in range(60, cols - 60, 9):  # a word: stems with counters wider than a rule's gaps
        text[vdpi + 20 : vdpi + 32, x0 : x0 + 3] = True
        text[vdpi + 20, x0 : x0 + 5] = True
    mask = rule_mask(ink | text, hdpi, vdpi)
    assert mask[ink].all()
    assert not mask[text & ~ink].any()


@pytest.mark.parametrize("resolution", [FINE, STANDARD])
def test_a_dotted_rule_is_found_but_the_feet_of_a_line_of_text_are_not(resolution: tuple[int, int]) -> None:
    """A thin grey rule a fax threshold turned into dots (gaps wider than any closing) is erased;
    the flat feet of a row of digits ('2222', one row of dense ink) sit on inked rows and stay."""
    hdpi, vdpi = resolution
    rows, cols = vdpi * 2, hdpi * 3
    ink = np.zeros((rows, cols), dtype=bool)
    top = vdpi // 2
    rng = np.random.default_rng(5)
    dots = rng.random(cols) < 0.45  # about half the columns, gaps of up to several pixels
    dots[:20] = dots[-20:] = False
    ink[top, :] = dots
    ink[top + 1, :] = dots & (np.arange(cols) > cols // 2)  # one step of skew
    text = np.zeros_like(ink)
    base = top + vdpi // 3
    for x0 in range(40, cols - 40, 12):  # digits: stems of two pixels above, flat feet on the baseline
        text[base - vdpi // 10 : base, x0 + 6 : x0 + 8] = True
        text[base, x0 : x0 + 9] = True
    mask = fax_image.thin_lines(ink | text, hdpi, vdpi)
    assert mask[ink].mean() > 0.95
    assert not mask[text].any()
    assert rule_mask(ink | text, hdpi, vdpi)[ink].mean() > 0.95


@pytest.mark.parametrize("resolution", [FINE, STANDARD])
def test_a_speck_apart_from_the_words_goes_but_periods_and_dots_stay(resolution: tuple[int, int]) -> None:
    hdpi, vdpi = resolution
    ink = np.zeros((vdpi, hdpi), dtype=bool)
    row = vdpi // 2
    ink[row - 10 : row, 60:63] = True  # an i's stem ...
    ink[row - 14 : row - 12, 60:62] = True  # ... and its dot, a few rows above
    ink[row - 10 : row, 70:72] = True  # a letter ...
    ink[row - 2 : row, 75:77] = True  # ... and the period after it
    speck = (row - 8, 40)  # dust a tenth of an inch left of the word
    ink[speck[0] : speck[0] + 2, speck[1] : speck[1] + 2] = True
    mask = fax_image.specks(ink, hdpi, vdpi)
    assert mask[speck[0] : speck[0] + 2, speck[1] : speck[1] + 2].all()
    assert mask.sum() == 4  # the speck only


def test_a_negative_bitmap_is_turned_back() -> None:
    page = np.full((50, 80), 255, dtype=np.uint8)
    page[20:25, 10:70] = 0
    assert (ink_of(Image.fromarray(255 - page)) == ink_of(Image.fromarray(page))).all()


@pytest.mark.parametrize("sender", [MACHINE, SERVER])
@pytest.mark.parametrize("resolution", [FINE, STANDARD])
def test_a_fax_page_is_taken_at_its_own_resolution(
    resolution: tuple[int, int], sender: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 204 x 98 page rendered square by PDFium first lost a quarter of its columns (1340 of
    1734): the bitmap reaches the cleanup as stored, with its resolution along each axis."""
    seen: list[tuple[Any, ...]] = []
    real = fax_image.prepare_fax

    def spy(bitmap: Image.Image, size: tuple[int, int], res: tuple[float, float]) -> Image.Image:
        seen.append((bitmap.size, size, res))
        return real(bitmap, size, res)

    monkeypatch.setattr(fax_image, "prepare_fax", spy)
    born, _ = render_pdf_counted(generate_letter(4, layout="D2"))
    pdf = pdfium.PdfDocument(fax_pdf(born, 2, FaxOptions(resolution=resolution, sender=sender)))
    try:
        page = pdf[0]
        image = fax_page_image(page, 300)
        assert image is not None and image.size == (2550, 3300)
        page.set_rotation(90)
        turned = fax_page_image(page, 300)
        assert turned is not None and turned.size == (3300, 2550)
    finally:
        pdf.close()
    (bitmap, _, res), (turned_bitmap, _, turned_res) = seen
    assert bitmap == (1734, round(11 * resolution[1]))
    assert res == pytest.approx((204, resolution[1]), rel=0.01)
    assert turned_bitmap == bitmap[::-1] and turned_res == pytest.approx(res[::-1], rel=0.01)


def test_a_page_with_text_or_a_small_image_is_not_a_fax_page() -> None:
    born, _ = render_pdf_counted(generate_letter(4, layout="D2"))
    pdf = pdfium.PdfDocument(born)
    try:
        assert fax_page_image(pdf[0]) is None
    finally:
        pdf.close()
