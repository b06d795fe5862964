"""Ingest's extraction carries evidence: the isolated extractor asks for it (``IMR_EVIDENCE``, on by
default), records come back from the child with it (and a set-aside letter with its partial
letter), and an extractor that takes no ``evidence`` still works."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from imr.settings import Settings
from imr.synth import generate_letter, render_text
from pipeline.isolation import IsolatedExtractor, Limits

HOOK = "tests.isolation_hooks.hostile_extract"


@pytest.fixture()
def letters(tmp_path: Path) -> tuple[Path, Path]:
    good = tmp_path / "good.txt"
    good.write_bytes(render_text(generate_letter(5, layout="D2")))
    text = render_text(generate_letter(6, layout="D2")).decode("utf-8")
    damaged = tmp_path / "damaged.txt"
    damaged.write_text(re.sub(r"\b(Uph)e(ld)\b|\b(Overtu)r(ned)\b", r"\1\3#\2\4", text))
    return good, damaged


def test_the_setting_is_on_by_default_and_reaches_the_limits() -> None:
    assert Settings().evidence is True
    assert Limits.from_settings(Settings()).evidence is True
    assert Limits.from_settings(Settings(evidence=False)).evidence is False


@pytest.mark.timeout(120)
def test_records_from_the_child_carry_evidence_and_partial(letters: tuple[Path, Path]) -> None:
    good, damaged = letters
    with IsolatedExtractor(Settings(extract_timeout_seconds=30)) as ex:
        record = ex.extract(good, good.name)
        rejected = ex.extract(damaged, damaged.name)
    assert record.status == "parsed" and record.evidence is not None
    assert record.letter is not None and record.evidence["case_number"].text.endswith(record.letter.case_number or "?")
    assert rejected.errors[0].code == "unresolved_item"
    assert rejected.partial is not None and rejected.partial["_doubtful"]
    assert rejected.evidence is not None and "case_number" in rejected.evidence


@pytest.mark.timeout(120)
def test_evidence_off_gives_records_without_it(letters: tuple[Path, Path]) -> None:
    good, _ = letters
    with IsolatedExtractor(Settings(extract_timeout_seconds=30, evidence=False)) as ex:
        record = ex.extract(good, good.name)
    assert record.status == "parsed" and record.evidence is None


@pytest.mark.timeout(120)
def test_an_extractor_without_the_evidence_keyword_still_runs(letters: tuple[Path, Path]) -> None:
    good, _ = letters
    with IsolatedExtractor(Settings(extract_timeout_seconds=30), extractor=HOOK) as ex:
        record = ex.extract(good, good.name)
    assert record.status == "parsed" and record.evidence is None
