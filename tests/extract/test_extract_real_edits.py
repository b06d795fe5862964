"""Real letters edited by hand: each real letter with a text layer, written out as text (its lines
as read, pages by form feeds) and edited the way a person retyping, re-saving or tidying it would
(decision words in bold, header dates as 2016-01-05 or 01.05.2016, the header typed again as a
table, lines wrapped anew or unwrapped into paragraphs, soft hyphens and word joiners, the
reviewer's credentials rearranged, the age in words, the sex as M/F, list marks before the items),
must read as the unedited letter on every scored field. The edits are made in memory; no letter
text is written anywhere. Generated letters carry the same edits for the quick loop."""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from imr.errors import NoTextLayerError
from imr.extract.dates import parse_date
from imr.extract.document import BREAK
from imr.extract.entry import extract_bytes, read_document
from imr.extract.header import header_from_lines
from imr.extract.normalize import clean_line
from imr.extract.patient import parse_patient
from imr.extract.reviewer import parse_reviewer
from imr.synth import HardCases, generate_letter, render_text
from tests.helpers import compare_to_gold

_DECISION = re.compile(r":(\s*)(Upheld|Overturned)[ \t]*$", re.M)
_HEAD_END = re.compile(r"^HOW THE IMR FINAL DETERMINATION WAS MADE", re.M)
_DATE = re.compile(r"(?<![\d/-])(\d{1,2})/(\d{1,2})/(\d{4})(?![\d/])")
_LABELS = ("Case Number", "Date Assigned", "Date of Injury", "Decision Date", "UR Denial Date", "Priority")
_CREDENTIALS = re.compile(r"State\(s\) of Licensure: (?P<st>[^\n]+)\nCertification\(s\)/Specialty: (?P<sp>[^\n]+)")
_AGE = re.compile(r"\b(\d{2})[- ]year[- ]old (male|female)\b")
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_UNITS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]


def _in_words(n: int) -> str:
    if n < 20:
        return _TEENS[n - 10]
    return _TENS[n // 10 - 2] + (f"-{_UNITS[n % 10 - 1]}" if n % 10 else "")


def _head(text: str, change: Callable[[str], str]) -> str:
    m = _HEAD_END.search(text)
    return change(text[: m.start()]) + text[m.start() :] if m else text


_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]  # fmt: skip


def _long(mo: int, d: int, y: int) -> str:
    return f"{_MONTHS[mo - 1]} {d}, {y}"


def _unwrapped(text: str) -> str:
    return _paragraphs(text, lambda lines: [" ".join(ln.strip() for ln in lines if ln.strip())])


def _bulleted(st: list[str], sp: list[str]) -> str:
    return f"\u2022 State(s) of Licensure: {', '.join(st)}\n\u2022 Certification(s)/Specialty: {', '.join(sp)}"


def _one_a_line(st: list[str], sp: list[str]) -> str:
    return "\n".join(["State(s) of Licensure:", *st, "Certification(s)/Specialty:", *sp])


def _short_labels(st: list[str], sp: list[str]) -> str:
    return f"State of Licensure: {', '.join(st)}\nSpecialty: {', '.join(sp)}"


def _dates(style: Callable[[int, int, int], str]) -> Callable[[str], str]:
    return lambda t: _head(t, lambda h: _DATE.sub(lambda m: style(int(m[1]), int(m[2]), int(m[3])), h))


def _paragraphs(text: str, change: Callable[[list[str]], list[str]]) -> str:
    return "\f".join(
        "\n\n".join("\n".join(change(p.split("\n"))) for p in re.split(r"\n[ \t]*\n", page))
        for page in text.split("\f")
    )


def _wrap(width: int) -> Callable[[str], str]:
    def change(lines: list[str]) -> list[str]:
        if len(lines) == 1 and lines[0].isupper():
            return lines  # a heading
        return textwrap.wrap(" ".join(ln.strip() for ln in lines if ln.strip()), width, break_on_hyphens=False)

    return lambda t: _paragraphs(t, change)


