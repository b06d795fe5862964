"""Warehouse tasks retry transient failures only (no Prefect API needed for the condition)."""

from __future__ import annotations

from typing import Any

from prefect.states import Completed, Failed

from imr.errors import NotImrLetterError, WarehouseUnavailableError
from tasks import ingest as t


def _retry(state: Any) -> bool:
    return t.retry_if_transient(t.chunk, None, state)  # type: ignore[arg-type]


def test_transient_errors_are_retried_terminal_ones_are_not() -> None:
    assert _retry(Failed(data=WarehouseUnavailableError("down")))
    assert not _retry(Failed(data=NotImrLetterError("nope")))
    assert not _retry(Failed(data=ValueError("bug")))
    assert not _retry(Completed(data=1))


def test_warehouse_tasks_carry_the_retry_policy_and_no_result_persistence() -> None:
    for task in (t.open_batch, t.plan, t.settle, t.chunk, t.summarise, t.resolve_batch):
        assert task.retries == t.TRANSIENT_RETRIES and task.retry_condition_fn is t.retry_if_transient
        assert task.persist_result is False
