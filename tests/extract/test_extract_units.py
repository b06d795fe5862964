"""Each extraction step on small hand-written fixtures (fictional letters): decoding, normalisation,
header pairing, decision-line quirks, guidelines, reviewer, patient and program detection."""

from __future__ import annotations

import datetime as dt

import pytest

from imr.errors import NotImrLetterError, UnresolvedItemError
from imr.extract.dates import parse_date
from imr.extract.document import BREAK
from imr.extract.entry import extract_bytes
from imr.extract.guidelines import classify, classify_pair
from imr.extract.header import header_from_lines
from imr.extract.items import parse_item_blocks, parse_numbered_decisions, request_from_paragraph
from imr.extract.normalize import remove_running_lines, split_text_pages
from imr.extract.ocr_settings import OCR_SETTINGS
from imr.extract.patient import parse_patient
from imr.extract.pdf_text import Word, pair_header
from imr.extract.program import check_program
from imr.extract.reviewer import parse_reviewer
from imr.extract.text_decode import decode_text
from tests.helpers import assert_settings_validate

LETTER = """Case Number: CM15-0123456
Date Assigned: 03/02/2015 Date of Injury: 01/15/2014
Decision Date: 04/01/2015 UR Denial Date: 02/10/2015
Priority: Expedited Application Received: 02/20/2015

HOW THE IMR FINAL DETERMINATION WAS MADE
An expert reviewer with no ties to the parties reviewed the file.
The Expert Reviewer has the following credentials:
State(s) of Licensure: California,Nevada
Certification(s)/Specialty: Public Health &
General Preventive Medicine, Occupational Medicine

CLINICAL CASE SUMMARY
The injured worker is a 41 year old female bus driver who hurt her back at work.

IMR ISSUES, DECISIONS AND RATIONALES
The Final Determination was based on decisions for the disputed items/services set forth below:

Associated surgical service: Hip pad: Upheld
Claims Administrator guideline: The Claims Administrator did not cite any medical evidence for its decision.
MAXIMUS guideline: Decision based on MTUS Low Back Complaints 2004, Section(s): Surgical Considerations.
Decision rationale: The guideline says for a strain the physical medicine treatment: Recommended
only after a trial. The pad is not medically necessary.

Physical therapy 2 times a week for 4 weeks for the lumbar spine, hip and foot:
Overturned
Claims Administrator guideline: Decision based on Non-MTUS Citation Official Disability Guidelines (ODG), Low Back.
MAXIMUS guideline: Decision based on MTUS Low Back Complaints 2004. Decision based on Non-MTUS Citation ODG.
Decision rationale: Therapy is supported here. The request is medically necessary.
"""


def test_full_text_letter() -> None:
    rec = extract_bytes(LETTER.encode(), "x.txt")
    assert rec.status == "parsed", rec.errors
    assert rec.letter is not None
    L = rec.letter
    assert L.case_number == "CM15-0123456"
    assert (L.date_assigned, L.date_of_injury, L.decision_date) == (
        dt.date(2015, 3, 2),
        dt.date(2014, 1, 15),
        dt.date(2015, 4, 1),
    )
    assert L.ur_denial_date == dt.date(2015, 2, 10) and L.application_received == dt.date(2015, 2, 20)
    assert L.priority == "expedited" and L.layout == "D2"
    assert L.reviewer.licensure_states == ["California", "Nevada"]
    assert L.reviewer.specialties == ["Public Health & General Preventive Medicine", "Occupational Medicine"]
    assert (L.patient.age, L.patient.sex) == (41, "female")
    assert [(i.request, i.decision) for i in L.items] == [
        ("Associated surgical service: Hip pad", "upheld"),
        ("Physical therapy 2 times a week for 4 weeks for the lumbar spine, hip and foot", "overturned"),
    ]
    assert L.outcome == "partially_overturned"
    assert [i.claims_administrator_guideline.source for i in L.items] == ["none", "non_mtus"]
    assert [i.reviewer_guideline.source for i in L.items] == ["mtus", "mtus_and_non_mtus"]
    assert L.items[0].rationale is not None and L.items[0].rationale.endswith("not medically necessary.")


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("cp1252", b""), ("latin-1", b"")],
)
def test_encodings_and_line_ends(encoding: str, prefix: bytes) -> None:
    text = LETTER.replace("bus driver", "bus driver (40° bend, caf\u00e9 shift)")
    for newline in ("\n", "\r\n"):
        data = prefix + text.replace("\n", newline).encode(encoding)
        rec = extract_bytes(data, "x.txt")
        assert rec.status == "parsed" and rec.letter is not None
        assert len(rec.letter.items) == 2


