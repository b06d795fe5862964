"""Older layouts and mailed copies: hand-written (fictional) letters for each known miss, and the
synthetic generator's variants of them (HardCases.older) in text and PDF."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from imr.extract.entry import extract_bytes, read_document
from imr.extract.normalize import remove_inline_furniture
from imr.synth import LAYOUTS, HardCases, generate_letter, render_text
from imr.synth.pdf_render import PdfOptions, render_pdf_counted
from tests.helpers import compare_to_gold

C_NUMBERED = """MAXIMUS FEDERAL SERVICES, INC.
Independent Medical Review
Final Determination Letter
Case Number: CM15-0101010
Date Assigned: 03/02/2015
Date of Injury: 06/11/2013
Decision Date: 04/01/2015
Priority: Standard
Application Received: 02/20/2015
UR Denial Date: 02/12/2015

HOW THE IMR FINAL DETERMINATION WAS MADE
MAXIMUS Federal Services sent the case file to an expert reviewer. The expert reviewer is Board
Certified in Orthopaedic Surgery and is licensed to practice in California.

DOCUMENTS REVIEWED
1. Application for Independent Medical Review, received 02/20/2015
2. Utilization Review Determination, dated 02/12/2015

CLINICAL CASE SUMMARY
The injured worker is a 51 year old female who sustained an industrial injury on 06/11/2013.
On 02/12/2015, utilization review non-certified physical therapy and naproxen.

IMR DECISION(S) AND RATIONALE(S)
The Final Determination was based on decisions for the disputed items/services set forth below:
1. Physical therapy 2 times a week for 4 weeks for the lumbar spine is not medically necessary
and appropriate.
{labels1}The notes record twenty earlier visits without a measured gain. The request for physical
therapy is not medically necessary.
2. Naproxen 550mg #60 is medically necessary and appropriate.
{labels2}The worker reports better sitting tolerance with the drug. The request for naproxen is
medically necessary.
"""
LABELS1 = """Claims Administrator guideline: Decision based on MTUS Low Back Complaints 2004.
MAXIMUS guideline: Decision based on MTUS Low Back Complaints 2004, Section(s): Physical Methods.
Decision rationale: """
LABELS2 = """Claims Administrator guideline: The Claims Administrator did not cite any medical evidence for
its decision.
MAXIMUS guideline: Decision based on MTUS Chronic Pain Medical Treatment 2009, Section(s): NSAIDs.
Decision rationale: """


@pytest.mark.parametrize("labelled", [True, False])
def test_layout_c_numbered_necessity_decisions(labelled: bool) -> None:
    text = C_NUMBERED.format(labels1=LABELS1 if labelled else "", labels2=LABELS2 if labelled else "")
    rec = extract_bytes(text.encode(), "c.txt")
    assert rec.status == "parsed", rec.errors
    letter = rec.letter
    assert letter is not None and letter.layout == "C"
    assert [(i.request, i.decision) for i in letter.items] == [
        ("Physical therapy 2 times a week for 4 weeks for the lumbar spine", "upheld"),
        ("Naproxen 550mg #60", "overturned"),
    ]
    assert letter.outcome == "partially_overturned" and letter.patient.age == 51
    if labelled:
        assert [i.claims_administrator_guideline.source for i in letter.items] == ["mtus", "none"]
        assert [i.reviewer_guideline.source for i in letter.items] == ["mtus", "mtus"]


def test_layout_c_numbered_list_then_one_block_per_item() -> None:
    """The numbered decisions listed first, then the label lines of each item in the same order."""
    head, _, _ = C_NUMBERED.partition("1. Physical therapy")
    text = head + (
        "1. Physical therapy 2 times a week for 4 weeks is not medically necessary and appropriate.\n"
        "2. Naproxen 550mg #60 is medically necessary and appropriate.\n\n"
        + LABELS1
        + "No measured gain is recorded. Physical therapy is not medically necessary.\n"
        + LABELS2
        + "Sitting tolerance improved. Naproxen is medically necessary.\n"
    )
    rec = extract_bytes(text.encode(), "c.txt")
    assert rec.letter is not None, rec.errors
    assert [(i.request, i.decision) for i in rec.letter.items] == [
        ("Physical therapy 2 times a week for 4 weeks", "upheld"),
        ("Naproxen 550mg #60", "overturned"),
    ]
    assert [i.claims_administrator_guideline.source for i in rec.letter.items] == ["mtus", "none"]


def test_layout_a_header_block_of_a_party_copy() -> None:
    """A copy sent to a party carries a header block with its own labels."""
    block = (
        "MAXIMUS Case Number: CM13-0014880\nDate of UR Decision: 9/3/2013\nDate of Injury: 2/14/2011\n"
        "IMR Application Received: 9/16/2013\n\n"
    )
    text = A_QUOTED.format(summary_heading="Case Summary:\n").replace(
        "Dated: 10/28/2013\n", "Dated: 10/28/2013\n" + block
    )
    rec = extract_bytes(text.encode(), "a.txt")
    letter = rec.letter
    assert letter is not None, rec.errors
    assert letter.case_number == "CM13-0014880" and letter.ur_denial_date == dt.date(2013, 9, 3)
    assert letter.date_of_injury == dt.date(2011, 2, 14) and letter.application_received == dt.date(2013, 9, 16)


def test_layout_a_decisions_numbered_with_periods() -> None:
    text = A_QUOTED.format(summary_heading="Case Summary:\n").replace("1) MAXIMUS", "1. MAXIMUS")
    text = text.replace("2) MAXIMUS", "2. MAXIMUS")
    rec = extract_bytes(text.encode(), "a.txt")
    assert rec.letter is not None, rec.errors
    assert [i.decision for i in rec.letter.items] == ["upheld", "overturned"]


A_QUOTED = """MAXIMUS FEDERAL SERVICES, INC.
Notice of Independent Medical Review Determination
Dated: 10/28/2013

