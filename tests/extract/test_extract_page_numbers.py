"""The letter's own page numbers ('Page 2 of 3') on a mailed copy: a copy that lost a page is set
aside instead of parsing without the items of that page; a copy whose pages the file holds out of
order is read in the letter's order, its evidence naming the file's pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from imr.extract.document import BREAK, Document
from imr.extract.entry import extract_bytes, read_document
from imr.extract.page_marks import missing_pages, page_marks, page_order
from imr.synth import LAYOUTS, HardCases, generate_letter, render_text
from imr.synth.pdf_pages import pages_of
from imr.synth.pdf_render import PdfOptions, render_pdf_counted
from tests.extract.evidence_checks import check_pdf, check_text
from tests.helpers import compare_to_gold


def _doc(pages: list[list[str]], page_count: int | None = None) -> Document:
    media = "application/pdf" if page_count is not None else "text/plain"
    return Document(pages=pages, media_type=media, page_count=page_count)


def _numbered(total: int, shown: list[int], first_unnumbered: bool = False) -> list[list[str]]:
    return [
        ["MAXIMUS FEDERAL SERVICES", f"body of page {n}", BREAK]
        + ([] if first_unnumbered and n == 1 else [f"Page {n} of {total}"])
        for n in shown
    ]


@pytest.mark.parametrize(
    ("pages", "page_count", "missing"),
    [
        (_numbered(3, [1, 2, 3]), 3, []),
        (_numbered(3, [1, 2, 3]), None, []),
        (_numbered(3, [1, 3]), 2, [2]),
        (_numbered(3, [1, 3]), None, [2]),
        (_numbered(3, [1, 2]), 2, [3]),
        (_numbered(3, [1, 2]), None, [3]),
        (_numbered(2, [1]), None, [2]),  # one number, the last page gone
        (_numbered(3, [2, 3]), 2, [1]),  # a PDF with fewer pages than the letter counts
        (_numbered(3, [2, 3]), None, [1]),  # the file's first page says it is page 2
        (_numbered(3, [1, 2, 3], first_unnumbered=True), 3, []),
        (_numbered(3, [1, 2, 3], first_unnumbered=True), None, []),
        (_numbered(4, [1, 2, 4]), 4, [3]),  # a PDF as long as the letter still shows a gap
        (_numbered(3, [1, 2], first_unnumbered=True), 2, [3]),  # page 1 there, unnumbered: page 3 gone
        ([["a sentence that cites page 3 of 12 of the report", "Page 1 of 1"]], None, []),
        ([["the report, Page 3 of 12, was read", "Page 1 of 1"]], None, []),  # a cited page is not a mark
        ([["no page numbers at all"]], None, []),
    ],
)
def test_missing_pages(pages: list[list[str]], page_count: int | None, missing: list[int]) -> None:
    assert missing_pages(_doc(pages, page_count)) == missing


def test_page_marks_as_letters_print_them() -> None:
    lines = [
        "Page 2 of 3",
        "CM16-0000001    Page 2 of 3",
        "Final Determination | Page 2 of 3",
        "- Page 2 of 3 -",
        "Independent Medical Review CM16-0000001 Page 2 of 3",  # a PDF footer's words joined
        "see page 2 of 3",  # a sentence
        "as the report says on Page 2 of 3 of its findings",
        "Page 4 of 3",  # not a page of 3
        BREAK,
    ]
    assert page_marks(lines) == [(2, 3)] * 5


def test_a_text_letter_without_its_first_page_is_set_aside_not_parsed_without_its_header() -> None:
    """One page left, numbered 'Page 2 of 2' and without the letter's start: page 1 is gone."""
    synthetic = next(
        s
        for s in (generate_letter(n, layout="C", hard=HardCases.older()) for n in range(200))
        if "page_furniture" in s.features and render_text(s, "lf").count(b"\f") == 1
    )
    second = render_text(synthetic, "lf").split(b"\f")[1]
    rec = extract_bytes(second, "second-page.txt")
    assert rec.status == "rejected"
    assert "page 1 missing" in rec.errors[0].message


