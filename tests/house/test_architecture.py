"""The house keeps its floors (docs/ARCHITECTURE.md): every import, top-level or inside a function,
points down.

    imr CLI (imr.cli, imr.commands) -> flows -> tasks -> pipeline -> imr.extract / expectations /
    warehouse -> imr core (models, errors, settings, outcomes, taxonomy, synth)
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: floor -> the first-party floors and third-party packages it must never import
FORBIDDEN: dict[str, set[str]] = {
    "imr": {"pipeline", "flows", "tasks", "warehouse", "expectations", "prefect", "great_expectations", "sqlalchemy"},
    "expectations": {"pipeline", "flows", "tasks", "warehouse", "prefect", "sqlalchemy"},
    "warehouse": {"pipeline", "flows", "tasks", "expectations", "prefect", "great_expectations"},
    "reports": {"pipeline", "flows", "tasks", "expectations", "prefect", "great_expectations"},
    "pipeline": {"flows", "tasks", "prefect"},
    "tasks": {"flows"},
    "flows": set(),
}
#: the top floor (the CLI) may import every floor below it
TOP = ("imr/cli.py", "imr/commands/")


def _imports(path: Path) -> set[str]:
    """The top-level package of every module ``path`` imports (at any depth of the file)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _files(floor: str) -> list[Path]:
    files = sorted((ROOT / floor).rglob("*.py"))
    return [f for f in files if not str(f.relative_to(ROOT)).startswith(TOP)]


@pytest.mark.parametrize("floor", sorted(FORBIDDEN))
def test_no_import_points_up(floor: str) -> None:
    offenders = {
        str(f.relative_to(ROOT)): sorted(_imports(f) & FORBIDDEN[floor])
        for f in _files(floor)
        if _imports(f) & FORBIDDEN[floor]
    }
    assert offenders == {}


def test_the_rules_see_real_imports() -> None:
    """The scanner finds function-local imports too (a rule that never matches would prove nothing)."""
    assert "warehouse" in _imports(ROOT / "imr" / "commands" / "common.py")
    assert {"warehouse", "expectations"} <= _imports(ROOT / "pipeline" / "stages.py")
    assert "prefect" in _imports(ROOT / "tasks" / "ingest.py")


#: The folders of tests/, named after what they test (the floors and parts of the house).
TEST_FOLDERS = {
    "house": "the rules of the house: imports, vocabulary, settings, secrets",
    "extract": "imr.extract and the taxonomy: files to records",
    "synth": "imr.synth: the letter generator",
    "cli": "imr's command line",
    "warehouse": "warehouse: schema, migrations, loads, claims, runs, versions, views",
    "expectations": "expectations: row checks and drift checks",
    "pipeline": "pipeline: discovery, isolation, planning, stages, lanes, crashes and interrupts",
    "flows": "flows and tasks: the Prefect flows end to end",
    "ops": "operations: imr server, imr serve, the work pool, automations, the soak of the nightly path",
    "reports": "reports: imr report",
    "show": "imr show: a letter's values beside its pages, with the boxes of their evidence",
}


def test_the_tests_are_a_map_of_the_code() -> None:
    tests = ROOT / "tests"
    assert sorted(p.name for p in tests.glob("test_*.py")) == [], "a test lives in the folder of what it tests"
    folders = {p.parent.relative_to(tests).parts[0] for p in tests.rglob("test_*.py")}
    assert folders == set(TEST_FOLDERS), f"folders of tests/: {sorted(folders)}"
    assert all((tests / f / "__init__.py").exists() for f in TEST_FOLDERS)
