"""What a new user trips over gets one line that says what to do, a non-zero exit, no traceback,
no password, and read-only commands never create a database."""

from __future__ import annotations

from pathlib import Path

import pytest

from imr.cli import main
from tests.fixtures_db import postgres_test_url


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip()
    assert err and "\n" not in err and "Traceback" not in err, err
    return err


def test_missing_inbox_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nonexistent"
    assert main(["ingest", "--inbox", str(missing), "--db", f"sqlite:///{tmp_path / 'w.db'}"]) == 2
    err = _one_line_error(capsys)
    assert str(missing) in err and "--inbox" in err
    assert not (tmp_path / "w.db").exists()


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("bogus://x", "unknown database driver"),
        ("mysql://etl:s3cret-pw@127.0.0.1/imr", "unknown database driver"),  # a dialect whose driver is absent
        ("postgresql+psycopg://etl:s3cret-pw@127.0.0.1:1/imr", "connection refused"),
        ("not a url at all", "malformed warehouse URL"),
    ],
)
@pytest.mark.parametrize("command", ["ingest", "batches", "export", "db-upgrade"])
def test_bad_database_urls_read_as_one_line(
    command: str, url: str, reason: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    argv = [command, "--db", url] + (["--inbox", str(inbox)] if command == "ingest" else [])
    assert main(argv) == 1
    err = _one_line_error(capsys)
    assert reason in err and "s3cret-pw" not in err


@pytest.mark.postgres
def test_unknown_postgres_database_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    import sqlalchemy as sa


    url = sa.make_url(postgres_test_url())
    try:
        sa.create_engine(url, connect_args={"connect_timeout": 3}).connect().close()
    except sa.exc.DBAPIError:
        pytest.skip("PostgreSQL unreachable")
    missing = url.set(database="imr_no_such_database").render_as_string(hide_password=False)
    assert main(["batches", "--db", missing]) == 1
    assert "the database does not exist" in _one_line_error(capsys)


@pytest.mark.parametrize("command", ["export", "batches"])
def test_read_only_commands_never_create_a_database(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "none" / "warehouse.db"
    assert main([command, "--db", f"sqlite:///{db}"]) == 1
    err = _one_line_error(capsys)
    assert "no warehouse at" in err and "imr ingest" in err
    assert not db.exists() and not db.parent.exists()


def test_rerun_of_an_unknown_batch_names_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'w.db'}"
    assert main(["db-upgrade", "--db", db]) == 0
    capsys.readouterr()
    assert main(["rerun", "deadbeef", "--db", db]) == 1
    err = _one_line_error(capsys)
    assert "'deadbeef'" in err and "imr batches" in err
