"""No item ever disappears: a decision word that cannot be read (``Upheld`` -> ``Uph#ld``, the
``not medically necessary`` of a numbered sentence) rejects the letter ``unresolved_item``; the
letter never parses with one item fewer, in any layout the generator knows (issue 21)."""

from __future__ import annotations

import functools
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imr.extract.document import BREAK
from imr.extract.entry import extract_bytes, read_document
from imr.extract.items import damaged_decision
from imr.extract.normalize import normalize
from imr.synth import LAYOUTS, HardCases, SyntheticLetter, generate_letter, render_text

#: decision words of item lines, and the necessity words of numbered decision sentences
DECISION_WORD = re.compile(r"\b(?:Upheld|Overturned)\b|\bnot\s*medically(?=\s+necessary)|\bmedically(?=\s+necessary)")
DAMAGE = ("#", "", "?", "ii", " ")


@functools.lru_cache(maxsize=64)
def _letter(seed: int, layout: str, older: bool) -> tuple[SyntheticLetter, str]:
    letter = generate_letter(seed, layout=layout, hard=HardCases.older() if older else None)
    return letter, render_text(letter, "lf").decode("utf-8")


def _damage(text: str, which: float, where: float, mark: str) -> str | None:
    found = list(DECISION_WORD.finditer(text))
    if not found:
        return None
    m = found[min(int(which * len(found)), len(found) - 1)]
    word = m.group(0)
    k = 1 + min(int(where * (len(word) - 2)), len(word) - 3)  # never the first or last letter
    return text[: m.start()] + word[:k] + mark + word[k + 1 :] + text[m.end() :]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    layout=st.sampled_from(LAYOUTS),
    seed=st.integers(0, 400),
    older=st.booleans(),
    which=st.floats(0, 1, exclude_max=True),
    where=st.floats(0, 1, exclude_max=True),
    mark=st.sampled_from(DAMAGE),
)
def test_a_damaged_decision_word_never_loses_an_item(
    layout: str, seed: int, older: bool, which: float, where: float, mark: str
) -> None:
    synthetic, text = _letter(seed, layout, older)
    damaged = _damage(text, which, where, mark)
    assert damaged is not None, "every generated letter prints its decisions"
    rec = extract_bytes(damaged.encode("utf-8"), "damaged.txt")
    if rec.status == "rejected":
        assert [e.code for e in rec.errors] == ["unresolved_item"], rec.errors
        return
    # the damaged word was not a decision the parser relies on (a conclusion, a repeated list)
    assert rec.letter is not None
    gold = [i.decision for i in synthetic.letter.items]
    assert [i.decision for i in rec.letter.items] == gold


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_item_line_damaged_in_turn(layout: str) -> None:
    """Each item's own decision, damaged in turn, in a letter with several items of each layout."""
    seed = next(s for s in range(200) if len(generate_letter(s, layout=layout).letter.items) >= 3)
    synthetic, text = _letter(seed, layout, False)
    found = list(DECISION_WORD.finditer(text))
    for m in found:
        word = m.group(0)
        damaged = text[: m.start()] + word[:3] + "#" + word[4:] + text[m.end() :]
        rec = extract_bytes(damaged.encode("utf-8"), "damaged.txt")
        if rec.status == "parsed":
            assert rec.letter is not None
            assert len(rec.letter.items) == len(synthetic.letter.items)
        else:
            assert rec.errors[0].code == "unresolved_item"


def test_layout_b_issue_list_counts_the_items() -> None:
    """Layout B lists its items under ISSUE AT DISPUTE: one listed item without a readable
    decision line below (even a line that no longer looks like one) rejects the letter."""
    seed = next(s for s in range(200) if len(generate_letter(s, layout="B").letter.items) >= 2)
    _, text = _letter(seed, "B", False)
    line = next(ln for ln in text.splitlines() if re.search(r": (?:Upheld|Overturned)$", ln))
    gone = text.replace(line, line.rsplit(":", 1)[0] + " was reviewed.", 1)
    rec = extract_bytes(gone.encode("utf-8"), "b.txt")
    assert rec.status == "rejected" and rec.errors[0].code == "unresolved_item"


@pytest.mark.parametrize(
    ("line", "damaged"),
    [
        ("Naproxen 550mg #60: Uph#ld", True),
        ("Associated surgical service: Hip pad:  Overtumed", True),
        ("Uph eld", False),
        ("Upheid", True),
        ("Naproxen 550mg #60: Upheld", False),
        ("physical medicine treatment: Recommended", False),
        ("Priority: Standard", False),
        ("The request was updated", False),
    ],
)
def test_damaged_decision_line(line: str, damaged: bool) -> None:
    assert damaged_decision(line) is damaged


_CONCLUSION = re.compile(r"necess|medically", re.I)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layout=st.sampled_from(("C", "D1", "D2")), seed=st.integers(0, 400), older=st.booleans(), cut=st.floats(0.3, 1))
def test_a_letter_cut_short_never_parses_with_fewer_items(layout: str, seed: int, older: bool, cut: float) -> None:
    """A letter whose last pages are missing (cut at any line) parses with every item, or is set
    aside ``unresolved_item`` keeping the items read, unless the cut falls right after a
    rationale's conclusion (a letter cut there cannot be told from a whole one)."""
    synthetic, text = _letter(seed, layout, older)
    lines = text.split("\n")
    kept = lines[: max(1, int(len(lines) * cut))]
    rec = extract_bytes("\n".join(kept).encode("utf-8"), "cut.txt")
    if rec.status == "rejected":
        assert {e.code for e in rec.errors} <= {"unresolved_item", "no_items", "not_imr_letter"}, rec.errors
        if rec.errors[0].code == "unresolved_item":
            assert rec.partial is not None and rec.partial["items"], "the items read are kept for review"
        return
    assert rec.letter is not None
    if len(rec.letter.items) < len(synthetic.letter.items):
        # the letter's own last lines: the page furniture after them (a footer, the next page's
        # letterhead) removed as extraction removes it
        letter_lines = normalize(read_document("\n".join(kept).encode("utf-8"), "text/plain")).lines()
        last_text = [ln for ln in letter_lines if ln != BREAK and ln.strip()][-3:]
        assert any(_CONCLUSION.search(ln) for ln in last_text), "cut inside a rationale, yet parsed"


@pytest.mark.parametrize("layout", ["C", "D1", "D2"])
def test_a_letter_cut_inside_its_last_rationale_is_set_aside(layout: str) -> None:
    seed = next(s for s in range(200) if len(generate_letter(s, layout=layout).letter.items) >= 2)
    synthetic, text = _letter(seed, layout, False)
    second = text.index("Decision rationale:", text.index("Decision rationale:") + 1)
    for end in (second, second + len("Decision rationale: ") + 40):  # before and inside its rationale
        rec = extract_bytes(text[:end].encode("utf-8"), "cut.txt")
        assert rec.status == "rejected" and rec.errors[0].code == "unresolved_item", rec.errors
        assert "a page may be missing" in rec.errors[0].message, rec.errors
        assert rec.partial is not None and len(rec.partial["items"]) == 2
    whole = extract_bytes(text.encode("utf-8"), "whole.txt")
    assert whole.status == "parsed" and whole.letter is not None
    assert len(whole.letter.items) == len(synthetic.letter.items)
