"""PDF renderings of a synthetic letter (fpdf2, core fonts with Windows-1252 text).

Layout D letters carry the header as a bordered two-column table on page 1 (labels and values
in cells). :class:`PdfOptions` adds what mailed copies and awkward conversions show: a running
letterhead with the case number, a "Page N of M" footer, page breaks in awkward places and
AES-128 encryption with an empty user password and the extraction (copy) permission off, as in
all posted real letters. Output is deterministic: the creation date comes from the letter and
the encryption salt from ``PdfOptions.seed``.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import cast

from fpdf import FPDF
from fpdf.enums import AccessPermission, EncryptionMethod

from imr.synth.content import Block, Furniture, SyntheticLetter
from imr.synth.text_render import page_footer, page_top

#: Awkward page-break places a renderer can force.
BREAKS: tuple[str, ...] = ("after_issues_heading", "after_item_line", "inside_modified_request")
LINE = 14.0
MARGIN = 72.0


@dataclass(frozen=True)
class PdfOptions:
    """How to render a PDF.

    ``breaks`` holds names from :data:`BREAKS`; ``user_password`` non-empty makes a PDF that
    cannot be opened without it (a rejection case); ``seed`` fixes the encryption salt.
    """

    running_header: bool = False
    footer: bool = False
    breaks: tuple[str, ...] = ()
    encrypt: bool = False
    user_password: str = ""
    owner_password: str = "imr-synth-owner"
    seed: int = 0
    office: bool = False  # drawn as an office suite does: one text run per word, no space glyphs


def random_pdf_options(rng: random.Random) -> PdfOptions:
    """Options as a mix of real-looking letters: mostly encrypted, some with headers and odd breaks."""
    running = rng.random() < 0.25
    breaks = tuple(b for b in BREAKS if rng.random() < 0.25)
    return PdfOptions(
        running_header=running,
        footer=running or rng.random() < 0.1,
        breaks=breaks,
        encrypt=rng.random() < 0.8,
        seed=rng.getrandbits(32),
    )


class _LetterPdf(FPDF):
    def __init__(self, letterhead: str | None, footer: bool, furniture: Furniture | None = None) -> None:
        super().__init__(orientation="P", unit="pt", format="letter")
        self.letterhead = letterhead
        self.with_footer = footer or furniture is not None
        self.furniture = furniture
        self.office = False
        self.core_fonts_encoding = "windows-1252"
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN)

    def header(self) -> None:
        if self.furniture:
            self.set_y(30)
            for n, line in enumerate(page_top(self.furniture, self.page_no())):
                self.set_font("Helvetica", "B" if n == 0 and self.page_no() == 1 else "", 9)
                self.cell(0, 11, line, align="C", new_x="LMARGIN", new_y="NEXT")
            self.set_y(max(MARGIN, self.get_y() + 12))
        elif self.letterhead:
            self.set_y(36)
            self.set_font("Helvetica", "", 8)
            self.cell(0, 10, self.letterhead, align="R")
            self.set_y(MARGIN)

    def footer(self) -> None:
        if self.with_footer:
            self.set_y(-48)
            self.set_font("Helvetica", "", 8)
            self.cell(0, 10, page_footer(self.page_no(), "{nb}"), align="C")


def _header_table(pdf: FPDF, block: Block) -> None:
    if block.as_lines:
        for row in block.rows:
            for label, value in row:
                pdf.set_font("Helvetica", "B", 10)
                pdf.cell(pdf.get_string_width(label) + 4, LINE, label)
                pdf.set_font("Helvetica", "", 10)
                pdf.cell(0, LINE, value, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(6)
        return
    widths = (100.0, 150.0, 120.0, 98.0)
    for row in block.rows:
        cells = [text for pair in row for text in pair]
        cells += [""] * (4 - len(cells))
        for col, (text, width) in enumerate(zip(cells, widths, strict=True)):
            pdf.set_font("Helvetica", "B" if col % 2 == 0 else "", 10)
            pdf.cell(width, LINE + 2, text, border=1)
        pdf.ln(LINE + 2)
    pdf.ln(10)


def _write(pdf: FPDF, text: str, style: str = "", align: str = "L") -> None:
    pdf.set_font("Times", style, 12)
    if getattr(pdf, "office", False) and align != "C":
        _write_runs(pdf, text)
        return
    pdf.multi_cell(0, LINE, text, align=align, new_x="LMARGIN", new_y="NEXT")


#: the space an office suite leaves between two word runs of a line's end, in space widths (tight)
OFFICE_GAP = 0.85


def _write_runs(pdf: FPDF, text: str) -> None:
    """Text as an office suite writes a justified paragraph into a PDF: each word its own text run,
    no space glyph between them; full lines stretched to the right margin, the last line (and a
    forced break) set tight."""
    width = pdf.w - pdf.l_margin - pdf.r_margin
    space = pdf.get_string_width(" ")
    for segment in text.split("\n"):
        lines = cast(list[str], pdf.multi_cell(width, LINE, segment, dry_run=True, output="LINES"))
        for n, line in enumerate(lines):
            words = line.encode("latin-1").decode("cp1252").split()  # dry-run lines come back normalised
            if pdf.get_y() + LINE > pdf.page_break_trigger:
                pdf.add_page()
            y = pdf.get_y()
            used = sum(pdf.get_string_width(w) for w in words)
            last = n == len(lines) - 1 or len(words) < 2
            gap = OFFICE_GAP * space if last else (width - used) / (len(words) - 1)
            x = pdf.l_margin
            for word in words:
                pdf.text(x, y + LINE * 0.8, word)
                x += pdf.get_string_width(word) + gap
            pdf.set_xy(pdf.l_margin, y + LINE)


def _item_line(pdf: FPDF, block: Block, options: PdfOptions) -> None:
    sep = block.separator.rstrip() + "\n" if block.wrap_decision else block.separator
    tail = sep + block.label if block.label else block.separator.rstrip()
    if block.split_at is not None and "inside_modified_request" in options.breaks:
        _write(pdf, block.text[: block.split_at].rstrip(), "B")
        pdf.add_page()
        _write(pdf, block.text[block.split_at :] + tail, "B")
    else:
        _write(pdf, block.text + tail, "B")


def _draw(pdf: FPDF, letter: SyntheticLetter, options: PdfOptions) -> None:
    broke_item = False
    for block in letter.blocks:
        if block.kind == "title":
            _write(pdf, block.text, "B", "C")
        elif block.kind == "heading":
            pdf.ln(6)
            _write(pdf, block.text, "B", "C" if block.text.isupper() else "L")
            if block.role == "issues_heading" and "after_issues_heading" in options.breaks:
                pdf.add_page()
        elif block.kind == "header_table":
            _header_table(pdf, block)
        elif block.kind == "paragraph":
            _write(pdf, block.text)
        elif block.kind == "labelled":
            _write(pdf, f"{block.label} {block.text}")
        elif block.kind == "item_line":
            pdf.ln(4)
            _item_line(pdf, block, options)
            if not broke_item and "after_item_line" in options.breaks:
                pdf.add_page()
                broke_item = True
        else:  # gap
            pdf.ln(LINE)


def render_pdf_counted(letter: SyntheticLetter, options: PdfOptions | None = None) -> tuple[bytes, int]:
    """The letter as PDF bytes and its page count."""
    options = options or PdfOptions()
    letterhead = None
    if options.running_header:
        letterhead = "MAXIMUS Federal Services - Independent Medical Review"
        if letter.case_number:
            letterhead += f" - Case Number: {letter.case_number}"
    pdf = _LetterPdf(letterhead, options.footer, letter.furniture)
    pdf.office = options.office
    pdf.set_creator("Microsoft Word")
    pdf.set_producer("imr-synth (fpdf2)")
    day = letter.letter.decision_date or letter.letter.ur_denial_date or dt.date(2016, 1, 1)
    pdf.set_creation_date(dt.datetime(day.year, day.month, day.day, 12, 0, tzinfo=dt.UTC))
    if options.encrypt or options.user_password:
        permissions = AccessPermission.all() & ~AccessPermission.COPY
        pdf.set_encryption(
            owner_password=options.owner_password,
            user_password=options.user_password,
            encryption_method=EncryptionMethod.AES_128,
            permissions=permissions,
        )
        salt = random.Random(options.seed)
        handler = pdf._security_handler
        if handler is not None:  # deterministic IVs (fpdf2 uses os.urandom by default)
            setattr(handler, "get_random_bytes", salt.randbytes)  # noqa: B010
    pdf.add_page()
    _draw(pdf, letter, options)
    pages = pdf.pages_count
    return bytes(pdf.output()), pages


def render_pdf(letter: SyntheticLetter, options: PdfOptions | None = None) -> bytes:
    """The letter as PDF bytes (see :class:`PdfOptions`)."""
    return render_pdf_counted(letter, options)[0]