def _header_as_table(text: str) -> str:
    """The header typed again as a table of one label and its value a row, label and value in cells."""

    def retype(head: str) -> str:
        flat = re.sub(r"Application (\S+) Received:", r"Application Received: \1", " ".join(head.split()))
        rows = []
        for label in (*_LABELS, "Application Received"):
            m = re.search(re.escape(label) + r":\s*(\S+)", flat)
            rows.append(f"| {label}: | {m.group(1) if m else ''} |")
        return "\n".join(rows) + "\n\n"

    return _head(text, retype)


def _header_bare_labels(text: str) -> str:
    """The header typed again one label a line, a tab between label and value, no colons."""
    table = _header_as_table(text)
    return re.sub(r"^\| ([^|]+): \| ([^|]*) \|$", "\\1\t\\2", table, flags=re.M)


def _marked(mark: Callable[[int], str]) -> Callable[[str], str]:
    count = [0]

    def change(lines: list[str]) -> list[str]:
        if lines and _DECISION.search(lines[-1]):
            count[0] += 1
            return [mark(count[0]) + lines[0], *lines[1:]]
        return lines

    def edit(text: str) -> str:
        count[0] = 0
        return _paragraphs(text, change)

    return edit


def _credentials(render: Callable[[list[str], list[str]], str]) -> Callable[[str], str]:
    def sub(m: re.Match[str]) -> str:
        return render([s.strip() for s in m["st"].split(",")], [s.strip() for s in m["sp"].split(",")])

    return lambda t: _CREDENTIALS.sub(sub, t, count=1)


EDITS: dict[str, Callable[[str], str]] = {
    "decision words in bold": lambda t: _DECISION.sub(r":\1**\2**", t),
    "decision words in capitals with a full stop": lambda t: _DECISION.sub(lambda m: f":{m[1]}{m[2].upper()}.", t),
    "header dates as 2016-01-05": _dates(lambda mo, d, y: f"{y}-{mo:02d}-{d:02d}"),
    "header dates as 01.05.2016": _dates(lambda mo, d, y: f"{mo:02d}.{d:02d}.{y}"),
    "header dates as January 5, 2016, lines wrapped at 60": lambda t: _wrap(60)(_dates(_long)(t)),
    "header as a table with cell rules": _header_as_table,
    "header labels without colons, a tab before the value": _header_bare_labels,
    "lines wrapped at 60 columns": _wrap(60),
    "lines wrapped at 100 columns": _wrap(100),
    "paragraphs unwrapped": _unwrapped,
    "soft hyphens inside words": lambda t: re.sub(r"\b([A-Za-z]{4})([a-z]{4,})", "\\1\u00ad\\2", t),
    "word joiners inside words": lambda t: re.sub(r"\b([A-Za-z]{3})([a-z]{3,})", "\\1\u2060\\2", t),
    "narrow non-breaking spaces": lambda t: t.replace(" ", "\u202f"),
    "items lettered (a)": _marked(lambda n: f"({'abcdefghijklmnopqrstuvwxyz'[n - 1]}) "),
    "items lettered a.": _marked(lambda n: f"{'abcdefghijklmnopqrstuvwxyz'[n - 1]}. "),
    "credentials bulleted": _credentials(_bulleted),
    "credentials one a line": _credentials(_one_a_line),
    "credentials with short labels": _credentials(_short_labels),
    "whole letter in capitals": str.upper,
    "age in words": lambda t: _AGE.sub(lambda m: f"{_in_words(int(m[1]))}-year-old {m[2]}", t, count=1),
    "age and sex as 45 y.o. M": lambda t: _AGE.sub(lambda m: f"{m[1]} y.o. {m[2][0].upper()}", t, count=1),
}  # fmt: skip

_SCORED = ("case_number", "date_assigned", "decision_date", "date_of_injury", "ur_denial_date",
           "application_received", "priority", "outcome")  # fmt: skip


