"""Inputs an extractor must reject, each with the reason code it should give.

Look-alike letters (DMHC and CDI health-plan reviews) deliberately use the Upheld/Overturned
vocabulary; the utilization review letter talks about IMR; the unresolved D2 letter is a real
layout whose item lost its decision word. All names and wording are invented.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace

from fpdf import FPDF

from imr.models import LetterRecord, MediaType, RecordError, Source
from imr.synth.content import Block, HardCases
from imr.synth.generator import generate_letter
from imr.synth.pdf_render import PdfOptions, render_pdf_counted
from imr.synth.text_render import render_text
from imr.synth.vocabulary import FICTIONAL_INSURERS, FICTIONAL_PLANS, FICTIONAL_UR_FIRMS

MESSAGES: dict[str, str] = {
    "other_program": "an IMR decision of another program (DMHC/CDI health-plan review)",
    "utilization_review": "a utilization review letter, not an IMR final determination",
    "not_imr_letter": "not a DWC IMR final determination letter",
    "empty_file": "the file is empty",
    "pdf_corrupt": "the PDF cannot be parsed",
    "pdf_no_text": "the PDF has no text layer",
    "pdf_password": "the PDF needs a password to open",
    "unresolved_item": "an item has no decision word",
    "several_letters": "the file holds two letters or more",
}


@dataclass(frozen=True)
class BadInput:
    """One rejection case: file name, bytes and the expected reason code."""

    name: str
    data: bytes
    code: str
    media_type: MediaType
    pages: int | None = None

    def record(self, path: str | None = None) -> LetterRecord:
        """The gold record: status rejected, no letter, one error with ``code``."""
        source = Source(
            path=path or self.name,
            sha256=hashlib.sha256(self.data).hexdigest(),
            media_type=self.media_type,
            pages=self.pages,
        )
        return LetterRecord(
            source=source, status="rejected", errors=[RecordError(self.code, MESSAGES[self.code])], letter=None
        )


#: The look-alike and unrelated texts; ``{...}`` marks what the functions below draw from their rng.
DMHC_LETTER = """\
MAXIMUS Federal Services
Independent Medical Review - Final Determination
California Department of Managed Health Care (DMHC) Help Center
Health Plan: {plan}
Reference No. IMR-{reference}

ISSUE AT DISPUTE:
The enrollee asked whether the health plan must cover an MRI of the lumbar spine.

FINDINGS:
The physician reviewer found that the requested imaging is medically necessary for this enrollee.
The Health Plan's denial should be overturned. Decision: Overturned

A second service, a course of physical therapy, was also reviewed: Upheld
The DMHC will notify the health plan to implement this decision within five working days.
"""

CDI_LETTER = """\
Independent Medical Review Determination
California Department of Insurance - Consumer Services Division
Insurer: {insurer}

The reviewer considered whether an outpatient knee arthroscopy is medically necessary.
Determination: The Health Insurer's denial should be overturned.
Arthroscopy of the right knee: Overturned
Under the Insurance Code the insurer must promptly authorize the service.
"""

UR_LETTER = """\
{firm}
UTILIZATION REVIEW DETERMINATION - NOTICE OF NON-CERTIFICATION

Request received: 03/02/2016      Decision: Non-certified
Requested service: Acupuncture 12 sessions for the lumbar spine
Reviewer: physician advisor, Physical Medicine and Rehabilitation

The request is not certified because the MTUS acupuncture guidance supports an initial trial of
three to six visits. If you disagree with this decision you may ask for Independent Medical
Review by sending the Application for Independent Medical Review (DWC Form IMR) within 30 days.
"""

UNRELATED_TEXT = """\
Office notice: {topic} rota for next month

