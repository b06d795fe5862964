"""Hypothesis: mutated, truncated and arbitrary inputs never raise out of the extractor and always
yield a contract-valid record; parsed letters are internally consistent."""

from __future__ import annotations

import functools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imr.extract.dates import parse_date
from imr.extract.entry import extract_bytes
from imr.models import outcome_of
from imr.synth import generate_letter, render_text
from imr.synth.pdf_render import render_pdf
from tests.helpers import assert_contract

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@functools.lru_cache(maxsize=16)
def _letter_bytes(seed: int, variant: str) -> bytes:
    return render_text(generate_letter(seed), variant if variant != "cp1252" else "lf")


@functools.lru_cache(maxsize=4)
def _pdf_bytes(seed: int) -> bytes:
    return render_pdf(generate_letter(seed))


def _check(data: bytes, name: str) -> None:
    rec = extract_bytes(data, name)
    d = rec.to_dict()
    assert_contract(d)
    assert rec.status in ("parsed", "rejected")
    if rec.status == "rejected":
        assert rec.errors and rec.letter is None
        assert all(e.code != "internal_error" for e in rec.errors), rec.errors
    else:
        assert rec.letter is not None and rec.letter.items
        assert rec.letter.outcome == outcome_of([i.decision for i in rec.letter.items])
        assert [i.ordinal for i in rec.letter.items] == list(range(1, len(rec.letter.items) + 1))


@FAST
@given(
    seed=st.integers(0, 15),
    variant=st.sampled_from(["lf", "crlf", "bom", "seed"]),
    cut=st.floats(0.0, 1.0),
)
def test_truncated_text_letters(seed: int, variant: str, cut: float) -> None:
    data = _letter_bytes(seed, variant)
    _check(data[: int(len(data) * cut)], "t.txt")


@FAST
@given(
    seed=st.integers(0, 15),
    edits=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 40), st.binary(max_size=30)), max_size=6),
)
def test_mutated_text_letters(seed: int, edits: list[tuple[float, int, bytes]]) -> None:
    data = bytearray(_letter_bytes(seed, "lf"))
    for where, length, replacement in edits:
        i = int(where * len(data))
        data[i : i + length] = replacement
    _check(bytes(data), "m.txt")


@FAST
@given(
    seed=st.integers(0, 15),
    lines=st.lists(st.sampled_from([
        "Upheld", "Overturned", ": Upheld", "Claims Administrator guideline:", "MAXIMUS guideline:",
        "Decision rationale:", "IMR ISSUES, DECISIONS AND RATIONALES", "Case Number: CM99-9999999", "",
        "State(s) of Licensure:", "Page 2 of 9", "set forth below:", "Date of Injury: 99/99/9999",
    ]), max_size=8),
    where=st.floats(0, 1),
)  # fmt: skip
def test_structural_lines_inserted(seed: int, lines: list[str], where: float) -> None:
    text = _letter_bytes(seed, "lf").decode("utf-8")
    rows = text.split("\n")
    i = int(where * len(rows))
    _check("\n".join(rows[:i] + lines + rows[i:]).encode(), "s.txt")


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 3), cut=st.floats(0.05, 0.95), flip=st.integers(0, 255))
def test_damaged_pdfs(seed: int, cut: float, flip: int) -> None:
    data = bytearray(_pdf_bytes(seed))
    _check(bytes(data[: int(len(data) * cut)]), "p.pdf")
    i = int(cut * len(data))
    data[i] = flip
    _check(bytes(data), "q.pdf")


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes(data: bytes) -> None:
    _check(data, "a.txt")
    _check(b"%PDF-1.7\n" + data, "a.pdf")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_parse_date_never_raises_with_null_policy(text: str) -> None:
    d = parse_date(text)
    assert d is None or 1900 <= d.year <= 2100


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=__import__("datetime").date(1950, 1, 1), max_value=__import__("datetime").date(2099, 12, 31)))
def test_parse_date_round_trips_letter_formats(d: object) -> None:
    import datetime as dt

    assert isinstance(d, dt.date)
    for text in (f"{d.month}/{d.day}/{d.year}", f"{d.month:02d}-{d.day:02d}-{d.year}", d.strftime("%B %d, %Y")):
        assert parse_date(text) == d
