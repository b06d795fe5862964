"""Golden tests: the real DWC letters and the seed samples against their verified gold records,
plus the shared scorer's headline (the same scorer the hidden set is scored with)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from imr.extract.entry import extract_file
from tests.conftest import SCORER
from tests.helpers import assert_contract, compare_to_gold, read_jsonl

pytestmark = pytest.mark.corpus


def _cases(gold_dir: Path, sub: str) -> list[tuple[Path, dict[str, object]]]:
    gold = read_jsonl(gold_dir / "gold.jsonl")
    return [(gold_dir / sub / str(g["source"]["path"]), g) for g in gold]  # type: ignore[index]


def test_seed_letters_match_gold(seeds_dir: Path) -> None:
    for path, gold in _cases(seeds_dir, "."):
        record = extract_file(path, display_path=path.name).to_dict()
        assert_contract(record)
        assert compare_to_gold(record, gold) == []  # type: ignore[arg-type]


_RECORDS: dict[str, dict[str, dict[str, object]]] = {}


def _records(real_dir: Path, engine: str) -> dict[str, dict[str, object]]:
    """Records of every real letter with one engine, computed once per test session."""
    if engine not in _RECORDS:
        _RECORDS[engine] = {
            path.name: extract_file(path, display_path=path.name, pdf_engine=engine).to_dict()
            for path, _ in _cases(real_dir, "pdf")
        }
    return _RECORDS[engine]


# the second engine reads every letter again: the full suite runs it, the quick loop reads them once
@pytest.mark.parametrize("engine", ["auto", pytest.param("pdfplumber", marks=pytest.mark.slow)])
def test_real_letters_match_gold(real_dir: Path, engine: str) -> None:
    diffs: list[str] = []
    records = _records(real_dir, engine)
    for path, gold in _cases(real_dir, "pdf"):
        record = records[path.name]
        assert_contract(record)
        diffs += compare_to_gold(record, gold)  # type: ignore[arg-type]
    assert diffs == []


def test_pdf_engines_give_identical_records(real_dir: Path) -> None:
    """The fast PDFium path is only trusted because it yields the very same records."""
    fast, slow = _records(real_dir, "pdfium"), _records(real_dir, "pdfplumber")
    assert sorted(fast) == sorted(slow)
    assert [name for name in fast if fast[name] != slow[name]] == []


def test_shared_scorer_headline(real_dir: Path, seeds_dir: Path, tmp_path: Path) -> None:
    """imr extract over both corpora, scored by ../shared/tools/score.py: every letter exact,
    no silent wrong decision."""
    pred = tmp_path / "pred.jsonl"
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        (real_dir / "gold.jsonl").read_text(encoding="utf-8") + (seeds_dir / "gold.jsonl").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    out = subprocess.run(
        [sys.executable, "-m", "imr.cli", "extract", str(real_dir / "pdf"), str(seeds_dir)],
        capture_output=True,
        text=True,
        check=True,
    )
    pred.write_text(out.stdout, encoding="utf-8")
    scored = subprocess.run(
        [sys.executable, str(SCORER), str(gold), str(pred), "--json"], capture_output=True, text=True, check=True
    )
    body, _, headline = scored.stdout.rstrip().rpartition("\n")
    assert headline.startswith("letter_exact=")
    m = json.loads(body)
    assert m["silent_wrong"] == 0
    assert m["metrics"]["letter_exact"]["rate"] >= 0.98
    assert m["metrics"]["item_request"]["rate"] >= 0.98
    assert m["metrics"]["item_decision"]["rate"] == 1.0