Please sign up for a slot on the sheet by the front desk. Each team covers one week.
Reminder: the quarterly planning meeting moves to Thursday at 10:00.
Thanks, Facilities
"""


def dmhc_letter(rng: random.Random) -> str:
    """A DMHC health-plan IMR look-alike (code ``other_program``)."""
    plan = rng.choice(FICTIONAL_PLANS)
    return DMHC_LETTER.format(plan=plan, reference=rng.randint(100000, 999999))


def cdi_letter(rng: random.Random) -> str:
    """A California Department of Insurance IMR look-alike (code ``other_program``)."""
    return CDI_LETTER.format(insurer=rng.choice(FICTIONAL_INSURERS))


def ur_letter(rng: random.Random) -> str:
    """A utilization review non-certification (code ``utilization_review``)."""
    return UR_LETTER.format(firm=rng.choice(FICTIONAL_UR_FIRMS))


def unrelated_text(rng: random.Random) -> str:
    """A harmless unrelated document (code ``not_imr_letter``)."""
    return UNRELATED_TEXT.format(topic=rng.choice(("parking", "kitchen", "printer")))


def image_only_pdf(rng: random.Random) -> bytes:
    """A one-page PDF of shapes and a bitmap that imitates a scan: no text layer (``pdf_no_text``)."""
    from PIL import Image, ImageDraw

    img = Image.new("L", (425, 550), 255)
    draw = ImageDraw.Draw(img)
    y = 40
    while y < 510:
        width = rng.randint(200, 360)
        draw.rectangle((32, y, 32 + width, y + 5), fill=rng.randint(60, 120))
        y += rng.choice((12, 12, 12, 24))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    pdf = FPDF(unit="pt", format="letter")
    pdf.set_creation_date(dt.datetime(2016, 12, 1, 12, 0, tzinfo=dt.UTC))
    pdf.add_page()
    pdf.image(buf, x=36, y=36, w=540)
    pdf.set_draw_color(40, 40, 40)
    pdf.rect(30, 30, 552, 732)
    pdf.line(72, 740, 540, 740)
    return bytes(pdf.output())


def bad_inputs(seed: int, formats: Sequence[str] = ("txt", "pdf")) -> list[BadInput]:
    """One file per rejection case (PDF cases only when ``"pdf"`` is in ``formats``)."""
    rng = random.Random(seed)
    cases = [
        BadInput("bad_01_dmhc.txt", dmhc_letter(rng).encode("utf-8"), "other_program", "text/plain"),
        BadInput("bad_02_cdi.txt", cdi_letter(rng).encode("utf-8"), "other_program", "text/plain"),
        BadInput("bad_03_ur_letter.txt", ur_letter(rng).encode("utf-8"), "utilization_review", "text/plain"),
        BadInput("bad_04_unrelated.txt", unrelated_text(rng).encode("utf-8"), "not_imr_letter", "text/plain"),
        BadInput("bad_05_empty.txt", b"", "empty_file", "text/plain"),
        BadInput("bad_06_unresolved.txt", unresolved_letter(rng.getrandbits(32)), "unresolved_item", "text/plain"),
    ]
    if "pdf" in formats:
        letter = generate_letter(rng.getrandbits(32), layout="D2", hard=HardCases.none())
        good, _ = render_pdf_counted(letter, PdfOptions())
        locked, _ = render_pdf_counted(letter, PdfOptions(user_password="imr-secret", seed=seed))
        cases += [
            BadInput("bad_07_random.pdf", rng.randbytes(2048), "pdf_corrupt", "application/pdf"),
            BadInput("bad_08_truncated.pdf", good[: len(good) // 3], "pdf_corrupt", "application/pdf"),
            BadInput("bad_09_image_only.pdf", image_only_pdf(rng), "pdf_no_text", "application/pdf", 1),
            BadInput("bad_10_password.pdf", locked, "pdf_password", "application/pdf"),
        ]
    # drawn from ``seed`` alone, so the cases above stay as they were with or without PDFs
    cases.append(BadInput("bad_11_two_letters.txt", two_letters(seed), "several_letters", "text/plain"))
    return cases


def two_letters(seed: int) -> bytes:
    """Two letters of different cases in one file, as a stack scanned or faxed together
    (``several_letters``)."""
    rng = random.Random(seed)
    first = generate_letter(rng.getrandbits(32), layout=rng.choice(("D1", "D2", "C")), hard=HardCases.none())
    second = generate_letter(rng.getrandbits(32), layout=rng.choice(("D1", "D2", "C")), hard=HardCases.none())
    return render_text(first, "lf") + b"\n\n\n" + render_text(second, "lf")


def unresolved_letter(seed: int) -> bytes:
    """A D2 letter whose first item line lost its decision word (``unresolved_item``)."""
    letter = generate_letter(seed, layout="D2", hard=HardCases.none())
    blocks: list[Block] = []
    done = False
    for block in letter.blocks:
        if block.kind == "item_line" and not done:
            block = replace(block, label="", split_at=None)
            done = True
        blocks.append(block)
    letter.blocks = blocks
    return render_text(letter, "lf")
