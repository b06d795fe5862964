"""Pathological text straight through ``imr.extract.extract_file`` (no isolation): long single lines
and long runs of repeated separators must finish quickly (pytest-timeout per case, no timing
asserts). Sizes stay under the isolation's decoded-text cap (2 MB), which is what can reach the
extractor in the pipeline.

Found super-linear (not fixed here: imr/extract belongs to another area): one long paragraph (many
lines, no blank line) after an IMR heading that does not close an item on each line
(``Overturned``, ``Item:``, ``:``, ``1.`` or ``MTUS`` on 40,000 lines; ``:`` or ``1.`` with a blank
line between each, 200 KB, takes over 30 s) is quadratic in
``imr/extract/items.py:184`` (``_decision_lines_only`` joins the whole paragraph again for every
line). In the pipeline the isolated extractor's time limit rejects such a file as
``extract_timeout``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from imr.extract import extract_file
from tests.hostile_files import IMR_HEAD, long_line

UNITS = [":", "-", ". ", "Item: ", "Upheld ", "Overturned ", "(", ")", "[[", "BT ", "1/1/", "CM12-", "MTUS ", "/ "]


def _run(tmp_path: Path, text: str) -> str:
    path = tmp_path / "hostile.txt"
    path.write_text(text, encoding="utf-8")
    rec = extract_file(path, "hostile.txt")
    assert rec.status in ("parsed", "rejected")
    return rec.status


@pytest.mark.timeout(30)
@pytest.mark.parametrize("unit", UNITS)
def test_one_long_line_of_a_repeated_separator(tmp_path: Path, unit: str) -> None:
    assert _run(tmp_path, IMR_HEAD + long_line(200_000, unit)) == "rejected"


@pytest.mark.timeout(30)
@pytest.mark.parametrize("unit", ["Item: Upheld\n", "\n\n", "Item:\n\n", "Upheld\n\n"])
def test_many_lines_of_a_repeated_separator(tmp_path: Path, unit: str) -> None:
    _run(tmp_path, IMR_HEAD + unit * (200_000 // len(unit)))


@pytest.mark.timeout(30)
def test_long_line_without_a_heading(tmp_path: Path) -> None:
    assert _run(tmp_path, long_line(1_000_000, "Upheld; Overturned: ")) == "rejected"


@pytest.mark.timeout(10)
def test_lines_ending_in_a_decision_without_closing_an_item(tmp_path: Path) -> None:
    _run(tmp_path, IMR_HEAD + "Overturned\n" * 40_000)