def test_seed_style_double_spacing_with_trailing_spaces() -> None:
    doubled = "\n".join(line + " \n" if line else " \n" for line in LETTER.split("\n"))
    pages = split_text_pages(decode_text(doubled.encode()))
    assert pages[0][0] == "Case Number: CM15-0123456"
    rec = extract_bytes(doubled.encode(), "x.txt")
    assert rec.letter is not None and [i.decision for i in rec.letter.items] == ["upheld", "overturned"]


def test_binary_text_is_rejected() -> None:
    rec = extract_bytes(bytes(range(256)) * 8, "x.txt")
    assert rec.status == "rejected" and rec.errors[0].code == "undecodable_text"


def test_running_headers_footers_and_page_numbers_are_removed() -> None:
    pages = [
        ["ACME REVIEW LETTERHEAD Case CM15-0123456", "Body line one", "Body two", "Page 1 of 3"],
        ["ACME REVIEW LETTERHEAD Case CM15-0123456", "Body three", "more", "Page 2 of 3"],
        ["ACME REVIEW LETTERHEAD Case CM15-0123456", "Body four", "end", "- 3 -"],
    ]
    out = remove_running_lines(pages)
    assert out == [["Body line one", "Body two"], ["Body three", "more"], ["Body four", "end"]]


def test_repeated_guideline_lines_at_page_edges_are_kept() -> None:
    line = "Claims Administrator guideline: The Claims Administrator did not cite any medical evidence"
    pages = [["a", "b", line], [line, "c", "d"], ["e", line, "f"]]
    assert sum(p.count(line) for p in remove_running_lines(pages)) == 3


def _w(text: str, x0: float, top: float) -> Word:
    return Word(text, x0, x0 + 6.0 * len(text), top, top + 12.0)


def test_header_pairs_labels_and_values_by_position() -> None:
    """Labels and values of the two-column header, given in extractor order (labels first)."""
    words = [
        _w("Case", 72, 72), _w("Number:", 102, 72),
        _w("Date", 72, 86), _w("Assigned:", 102, 86), _w("Date", 320, 86), _w("of", 350, 86), _w("Injury:", 364, 86),
        _w("Priority:", 72, 100), _w("Application", 320, 100), _w("Received:", 320, 114),
        # values, emitted after all labels
        _w("CM16-0000001", 180, 72), _w("11/09/2016", 180, 86), _w("10/13/2016", 430, 86),
        _w("Standard", 180, 100), _w("11/03/2016", 430, 100),
        _w("HOW", 72, 150), _w("THE", 100, 150), _w("IMR", 130, 150),
    ]  # fmt: skip
    assert pair_header(words) == {
        "Case Number": "CM16-0000001",
        "Date Assigned": "11/09/2016",
        "Date of Injury": "10/13/2016",
        "Priority": "Standard",
        "Application Received": "11/03/2016",
    }
    # OCR'd line boxes touch: the wrapped label's second word starts where the first line ends
    touching = [_w("Application", 320, 100), _w("Received:", 320, 112), _w("11/03/2016", 430, 100)]
    assert pair_header(touching) == {"Application Received": "11/03/2016"}


def test_text_header_with_labels_first_then_values() -> None:
    lines = [
        "Case Number:", "Date Assigned:", "Date of Injury:", "Decision Date:", "UR Denial Date:", "Priority:",
        "Application Received:", "CM16-0213037", "11/09/2016", "10/13/2016", "12/09/2016", "11/03/2016",
        "Standard", "11/04/2016",
    ]  # fmt: skip
    h = header_from_lines(lines)
    assert h.case_number == "CM16-0213037"
    assert h.decision_date == dt.date(2016, 12, 9) and h.application_received == dt.date(2016, 11, 4)
    assert h.priority == "standard"


