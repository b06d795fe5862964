"""The review queue end to end, on the path `imr ingest`, `imr rerun` and `imr backfill` run (the
flows on the Prefect harness) and the real `imr review` (SQLite and PostgreSQL):

a batch of generated letters, two with a damaged decision word and one a copy of another that
differs on a decision, lands those three in the queue; `imr review resolve` loads each with the
right decisions and the reviewer's mark; the queue empties; then nothing overwrites the review:
a rerun of the batch, the same bytes dropped into the inbox again, a backfill of them: the export
stays identical and every reviewed letter keeps its review.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

import warehouse
from imr.cli import main
from imr.extract.entry import extract_bytes
from imr.models import Letter
from imr.outcomes import FileStatus, ReviewStatus
from imr.synth import generate_letter, render_text
from tests.pipeline_helpers import OLD, run_batch, settings_for, url_of
from tests.review_helpers import damaged_letters
from warehouse import review as queue

pytestmark = [pytest.mark.slow, pytest.mark.prefect, pytest.mark.usefixtures("prefect_harness")]

CLEAN_SEEDS = (101, 102, 103, 104, 105)
DECISION = re.compile(r"\b(Upheld|Overturned)\b")


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (OLD, OLD))
    return path


def _flipped(seed: int) -> tuple[bytes, bytes, int, str]:
    """Letter ``seed`` and a copy whose first item decision reads the other way: (original bytes,
    copy bytes, the flipped item's index, the original decision)."""
    synthetic = generate_letter(seed)
    text = render_text(synthetic, "lf").decode("utf-8")
    m = DECISION.search(text)
    assert m is not None
    other = "Overturned" if m.group(1) == "Upheld" else "Upheld"
    copy = (text[: m.start()] + other + text[m.end() :]).encode("utf-8")
    original = render_text(synthetic, "lf")
    parsed = [_letter(original), _letter(copy)]
    index = next(
        n for n, (a, b) in enumerate(zip(parsed[0].items, parsed[1].items, strict=True)) if a.decision != b.decision
    )
    return original, copy, index, parsed[0].items[index].decision


def _letter(data: bytes) -> Letter:
    record = extract_bytes(data, "x.txt")
    assert record.letter is not None
    return record.letter


def _review(db: str, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(["review", *argv, "--db", db])
    out, err = capsys.readouterr()  # (err may hold the Prefect harness's own log lines too)
    return code, out if code == 0 else err


def _export(db: str, capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    capsys.readouterr()
    assert main(["export", "--all-versions", "--evidence", "--db", db]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_reviewed_letters_load_and_nothing_overwrites_the_review(
    engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = url_of(engine)
    settings = settings_for(tmp_path)
    inbox = tmp_path / "inbox"
    damaged = damaged_letters(2, start=40)
    original, copy, flipped, right = _flipped(CLEAN_SEEDS[0])
    for seed in CLEAN_SEEDS[1:]:
        _write(inbox / f"letter-{seed}.txt", render_text(generate_letter(seed), "lf"))
    _write(inbox / "a-original.txt", original)
    _write(inbox / "zz-copy.txt", copy)  # after its original: the copy is the one set aside
    for d in damaged:
        _write(inbox / f"damaged-{d.seed}.txt", d.data)

    first = run_batch(engine, inbox, settings)
    assert first.counts.rejected == 2 and first.counts.quarantined == 1, first.line()
    assert first.review_waiting == 3 and first.review_oldest_days is not None
    code, out = _review(db, capsys, "list", "--json")
    assert code == 0
    items = json.loads(out)
    assert sorted(Path(i["file"]).name for i in items) == sorted(
        ["zz-copy.txt", *(f"damaged-{d.seed}.txt" for d in damaged)]
    )

    # a person settles each: the damaged decisions as the letters give them, the copy's misprint
    by_name = {Path(i["file"]).name: i["id"] for i in items}
    for d in damaged:
        path = f"items[{d.index}].decision"
        item = str(by_name[f"damaged-{d.seed}.txt"])
        code, out = _review(db, capsys, "resolve", item, "--set", f"{path}={d.decision}", "--by", "Ann Lee",
                            "--note", "read on the page")  # fmt: skip
        assert code == 0, out
    fix = f"items[{flipped}].decision={right}"
    code, out = _review(db, capsys, "resolve", str(by_name["zz-copy.txt"]), "--set", fix, "--by", "Bo Chan")
    assert code == 0 and "linked" in out, out  # a copy of the determination the case holds
    code, out = _review(db, capsys, "list", "--json")
    assert json.loads(out) == []
    assert len(queue.list_items(engine, (ReviewStatus.RESOLVED,))) == 3

    before = _export(db, capsys)
    current = [r for r in before if r["version"]["current"]]
    assert len(current) == len(CLEAN_SEEDS) + len(damaged)  # the copy is linked to its original
    reviewed = {r["source"]["sha256"]: r for r in before if r.get("review")}
    for d in damaged:
        rec = next(r for r in reviewed.values() if Path(r["source"]["path"]).name == f"damaged-{d.seed}.txt")
        assert [i["decision"] for i in rec["letter"]["items"]] == [i.decision for i in d.synthetic.letter.items]
        assert rec["review"]["by"] == "Ann Lee" and rec["review"]["changed"] == [f"items[{d.index}].decision"]
    assert len(reviewed) == 3
    # ingest stored each letter's evidence, the review queue each set-aside letter's: all exported
    assert all(r["evidence"] and "case_number" in r["evidence"] for r in current if r["letter"]["case_number"])
    for rec in reviewed.values():
        assert set(rec["evidence"]) >= {"decision_date"} or set(rec["evidence"]) >= {"items[0].request"}
    rows = [r for b in warehouse.list_batches(engine) for r in warehouse.list_files(engine, b.id)]
    archived = {Path(r.current_path or "").name for r in rows if r.status == FileStatus.LOADED}
    assert all(str(settings.archive_path().absolute()) in (r.current_path or "") for r in rows
               if r.status == FileStatus.LOADED)  # fmt: skip
    assert {f"damaged-{d.seed}.txt" for d in damaged} <= archived

    # a rerun of the batch: the reviewed bytes are loaded, skipped; nothing changes
    rerun = run_batch(engine, None, settings, "rerun", parent_batch_id=first.batch_id)
    assert rerun.counts.loaded == 0 and rerun.counts.rejected == 0, rerun.line()
    assert _export(db, capsys) == before

    # the same bytes dropped into the inbox again: duplicates of the reviewed letters
    for d in damaged:
        _write(inbox / f"again-{d.seed}.txt", d.data)
    _write(inbox / "again-copy.txt", copy)
    again = run_batch(engine, inbox, settings)
    assert again.counts.duplicates == 3 and again.counts.loaded == 0, again.line()
    assert again.review_waiting == 0
    assert _export(db, capsys) == before

    # a backfill of a folder holding them: committed bytes are skipped
    history = tmp_path / "history"
    for d in damaged:
        _write(history / f"old-{d.seed}.txt", d.data)
    backfill = run_batch(engine, history, settings, "backfill")
    assert backfill.counts.loaded == 0 and backfill.counts.rejected == 0, backfill.line()
    assert _export(db, capsys) == before
    code, out = _review(db, capsys, "list", "--json")
    assert json.loads(out) == []
