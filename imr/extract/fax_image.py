"""A fax page's bitmap made ready for Tesseract: a chain of small pure steps on its ink.

A fax page arrives as a 1-bit image at the fax's own resolution (204 x 196 dpi "fine", 204 x 98
"standard"). Each step works on that bitmap, before any resampling blurs what it looks for:

1. :func:`ink_of`: the bitmap as a boolean ink array (True is black), the right way round;
2. :func:`fill_dropped_lines`: a scan line lost in transmission (a white row, or a few, across
   strokes that go on above and below it, upright or slanted) is filled from the rows around it,
   along the strokes;
3. :func:`rule_mask`: table rules and underlines, found as long straight runs (a broken rule's
   short gaps closed first) or as thin dotted bands (:func:`thin_lines`), with the fringe a 1-bit
   threshold leaves beside them; they are erased (read as ``|``, ``=`` or ``§`` glued to a header
   value otherwise);
4. :func:`specks`: small blobs far from any other ink (dust, toner, an erased rule's crumbs) are
   erased (read as a quote or comma glued to a word otherwise);
5. :func:`to_square`: resized to square pixels at the reading resolution (bicubic) and softened:
   1-bit staircase edges become grey edges Tesseract reads well.

Lengths are given in inches and turned into pixels with the bitmap's own resolution along each
axis, so fine and standard mode pages are cleaned alike. Thresholds: :data:`OCR_SETTINGS`
(``fax_*``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from imr.extract.ocr_settings import OCR_SETTINGS as S

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray
    from PIL.Image import Image as PilImage

    Ink = NDArray[np.bool_]


def prepare_fax(bitmap: PilImage, size: tuple[int, int], resolution: tuple[float, float]) -> PilImage:
    """A fax page's bitmap (at its own ``resolution``: horizontal, vertical dpi) cleaned and
    resized to ``size`` pixels (square pixels at the reading resolution), greyscale."""
    hdpi, vdpi = resolution
    ink = fill_dropped_lines(ink_of(bitmap), hdpi, vdpi)
    ink &= ~rule_mask(ink, hdpi, vdpi)
    ink &= ~specks(ink, hdpi, vdpi)
    return to_square(ink, size)


def ink_of(bitmap: PilImage) -> Ink:
    """The bitmap's black pixels (darker than ``fax_dark_level``). A page more than half black is
    a negative (an inverted decode of the image), and is turned back: text pages are mostly white."""
    import numpy as np

    ink: Ink = np.asarray(bitmap.convert("L"), dtype=np.uint8) < S.fax_dark_level
    return ~ink if ink.mean() > 0.5 else ink


def fill_dropped_lines(ink: Ink, hdpi: float, vdpi: float) -> Ink:
    """``ink`` with dropped scan lines filled: a run of at most ``fax_dropped_max_rows`` (nearly)
    white rows between two inked rows whose strokes go on across it (:func:`_crossing`: a gap
    between two lines of text, or the white between the feet of a line of text and a rule under
    it, is not crossed) is filled by :func:`_bridge` from the rows around it. ``hdpi``, ``vdpi``:
    the bitmap's resolution (how far a slanted stroke moves across from one row to the next)."""
    counts = ink.sum(axis=1)
    out = ink.copy()
    rows = len(counts)
    slant = hdpi / vdpi  # columns a 45-degree stroke moves from one row to the next
    a = 0
    while a < rows - 2:
        if counts[a] < S.fax_dropped_min_pixels:
            a += 1
            continue
        b = a + 1
        while b < rows and b - a - 1 <= S.fax_dropped_max_rows and counts[b] <= S.fax_dropped_row_share * counts[a]:
            b += 1
        gap = b - a - 1
        if 0 < gap <= S.fax_dropped_max_rows and b < rows and counts[b] >= S.fax_dropped_min_pixels:
            least = min(counts[a], counts[b])
            reach = max(1, round(S.fax_dropped_slant * slant * (gap + 1)))
            if max(counts[a + 1 : b]) <= S.fax_dropped_row_share * least and _crossing(ink[a], ink[b], reach, hdpi):
                out[a + 1 : b] = _bridge(ink[a], ink[b], gap, reach)
        a = max(b, a + 1)
    return out


