"""PDFs a person or an office tool makes of a letter, read by both PDF engines: pages turned by
``/Rotate`` or drawn sideways and upside down, text no reader can see (white, invisible, off the page,
too small: never a value), a searchable scan's invisible text layer (another program's OCR: read as
a page without text, never trusted), lines running past the page edge, words drawn glyph by glyph,
ligatures and full-width characters. Every case is generated from the project's own letters."""

from __future__ import annotations

import io
import random
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pypdf
import pytest
from pypdf.generic import ContentStream, NameObject, RectangleObject

import imr.synth.pdf_render as pdf_render
from imr.extract.entry import extract_bytes
from imr.extract.pdf_text import fold_lookalikes
from imr.synth import HardCases, generate_letter
from imr.synth.content import SyntheticLetter
from imr.synth.pdf_render import PdfOptions, render_pdf_counted
from tests.helpers import compare_to_gold

ENGINES = ("pdfium", "pdfplumber")


def _letter(seed: int, layout: str) -> SyntheticLetter:
    return generate_letter(seed, layout, HardCases())


def _rewrite(data: bytes, edit: Callable[[Any, int], None]) -> bytes:
    """``data`` with ``edit(page, index)`` applied to each page."""
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(data)))
    for i, page in enumerate(writer.pages):
        edit(page, i)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _set_content(page: Any, content: bytes) -> None:
    stream = ContentStream(None, None)
    stream.set_data(content)
    page.replace_contents(stream)


def _diffs(letter: SyntheticLetter, data: bytes, pages: int, engine: str) -> list[str]:
    gold = letter.record(path="x.pdf", data=data, media_type="application/pdf", pages=pages).to_dict()
    return compare_to_gold(extract_bytes(data, "x.pdf", pdf_engine=engine, ocr="off").to_dict(), gold)


def _turned(turn: int) -> Callable[[Any, int], None]:
    """Each page's content drawn ``turn`` quarter turns counter-clockwise on its page (landscape for
    odd turns), the page's ``/Rotate`` showing it upright."""

    def edit(page: Any, _: int) -> None:
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        matrix = {1: f"0 1 -1 0 {h} 0", 2: f"-1 0 0 -1 {w} {h}", 3: f"0 -1 1 0 0 {w}"}[turn]
        _set_content(page, f"q {matrix} cm\n".encode() + page.get_contents().get_data() + b"\nQ")
        if turn % 2:
            page.mediabox = page.cropbox = RectangleObject([0, 0, h, w])
        page.rotate(-90 * turn % 360)

    return edit


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("turn", [1, 2, 3])
def test_a_page_drawn_sideways_or_upside_down_reads_upright(engine: str, turn: int) -> None:
    # before: PDFium read every such letter as not_imr_letter, pdfplumber those drawn sideways
    for seed, layout in ((11, "D2"), (12, "A"), (13, "C")):
        letter = _letter(seed, layout)
        data, pages = render_pdf_counted(letter, PdfOptions())
        turned = _rewrite(data, _turned(turn))
        assert _diffs(letter, turned, pages, engine) == []


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("degrees", [90, 180])
def test_a_page_turned_by_its_rotate_entry_reads_as_drawn(engine: str, degrees: int) -> None:
    # before: pdfplumber read a /Rotate 90 or 180 letter sideways or backwards (not_imr_letter)
    letter = _letter(21, "B")
    data, pages = render_pdf_counted(letter, PdfOptions())
    assert _diffs(letter, _rewrite(data, lambda page, _: page.rotate(degrees)), pages, engine) == []


HIDDEN = (b"Case Number: CM99-9999999", b"Decision Date: 01/01/2001", b"Upheld", b"Overturned")


def _with_hidden(data: bytes, kind: str) -> bytes:
    """Page 1 with misleading lines a reader cannot see: white, invisible (render mode 3), off the
    page, or in a 0.5 pt font."""

    def edit(page: Any, i: int) -> None:
        if i:
            return
        font = sorted(page["/Resources"]["/Font"].keys())[0].encode()
        extra = b""
        for k, line in enumerate(HIDDEN):
            state, x, y, size = {
                "white": (b"1 1 1 rg", 300, 740 - 13 * k, b"10"),
                "invisible": (b"3 Tr", 300, 400 - 13 * k, b"10"),
                "off_page": (b"", -400, 700 - 13 * k, b"10"),
                "tiny": (b"", 300, 20 + k, b"0.5"),
            }[kind]
            extra += b"q BT %s %s Tf %s %d %d Td (%s) Tj ET Q\n" % (font, size, state, x, y, line)
        _set_content(page, extra + page.get_contents().get_data())

    return _rewrite(data, edit)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("kind", ["white", "invisible", "off_page", "tiny"])
