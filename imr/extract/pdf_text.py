"""PDF bytes to a :class:`Document` through pdfplumber, using page geometry.

* Opens PDFs encrypted with an empty user password (all posted DWC letters are AES-128 with the
  extraction-permission bit off); a PDF that needs a real password is rejected (``pdf_password``).
* Words are grouped into lines by position; a vertical gap larger than a line's height apart
  becomes a paragraph break, which the item parser relies on. The Document keeps each line's
  words (``Document.words``): where each value stands on its page (:mod:`imr.extract.evidence`).
* The page-1 header is a two-column table whose labels and values text extractors emit out of
  order; :func:`pair_header` pairs each value with the label on its left by position.
* A PDF without any text layer (image-only) is rejected (``pdf_no_text``) here; with OCR on, the
  read step OCRs the pages that have no words instead (:mod:`imr.extract.ocr`).
"""

from __future__ import annotations

import io
import itertools
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from imr.errors import CorruptPdfError, EmptyFileError, NoTextLayerError, PasswordProtectedError
from imr.extract.document import BREAK, Document
from imr.extract.fax import is_cover_sheet
from imr.extract.header import label_tokens
from imr.extract.pdf_settings import PDF_SETTINGS as S

#: Header labels of layout D, as token sequences (the last token carries the colon).
HEADER_LABELS: dict[str, tuple[str, ...]] = label_tokens()

_SECTION_START = re.compile(r"^(HOW THE IMR|MAXIMUS FEDERAL|INDEPENDENT MEDICAL REVIEW|Notice of)", re.I)


#: Characters of a text layer that stand for plain ones: typographic ligatures, full-width digits,
#: letters and signs (the ASCII block at U+FF01..U+FF5E), the non-breaking hyphen and the minus
#: sign. A soft hyphen is left to :func:`imr.extract.normalize.clean_line` (a hyphen at a line's
#: end, nothing inside a line).
_LOOKALIKES = str.maketrans(
    {
        "\ufb00": "ff",
        "\ufb01": "fi",
        "\ufb02": "fl",
        "\ufb03": "ffi",
        "\ufb04": "ffl",
        "\ufb05": "st",
        "\ufb06": "st",
        "\u2011": "-",
        "\u2212": "-",
        "\u3000": " ",
        **{chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)},
    }
)


def fold_lookalikes(text: str) -> str:
    """``text`` with ligatures, full-width forms and hyphen look-alikes written as plain characters."""
    return text.translate(_LOOKALIKES)


@dataclass
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def height(self) -> float:
        return self.bottom - self.top


def read_pdf_words(data: bytes) -> list[list[Word]]:
    """Each page's positioned words (an empty list for a page without a text layer)."""
    if not data.strip():
        raise EmptyFileError("the file is empty")
    import pdfplumber
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        with pdfplumber.open(io.BytesIO(data), password="") as pdf:
            pages_words = [_words(page) for page in pdf.pages]
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else exc
        if type(cause).__name__ in ("PDFPasswordIncorrect", "PDFEncryptionError"):
            raise PasswordProtectedError("the PDF needs a password to open") from None
        raise CorruptPdfError(f"the PDF cannot be parsed ({type(cause).__name__})") from None
    except (ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError) as exc:
        raise CorruptPdfError(f"the PDF cannot be parsed ({type(exc).__name__})") from None
    return pages_words


def document_from_words(pages_words: Sequence[Sequence[Word]]) -> Document:
    """Build the Document from each page's positioned words (shared by every PDF engine)."""
    if not pages_words:
        raise CorruptPdfError("the PDF has no pages")
    if not any(pages_words):
        raise NoTextLayerError("the PDF has no text layer (image-only) and OCR is off")
    rows = [_line_rows(words) for words in pages_words]
    pages = [[" ".join(w.text for w in row) if row else BREAK for row in page] for page in rows]
    first = 0  # the letter's page 1: after any fax cover sheets
    while first < len(pages) - 1 and is_cover_sheet(pages[first]):
        first += 1
    header = pair_header(pages_words[first])
    return Document(
        pages=pages, media_type="application/pdf", page_count=len(pages_words), header_fields=header, words=rows
    )