def _crossing(above: NDArray[np.bool_], below: NDArray[np.bool_], reach: int, hdpi: float) -> bool:
    """Whether strokes cross the white between the rows ``above`` and ``below``: they share at
    least ``fax_dropped_overlap_share`` of the ink of each (upright stems), or, rules left out
    (long runs: a rule under a line of text is inked under all its feet), at least
    ``fax_dropped_continued_share`` of the ink of each has ink of the other within ``reach``
    columns (slanted strokes and curves move across)."""
    import numpy as np

    shared = np.count_nonzero(above & below)
    if shared >= S.fax_dropped_overlap_share * max(np.count_nonzero(above), np.count_nonzero(below)):
        return True
    run = round(S.fax_rule_min_inches * hdpi)
    pair = np.stack([above, below])
    pair &= ~horizontal_runs(pair, run)
    top, bottom = pair
    n_top, n_bottom = np.count_nonzero(top), np.count_nonzero(bottom)
    if min(n_top, n_bottom) < S.fax_dropped_min_pixels:
        return False
    near_bottom, near_top = _grown(bottom[None, :], reach, axis=1)[0], _grown(top[None, :], reach, axis=1)[0]
    share = S.fax_dropped_continued_share
    return bool(
        np.count_nonzero(top & near_bottom) >= share * n_top and np.count_nonzero(bottom & near_top) >= share * n_bottom
    )


def _bridge(above: NDArray[np.bool_], below: NDArray[np.bool_], gap: int, reach: int) -> Ink:
    """The ``gap`` rows between ``above`` and ``below``: each inked pixel of either row is drawn
    towards the nearest ink of the other (within ``reach`` columns), a step of the way on each row:
    a stem goes straight on, a slanted stroke moves across, a bowl narrows or widens. A pixel
    with no ink of the other row within reach draws nothing (a stroke ending at the gap)."""
    import numpy as np

    out = np.zeros((gap, above.shape[0]), dtype=bool)
    for src, dst, flip in ((above, below, False), (below, above, True)):
        xs = np.nonzero(src)[0]
        to = _nearest(dst)[xs]
        keep = np.abs(to - xs) <= reach
        xs, to = xs[keep], to[keep]
        for k in range(1, gap + 1):
            t = (gap + 1 - k if flip else k) / (gap + 1)
            out[k - 1, np.rint(xs + t * (to - xs)).astype(np.intp)] = True
    return out


def _nearest(row: NDArray[np.bool_]) -> NDArray[np.int64]:
    """For each column, the column of the nearest ink of ``row`` (far off the row when it has none)."""
    import numpy as np

    cols = row.shape[0]
    idx = np.arange(cols)
    far = 4 * cols
    left = np.maximum.accumulate(np.where(row, idx, -far))
    right = np.minimum.accumulate(np.where(row, idx, far)[::-1])[::-1]
    out: NDArray[np.int64] = np.where(idx - left <= right - idx, left, right)
    return out


def rule_mask(ink: Ink, hdpi: float, vdpi: float) -> Ink:
    """The ink of table rules and underlines: horizontal runs of at least ``fax_rule_min_inches``
    after gaps of up to ``fax_rule_gap_inches`` are closed, vertical runs of at least
    ``fax_vrule_min_inches`` after gaps of up to ``fax_vrule_gap_inches``, grown by
    ``fax_rule_fringe_inches`` each way (the ragged edge of a thresholded rule)."""
    across = _closed(ink, round(S.fax_rule_gap_inches * hdpi))
    down = _closed(ink.T, round(S.fax_vrule_gap_inches * vdpi))
    horizontal = horizontal_runs(across, round(S.fax_rule_min_inches * hdpi))
    vertical = horizontal_runs(down, round(S.fax_vrule_min_inches * vdpi)).T
    rules = horizontal | vertical | thin_lines(ink, hdpi, vdpi)
    if not rules.any():
        return rules
    grown = _grown(rules, max(1, round(S.fax_rule_fringe_inches * vdpi)), axis=0)
    grown = _grown(grown, max(1, round(S.fax_rule_fringe_inches * hdpi)), axis=1)
    mask: Ink = grown & ink
    return mask


