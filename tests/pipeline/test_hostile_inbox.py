"""The "Done when" of issue 9: an inbox of 25+ kinds of hostile entries beside genuine letters, run
through the real ``imr ingest`` CLI (a subprocess against the session's Prefect API).

Expected: the run completes (exit 0), loads exactly the genuine letters, gives every regular file
an outcome with a reason (archive or quarantine, a ledger row with a final status), refuses links
leading outside, and leaves non-files (FIFO, socket, device, symlink loop, folder named ``*.pdf``)
and the entries it does not take (hidden, partial, ``.docx``) where they are.

Most of the files are junk, so the share set aside is far above the default quarantine threshold
(20 %): that is what the threshold is for, and an operator feeding such a folder should be told. The
run here sets ``IMR_QUARANTINE_THRESHOLD=0.9`` so that its verdict says whether the batch itself
went through (completed with quarantine), not whether the feed was clean.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import warehouse
from tests.conftest import REAL
from tests.hostile_inbox import HostileInbox, build_hostile_inbox
from warehouse import schema as s

pytestmark = [pytest.mark.prefect, pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Ran:
    box: HostileInbox
    rc: int
    out: str
    summary: dict[str, Any]
    rows: list[Any]
    loaded: set[str]
    n_letters: int
    data: Path


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ran]:
    from prefect.settings import PREFECT_API_URL

    tmp = tmp_path_factory.mktemp("hostile")
    box = build_hostile_inbox(tmp / "inbox", real_dir=REAL if (REAL / "pdf").is_dir() else None)
    assert len(box.kinds) >= 25, box.kinds
    db = f"sqlite:///{tmp / 'warehouse.db'}"
    env = dict(os.environ)
    env.update(
        {
            "PREFECT_API_URL": str(PREFECT_API_URL.value()),
            "IMR_STABLE_SECONDS": "2",
            "IMR_DATA_DIR": str(tmp / "data"),
            "IMR_QUARANTINE_THRESHOLD": "0.9",
            "PYTHONPATH": str(ROOT),
        }
    )
    proc = subprocess.run(
        [sys.executable, "-m", "imr.cli", "ingest", "--inbox", str(box.inbox), "--db", db, "--json"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=900,
    )
    line = next((ln for ln in proc.stdout.splitlines()[::-1] if ln.startswith("{")), "{}")
    engine = warehouse.make_engine(db)
    try:
        with warehouse.reading(engine) as conn:
            rows = list(conn.execute(sa.select(s.source_files)))
            n_letters = int(conn.execute(sa.select(sa.func.count()).select_from(s.letters)).scalar_one())
    finally:
        engine.dispose()
    loaded = {r.sha256 for r in rows if r.status == "loaded"}
    out = proc.stdout[-3000:] + proc.stderr[-3000:]
    (tmp / "run.log").write_text(proc.stdout + proc.stderr)
    yield Ran(box, proc.returncode, out, json.loads(line), rows, loaded, n_letters, tmp)
    box.close()


def test_run_completes(ran: Ran) -> None:
    assert ran.rc == 0, ran.out
    assert ran.summary["status"] in ("completed", "completed_with_quarantine")


def test_loads_exactly_the_genuine_letters(ran: Ran) -> None:
    assert ran.loaded == set(ran.box.genuine), ran.out
    assert ran.n_letters == len(ran.box.genuine)


def test_genuine_letters_are_loaded_whatever_their_names(ran: Ran) -> None:
    assert set(ran.box.genuine) <= ran.loaded
    assert all(not p.exists() for p in ran.box.genuine.values()), "loaded letters left the inbox"
    dup = [r for r in ran.rows if r.status == "duplicate"]
    assert len(dup) == len(ran.box.duplicates)


def test_every_regular_file_gets_an_outcome_with_a_reason(ran: Ran) -> None:
    final = {r.current_path: r for r in ran.rows if r.status != "pending"}
    assert len(final) == len(ran.rows), "no row left pending"
    for row in ran.rows:
        if row.status in ("rejected", "quarantined"):
            assert row.reason_codes, row.rel_path
            assert row.current_path and os.path.lexists(row.current_path), row.rel_path
    for kind, path in [*ran.box.hostile.items(), *ran.box.refused.items()]:
        assert not os.path.lexists(path), f"{kind} is still in the inbox"
    assert len(ran.rows) == len(ran.box.genuine) + len(ran.box.duplicates) + len(ran.box.hostile) + len(
        ran.box.refused
    )


def test_links_leading_outside_are_refused_never_read(ran: Ran) -> None:
    codes = {r.rel_path: r.reason_codes for r in ran.rows}
    for path in ran.box.refused.values():
        assert codes[path.name] == ["symlink_outside_inbox"]
    assert (ran.box.inbox.parent / "outside-secret.txt").read_text() == "not for the inbox"


def test_non_files_and_ignored_entries_stay_where_they_are(ran: Ran) -> None:
    for kind, path in ran.box.left_alone.items():
        assert os.path.lexists(path), f"{kind} was moved"
    assert (ran.box.inbox / "fifo.pdf").is_fifo() and (ran.box.inbox / "loop.pdf").is_symlink()
    taken = {r.rel_path for r in ran.rows}
    assert not taken & {"fifo.pdf", "socket.txt", "device.pdf", "loop.pdf", "notes.docx", ".hidden.pdf"}
