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
from imr.extract.ocr_words import (
    Doubt,
    OcrWord,
    agreed_reading,
    clean_words,
    confirmed_by,
    decision_form,
    fix_labels,
    header_value_key,
    header_values_in_doubt,
    is_header_value,
    item_tail,
    join_split_case_numbers,
    join_split_labels,
    legible_tail,
    resembles_decision,
)
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


def test_a_long_label_starting_its_line_is_restored_with_no_word_read_exactly() -> None:
    """A fax's 'Claim Adminiotrator guidelines' (every word a letter off, the colon read as an s)
    starting its line is the label; the same words after another word of their line, farther
    off, or read cleanly as prose are left as read."""
    words = _words("Claim", "Adminiotrator", "guidelines", "Docision", "basod")
    fix_labels(words)
    assert [w.text for w in words] == ["Claims", "Administrator", "guideline:", "Docision", "basod"]
    words = _words("Clalm", "Adminlstrator", "guideline:", "Decision")  # its colon read: restored too
    fix_labels(words)
    assert [w.text for w in words][:3] == ["Claims", "Administrator", "guideline:"]
    for texts in (
        ("the", "Claim", "Adminiotrator", "guidelines"),  # not at the start of its line
        ("Clam", "Adminiotratar", "guidelines", "Decision"),  # 4 letters off in all
        ("Claims", "Administrator", "guidelines", "were"),  # prose read cleanly
        ("Claim", "Adminiotrator", "guidelinesx", "were"),  # two letters after the word
    ):
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


def test_a_case_number_split_in_two_words_is_joined() -> None:
    """'CM16-01234' '56' (OCR split the number at a wide glyph gap) is one case number again, with
    the lower confidence of its parts; digits are never added, dropped or changed."""
    head = OcrWord("CM16-01234", 100, 160, 0, 10, conf=38, line=0, px=(10, 5, 60, 20))
    tail = OcrWord("56", 165, 178, 0, 10, conf=90, line=0, px=(65, 6, 78, 20))
    (joined,) = join_split_case_numbers([head, tail])
    assert (joined.text, joined.conf, joined.x0, joined.x1, joined.px) == (
        "CM16-0123456",
        38,
        100,
        178,
        (10, 5, 78, 20),
    )
    for texts, gap in (
        (("CM16-01234", "56"), 30),  # too far apart: another value
        (("CM16-01234", "5"), 2),  # six digits: not a case number
        (("CM16-0123", "4560"), 2),  # eight digits
        (("Number:", "0123456"), 2),  # no head
        (("CM16-01234", "5b"), 2),  # not digits
    ):
        a = OcrWord(texts[0], 100, 160, 0, 10, line=0)
        b = OcrWord(texts[1], 160 + gap, 175 + gap, 0, 10, line=0)
        assert [w.text for w in join_split_case_numbers([a, b])] == list(texts)
    a, b = OcrWord("CM16-01234", 100, 160, 0, 10, line=0), OcrWord("56", 162, 175, 12, 22, line=1)
    assert [w.text for w in join_split_case_numbers([a, b])] == ["CM16-01234", "56"]  # another line


def test_a_lone_received_label_is_restored_only_with_its_colon() -> None:
    """A wrapped 'Application / Received:' label puts 'Received:' on a line of its own; a fax that
    lost the dot of its i ('Recelved:') has it restored, a word without a colon is left alone."""
    for read in ("Recelved:", "\u2018Recelved:"):  # speckle before it is read as a quote
        words = _words(read)
        fix_labels(words)
        assert [w.text for w in words] == ["Received:"]
    for texts in (("Recelved",), ("Reccived;",), ("Raraluna:",)):
        words = _words(*texts)
        fix_labels(words)
        want = ["Received:"] if texts == ("Reccived;",) else list(texts)
        assert [w.text for w in words] == want


def test_a_label_whose_e_lost_its_crossbar_is_restored() -> None:
    """A standard-mode fax from a server keeps every other scan line: an e's crossbar goes and
    Tesseract reads o or c ('Roooivod:' for 'Received:', four letters off). Letters alike but for
    that stroke count as the label's; any other letter, or a missing colon, still leaves it as read."""
    words = _words("Roooivod:")
    fix_labels(words)
    assert [w.text for w in words] == ["Received:"]
    words = _words("Dato", "of", "Injury:", "10/13/2016", "Docision", "Dato:")
    fix_labels(words)
    assert [w.text for w in words] == ["Date", "of", "Injury:", "10/13/2016", "Decision", "Date:"]
    for texts in (("Roooivod",), ("Roooivad:",), ("Rooolvod:",), ("Doooo", "Dato:")):
        words = _words(*texts)
        fix_labels(words)
        assert tuple(w.text for w in words) == texts


