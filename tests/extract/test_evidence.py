"""Evidence for every extracted value (issue 20): the acceptance check over the real letters, the
seeds and generated letters of every layout (text, PDF, office-drawn PDF, scanned), and what
evidence costs when it is not asked for (nothing: the record is the same)."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imr.extract.entry import extract_bytes, extract_file
from imr.extract.partial import DOUBTFUL
from imr.synth import LAYOUTS, HardCases, generate_letter, render_text
from imr.synth.pdf_render import PdfOptions, random_pdf_options, render_pdf
from tests.extract.evidence_checks import check_pdf, check_text, checked_paths, holds_value, squash
from tests.extract.test_extract_item_loss import DECISION_WORD
from tests.helpers import assert_contract, read_jsonl

TEXT_VARIANTS = ("lf", "crlf", "bom", "seed")


@pytest.mark.corpus
@pytest.mark.slow  # every real letter; test_each_pdf_engine_gives_evidence covers 8 in the quick loop
def test_real_letters_evidence_stands_where_it_says(real_dir: Path) -> None:
    for gold in read_jsonl(real_dir / "gold.jsonl"):
        path = real_dir / "pdf" / str(gold["source"]["path"])  # type: ignore[index]
        record = extract_file(path, display_path=path.name, evidence=True)
        assert_contract(record.to_dict())
        check_pdf(record, path.read_bytes())


@pytest.mark.corpus
@pytest.mark.parametrize("engine", ["pdfium", "pdfplumber"])
def test_each_pdf_engine_gives_evidence(real_dir: Path, engine: str) -> None:
    for path in sorted((real_dir / "pdf").glob("*.pdf"))[:8]:
        check_pdf(extract_file(path, pdf_engine=engine, evidence=True), path.read_bytes())


@pytest.mark.corpus
def test_seed_letters_evidence_stands_on_its_lines(seeds_dir: Path) -> None:
    for path in sorted(seeds_dir.glob("*.txt")):
        record = extract_file(path, evidence=True)
        assert_contract(record.to_dict())
        check_text(record, path.read_bytes())


@pytest.mark.parametrize("layout", LAYOUTS)
def test_generated_text_letters(layout: str) -> None:
    for seed in range(12):
        letter = generate_letter(seed, layout=layout, hard=HardCases.older() if seed % 3 == 0 else None)
        data = render_text(letter, TEXT_VARIANTS[seed % len(TEXT_VARIANTS)])
        record = extract_bytes(data, f"g{seed}.txt", evidence=True)
        assert_contract(record.to_dict())
        check_text(record, data)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_generated_pdf_letters(layout: str) -> None:
    rng = random.Random(layout)
    for seed in range(5):
        letter = generate_letter(seed, layout=layout)
        options = PdfOptions(office=True) if seed == 4 else random_pdf_options(rng)
        data = render_pdf(letter, options)
        record = extract_bytes(data, f"g{seed}.pdf", evidence=True)
        assert_contract(record.to_dict())
        check_pdf(record, data)


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed (make setup)")
@pytest.mark.parametrize("layout", LAYOUTS)
def test_scanned_letters(layout: str) -> None:
    """A scanned page's boxes are OCR's, in PDF points: the PDF it was scanned from holds the value
    there, and the confidence is the words'."""
    from imr.synth.scanned import scan_pdf

    letter = generate_letter(4, layout=layout)
    original = render_pdf(letter, PdfOptions())
    record = extract_bytes(scan_pdf(original, seed=7), "scan.pdf", ocr="auto", evidence=True)
    assert record.source.ocr
    check_pdf(record, b"", original=original)


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed (make setup)")
def test_a_faxed_letter_counts_its_cover_sheet_as_a_page() -> None:
    """Pages are the file's: a fax cover sheet is page 1, the letter's header on page 2."""
    from imr.synth.fax import FaxOptions, fax_pdf

    letter = generate_letter(4, layout="D2")
    faxed = fax_pdf(render_pdf(letter, PdfOptions()), seed=3, options=FaxOptions(cover_sheet=True))
    record = extract_bytes(faxed, "fax.pdf", ocr="auto", evidence=True)
    assert record.status == "parsed" and record.letter is not None and record.evidence is not None
    values = record.letter.to_dict()
    assert record.evidence["case_number"].page == 2
    for path, value in checked_paths(record).items():
        assert holds_value(path, value, record.evidence[path].text), (path, value)
    assert values["case_number"] in record.evidence["case_number"].text


