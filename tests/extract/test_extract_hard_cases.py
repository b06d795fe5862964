"""Generated hard cases of issue 21, each in every layout it applies to, text and PDF: a running
header above the letterhead on page 1 (and at the top of every page), the reviewer's degrees listed
without a space after the commas, layout C's ``Dated:`` line, and layout A as an office suite
writes its PDF. Extraction must equal the generator's gold."""

from __future__ import annotations

from dataclasses import replace

import pytest

from imr.extract.entry import extract_bytes
from imr.synth import LAYOUTS, HardCases, SyntheticLetter, generate_letter, render_text
from imr.synth.pdf_render import PdfOptions, render_pdf_counted
from tests.helpers import compare_to_gold

SEEDS = range(8)


def _diffs(synthetic: SyntheticLetter, options: PdfOptions, text: bool = True) -> list[str]:
    renderings = [(render_text(synthetic, v), "text/plain", None, f"x.{v}.txt") for v in ("lf", "seed")] if text else []
    pdf, pages = render_pdf_counted(synthetic, options)
    renderings.append((pdf, "application/pdf", pages, "x.pdf"))
    out: list[str] = []
    for data, media, count, name in renderings:
        gold = synthetic.record(path=name, data=data, media_type=media, pages=count).to_dict()  # type: ignore[arg-type]
        out += [f"{synthetic.seed}: {d}" for d in compare_to_gold(extract_bytes(data, name).to_dict(), gold)]
    return out


def _run(layout: str, hard: HardCases, feature: str, options: PdfOptions | None = None, text: bool = True) -> None:
    diffs: list[str] = []
    seen = 0
    for seed in SEEDS:
        synthetic = generate_letter(seed * 13 + 5, layout=layout, hard=hard)
        seen += feature in synthetic.features
        diffs += _diffs(synthetic, replace(options or PdfOptions(), seed=seed), text)
    assert diffs == []
    assert not feature or seen >= len(SEEDS) // 2


@pytest.mark.parametrize("layout", LAYOUTS)
def test_running_header_above_the_letterhead(layout: str) -> None:
    """A header line on every page, on page 1 above the letterhead: removed everywhere, so the
    reviewer's credentials and the worker's age and sex around page breaks stay whole."""
    _run(layout, replace(HardCases(), header_above_letterhead=1.0), "header_above_letterhead")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_degrees_without_spaces_in_the_reviewer_line(layout: str) -> None:
    """'MD,MPH' or 'M.D.,FACS' beside the reviewer's specialty are degrees, not specialties."""
    _run(layout, replace(HardCases(), degrees=1.0), "degrees")


def test_layout_c_dated_line_is_the_decision_date() -> None:
    _run("C", replace(HardCases(), c_dated=1.0), "c_dated")


def test_layout_a_reviewer_adopting_the_claims_administrators_guidelines() -> None:
    """'The Expert Reviewer found the guidelines used by the Claims Administrator appropriate ...':
    the reviewer's guideline source is the Claims Administrator's."""
    _run("A", replace(HardCases(), item_sections=1.0, adopted_guidelines=0.7), "adopted_guidelines")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_issue_21_case_at_once(layout: str) -> None:
    _run(layout, HardCases.furniture_and_credentials(), "")


@pytest.mark.parametrize("engine", ["pdfplumber", "pdfium"])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_office_suite_pdf(layout: str, engine: str) -> None:
    """An office suite's PDF: one text run per word, no space glyphs, the gaps of a line's end
    narrower than pdfplumber's default word tolerance; each engine alone reads it as written."""
    diffs: list[str] = []
    for seed in SEEDS:
        synthetic = generate_letter(seed * 13 + 5, layout=layout, hard=HardCases.older())
        pdf, pages = render_pdf_counted(synthetic, PdfOptions(office=True, encrypt=True, seed=seed))
        gold = synthetic.record(path="x.pdf", data=pdf, media_type="application/pdf", pages=pages).to_dict()
        diffs += [f"{seed}: {d}" for d in compare_to_gold(extract_bytes(pdf, "x.pdf", engine).to_dict(), gold)]
    assert diffs == []
