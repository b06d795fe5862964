"""Small helpers shared by the tests (extraction, contract, fresh interpreters)."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_PATH = ROOT / "imr" / "contract" / "letter-record.schema.json"


@lru_cache(maxsize=1)
def contract_validator() -> Any:
    """A Draft 2020-12 validator of the vendored contract, with format checking (dates)."""
    from jsonschema import Draft202012Validator

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def assert_contract(record: dict[str, Any]) -> None:
    errors = sorted(contract_validator().iter_errors(record), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors][:5]


def assert_runs_in_fresh_python(code: str) -> None:
    """Run ``code`` in a new interpreter at the repository root (nothing imported yet) and fail
    with the end of its stderr unless it exits 0."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]


def run_imr_without(argv: list[str], packages: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
    """Run ``imr ARGV`` (``imr.cli.main``) in a new interpreter and fail unless it exits 0 having
    imported none of ``packages`` (top-level names, e.g. ``prefect``); returns the finished process."""
    code = (
        f"import sys; sys.argv = ['imr', *{argv!r}];"
        "from imr.cli import main; rc = main(sys.argv[1:]);"
        f"bad = [m for m in sys.modules if m.split('.')[0] in {packages!r}];"
        "print('LOADED', bad, file=sys.stderr); sys.exit(rc)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "LOADED []" in out.stderr, out.stderr[-2000:]
    return out


def assert_settings_validate(settings: Any, refused: list[tuple[dict[str, Any], type[Exception], str]]) -> None:
    """``settings`` (a frozen, self-validating settings object such as ``PDF_SETTINGS``) is its
    class's defaults and cannot be changed; its class refuses each of ``refused``: (the fields
    given, the error raised, a pattern of its message)."""
    cls = type(settings)
    assert cls() == settings
    first = dataclasses.fields(settings)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(settings, first, getattr(settings, first))
    for changes, error, message in refused:
        with pytest.raises(error, match=message):
            cls(**changes)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


LETTER_CORE = (
    "case_number",
    "date_assigned",
    "decision_date",
    "date_of_injury",
    "ur_denial_date",
    "application_received",
    "priority",
    "outcome",
)


def _as_set(values: list[str] | None) -> set[str]:
    """A list compared the way the scorer does: as a set, case-folded, whitespace collapsed."""
    return {" ".join(x.split()).casefold() for x in values or []}


def compare_to_gold(pred: dict[str, Any], gold: dict[str, Any]) -> list[str]:
    """Differences on what the shared scorer counts (letter fields, items, guideline sources)."""
    diffs: list[str] = []
    name = Path(gold["source"]["path"]).name
    if pred["status"] != gold["status"]:
        return [f"{name}: status {pred['status']} != {gold['status']} ({pred['errors']})"]
    if gold["status"] == "rejected":
        want = {e["code"] for e in gold["errors"]}
        got = {e["code"] for e in pred["errors"]}
        if want and not want & got:
            diffs.append(f"{name}: reason {sorted(got)} != {sorted(want)}")
        return diffs
    for key in ("sha256", "media_type", "pages"):
        if pred["source"][key] != gold["source"][key]:
            diffs.append(f"{name}: source.{key}")
    pl, gl = pred["letter"], gold["letter"]
    for key in LETTER_CORE:
        if pl.get(key) != gl.get(key):
            diffs.append(f"{name}: {key} {pl.get(key)!r} != {gl.get(key)!r}")
    for key in ("licensure_states", "specialties"):
        if _as_set(pl["reviewer"][key]) != _as_set(gl["reviewer"][key]):
            diffs.append(f"{name}: reviewer.{key} {pl['reviewer'][key]} != {gl['reviewer'][key]}")
    for key in ("age", "sex"):
        if (pl.get("patient") or {}).get(key) != (gl.get("patient") or {}).get(key):
            diffs.append(f"{name}: patient.{key}")
    if len(pl["items"]) != len(gl["items"]):
        diffs.append(f"{name}: {len(pl['items'])} items != {len(gl['items'])}")
        return diffs
    for pi, gi in zip(pl["items"], gl["items"], strict=True):
        o = gi["ordinal"]
        if pi["decision"] != gi["decision"]:
            diffs.append(f"{name} #{o}: decision {pi['decision']} != {gi['decision']}")
        if " ".join(pi["request"].split()).casefold() != " ".join(gi["request"].split()).casefold():
            diffs.append(f"{name} #{o}: request {pi['request']!r} != {gi['request']!r}")
        for g in ("claims_administrator_guideline", "reviewer_guideline"):
            if pi[g]["source"] != gi[g]["source"]:
                diffs.append(f"{name} #{o}: {g}.source {pi[g]['source']} != {gi[g]['source']}")
    return diffs
