"""The extractor against the project's own synthetic letters (every layout, text and PDF, running
headers/footers, awkward page breaks, encrypted PDFs, and the bad inputs with their reason codes)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from imr.extract.entry import extract_file
from imr.synth.corpus import write_corpus
from tests.helpers import assert_contract, compare_to_gold, read_jsonl


@pytest.fixture(scope="module")
def synth_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth")
    write_corpus(out, 120, seed=20261123)
    return out


def _without_ocr(gold: dict[str, Any]) -> dict[str, Any]:
    """The gold record as this machine must give it: without the `tesseract` program an image-only
    PDF that carries ink is `ocr_failed` (it could not be read), not `pdf_no_text` (read, no words)."""
    codes = [e["code"] for e in gold.get("errors") or []]
    if shutil.which("tesseract") is None and codes == ["pdf_no_text"]:
        error = {**gold["errors"][0], "code": "ocr_failed"}
        return {**gold, "errors": [error]}
    return gold


def test_synthetic_corpus_extracts_exactly(synth_corpus: Path) -> None:
    gold = [_without_ocr(g) for g in read_jsonl(synth_corpus / "gold.jsonl")]
    layouts = set()
    diffs: list[str] = []
    for g in gold:
        record = extract_file(synth_corpus / g["source"]["path"], display_path=g["source"]["path"]).to_dict()
        assert_contract(record)
        diffs += compare_to_gold(record, g)
        if record["letter"]:
            layouts.add(record["letter"]["layout"])
    assert diffs == []
    assert {"A", "B", "C", "D1", "D2"} <= layouts


def test_every_rejection_has_its_reason_code(synth_corpus: Path) -> None:
    gold = [_without_ocr(g) for g in read_jsonl(synth_corpus / "gold.jsonl") if g["status"] == "rejected"]
    codes = set()
    for g in gold:
        record = extract_file(synth_corpus / g["source"]["path"]).to_dict()
        assert record["status"] == "rejected" and record["letter"] is None
        assert [e["code"] for e in record["errors"]] == [e["code"] for e in g["errors"]]
        codes.add(record["errors"][0]["code"])
    no_text = "pdf_no_text" if shutil.which("tesseract") else "ocr_failed"
    assert {"other_program", "utilization_review", "not_imr_letter", "empty_file", "pdf_corrupt", no_text,
            "pdf_password", "unresolved_item", "several_letters"} <= codes  # fmt: skip


def test_pdf_engines_agree_on_synthetic_pdfs(tmp_path: Path) -> None:
    write_corpus(tmp_path, 25, seed=3, formats=("pdf",), bad=False)
    for pdf in sorted(tmp_path.glob("*.pdf")):
        assert extract_file(pdf, pdf_engine="pdfium").to_dict() == extract_file(pdf, pdf_engine="pdfplumber").to_dict()
