"""`imr review` on a real warehouse (SQLite and PostgreSQL): list, show, resolve and reject the
letters the pipeline's stages set aside; exit 0 done, 1 refused by validation, 2 a usage error or
an unknown or settled item; every error one line; `imr export --evidence` and the review object."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from imr.cli import main
from imr.settings import Settings, get_settings
from tests.helpers import assert_contract
from tests.pipeline_helpers import url_of
from tests.review_helpers import Damaged, damaged_letters, set_aside_by_stages


@pytest.fixture
def queued(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, Settings, list[Damaged]]:
    """Two damaged letters waiting in the queue; the data folder is the process's (IMR_DATA_DIR)."""
    monkeypatch.setenv("IMR_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    settings = Settings(data_dir=tmp_path / "data", database_url=url_of(engine))
    letters = damaged_letters(2, start=20)
    set_aside_by_stages(engine, settings, tmp_path / "inbox", letters)
    return url_of(engine), settings, letters


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _one_line(err: str) -> str:
    err = err.strip()
    assert err and "\n" not in err and "Traceback" not in err, err
    return err


def _ids(db: str, capsys: pytest.CaptureFixture[str]) -> list[int]:
    code, out, _ = _run(capsys, "review", "list", "--json", "--db", db)
    assert code == 0
    return [e["id"] for e in json.loads(out)]


def test_list_shows_the_waiting_letters(
    queued: tuple[str, Settings, list[Damaged]], capsys: pytest.CaptureFixture[str]
) -> None:
    db, _, letters = queued
    code, out, _ = _run(capsys, "review", "list", "--json", "--db", db)
    assert code == 0
    entries = json.loads(out)
    assert [e.get("case_number") for e in entries] == [d.synthetic.letter.case_number for d in letters]
    for e in entries:  # the case number when known
        assert set(e) == {"id", "file", "codes", "since"} | ({"case_number"} if e.get("case_number") else set())
    assert entries[0]["codes"] == ["unresolved_item"] and entries[0]["file"].startswith("quarantine/")
    code, out, _ = _run(capsys, "review", "list", "--db", db)
    assert code == 0 and "2 waiting" in out and entries[0]["file"] in out


def test_show_prints_the_item_and_writes_its_page(
    queued: tuple[str, Settings, list[Damaged]], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db, _, letters = queued
    first = _ids(db, capsys)[0]
    code, out, _ = _run(capsys, "review", "show", str(first), "--db", db)
    assert code == 0
    shown = json.loads(out)
    d = letters[0]
    assert shown["codes"] == ["unresolved_item"] and shown["doubtful"] == [f"items[{d.index}].decision"]
    assert shown["partial"]["items"][d.index]["decision"] is None
    assert "evidence" in shown and shown["status"] == "waiting"
    code, _, err = _run(capsys, "review", "show", str(first), "--out", str(tmp_path / "pages"), "--db", db)
    assert code == 0
    page = Path(err.strip())
    assert page.suffix == ".html" and page.parent == tmp_path / "pages" and page.stat().st_size > 0
    code, _, err = _run(capsys, "review", "show", "9999", "--db", db)
    assert code == 2 and "no review item 9999" in _one_line(err)


def test_resolve_exits_by_what_happened(
    queued: tuple[str, Settings, list[Damaged]], capsys: pytest.CaptureFixture[str]
) -> None:
    db, _, letters = queued
    first = _ids(db, capsys)[0]
    d = letters[0]
    path = f"items[{d.index}].decision"
    # a value of the wrong type: a usage error, one line
    code, _, err = _run(capsys, "review", "resolve", str(first), "--set", f"{path}=maybe", "--by", "Ann", "--db", db)
    assert code == 2 and "is not one of upheld, overturned" in _one_line(err)
    # nothing set: the missing decision is refused by validation, the item waits
    code, _, err = _run(capsys, "review", "resolve", str(first), "--by", "Ann", "--db", db)
    assert code == 1 and "validation refused: dq_item_decision_in_set" in _one_line(err)
    assert _ids(db, capsys)[0] == first
    # malformed --set: argparse's usage error
    with pytest.raises(SystemExit) as e:
        main(["review", "resolve", str(first), "--set", "no-equals-sign", "--by", "Ann", "--db", db])
    assert e.value.code == 2
    capsys.readouterr()
    code, out, _ = _run(
        capsys, "review", "resolve", str(first), "--set", f"{path}={d.decision}", "--by", "Ann", "--note", "fax",
        "--db", db,
    )  # fmt: skip
    assert code == 0 and f"review item {first} resolved" in out
    assert first not in _ids(db, capsys)
    code, out, _ = _run(capsys, "export", "--evidence", "--db", db)
    assert code == 0
    (record,) = [json.loads(line) for line in out.splitlines()]
    assert_contract(record)
    assert record["review"]["by"] == "Ann" and record["review"]["note"] == "fax"
    assert record["review"]["changed"] == [path] and isinstance(record["evidence"], dict)
    assert record["letter"]["items"][d.index]["decision"] == d.decision
    code, _, err = _run(
        capsys, "review", "resolve", str(first), "--set", f"{path}={d.decision}", "--by", "A", "--db", db
    )
    assert code == 2 and "resolved already" in _one_line(err)


def test_reject(queued: tuple[str, Settings, list[Damaged]], capsys: pytest.CaptureFixture[str]) -> None:
    db, _, _ = queued
    first = _ids(db, capsys)[0]
    code, out, _ = _run(capsys, "review", "reject", str(first), "--by", "Ann", "--reason", "cover sheet", "--db", db)
    assert code == 0 and "stays in quarantine" in out
    code, _, err = _run(capsys, "review", "reject", str(first), "--by", "Ann", "--reason", "again", "--db", db)
    assert code == 2 and "rejected already" in _one_line(err)
    assert first not in _ids(db, capsys)


def test_usage_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "review")
    assert code == 2 and "list, show ID, resolve ID or reject ID" in _one_line(err)
    code, _, err = _run(capsys, "review", "list", "--db", f"sqlite:///{tmp_path / 'none.db'}")
    assert code == 1 and "no warehouse at" in _one_line(err)
    assert not (tmp_path / "none.db").exists()
