"""``imr report`` end to end on a real SQLite warehouse: both files, self-contained HTML, no letter text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

import warehouse as w
from imr.cli import main
from imr.models import LetterRecord
from imr.outcomes import ExpectationResult
from tests.report_helpers import load_golds, synthetic_golds

EXPECTATIONS = [
    ExpectationResult("letters", "expect_decision_date_present", "warning", 40, 4),
    ExpectationResult("letters", "expect_items_between_1_and_40", "critical", 40, 1),
]


@pytest.fixture
def db(tmp_path: Path) -> tuple[str, list[dict[str, object]]]:
    """A SQLite warehouse with 40 synthetic letters, expectation results and one quarantined file."""
    url = f"sqlite:///{tmp_path / 'w.db'}"
    engine = w.make_engine(url)
    w.upgrade(engine)
    golds = synthetic_golds(40, seed=5)
    batch = load_golds(engine, golds)
    w.store_dq_results(engine, batch, EXPECTATIONS)
    second = w.start_batch(engine, "ingest", ["/inbox"])
    for i in range(12):
        fid = w.register_file(engine, second, "/inbox", f"q{i}.txt", f"{i:064x}", 1, "text/plain")
        if i < 3:
            w.mark_file(engine, fid, "quarantined", ["dq_expect_items_between_1_and_40"])
        else:
            w.mark_file(engine, fid, "rejected", ["not_imr_letter"])
    w.finish_batch(engine, second, "completed_with_quarantine")
    engine.dispose()
    return url, golds


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_report_writes_self_contained_html_and_markdown(
    db: tuple[str, list[dict[str, object]]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, golds = db
    out_dir = tmp_path / "out"
    code, out, _err = _run(["report", "--db", url, "--out", str(out_dir)], capsys)
    assert code == 0
    html_path, md_path = out_dir / "report.html", out_dir / "report.md"
    assert out.split() == [str(html_path), str(md_path)]
    page = html_path.read_text(encoding="utf-8")
    md = md_path.read_text(encoding="utf-8")
    # self-contained: inline SVG charts, no script, no stylesheet link, nothing fetched
    assert page.count("<svg") >= 4
    assert not re.search(r"<script|<link|<img|<iframe|@import|url\(\s*['\"]?http", page, re.I)
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page, re.I)
    # same headline in both
    for text in ("| letters | 40 | 40 | 40 |", "## By DWC service category", "## Data quality over time"):
        assert text in md
    # data quality: expectation failures and the share set aside of the second batch (9 rejected and
    # 3 quarantined of 12: the verdict's share, rejected and quarantined alike)
    assert "| letters | expect_decision_date_present | warning | 40 | 4 | 10.0% |" in md
    assert "| 12 | 0 | 9 | 3 | 100.0% |" in md
    assert "expect_decision_date_present" in page and "100.0%" in page
    # no letter text: no request, rationale, occupation or diagnosis reaches the report
    for g in golds:
        letter = LetterRecord.from_dict(g).letter
        assert letter is not None
        texts = [it.request for it in letter.items] + [it.rationale or "" for it in letter.items] + letter.diagnoses
        for text in filter(None, texts):
            assert text not in page and text not in md


def test_report_period_and_usage_errors(
    db: tuple[str, list[dict[str, object]]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _ = db
    code, _out, err = _run(
        ["report", "--db", url, "--out", str(tmp_path / "o"), "--from", "2018-01-01", "--to", "2017-01-01"], capsys
    )
    assert code == 2 and "after" in err
    with pytest.raises(SystemExit) as exc:
        main(["report", "--db", url, "--out", str(tmp_path / "o"), "--from", "01/02/2017"])
    assert exc.value.code == 2
    code, _out, _err = _run(
        ["report", "--db", url, "--out", str(tmp_path / "o"), "--from", "2017-01-01", "--to", "2017-12-31"], capsys
    )
    assert code == 0
    assert "decided 2017-01-01 to 2017-12-31" in (tmp_path / "o" / "report.md").read_text(encoding="utf-8")


def test_report_on_a_warehouse_without_views(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    code, _out, err = _run(["report", "--db", url, "--out", str(tmp_path / "o")], capsys)
    assert code == 1 and "db-upgrade" in err
    engine = w.make_engine(url)
    w.upgrade(engine, "0001")
    engine.dispose()
    code, _out, err = _run(["report", "--db", url, "--out", str(tmp_path / "o")], capsys)
    assert code == 1 and "db-upgrade" in err
    assert not (tmp_path / "o" / "report.html").exists()


def test_report_on_postgresql(engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    load_golds(engine, synthetic_golds(25, seed=9))
    url = engine.url.render_as_string(hide_password=False)
    code, _out, _err = _run(["report", "--db", url, "--out", str(tmp_path / "o")], capsys)
    assert code == 0
    assert "| letters | 25 | 25 | 25 |" in (tmp_path / "o" / "report.md").read_text(encoding="utf-8")


def test_help_has_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("report", "db-grant-readonly"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert f"imr {command} " in capsys.readouterr().out


def test_reports_import_neither_prefect_nor_great_expectations() -> None:
    import subprocess
    import sys

    code = (
        "import reports, reports.charts, sys;"
        "print([m for m in sys.modules if m.split('.')[0] in ('prefect', 'great_expectations')])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
