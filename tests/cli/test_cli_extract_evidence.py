"""`imr extract --evidence`: each record carries the contract's evidence object (validated against
the schema); without the flag the output is what it always was."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from imr.cli import main
from imr.synth import generate_letter, render_text
from imr.synth.pdf_render import PdfOptions, render_pdf
from tests.helpers import assert_contract


@pytest.fixture()
def letters(tmp_path: Path) -> Path:
    (tmp_path / "a.txt").write_bytes(render_text(generate_letter(1, layout="D2")))
    (tmp_path / "b.pdf").write_bytes(render_pdf(generate_letter(2, layout="C"), PdfOptions()))
    text = render_text(generate_letter(3, layout="D1")).decode("utf-8")
    (tmp_path / "c.txt").write_text(re.sub(r"\b(Uph)e(ld)\b|\b(Overtu)r(ned)\b", r"\1\3#\2\4", text))
    return tmp_path


def _records(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines()]


def test_evidence_is_printed_and_valid(letters: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(letters), "--evidence"]) == 0
    records = _records(capsys.readouterr().out)
    assert [r["status"] for r in records] == ["parsed", "parsed", "rejected"]
    for r in records:
        assert_contract(r)
        assert isinstance(r["evidence"], dict) and r["evidence"]
    text, pdf, set_aside = (r["evidence"] for r in records)
    assert text["case_number"]["line"] >= 1 and text["case_number"]["bbox"] is None  # type: ignore[index]
    assert pdf["case_number"]["page"] == 1 and len(pdf["case_number"]["bbox"]) == 4  # type: ignore[index]
    assert "items[0].decision" in set_aside  # where the unread decision should stand


def test_without_the_flag_there_is_no_evidence(letters: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["extract", str(letters)])
    plain = _records(capsys.readouterr().out)
    main(["extract", str(letters), "--evidence", "--jobs", "2"])
    with_evidence = _records(capsys.readouterr().out)
    assert all("evidence" not in r for r in plain)
    assert [{k: v for k, v in r.items() if k != "evidence"} for r in with_evidence] == plain


def test_help_names_the_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["extract", "--help"])
    out = capsys.readouterr().out
    assert "--evidence" in out and "imr extract letter.pdf --evidence" in out
