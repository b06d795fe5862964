"""Geometry and thresholds of OCR, in one frozen, self-validating object (in the manner of
:mod:`imr.extract.pdf_settings`). The OCR of scanned pages (``ocr``), the cleanup and confidence
checks of OCR'd words (``ocr_words``) and faxed pages (``fax``) read them from :data:`OCR_SETTINGS`.

Units are named in each field's comment: image resolutions in dpi, image sizes and distances in
pixels of the image at hand, word widths in PDF points (1/72 inch, what OCR'd words are measured
in), grey levels 0 (black) to 255 (white), confidences Tesseract's per-word 0-100, ratios fractions
of a height, shares fractions of a whole. ``bench/ocr.py`` measures the confidences and resolutions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class OcrSettings:
    """How page images are rendered and cleaned for Tesseract and how far its words are trusted."""

    # rendering and Tesseract (ocr.py)
    render_dpi: int = 200  # dpi a scanned page is rendered at: an office scan's own (300 was slower, no better)
    page_timeout_seconds: float = 60.0  # seconds Tesseract may take on one page before the file is ocr_failed
    page_psm: int = 4  # Tesseract page segmentation mode of a page (one column of text of variable sizes:
    # keeps a header table's label and value on one line)
    word_psm: int = 7  # ... of a second read of one word (a single text line)
    # blank pages: the cheap look for ink before any OCR (ocr.has_ink)
    ink_dpi: int = 50  # dpi of that look: a letter page is 425 x 550 pixels, a few milliseconds
    ink_level: int = 160  # grey level: a pixel darker than this at ink_dpi is dark (dust and toner
    # dots of a 200-dpi scan average into lighter greys at that size; strokes of text stay darker)
    ink_min_share: float = 5e-5  # share of a page's pixels that must be dark and touch another dark
    # pixel for the page to carry ink: about 12 pixels of a letter page, a couple of characters
    # (one line of small print, 'Page 3 of 3', has about 60)
    # table rules and speckle (ocr.erase_rules)
    despeckle_size: int = 3  # pixels: side of the median filter run first (odd)
    rule_dark_level: int = 190  # grey level: a pixel darker than this may belong to a rule
    rule_min_run: int = 20  # pixels: a rule is a straight dark run at least this long ...
    rule_run_inch_fraction: int = 5  # ... and at least 1/this inch (dpi // this pixels)
    # hOCR to positioned words (ocr.words_from_hocr)
    skew_line_share: float = 0.25  # share of the image width a line must span to set the page's skew
    line_merge_ratio: float = 0.4  # lines whose middles differ by less than this times the smaller
    # line height are one line (a table row, a word set apart, that Tesseract split)
    # second reads of words in doubt (ocr.second_reads)
    second_read_max: int = 12  # words read again, at most, per document
    second_read_pad_min: float = 4.0  # pixels of margin around the word's box in the crop ...
    second_read_pad_ratio: float = 0.35  # ... or this times the box's height, whichever is larger
    # header dates and case numbers read again (ocr.reread_header_values, ocr_words.agreed_reading)
    reread_max: int = 8  # header values read again, at most, per document
    reread_min_agree: int = 2  # reads (the page's, when it passes the checks, and the crop's) that
    # must say the same value, and none another, for it to be taken
    reread_max_edits: int = 2  # characters: the most a value taken may differ from the page's read
    reread_soft_blur_inches: float = 0.004  # Gaussian radius of a softened crop (1.2 px at 300 dpi) ...
    reread_blur_inches: float = 0.00667  # ... and of a blurred one (2 px at 300 dpi: a broken stroke
    # or a speck beside it melts into the glyph) ...
    reread_ink_level: int = 150  # ... which is thresholded at this grey level and softened again
    # (strokes re-inked); the crop as is is thresholded at reread_hard_level too
    reread_hard_level: int = 140  # grey level: darker is black in the crop made black and white
    # confidences and cleanup of OCR'd words (ocr_words.py)
    decision_min_conf: float = 70.0  # confidence: a decision word (or a word of a decision sentence)
    # read below it is not trusted
    header_min_conf: float = 60.0  # confidence: a header date or case number read below it is not trusted
    speckle_max_conf: float = 60.0  # confidence: a punctuation-only word read below it is speckle ...
    speckle_box_ratio: float = 0.2  # ... and so is one whose box is less than this times its line's height
    decision_similarity: float = 0.6  # share (difflib ratio): letters this similar to a decision word
    # make a damaged decision word
    resemble_min_letters: int = 3  # letters: fewer can never resemble a decision word
    decision_tail_max_words: int = 2  # words after a line's last colon that can be a decision
    unreadable_max_conf: float = 50.0  # confidence: the words after an item's colon all read below it ...
    unreadable_min_width: float = 24.0  # ... spanning at least this many PDF points: an unreadable decision
    sentence_window_words: int = 6  # words before 'appropriate' that belong to a decision sentence
    heading_min_words: int = 3  # words of an upper-case heading that ends the header zone
    label_max_distance: int = 2  # letters: a label word read this many letters off is still the label ...
    label_near_min_letters: int = 4  # ... when the label word has at least this many letters ...
    label_near_min_read: int = 3  # ... and at least this many were read
    long_label_min_words: int = 3  # words: a label this long that starts its line is restored with no word
    long_label_max_distance: int = 3  # read exactly when its words are this many letters off in all
    split_label_min_letters: int = 5  # letters a label word needs to be joined when OCR split it in two
    case_split_max_gap: float = 1.0  # line heights: the most white between the two parts of a case
    # number OCR split in two words that are joined again (a couple of characters' width)
    # faxed pages (fax.py)
    fax_dpi: int = 300  # dpi a fax page is resized to: square pixels, enough to smooth 1-bit edges
    fax_dpi_mismatch_ratio: float = 0.1  # an image whose horizontal and vertical dpi differ by more
    # than this share of the horizontal one is stored at unequal resolutions (a fax)
    fax_page_cover: float = 0.9  # share of the page's width and height a fax image covers (less is a
    # logo or a signature)
    fax_dark_level: int = 128  # grey level: darker is black in a fax bitmap
    fax_blur_radius: float = 1.0  # pixels (at fax_dpi): Gaussian softening of 1-bit staircase edges
    # dropped scan lines (fax_image.fill_dropped_lines), in rows of the fax bitmap
    fax_dropped_max_rows: int = 3  # consecutive white rows a transmission error may leave
    fax_dropped_row_share: float = 0.05  # a row with at most this share of the ink of the rows
    # around it is white (dropped)
    fax_dropped_min_pixels: int = 8  # pixels of ink the rows around a dropped line have at least
    fax_dropped_overlap_share: float = 0.5  # share of their ink the rows around it share (strokes
    # cross a dropped line; the gap between two lines of text shares little)
    fax_dropped_continued_share: float = 0.6  # ... or, rules left out, share of the ink of each
    # that has ink of the other close across (slanted strokes and curves cross a dropped line too) ...
    fax_dropped_slant: float = 0.5  # ... within this many times the columns a 45-degree stroke
    # moves per row (about two in standard mode, one in fine), for each row of the gap and one
    # table rules and underlines of a fax bitmap (fax_image.rule_mask), in inches of the page
    fax_rule_min_inches: float = 0.5  # a horizontal rule is a run at least this long ...
    fax_rule_gap_inches: float = 0.015  # ... once gaps this short are closed (about 3 pixels: a
    # thresholded rule breaks; the counters of bold letters are wider)
    fax_vrule_min_inches: float = 0.25  # a vertical rule is a run at least this long ...
    fax_vrule_gap_inches: float = 0.005  # ... once gaps this short are closed (a row in fine mode,
    # none in standard mode, where the lines of a table's cell are a couple of rows apart)
    fax_thin_line_inches: float = 0.02  # a dotted or broken rule (fax_image.thin_lines) is a band
    # at most this high (two rows at 98 dpi, four at 196; a line of small print is twice that) ...
    fax_thin_line_share: float = 0.3  # ... inking at least this share of the columns of a stretch
    # fax_rule_min_inches long ...
    fax_thin_flank_inches: float = 0.02  # ... with the rows this far above and below it ...
    fax_thin_flank_share: float = 0.08  # ... inking at most this share of the columns the band inks
    # (a cell's border crossing it inks a few; the stems above a line of digits' feet, a fifth)
    fax_rule_fringe_inches: float = 0.01  # the ragged edge beside a rule erased with it (2 pixels
    # at 204 dpi)
    fax_speck_inches: float = 0.01  # a speck (fax_image.specks) is a blob at most this far across
    # (two pixels at 204 dpi) ...
    fax_speck_clear_inches: float = 0.04  # ... with no other ink this close (a period or a colon's
    # dot sits a hundredth or two of an inch from its letters)
    fax_header_edge_lines: int = 2  # content lines at a page's top (and bottom) a fax header line may sit in
    cover_sheet_min_fields: int = 3  # cover-sheet fields (To:, From:, Fax:...) a fax cover sheet has

    def __post_init__(self) -> None:
        """Refuse settings that cannot work: non-numbers, a fraction where an integer is meant,
        negative or non-finite values, zero resolutions, sizes, ratios and run lengths, confidences above 100,
        grey levels outside 1-255, shares above 1, an even median filter, an unknown page mode."""
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise TypeError(f"{f.name} must be a number, not {type(value).__name__}")
            if f.type == "int" and not isinstance(value, int):
                raise TypeError(f"{f.name} must be an integer, not {value!r}")
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"{f.name} must be a non-negative number: {value!r}")
            if f.name.endswith(_POSITIVE) and value <= 0:
                raise ValueError(f"{f.name} must be positive: {value!r}")
            if f.name.endswith("_conf") and value > 100:
                raise ValueError(f"{f.name} must be a Tesseract confidence (0-100): {value!r}")
            if f.name.endswith("_level") and not 1 <= value <= 255:
                raise ValueError(f"{f.name} must be a grey level (1-255): {value!r}")
            if f.name.endswith(_SHARES) and value > 1:
                raise ValueError(f"{f.name} must be a share (at most 1): {value!r}")
            if f.name.endswith("_psm") and value > 13:
                raise ValueError(f"{f.name} must be a Tesseract page segmentation mode (0-13): {value!r}")
        if self.despeckle_size % 2 == 0:
            raise ValueError(f"despeckle_size must be odd (a median filter's side): {self.despeckle_size!r}")


#: Name endings of the fields that must be positive (zero would disable or break what they measure).
_POSITIVE = (
    "_dpi",
    "_seconds",
    "_size",
    "_level",
    "_ratio",
    "_share",
    "_cover",
    "_similarity",
    "_min_run",
    "_inch_fraction",
    "_edge_lines",
    "_inches",
    "_max_rows",
)
#: Name endings of the fields that are shares of a whole (at most 1).
_SHARES = ("_share", "_cover", "_similarity", "_mismatch_ratio")


#: The settings OCR and fax page handling use.
OCR_SETTINGS = OcrSettings()