1) MAXIMUS Federal Services, Inc. has determined the request for a 28 day functional restoration
program is notmedically necessary and appropriate.
2) MAXIMUS Federal Services, Inc. has determined the request for 12 sessions of aquatic therapy is
medically necessary and appropriate.

INDEPENDENT MEDICAL REVIEW DECISION AND RATIONALE
An application for Independent Medical Review was filed on 9/16/2013 disputing the Utilization
Review Denial dated 9/3/2013. A Notice of Assignment and Request for Information was provided to
the above parties on 10/1/2013.
1) MAXIMUS Federal Services, Inc. has determined the request for a 28 day functional restoration
program is notmedically necessary and appropriate.
2) MAXIMUS Federal Services, Inc. has determined the request for 12 sessions of aquatic therapy is
medically necessary and appropriate.

Medical Qualifications of the Expert Reviewer:
The physician reviewer is Board Certified in Physical Medicine and Rehabilitation and is licensed
to practice in California.

{summary_heading}Disclaimer: The following case summary was taken directly from the utilization review
denial/modification dated September 3, 2013.
"The patient is a 47 y/o male who reported an industrial injury on 2/14/2011. He complains of
low back pain radiating to the left leg. Diagnoses include lumbar disc displacement."

1) Regarding the request for a 28 day functional restoration program:
Medical Treatment Guideline(s) Relied Upon by the Claims Administrator:
The Claims Administrator based its decision on the MTUS Chronic Pain Medical Treatment
Guidelines, Functional Restoration Programs, pages 30-32.
Medical Treatment Guideline(s) Relied Upon by the Expert Reviewer:
The Expert Reviewer based his/her decision on the MTUS Chronic Pain Medical Treatment Guidelines
and on the Official Disability Guidelines (ODG), Pain Chapter.
Rationale for the Decision:
The records do not show a baseline functional evaluation. The program is not medically necessary.

