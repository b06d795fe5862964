"""Helpers shared by the pipeline tests: synthetic inboxes, what extraction says of them, what the
warehouse exports, and running a batch through the production path (the Prefect flows that
``imr ingest``, ``imr rerun``, ``imr backfill`` and the deployments run)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

import warehouse
from imr.extract import extract_file
from imr.settings import Settings, override
from imr.synth.corpus import write_corpus
from pipeline.lifecycle import SIDECAR_SUFFIX
from pipeline.summary import BatchFailedError, BatchSummary

#: An mtime an hour ago: old enough for any stability window the tests use.
OLD = __import__("time").time() - 3600


def make_corpus(
    folder: Path, count: int, seed: int, *, bad: bool = False, formats: tuple[str, ...] = ("txt",)
) -> list[Path]:
    """Synthetic letters in ``folder`` (gold.jsonl moved out), mtimes in the past; returns the files."""
    paths = write_corpus(folder, count, seed, formats=formats, bad=bad)
    gold = folder / "gold.jsonl"
    if gold.exists():
        gold.rename(folder.parent / f"{folder.name}.gold.jsonl")
    for p in paths:
        os.utime(p, (OLD, OLD))
    return paths


def letter_files(root: Path) -> list[Path]:
    """Every letter-like file under ``root`` (not sidecars)."""
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if (p.is_file() or p.is_symlink()) and not p.name.endswith(SIDECAR_SUFFIX))


def expected_records(files: list[Path], inbox: Path) -> dict[str, dict[str, Any]]:
    """What ``imr extract`` says about each parsed file, keyed by sha256 (path relative to the inbox)."""
    out: dict[str, dict[str, Any]] = {}
    for f in files:
        rec = extract_file(f, display_path=f.relative_to(inbox).as_posix())
        if rec.status == "parsed":
            out[rec.source.sha256] = rec.to_dict()
    return out


def exported(engine: Engine) -> dict[str, dict[str, Any]]:
    """The warehouse's export, keyed by sha256."""
    return {r.source.sha256: r.to_dict() for r in warehouse.export_records(engine)}


def count(engine: Engine, table: sa.Table) -> int:
    """Rows in ``table``."""
    with warehouse.reading(engine) as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def url_of(engine: Engine) -> str:
    """The engine's URL with its password (tests only)."""
    return engine.url.render_as_string(hide_password=False)


def settings_for(tmp: Path, **kw: Any) -> Settings:
    """Settings of a test run: data under ``tmp``, no stability wait, small chunks."""
    base: dict[str, Any] = {"data_dir": tmp / "data", "stable_seconds": 0, "chunk_size": 4}
    base.update(kw)
    return Settings(**base)


def letters_in(tmp: Path, count: int, seed: int) -> tuple[Path, list[Path], dict[str, dict[str, Any]], Settings]:
    """An inbox ``tmp/inbox`` of ``count`` synthetic letters and bad inputs, what extraction says
    of them, and the settings of a test run: ``(inbox, files, expected records, settings)``."""
    inbox = tmp / "inbox"
    files = make_corpus(inbox, count, seed=seed, bad=True)
    return inbox, files, expected_records(files, inbox), settings_for(tmp)


def run_batch(
    engine: Engine,
    inbox: Path | None,
    settings: Settings,
    kind: str = "ingest",
    *,
    parent_batch_id: str | None = None,
    move_files: bool = False,
) -> BatchSummary:
    """One batch through the production path: the flow of ``kind`` on the Prefect test harness, with
    ``settings`` and the warehouse of ``engine`` as the process's settings (as the CLI sets them).

    Returns the batch summary (also of a Failed batch); re-raises the error of a failed step.
    """
    from flows.ingest import backfill_flow, ingest_flow, rerun_flow

    override(
        database_url=url_of(engine),
        data_dir=settings.data_dir,
        stable_seconds=settings.stable_seconds,
        chunk_size=settings.chunk_size,
        quarantine_threshold=settings.quarantine_threshold,
    )
    fast: dict[str, Any] = {"transient_retries": 0, "retry_delay_seconds": 0, "return_state": True}
    if kind == "ingest":
        state = ingest_flow(inboxes=[str(inbox)], **fast)
    elif kind == "rerun":
        assert parent_batch_id is not None
        state = rerun_flow(batch_id=parent_batch_id, **fast)
    else:
        state = backfill_flow(folder=str(inbox), move_files=move_files, **fast)
    result = state.result(raise_on_failure=False)
    if isinstance(result, BatchFailedError):
        return BatchSummary.from_dict(result.summary)
    if isinstance(result, BaseException):
        raise result
    return BatchSummary.from_dict(result)
