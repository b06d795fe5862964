"""The partial letter of a letter set aside (issue 20; issue 21's "no item lost"): a letter rejected
because a value is in doubt keeps what was read in ``record.partial``, every item in its place, and
names the field paths in doubt under ``_doubtful``."""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imr.extract.document import Document
from imr.extract.entry import extract_bytes
from imr.extract.ocr_checks import ocr_check_failure
from imr.extract.partial import DOUBTFUL
from imr.models import Letter, LetterRecord
from imr.synth import LAYOUTS, HardCases, SyntheticLetter, generate_letter, render_text
from tests.extract.letters import LETTER
from tests.extract.test_extract_item_loss import DAMAGE, DECISION_WORD


@functools.lru_cache(maxsize=128)
def _letter(seed: int, layout: str, older: bool, variant: str) -> tuple[SyntheticLetter, str, LetterRecord]:
    letter = generate_letter(seed, layout=layout, hard=HardCases.older() if older else None)
    text = render_text(letter, variant).decode("utf-8-sig")
    record = extract_bytes(text.encode("utf-8"), "whole.txt")
    assert record.status == "parsed", record.errors
    return letter, text, record


def _damaged(text: str, k: int, where: float, mark: str) -> str:
    m = list(DECISION_WORD.finditer(text))[k]
    word = m.group(0)
    at = 1 + min(int(where * (len(word) - 2)), len(word) - 3)  # never the first or last letter
    return text[: m.start()] + word[:at] + mark + word[at + 1 :] + text[m.end() :]


def _assert_partial_keeps_every_item(whole: LetterRecord, damaged: LetterRecord) -> int:
    """The damaged letter's partial has every item of the whole letter; exactly one lacks its
    decision (and is named in ``_doubtful``), the others are the whole letter's items. Returns
    the index of the item in doubt."""
    assert whole.letter is not None
    partial = damaged.partial
    assert partial is not None
    gold: list[dict[str, Any]] = whole.letter.to_dict()["items"]
    got: list[dict[str, Any]] = partial["items"]
    assert len(got) == len(gold)
    unread = [k for k, item in enumerate(got) if item["decision"] is None]
    assert len(unread) == 1, [i["decision"] for i in got]
    (k,) = unread
    assert partial[DOUBTFUL] == [f"items[{k}].decision"]
    for j, (a, b) in enumerate(zip(got, gold, strict=True)):
        if j != k:
            assert a == b
    assert got[k]["request"] == gold[k]["request"]
    assert got[k]["ordinal"] == k + 1
    assert partial["outcome"] is None
    head = {key: v for key, v in whole.letter.to_dict().items() if key not in ("items", "outcome")}
    assert {key: partial[key] for key in head} == head
    return k


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    layout=st.sampled_from(LAYOUTS),
    seed=st.integers(0, 300),
    older=st.booleans(),
    variant=st.sampled_from(["lf", "seed"]),
    which=st.floats(0, 1, exclude_max=True),
    where=st.floats(0, 1, exclude_max=True),
    mark=st.sampled_from(DAMAGE),
)
def test_a_damaged_decision_keeps_every_item_in_the_partial_letter(
    layout: str, seed: int, older: bool, variant: str, which: float, where: float, mark: str
) -> None:
    _, text, whole = _letter(seed, layout, older, variant)
    found = list(DECISION_WORD.finditer(text))
    damaged = extract_bytes(_damaged(text, int(which * len(found)), where, mark).encode("utf-8"), "damaged.txt")
    if damaged.status == "parsed":  # the word was not one the parser relies on (a conclusion, a repeated list)
        assert damaged.letter is not None and whole.letter is not None
        assert [(i.request, i.decision) for i in damaged.letter.items] == [
            (i.request, i.decision) for i in whole.letter.items
        ]
        assert damaged.partial is None
        return
    assert [e.code for e in damaged.errors] == ["unresolved_item"]
    _assert_partial_keeps_every_item(whole, damaged)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_each_item_in_turn_is_the_one_in_doubt(layout: str) -> None:
    """Every item's own decision word damaged in turn, in a letter of each layout with 3+ items:
    the item in doubt is the damaged one, wherever it stands."""
    seed = next(s for s in range(200) if len(generate_letter(s, layout=layout).letter.items) >= 3)
    _, text, whole = _letter(seed, layout, False, "lf")
    assert whole.letter is not None
    blamed: set[int] = set()
    for k in range(len(list(DECISION_WORD.finditer(text)))):
        damaged = extract_bytes(_damaged(text, k, 0.5, "#").encode("utf-8"), "damaged.txt")
        if damaged.status == "rejected":
            blamed.add(_assert_partial_keeps_every_item(whole, damaged))
    assert blamed == set(range(len(whole.letter.items)))


def test_no_items_keeps_the_header_and_doubts_the_items() -> None:
    text = LETTER.replace("Lumbar MRI without contrast: Upheld\n", "").replace("Claims Administrator guideline", "x")
    text = re.sub(r"(?m)^(MAXIMUS guideline|Decision rationale):.*\n", "", text)
    record = extract_bytes(text.encode(), "n.txt")
    assert [e.code for e in record.errors] == ["no_items"]
    assert record.partial is not None
    assert record.partial["case_number"] == "CM15-0123456" and record.partial["decision_date"] == "2015-04-01"
    assert record.partial["reviewer"]["specialties"] == ["Family Practice"]
    assert record.partial["patient"] == {"age": 41, "sex": "female", "occupation": None}
    assert record.partial["items"] == [] and record.partial["outcome"] is None
    assert record.partial[DOUBTFUL] == ["items"]


def test_no_partial_without_a_header_or_for_what_is_no_letter() -> None:
    headless = "IMR ISSUES, DECISIONS AND RATIONALES\nMAXIMUS guideline text without any item at all.\n"
    record = extract_bytes(headless.encode(), "h.txt")
    assert record.status == "rejected" and record.errors[0].code == "no_items"
    assert record.partial is None
    other = extract_bytes(b"A utilization review letter about knee surgery. Nothing else.", "o.txt")
    assert other.status == "rejected" and other.partial is None


def test_the_partial_is_not_in_the_contract_json() -> None:
    record = extract_bytes(LETTER.replace(": Upheld", ": Uph#ld").encode(), "u.txt")
    assert record.errors[0].code == "unresolved_item" and record.partial is not None
    assert record.partial["items"][0]["request"] == "Lumbar MRI without contrast"
    assert record.partial["items"][0]["reviewer_guideline"]["source"] == "mtus"
    assert "partial" not in record.to_dict() and record.to_dict()["letter"] is None


def test_an_ocr_check_names_the_fields_in_doubt() -> None:
    """The checks of an OCR'd letter say which values they doubt: the partial's ``_doubtful``."""
    doc = Document(pages=[["Case Number: CM15-0123456", "Page 1 of 3"]], media_type="application/pdf", page_count=1)
    letter = Letter(case_number="CM15-012345", decision_date=None)
    failure = ocr_check_failure(letter, doc)
    assert failure is not None and failure.fields == ("case_number",)
    out_of_order = Letter(
        case_number="CM15-0123456", date_of_injury=dt.date(2016, 1, 2), ur_denial_date=dt.date(2015, 1, 1)
    )
    failure = ocr_check_failure(out_of_order, doc)
    assert failure is not None and failure.fields == ("date_of_injury", "ur_denial_date")
    pages = ocr_check_failure(Letter(case_number="CM15-0123456"), doc)
    assert pages is not None and pages.fields == ()
