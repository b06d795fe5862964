"""Geometry tolerances of PDF text extraction, in one frozen, self-validating object (in the manner
of pdfplumber's ``TableSettings``). Both PDF engines (``pdf_text``, ``pdfium_text``) read them from
:data:`PDF_SETTINGS`. Distances are PDF points (1/72 inch); ratios are fractions of a word's or a
line's height."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class PdfSettings:
    """How positioned words become lines, paragraphs and header pairs."""

    # words (pdfplumber ``extract_words``)
    word_x_tolerance: float = 3.0
    word_y_tolerance: float = 3.0
    # ... but a gap wider than this share of the font size always splits words: office suites draw
    # each word as its own run with no space glyph, a gap narrower than word_x_tolerance
    word_x_tolerance_ratio: float = 0.15
    # rows: words whose tops differ by at most max(row_tolerance, row_tolerance_ratio * height)
    row_tolerance: float = 2.5
    row_tolerance_ratio: float = 0.3
    # paragraphs: a vertical gap above paragraph_gap_ratio * median line height is a break
    paragraph_gap_ratio: float = 0.6
    # ... or a line this many line heights further down than the page's median line pitch
    paragraph_pitch_ratio: float = 0.25
    default_line_height: float = 10.0
    # page-1 header table: how far the search runs and how labels pair with values
    header_region_words: int = 80
    header_band_margin: float = 4.0  # a value on the label's row: its middle within the label's band
    header_left_slack: float = 1.0  # ... and starting right of the label's end
    header_column_slack: float = 40.0  # a value below its label: left edges this close
    header_below_ratio: float = 1.6  # ... and at most this many label heights below
    label_same_line_dy: float = 2.5  # the next word of a label on the same line
    label_word_gap: float = 12.0
    label_wrap_dx: float = 6.0  # a label wrapped onto the next line (same left edge)
    label_wrap_ratio: float = 1.2
    label_wrap_extra: float = 4.0
    value_word_gap: float = 14.0  # a wider gap splits a row into two values
    # PDFium characters: where a token written without a space is split into words
    char_backstep: float = 1.0  # a character starting this far left of the previous one
    char_line_jump: float = 2.0  # a baseline change larger than this
    char_gap: float = 1.5  # a horizontal gap larger than this
    # text no reader can see is left out: smaller than this font size (points), or filled in a
    # colour whose every channel is at least this share of white
    hidden_font_size: float = 2.0
    hidden_white_level: float = 0.95

    def __post_init__(self) -> None:
        """Refuse settings that cannot work: non-numbers, negative distances, zero ratios."""
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise TypeError(f"{f.name} must be a number, not {type(value).__name__}")
            positive = f.name.endswith(_POSITIVE)
            if value < 0 or (positive and value <= 0):
                raise ValueError(f"{f.name} must be {'positive' if positive else 'non-negative'}: {value!r}")
        if not isinstance(self.header_region_words, int):
            raise TypeError("header_region_words must be an integer")


_POSITIVE = ("_ratio", "_words", "_height")


#: The settings both PDF engines use.
PDF_SETTINGS = PdfSettings()
