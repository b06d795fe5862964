"""PDF bytes to positioned words through pypdfium2 (PDFium, shipped with pdfplumber).

The words become a :class:`Document` with the same geometry as the pdfplumber path
(:func:`imr.extract.pdf_text.document_from_words`): PDFium gives each character's box, which are
grouped into words here. It is several times faster than pdfminer; ``bench/RESULTS.md`` records
the speed and whether records are identical.

Text a reader of the page cannot see is left out (:func:`_unseen`): invisible text (render mode 3,
the text layer of a "searchable scan", whose words another program's OCR guessed: the page is then
one without a text layer, for our own OCR), white or transparent text, text outside the page's crop
box and text too small to read. A page drawn sideways or upside down (content turned by a matrix,
whatever its ``/Rotate``) is read in the direction its text runs.
"""

from __future__ import annotations

import ctypes
import functools
import math
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

from imr.errors import CorruptPdfError, EmptyFileError, PasswordProtectedError
from imr.extract.pdf_settings import PDF_SETTINGS as S
from imr.extract.pdf_text import INVISIBLE_MODES, Word, fold_lookalikes, is_white, turned_box
from imr.pdf_pages import each_page

# PDFium writes a soft hyphen (one at a line break, or one a word processor left inside a word) as
# U+FFFE (or U+0002): it becomes a soft hyphen again, for clean_line (a hyphen at a line's end,
# nothing inside a line); NUL separates nothing useful.
_CLEAN = str.maketrans({"\ufffe": "\u00ad", "\x02": "\u00ad", "\x00": " "})
_TOKEN = re.compile(r"\S+")
#: Text render modes that paint the glyph with its fill colour only (0: fill, 4: fill and clip).
_FILL_MODES = (0, 4)

Box = tuple[float, float, float, float]  # left, bottom, right, top (PDF user space, y up)


def read_pdfium_words(data: bytes) -> list[list[Word]]:
    """Each page's positioned words with PDFium (an empty list for a page without a visible text layer)."""
    if not data.strip():
        raise EmptyFileError("the file is empty")
    import pypdfium2 as pdfium

    try:
        return each_page(data, _words)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise PasswordProtectedError("the PDF needs a password to open") from None
        raise CorruptPdfError("the PDF cannot be parsed (PdfiumError)") from None


def _words(page: Any) -> list[Word]:
    """Words with their boxes: the text is split on PDFium's own spaces and line breaks; a word's
    box spans its first and last character (its height the font size above the descent, as pdfminer
    draws it). A word that PDFium wrote without a space but whose characters jump apart or change
    line is split; a space PDFium made up between two glyphs closer than a word gap is undone."""
    height = float(page.get_height())
    tp = page.get_textpage()
    try:
        n = tp.count_chars()
        if n <= 0:
            return []
        text = tp.get_text_range(0, n)[:n].translate(_CLEAN)
        fills = functools.cache(lambda: _dark_fills(page))  # only a page with white text needs them
        tokens = _visible_tokens(tp, text, tuple(float(v) for v in page.get_cropbox()), fills)
        turns = [_turn(tp.raw, m.start()) for m, _ in tokens]
        turn = Counter(turns).most_common(1)[0][0] if turns else 0
        words: list[Word] = []
        prev: tuple[int, Box] | None = None  # the previous token's end and last box
        for (m, size), t in zip(tokens, turns, strict=True):
            if t != turn:  # a stamp or margin note across the page's text
                prev = None
                continue
            start, end = m.start(), m.end() - 1
            first = _box(tp, start, turn)
            last = _box(tp, end, turn) if end > start else first
            if last[0] < first[0] - S.char_backstep or abs(last[3] - first[3]) > S.char_line_jump:
                words.extend(_split(tp, m.group(0), start, height, turn))
                prev = None
                continue
            word = _word(m.group(0), first, last, size, height, turn)
            if words and prev is not None and _made_up_space(tp.raw, text, prev, start, first, size):
                joined = words.pop()
                word = Word(
                    joined.text + word.text,
                    joined.x0,
                    word.x1,
                    min(joined.top, word.top),
                    max(joined.bottom, word.bottom),
                )
            words.append(word)
            prev = (m.end(), last)
        return words
    finally:
        tp.close()


def _visible_tokens(
    tp: Any, text: str, crop: tuple[float, ...], fills: Callable[[], list[Box]]
) -> list[tuple[re.Match[str], float]]:
    """The tokens of ``text`` a reader can see (white text is seen on a dark fill), each with its
    first character's font size. A token outside the crop box is hidden content unless it goes on
    a line that starts on the page (a line running past the page's edge is the letter's own text:
    dropping its end could drop a 'not')."""
    out: list[tuple[re.Match[str], float]] = []
    line: float | None = None  # the baseline of the last token kept on the page
    for m in _TOKEN.finditer(text):
        i = m.start()
        left, bottom, right, top = tp.get_charbox(i, loose=True)
        x, y = (left + right) / 2, (bottom + top) / 2
        size = _size(tp.raw, i)
        if _unseen(tp.raw, i, size, functools.partial(_on_fill, x, y, fills)):
            continue
        inside = crop[0] <= x <= crop[2] and crop[1] <= y <= crop[3]
        if inside or (line is not None and abs(bottom - line) <= S.char_line_jump):
            out.append((m, size))
            line = bottom
        else:
            line = None
    return out