def test_wrapped_application_received_label() -> None:
    h = header_from_lines(["Priority: Standard Application 12/01/2016", "Received:"])
    assert h.application_received == dt.date(2016, 12, 1) and h.priority == "standard"


@pytest.mark.parametrize(
    ("para", "expected"),
    [
        ("MRI of the left knee: Upheld", ("MRI of the left knee", "upheld")),
        ("Associated surgical service:  Labs - CBC:  Overturned",
         ("Associated surgical service:  Labs - CBC", "overturned")),
        ("Retrospective Cyclobenzaprine 5mg tab #30 DOS: 11/14/16: Upheld",
         ("Retrospective Cyclobenzaprine 5mg tab #30 DOS: 11/14/16", "upheld")),
        ("Norco 10/325mg #60 was the original request. Norco 10/325mg #25 was authorized by the Claims "
         "Administrator. The remaining IMR eligible portion of the original request, Norco 10/325mg #35 is: Upheld",
         ("Norco 10/325mg #35", "upheld")),
        ("A shower chair was the original request. The Claims Administrator authorized a rental, leaving the "
         "original request IMR eligible. The original request, purchase of a shower chair is: Overturned",
         ("purchase of a shower chair", "overturned")),
        ("MRI of the hip and foot:\nUpheld", ("MRI of the hip and foot", "upheld")),
        ("MRI of the hip", None),
        ("physical medicine treatment: Recommended", None),
    ],
)  # fmt: skip
def test_decision_paragraphs(para: str, expected: tuple[str, str] | None) -> None:
    got = request_from_paragraph(para)
    if expected is None:
        assert got is None
    else:
        assert got is not None
        assert (" ".join(got[0].split()), got[1]) == (" ".join(expected[0].split()), expected[1])


def test_item_without_decision_is_unresolved_never_guessed() -> None:
    lines = [
        "set forth below:", BREAK, "Acupuncture six visits:", "Claims Administrator guideline: x",
        "MAXIMUS guideline: y", "Decision rationale: The request is not medically necessary.",
    ]  # fmt: skip
    with pytest.raises(UnresolvedItemError):
        parse_item_blocks(lines)


def test_layout_a_numbered_decisions() -> None:
    lines = [
        "1) MAXIMUS Federal Services, Inc. has determined the request for a 28 day functional restoration",
        "program is notmedically necessary and appropriate.",
        "2) MAXIMUS Federal Services, Inc. has determined the request for 6 chiropractic visits is medically",
        "necessary and appropriate.",
    ]
    items = parse_numbered_decisions(lines)
    assert [(i.request, i.decision) for i in items] == [
        ("a 28 day functional restoration program", "upheld"),
        ("6 chiropractic visits", "overturned"),
    ]


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("Decision based on MTUS Shoulder Complaints 2004, Section(s): Special Studies.", "mtus"),
        ("The Claims Administrator based their decision on recommendation(s) outside of the MTUS Guidelines. "
         "Decision based on Non-MTUS Citation Official Disability Guidelines (ODG), Pain.", "non_mtus"),
        ("Decision based on MTUS Chronic Pain Medical Treatment 2016. Decision based on Non-MTUS Citation ODG.",
         "mtus_and_non_mtus"),
        ("The Expert Reviewer did not cite any medical evidence for its decision.", "none"),
        ("Decision based on MTUS Acupuncture Treatment Guidelines.", "mtus"),
        (None, None),
    ],
)  # fmt: skip
def test_guideline_classes(text: str | None, source: str | None) -> None:
    assert classify(text).source == source


_CA_MTUS = "The Claims Administrator based its decision on the Chronic Pain Guidelines, part of the MTUS."