def test_without_evidence_the_record_is_unchanged() -> None:
    data = render_text(generate_letter(4, layout="D2"))
    plain = extract_bytes(data, "a.txt")
    with_evidence = extract_bytes(data, "a.txt", evidence=True)
    assert plain.evidence is None and "evidence" not in plain.to_dict()
    assert with_evidence.evidence
    assert {k: v for k, v in with_evidence.to_dict().items() if k != "evidence"} == plain.to_dict()


def test_every_filled_field_has_evidence_and_no_empty_one_has() -> None:
    letter = generate_letter(2, layout="D2")
    record = extract_bytes(render_pdf(letter, PdfOptions()), "d2.pdf", evidence=True)
    assert record.letter is not None and record.evidence is not None
    values = record.letter.to_dict()
    expected = {"case_number", "reviewer.licensure_states", "reviewer.specialties", "patient.age", "patient.sex"}
    assert expected <= set(record.evidence)
    for k, item in enumerate(values["items"]):
        assert {f"items[{k}].request", f"items[{k}].decision"} <= set(record.evidence)
        for name in ("claims_administrator_guideline", "reviewer_guideline"):
            assert (f"items[{k}].{name}" in record.evidence) == (item[name]["text"] is not None)
    for path in record.evidence:
        top = path.split(".")[0].split("[")[0]
        assert top in values and values[top] not in (None, [], {}), path
    occupation = values["patient"]["occupation"]
    assert ("patient.occupation" in record.evidence) == (occupation is not None)
    if occupation is not None:
        assert occupation in record.evidence["patient.occupation"].text.lower()


def test_equal_decisions_point_at_their_own_items() -> None:
    """Each item's decision points at its own block, though several items say the same word."""
    seed = next(s for s in range(300) if len({i.decision for i in generate_letter(s, layout="D1").letter.items}) == 1
                and len(generate_letter(s, layout="D1").letter.items) >= 3)  # fmt: skip
    data = render_text(generate_letter(seed, layout="D1"))
    record = extract_bytes(data, "d1.txt", evidence=True)
    assert record.letter is not None and record.evidence is not None
    lines = [record.evidence[f"items[{k}].decision"].line for k in range(len(record.letter.items))]
    assert lines == sorted(set(lines))  # one line each, in the items' order  # type: ignore[type-var]
    for k, item in enumerate(record.letter.items):
        assert squash(item.request)[:20] in squash(record.evidence[f"items[{k}].request"].text)


def test_the_partial_letter_has_evidence_and_the_unread_decision_its_place() -> None:
    seed = next(s for s in range(200) if len(generate_letter(s, layout="D2").letter.items) >= 2)
    text = render_text(generate_letter(seed, layout="D2")).decode("utf-8")
    m = [m for m in DECISION_WORD.finditer(text) if m.group(0) in ("Upheld", "Overturned")][1]
    damaged = text[: m.start()] + m.group(0)[:2] + "#" + m.group(0)[3:] + text[m.end() :]
    record = extract_bytes(damaged.encode(), "damaged.txt", evidence=True)
    assert record.errors[0].code == "unresolved_item" and record.partial is not None
    assert record.evidence is not None
    assert_contract(record.to_dict())
    (path,) = record.partial[DOUBTFUL]
    place = record.evidence[path]
    assert "#" in place.text and place.line is not None
    assert damaged.split("\n")[place.line - 1].rstrip() == place.text
    assert record.evidence["case_number"].text.startswith("Case Number")
    assert {p for p in record.evidence if p.startswith("items[")} >= {f"items[{k}].request" for k in range(2)}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    layout=st.sampled_from(LAYOUTS),
    seed=st.integers(0, 500),
    variant=st.sampled_from(TEXT_VARIANTS),
    cut=st.floats(0.3, 1.0),
)
def test_evidence_never_breaks_extraction_and_quotes_the_file(layout: str, seed: int, variant: str, cut: float) -> None:
    """Whatever the letter (whole or cut short), asking for evidence never changes its status or
    values, and every evidence quotes lines of the file."""
    data = render_text(generate_letter(seed, layout=layout, hard=HardCases.every()), variant)
    data = data[: int(len(data) * cut)]
    plain = extract_bytes(data, "p.txt")
    record = extract_bytes(data, "p.txt", evidence=True)
    assert record.status == plain.status and record.errors == plain.errors and record.letter == plain.letter
    assert record.partial == plain.partial
    lines = data.decode("utf-8-sig", errors="replace").replace("\r\n", "\n").split("\n")
    for ev in (record.evidence or {}).values():
        assert ev.line is not None
        assert squash(ev.text.split("\n")[0]) in squash(lines[ev.line - 1])