def _scored(record: dict[str, Any]) -> dict[str, Any]:
    """The values the scorer counts (reviewer lists and requests as it compares them)."""
    if record["status"] != "parsed":
        return {"status": record["status"], "errors": [e["code"] for e in record["errors"]]}
    letter = record["letter"]
    return {
        **{key: letter.get(key) for key in _SCORED},
        "states": sorted(" ".join(s.split()).casefold() for s in letter["reviewer"]["licensure_states"]),
        "specialties": sorted(" ".join(s.split()).casefold() for s in letter["reviewer"]["specialties"]),
        "age": (letter.get("patient") or {}).get("age"),
        "sex": (letter.get("patient") or {}).get("sex"),
        "items": [(" ".join(i["request"].split()).casefold(), i["decision"]) for i in letter["items"]],
    }


@lru_cache(maxsize=1)
def _real_texts(real: str) -> tuple[tuple[str, str, dict[str, Any]], ...]:
    """(name, text, gold record) of each real letter with a text layer (image-only ones need OCR)."""
    gold = {}
    for line in (Path(real) / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            gold[Path(rec["source"]["path"]).name] = rec
    out = []
    for path in sorted((Path(real) / "pdf").glob("*.pdf")):
        try:
            doc = read_document(path.read_bytes(), "application/pdf", "pdfium")
        except NoTextLayerError:
            continue
        text = "\f".join("\n".join("" if ln == BREAK else ln for ln in page) for page in doc.pages)
        out.append((path.name, text, gold[path.name]))
    return tuple(out)


@pytest.mark.corpus
def test_real_letters_as_text_read_as_their_gold(real_dir: Path) -> None:
    letters = _real_texts(str(real_dir))
    assert len(letters) >= 20
    for name, text, gold in letters:
        record = extract_bytes(text.encode("utf-8"), name.replace(".pdf", ".txt")).to_dict()
        assert _scored(record) == _scored(gold), name


@pytest.mark.corpus
@pytest.mark.parametrize("edit", list(EDITS))
def test_a_real_letter_edited_by_hand_reads_as_the_original(real_dir: Path, edit: str) -> None:
    changed = 0
    diffs: list[str] = []
    for name, text, gold in _real_texts(str(real_dir)):
        edited = EDITS[edit](text)
        changed += edited != text
        record = extract_bytes(edited.encode("utf-8"), name.replace(".pdf", ".txt")).to_dict()
        got, want = _scored(record), _scored(gold)
        diffs += [f"{name}: {k} {got.get(k)!r} != {v!r}" for k, v in want.items() if got.get(k) != v]
    assert diffs == []
    assert changed >= 10  # the edit touched the letters (else the test would prove nothing)


# ---- generated letters with the same edits (the quick loop) -----------------------------------


#: Generated text letters have no blank line between paragraphs: wrapping them anew would join
#: every page into one paragraph (test_extract_retyped wraps them line by line).
GENERATED_EDITS = [e for e in EDITS if "wrapped" not in e and "unwrapped" not in e]


@pytest.mark.parametrize("edit", GENERATED_EDITS)
def test_a_generated_letter_edited_by_hand_reads_as_its_gold(edit: str) -> None:
    diffs: list[str] = []
    for seed in range(4):
        hard = HardCases.furniture_and_credentials() if seed % 2 else HardCases()
        synthetic = generate_letter(seed * 11 + 5, layout="D2", hard=hard)
        data = EDITS[edit](render_text(synthetic, "lf").decode("utf-8")).encode("utf-8")
        gold = synthetic.record(path="x.txt", data=data, media_type="text/plain", pages=None).to_dict()
        diffs += [f"{seed}: {d}" for d in compare_to_gold(extract_bytes(data, "x.txt").to_dict(), gold)]
    assert diffs == []


# ---- the fixes, one by one --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "clean"),
    [
        ("Knee MRI: **Upheld**", "Knee MRI: Upheld"),
        ("Knee MRI: __Overturned__.", "Knee MRI: Overturned."),
        ("Date Assi\u00adgned: 1/5/2016", "Date Assigned: 1/5/2016"),
        ("Deci\u2060sion Date:\u202f1/5/2016", "Decision Date: 1/5/2016"),
        ("treat\u00ad", "treat-"),
        ("5 ** 2 and a**b", "5 ** 2 and a**b"),
    ],
)
def test_invisible_characters_and_emphasis_marks_are_cleaned(line: str, clean: str) -> None:
    assert clean_line(line) == clean


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2016-01-05", "2016-01-05"),
        ("01.05.2016", "2016-01-05"),
        ("on 1.5.2016.", "2016-01-05"),
        ("2016/1/5", "2016-01-05"),
    ],
)
def test_iso_and_dotted_dates(text: str, day: str) -> None:
    parsed = parse_date(text)
    assert parsed is not None and parsed.isoformat() == day