def _words(page: Any) -> list[Word]:
    """The page's visible words (:func:`_visible_chars`), read in the direction its text runs."""
    from pdfplumber.utils.text import extract_words

    return [
        Word(fold_lookalikes(w["text"]), float(w["x0"]), float(w["x1"]), float(w["top"]), float(w["bottom"]))
        for w in extract_words(
            _upright(_visible_chars(page)),
            x_tolerance=S.word_x_tolerance,
            x_tolerance_ratio=S.word_x_tolerance_ratio,
            y_tolerance=S.word_y_tolerance,
            keep_blank_chars=False,
        )
        if w["text"].strip()
    ]


#: Text render modes that paint nothing (3: invisible, 7: clip only).
INVISIBLE_MODES = (3, 7)


def _visible_chars(page: Any) -> list[dict[str, Any]]:
    """The characters of ``page`` a reader can see. Left out: invisible text (render mode 3: the
    text layer of a "searchable scan", another program's OCR, so the page is read as one without a
    text layer, by our own OCR), white text, text smaller than ``hidden_font_size`` and text outside
    the crop box, unless it goes on a line that starts on the page (a line running past the page's
    edge is the letter's own text: dropping its end could drop a 'not')."""
    page._layout = _layout_without_invisible_text(page)  # what pdfplumber's chars are made of
    x0, top, x1, bottom = page.bbox
    fills = _dark_fills(page)
    out: list[dict[str, Any]] = []
    line: float | None = None  # the bottom of the last character kept on the page
    for c in page.chars:
        x, y = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
        white = is_white(c.get("non_stroking_color"), c.get("ncs")) and not _on_fill(x, y, fills)
        if white or float(c.get("size") or 0) < S.hidden_font_size:
            continue
        inside = x0 <= x <= x1 and top <= y <= bottom
        if inside or (line is not None and abs(c["bottom"] - line) <= S.char_line_jump):
            out.append(c)
            line = c["bottom"]
        else:
            line = None
    return out


def _dark_fills(page: Any) -> list[tuple[float, float, float, float]]:
    """Boxes ``(x0, top, x1, bottom)`` of the shapes ``page`` fills in a colour that is not white (a
    table's header row, a banner): white text on them is seen (a Word table style's white labels)."""
    return [
        (float(r["x0"]), float(r["top"]), float(r["x1"]), float(r["bottom"]))
        for r in (*page.rects, *page.curves)
        if r.get("fill") and not is_white(r.get("non_stroking_color"), _space_of(r.get("non_stroking_color")))
    ]


def _space_of(color: Any) -> str | None:
    """The process colour space a shape's fill colour has, by its number of components (pdfplumber
    does not name a shape's colour space)."""
    if not isinstance(color, tuple | list):
        return None
    return {1: "DeviceGray", 3: "DeviceRGB", 4: "DeviceCMYK"}.get(len(color))


def _on_fill(x: float, y: float, fills: list[tuple[float, float, float, float]]) -> bool:
    return any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in fills)


def _layout_without_invisible_text(page: Any) -> Any:
    """``page``'s pdfminer layout as pdfplumber makes it, without the characters drawn in an
    invisible render mode (pdfminer does not say which characters those are)."""
    from pdfminer.pdfinterp import PDFPageInterpreter
    from pdfplumber.page import PDFPageAggregatorWithMarkedContent

    class VisibleText(PDFPageAggregatorWithMarkedContent):
        invisible = False

        def render_string(self, textstate: Any, *args: Any, **kwargs: Any) -> None:
            self.invisible = textstate.render in INVISIBLE_MODES
            try:
                super().render_string(textstate, *args, **kwargs)
            finally:
                self.invisible = False

        def render_char(self, *args: Any, **kwargs: Any) -> float:
            adv: float = super().render_char(*args, **kwargs)
            if self.invisible:
                self.cur_item._objs.pop()
            return adv

    device = VisibleText(page.pdf.rsrcmgr, pageno=page.page_number, laparams=page.pdf.laparams)
    PDFPageInterpreter(page.pdf.rsrcmgr, device).process_page(page.page_obj)
    return device.get_result()


