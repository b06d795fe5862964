"""Scanned copies of a few real DWC letters (rasterised at 200 dpi with skew, speckle, blur and
JPEG into a temporary folder, never committed) read back by OCR: no silent wrong decision, and a
letter OCR parses is exact on what letter_exact counts. The whole corpus is measured in bench/ocr.py."""

from __future__ import annotations

import shutil
import zlib
from pathlib import Path

import pytest

from imr.extract.entry import extract_file
from imr.synth.scanned import scan_pdf
from tests.extract.test_extract_ocr import letter_exact_diffs, silent_wrong
from tests.helpers import read_jsonl

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed (make setup)"),
]

NAMES = ("CM16-0213037.pdf", "CM16-0224814.pdf", "CM16-0239190.pdf")


def test_scanned_real_letters_never_a_silent_wrong_decision(real_dir: Path, tmp_path: Path) -> None:
    gold = {Path(g["source"]["path"]).name: g for g in read_jsonl(real_dir / "gold.jsonl")}
    parsed = 0
    for name in NAMES:
        src = real_dir / "pdf" / name
        if not src.exists():
            pytest.skip(f"{name} is not in the corpus")
        scan = tmp_path / name
        scan.write_bytes(scan_pdf(src.read_bytes(), seed=zlib.crc32(name.encode())))
        rec = extract_file(scan, display_path=name, ocr="auto").to_dict()
        assert rec["source"]["ocr"] is True
        assert silent_wrong(rec, gold[name]) == 0
        if rec["status"] == "parsed":
            parsed += 1
            assert letter_exact_diffs(rec, gold[name]) == []
        else:
            assert rec["errors"][0]["code"].startswith(("ocr_", "unresolved_item", "no_items")), rec["errors"]
    assert parsed >= 2
