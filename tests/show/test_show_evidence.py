"""``imr show`` end to end with the extractor's own evidence (``extract_file(..., evidence=True)``)
and the warehouse's stored evidence: every entry is drawn once, where it says, on the right page."""

from __future__ import annotations

import dataclasses
import hashlib
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

import warehouse as w
from imr.cli import main
from imr.extract.entry import extract_file
from imr.models import LetterRecord
from imr.synth import generate_letter
from imr.synth.bad_inputs import unresolved_letter
from imr.synth.pdf_render import PdfOptions, render_pdf
from imr.synth.scanned import scan_pdf
from tests.show.pages import StrictPage

DPI = 100


def _show(argv: list[str], capsys: pytest.CaptureFixture[str]) -> StrictPage:
    assert main(["show", *argv]) == 0
    return StrictPage(Path(capsys.readouterr().out.strip()).read_text(encoding="utf-8"))


def _boxes_match(page: StrictPage, record: LetterRecord, width_px: int = 850, height_px: int = 1100) -> None:
    """One box per evidence entry, in the figure of its page, at its bbox x dpi/72."""
    assert record.evidence
    assert len(page.find("a", cls="box")) == len(record.evidence)
    for path, ev in record.evidence.items():
        (box,) = page.find("a", cls="box", data_path=path)
        assert ev.bbox is not None
        share = {k: float(v) for k, v in re.findall(r"(left|top|width|height):([\d.]+)%", box.attrs["style"])}
        x0, top, x1, bottom = (v * DPI / 72 for v in ev.bbox)
        assert share["left"] * width_px / 100 == pytest.approx(x0, abs=0.02), path
        assert share["top"] * height_px / 100 == pytest.approx(top, abs=0.02), path
        assert share["width"] * width_px / 100 == pytest.approx(x1 - x0, abs=0.02), path
        assert share["height"] * height_px / 100 == pytest.approx(bottom - top, abs=0.02), path
        assert share["left"] >= 0 and share["left"] + share["width"] <= 100.01, path  # on the image
        assert share["top"] >= 0 and share["top"] + share["height"] <= 100.01, path


def _page_of_box(html_page: str, path: str) -> int:
    figures = html_page.split('<figure class="page"')[1:]
    (number,) = [i + 1 for i, f in enumerate(figures) if f'data-path="{path}"' in f]
    return number


def test_a_generated_pdf_shows_the_extractors_evidence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    letter = tmp_path / "syn_0008_D2.pdf"
    letter.write_bytes(render_pdf(generate_letter(8, layout="D2"), PdfOptions(footer=True, running_header=True)))
    record = extract_file(letter, ocr="off", evidence=True)
    assert record.status == "parsed" and record.evidence
    page = _show([str(letter), "--out", str(tmp_path / "out"), "--ocr", "off"], capsys)
    _boxes_match(page, record)
    html = next((tmp_path / "out").glob("*.html")).read_text(encoding="utf-8")
    for path, ev in record.evidence.items():
        assert _page_of_box(html, path) == ev.page, path
        (tr,) = page.find("tr", data_path=path)
        assert f"p. {ev.page}" in tr.text
    assert record.letter is not None
    for item in range(len(record.letter.items)):  # every decision has its box
        assert page.find("a", cls="box", data_path=f"items[{item}].decision")


def test_a_letter_set_aside_shows_its_partial_letter_and_the_value_in_doubt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    letter = tmp_path / "unresolved.txt"
    letter.write_bytes(unresolved_letter(3))
    record = extract_file(letter, evidence=True)
    assert record.status == "rejected" and record.partial is not None and record.evidence
    assert record.partial["_doubtful"] == ["items[0].decision"]
    page = _show([str(letter), "--out", str(tmp_path)], capsys)
    (decision,) = page.find("tr", data_path="items[0].decision")
    assert "not read" in decision.text and "in doubt" in decision.text and "doubt" in decision.classes
    assert record.partial["case_number"] in page.find("tr", data_path="case_number")[0].text
    assert "unresolved_item" in page.find("ul", cls="errors")[0].text
    marked = {int(e.attrs["id"].removeprefix("line-")) for e in page.find("div", cls="marked")}
    assert marked == {ev.line for ev in record.evidence.values()}
    for path in record.evidence:
        assert len(page.find("a", cls="tag", data_path=path)) == 1


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed (make setup)")
def test_a_scanned_letter_shows_ocr_boxes_with_their_confidence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    letter = tmp_path / "scan.pdf"
    letter.write_bytes(scan_pdf(render_pdf(generate_letter(12, layout="D1"), PdfOptions()), seed=12))
    record = extract_file(letter, ocr="auto", evidence=True)
    assert record.source.ocr and record.evidence
    page = _show([str(letter), "--out", str(tmp_path), "--ocr", "auto"], capsys)
    _boxes_match(page, record)
    titled = [b for b in page.find("a", cls="box") if "OCR " in b.attrs["title"]]
    assert len(titled) == sum(ev.confidence is not None for ev in record.evidence.values()) > 0


def test_a_case_is_shown_with_its_stored_evidence(
    engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The boxes are the warehouse's (one stored box moved on purpose shows where it is drawn from)."""
    synthetic = generate_letter(9, layout="D2")
    data = render_pdf(synthetic, PdfOptions())
    archived = tmp_path / "archive" / "syn_0009.pdf"
    archived.parent.mkdir()
    archived.write_bytes(data)
    record = extract_file(archived, display_path="syn_0009.pdf", ocr="off", evidence=True)
    assert record.status == "parsed" and record.evidence and record.letter is not None
    moved = record.evidence["case_number"]
    assert moved.bbox is not None
    record.evidence["case_number"] = dataclasses.replace(moved, bbox=(100.0, 300.0, 200.0, 320.0))
    batch = w.start_batch(engine, "ingest", ["/inbox"])
    sha = hashlib.sha256(data).hexdigest()
    fid = w.register_file(engine, batch, "/inbox", "syn_0009.pdf", sha, len(data), "application/pdf", str(archived))
    w.load_letter(engine, fid, record)
    w.finish_batch(engine, batch, "completed")
    url = engine.url.render_as_string(hide_password=False)
    page = _show([str(record.letter.case_number), "--db", url, "--out", str(tmp_path / "out")], capsys)
    _boxes_match(page, record)
    assert "left:16.340%" in page.find("a", cls="box", data_path="case_number")[0].attrs["style"]