@pytest.mark.parametrize("text", ["Section 9792.24.2", "version 1.2.3.2016", "CM16-0224814", "2016-13-45"])
def test_numbers_that_are_not_dates(text: str) -> None:
    assert parse_date(text) is None


def test_header_typed_again_as_a_table_or_without_colons() -> None:
    piped = ["| Case Number: | CM16-0224814 |", "| Date Assigned: | 11/30/2016 |", "| Priority: | Standard |"]
    h = header_from_lines(piped)
    assert (h.case_number, str(h.date_assigned), h.priority) == ("CM16-0224814", "2016-11-30", "standard")
    bare = header_from_lines(["Date of Injury 10/11/2016", "Decision Date January 6,", "2017"])
    assert (str(bare.date_of_injury), str(bare.decision_date)) == ("2016-10-11", "2017-01-06")


@pytest.mark.parametrize(
    "lines",
    [
        ["The Expert Reviewer has the following credentials: State(s) of Licensure: Texas, New York "
         "Certification(s)/Specialty: Physical Medicine & Rehabilitation, Sports Medicine"],
        ["The Expert Reviewer has the following credentials: State(s)",
         "of Licensure: Texas, New York Certification(s)/Specialty:",
         "Physical Medicine & Rehabilitation, Sports Medicine"],
        ["State(s) of Licensure:", "Texas", "New York", "Certification(s)/Specialty:", "Physical Medicine &",
         "Rehabilitation", "Sports Medicine"],
        ["\u2022 State(s) of Licensure: Texas, New York",
         "\u2022 Certification(s)/Specialty: Physical Medicine & Rehabilitation, Sports Medicine"],
        ["State of Licensure: Texas, New York", "Specialty: Physical Medicine & Rehabilitation, Sports Medicine"],
        ["Board Certified in Physical Medicine & Rehabilitation, Sports Medicine, Licensed in TX, NY"],
    ],
)  # fmt: skip
def test_reviewer_credentials_rearranged(lines: list[str]) -> None:
    r = parse_reviewer(lines)
    assert sorted(r.licensure_states) == ["New York", "Texas"]
    assert sorted(r.specialties) == ["Physical Medicine & Rehabilitation", "Sports Medicine"]


def test_a_specialty_wrapped_in_a_letter_typed_in_capitals() -> None:
    r = parse_reviewer(
        ["STATE(S) OF LICENSURE: IOWA", "CERTIFICATION(S)/SPECIALTY: PUBLIC HEALTH &", "GENERAL PREVENTIVE MEDICINE"]
    )
    assert r.specialties == ["PUBLIC HEALTH & GENERAL PREVENTIVE MEDICINE"]


@pytest.mark.parametrize(
    ("summary", "age", "sex"),
    [
        ("The injured worker is a forty-five-year-old male.", 45, "male"),
        ("The injured worker is a Sixty two year old woman.", 62, "female"),
        ("A 45 y.o. M with neck pain.", 45, "male"),
        ("The worker, 38 years of age, reported pain.", 38, None),
        ("A 51 yo F.", 51, "female"),
    ],
)
def test_age_and_sex_as_typed_again(summary: str, age: int, sex: str | None) -> None:
    p = parse_patient(summary)
    assert (p.age, p.sex) == (age, sex)
