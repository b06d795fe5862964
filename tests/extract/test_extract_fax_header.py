"""A fax's own header line in the styles fax machines and servers print, and its page count: a fax
whose last pages were lost in transmission is set aside, never read as a shorter letter."""

from __future__ import annotations

import io
import shutil
from dataclasses import replace

import pytest

from imr.extract.entry import extract_bytes
from imr.extract.fax import fax_page_numbers, fax_pages_missing, is_fax_header
from imr.synth import HardCases, generate_letter
from imr.synth.fax import FINE, SERVER, FaxOptions, fax_pdf
from imr.synth.pdf_render import render_pdf_counted

HEADER_LINES = [
    "DEC-09-2016 14:32  FROM: MAXIMUS FEDERAL  TO: 15105551234  P.2/5",
    "12/09/2016 FRI 14:32 FAX 916 555 1234 MAXIMUS  @002/005",
    "12/09/2016 14:32 MAXIMUS FEDERAL SVCS  Page: 2/5",  # a colon after Page, no phone number
    "Dec. 9. 2016  2:32PM   MAXIMUS   No. 1234   P. 2",  # a page number without the count
    "12/9/2016 2:32:11 PM PAGE 2/005 Fax Server",
    "From: 9165551234 Page: 2/5 Date: 12/9/2016 2:32:11 PM",
    "2016-12-09 14:32 FAX SERVER 2 P. 2",
    "12/09/2016 14:32 #123 P.002/005",
]
NOT_HEADER_LINES = [
    "Case Number: CM16-0213037 Page 2 of 5",
    "Dated: 9/26/2013",
    "Decision Date: 12/09/2016 UR Denial Date: 11/03/2016",
    "On 12/09/2016 the worker was seen at 10:30 for pain rated 6/10.",
    "Page 2 of 5",
]


@pytest.mark.parametrize("line", HEADER_LINES)
def test_header_lines_of_other_machines_are_recognised(line: str) -> None:
    assert is_fax_header(line)


@pytest.mark.parametrize("line", NOT_HEADER_LINES)
def test_letter_lines_stay_letter_lines(line: str) -> None:
    assert not is_fax_header(line)


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
    import pypdfium2 as pdfium

    hard = replace(HardCases.none(), many_items=1.0)
    seed = next(s for s in range(50) if render_pdf_counted(generate_letter(s, layout="D2", hard=hard))[1] >= 3)
    pdf, _ = render_pdf_counted(generate_letter(seed, layout="D2", hard=hard))
    fax = pdfium.PdfDocument(fax_pdf(pdf, seed, FaxOptions(resolution=FINE, sender=SERVER, dropped_lines=0)))
    fax.del_page(len(fax) - 1)
    out = io.BytesIO()
    fax.save(out)
    rec = extract_bytes(out.getvalue(), "fax.pdf", ocr="auto")
    assert rec.status == "rejected", "a fax without its last page parsed"
    assert rec.errors[0].code in ("unresolved_item", "ocr_check_failed"), rec.errors
