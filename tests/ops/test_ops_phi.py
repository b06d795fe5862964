"""No letter text in the Prefect UI: ingest the corpora, then read back every log and artifact.

Runs ``flows.ingest.ingest_flow`` over the shared corpora (real PDFs and seed text letters copied
to a temporary inbox) under the session's Prefect harness, with the core's loggers (``imr``,
``warehouse``, ``expectations``) also shipped to the API as ``PREFECT_LOGGING_EXTRA_LOGGERS=imr``
would. Then it fails on narrative text in what the API holds for that flow run:

- any run of 6 words (at least 3 of them real words) found in a letter's text;
- clinical words ('injured worker', 'diagnos', 'medically necessary', ...);
- in artifacts, any sentence or table cell longer than 12 words (artifacts hold counts, codes,
  names and case numbers only); in logs, any sentence longer than 30 words.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REAL, SEEDS
from tests.fixtures_prefect import harness_post

pytestmark = [pytest.mark.prefect, pytest.mark.corpus, pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]

SHINGLE = 6
MAX_ARTIFACT_SENTENCE = 12
MAX_LOG_SENTENCE = 30
CLINICAL = re.compile(
    r"injured worker|diagnos|medically necessary|clinical|symptom|treating physician|\bpain\b", re.IGNORECASE
)
_TOKEN = re.compile(r"[a-z]+|\d+")


def _letters() -> list[Path]:
    return sorted(REAL.glob("pdf/*.pdf")) + sorted(SEEDS.glob("*.txt"))


def _text_of(path: Path) -> str:
    if path.suffix == ".txt":
        return path.read_bytes().decode("utf-8", errors="ignore")
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()


def shingles(text: str, n: int = SHINGLE) -> set[tuple[str, ...]]:
    """Word n-grams of ``text`` with at least 3 real words (so runs of numbers do not count)."""
    tokens = _TOKEN.findall(text.lower())
    out = set()
    for i in range(len(tokens) - n + 1):
        gram = tuple(tokens[i : i + n])
        if sum(1 for t in gram if t.isalpha() and len(t) >= 3) >= 3:
            out.add(gram)
    return out


def long_sentences(text: str, limit: int) -> list[str]:
    """Sentences (split on . ! ? | newlines and backticks) with more than ``limit`` words."""
    parts = re.split(r"[.!?|\n`]+", text)
    return [p.strip() for p in parts if len(re.findall(r"[A-Za-z]{2,}", p)) > limit]


def _post(path: str, body: dict[str, Any]) -> Any:
    return harness_post(path, body).json()


def _all(path: str, key: str, flow_run_id: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    while True:
        page = _post(path, {key: {"flow_run_id": {"any_": [flow_run_id]}}, "limit": 200, "offset": len(out)})
        out += page
        if len(page) < 200:
            return out


def _artifact_texts(artifact: dict[str, Any]) -> list[str]:
    """The texts of an artifact: its markdown, or each cell of a table (JSON rows), or its value."""
    data = artifact.get("data")
    if artifact.get("type") == "table" and isinstance(data, str):
        rows = json.loads(data)
        cells = [v for row in rows for v in (row.values() if isinstance(row, dict) else row)]
        return [str(c) for c in cells]
    return [data if isinstance(data, str) else repr(data)]


@pytest.fixture
def core_logs_to_api() -> Iterator[None]:
    """Ship the core's loggers to the Prefect API during the test (PREFECT_LOGGING_EXTRA_LOGGERS)."""
    from prefect.logging.handlers import APILogHandler

    handler = APILogHandler()
    loggers = [logging.getLogger(name) for name in ("imr", "warehouse", "expectations")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.INFO)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.removeHandler(handler)
            lg.setLevel(level)


def test_shingles_and_sentences_catch_narrative() -> None:
    letter = "The injured worker sustained an injury to the lower back while lifting boxes at work."
    assert shingles("report: injury to the lower back while lifting") & shingles(letter)
    assert not shingles("batch 42: files_seen=10 loaded=8 duplicates=0 rejected=1") & shingles(letter)
    assert not shingles("10 6 1 0 1 2 0 8 1 13") and long_sentences(letter, 12)


def test_ingest_over_the_corpora_leaves_no_letter_text_in_logs_or_artifacts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, core_logs_to_api: None
) -> None:
    letters = _letters()
    if not letters:
        pytest.skip("../shared/corpus is absent")
    try:
        from flows.ingest import ingest_flow
    except ImportError as e:  # pragma: no cover - only while flows/ingest.py is being written
        pytest.skip(f"flows.ingest is not importable yet: {e}")
    from prefect.logging.handlers import APILogHandler

    from imr.settings import get_settings

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for p in letters:
        shutil.copy2(p, inbox / p.name)
    monkeypatch.setenv("IMR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("IMR_STABLE_SECONDS", "0")
    monkeypatch.setenv("IMR_DATABASE_URL", f"sqlite:///{tmp_path / 'warehouse.db'}")
    get_settings.cache_clear()
    try:
        state = ingest_flow(inboxes=[str(inbox)], stable_seconds=0, return_state=True)
    finally:
        get_settings.cache_clear()
    APILogHandler().flush()
    run_id = str(state.state_details.flow_run_id)

    artifacts = _all("/artifacts/filter", "artifacts", run_id)
    logs: list[dict[str, Any]] = []
    for _ in range(20):  # logs arrive in batches; wait until the count settles
        again = _all("/logs/filter", "logs", run_id)
        if logs and len(again) == len(logs):
            break
        logs = again
        time.sleep(0.5)

    keys = {a["key"] for a in artifacts}
    assert {"imr-ingest-summary", "imr-ingest-progress"} <= keys, keys
    assert any("pipeline" in (lg.get("name") or "") for lg in logs), "core logs did not reach the API"

    letter_shingles: set[tuple[str, ...]] = set()
    for p in letters:
        letter_shingles |= shingles(_text_of(p))
    assert len(letter_shingles) > 10_000

    problems: list[str] = []
    for a in artifacts:
        where = f"artifact {a['key']} ({a['type']})"
        for text in _artifact_texts(a):
            problems += [f"{where}: letter words {' '.join(g)!r}" for g in sorted(shingles(text) & letter_shingles)[:3]]
            problems += [f"{where}: clinical word {m!r}" for m in CLINICAL.findall(text)[:3]]
            problems += [f"{where}: long sentence {s[:80]!r}" for s in long_sentences(text, MAX_ARTIFACT_SENTENCE)]
        if CLINICAL.search(a.get("description") or ""):
            problems.append(f"{where}: clinical description")
    for lg in logs:
        msg = str(lg.get("message", ""))
        where = f"log {lg.get('name')}"
        problems += [f"{where}: letter words {' '.join(g)!r}" for g in sorted(shingles(msg) & letter_shingles)[:3]]
        problems += [f"{where}: clinical word {m!r} in {msg[:80]!r}" for m in CLINICAL.findall(msg)[:3]]
        problems += [f"{where}: long sentence {s[:80]!r}" for s in long_sentences(msg, MAX_LOG_SENTENCE)]
    seen = f"{len(logs)} logs / {len(artifacts)} artifacts"
    assert not problems, f"{len(problems)} PHI findings in {seen}:\n" + "\n".join(problems[:40])