def thin_lines(ink: Ink, hdpi: float, vdpi: float) -> Ink:
    """The ink of dotted and broken rules (a thin grey rule a fax's threshold turned into dots):
    a band at most ``fax_thin_line_inches`` high that inks at least ``fax_thin_line_share`` of the
    columns of a stretch ``fax_rule_min_inches`` long, with the rows next to it above and below
    (``fax_thin_flank_inches``) nearly white over that stretch (inking at most
    ``fax_thin_flank_share`` as many columns as the band). A line of text is never that thin: its
    stems ink the rows above the feet of its glyphs, and any other band of it."""
    import numpy as np

    rows, cols = ink.shape
    band = max(1, round(S.fax_thin_line_inches * vdpi))
    flank = max(1, round(S.fax_thin_flank_inches * vdpi))
    length = round(S.fax_rule_min_inches * hdpi)
    if rows < band + 2 * flank or length <= 0 or cols < length:
        return np.zeros(ink.shape, dtype=bool)

    def spans(r0: int, height: int) -> NDArray[np.int32]:
        """Inked columns of rows r0 + r .. r0 + r + height - 1 in each stretch: [r, j] for r in
        0 .. rows - band - 2 * flank, stretches starting at column j."""
        n = rows - band - 2 * flank + 1
        seen = np.zeros((n, cols), dtype=bool)
        for k in range(height):
            seen |= ink[r0 + k : r0 + k + n]
        csum = np.zeros((n, cols + 1), dtype=np.int32)
        np.cumsum(seen, axis=1, dtype=np.int32, out=csum[:, 1:])
        out: NDArray[np.int32] = csum[:, length:] - csum[:, :-length]
        return out

    inside = spans(flank, band)
    most = S.fax_thin_flank_share * inside
    found = (inside >= S.fax_thin_line_share * length) & (spans(0, flank) <= most)
    found &= spans(flank + band, flank) <= most
    if not found.any():
        return np.zeros(ink.shape, dtype=bool)
    edges = np.zeros((found.shape[0], cols + 1), dtype=np.int32)  # each found stretch's columns
    edges[:, : found.shape[1]] += found
    edges[:, length:] -= found
    starts = np.cumsum(edges, axis=1)[:, :cols] > 0
    mask = np.zeros(ink.shape, dtype=bool)
    for k in range(band):  # ... and its band's rows
        mask[flank + k : flank + k + starts.shape[0]] |= starts
    out: Ink = mask & ink
    return out


def specks(ink: Ink, hdpi: float, vdpi: float) -> Ink:
    """The ink of specks: dust, toner and the crumbs an erased rule leaves. A speck is a blob at
    most ``fax_speck_inches`` across with no other ink within ``fax_speck_clear_inches`` of it
    (Tesseract reads one beside a word as a quote or a comma glued to it). A period, a colon's
    dot or an i's dot is as small, but sits closer than that to its letters."""
    import numpy as np

    near = (max(1, round(S.fax_speck_inches * vdpi)), max(1, round(S.fax_speck_inches * hdpi)))
    clear = (round(S.fax_speck_clear_inches * vdpi), round(S.fax_speck_clear_inches * hdpi))
    counts = np.zeros((ink.shape[0] + 1, ink.shape[1] + 1), dtype=np.int32)  # counts[y, x]: ink above-left
    np.cumsum(np.cumsum(ink, axis=0, dtype=np.int32), axis=1, out=counts[1:, 1:])
    mask: Ink = ink & (_box(counts, *clear) == _box(counts, *near))
    return mask