def _on_fill(x: float, y: float, fills: Callable[[], list[Box]]) -> bool:
    """Whether the point stands on one of the page's dark fills."""
    return any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in fills())


def _dark_fills(page: Any) -> list[Box]:
    """Boxes of the shapes ``page`` fills in a colour that is not white (a table's header row, a
    banner): white text on them is seen (a Word table style's white labels)."""
    import pypdfium2.raw as pr

    out: list[Box] = []
    for obj in page.get_objects(filter=(pr.FPDF_PAGEOBJ_PATH,)):
        fill, stroke = ctypes.c_int(), ctypes.c_int()
        r, g, b, a = (ctypes.c_uint() for _ in range(4))
        if not pr.FPDFPath_GetDrawMode(obj.raw, fill, stroke) or fill.value == 0:
            continue
        if not pr.FPDFPageObj_GetFillColor(obj.raw, r, g, b, a) or a.value == 0:
            continue
        if not _white(r, g, b):
            left, bottom, right, top = obj.get_bounds()
            out.append((float(left), float(bottom), float(right), float(top)))
    return out


def _white(r: ctypes.c_uint, g: ctypes.c_uint, b: ctypes.c_uint) -> bool:
    """Whether PDFium's 0..255 RGB colour is white (:func:`is_white`)."""
    return is_white((r.value / 255, g.value / 255, b.value / 255), "DeviceRGB")


def _unseen(raw: Any, i: int, size: float, on_fill: Callable[[], bool]) -> bool:
    """Whether character ``i`` (of font ``size``, :func:`_size`) is drawn so that no reader sees it:
    invisibly (render mode 3 or 7), in white (unless ``on_fill()``: it stands on a dark shape; asked
    only of white text) or fully transparent, or smaller than ``hidden_font_size``."""
    import pypdfium2.raw as pr

    obj = pr.FPDFText_GetTextObject(raw, i)
    mode = pr.FPDFTextObj_GetTextRenderMode(obj) if obj else -1
    if mode in INVISIBLE_MODES:
        return True
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    painted = mode in _FILL_MODES and pr.FPDFText_GetFillColor(raw, i, r, g, b, a)
    if painted and (a.value == 0 or (_white(r, g, b) and not on_fill())):
        return True
    return 0 < size < S.hidden_font_size


def _turn(raw: Any, i: int) -> int:
    """Quarter turns (counter-clockwise) of character ``i``'s baseline."""
    import pypdfium2.raw as pr

    angle = float(pr.FPDFText_GetCharAngle(raw, i))  # radians, clockwise; -1 when unknown
    if angle < 0:
        return 0
    return int((4 - round(angle / (math.pi / 2))) % 4)


def _size(raw: Any, i: int) -> float:
    """Character ``i``'s font size on the page: PDFium's size (the ``Tf`` operand) scaled by the
    character's matrix (many producers set ``1 Tf`` and scale the text matrix); 0 when unknown."""
    import pypdfium2.raw as pr

    matrix = pr.FS_MATRIX()
    if not pr.FPDFText_GetMatrix(raw, i, matrix):
        return 0.0
    return float(pr.FPDFText_GetFontSize(raw, i)) * math.hypot(matrix.c, matrix.d)


def _box(tp: Any, i: int, turn: int) -> Box:
    """Character ``i``'s loose box turned so that its text runs left to right."""
    left, bottom, right, top = tp.get_charbox(i, loose=True)
    return turned_box((float(left), float(bottom), float(right), float(top)), turn)


def _made_up_space(raw: Any, text: str, prev: tuple[int, Box], start: int, first: Box, size: float) -> bool:
    """Whether the one space between the previous token and the token at ``start`` is PDFium's own
    (generated, not in the file) between glyphs on one line closer than a word gap (a word drawn
    glyph by glyph with kerning gaps)."""
    import pypdfium2.raw as pr

    end, last = prev
    if start != end + 1 or text[end] != " " or not pr.FPDFText_IsGenerated(raw, end):
        return False
    gap = first[0] - last[2]
    return -S.char_backstep <= gap <= S.word_x_tolerance_ratio * size and abs(first[1] - last[1]) <= S.char_line_jump


def _word(text: str, first: Box, last: Box, size: float, height: float, turn: int) -> Word:
    """A word from its first and last boxes; its top the font size above its bottom (the loose
    box's descent), as pdfminer draws characters, so that a line's height does not depend on the
    font's ascent. A turned page's words are placed in the turned frame."""
    bottom = min(first[1], last[1])
    top = bottom + size if size > 0 else max(first[3], last[3])
    base = height if turn == 0 else 0.0
    return Word(fold_lookalikes(text), min(first[0], last[0]), max(first[2], last[2]), base - top, base - bottom)


def _split(tp: Any, token: str, offset: int, height: float, turn: int) -> list[Word]:
    """A token whose characters are not on one run: split it where the boxes jump."""
    out: list[Word] = []
    begin = 0
    boxes = [_box(tp, offset + k, turn) for k in range(len(token))]
    for k in range(1, len(token) + 1):
        if (
            k == len(token)
            or boxes[k][0] - boxes[k - 1][2] > S.char_gap
            or abs(boxes[k][3] - boxes[k - 1][3]) > S.char_line_jump
            or boxes[k][0] < boxes[k - 1][0] - S.char_backstep
        ):
            size = _size(tp.raw, offset + begin)
            out.append(_word(token[begin:k], boxes[begin], boxes[k - 1], size, height, turn))
            begin = k
    return out