2) Regarding the request for 12 sessions of aquatic therapy:
Medical Treatment Guideline(s) Relied Upon by the Claims Administrator:
The Claims Administrator did not cite any evidence-based guidelines for its decision.
Medical Treatment Guideline(s) Relied Upon by the Expert Reviewer:
The Expert Reviewer based his/her decision on the Official Disability Guidelines (ODG), Low Back
Chapter, a guideline outside of the MTUS.
Rationale for the Decision:
Reduced weight bearing is documented. The aquatic therapy is medically necessary.
"""


@pytest.mark.parametrize("summary_heading", ["", "Case Summary:\n", "Expert Reviewer Case Summary:\n"])
def test_layout_a_quoted_summary_and_item_guideline_sections(summary_heading: str) -> None:
    rec = extract_bytes(A_QUOTED.format(summary_heading=summary_heading).encode(), "a.txt")
    assert rec.status == "parsed", rec.errors
    letter = rec.letter
    assert letter is not None and letter.layout == "A"
    assert letter.date_of_injury == dt.date(2011, 2, 14)
    assert letter.decision_date == dt.date(2013, 10, 28) and letter.ur_denial_date == dt.date(2013, 9, 3)
    assert letter.application_received == dt.date(2013, 9, 16) and letter.date_assigned == dt.date(2013, 10, 1)
    assert (letter.patient.age, letter.patient.sex) == (47, "male")
    assert letter.reviewer.specialties == ["Physical Medicine and Rehabilitation"]
    assert [i.decision for i in letter.items] == ["upheld", "overturned"]
    assert [i.claims_administrator_guideline.source for i in letter.items] == ["mtus", "none"]
    assert [i.reviewer_guideline.source for i in letter.items] == ["mtus_and_non_mtus", "non_mtus"]
    assert letter.items[1].rationale is not None and letter.items[1].rationale.startswith("Reduced weight")


def _furnished_pages(page_break: str) -> str:
    head = [
        "MAXIMUS FEDERAL SERVICES, INC.",
        "P.O. Box 100003, Sacramento, CA 95800-0003",
        "Independent Medical Review Final Determination   CM16-0202020",
        "",
    ]
    pages = [
        ["Case Number: CM16-0202020", "Date Assigned: 11/09/2016  Date of Injury: 10/13/2015",
         "Decision Date: 12/09/2016  UR Denial Date: 11/03/2016",
         "Priority: Standard  Application Received: 11/04/2016", "",
         "HOW THE IMR FINAL DETERMINATION WAS MADE",
         "MAXIMUS Federal Services sent the case file to an expert reviewer.", "",
         "The Expert Reviewer has the following credentials:", "State(s) of Licensure: California,"],
        ["Nevada,Oregon", "Certification(s)/Specialty: Internal Medicine, Public Health &",
         "General Preventive Medicine", "", "CLINICAL CASE SUMMARY",
         "The expert reviewer developed the following clinical case summary:",
         "The injured worker is a 48"],
        ["year old male who sustained an injury on 10/13/2015.", "",
         "IMR ISSUES, DECISIONS AND RATIONALES",
         "The Final Determination was based on decisions for the disputed items/services set forth below:", "",
         "MRI of the lumbar spine without contrast: Upheld",
         "Claims Administrator guideline: Decision based on MTUS Low Back Complaints 2004.",
         "MAXIMUS guideline: Decision based on MTUS Low Back Complaints 2004, Section(s): Special Studies.",
         "Decision rationale: No red flags are recorded. The MRI is not medically necessary. The sessions",
         "already certified remain as authorized by the Claims Administrator.",
         "Norco 10/325mg #60: Overturned",
         "Claims Administrator guideline: The Claims Administrator did not cite any medical evidence for",
         "its decision.",
         "MAXIMUS guideline: Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): Opioids.",
         "Decision rationale: Function improved. The request for Norco is medically necessary."],
    ]  # fmt: skip
    out: list[str] = []
    for n, body in enumerate(pages, start=1):
        out += [*head, *body, "", f"Page {n} of {len(pages)}"]
        if n < len(pages):
            out.append(page_break)
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("page_break", ["\f", "", "\n\n"], ids=["form_feed", "lost", "blank_lines"])
def test_letterhead_running_header_and_footers_are_removed(page_break: str) -> None:
    rec = extract_bytes(_furnished_pages(page_break).encode(), "f.txt")
    assert rec.status == "parsed", rec.errors
    letter = rec.letter
    assert letter is not None and letter.case_number == "CM16-0202020"
    assert letter.reviewer.licensure_states == ["California", "Nevada", "Oregon"]
    assert letter.reviewer.specialties == ["Internal Medicine", "Public Health & General Preventive Medicine"]
    assert (letter.patient.age, letter.patient.sex) == (48, "male")
    assert letter.date_of_injury == dt.date(2015, 10, 13)
    # the rationale's last sentence ends '... by the Claims Administrator.': the next request
    # starts at its own line
    assert [(i.request, i.decision) for i in letter.items] == [
        ("MRI of the lumbar spine without contrast", "upheld"),
        ("Norco 10/325mg #60", "overturned"),
    ]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_synthetic_older_variants_extract_exactly(layout: str) -> None:
    diffs: list[str] = []
    features: set[str] = set()
    for seed in range(6):
        synthetic = generate_letter(seed * 11 + 3, layout=layout, hard=HardCases.older())
        features |= synthetic.features
        renderings = [(render_text(synthetic, v), "text/plain", None, "x.txt") for v in ("lf", "seed")]
        pdf, pages = render_pdf_counted(synthetic, PdfOptions(encrypt=True, seed=seed))
        renderings.append((pdf, "application/pdf", pages, "x.pdf"))
        for data, media, count, name in renderings:
            gold = synthetic.record(path=name, data=data, media_type=media, pages=count).to_dict()  # type: ignore[arg-type]
            diffs += [f"{seed}/{media}: {d}" for d in compare_to_gold(extract_bytes(data, name).to_dict(), gold)]
    assert diffs == []
    assert "page_furniture" in features
    expected = {"A": {"item_sections", "quoted_summary"}, "C": {"numbered_decisions"}}.get(layout, set())
    assert expected <= features


@pytest.mark.corpus
@pytest.mark.parametrize("page_break", ["\f", ""], ids=["form_feed", "lost"])
def test_real_letters_with_page_furniture_read_as_without(real_dir: Path, page_break: str) -> None:
    """Each real letter's text, dressed in memory as a mailed copy (a letterhead, a running header
    with the case number and 'Page N of M' on every page), gives the same letter as the PDF."""
    differ: list[str] = []
    for pdf in sorted((real_dir / "pdf").glob("*.pdf")):
        data = pdf.read_bytes()
        reference = extract_bytes(data, pdf.name)
        assert reference.letter is not None
        pages = read_document(data, "application/pdf", "pdfium").pages
        lines: list[str] = []
        for n, page in enumerate(pages, start=1):
            top = ["MAXIMUS FEDERAL SERVICES, INC.", "P.O. Box 100004, Sacramento, CA 95800"] if n == 1 or n % 2 else []
            running = f"Independent Medical Review Final Determination   {reference.letter.case_number}"
            lines += [*top, running, "", *page, "", f"Page {n} of {len(pages)}"]
            if n < len(pages):
                lines.append(page_break)
        dressed = extract_bytes("\n".join(lines).encode(), pdf.name + ".txt")
        if dressed.letter is None or dressed.letter.to_dict() != reference.letter.to_dict():
            differ.append(pdf.name)
    assert differ == []


def test_inline_furniture_never_takes_a_wrapped_decision_word() -> None:
    pages = [[
        "Knee MRI:", "Page 1 of 2", "Independent Medical Review Final Determination CM16-0000001", "Upheld",
        "Claims Administrator guideline: none cited.", "Hip MRI:", "Page 2 of 2",
        "Independent Medical Review Final Determination CM16-0000001", "Upheld",
    ]]  # fmt: skip
    assert remove_inline_furniture(pages) == [
        ["Knee MRI:", "Upheld", "Claims Administrator guideline: none cited.", "Hip MRI:", "Upheld"]
    ]
