"""``imr show FILE_OR_CASE --out DIR`` as users call it: a letter file, a case number looked up in
a real warehouse (its file where the ingest left it), the one-line errors and the imports."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

import warehouse as w
from imr.cli import main
from imr.commands.show import letters_of_case
from imr.extract.entry import extract_file
from imr.synth import generate_letter, render_text
from imr.synth.pdf_render import PdfOptions, render_pdf
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
    code = (
        f"import sys; sys.argv=['imr','show',{str(letter)!r},'--out',{str(tmp_path / 'o')!r}];"
        "from imr.cli import main; rc=main(sys.argv[1:]);"
        "bad=[m for m in sys.modules if m.split('.')[0] in ('prefect','great_expectations','sqlalchemy')];"
        "print('LOADED', bad, file=sys.stderr); sys.exit(rc)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert Path(out.stdout.strip()).is_file()
    assert "LOADED []" in out.stderr


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


def test_letters_of_a_case_are_its_versions_with_their_files(engine: Engine, tmp_path: Path) -> None:
    first = generate_letter(33, layout="D1")
    later = generate_letter(33, layout="D1", amended_days=30, case_number=first.letter.case_number)
    case = first.letter.case_number
    assert case is not None
    files = {
        "first.pdf": render_pdf(first, PdfOptions()),
        "later.txt": render_text(later),
        "other.txt": render_text(generate_letter(32, layout="D2")),
    }
    ids = _load(engine, tmp_path / "archive", files)
    (current,) = letters_of_case(engine, case)
    assert current.version_status == "current" and current.record.letter == later.letter
    assert current.data == files["later.txt"] and current.found_at == str(tmp_path / "archive" / "later.txt")
    both = letters_of_case(engine, case, all_versions=True)
    assert [c.version_status for c in both] == ["superseded", "current"]
    assert [c.data for c in both] == [files["first.pdf"], files["later.txt"]]
    assert ids["first.pdf"] != ids["later.txt"]
    assert letters_of_case(engine, "CM99-9999999") == []
    # the archived file gone: known where it was, no bytes
    (tmp_path / "archive" / "later.txt").unlink()
    (gone,) = letters_of_case(engine, case)
    assert gone.data is None and gone.paths == [str(tmp_path / "archive" / "later.txt")]
    # a file of other content at that place is not the letter's
    (tmp_path / "archive" / "later.txt").write_bytes(files["other.txt"])
    assert letters_of_case(engine, case)[0].data is None


@pytest.fixture
def sqlite_warehouse(tmp_path: Path) -> tuple[str, str, Path]:
    """A SQLite warehouse holding one PDF letter archived under tmp_path; (url, case number, file)."""
    url = f"sqlite:///{tmp_path / 'w.db'}"
    engine = w.make_engine(url)
    w.upgrade(engine)
    synthetic = generate_letter(41, layout="D2")
    _load(engine, tmp_path / "archive", {"syn_0041.pdf": render_pdf(synthetic, PdfOptions())})
    engine.dispose()
    assert synthetic.letter.case_number is not None
    return url, synthetic.letter.case_number, tmp_path / "archive" / "syn_0041.pdf"


def test_show_a_case_number_from_the_warehouse(
    sqlite_warehouse: tuple[str, str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, case, _file = sqlite_warehouse
    code, out, err = _run(["show", case.lower(), "--db", url, "--out", str(tmp_path / "pages")], capsys)
    assert (code, err) == (0, "")
    page = StrictPage(Path(out.strip()).read_text(encoding="utf-8"))
    assert page.find("h1")[0].text == case
    assert case in page.find("tr", data_path="case_number")[0].text
    assert page.find("img") and "syn_0041.pdf" in page.find("p", cls="meta")[0].text


def test_a_case_not_in_the_warehouse_or_its_file_gone_is_one_line_and_exit_2(
    sqlite_warehouse: tuple[str, str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, case, file = sqlite_warehouse
    code, out, err = _run(["show", "CM99-9999999", "--db", url, "--out", str(tmp_path)], capsys)
    assert (code, out) == (2, "") and "no letter of case CM99-9999999 in the warehouse" in err
    file.unlink()
    code, out, err = _run(["show", case, "--db", url, "--out", str(tmp_path)], capsys)
    assert (code, out) == (2, "") and f"is not at {file} any more" in err and len(err.splitlines()) == 1


def test_a_missing_warehouse_is_one_line_and_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = _run(["show", "CM13-0000001", "--db", f"sqlite:///{tmp_path / 'no.db'}", "--out", "x"], capsys)
    assert code == 1 and "no warehouse at" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "no.db").exists()