def test_a_semicolon_before_a_decision_at_the_end_of_its_line_is_its_colon() -> None:
    assert [w.text for w in clean_words(_words("TENS", "unit;", "Upheld"))] == ["TENS", "unit:", "Upheld"]
    assert [w.text for w in clean_words(_words("unit;", "Upheld", "because"))] == ["unit;", "Upheld", "because"]
    assert [w.text for w in clean_words(_words("unit;", "therapy"))] == ["unit;", "therapy"]


def test_header_values_are_recognised_read_well_or_not() -> None:
    assert header_value_key("12/01/2016") == "2016-12-01" and header_value_key("1/11/2017,") == "2017-01-11"
    assert header_value_key("CM16-0987654") == "CM16-0987654"
    for bad in ("42/01/2016", "12/41/2016", "CMi7-0012345", "CM16-01234", "Standard", ""):
        assert header_value_key(bad) is None, bad
    for shaped in ("42/01/2016", "12/01/2016", "CMi7-0012345", "EM16-0765432", "CM16-01234", "(CM16-0555123"):
        assert is_header_value(shaped), shaped
    for other in ("Standard", "Priority:", "2016", "P.1/2", "24"):
        assert not is_header_value(other), other


def _first(text: str, conf: float = 90) -> OcrWord:
    return OcrWord(text, 0, 60, 0, 10, conf=conf, line=0)


def test_a_header_value_is_taken_only_when_reads_agree() -> None:
    """A header value read again takes what two reads agree on and no read contradicts, a glyph or
    two from the page's read; anything less leaves it as read (and the letter set aside)."""
    # a leading 1 read as 4: two confident reads of the crop say 12/01/2016
    assert agreed_reading(_first("42/01/2016"), [("42/01/2016", 90), ("12/01/2016", 82), ("12/01/2016", 95)]) == (
        "12/01/2016",
        82,
    )
    assert agreed_reading(_first("CMi7-0012345"), [("CM17-0012345", 87), ("CM17-0012345,", 69)]) == ("CM17-0012345", 69)
    # one read alone never decides
    assert agreed_reading(_first("42/01/2016"), [("12/01/2016", 95), ("42/01/2016", 95)]) is None
    # reads that contradict each other, even once
    reads = [("12/01/2016", 95), ("12/01/2016", 92), ("12/07/2016", 70)]
    assert agreed_reading(_first("42/01/2016"), reads) is None
    # reads below header_min_conf do not vote (for or against)
    assert agreed_reading(_first("42/01/2016"), [("12/01/2016", 95), ("12/01/2016", 40)]) is None
    low = [("12/01/2016", 95), ("12/01/2016", 92), ("12/07/2016", 40)]
    assert agreed_reading(_first("42/01/2016"), low) == ("12/01/2016", 92)
    # a low-confidence page read that passes the checks votes: one confident read confirms it ...
    assert agreed_reading(_first("1/11/2017", 43), [("01/11/2017", 68)]) == ("1/11/2017", 68)
    # ... and a confident read of another value contradicts it
    assert agreed_reading(_first("01/13/2017", 29), [("01/13/2017", 92), ("01/14/2017", 75)]) is None
    # more than reread_max_edits characters from the page's read: another value, not a mended glyph
    assert agreed_reading(_first("42/07/2018"), [("12/01/2016", 95), ("12/01/2016", 95)]) is None


def test_header_values_in_doubt_are_those_of_the_header_failing_their_checks() -> None:
    lines = [
        ("Mar-04-2015", "09:44AM", "FROM:", "CLAIMS", "(555)", "010-2030", "P.", "1/2"),  # the fax's line
        ("Case", "Number:", "CMi7-0012345"),
        ("Date", "Assigned:", "12/06/2016", "Date", "of", "Injury:", "11/01/2016"),
        ("UR", "Denial", "Date:", "42/01/2016"),
        ("HOW", "THE", "IMR", "FINAL", "DETERMINATION", "WAS", "MADE"),
        ("on", "41/01/2016", "the"),  # below the header: a sentence's date is not a header value
    ]
    words = [
        OcrWord(t, 10.0 * i, 10.0 * i + 8, 12.0 * n, 12.0 * n + 10, conf=30 if t == "11/01/2016" else 90, line=n)
        for n, line in enumerate(lines)
        for i, t in enumerate(line)
    ]
    assert [w.text for w in header_values_in_doubt(words)] == ["CMi7-0012345", "11/01/2016", "42/01/2016"]