def _box(counts: NDArray[np.int32], ry: int, rx: int) -> NDArray[np.int32]:
    """For each pixel, the ink within ``ry`` rows and ``rx`` columns of it (``counts``: the
    ink's summed-area table, a row and a column of zeros first)."""
    import numpy as np

    rows, cols = counts.shape[0] - 1, counts.shape[1] - 1
    y = np.arange(rows)
    x = np.arange(cols)
    y0, y1 = np.clip(y - ry, 0, rows), np.clip(y + ry + 1, 0, rows)
    x0, x1 = np.clip(x - rx, 0, cols), np.clip(x + rx + 1, 0, cols)
    out: NDArray[np.int32] = (
        counts[np.ix_(y1, x1)] - counts[np.ix_(y0, x1)] - counts[np.ix_(y1, x0)] + counts[np.ix_(y0, x0)]
    )
    return out


def to_square(ink: Ink, size: tuple[int, int]) -> PilImage:
    """``ink`` as a greyscale image resized to ``size`` (bicubic) and softened by a Gaussian of
    ``fax_blur_radius`` pixels."""
    import numpy as np
    from PIL import Image, ImageFilter

    image = Image.fromarray(np.where(ink, 0, 255).astype(np.uint8), mode="L")
    return image.resize(size, Image.Resampling.BICUBIC).filter(ImageFilter.GaussianBlur(S.fax_blur_radius))


def _closed(ink: Ink, gap: int) -> Ink:
    """``ink`` with horizontal gaps of at most ``gap`` pixels between ink filled (a morphological
    closing by a segment of ``gap + 1`` pixels)."""
    import numpy as np

    if gap <= 0:
        return ink
    rows, cols = ink.shape
    padded = np.zeros((rows, cols + 2 * gap), dtype=bool)
    padded[:, gap : gap + cols] = ink
    dilated = padded.copy()  # dilated[x]: ink at x - gap .. x
    for k in range(1, gap + 1):
        dilated[:, k:] |= padded[:, :-k]
    closed = dilated.copy()  # closed[x]: dilated at x .. x + gap
    for k in range(1, gap + 1):
        closed[:, :-k] &= dilated[:, k:]
    out: Ink = closed[:, gap : gap + cols]
    return out


def _grown(mask: Ink, by: int, axis: int) -> Ink:
    """``mask`` widened by ``by`` pixels both ways along ``axis`` (0: rows, 1: columns)."""
    out = mask.copy()
    for k in range(1, by + 1):
        if axis == 0:
            out[k:, :] |= mask[:-k, :]
            out[:-k, :] |= mask[k:, :]
        else:
            out[:, k:] |= mask[:, :-k]
            out[:, :-k] |= mask[:, k:]
    return out


def horizontal_runs(ink: Ink, length: int) -> Ink:
    """The pixels of horizontal runs of at least ``length`` ink pixels (a scanned page's table
    rules are found with it too: :func:`imr.extract.ocr.erase_rules`)."""
    import numpy as np

    rows, cols = ink.shape
    if length <= 0 or cols < length:
        return np.zeros(ink.shape, dtype=bool)
    csum = np.zeros((rows, cols + 1), dtype=np.int32)
    np.cumsum(ink, axis=1, dtype=np.int32, out=csum[:, 1:])
    full = (csum[:, length:] - csum[:, :-length]) == length  # full[:, j]: pixels j .. j+length-1 all ink
    edges = np.zeros((rows, cols + 1), dtype=np.int32)
    edges[:, : full.shape[1]] += full
    edges[:, length:] -= full
    mask: Ink = np.cumsum(edges, axis=1)[:, :cols] > 0
    return mask