def test_text_no_reader_sees_never_becomes_a_value(engine: str, kind: str) -> None:
    # before: a headerless letter took the hidden case number (parsed, wrong), one with a header was
    # rejected several_letters
    for seed, layout in ((31, "A"), (32, "D2")):
        letter = _letter(seed, layout)
        data, pages = render_pdf_counted(letter, PdfOptions())
        assert _diffs(letter, _with_hidden(data, kind), pages, engine) == []


def _invisible_layer(data: bytes) -> bytes:
    """Every page's text drawn in render mode 3, as a searchable scan's OCR layer is."""

    def edit(page: Any, _: int) -> None:
        _set_content(page, page.get_contents().get_data().replace(b"BT ", b"BT 3 Tr "))

    return _rewrite(data, edit)


@pytest.mark.parametrize("engine", ENGINES)
def test_an_invisible_text_layer_is_not_trusted(engine: str) -> None:
    # another program's OCR under a scan, with a misread decision: read as a page without text
    # (our own OCR reads it, with its checks; OCR off: pdf_no_text), never parsed from that layer
    letter = _letter(41, "D2")
    data, _ = render_pdf_counted(letter, PdfOptions())
    misread = _invisible_layer(data.replace(b"Upheld", b"Overturned"))
    record = extract_bytes(misread, "x.pdf", pdf_engine=engine, ocr="off")
    assert record.status == "rejected" and [e.code for e in record.errors] == ["pdf_no_text"]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_line_running_past_the_page_edge_keeps_its_end(engine: str) -> None:
    # the crop box cuts the right part of every line: those words are the letter's own (a decision
    # sentence's 'not' among them), unlike text placed wholly off the page
    for seed, layout in ((51, "A"), (52, "C")):
        letter = _letter(seed, layout)
        data, pages = render_pdf_counted(letter, PdfOptions())

        def crop(page: Any, _: int) -> None:
            page.cropbox = RectangleObject([0, 0, 420, float(page.mediabox.height)])

        assert _diffs(letter, _rewrite(data, crop), pages, engine) == []


def _glyph_by_glyph(pdf: Any, text: str, style: str = "", align: str = "L") -> None:
    """Each glyph its own text object, 1.2 pt apart (+-0.3 pt), no space glyphs: lines are broken
    for the spaced glyphs."""
    pdf.set_font("Times", style, 12)
    rng = random.Random(len(text))
    width = pdf.w - pdf.l_margin - pdf.r_margin
    for segment in text.split("\n"):
        pdf.set_char_spacing(1.5)
        lines = cast(list[str], pdf.multi_cell(width, pdf_render.LINE, segment, dry_run=True, output="LINES"))
        pdf.set_char_spacing(0)
        for line in lines:
            if pdf.get_y() + pdf_render.LINE > pdf.page_break_trigger:
                pdf.add_page()
            y = pdf.get_y() + pdf_render.LINE * 0.8
            x = pdf.l_margin
            for ch in line.encode("latin-1").decode("cp1252"):
                if ch != " ":
                    pdf.text(x, y, ch)
                x += pdf.get_string_width(ch) + 1.2 + rng.uniform(-0.3, 0.3)
            pdf.set_xy(pdf.l_margin, pdf.get_y() + pdf_render.LINE)


def test_words_drawn_glyph_by_glyph_are_not_cut_by_made_up_spaces(monkeypatch: pytest.MonkeyPatch) -> None:
    # before: PDFium put a space inside words whose glyphs stood a little apart ('worke r'): values
    # lost or changed on 22 of 40 letters
    monkeypatch.setattr(pdf_render, "_write", _glyph_by_glyph)
    for seed, layout in ((61, "A"), (62, "B")):
        letter = _letter(seed, layout)
        data, pages = render_pdf_counted(letter, PdfOptions())
        assert _diffs(letter, data, pages, "pdfium") == []