def _furnished(seed: int, layout: str) -> tuple[bytes, int, bytes, int]:
    """A generated mailed copy (letterhead, running header, 'Page N of M') of ``layout``: its text
    and page count by form feeds, its PDF and page count."""
    for n in range(seed, seed + 400):
        synthetic = generate_letter(n, layout=layout, hard=HardCases.older())
        text = render_text(synthetic, "lf")
        if "page_furniture" in synthetic.features and text.count(b"\f") >= 1:
            pdf, count = render_pdf_counted(synthetic, PdfOptions(seed=n))
            return text, text.count(b"\f") + 1, pdf, count
    raise AssertionError("no generated letter with page furniture")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    layout=st.sampled_from(LAYOUTS),
    seed=st.integers(0, 10_000),
    rendering=st.sampled_from(("form feeds", "breaks lost", "pdf")),
    which=st.floats(0, 1, exclude_max=True),
)
def test_a_mailed_copy_without_one_page_never_parses(layout: str, seed: int, rendering: str, which: float) -> None:
    """Any one page of a numbered mailed copy gone, in any layout, as text (pages by form feeds, or
    the breaks lost in a copy and paste) or PDF: the letter is set aside, never parsed without it.
    A letter without its middle or last page is set aside for review with the items read."""
    text, text_pages, pdf, pdf_pages = _furnished(seed, layout)
    if rendering == "pdf":
        assume(pdf_pages > 1)  # a one-page PDF without its page is no PDF
        k = int(which * pdf_pages)
        last = pdf_pages - 1
        rec = extract_bytes(pages_of(pdf, [i for i in range(pdf_pages) if i != k]), "copy.pdf")
    else:
        pages = text.split(b"\f")
        k = int(which * text_pages)
        last = text_pages - 1
        joint = b"\f" if rendering == "form feeds" else b"\n"
        rec = extract_bytes(joint.join(p for i, p in enumerate(pages) if i != k), "copy.txt")
    assert rec.status == "rejected", f"page {k + 1} gone and the letter parsed"
    if k > 0:
        (error,) = rec.errors
        assert error.code in ("unresolved_item", "no_items"), error
        assert f"page {k + 1} missing" in error.message or (k == last and "may be missing" in error.message)
        assert rec.partial is not None
        assert error.code == "no_items" or rec.partial["items"], "the items read are kept for review"


def test_a_whole_numbered_copy_parses_in_every_rendering() -> None:
    """The check never sets aside a complete letter: every page there, every rendering parses."""
    for layout in LAYOUTS:
        text, _, pdf, _ = _furnished(7, layout)
        for data, name in ((text, "x.txt"), (text.replace(b"\f", b"\n"), "x.txt"), (pdf, "x.pdf")):
            rec = extract_bytes(data, name)
            assert rec.status == "parsed", (layout, name, rec.errors)


@pytest.mark.corpus
def test_real_letters_dressed_as_mailed_copies_without_a_middle_page_are_set_aside(real_dir: Path) -> None:
    """Each real letter of three pages or more, dressed in memory with 'Page N of M' on every page,
    its second page left out: set aside naming page 2, never parsed."""
    parsed: list[str] = []
    tried = 0
    for path in sorted((real_dir / "pdf").glob("*.pdf")):
        pages = read_document(path.read_bytes(), "application/pdf", "pdfium").pages
        if len(pages) < 3:
            continue
        tried += 1
        lines: list[str] = []
        for n, page in enumerate(pages, start=1):
            if n != 2:
                lines += [*page, "", f"Page {n} of {len(pages)}", "\f"]
        rec = extract_bytes("\n".join(lines).encode(), path.name + ".txt")
        if rec.status == "parsed" or "page 2 missing" not in rec.errors[0].message:
            parsed.append(path.name)
    assert tried > 10 and parsed == []


@pytest.mark.parametrize(
    ("numbers", "order"),
    [
        ([2, 1, 3], [1, 0, 2]),
        ([3, 1, 2], [1, 2, 0]),
        ([1, 2, 3], None),  # in order
        ([2, 1, None], None),  # a page without its number: the order cannot be trusted
        ([2, 2, 3], None),  # a number twice
        ([2, 1, 4], None),  # not a permutation of the pages
    ],
)
def test_page_order(numbers: list[int | None], order: list[int] | None) -> None:
    pages = [["body"] + ([f"Page {n} of {len(numbers)}"] if n else []) for n in numbers]
    assert page_order(pages) == order


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layout=st.sampled_from(LAYOUTS), seed=st.integers(0, 10_000), shuffle=st.randoms(use_true_random=False))
def test_a_copy_with_its_pages_out_of_order_reads_as_the_letter(layout: str, seed: int, shuffle: Any) -> None:
    """A numbered mailed copy whose pages the file holds in any order, as text (form feeds) and PDF,
    reads exactly as the letter; the evidence of its values stands on the file's pages."""
    for n in range(seed, seed + 400):
        synthetic = generate_letter(n, layout=layout, hard=HardCases.older())
        text = render_text(synthetic, "lf")
        if "page_furniture" in synthetic.features and text.count(b"\f") >= 1:
            break
    pages = text.split(b"\f")
    order = list(range(len(pages)))
    shuffle.shuffle(order)
    data = b"\f".join(pages[k] for k in order)
    rec = extract_bytes(data, "x.txt", evidence=True)
    gold = synthetic.record(path="x.txt", data=data, media_type="text/plain", pages=None).to_dict()
    assert compare_to_gold(rec.to_dict(), gold) == []
    check_text(rec, data)
    pdf, count = render_pdf_counted(synthetic, PdfOptions(seed=n))
    order = list(range(count))
    shuffle.shuffle(order)
    data = pages_of(pdf, order)
    rec = extract_bytes(data, "x.pdf", evidence=True)
    gold = synthetic.record(path="x.pdf", data=data, media_type="application/pdf", pages=count).to_dict()
    assert compare_to_gold(rec.to_dict(), gold) == []
    check_pdf(rec, data)
