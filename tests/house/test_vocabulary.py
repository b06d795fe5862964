"""One vocabulary: every status and kind of a file or batch is written once, in its StrEnum
(``imr/outcomes.py``), and every value set of the record once, in ``imr/models.py``; code compares
and writes them through those names, never as bare strings. Migrations are frozen history and
are not read."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from imr import models
from imr.outcomes import BatchKind, BatchStatus, FileStatus
from warehouse import schema

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("imr", "pipeline", "warehouse", "expectations", "reports", "tasks", "flows")
WORDS = {s.value for s in (*FileStatus, *BatchStatus, *BatchKind)}
CALLS = {"mark_file", "finish_batch", "start_batch", "close_batch", "decide", "LoadResult"}


def _sources() -> list[Path]:
    files = [p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")]
    return [p for p in files if "migrations" not in p.parts and p.name != "outcomes.py"]


def _bare(node: ast.AST) -> list[str]:
    """The status words written as string constants in ``node`` (a constant, or a tuple/list/set of them)."""
    elts = node.elts if isinstance(node, ast.Tuple | ast.List | ast.Set) else [node]
    return [e.value for e in elts if isinstance(e, ast.Constant) and isinstance(e.value, str) and e.value in WORDS]


def _violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any("status" in ast.unparse(s) or "kind" in ast.unparse(s) for s in sides):
                found += [f"{where}: compares with {w!r}" for s in sides for w in _bare(s)]
        elif isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            args = [*node.args, *(k.value for k in node.keywords if k.arg in ("status", "kind"))]
            if name in CALLS:
                found += [f"{where}: {name}() given {w!r}" for a in args for w in _bare(a)]
        elif isinstance(node, ast.Dict):
            for k, v in zip(node.keys, node.values, strict=True):
                if isinstance(k, ast.Constant) and k.value in ("status", "kind") and v is not None:
                    found += [f"{where}: {k.value!r}: {w!r}" for w in _bare(v)]
    return found


def test_statuses_and_kinds_are_never_bare_strings() -> None:
    found = [v for p in _sources() for v in _violations(p)]
    assert found == [], "use FileStatus / BatchStatus / BatchKind:\n" + "\n".join(found)


def test_the_check_finds_a_bare_status(tmp_path: Path) -> None:
    """The meta-test can fail: it finds each shape it looks for."""
    bad = ROOT / "pipeline" / "_vocabulary_probe.py"
    bad.write_text(
        'def f(row, engine, fid):\n    if row.status == "loaded":\n        mark_file(engine, fid, "rejected")\n'
        '    return {"status": "running"}\n'
    )
    try:
        assert len(_violations(bad)) == 3
    finally:
        bad.unlink()


@pytest.mark.parametrize(
    ("constraint", "words"),
    [
        (schema.DECISIONS, models.DECISIONS),
        (schema.OUTCOMES, models.OUTCOMES),
        (schema.PRIORITIES, models.PRIORITIES),
        (schema.SEXES, models.SEXES),
        (schema.GUIDELINE_SOURCES, models.GUIDELINE_SOURCES),
        (schema.FILE_STATUSES, tuple(FileStatus)),
        (schema.BATCH_STATUSES, tuple(BatchStatus)),
        (schema.BATCH_KINDS, tuple(BatchKind)),
    ],
)
def test_the_warehouse_constraints_are_the_vocabulary(constraint: tuple[str, ...], words: tuple[str, ...]) -> None:
    assert constraint is words or tuple(constraint) == tuple(words)


def test_value_sets_are_defined_once() -> None:
    """No other module spells out a value set of the record as a literal tuple or set."""
    sets = {frozenset(v) for v in (models.DECISIONS, models.OUTCOMES, models.PRIORITIES, models.SEXES)}
    sets.add(frozenset(models.GUIDELINE_SOURCES))
    found = []
    for path in _sources():
        if path.name == "models.py" and path.parent.name == "imr":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Tuple | ast.Set | ast.List) and node.elts:
                values = [e.value for e in node.elts if isinstance(e, ast.Constant)]
                if len(values) == len(node.elts) and frozenset(values) in sets:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == [], "import the value set from imr.models:\n" + "\n".join(found)
