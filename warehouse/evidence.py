"""Stored evidence: where each value of a loaded letter stands in its file (``letter_evidence``).

A record's ``evidence`` (``{field path: Evidence}``) is written with the letter, in its loading
transaction (:mod:`warehouse.load`), one row per path; :func:`evidence_of` reads it back as the
same map, so ``imr export --evidence`` gives the contract's ``evidence`` object
(:mod:`warehouse.export`, which also finds one letter of a case with its evidence and its file:
``letter_for_case``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from imr.models import Evidence, EvidenceMap
from warehouse import schema as s
from warehouse.engine import select_in


def evidence_rows(letter_id: str, evidence: EvidenceMap) -> list[dict[str, Any]]:
    """The ``letter_evidence`` rows of a letter's evidence map (one per field path)."""
    rows: list[dict[str, Any]] = []
    for path, ev in evidence.items():
        x0, top, x1, bottom = ev.bbox if ev.bbox is not None else (None, None, None, None)
        rows.append(
            {
                "letter_id": letter_id,
                "path": path,
                "page": int(ev.page),
                "x0": x0,
                "top": top,
                "x1": x1,
                "bottom": bottom,
                "line": ev.line,
                "text": ev.text,
                "confidence": ev.confidence,
            }
        )
    return rows


def _evidence(r: Any) -> Evidence:
    box = (r.x0, r.top, r.x1, r.bottom)
    return Evidence(
        page=int(r.page),
        text=r.text,
        bbox=tuple(float(v) for v in box) if None not in box else None,  # type: ignore[arg-type]
        line=r.line,
        confidence=r.confidence,
    )


def evidence_of(conn: Connection, letter_ids: Sequence[str]) -> dict[str, EvidenceMap]:
    """Inside a transaction: the stored evidence of these letters, ``{letter id: {path: Evidence}}``
    (letters without evidence are left out; paths in their stored order)."""
    t = s.letter_evidence
    out: dict[str, EvidenceMap] = defaultdict(dict)
    for r in select_in(conn, sa.select(t).order_by(t.c.letter_id, t.c.path), t.c.letter_id, list(letter_ids)):
        out[r.letter_id][r.path] = _evidence(r)
    return dict(out)