#: Colour spaces whose components say how light a colour is (grey, RGB: 1 is white; CMYK: 0 is);
#: in a Separation or DeviceN space a tint of 1 is full ink.
_PROCESS_SPACES = ("DeviceGray", "DeviceRGB", "DeviceCMYK", "CalGray", "CalRGB", "ICCBased")


def is_white(color: Any, space: Any) -> bool:
    """Whether a fill colour (components in 0..1) of a process colour space is white (both engines'
    test of hidden text and of a dark fill under it)."""
    if space not in _PROCESS_SPACES or not isinstance(color, tuple | list) or not color:
        return False
    if not all(isinstance(v, int | float) for v in color):
        return False
    levels = [float(v) for v in color]
    if len(levels) == 4:
        return max(levels) <= 1 - S.hidden_white_level
    return min(levels) >= S.hidden_white_level


def _upright(chars: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Characters turned so that the page's text runs left to right (a page drawn sideways or
    upside down, by its ``/Rotate`` or by a matrix); characters running in another direction than
    most (a stamp or margin note across the text) are left out. A turned page's characters are
    placed in the turned frame."""
    turns = [_turn(c.get("matrix")) for c in chars]
    if not turns:
        return chars
    turn = Counter(turns).most_common(1)[0][0]
    if turn == 0:
        return [c for c, t in zip(chars, turns, strict=True) if t == 0]
    out = []
    for c, t in zip(chars, turns, strict=True):
        if t != turn:
            continue
        left, low, right, high = turned_box((c["x0"], -c["bottom"], c["x1"], -c["top"]), turn)
        out.append({**c, "x0": left, "x1": right, "top": -high, "bottom": -low, "doctop": -high, "upright": True})
    return out


def _turn(matrix: Any) -> int:
    """Quarter turns (counter-clockwise) of a character's baseline from its text matrix."""
    if not isinstance(matrix, tuple | list) or len(matrix) < 2:
        return 0
    return round(math.atan2(float(matrix[1]), float(matrix[0])) / (math.pi / 2)) % 4


def turned_box(box: tuple[float, float, float, float], turn: int) -> tuple[float, float, float, float]:
    """A box (left, bottom, right, top; y up) in the frame turned back by ``turn`` quarter turns."""
    left, bottom, right, top = box
    if turn == 1:
        return (bottom, -right, top, -left)
    if turn == 2:
        return (-right, -top, -left, -bottom)
    if turn == 3:
        return (-top, left, -bottom, right)
    return box


def _rows(words: Sequence[Word]) -> list[list[Word]]:
    """Words grouped into visual rows (tops within a few points), each sorted left to right."""
    rows: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (round(w.top, 1), w.x0)):
        if rows and abs(rows[-1][0].top - w.top) <= max(S.row_tolerance, S.row_tolerance_ratio * w.height):
            rows[-1].append(w)
        else:
            rows.append([w])
    for row in rows:
        row.sort(key=lambda w: w.x0)
    return rows


