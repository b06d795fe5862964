"""Shared fixtures: paths to the shared corpora (skipped when absent)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest_plugins = ["tests.fixtures_db", "tests.fixtures_prefect"]

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("IMR_SHARED_DIR", ROOT.parent / "shared"))
SEEDS = SHARED / "corpus" / "seeds"
REAL = SHARED / "corpus" / "real"
CONTRACT = SHARED / "contract" / "letter-record.schema.json"
SCORER = SHARED / "tools" / "score.py"

# Flows called in the test process run their chunks there, one at a time (tests patch code in this
# process); the parallel runners are tested through the CLI (tests/pipeline/test_parallel.py).
os.environ.setdefault("IMR_WORKERS", "1")
# Nothing a test writes lands in the repository: the default data folder is a temporary one.
os.environ.setdefault("IMR_DATA_DIR", __import__("tempfile").mkdtemp(prefix="imr-test-data-"))
# `make test-fast`: the world without the OCR engine (its folders left out of PATH, for this process
# and every process it starts), so the tests that need Tesseract skip and the rest prove they don't.
if os.environ.get("IMR_TEST_NO_OCR") == "1":
    os.environ["PATH"] = os.pathsep.join(
        d for d in os.environ.get("PATH", "").split(os.pathsep) if not (Path(d) / "tesseract").exists()
    )
# Keep third-party telemetry off in every test process.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    if not (SEEDS / "gold.jsonl").exists():
        pytest.skip("../shared/corpus/seeds is absent")
    return SEEDS


@pytest.fixture(scope="session")
def real_dir() -> Path:
    if not (REAL / "gold.jsonl").exists():
        pytest.skip("../shared/corpus/real is absent")
    return REAL


@pytest.fixture(autouse=True)
def _settings_restored() -> Iterator[None]:
    """Each test starts and ends with the same ``IMR_`` environment (flows read their settings there)."""
    from imr.settings import get_settings

    saved = {k: v for k, v in os.environ.items() if k.startswith("IMR_")}
    yield
    for k in [k for k in os.environ if k.startswith("IMR_")]:
        del os.environ[k]
    os.environ.update(saved)
    get_settings.cache_clear()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that asks for the PostgreSQL server is marked ``postgres``, and one that asks for the
    Prefect harness ``prefect``, however it was declared (``make test`` runs the PostgreSQL tests apart
    from the soak, which stops the server; ``make test-fast`` leaves out both kinds), and the tests
    marked ``alone`` come first: on two workers the soak starts at once and the others share the second."""
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        for fixture, marker in (("postgres_admin", "postgres"), ("prefect_harness", "prefect")):
            if fixture in fixtures and item.get_closest_marker(marker) is None:
                item.add_marker(getattr(pytest.mark, marker))
    items.sort(key=lambda item: item.get_closest_marker("alone") is None)
