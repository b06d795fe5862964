"""One file holding two letters (a stack scanned or faxed together, two PDFs merged) is rejected
``several_letters``: read as one letter, the items of the second would be loaded under the first
letter's case number. A single letter, with running headers that repeat its case number on every
page, never is."""

from __future__ import annotations

import pytest

from imr.extract.entry import extract_bytes
from imr.synth import LAYOUTS, HardCases, generate_letter, render_text
from imr.synth.pdf_pages import assemble
from imr.synth.pdf_render import PdfOptions, render_pdf_counted


@pytest.mark.parametrize("first", LAYOUTS)
@pytest.mark.parametrize("second", LAYOUTS)
def test_two_text_letters_in_one_file_are_rejected(first: str, second: str) -> None:
    a, b = generate_letter(11, layout=first), generate_letter(12, layout=second)
    rec = extract_bytes(render_text(a, "lf") + b"\n\n\n" + render_text(b, "seed"), "two.txt")
    assert rec.status == "rejected" and [e.code for e in rec.errors] == ["several_letters"], rec.errors
    message = rec.errors[0].message
    assert "split it into one file per letter" in message and "\n" not in message
    if a.letter.case_number and b.letter.case_number and first not in ("A", "B") and second not in ("A", "B"):
        assert a.letter.case_number in message and b.letter.case_number in message


def test_two_pdfs_merged_are_rejected() -> None:
    letters = ((3, "D2"), (4, "C"))
    pdfs = [render_pdf_counted(generate_letter(seed, layout=lay), PdfOptions(seed=seed))[0] for seed, lay in letters]
    rec = extract_bytes(assemble([(pdf, None) for pdf in pdfs]), "two.pdf")
    assert [e.code for e in rec.errors] == ["several_letters"]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_one_letter_with_running_headers_is_one_letter(layout: str) -> None:
    """Every hard case (page furniture naming the case number on every page, a running header above
    the letterhead), as text and PDF: never taken for several letters."""
    for seed in range(6):
        letter = generate_letter(seed, layout=layout, hard=HardCases.every())
        pdf, _ = render_pdf_counted(letter, PdfOptions(seed=seed))
        for data, name in (
            (render_text(letter, "lf"), "x.txt"),
            (render_text(letter, "seed"), "y.txt"),
            (pdf, "z.pdf"),
        ):
            rec = extract_bytes(data, name)
            assert "several_letters" not in [e.code for e in rec.errors], (seed, name)
