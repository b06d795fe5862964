"""Fuzzing through the isolated extractor: Hypothesis mutates synthetic and real PDFs and texts
(bit flips, cuts, long runs of repeated separators, repeated slices) and feeds each to
:class:`pipeline.isolation.IsolatedExtractor`: nothing escapes, nothing hangs, every record is
contract-valid, no extractor process crashes (a hang or a bloat ends as ``extract_timeout`` /
``extract_memory`` within the limit: the call returns). A bounded budget here (about a minute);
``python -m bench.fuzz`` runs longer and lists what it found."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imr.settings import Settings
from imr.synth import generate_letter, render_text
from imr.synth.pdf_render import render_pdf
from pipeline.isolation import IsolatedExtractor
from tests.conftest import REAL
from tests.helpers import assert_contract
from tests.hostile_files import MUTATION_KINDS, SEPARATORS, Mutation, mutate

BUDGET = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=False)
#: Codes that mean an extractor bug escaped into a record: an exception or a crashed process.
#: ``extract_timeout`` / ``extract_memory`` are the isolation doing its job on a slow or bloated
#: input (the call still returns within the limit; bench/fuzz.py lists which inputs do that).
BUGS = ("extract_crash", "internal_error")

mutations = st.lists(
    st.tuples(
        st.sampled_from(MUTATION_KINDS),
        st.floats(0, 1),
        st.integers(1, 5_000),
        st.integers(0, len(SEPARATORS) - 1),
    ),
    min_size=1,
    max_size=4,
)


@functools.lru_cache(maxsize=8)
def _synthetic(seed: int, pdf: bool) -> bytes:
    letter = generate_letter(seed)
    return render_pdf(letter) if pdf else render_text(letter, "lf")


@pytest.fixture(scope="module")
def extractor() -> Iterator[IsolatedExtractor]:
    with IsolatedExtractor(Settings(extract_timeout_seconds=10)) as ex:
        yield ex


def _check(ex: IsolatedExtractor, path: Path, data: bytes) -> str:
    path.write_bytes(data)
    rec = ex.extract(path, path.name)
    assert_contract(rec.to_dict())
    assert rec.status in ("parsed", "rejected")
    codes = [e.code for e in rec.errors]
    assert not set(codes) & set(BUGS), f"{path.name}: {codes}"
    return rec.status


@pytest.mark.timeout(120)
@BUDGET
@given(seed=st.integers(0, 5), pdf=st.booleans(), ops=mutations)
def test_mutated_synthetic_letters(
    extractor: IsolatedExtractor, tmp_path_factory: pytest.TempPathFactory, seed: int, pdf: bool, ops: list[Mutation]
) -> None:
    out = tmp_path_factory.getbasetemp() / "fuzz"
    out.mkdir(exist_ok=True)
    _check(extractor, out / ("m.pdf" if pdf else "m.txt"), mutate(_synthetic(seed, pdf), ops))


def _real_pdfs() -> list[Path]:
    return sorted((REAL / "pdf").glob("*.pdf"))[:6] if (REAL / "pdf").is_dir() else []


@pytest.mark.corpus
@pytest.mark.timeout(120)
@BUDGET
@given(index=st.integers(0, 5), ops=mutations)
def test_mutated_real_letters(
    extractor: IsolatedExtractor, tmp_path_factory: pytest.TempPathFactory, index: int, ops: list[Mutation]
) -> None:
    real = _real_pdfs()
    if not real:
        pytest.skip("../shared/corpus/real is absent")
    out = tmp_path_factory.getbasetemp() / "fuzz-real"
    out.mkdir(exist_ok=True)
    _check(extractor, out / "r.pdf", mutate(real[index % len(real)].read_bytes(), ops))
