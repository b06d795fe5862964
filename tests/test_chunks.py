"""How a run cuts its work into chunks: every file once, in order, never a chunk over the size, and
with parallel workers a multiple of the workers, evenly sized (no worker idles on the last chunk)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pipeline.work import MIN_CHUNK, chunked, chunks_for


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