@pytest.mark.parametrize(
    ("ca", "mx", "source"),
    [
        # older letters: the reviewer adopts the Claims Administrator's guidelines
        (_CA_MTUS, "The Expert Reviewer found the guidelines used by the Claims Administrator appropriate and "
                   "relevant to the issue at dispute.", "mtus"),
        ("Decision based on Non-MTUS Citation ODG, Pain.", "The Expert Reviewer found the guideline(s) cited by the "
         "Claims Administrator relevant.", "non_mtus"),
        # ... or rejects them, or the Claims Administrator cited nothing: no source to take
        (_CA_MTUS, "The Expert Reviewer did not find the guidelines used by the Claims Administrator relevant.", None),
        (_CA_MTUS, "The Expert Reviewer found the guidelines used by the Claims Administrator inappropriate.", None),
        ("The Claims Administrator did not cite any medical evidence for its decision.",
         "The Expert Reviewer found the guidelines used by the Claims Administrator appropriate.", None),
        # a line that cites its own keeps its own class
        (_CA_MTUS, "The Expert Reviewer based his/her decision on the Official Disability Guidelines.", "non_mtus"),
    ],
)  # fmt: skip
def test_reviewer_line_adopting_the_claims_administrators_guidelines(ca: str, mx: str, source: str | None) -> None:
    ca_line, mx_line = classify_pair(ca, mx)
    assert ca_line == classify(ca)
    assert (mx_line.source, mx_line.text) == (source, mx)


def test_reviewer_sentence_forms() -> None:
    r = parse_reviewer(["The expert reviewer is Board Certified in Physical Medicine and Rehabilitation and is",
                        "licensed to practice in California. He/she has been in practice."])  # fmt: skip
    assert r.specialties == ["Physical Medicine and Rehabilitation"] and r.licensure_states == ["California"]
    r2 = parse_reviewer(
        ["State(s) of Licensure: CA, TX", "Certification(s)/Specialty: Chiropractor, Oriental Medicine"]
    )
    assert r2.licensure_states == ["California", "Texas"] and r2.specialties == ["Chiropractor", "Oriental Medicine"]


@pytest.mark.parametrize(
    ("summary", "age", "sex"),
    [
        ("The injured worker is a 48 year old male who fell.", 48, "male"),
        ("This case involves a now 52-year-old woman injured at work.", 52, "female"),
        ("This home health aide sustained an injury on 8/1/13.", None, None),
    ],
)
def test_patient(summary: str, age: int | None, sex: str | None) -> None:
    p = parse_patient(summary)
    assert (p.age, p.sex) == (age, sex)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10/13/2016", dt.date(2016, 10, 13)),
        ("10-13-16", dt.date(2016, 10, 13)),
        ("December 15, 2016", dt.date(2016, 12, 15)),
        ("9-9-99", dt.date(1999, 9, 9)),
        ("13/45/2016", None),
        ("no date", None),
    ],
)
def test_dates(text: str, expected: dt.date | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Department of Managed Health Care Independent Medical Review. The health plan's denial should be "
         "overturned. MAXIMUS Federal Services reviewed the enrollee's request.", "other_program"),
        ("UTILIZATION REVIEW DETERMINATION. Request for authorization non-certified. You may apply for "
         "Independent Medical Review.", "utilization_review"),
        ("Dear customer, thank you for your order.", "not_imr_letter"),
    ],
)  # fmt: skip
def test_program_detection(text: str, code: str) -> None:
    with pytest.raises(NotImrLetterError) as info:
        check_program(text)
    assert info.value.code == code


def test_ocr_settings_validate_themselves() -> None:
    assert_settings_validate(
        OCR_SETTINGS,
        [
            ({"decision_min_conf": 170}, ValueError, "decision_min_conf must be a Tesseract confidence"),
            ({"render_dpi": 0}, ValueError, "render_dpi must be positive"),
            ({"ink_min_share": 5}, ValueError, "ink_min_share must be a share"),
            ({"ink_level": 300}, ValueError, "ink_level must be a grey level"),
            ({"page_timeout_seconds": float("nan")}, ValueError, "page_timeout_seconds must be a non-negative number"),
            ({"despeckle_size": 4}, ValueError, "despeckle_size must be odd"),
            ({"rule_min_run": 20.5}, TypeError, "rule_min_run must be an integer"),
            ({"line_merge_ratio": "0.4"}, TypeError, "line_merge_ratio must be a number"),
        ],
    )
