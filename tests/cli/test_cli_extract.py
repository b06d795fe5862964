"""`imr extract` as users call it: paths, folders, exit codes, JSON lines, workers; and the CLI's
conventions (every command has help with an example)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from imr.cli import COMMANDS, build_parser, main
from imr.synth import generate_letter, render_text
from tests.helpers import assert_contract, run_imr_without


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    (tmp_path / "sub").mkdir()
    (tmp_path / "A.TXT").write_bytes(render_text(generate_letter(1)))
    (tmp_path / "sub" / "b.txt").write_bytes(render_text(generate_letter(2)))
    (tmp_path / "sub" / "empty.txt").write_bytes(b"")
    (tmp_path / "notes.md").write_text("ignored")
    (tmp_path / ".hidden.txt").write_text("ignored")
    return tmp_path


def test_extract_folder_recursively(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(folder)]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [Path(r["source"]["path"]).name for r in records] == ["A.TXT", "b.txt", "empty.txt"]
    for r in records:
        assert_contract(r)
    assert [r["status"] for r in records] == ["parsed", "parsed", "rejected"]
    assert records[2]["errors"][0]["code"] == "empty_file"


def test_jobs_give_the_same_output(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["extract", str(folder)])
    one = capsys.readouterr().out
    main(["extract", str(folder), "--jobs", "2"])
    assert capsys.readouterr().out == one


def test_missing_path_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(tmp_path / "nope.pdf")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_bad_option_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as info:
        main(["extract", "--format", "xml", "x"])
    assert info.value.code == 2


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help_and_example(name: str) -> None:
    parser = build_parser(name)
    sub = next(a for a in parser._actions if a.dest == "command")
    p = sub.choices[name]  # type: ignore[attr-defined]
    text = p.format_help()
    assert p.description and len(text) > 80
    assert "imr " in (p.description or ""), f"{name}: the description should show an example command"


def test_console_script_runs_without_prefect_or_gx(tmp_path: Path) -> None:
    letter = tmp_path / "x.txt"
    letter.write_bytes(render_text(generate_letter(3)))
    out = run_imr_without(["extract", str(letter)], ("prefect", "great_expectations"))
    assert json.loads(out.stdout)["status"] == "parsed"
