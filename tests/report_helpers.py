"""Gold records loaded through the real loader, shared by the report tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine

import warehouse as w
from imr.models import LetterRecord
from imr.synth.records import synthetic_records

Gold = dict[str, Any]


def load_golds(engine: Engine, golds: list[Gold]) -> str:
    """Load every parsed gold record through the real loader in one batch; returns the batch id."""
    return w.load_records(engine, [LetterRecord.from_dict(g) for g in golds], inbox="/inbox")


def synthetic_golds(count: int, seed: int = 12) -> list[Gold]:
    """``count`` synthetic gold records with distinct case numbers (generator letters, fake bytes)."""
    return [r.to_dict() for r in synthetic_records(seed * 100_003, count)]