def _line_rows(words: Sequence[Word]) -> list[list[Word]]:
    """The page's lines as their words, in reading order; an empty row is a paragraph break: a
    vertical gap wider than ``paragraph_gap_ratio`` line heights, or a line further below the one
    before it than the page's usual line pitch by ``paragraph_pitch_ratio`` line heights (a
    paragraph spaced a few points apart, in a font whose line gap is otherwise tight)."""
    rows = _rows(words)
    heights = sorted(r[0].height for r in rows) or [S.default_line_height]
    line_h = heights[len(heights) // 2]
    bottoms = [max(w.bottom for w in row) for row in rows]
    pitches = sorted(b - a for a, b in itertools.pairwise(bottoms) if b - a > S.row_tolerance)
    pitch = pitches[len(pitches) // 2] if pitches else None
    out: list[list[Word]] = []
    prev_bottom: float | None = None
    for row, bottom in zip(rows, bottoms, strict=True):
        top = min(w.top for w in row)
        if prev_bottom is not None and out and out[-1]:
            gap = top - prev_bottom > S.paragraph_gap_ratio * line_h
            spaced = pitch is not None and bottom - prev_bottom - pitch > S.paragraph_pitch_ratio * line_h
            if gap or spaced:
                out.append([])
        out.append(row)
        prev_bottom = bottom
    return out


def pair_header(words: Sequence[Word]) -> dict[str, str]:
    """Pair page-1 header labels with their values by position (value right of, or below, its label)."""
    rows = _rows(words)
    region: list[Word] = []
    for row in rows:
        text = " ".join(w.text for w in row)
        if region and _SECTION_START.match(text):
            break
        region.extend(row)
        if len(region) > S.header_region_words:
            break
    labels = _find_labels(region)
    if not labels:
        return {}
    used = {id(w) for _, ws in labels for w in ws}
    values = _value_phrases([w for w in region if id(w) not in used], labels)
    boxes = {name: _box(ws) for name, ws in labels}
    out: dict[str, str] = {}
    for text, vb in values:
        best: tuple[float, str] | None = None
        for name, lb in boxes.items():
            mid = (vb[1] + vb[3]) / 2
            same_band = lb[1] - S.header_band_margin <= mid <= lb[3] + S.header_band_margin
            if same_band and lb[2] <= vb[0] + S.header_left_slack:
                dist = vb[0] - lb[2]
            elif abs(lb[0] - vb[0]) < S.header_column_slack and 0 <= vb[1] - lb[3] < S.header_below_ratio * (
                lb[3] - lb[1] + 1
            ):
                dist = 1000 + vb[1] - lb[3]
            else:
                continue
            if best is None or dist < best[0]:
                best = (dist, name)
        if best is not None and best[1] not in out:
            out[best[1]] = text
    return out


def _box(ws: Sequence[Word]) -> tuple[float, float, float, float]:
    return (min(w.x0 for w in ws), min(w.top for w in ws), max(w.x1 for w in ws), max(w.bottom for w in ws))


def _find_labels(region: Sequence[Word]) -> list[tuple[str, list[Word]]]:
    found: list[tuple[str, list[Word]]] = []
    taken: set[int] = set()
    for name, tokens in sorted(HEADER_LABELS.items(), key=lambda kv: -len(kv[1])):
        for first in region:
            if id(first) in taken or first.text != tokens[0]:
                continue
            seq = [first]
            for tok in tokens[1:]:
                nxt = _next_token(region, seq[-1], first, tok, taken)
                if nxt is None:
                    break
                seq.append(nxt)
            if len(seq) == len(tokens):
                found.append((name, seq))
                taken.update(id(w) for w in seq)
                break
    return found


def _next_token(region: Sequence[Word], prev: Word, first: Word, tok: str, taken: set[int]) -> Word | None:
    for w in region:
        if id(w) in taken or w.text != tok or w is prev:
            continue
        same_line = abs(w.top - prev.top) <= S.label_same_line_dy and 0 <= w.x0 - prev.x1 <= S.label_word_gap
        wrapped = abs(w.x0 - first.x0) <= S.label_wrap_dx and (
            0 <= w.top - prev.bottom <= S.label_wrap_ratio * prev.height + S.label_wrap_extra
        )
        if same_line or wrapped:
            return w
    return None


def _value_phrases(
    words: Sequence[Word], labels: Sequence[tuple[str, list[Word]]]
) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Adjacent non-label words on one row, split where a label sits between them."""
    label_x0 = sorted({_box(ws)[0] for _, ws in labels})
    phrases: list[tuple[str, tuple[float, float, float, float]]] = []
    for row in _rows(words):
        cur: list[Word] = []
        for w in row:
            if cur and (w.x0 - cur[-1].x1 > S.value_word_gap or any(cur[-1].x1 <= x <= w.x0 for x in label_x0)):
                phrases.append((" ".join(c.text for c in cur), _box(cur)))
                cur = []
            cur.append(w)
        if cur:
            phrases.append((" ".join(c.text for c in cur), _box(cur)))
    return phrases
