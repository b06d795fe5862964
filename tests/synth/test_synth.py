"""Tests of the synthetic letter generator (imr.synth) and ``imr synth``."""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pdfplumber
import pypdf
import pytest

from imr.cli import main
from imr.errors import REASON_CODES
from imr.models import LetterRecord, outcome_of
from imr.synth import LAYOUTS, TEXT_VARIANTS, HardCases, generate_letter, plain_text, render_text
from imr.synth.bad_inputs import bad_inputs, image_only_pdf
from imr.synth.corpus import write_corpus
from imr.synth.pdf_render import BREAKS, PdfOptions, render_pdf, render_pdf_counted
from imr.synth.samples import write_sample_inbox
from imr.synth.text_render import page_top
from tests.conftest import SHARED

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "imr" / "contract" / "letter-record.schema.json").read_text(encoding="utf-8"))
SAMPLES = ROOT / "samples"
SEEDS = range(40)


def _validate(record: dict[str, object]) -> None:
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(record)


def _collapsed(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _pdf_text(data: bytes) -> tuple[int, str]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return len(pdf.pages), "\n".join(page.extract_text() or "" for page in pdf.pages)


# --- determinism -------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUTS)
def test_same_seed_gives_same_bytes_and_truth(layout: str) -> None:
    a = generate_letter(123, layout=layout, hard=HardCases.every())
    b = generate_letter(123, layout=layout, hard=HardCases.every())
    assert a.letter.to_dict() == b.letter.to_dict()
    for variant in TEXT_VARIANTS:
        if variant == "cp1252" and not a.has_non_ascii():
            continue
        assert render_text(a, variant) == render_text(b, variant)
    assert render_pdf(a, PdfOptions(encrypt=True, seed=5)) == render_pdf(b, PdfOptions(encrypt=True, seed=5))


def test_different_seeds_give_different_letters() -> None:
    texts = {plain_text(generate_letter(seed, layout="D2")) for seed in range(10)}
    assert len(texts) == 10


def test_unknown_layout_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown layout"):
        generate_letter(1, layout="E")


# --- truth consistency -------------------------------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUTS)
def test_truth_is_consistent_and_schema_valid(layout: str) -> None:
    for seed in SEEDS:
        synthetic = generate_letter(seed, layout=layout, hard=HardCases.every() if seed % 2 else None)
        letter = synthetic.letter
        assert letter.layout == layout
        assert 1 <= len(letter.items) <= 21
        assert [i.ordinal for i in letter.items] == list(range(1, len(letter.items) + 1))
        assert letter.outcome == outcome_of([i.decision for i in letter.items])
        data = render_text(synthetic, "lf")
        record = synthetic.record(path="x.txt", data=data, media_type="text/plain", pages=None)
        _validate(record.to_dict())
        assert LetterRecord.from_dict(record.to_dict()).to_dict() == record.to_dict()
        text = _collapsed(plain_text(synthetic, width=0))
        for item in letter.items:
            assert item.request in text, (seed, item.request)
            for guideline in (item.claims_administrator_guideline, item.reviewer_guideline):
                assert (guideline.source is None) == (guideline.text is None)
                if guideline.text is not None:
                    assert guideline.text in text
        if letter.patient.age is not None:
            assert f"a {letter.patient.age} year old {letter.patient.sex}" in text
        if letter.case_number is not None:
            assert re.fullmatch(r"CM\d{2}-\d{7}", letter.case_number)
            assert f"Case Number: {letter.case_number}" in text


def test_decision_lines_match_truth_in_d_layouts() -> None:
    for seed in SEEDS:
        synthetic = generate_letter(seed, layout="D2", hard=HardCases.every())
        text = plain_text(synthetic, width=0)
        words = re.findall(r":\s*\n?(Upheld|Overturned)\n", text)
        assert [w.lower() for w in words] == [i.decision for i in synthetic.letter.items]


def test_layout_a_and_b_wording() -> None:
    a = generate_letter(4, layout="A", hard=HardCases.none())
    text = _collapsed(plain_text(a))
    assert a.letter.decision_date is not None and a.letter.application_received is not None
    d = a.letter.decision_date
    assert f"Dated: {d.month}/{d.day}/{d.year}" in text
    assert "filed on" in text and "Utilization Review Denial dated" in text and "Notice of Assignment" in text
    for item in a.letter.items:
        verdict = "is not medically" if item.decision == "upheld" else "is medically"
        sentence = f"{item.ordinal}) MAXIMUS Federal Services, Inc. has determined the request for {item.request} "
        assert sentence + verdict in text
        assert item.claims_administrator_guideline.source is None
    b = generate_letter(4, layout="B")
    text_b = plain_text(b, width=0)
    for heading in ("ISSUE AT DISPUTE:", "CASE SUMMARY:", "DOCUMENTS REVIEWED FOR DETERMINATION:",
                    "MEDICAL REVIEWER QUALIFICATIONS:"):
        assert heading in text_b
    for item in b.letter.items:
        word = "Upheld" if item.decision == "upheld" else "Overturned"
        assert f"{item.request}: {word}" in _collapsed(text_b)


def test_hard_cases_appear() -> None:
    seen: set[str] = set()
    for seed in range(120):
        seen |= generate_letter(seed, hard=HardCases.every()).features
    for feature in ("colon_in_item", "wrapped_decision", "decoy_recommended", "decoy_conclusion",
                    "modified_request", "retrospective", "post_op", "wrapped_specialty", "mixed_dates",
                    "non_ascii", "headerless", "many_items"):
        assert feature in seen, feature


def test_modified_request_truth_is_the_eligible_portion() -> None:
    hard = HardCases(modified_request=1.0, original_eligible=0.0, many_items=0.0)
    letter = next(
        s for s in (generate_letter(seed, layout="D2", hard=hard) for seed in range(60))
        if "modified_request" in s.features
    )
    text = _collapsed(plain_text(letter))
    item = next(i for i in letter.letter.items if f"original request, {i.request} is:" in text)
    assert "was authorized by the Claims Administrator" in text
    assert "was the original request" not in item.request


def test_none_hard_cases_are_plain() -> None:
    for seed in range(20):
        synthetic = generate_letter(seed, hard=HardCases.none())
        assert not synthetic.features - {"many_items"}
        assert not synthetic.has_non_ascii()


# --- text renderings ---------------------------------------------------------------------------


def test_text_variants() -> None:
    synthetic = next(
        s for s in (generate_letter(seed, layout="D2", hard=HardCases.every()) for seed in range(30))
        if s.has_non_ascii()
    )
    lf = render_text(synthetic, "lf")
    assert b"\r\n" not in lf and lf.decode("utf-8")
    assert render_text(synthetic, "crlf") == lf.replace(b"\n", b"\r\n")
    assert render_text(synthetic, "bom") == b"\xef\xbb\xbf" + lf
    cp = render_text(synthetic, "cp1252")
    with pytest.raises(UnicodeDecodeError):
        cp.decode("utf-8")
    assert cp.decode("cp1252") == lf.decode("utf-8")
    seed = render_text(synthetic, "seed").decode("utf-8")
    lines = seed.split("\n")
    assert all(line == "" for line in lines[1::2]), "every line is followed by a blank line"
    assert all(line.endswith(" ") for line in lines[0::2] if line)
    assert max(len(line) for line in lines) <= 100
    furniture = len(page_top(synthetic.furniture, 1)) + 1 if synthetic.furniture else 0
    assert "\n\n\n\n" in seed or len([line for line in lines if line.strip()]) < 48 + furniture
    with pytest.raises(ValueError, match="unknown text variant"):
        render_text(synthetic, "utf-16")


def test_cp1252_needs_non_ascii() -> None:
    plain = next(
        s for s in (generate_letter(seed, layout="D2", hard=HardCases.none()) for seed in range(30))
        if not s.has_non_ascii()
    )
    with pytest.raises(ValueError, match="non-ASCII"):
        render_text(plain, "cp1252")


# --- PDFs --------------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUTS)
def test_pdf_opens_with_expected_page_count(layout: str) -> None:
    for seed in range(4):
        synthetic = generate_letter(seed, layout=layout, hard=HardCases.every() if seed % 2 else None)
        options = PdfOptions(running_header=seed % 2 == 1, footer=seed % 2 == 1,
                             breaks=BREAKS if seed == 3 else (), encrypt=seed > 1, seed=seed)
        data, pages = render_pdf_counted(synthetic, options)
        count, text = _pdf_text(data)
        assert count == pages
        flat = _collapsed(text)
        for item in synthetic.letter.items:
            assert _collapsed(item.request)[:30] in flat
        if options.footer:
            assert f"Page {pages} of {pages}" in text


def test_d_header_is_a_two_column_table() -> None:
    synthetic = generate_letter(8, layout="D2")
    with pdfplumber.open(io.BytesIO(render_pdf(synthetic))) as pdf:
        tables = pdf.pages[0].extract_tables()
    cells = [c for table in tables for row in table for c in row if c]
    assert "Case Number:" in cells and synthetic.case_number in cells
    assert "Application Received:" in cells and "UR Denial Date:" in cells


def test_encrypted_pdf_opens_with_empty_password_and_forbids_extraction() -> None:
    synthetic = generate_letter(9, layout="D2")
    data = render_pdf(synthetic, PdfOptions(encrypt=True, running_header=True, footer=True, seed=1))
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert reader.is_encrypted
    assert reader.decrypt("") != pypdf.PasswordType.NOT_DECRYPTED
    encrypt = reader.trailer["/Encrypt"].get_object()
    assert encrypt["/StmF"] == "/StdCF" and encrypt["/CF"]["/StdCF"]["/CFM"] == "/AESV2"
    assert not int(encrypt["/P"]) & 0b10000, "the copy/extract permission bit is off"
    _, text = _pdf_text(data)
    assert f"Case Number: {synthetic.case_number}" in text


def test_non_ascii_survives_pdf() -> None:
    synthetic = next(
        s for s in (generate_letter(seed, layout="D2", hard=HardCases.every()) for seed in range(30))
        if any(c in plain_text(s) for c in "°’×“")
    )
    _, text = _pdf_text(render_pdf(synthetic))
    assert any(c in text for c in "°’×“")


# --- bad inputs --------------------------------------------------------------------------------


def test_bad_inputs_carry_known_codes_and_fail_as_expected() -> None:
    cases = {c.code: c for c in bad_inputs(3)}
    assert set(cases) == {"other_program", "utilization_review", "not_imr_letter", "empty_file",
                          "unresolved_item", "pdf_corrupt", "pdf_no_text", "pdf_password", "several_letters"}
    assert set(cases) <= set(REASON_CODES)
    for case in bad_inputs(3):
        record = case.record().to_dict()
        _validate(record)
        assert record["status"] == "rejected" and record["letter"] is None
        assert record["errors"][0]["code"] == case.code
        if case.code == "pdf_corrupt" or case.code == "pdf_password":
            with pytest.raises(Exception):  # noqa: B017 - any pdfminer failure
                _pdf_text(case.data)
    assert cases["empty_file"].data == b""
    assert b"overturned" in cases["other_program"].data.lower()
    unresolved = cases["unresolved_item"].data.decode("utf-8")
    assert "The Expert Reviewer has the following credentials:" in unresolved
    assert not re.search(r"Upheld|Overturned", unresolved.split("ISSUES, DECISIONS")[1].split("\n")[2])


def test_image_only_pdf_has_no_text() -> None:
    import random

    data = image_only_pdf(random.Random(1))
    count, text = _pdf_text(data)
    assert count == 1 and text.strip() == ""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        assert pdf.pages[0].images or pdf.pages[0].rects


def test_password_pdf_needs_the_password() -> None:
    case = next(c for c in bad_inputs(3) if c.code == "pdf_password")
    reader = pypdf.PdfReader(io.BytesIO(case.data))
    assert reader.decrypt("") == pypdf.PasswordType.NOT_DECRYPTED
    assert reader.decrypt("imr-secret") != pypdf.PasswordType.NOT_DECRYPTED


# --- corpus, CLI and samples -------------------------------------------------------------------


def _gold(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_write_corpus_writes_matching_gold(tmp_path: Path) -> None:
    paths = write_corpus(tmp_path / "a", 12, seed=5)
    again = write_corpus(tmp_path / "b", 12, seed=5)
    assert [p.name for p in paths] == [p.name for p in again]
    assert all(p.read_bytes() == q.read_bytes() for p, q in zip(paths, again, strict=True))
    gold = _gold(tmp_path / "a" / "gold.jsonl")
    assert len(gold) == len(paths) == 12 + 11  # the letters and one file per rejection case
    for path, record in zip(paths, gold, strict=True):
        _validate(record)
        source = record["source"]
        assert isinstance(source, dict)
        assert source["path"] == path.name
        assert source["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        if path.suffix == ".pdf" and record["status"] == "parsed":
            assert _pdf_text(path.read_bytes())[0] == source["pages"]
        if path.suffix == ".txt":
            assert source["pages"] is None and source["media_type"] == "text/plain"
    names = [p.name for p in paths if p.name.startswith("syn_")]
    assert all(re.fullmatch(r"syn_\d{4}_(A|B|C|D1|D2)\.(txt|pdf)", n) for n in names)


def test_gold_scores_perfectly_against_itself(tmp_path: Path) -> None:
    scorer = SHARED / "tools" / "score.py"
    if not scorer.exists():
        pytest.skip("../shared/tools/score.py is absent")
    write_corpus(tmp_path, 6, seed=2, formats=("txt",))
    gold = tmp_path / "gold.jsonl"
    out = subprocess.run([sys.executable, str(scorer), str(gold), str(gold)], capture_output=True, text=True,
                         check=True)
    assert "letter_exact=1.000" in out.stdout.splitlines()[-1]


def test_cli_synth(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["synth", str(tmp_path / "out"), "--count", "3", "--seed", "1", "--formats", "txt", "--no-bad"]) == 0
    assert sorted(p.suffix for p in (tmp_path / "out").iterdir()) == [".jsonl", ".txt", ".txt", ".txt"]
    assert main(["synth", str(tmp_path / "bad"), "--formats", "doc"]) == 2
    assert "unknown format" in capsys.readouterr().err


def test_synth_imports_no_prefect_or_gx() -> None:
    code = (
        "import sys, imr.synth, imr.synth.corpus, imr.synth.samples, imr.commands.synth;"
        "bad=[m for m in sys.modules if m.split('.')[0] in ('prefect','great_expectations')];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_sample_inbox_matches_its_gold() -> None:
    inbox = SAMPLES / "inbox"
    gold = _gold(SAMPLES / "inbox-gold.jsonl")
    files = sorted(p.relative_to(inbox).as_posix() for p in inbox.rglob("*") if p.is_file())
    assert sorted(str(r["source"]["path"]) for r in gold) == files  # type: ignore[index]
    by_hash: dict[str, list[str]] = {}
    for record in gold:
        _validate(record)
        source = record["source"]
        assert isinstance(source, dict)
        data = (inbox / source["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == source["sha256"]
        by_hash.setdefault(source["sha256"], []).append(source["path"])
        if source["media_type"] == "application/pdf" and record["status"] == "parsed":
            assert _pdf_text(data)[0] == source["pages"]
    assert any(len(v) == 2 and any(p.startswith("copies/") for p in v) for v in by_hash.values())
    layouts = {r["letter"]["layout"] for r in gold if r["letter"]}  # type: ignore[index]
    assert {"A", "C", "D1", "D2"} <= layouts
    codes = {r["errors"][0]["code"] for r in gold if r["status"] == "rejected"}  # type: ignore[index]
    assert codes == {"other_program", "pdf_no_text"}


def test_sample_inbox_regenerates_identically(tmp_path: Path) -> None:
    written = write_sample_inbox(tmp_path / "inbox")
    assert written[-1] == tmp_path / "inbox-gold.jsonl"
    assert written[-1].read_bytes() == (SAMPLES / "inbox-gold.jsonl").read_bytes()
    for path in written[:-1]:
        relative = path.relative_to(tmp_path / "inbox")
        assert path.read_bytes() == (SAMPLES / "inbox" / relative).read_bytes(), relative
