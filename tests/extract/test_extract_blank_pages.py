"""Only an image needs OCR (issue 18): a page without a text layer is OCR'd only when it carries
ink. A blank or dusty page beside a text layer is skipped without Tesseract, so a letter whose
text pages hold everything reads the same with and without the ``tesseract`` program; a page with
ink and no text layer still needs the engine (``ocr_failed`` without it).

Tesseract is hidden the way the extractor finds it: :func:`imr.extract.ocr.ocr_image` runs the
program by name, looked up on ``PATH``; the tests take away every ``PATH`` folder holding it (in
this process, or in the environment of an ``imr extract`` subprocess). Every PDF is built here
from the project's own synthetic letters; nothing of a real letter is written anywhere."""

from __future__ import annotations

import io
import json
import os
import random
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from imr.extract import ocr
from imr.extract.entry import extract_file
from tests.helpers import assert_contract, compare_to_gold, read_jsonl


def path_without(program: str) -> str:
    """This process's ``PATH`` without the folders that hold ``program``."""
    dirs = os.environ.get("PATH", "").split(os.pathsep)
    return os.pathsep.join(d for d in dirs if d and not (Path(d) / program).exists())


@pytest.fixture(params=["tesseract hidden", "tesseract present"])
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test twice: with ``tesseract`` gone from ``PATH``, and with it (skipped when absent)."""
    if request.param == "tesseract hidden":
        monkeypatch.setenv("PATH", path_without(ocr.TESSERACT))
        assert shutil.which(ocr.TESSERACT) is None, "tesseract is still found: hiding it did not work"
    elif shutil.which(ocr.TESSERACT) is None:
        pytest.skip("tesseract is not installed (make setup)")
    return str(request.param)


@pytest.fixture
def no_tesseract(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", path_without(ocr.TESSERACT))
    assert shutil.which(ocr.TESSERACT) is None, "tesseract is still found: hiding it did not work"


@pytest.fixture
def ocr_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Pixel heights of the page images sent to OCR (the real engine still runs)."""
    calls: list[int] = []
    real = ocr.ocr_image

    def spy(image: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(image.height)
        return real(image, *args, **kwargs)

    monkeypatch.setattr(ocr, "ocr_image", spy)
    return calls


# --------------------------------------------------------------------------- building PDFs


def text_letter(seed: int, layout: str = "D2") -> bytes:
    """A born-digital synthetic letter (text layer on every page)."""
    from imr.synth.content import HardCases
    from imr.synth.generator import generate_letter
    from imr.synth.pdf_render import PdfOptions, render_pdf_counted

    letter = generate_letter(seed, layout=layout, hard=HardCases.none())
    pdf, _ = render_pdf_counted(letter, PdfOptions(footer=True))
    return pdf


def scanned_page(image: Any) -> bytes:
    """A one-page image-only PDF of ``image`` (a 200-dpi greyscale page)."""
    from imr.synth.scanned import images_to_pdf

    return images_to_pdf([image], 200)


def dusty_page(seed: int, speckles: int = 900, paper: int = 255) -> bytes:
    """A scanned blank sheet: the synthetic scanner's speckle, blur and JPEG on paper of shade
    ``paper`` (a duplex back side, an end-of-document page)."""
    from PIL import Image

    from imr.synth.scanned import ScanOptions, degrade

    blank = Image.new("L", (1700, 2200), paper)
    return scanned_page(degrade(blank, random.Random(seed), ScanOptions(speckles_per_page=speckles)))


def specks_page(seed: int) -> bytes:
    """A clean white scan with a few dark specks of dust, one to three pixels wide."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (1700, 2200), 255)
    draw = ImageDraw.Draw(image)
    rng = random.Random(seed)
    for _ in range(12):
        x, y, size = rng.randrange(1700), rng.randrange(2200), rng.choice((0, 1, 2))
        draw.ellipse((x, y, x + size, y + size), fill=rng.randint(0, 80))
    return scanned_page(image)


def inked_page(seed: int) -> bytes:
    """A scanned page that carries a little real ink: one short printed line and no text layer."""
    from fpdf import FPDF

    from imr.synth.scanned import scan_pdf

    pdf = FPDF(unit="pt", format="letter")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    pdf.set_xy(72, 700)
    pdf.cell(200, 12, "Copy for the claims file")
    return scan_pdf(bytes(pdf.output()), seed=seed)


def empty_page() -> bytes:
    """A page with nothing on it at all (no content stream)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    pdf.new_page(612, 792)
    return _saved(pdf)


def insert_page(pdf: bytes, page: bytes, at: int | None = None) -> bytes:
    """``pdf`` with the one-page PDF ``page`` inserted before page ``at`` (None: appended)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf, password="")
    extra = pdfium.PdfDocument(page)
    try:
        doc.import_pages(extra, index=at)
        return _saved(doc)
    finally:
        extra.close()


def _saved(doc: Any) -> bytes:
    buf = io.BytesIO()
    try:
        doc.save(buf)
    finally:
        doc.close()
    return buf.getvalue()


def record(tmp_path: Path, name: str, data: bytes, ocr_mode: str = "auto") -> dict[str, Any]:
    path = tmp_path / name
    path.write_bytes(data)
    rec = extract_file(path, display_path="letter.pdf", ocr=ocr_mode).to_dict()
    assert_contract(rec)
    return rec


def same_reading(with_page: dict[str, Any], without: dict[str, Any]) -> None:
    """The letter with the extra page reads exactly as without it (one more page, other bytes)."""
    assert without["status"] == "parsed", without["errors"]
    assert with_page["status"] == without["status"], with_page["errors"]
    assert with_page["errors"] == without["errors"]
    assert with_page["letter"] == without["letter"]
    assert with_page["source"]["ocr"] is False
    assert with_page["source"]["pages"] == without["source"]["pages"] + 1


BLANKS: dict[str, Callable[[int], bytes]] = {
    "empty page": lambda seed: empty_page(),
    "scanned blank sheet": dusty_page,
    "heavy dust on grey paper": lambda seed: dusty_page(seed, speckles=3000, paper=236),
    "a few specks": specks_page,
}


# --------------------------------------------------------------------------- (a), (b): blank pages are skipped


@pytest.mark.parametrize("kind", sorted(BLANKS))
@pytest.mark.parametrize(("seed", "layout", "at"), [(21, "D2", None), (22, "A", None), (23, "D1", 1)])
def test_a_blank_page_beside_a_text_layer_is_skipped_without_ocr(
    tmp_path: Path, engine: str, ocr_calls: list[int], kind: str, seed: int, layout: str, at: int | None
) -> None:
    born = text_letter(seed, layout)
    without = record(tmp_path, "plain.pdf", born)
    with_blank = record(tmp_path, "blank.pdf", insert_page(born, BLANKS[kind](seed), at))
    same_reading(with_blank, without)
    assert ocr_calls == [], f"{kind}: a page without ink was sent to OCR ({engine})"


def test_ocr_off_reads_the_same_letter(tmp_path: Path, no_tesseract: None) -> None:
    born = text_letter(24)
    with_blank = insert_page(born, dusty_page(24))
    assert record(tmp_path, "a.pdf", with_blank, "auto") == record(tmp_path, "b.pdf", with_blank, "off")


def test_a_pdf_of_blank_pages_only_is_no_text_without_ocr(tmp_path: Path, engine: str, ocr_calls: list[int]) -> None:
    blank = insert_page(dusty_page(25), empty_page())
    rec = record(tmp_path, "blank.pdf", blank)
    assert rec["status"] == "rejected" and [e["code"] for e in rec["errors"]] == ["pdf_no_text"]
    assert rec["source"]["ocr"] is False and ocr_calls == []


def test_the_ink_check_sees_ink_but_not_dust() -> None:
    """Which pages would go to OCR: only those with ink, in a mixed PDF (no engine needed)."""
    born = text_letter(26)
    pdf = insert_page(insert_page(insert_page(born, dusty_page(26)), specks_page(26)), inked_page(26))
    printed, pages = _page_count(born), _page_count(pdf)
    assert ocr.inked_pages(pdf, list(range(printed, pages))) == [pages - 1]
    assert ocr.inked_pages(pdf, list(range(printed))) == list(range(printed))  # printed pages carry ink too


def test_lone_dark_pixels_are_not_ink() -> None:
    """Dust is dark pixels on their own; ink is dark pixels together (at the check's resolution)."""
    from PIL import Image

    dust = Image.new("L", (425, 550), 255)
    for k in range(300):  # far above the share of ink, but no two touching
        dust.putpixel((10 + 4 * (k % 100), 20 + 40 * (k // 100)), 0)
    assert not ocr.has_ink(dust)
    mark = Image.new("L", (425, 550), 255)
    mark.paste(0, (200, 300, 204, 304))  # a 4 x 4 blot: a character or two
    assert ocr.has_ink(mark)
    assert not ocr.has_ink(Image.new("L", (425, 550), ocr.INK_LEVEL))  # light grey paper


def _page_count(pdf: bytes) -> int:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf, password="")
    try:
        return len(doc)
    finally:
        doc.close()


# --------------------------------------------------------------------------- (c): ink still needs the engine


def test_an_inked_page_without_a_text_layer_still_needs_tesseract(tmp_path: Path, no_tesseract: None) -> None:
    born = text_letter(27)
    rec = record(tmp_path, "note.pdf", insert_page(born, inked_page(27)))
    assert rec["status"] == "rejected" and [e["code"] for e in rec["errors"]] == ["ocr_failed"]
    # the same letter with a blank page instead reads without the engine
    assert record(tmp_path, "blank.pdf", insert_page(born, dusty_page(27)))["status"] == "parsed"


def test_a_scanned_letter_without_tesseract_is_ocr_failed(tmp_path: Path, no_tesseract: None) -> None:
    from imr.synth.scanned import scan_pdf

    born = text_letter(28)
    rec = record(tmp_path, "scan.pdf", insert_page(scan_pdf(born, seed=28), dusty_page(28)))
    assert rec["status"] == "rejected" and [e["code"] for e in rec["errors"]] == ["ocr_failed"]


def test_an_inked_page_is_read_when_tesseract_is_there(tmp_path: Path, ocr_calls: list[int]) -> None:
    if shutil.which(ocr.TESSERACT) is None:
        pytest.skip("tesseract is not installed (make setup)")
    born = text_letter(29)
    rec = record(tmp_path, "note.pdf", insert_page(insert_page(born, dusty_page(29)), inked_page(29)))
    assert ocr_calls.count(2200) == 1  # one whole page at 200 dpi: the inked one, not the blank one
    assert rec["source"]["ocr"] is True


# --------------------------------------------------------------------------- (d): the real letters


def _imr_extract(folder: Path, path_var: str) -> dict[str, dict[str, Any]]:
    """``imr extract FOLDER`` in a subprocess whose ``PATH`` is ``path_var`` (OCR on)."""
    env = {**os.environ, "PATH": path_var, "IMR_OCR": "auto"}
    out = subprocess.run(
        [sys.executable, "-m", "imr.cli", "extract", str(folder), "--ocr", "auto"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout
    records = [json.loads(line) for line in out.splitlines() if line.strip()]
    return {Path(r["source"]["path"]).name: r for r in records}


@pytest.mark.corpus
def test_real_letters_extract_the_same_without_tesseract(real_dir: Path) -> None:
    hidden_path = path_without(ocr.TESSERACT)
    assert shutil.which(ocr.TESSERACT, path=hidden_path) is None
    hidden = _imr_extract(real_dir / "pdf", hidden_path)
    gold = {Path(g["source"]["path"]).name: g for g in read_jsonl(real_dir / "gold.jsonl")}
    assert sorted(hidden) == sorted(gold)
    diffs: list[str] = []
    for name, g in gold.items():
        diffs += compare_to_gold(hidden[name], g)
    assert diffs == []
    if shutil.which(ocr.TESSERACT) is not None:
        present = _imr_extract(real_dir / "pdf", os.environ["PATH"])
        assert [n for n in gold if present[n] != hidden[n]] == []
