"""``imr show`` on a real letter of the shared corpus (read in place, never copied; skipped when absent)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from imr.cli import main
from imr.show.values import field_rows
from tests.show.pages import StrictPage

pytestmark = pytest.mark.corpus


def test_a_real_letter_renders_with_its_values_and_boxes_on_its_pages(
    real_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gold = json.loads((real_dir / "gold.jsonl").read_text(encoding="utf-8").splitlines()[0])
    letter_file = real_dir / "pdf" / gold["source"]["path"]
    assert main(["show", str(letter_file), "--out", str(tmp_path), "--ocr", "off"]) == 0
    page_path = Path(capsys.readouterr().out.strip())
    page = StrictPage(page_path.read_text(encoding="utf-8"))
    assert len(page.find("img")) == gold["source"]["pages"]
    shown = {e.attrs["data-path"] for e in page.find("tr")}
    assert {r.path for r in field_rows(gold["letter"])} <= shown
    assert gold["letter"]["case_number"] in page.find("tr", data_path="case_number")[0].text
    for box in page.find("a", cls="box"):  # every box lies on its page image
        share = {k: float(v) for k, v in re.findall(r"(left|top|width|height):([\d.]+)%", box.attrs["style"])}
        assert share["left"] >= 0 and share["left"] + share["width"] <= 100.01, box.attrs["data-path"]
        assert share["top"] >= 0 and share["top"] + share["height"] <= 100.01, box.attrs["data-path"]
