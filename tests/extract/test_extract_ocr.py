"""OCR of image-only PDFs with the real Tesseract: scanned synthetic letters read back to their
gold, a smudged decision word rejected (never guessed), ``IMR_OCR=off``, ``source.ocr``, and the
cross-checks of OCR'd header values."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from imr.errors import REASON_CODES, OcrCheckError
from imr.extract.document import Document
from imr.extract.entry import extract_file
from imr.extract.ocr_checks import check_ocr_letter
from imr.extract.ocr_words import OcrWord, decision_form, fix_labels, join_split_labels, resembles_decision
from imr.models import Letter
from imr.synth.corpus import write_corpus
from tests.helpers import LETTER_CORE, assert_contract, read_jsonl

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed (make setup)")


def letter_exact_diffs(pred: dict[str, Any], gold: dict[str, Any]) -> list[str]:
    """What the scorer's letter_exact counts: status, case number, dates, priority, outcome, item
    count and every item decision."""
    name = Path(gold["source"]["path"]).name
    if pred["status"] != gold["status"]:
        return [f"{name}: status {pred['status']} {pred['errors']}"]
    if gold["status"] != "parsed":
        return []
    pl, gl = pred["letter"], gold["letter"]
    diffs = [f"{name}: {k}" for k in LETTER_CORE if pl.get(k) != gl.get(k)]
    if [i["decision"] for i in pl["items"]] != [i["decision"] for i in gl["items"]]:
        diffs.append(f"{name}: item decisions")
    return diffs


def silent_wrong(pred: dict[str, Any], gold: dict[str, Any]) -> int:
    """Predicted item decisions that contradict the gold (the scorer's silent_wrong)."""
    if pred["status"] != "parsed" or gold["status"] != "parsed":
        return 0
    want = {i["ordinal"]: i["decision"] for i in gold["letter"]["items"]}
    return sum(1 for i in pred["letter"]["items"] if i["ordinal"] in want and want[i["ordinal"]] != i["decision"])


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("scanned")
    write_corpus(out, 5, seed=5, formats=("pdf",), bad=False, scanned=True)
    return out


def test_scanned_synthetic_letters_read_to_their_gold(scanned: Path) -> None:
    diffs: list[str] = []
    for gold in read_jsonl(scanned / "gold.jsonl"):
        record = extract_file(scanned / gold["source"]["path"], display_path=gold["source"]["path"], ocr="auto")
        rec = record.to_dict()
        assert_contract(rec)
        assert rec["source"]["ocr"] is True and gold["source"]["ocr"] is True
        assert rec["source"]["pages"] == gold["source"]["pages"]
        diffs += letter_exact_diffs(rec, gold)
    assert diffs == []


def test_ocr_off_rejects_image_only_pdfs(scanned: Path) -> None:
    pdf = sorted(scanned.glob("*.pdf"))[0]
    rec = extract_file(pdf, ocr="off")
    assert rec.status == "rejected" and [e.code for e in rec.errors] == ["pdf_no_text"]
    assert rec.source.ocr is False and rec.to_dict()["source"]["ocr"] is False


def test_ocr_setting_is_read_when_no_mode_is_given(scanned: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from imr.settings import get_settings

    pdf = sorted(scanned.glob("*.pdf"))[0]
    monkeypatch.setenv("IMR_OCR", "off")
    get_settings.cache_clear()
    try:
        assert [e.code for e in extract_file(pdf).errors] == ["pdf_no_text"]
    finally:
        get_settings.cache_clear()


def test_text_layer_pdfs_are_not_ocrd(tmp_path: Path) -> None:
    write_corpus(tmp_path, 2, seed=5, formats=("pdf",), bad=False)
    for gold in read_jsonl(tmp_path / "gold.jsonl"):
        rec = extract_file(tmp_path / gold["source"]["path"], ocr="auto").to_dict()
        assert rec["status"] == "parsed" and rec["source"]["ocr"] is False


def test_a_page_image_without_text_stays_pdf_no_text(tmp_path: Path) -> None:
    import random

    from imr.synth.bad_inputs import image_only_pdf

    pdf = tmp_path / "bars.pdf"
    pdf.write_bytes(image_only_pdf(random.Random(3)))
    rec = extract_file(pdf, ocr="auto")
    assert rec.status == "rejected" and [e.code for e in rec.errors] == ["pdf_no_text"]


def _decision_box(pdf: bytes) -> tuple[int, tuple[float, float, float, float], str]:
    """Page index and box (points, top-left origin) of the first decision word of a text-layer PDF."""
    from imr.extract.pdfium_text import read_pdfium_words

    for page, words in enumerate(read_pdfium_words(pdf)):
        for w in words:
            if w.text in ("Upheld", "Overturned"):
                return page, (w.x0 - 2, w.top - 2, w.x1 + 2, w.bottom + 2), w.text
    raise AssertionError("no decision word")


def test_a_smudged_decision_word_is_rejected_not_guessed(tmp_path: Path) -> None:
    from imr.synth.content import HardCases
    from imr.synth.generator import generate_letter
    from imr.synth.pdf_render import PdfOptions, render_pdf_counted
    from imr.synth.scanned import blank_region, scan_pdf

    for seed in (12, 13):
        letter = generate_letter(seed, layout="D2", hard=HardCases.none())
        born, _ = render_pdf_counted(letter, PdfOptions())
        page, box, _word = _decision_box(born)
        smudged = scan_pdf(blank_region(born, page, box), seed=seed)
        path = tmp_path / f"smudged_{seed}.pdf"
        path.write_bytes(smudged)
        rec = extract_file(path, ocr="auto")
        assert rec.source.ocr is True
        assert rec.status == "rejected", f"seed {seed}: a smudged decision was read"
        assert rec.errors[0].code in ("ocr_low_confidence", "unresolved_item")
        # the same letter, unsmudged, is read: the rejection is the smudge's doing
        clean = tmp_path / f"clean_{seed}.pdf"
        clean.write_bytes(scan_pdf(born, seed=seed))
        assert extract_file(clean, ocr="auto").status == "parsed"


def test_decision_words_are_restored_only_from_fixed_confusions() -> None:
    assert decision_form("Upheid") == "Upheld"
    assert decision_form(":-Upheld") == "Upheld"
    assert decision_form("\u2018Upheld") == "Upheld"
    assert decision_form("Overtumed") == "Overturned"
    assert decision_form("0verturned.") == "Overturned"
    assert decision_form("upheld") == "upheld"
    for damaged in ("Uphd", "Upeld", "Overtur", "Uphold", "Upheldd", "pheld"):
        assert decision_form(damaged) is None, damaged
    assert resembles_decision("Uphcd") and resembles_decision("Ovrturnd")
    assert not resembles_decision("Standard") and not resembles_decision("Cervical")


def _words(*texts: str) -> list[OcrWord]:
    return [OcrWord(t, 10.0 * i, 10.0 * i + 8, 0, 10, conf=90, line=0) for i, t in enumerate(texts)]


def test_labels_are_restored_but_values_never_changed() -> None:
    words = _words("Daie", "Assigned:", "11/09/2016", "Baie", "of", "Injury:", "10/13/2016")
    fix_labels(words)
    assert [w.text for w in words] == ["Date", "Assigned:", "11/09/2016", "Date", "of", "Injury:", "10/13/2016"]
    words = _words("Claims.", "Administrator", "guideline:", "Decision", "based")
    fix_labels(words)
    assert [w.text for w in words][:3] == ["Claims", "Administrator", "guideline:"]
    words = join_split_labels(_words("Claims", "Administrator", "guidelin", "e:", "Decision", "ba", "sed"))
    assert [w.text for w in words] == ["Claims", "Administrator", "guideline:", "Decision", "ba", "sed"]
    words = _words("aie", "Assigned:", "UR", "Denia!", "Daie:", "Annlication", "12/14/2016")
    fix_labels(words)
    assert [w.text for w in words] == ["Date", "Assigned:", "UR", "Denial", "Date:", "Application", "12/14/2016"]
    # a colon read as a semicolon ends the label all the same (a value is never touched)
    words = _words("Claims", "Administrator", "guideline;", "Decision", "rationale;", "MAXIMUS", "guidel1ne;")
    fix_labels(words)
    assert [w.text for w in words] == [
        "Claims", "Administrator", "guideline:", "Decision", "rationale:", "MAXIMUS", "guideline:"
    ]  # fmt: skip
    # no word read exactly, no colon on a misread label, or 3 letters off: left as read
    for texts in (("Daie", "Asigned"), ("Daie", "Assigned"), ("Dxyz", "Assigned:"), ("Daie", "Asigmed:")):
        words = _words(*texts)
        fix_labels(words)
        assert tuple(w.text for w in words) == texts


def _letter(**dates: dt.date) -> Letter:
    return Letter(case_number="CM16-0213037", **dates)  # type: ignore[arg-type]


def test_ocr_header_values_are_cross_checked() -> None:
    doc = Document(pages=[["Case Number: CM16-0213037", "Page 1 of 2"], ["Page 2 of 2"]], media_type="application/pdf",
                   page_count=2)  # fmt: skip
    good = _letter(
        date_of_injury=dt.date(2016, 10, 13),
        ur_denial_date=dt.date(2016, 11, 3),
        application_received=dt.date(2016, 11, 3),
        date_assigned=dt.date(2016, 11, 9),
        decision_date=dt.date(2016, 12, 9),
    )
    check_ocr_letter(good, doc)
    with pytest.raises(OcrCheckError):
        check_ocr_letter(_letter(ur_denial_date=dt.date(2016, 11, 3), date_of_injury=dt.date(2018, 10, 13)), doc)
    with pytest.raises(OcrCheckError):
        check_ocr_letter(_letter(date_assigned=dt.date(2016, 12, 19), decision_date=dt.date(2016, 12, 9)), doc)
    bad_case = Letter(case_number="CM16-021303")
    with pytest.raises(OcrCheckError):
        check_ocr_letter(bad_case, doc)
    with pytest.raises(OcrCheckError):
        check_ocr_letter(Letter(case_number=None), doc)
    three = Document(pages=[["Page 1 of 3"], ["Page 2 of 3"]], media_type="application/pdf", page_count=2)
    with pytest.raises(OcrCheckError):
        check_ocr_letter(good, three)
    misread = Document(pages=[["x"]], media_type="application/pdf", page_count=1,
                       header_fields={"Application Received": "41/21/2016"})  # fmt: skip
    with pytest.raises(OcrCheckError):
        check_ocr_letter(good, misread)


def test_ocr_reason_codes_are_registered_and_documented() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for code in ("ocr_low_confidence", "ocr_check_failed", "ocr_failed"):
        assert code in REASON_CODES
        assert f"`{code}`" in readme


def test_a_missing_tesseract_is_a_reason_not_a_crash(scanned: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from imr.extract import ocr

    monkeypatch.setattr(ocr, "TESSERACT", "/nonexistent/tesseract")
    rec = extract_file(sorted(scanned.glob("*.pdf"))[0], ocr="auto")
    assert rec.status == "rejected" and [e.code for e in rec.errors] == ["ocr_failed"]


def test_cli_ocr_flag(scanned: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from imr.cli import main

    pdf = str(sorted(scanned.glob("*.pdf"))[0])
    assert main(["extract", pdf, "--ocr", "off"]) == 0
    off = json.loads(capsys.readouterr().out)
    assert off["errors"][0]["code"] == "pdf_no_text" and off["source"]["ocr"] is False
    assert main(["extract", pdf, "--ocr", "auto"]) == 0
    on = json.loads(capsys.readouterr().out)
    assert on["status"] == "parsed" and on["source"]["ocr"] is True


def test_a_blank_page_beside_a_text_layer_is_not_ocr(tmp_path: Path) -> None:
    """A born-digital letter with an empty page: the empty page is OCR'd, finds nothing, and the
    letter is read from its text layer (source.ocr false), as before OCR existed."""
    import io

    import pypdfium2 as pdfium

    write_corpus(tmp_path, 1, seed=5, formats=("pdf",), bad=False)
    (gold,) = read_jsonl(tmp_path / "gold.jsonl")
    pdf = pdfium.PdfDocument((tmp_path / gold["source"]["path"]).read_bytes())
    pdf.new_page(612, 792)
    buf = io.BytesIO()
    pdf.save(buf)
    pdf.close()
    path = tmp_path / "with-blank.pdf"
    path.write_bytes(buf.getvalue())
    rec = extract_file(path, ocr="auto").to_dict()
    assert rec["status"] == "parsed" and rec["source"]["ocr"] is False
    assert rec["source"]["pages"] == gold["source"]["pages"] + 1
    assert letter_exact_diffs(rec, gold) == []
