"""How a run cuts its work into chunks: every file once, in order, never a chunk over the size, and
with parallel workers a multiple of the workers, evenly sized (no worker idles on the last chunk);
and how it adds up what the chunks hand back (their tallies)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from imr.outcomes import FileStatus
from pipeline.lifecycle import Reason
from pipeline.work import MIN_CHUNK, Tally, WorkItem, chunked, chunks_for


@given(n=st.integers(0, 5000), size=st.integers(1, 1500), lanes=st.integers(1, 8))
def test_chunks_cover_every_item_once_in_order_within_the_size(n: int, size: int, lanes: int) -> None:
    items = list(range(n))
    chunks = chunks_for(items, size, lanes)
    assert [i for c in chunks for i in c] == items
    assert all(0 < len(c) <= size for c in chunks)
    if lanes > 1 and n >= lanes * MIN_CHUNK:
        assert len(chunks) % lanes == 0 or len(chunks) == n  # (chunks of one item)
        assert max(map(len, chunks)) - min(map(len, chunks)) <= 1
    else:
        assert chunks == list(chunked(items, size))


def test_a_year_on_two_workers_is_cut_in_even_pairs() -> None:
    assert [len(c) for c in chunks_for(list(range(3000)), 1000, 2)] == [750] * 4
    assert [len(c) for c in chunks_for(list(range(3000)), 1000, 1)] == [1000] * 3
    assert [len(c) for c in chunks_for(list(range(60)), 1000, 2)] == [60]  # too few to share


_settled = st.builds(
    WorkItem,
    file_id=st.uuids().map(str),
    inbox=st.just("/in"),
    rel_path=st.text(min_size=1, max_size=8),
    path=st.just("/in/x.txt"),
    sha256=st.just("0" * 64),
    size=st.integers(0, 10),
    media_type=st.just("text/plain"),
    status=st.sampled_from(list(FileStatus)),
    reasons=st.lists(st.builds(Reason, st.sampled_from(["dq_a", "dq_b", "file_changed"]), st.just("m")), max_size=3),
    case_number=st.none() | st.sampled_from(["CM24-0000001", "CM24-0000002"]),
    moved_to=st.none() | st.just("/archive/x.txt"),
)


@given(files=st.lists(_settled, max_size=40), cut=st.integers(0, 40))
def test_the_tallies_of_the_chunks_add_up_to_the_tally_of_the_batch(files: list[WorkItem], cut: int) -> None:
    """What a run sums from its chunks is what the summary would count over all of its files."""
    tally = Tally.of(files[:cut])
    tally += Tally.of(files[cut:])
    assert tally == Tally.of(files)
    assert tally.files == len(files)
    assert tally.moved == sum(1 for f in files if f.moved_to)
    assert sum(tally.codes.values()) == sum(len(f.codes) for f in files)
    quarantined = {f.case_number for f in files if f.status == FileStatus.QUARANTINED and f.case_number}
    assert tally.quarantined_cases == quarantined
