"""The unit of work of an ingest run: one registered file on its way through the stages.

A :class:`WorkItem` is small and plain (paths, ids, codes, the extracted record): the Prefect
tasks pass lists of them from stage to stage, one chunk at a time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from imr.errors import REASON_CODES
from imr.models import LetterRecord
from imr.outcomes import ARCHIVED, SET_ASIDE, FileStatus
from pipeline.lifecycle import Reason

#: What happens to a file once its outcome is committed.
Disposition = Literal["archive", "quarantine", "keep"]

#: The reason codes the pipeline sets (their texts are in the one registry, imr.errors.REASON_CODES;
#: the extractor and the expectations have their own).
INGEST_REASON_CODES: dict[str, str] = {
    code: REASON_CODES[code]
    for code in ("symlink_outside_inbox", "duplicate_file", "file_changed", "file_missing", "warehouse_constraint")
}

T = TypeVar("T")


@dataclass
class WorkItem:
    """One file registered in a batch: where it is, what it is, and (later) its outcome.

    ``path`` is where the bytes are now (the inbox, or the quarantine folder on a rerun);
    ``inbox``/``rel_path`` are its identity in the ledger; ``also_update`` lists earlier ledger
    rows of the same physical file whose ``current_path`` must follow it when it moves.
    """

    file_id: str
    inbox: str
    rel_path: str
    path: str
    sha256: str
    size: int
    media_type: str
    record: LetterRecord | None = None
    status: FileStatus = FileStatus.PENDING
    reasons: list[Reason] = field(default_factory=list)
    case_number: str | None = None
    letter_id: str | None = None
    also_update: list[str] = field(default_factory=list)
    moved_to: str | None = None

    @property
    def codes(self) -> list[str]:
        """The reason codes of the outcome, in order, without repeats."""
        return list(dict.fromkeys(r.code for r in self.reasons))

    @property
    def disposition(self) -> Disposition:
        """``archive`` for loaded/linked/duplicate, ``quarantine`` for rejected/quarantined, else ``keep``."""
        if self.status in ARCHIVED:
            return "archive"
        if self.status in SET_ASIDE:
            return "quarantine"
        return "keep"


@dataclass
class Tally:
    """What a run's summary needs of its settled files, without the files: how many, how many moved,
    their reason codes and the case numbers of the quarantined ones. A chunk hands back its tally,
    never its thousand work items (they would be pickled to the flow and kept there to the end)."""

    files: int = 0
    moved: int = 0
    codes: Counter[str] = field(default_factory=Counter)
    quarantined_cases: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, items: Iterable[WorkItem]) -> Tally:
        """The tally of settled ``items``."""
        tally = cls()
        for item in items:
            tally.files += 1
            tally.moved += item.moved_to is not None
            tally.codes.update(item.codes)
            if item.status == FileStatus.QUARANTINED and item.case_number:
                tally.quarantined_cases.add(item.case_number)
        return tally

    def __iadd__(self, other: Tally) -> Tally:
        self.files += other.files
        self.moved += other.moved
        self.codes.update(other.codes)
        self.quarantined_cases |= other.quarantined_cases
        return self


def chunked(items: Sequence[T], size: int) -> Iterator[list[T]]:
    """Consecutive chunks of at most ``size`` items (``size`` < 1 is treated as 1)."""
    step = max(1, int(size))
    for start in range(0, len(items), step):
        yield list(items[start : start + step])


#: The fewest letters worth a chunk of their own (a chunk's validation has a fixed cost of ~0.5 s).
MIN_CHUNK = 50


def chunks_for(items: Sequence[T], size: int, lanes: int = 1) -> list[list[T]]:
    """The chunks of a run: consecutive, at most ``size`` items each. With ``lanes`` > 1 (chunks
    that run at once), the count is a multiple of ``lanes`` and the chunks are of even size, so
    every worker stays busy to the end, as long as each chunk keeps ``MIN_CHUNK`` items."""
    if lanes <= 1 or len(items) < lanes * MIN_CHUNK:
        return list(chunked(items, size))
    at_most_size = -(-len(items) // max(1, int(size)))
    count = min(len(items), lanes * -(-at_most_size // lanes))
    base, extra = divmod(len(items), count)
    out: list[list[T]] = []
    start = 0
    for n in range(count):
        end = start + base + (1 if n < extra else 0)
        out.append(list(items[start:end]))
        start = end
    return out
