"""Letters for the review queue's tests: generated letters with a damaged decision word (as in
tests/extract/test_extract_item_loss.py), rejected ``unresolved_item`` with the partial letter
extraction keeps (the damaged item's decision None, ``_doubtful``), and their set-aside through
the pipeline's own stages."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from sqlalchemy.engine import Engine

import warehouse
from imr.extract.entry import extract_bytes
from imr.models import LetterRecord
from imr.outcomes import BatchKind, BatchStatus, FileStatus
from imr.settings import Settings
from imr.synth import SyntheticLetter, generate_letter, render_text
from pipeline.lifecycle import Reason
from pipeline.run import RunRequest
from pipeline.stages import Validated, load_chunk, settle_chunk
from pipeline.work import WorkItem

#: the decision words of item lines (the first one found is damaged)
DECISION_WORD = re.compile(r"\b(?:Upheld|Overturned)\b")


@dataclasses.dataclass(frozen=True)
class Damaged:
    """A generated letter whose decision word of item ``index`` (0-based) cannot be read."""

    seed: int
    data: bytes
    clean: bytes
    synthetic: SyntheticLetter
    index: int

    @property
    def decision(self) -> str:
        """The decision the letter really gives the damaged item."""
        return self.synthetic.letter.items[self.index].decision


def damaged(seed: int) -> Damaged | None:
    """Letter ``seed`` with its first item decision word damaged (``Upheld`` -> ``Uph#ld``), when
    the extractor then rejects it ``unresolved_item`` naming the item; else None."""
    synthetic = generate_letter(seed)
    clean = render_text(synthetic, "lf")
    text = clean.decode("utf-8")
    m = DECISION_WORD.search(text)
    if m is None:
        return None
    word = m.group(0)
    data = (text[: m.start()] + word[:3] + "#" + word[4:] + text[m.end() :]).encode("utf-8")
    record = extract_bytes(data, "damaged.txt")
    if record.status != "rejected" or [e.code for e in record.errors] != ["unresolved_item"]:
        return None
    assert record.partial is not None, "extraction keeps the partial letter of a letter set aside"
    named = re.search(r"item (\d+)", record.errors[0].message)
    if named is None:
        return None
    index = int(named.group(1)) - 1
    if not 0 <= index < len(synthetic.letter.items):
        return None
    return Damaged(seed, data, clean, synthetic, index)


def damaged_letters(count: int, start: int = 0) -> list[Damaged]:
    """``count`` damaged letters from seeds ``start``, ``start + 1``, ..."""
    out: list[Damaged] = []
    seed = start
    while len(out) < count:
        found = damaged(seed)
        if found is not None:
            out.append(found)
        seed += 1
    return out


def set_aside_by_stages(engine: Engine, settings: Settings, inbox: Path, damaged: list[Damaged]) -> str:
    """Write the damaged letters into ``inbox`` and set them aside through the pipeline's stages
    (:func:`set_aside_records`); returns the batch id."""
    files = [(f"damaged-{d.seed}.txt", d.data, extract_bytes(d.data, f"damaged-{d.seed}.txt")) for d in damaged]
    return set_aside_records(engine, settings, inbox, files)


def set_aside_records(
    engine: Engine, settings: Settings, inbox: Path, files: list[tuple[str, bytes, LetterRecord]]
) -> str:
    """Write each ``(rel_path, bytes, rejected record)`` into ``inbox``, register them in an ingest
    batch and set them aside through the pipeline's stages (``load_chunk`` records the set-aside
    and queues each a person can settle, ``settle_chunk`` moves it to quarantine); returns the
    batch id."""
    inbox.mkdir(parents=True, exist_ok=True)
    batch = warehouse.start_batch(engine, BatchKind.INGEST, [str(inbox)])
    items: list[WorkItem] = []
    for rel, data, record in files:
        path = inbox / rel
        path.write_bytes(data)
        sha = record.source.sha256
        fid = warehouse.register_file(engine, batch, str(inbox), rel, sha, len(data), "text/plain")
        reasons = [Reason(e.code, e.message) for e in record.errors]
        items.append(
            WorkItem(fid, str(inbox), rel, str(path), sha, len(data), "text/plain", record=record,
                     status=FileStatus.REJECTED, reasons=reasons)
        )  # fmt: skip
    done = load_chunk(engine, Validated(items))
    settle_chunk(engine, done, RunRequest(BatchKind.INGEST, settings=settings).destinations(), batch)
    warehouse.finish_batch(engine, batch, BatchStatus.COMPLETED_WITH_QUARANTINE)
    return batch
