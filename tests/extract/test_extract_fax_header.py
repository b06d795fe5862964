"""A fax's own page count (``P. n/m`` in its header lines, whose styles ``test_extract_fax`` lists): a
fax whose last pages were lost in transmission is set aside, never read as a shorter letter."""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest

from imr.extract.entry import extract_bytes
from imr.extract.fax import fax_page_numbers, fax_pages_missing
from imr.synth import HardCases, generate_letter
from imr.synth.fax import FINE, SERVER, FaxOptions, fax_pdf
from imr.synth.pdf_pages import page_count, pages_of
from imr.synth.pdf_render import render_pdf_counted


def _pages(*counts: str) -> list[list[str]]:
    return [[f"12/09/2016 14:32 9165551234 IMR UNIT {c}", "Body text of the letter."] for c in counts]


def test_the_fax_page_count_is_read_from_each_page() -> None:
    assert fax_page_numbers(_pages("P. 001/005", "P.2/5", "PAGE 03/05")) == [(1, 5), (2, 5), (3, 5)]
    assert fax_page_numbers([["Body text only."]]) == []


@pytest.mark.parametrize(
    ("counts", "missing"),
    [
        (("P. 1/5", "P. 2/5", "P. 3/5"), 2),  # the last two pages lost
        (("P. 1/3", "P. 2/3", "P. 3/3"), None),  # whole
        (("P. 2/4", "P. 3/4", "P. 4/4"), None),  # the cover sheet (page 1) was never in the file
        (("P. 1/5", "P. 2/3", "P. 3/3"), None),  # a misread count: the agreeing one says whole
        (("P. 1/5", "P. 2"), None),  # one count only: not trusted
        (("P. 1/4", "P. 2/4", "P. 2/4"), 1),  # a page sent twice, the last one lost
    ],
)
def test_pages_lost_in_transmission(counts: tuple[str, ...], missing: int | None) -> None:
    assert fax_pages_missing(_pages(*counts)) == missing


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")
def test_a_fax_without_its_last_page_is_set_aside() -> None:
    """A fax of a long letter whose last page never arrived: rejected, never a shorter letter."""
    hard = replace(HardCases.none(), many_items=1.0)
    seed = next(s for s in range(50) if render_pdf_counted(generate_letter(s, layout="D2", hard=hard))[1] >= 3)
    pdf, _ = render_pdf_counted(generate_letter(seed, layout="D2", hard=hard))
    fax = fax_pdf(pdf, seed, FaxOptions(resolution=FINE, sender=SERVER, dropped_lines=0))
    rec = extract_bytes(pages_of(fax, range(page_count(fax) - 1)), "fax.pdf", ocr="auto")
    assert rec.status == "rejected", "a fax without its last page parsed"
    assert rec.errors[0].code in ("unresolved_item", "ocr_check_failed"), rec.errors
