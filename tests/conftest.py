"""Shared fixtures: paths to the shared corpora (skipped when absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest_plugins = ["tests.fixtures_db", "tests.fixtures_prefect"]

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("IMR_SHARED_DIR", ROOT.parent / "shared"))
SEEDS = SHARED / "corpus" / "seeds"
REAL = SHARED / "corpus" / "real"
CONTRACT = SHARED / "contract" / "letter-record.schema.json"
SCORER = SHARED / "tools" / "score.py"

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
