"""Data-quality results: per batch and expectation counts, and which files failed what.

Row-level expectations store ``evaluated`` / ``failed`` rows. Batch-level (drift) checks, suite
``drift``, store the same row with ``evaluated`` = the batch size they judged (items, letters or
files), ``failed`` = 1 when the check failed, and their ``observed`` value, ``baseline``,
``lower_bound`` / ``upper_bound`` and ``verdict`` (passed | failed | insufficient).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from imr.outcomes import DRIFT_SUITE, DqFailure, ExpectationResult
from warehouse import schema
from warehouse.batches import utcnow
from warehouse.engine import insert_ignoring, reading, transaction, upsert
from warehouse.schema import DQ_LEVELS, DQ_VERDICTS, dq_letter_failures


def _check_level(level: str) -> None:
    if level not in DQ_LEVELS:
        raise ValueError(f"unknown data-quality level {level!r}; expected one of {DQ_LEVELS}")


_BATCH_LEVEL = ("observed", "baseline", "lower_bound", "upper_bound", "verdict", "baseline_source")


def _float(value: float | None) -> float | None:
    return None if value is None else float(value)


def store_dq_results(engine: Engine, batch_id: str, results: Sequence[ExpectationResult]) -> None:
    """Store the results of a batch; storing the same (suite, expectation) again replaces it.

    Raises ``ValueError`` for an unknown level.
    """
    for r in results:
        _check_level(r.level)
        if r.verdict is not None and r.verdict not in DQ_VERDICTS:
            raise ValueError(f"unknown verdict {r.verdict!r}; expected one of {DQ_VERDICTS}")
    now = utcnow()
    rows = [
        {
            "batch_id": batch_id,
            "suite": r.suite,
            "expectation": r.expectation,
            "level": r.level,
            "evaluated": int(r.evaluated),
            "failed": int(r.failed),
            "failure_rate": float(r.failure_rate),
            "recorded_at": now,
            "observed": _float(r.observed),
            "baseline": _float(r.baseline),
            "lower_bound": _float(r.lower_bound),
            "upper_bound": _float(r.upper_bound),
            "verdict": r.verdict,
            "baseline_source": r.baseline_source,
        }
        for r in results
    ]
    with transaction(engine) as conn:
        upsert(
            conn,
            schema.dq_results,
            rows,
            keys=["batch_id", "suite", "expectation"],
            update=["level", "evaluated", "failed", "failure_rate", "recorded_at", *_BATCH_LEVEL],
        )


def dq_results(engine: Engine, batch_id: str) -> list[ExpectationResult]:
    """The stored results of a batch, ordered by suite and expectation."""
    t = schema.dq_results
    stmt = sa.select(t).where(t.c.batch_id == batch_id).order_by(t.c.suite, t.c.expectation)
    with reading(engine) as conn:
        return [
            ExpectationResult(
                r.suite,
                r.expectation,
                r.level,
                int(r.evaluated),
                int(r.failed),
                r.observed,
                r.baseline,
                r.lower_bound,
                r.upper_bound,
                r.verdict,
                r.baseline_source,
            )
            for r in conn.execute(stmt)
        ]


def drift_results(engine: Engine, batch_id: str) -> list[ExpectationResult]:
    """The stored batch-level (suite ``drift``) results of a batch, ordered by expectation."""
    return [r for r in dq_results(engine, batch_id) if r.suite == DRIFT_SUITE]


def failed_expectations(engine: Engine, batch_id: str) -> list[str]:
    """Names of the expectations that failed on a batch, sorted and distinct: row-level ones
    with at least one failing row, and batch-level (drift) checks whose verdict is ``failed``
    (``insufficient`` is not a failure). For ``imr batches --json``."""
    t = schema.dq_results
    stmt = (
        sa.select(t.c.expectation)
        .where(t.c.batch_id == batch_id, t.c.failed > 0)
        .where(sa.or_(t.c.verdict.is_(None), t.c.verdict == "failed"))
        .distinct()
        .order_by(t.c.expectation)
    )
    with reading(engine) as conn:
        return [str(name) for name in conn.scalars(stmt)]


def insert_dq_failures(
    conn: Connection, batch_id: str, file_id: str, letter_id: str | None, failures: Sequence[DqFailure]
) -> None:
    """Inside a transaction: record the expectations a file failed (existing ones are kept)."""
    insert_dq_rows(conn, dq_failure_rows(batch_id, file_id, letter_id, failures))


def dq_failure_rows(
    batch_id: str, file_id: str, letter_id: str | None, failures: Sequence[DqFailure]
) -> list[dict[str, Any]]:
    """The ``dq_letter_failures`` rows of the expectations a file failed (levels checked)."""
    for f in failures:
        _check_level(f.level)
    return [
        {
            "batch_id": batch_id,
            "source_file_id": file_id,
            "letter_id": letter_id,
            "suite": f.suite,
            "expectation": f.expectation,
            "level": f.level,
        }
        for f in failures
    ]


def insert_dq_rows(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Inside a transaction: insert :func:`dq_failure_rows` (rows already there are kept)."""
    insert_ignoring(
        conn, dq_letter_failures, rows, keys=["batch_id", "source_file_id", "suite", "expectation"]
    )


def dq_failures_of(engine: Engine, file_id: str) -> list[DqFailure]:
    """The expectations a source file failed, ordered by suite and expectation."""
    stmt = (
        sa.select(dq_letter_failures.c.suite, dq_letter_failures.c.expectation, dq_letter_failures.c.level)
        .where(dq_letter_failures.c.source_file_id == file_id)
        .order_by(dq_letter_failures.c.suite, dq_letter_failures.c.expectation)
    )
    with reading(engine) as conn:
        return [DqFailure(s, e, lv) for s, e, lv in conn.execute(stmt)]