def test_ligatures_full_width_forms_and_hyphen_lookalikes_are_folded() -> None:
    assert fold_lookalikes("\ufb01rst \ufb02uid o\ufb03ce") == "first fluid office"
    assert fold_lookalikes("\uff11\uff12/\uff10\uff13/\uff12\uff10\uff11\uff16") == "12/03/2016"
    assert fold_lookalikes("CM16\u20110123456 \u22122") == "CM16-0123456 -2"
    assert fold_lookalikes("Lidoderm\u00ae 5%") == "Lidoderm\u00ae 5%"


@pytest.mark.parametrize("engine", ENGINES)
def test_a_ligature_glyph_in_the_text_layer_reads_as_its_letters(engine: str) -> None:
    # a font whose encoding draws 'fi' as one glyph (/fi): the text layer says U+FB01
    letter = _letter(71, "D2")
    data, pages = render_pdf_counted(letter, PdfOptions())

    def ligate(page: Any, _: int) -> None:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            font[NameObject("/Encoding")] = pypdf.generic.DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Encoding"),
                    NameObject("/BaseEncoding"): NameObject("/WinAnsiEncoding"),
                    NameObject("/Differences"): pypdf.generic.ArrayObject(
                        [pypdf.generic.NumberObject(1), NameObject("/fi")]
                    ),
                }
            )
        _set_content(page, page.get_contents().get_data().replace(b"fi", b"\x01"))

    ligated = _rewrite(data, ligate)
    assert b"fi" not in b"".join(p.get_contents().get_data() for p in pypdf.PdfReader(io.BytesIO(ligated)).pages)
    assert _diffs(letter, ligated, pages, engine) == []


