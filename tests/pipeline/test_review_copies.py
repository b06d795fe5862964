"""A copy of a letter that lost a page waits for review until its complete letter is loaded, and
the queue ends the same whatever the order: the copy before the letter, after it, or in the same
batch (SQLite and PostgreSQL, through the ingest flow). A copy that read a value otherwise stays."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

import warehouse as w
from imr.extract.entry import sha256_hex
from imr.outcomes import ReviewStatus
from imr.synth import HardCases, generate_letter, render_text
from tests.pipeline_helpers import OLD, run_batch, settings_for
from warehouse import review as queue

pytestmark = pytest.mark.usefixtures("prefect_harness")


def _letter_and_copies() -> dict[str, bytes]:
    """A generated mailed copy of three pages or more (numbered, its header dated), the same without its second page
    (set aside: its own page numbers show the page missing), and that copy with its first decision
    word turned (a copy that read a decision otherwise)."""
    for seed in range(400):
        synthetic = generate_letter(seed, layout="D1", hard=HardCases.older())
        text = render_text(synthetic, "lf")
        pages = text.split(b"\f")
        letter = synthetic.letter
        dated = letter.case_number is not None and letter.decision_date is not None
        if "page_furniture" in synthetic.features and len(pages) >= 3 and len(letter.items) >= 2 and dated:
            cut = b"\f".join(p for k, p in enumerate(pages) if k != 1)
            first = synthetic.letter.items[0].decision.capitalize().encode()
            other = b"Overturned" if first == b"Upheld" else b"Upheld"
            assert cut.count(b": " + first) >= 1
            return {
                "whole.txt": text,
                "copy.txt": cut,
                "otherwise.txt": cut.replace(b": " + first, b": " + other, 1),
            }
    raise AssertionError("no numbered letter of three pages")


def _drop(inbox: Path, files: dict[str, bytes], names: list[str]) -> None:
    inbox.mkdir(parents=True, exist_ok=True)
    for name in names:
        (inbox / name).write_bytes(files[name])
        os.utime(inbox / name, (OLD, OLD))


@pytest.mark.parametrize(
    "arrival",
    [
        [["copy.txt", "otherwise.txt"], ["whole.txt"]],
        [["whole.txt"], ["copy.txt", "otherwise.txt"]],
        [["whole.txt", "copy.txt", "otherwise.txt"]],
    ],
    ids=["copy first", "letter first", "one batch"],
)
def test_the_complete_letter_settles_its_copy_whatever_the_order(
    engine: Engine, tmp_path: Path, arrival: list[list[str]]
) -> None:
    files = _letter_and_copies()
    settings = settings_for(tmp_path, quarantine_threshold=1.0)
    for batch in arrival:
        _drop(tmp_path / "inbox", files, batch)
        run_batch(engine, tmp_path / "inbox", settings)
    (letter,) = w.export_records(engine)
    assert letter.source.path.endswith("whole.txt")
    settled = {item.sha256: item for item in queue.list_items(engine, statuses=tuple(ReviewStatus))}
    copy, otherwise = (settled[sha256_hex(files[name])] for name in ("copy.txt", "otherwise.txt"))
    assert copy.codes == ["unresolved_item"] and otherwise.codes == ["unresolved_item"]
    assert copy.status == ReviewStatus.SUPERSEDED and copy.letter_id is not None
    assert queue.actions_of(engine, copy.id)[-1].note == queue.COPY_LOADED
    assert otherwise.status == ReviewStatus.WAITING  # a decision read otherwise: a person looks
    assert [i.id for i in queue.list_items(engine)] == [otherwise.id]
