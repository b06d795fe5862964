"""``imr show FILE_OR_CASE --out DIR`` as users call it: a letter file, a case number looked up in
a real warehouse (its file where the ingest left it), the one-line errors and the imports."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

import warehouse as w
from imr.cli import main
from imr.extract.entry import extract_file
from imr.synth import generate_letter, render_text
from imr.synth.pdf_render import PdfOptions, render_pdf
from tests.helpers import run_imr_without
from tests.show.pages import StrictPage


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def pdf_file(tmp_path: Path) -> Path:
    path = tmp_path / "in" / "syn_0021_D2.pdf"
    path.parent.mkdir()
    path.write_bytes(render_pdf(generate_letter(21, layout="D2"), PdfOptions()))
    return path


def test_show_a_pdf_file_prints_the_page_path(
    pdf_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(["show", str(pdf_file), "--out", str(tmp_path / "pages"), "--ocr", "off"], capsys)
    assert (code, err) == (0, "")
    assert len(out.splitlines()) == 1
    page = Path(out.strip())
    assert page.parent == tmp_path / "pages" and page.suffix == ".html"
    letter = generate_letter(21, layout="D2").letter
    parsed = StrictPage(page.read_text(encoding="utf-8"))
    assert letter.case_number in parsed.find("h1")[0].text
    assert len(parsed.find("img")) >= 1
    assert pdf_file.name in parsed.find("p", cls="meta")[0].text


def test_show_a_text_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    letter = tmp_path / "a.txt"
    letter.write_bytes(render_text(generate_letter(4, layout="C")))
    code, out, _err = _run(["show", str(letter), "--out", str(tmp_path)], capsys)
    assert code == 0
    page = StrictPage(Path(out.strip()).read_text(encoding="utf-8"))
    assert len(page.find("div", cls="line")) > 20


@pytest.mark.parametrize(
    ("target", "says"),
    [
        ("folder", "is a folder: give one letter file or a case number"),
        ("nope.pdf", "no such file"),
        ("CM13-000", "no such file"),
    ],
)
def test_what_cannot_be_shown_is_one_line_and_exit_2(
    target: str, says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "folder").mkdir()
    code, out, err = _run(
        ["show", str(tmp_path / target) if target != "CM13-000" else target, "--out", str(tmp_path)], capsys
    )
    assert code == 2 and out == ""
    assert err.startswith("imr show: ") and says in err and len(err.strip().splitlines()) == 1


def test_show_runs_without_prefect_gx_or_sqlalchemy(tmp_path: Path) -> None:
    letter = tmp_path / "x.txt"
    letter.write_bytes(render_text(generate_letter(3)))
    out = run_imr_without(
        ["show", str(letter), "--out", str(tmp_path / "o")], ("prefect", "great_expectations", "sqlalchemy")
    )
    assert Path(out.stdout.strip()).is_file()


# -- a case number: the letter as stored, its file where the ingest left it ---------------------


def _load(engine: Engine, archive: Path, files: dict[str, bytes]) -> dict[str, str]:
    """Files archived under ``archive`` and loaded as one batch (as the ingest leaves them);
    returns file name -> letter id."""
    archive.mkdir(parents=True, exist_ok=True)
    batch = w.start_batch(engine, "ingest", ["/inbox"])
    ids = {}
    for name, data in files.items():
        path = archive / name
        path.write_bytes(data)
        record = extract_file(path, display_path=name, ocr="off")
        assert record.status == "parsed", record.errors
        sha = hashlib.sha256(data).hexdigest()
        fid = w.register_file(engine, batch, "/inbox", name, sha, len(data), record.source.media_type, str(path))
        ids[name] = w.load_letter(engine, fid, record).letter_id
    w.finish_batch(engine, batch, "completed")
    return ids


@pytest.fixture
def case_warehouse(engine: Engine, tmp_path: Path) -> tuple[str, str, Path, dict[str, bytes]]:
    """A warehouse (SQLite and PostgreSQL) holding two versions of a case, a PDF and its amended
    text letter, and another letter, archived under tmp_path; (url, case number, archive, files)."""
    first = generate_letter(33, layout="D1")
    later = generate_letter(33, layout="D1", amended_days=30, case_number=first.letter.case_number)
    assert first.letter.case_number is not None
    files = {
        "first.pdf": render_pdf(first, PdfOptions()),
        "later.pdf": render_pdf(later, PdfOptions(footer=True)),
        "other.txt": render_text(generate_letter(32, layout="D2")),
    }
    _load(engine, tmp_path / "archive", files)
    return engine.url.render_as_string(hide_password=False), first.letter.case_number, tmp_path / "archive", files


def test_show_a_case_number_shows_its_current_letter_from_the_archive(
    case_warehouse: tuple[str, str, Path, dict[str, bytes]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, case, _archive, files = case_warehouse
    code, out, err = _run(["show", case.lower(), "--db", url, "--out", str(tmp_path / "pages")], capsys)
    assert (code, err) == (0, "")
    page_path = Path(out.strip())
    assert page_path.name == f"{case}-{hashlib.sha256(files['later.pdf']).hexdigest()[:8]}.html"
    page = StrictPage(page_path.read_text(encoding="utf-8"))
    assert page.find("h1")[0].text == case
    later = generate_letter(33, layout="D1", amended_days=30, case_number=case).letter
    assert later.decision_date is not None
    assert later.decision_date.isoformat() in page.find("tr", data_path="decision_date")[0].text
    assert len(page.find("img")) == 2 and "later.pdf" in page.find("p", cls="meta")[0].text


def test_a_case_not_in_the_warehouse_or_its_file_gone_is_one_line_and_exit_2(
    case_warehouse: tuple[str, str, Path, dict[str, bytes]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, case, archive, files = case_warehouse
    code, out, err = _run(["show", "CM99-9999999", "--db", url, "--out", str(tmp_path)], capsys)
    assert (code, out) == (2, "") and "no letter of case CM99-9999999 in the warehouse" in err
    (archive / "later.pdf").write_bytes(files["other.txt"])  # another file in its place
    code, out, err = _run(["show", case, "--db", url, "--out", str(tmp_path)], capsys)
    assert (code, out) == (2, "") and f"is not the letter of case {case}" in err and len(err.splitlines()) == 1
    (archive / "later.pdf").unlink()
    code, out, err = _run(["show", case, "--db", url, "--out", str(tmp_path)], capsys)
    assert (code, out) == (2, "") and "is not where the warehouse recorded it" in err and len(err.splitlines()) == 1
    assert not list(tmp_path.glob("*.html"))


def test_a_missing_warehouse_is_one_line_and_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = _run(["show", "CM13-0000001", "--db", f"sqlite:///{tmp_path / 'no.db'}", "--out", "x"], capsys)
    assert code == 1 and "no warehouse at" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "no.db").exists()