def _justified_narrow(pdf: Any, text: str, style: str = "", align: str = "L") -> None:
    """Paragraphs justified in a column 60 pt narrower (the issues sentence wraps), set 14 pt apart
    with the renderer's 4 pt before an item line as the only paragraph space."""
    pdf.set_font("Times", style, 12)
    margin = pdf.r_margin
    pdf.set_right_margin(margin + 60)
    pdf.multi_cell(0, pdf_render.LINE, text, align="C" if align == "C" else "J", new_x="LMARGIN", new_y="NEXT")
    pdf.set_right_margin(margin)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_paragraph_set_a_few_points_apart_is_a_paragraph(engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # 4 pt more than the usual line pitch, less than the gap rule's 0.6 line: before, the wrapped
    # end of the issues sentence ('listed below:') became part of the first request (21 of 40)
    monkeypatch.setattr(pdf_render, "_write", _justified_narrow)
    for seed, layout in ((9000, "C"), (9031, "C"), (10000, "D1")):
        letter = _letter(seed, layout)
        data, pages = render_pdf_counted(letter, PdfOptions())
        assert _diffs(letter, data, pages, engine) == []


def _full_width_digits(data: bytes) -> bytes:
    """Each font given a /ToUnicode CMap saying full-width digits and solidus (U+FF10..U+FF19,
    U+FF0F) for the glyphs of 0-9 and '/': the text layer of a letter typed with full-width forms."""
    return _with_to_unicode(data, {**{ord(str(d)): 0xFF10 + d for d in range(10)}, ord("/"): 0xFF0F})


def _with_to_unicode(data: bytes, remap: dict[int, int]) -> bytes:
    """Each font given a /ToUnicode CMap: codes 0x20..0x7E and 0xAD as themselves but for ``remap``."""
    codes = [*range(0x20, 0x7F), 0xAD]
    pairs = [f"<{code:02X}> <{remap.get(code, code):04X}>" for code in codes]
    body = "".join(f"{len(pairs[k : k + 100])} beginbfchar\n" + "\n".join(pairs[k : k + 100]) + "\nendbfchar\n"
                   for k in range(0, len(pairs), 100))  # fmt: skip
    cmap = (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<00> <FF>\nendcodespacerange\n"
        f"{body}endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    ).encode()
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(data)))
    for page in writer.pages:
        for ref in page["/Resources"]["/Font"].values():
            stream = pypdf.generic.DecodedStreamObject()
            stream.set_data(cmap)
            ref.get_object()[NameObject("/ToUnicode")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("engine", ENGINES)
def test_full_width_digits_in_the_text_layer_read_as_digits(engine: str) -> None:
    # before: every date, the case number and the quantities were lost or changed (40 of 40 letters)
    for seed, layout in ((81, "D2"), (82, "B")):
        letter = _letter(seed, layout)
        data, pages = render_pdf_counted(letter, PdfOptions())
        full = _full_width_digits(data)
        assert "\uff10" in extract_text_of(full)
        assert _diffs(letter, full, pages, engine) == []


def extract_text_of(data: bytes) -> str:
    """The raw text of the text layer (PDFium), before any folding."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        page = pdf[0]
        text = page.get_textpage()
        return str(text.get_text_range())
    finally:
        pdf.close()


def test_a_soft_hyphen_left_inside_a_word_is_not_a_hyphen() -> None:
    # a word processor's discretionary hyphen inside words that were not broken there, in a simple
    # font (a glyph its /ToUnicode calls U+00AD: both engines report U+00AD, which clean_line drops);
    # the composite-font case, where PDFium says U+FFFE, is test_a_letter_set_in_a_truetype_font
    for seed, layout in ((91, "A"), (92, "D2")):
        letter = _letter(seed, layout)
        data, pages = render_pdf_counted(letter, PdfOptions())

        def hyphenate(page: Any, _: int) -> None:
            content = page.get_contents().get_data()
            for word in (b"medically", b"Rehabilitation", b"Medicine", b"California", b"Surgery"):
                content = content.replace(word, word[:4] + b"\xad" + word[4:])
            _set_content(page, content)

        hyphenated = _with_to_unicode(_rewrite(data, hyphenate), {})  # 0xAD: U+00AD
        for engine in ENGINES:
            assert _diffs(letter, hyphenated, pages, engine) == []


def _truetype(soft_hyphens: bool) -> Callable[..., None]:
    """Paragraphs set in DejaVu Serif 11 pt (a TrueType font embedded as a composite font, as word
    processors embed theirs; matplotlib ships it), optionally with a soft hyphen inside every long
    lower-case word (PDFium reports a composite font's soft hyphen as U+FFFE)."""

    def write(pdf: Any, text: str, style: str = "", align: str = "L") -> None:
        if "dejavuserif" not in pdf.fonts:
            import matplotlib

            fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
            pdf.add_font("DejaVuSerif", "", str(fonts / "DejaVuSerif.ttf"))
            pdf.add_font("DejaVuSerif", "B", str(fonts / "DejaVuSerif-Bold.ttf"))
        pdf.set_font("DejaVuSerif", style, 11)
        if soft_hyphens:
            text = re.sub(r"\b([a-z]{4})([a-z]{4,})\b", "\\1\u00ad\\2", text)
        pdf.multi_cell(0, pdf_render.LINE, text, align=align, new_x="LMARGIN", new_y="NEXT")

    return write


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("soft_hyphens", [False, True])
def test_a_letter_set_in_a_truetype_font(engine: str, soft_hyphens: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    # before, with PDFium: the font's tall ascent made every line box overlap the next, so the gap
    # before an item line was no paragraph break ('listed below: Post-op sling' read as the request,
    # 21 of 40), and soft hyphens inside words became hyphens ('comp-leted', 22 of 40 with a value wrong)
    monkeypatch.setattr(pdf_render, "_write", _truetype(soft_hyphens))
    for seed, layout in ((9000, "C"), (10031, "D1"), (8031, "B")):
        letter = _letter(seed, layout)
        data, pages = render_pdf_counted(letter, PdfOptions())
        assert _diffs(letter, data, pages, engine) == []


def _white_on_dark(data: bytes) -> bytes:
    """Every page's text in white on a dark filled rectangle the size of the page (as a table
    style's header row or a banner is: white text a reader sees)."""

    def edit(page: Any, _: int) -> None:
        x0, y0, x1, y1 = (float(v) for v in page.mediabox)
        ground = b"q 0.1 0.15 0.35 rg %.1f %.1f %.1f %.1f re f Q\n" % (x0, y0, x1 - x0, y1 - y0)
        _set_content(page, ground + page.get_contents().get_data().replace(b"BT ", b"BT 1 1 1 rg "))

    return _rewrite(data, edit)


@pytest.mark.parametrize("engine", ENGINES)
def test_white_text_on_a_dark_fill_is_read(engine: str) -> None:
    # white text is hidden only where nothing dark is drawn under it
    for seed, layout in ((31, "A"), (32, "D2")):
        letter = _letter(seed, layout)
        data, pages = render_pdf_counted(letter, PdfOptions())
        assert _diffs(letter, _white_on_dark(data), pages, engine) == []