def _text_image(text: str) -> Any:
    """A 300-dpi greyscale image of ``text`` printed in 11-point Helvetica."""
    from fpdf import FPDF

    from imr.extract.ocr import render_pages

    pdf = FPDF(unit="pt", format=(300, 40))
    pdf.set_margins(0, 0)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("Helvetica", "", 11)
    pdf.set_xy(40, 14)
    pdf.cell(0, 12, text)
    return render_pages(bytes(pdf.output()), [0], 300)[0]


def test_a_misread_header_date_is_read_again_and_mended() -> None:
    """The page read a date that is no date ('42/01/2016'); read again in several ways, its crop
    says 12/01/2016 and the word takes it. Over a crop that says nothing, it stays as read."""
    from imr.extract.ocr import ocr_image, reread_header_values

    image = _text_image("12/01/2016")
    (word,) = ocr_image(image, 300)
    assert header_value_key(word.text) == "2016-12-01"
    word.text, word.conf = "42/01/2016", 92.0
    assert reread_header_values([word], image, 300) == 1
    assert (word.text, word.conf >= 60) == ("12/01/2016", True)
    blank = _text_image("")
    word.text = "42/01/2016"
    assert reread_header_values([word], blank, 300) == 0 and word.text == "42/01/2016"


def test_the_words_after_an_items_colon_are_legible_only_when_no_read_looks_like_a_decision() -> None:
    line = _words("MRI", "of", "the", "knee:", "Retlex", "therapy")
    assert [w.text for w in item_tail(line)] == ["Retlex", "therapy"]
    assert legible_tail([[("Retlex", 81), ("therapy", 88)], [("Reflex", 34)]]) == 81
    assert legible_tail([[("Retlex", 81)], [("Retlex", 88)]]) == 88
    # no read with every word confident
    assert legible_tail([[("Uliasuvund,", 39), ("therapeutic.", 90)], [("ss", 0)]]) is None
    # a read like a decision word: the doubt stands, however legible the others
    assert legible_tail([[("Retlex", 90)], [("Upheld", 62)]]) is None
    assert legible_tail([[("Retlex", 90)], [("IIpheld", 15)]]) is None
    assert legible_tail([[("Retlex", 90)], [("Over", 20), ("turned", 20)]]) is None
    assert legible_tail([]) is None


def test_an_unreadable_item_tail_is_read_again() -> None:
    """The words after an item's colon were read with low confidence: read again, a crop that
    says legible words (no decision) settles the doubt; one that says a damaged decision word
    does not."""
    from imr.extract.ocr import ocr_image, reread_item_tail

    image = _text_image("Ultrasound therapy")
    tail = ocr_image(image, 300)
    assert [w.text for w in tail] == ["Ultrasound", "therapy"]
    for w in tail:
        w.conf = 30.0
    line = [OcrWord("knee:", 0, 10, 0, 10, conf=95), *tail]
    assert reread_item_tail(line, image, 300) == 1
    assert all(w.conf >= 70 for w in tail) and [w.text for w in tail] == ["Ultrasound", "therapy"]
    damaged = _text_image("Uphcld")
    (word,) = ocr_image(damaged, 300)
    word.conf = 30.0
    assert reread_item_tail([OcrWord("knee:", 0, 10, 0, 10, conf=95), word], damaged, 300) == 0
    assert word.conf == 30.0


def test_a_doubtful_decision_word_is_confirmed_by_one_read_as_is_or_two_other_reads() -> None:
    """A decision word read with low confidence: the crop read as is confirms it alone (as before);
    else two of the other reads must give the same decision word with confidence, and no read
    another word with confidence. Nothing is replaced: a confirmation only raises confidence."""
    doubt = Doubt(0, OcrWord("Upheld", 0, 10, 0, 10, conf=47), "a decision word was read with low OCR confidence")
    assert confirmed_by(doubt, [("Upheld", 90)]) == 90
    assert confirmed_by(doubt, [("Upheld", 17), ("Upheld", 96), ("Upheld", 86), ("Upheld", 95)]) == 86
    assert confirmed_by(doubt, [("Upheld", 17), ("Upheld", 96)]) is None  # one confident read
    assert confirmed_by(doubt, [("Upheld", 17), ("Upheld", 96), ("Upheld", 86), ("Uphelcl", 75)]) is None
    assert confirmed_by(doubt, [("Upheld", 17), ("Upheld", 96), ("Overturned", 80), ("Upheld", 86)]) is None
    assert confirmed_by(doubt, [("Upheld", 17), ("Upheld", 96), ("Uphelcl", 40), ("Upheld", 86)]) == 86
    assert confirmed_by(doubt, []) is None
