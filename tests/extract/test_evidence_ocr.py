"""Scanned letters set aside for a value OCR could not read with confidence: the partial letter
names that value in ``_doubtful`` (found through the evidence of the word's line), and the evidence
of a scanned page carries the OCR confidence of its words."""

from __future__ import annotations

import shutil

import pytest

from imr.extract.entry import extract_bytes
from imr.extract.partial import DOUBTFUL
from imr.extract.pdfium_text import read_pdfium_words
from imr.models import LetterRecord
from imr.synth.content import HardCases
from imr.synth.generator import generate_letter
from imr.synth.pdf_render import PdfOptions, render_pdf_counted
from imr.synth.scanned import blank_region, scan_pdf

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed (make setup)")


def _smudged(seed: int, starts: str, share: float, nth: int = 0) -> tuple[LetterRecord, int]:
    """The letter ``seed`` scanned after the right ``share`` of its ``nth`` word starting with
    ``starts`` was wiped off; and how many such words the letter has."""
    letter = generate_letter(seed, layout="D2", hard=HardCases.none())
    born, _ = render_pdf_counted(letter, PdfOptions())
    hits = [(page, w) for page, words in enumerate(read_pdfium_words(born)) for w in words if w.text.startswith(starts)]
    page, w = hits[nth]
    box = (w.x0 + (1 - share) * (w.x1 - w.x0), w.top - 1, w.x1 + 1, w.bottom + 1)
    record = extract_bytes(scan_pdf(blank_region(born, page, box), seed=seed), "scan.pdf", ocr="auto", evidence=True)
    assert record.source.ocr
    return record, len(hits)


def test_a_smudged_decision_is_the_value_in_doubt() -> None:
    record, _ = _smudged(12, "Upheld", 0.25)
    assert record.status == "rejected"
    assert record.errors[0].code in ("ocr_low_confidence", "unresolved_item")
    assert record.partial is not None and record.partial[DOUBTFUL] == ["items[0].decision"]
    assert record.evidence is not None
    place = record.evidence["items[0].decision"]
    assert place.bbox is not None and place.confidence is not None and 0 <= place.confidence <= 1
    assert record.partial["case_number"] is not None and record.evidence["case_number"].confidence is not None


@pytest.mark.parametrize("share", [0.25, 0.4])
def test_a_smudged_case_number_is_the_value_in_doubt(share: float) -> None:
    record, _ = _smudged(12, "CM", share)
    assert record.status == "rejected"
    assert record.errors[0].code in ("ocr_low_confidence", "ocr_check_failed")
    assert record.partial is not None and record.partial[DOUBTFUL] == ["case_number"]
    assert record.partial["items"] and all(i["decision"] is not None for i in record.partial["items"])
