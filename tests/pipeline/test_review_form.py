"""The review form as data (``pipeline.review_form``): the fields a set-aside letter's form has,
what the UI shows above them under each ``IMR_REVIEW_FORM_SHOWS``, and the ``--set`` values a
submitted form stands for (the same ``imr review resolve`` takes)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imr.models import DECISIONS, Evidence
from imr.settings import ReviewFormShows
from pipeline import review_form as rf


@dataclass
class Item:
    id: int = 4
    codes: list[str] = field(default_factory=lambda: ["unresolved_item"])
    case_number: str | None = "CM15-0123456"
    partial: dict[str, Any] = field(default_factory=dict)
    evidence: dict[str, Evidence] = field(default_factory=dict)
    doubtful: list[str] = field(default_factory=list)


def _item() -> Item:
    partial = {
        "case_number": "CM15-0123456",
        "decision_date": "2015-03-02",
        "priority": "standard",
        "patient": {"age": 48, "sex": None, "occupation": None},
        "items": [
            {"request": "Acupuncture x6", "decision": "upheld"},
            {"request": "MRI lumbar spine", "decision": None},
        ],
    }
    evidence = {
        "items[1].decision": Evidence(
            page=2, text="MRI lumbar spine: Uph#ld", bbox=(72.0, 100.0, 300.0, 112.0), confidence=0.41
        ),
        "decision_date": Evidence(page=1, text="Date: March 2, 2015", line=7),
        "items[0].decision": Evidence(page=2, text="Acupuncture x6: Upheld", bbox=(72.0, 80.0, 300.0, 92.0)),
    }
    return Item(partial=partial, evidence=evidence, doubtful=["items[1].decision", "decision_date", "patient.age"])


def test_one_typed_field_per_doubtful_value_prefilled_with_what_was_read() -> None:
    fields = rf.form_fields(_item())
    assert [(f.name, f.path, f.kind, f.initial) for f in fields] == [
        ("items_1_decision", "items[1].decision", rf.FieldKind.DECISION, None),
        ("decision_date", "decision_date", rf.FieldKind.DATE, "2015-03-02"),
        ("patient_age", "patient.age", rf.FieldKind.INTEGER, "48"),
    ]
    assert fields[0].choices == DECISIONS


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("items[12].decision", rf.FieldKind.DECISION),
        ("priority", rf.FieldKind.PRIORITY),
        ("patient.sex", rf.FieldKind.SEX),
        ("ur_denial_date", rf.FieldKind.DATE),
        ("patient.age", rf.FieldKind.INTEGER),
        ("items[0].request", rf.FieldKind.TEXT),
        ("reviewer.specialties", rf.FieldKind.TEXT),
    ],
)
def test_kinds(path: str, kind: rf.FieldKind) -> None:
    assert rf.kind_of(path) is kind


@pytest.mark.parametrize("bad", ["", "items[x].decision", "Items[0].decision", "a.b.c", "items[0]"])
def test_a_path_that_is_not_a_field_path_has_no_kind(bad: str) -> None:
    with pytest.raises(ValueError):
        rf.kind_of(bad)


def test_the_description_shows_only_the_doubtful_values_and_their_lines_by_default() -> None:
    text = rf.form_description(_item(), ReviewFormShows.DOUBTFUL, "file:///tmp/page.html")
    assert "`unresolved_item`" in text and "case CM15-0123456" in text and "file:///tmp/page.html" in text
    assert "MRI lumbar spine: Uph#ld" in text and "OCR confidence 0.41" in text and "*not read*" in text
    assert "Acupuncture x6: Upheld" not in text  # a value not in doubt stays out of the UI


def test_all_shows_every_value_and_codes_shows_no_letter_text() -> None:
    every = rf.form_description(_item(), ReviewFormShows.ALL)
    assert "Acupuncture x6: Upheld" in every and "MRI lumbar spine: Uph#ld" in every
    codes = rf.form_description(_item(), ReviewFormShows.CODES)
    assert "`items[1].decision`" in codes and "`unresolved_item`" in codes
    assert "Uph#ld" not in codes and "March" not in codes and "Acupuncture" not in codes


def test_letter_text_cannot_inject_markdown_or_html() -> None:
    item = _item()
    item.evidence["items[1].decision"] = Evidence(page=1, text="<img src=x onerror=alert(1)> | `x` **b**")
    text = rf.form_description(item, ReviewFormShows.DOUBTFUL)
    row = next(ln for ln in text.splitlines() if ln.startswith("| `items[1].decision`"))
    assert "`` <img src=x onerror=alert(1)> | `x` **b** ``" in row  # a code span: shown as typed


def test_a_submitted_form_is_the_set_values_of_imr_review_resolve() -> None:
    fields = rf.form_fields(_item())
    answer = {
        "items_1_decision": "overturned",
        "decision_date": dt.date(2015, 3, 3),
        "patient_age": 48,
        rf.REVIEWER: "A. Reviewer",
        rf.MORE: "items[0].request = Acupuncture x 6\n\npriority=expedited\n",
    }
    sets = rf.sets_of_answer(fields, answer)
    assert sets == {
        "items[1].decision": "overturned",
        "decision_date": "2015-03-03",
        "patient.age": "48",
        "items[0].request": "Acupuncture x 6",
        "priority": "expedited",
    }
    assert rf.changed_paths(fields, sets) == ["items[1].decision", "decision_date", "items[0].request", "priority"]


def test_an_empty_field_sets_nothing_and_a_bad_correction_line_is_named() -> None:
    fields = rf.form_fields(_item())
    assert rf.sets_of_answer(fields, {"items_1_decision": None, "decision_date": None, "patient_age": None}) == {}
    with pytest.raises(ValueError, match="not PATH=VALUE: 'priority expedited'"):
        rf.sets_of_answer(fields, {rf.MORE: "priority expedited"})


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["decision_date", "priority", "items[0].request", "patient.age"]), st.text(min_size=1)
        ),
        max_size=6,
    )
)
def test_more_changes_keeps_the_last_value_of_each_path(pairs: list[tuple[str, str]]) -> None:
    lines = [f"{p}={v}" for p, v in pairs if "\n" not in v and "\r" not in v and v.strip() and "=" not in v]
    expected: dict[str, str] = {}
    for line in lines:
        path, _, value = line.partition("=")
        expected[path] = value.strip()
    assert rf.more_changes("\n".join(lines)) == expected
