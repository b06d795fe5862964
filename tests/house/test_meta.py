"""Conventions that keep the codebase honest: a Prefect-free core, the vendored contract equals the
shared one, settings read only in imr/settings.py."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from tests.conftest import CONTRACT, ROOT

CORE_MODULES = [
    "imr.extract.entry",
    "imr.extract.pdfium_text",
    "imr.models",
    "imr.outcomes",
    "pipeline.run",
    "imr.settings",
    "imr.synth",
    "imr.taxonomy",
    "warehouse",
    "expectations",
]


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_imports_neither_prefect_nor_gx(module: str) -> None:
    code = (
        f"import {module}, sys;print([m for m in sys.modules if m.split('.')[0] in ('prefect', 'great_expectations')])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_vendored_contract_is_the_shared_contract() -> None:
    if not CONTRACT.exists():
        pytest.skip("../shared/contract is absent")
    vendored = ROOT / "imr" / "contract" / "letter-record.schema.json"
    assert json.loads(vendored.read_text()) == json.loads(CONTRACT.read_text())


def test_only_settings_reads_the_environment() -> None:
    offenders = []
    for pkg in ("imr", "warehouse", "expectations", "tasks", "flows"):
        for path in (ROOT / pkg).rglob("*.py"):
            if path.name == "settings.py" or "synth" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            if re.search(r"os\.getenv\(\s*['\"]IMR_|os\.environ(?:\.get)?\(?\[?\s*['\"]IMR_", text):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def _codes_set_in(package: str) -> set[str]:
    """String literals a package passes as a reason code: ``Reason("x", ...)``, ``REASON_CODES["x"]``,
    ``INGEST_REASON_CODES["x"]`` and ``code = "x"`` class attributes."""
    import ast

    codes: set[str] = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Reason" and node.args:
                arg = node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    codes.add(arg.value)
            elif (
                isinstance(node, ast.Subscript)
                and getattr(node.value, "id", "").endswith("REASON_CODES")
                and isinstance(node.slice, ast.Constant)
                and isinstance(node.slice.value, str)
            ):
                codes.add(node.slice.value)
    return codes


def test_every_reason_code_the_pipeline_sets_is_registered() -> None:
    from imr.errors import REASON_CODES

    codes = _codes_set_in("pipeline")
    assert {"file_changed", "duplicate_file", "warehouse_constraint"} <= codes  # the scan sees real call sites
    assert codes - set(REASON_CODES) == set(), "codes set without a registered meaning"


def test_warehouse_errors_never_echo_parameters() -> None:
    """A database error message must not carry bound values (letter text) into logs."""
    from warehouse import make_engine

    assert make_engine("sqlite://").hide_parameters
