"""All settings of imr-etl, in one place (environment prefix ``IMR_``).

Nothing else in the project reads the environment. Settings are read when
:func:`get_settings` is first called, never at import time.
"""

from __future__ import annotations

import os
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ReviewFormShows(StrEnum):
    """How much of a letter the review form in the Prefect UI shows (``IMR_REVIEW_FORM_SHOWS``)."""

    DOUBTFUL = "doubtful"  # the values in doubt and the lines they were read from
    ALL = "all"  # every value read, with its line
    CODES = "codes"  # reason codes and field paths only: no letter text reaches the UI


class Settings(BaseSettings):
    """imr-etl settings; every field can be set as ``IMR_<FIELD>`` (lists as JSON)."""

    model_config = SettingsConfigDict(env_prefix="IMR_", extra="ignore")

    data_dir: Path = Field(
        default=Path("data"),
        description="Folder for the embedded warehouse, archive and quarantine (created on first run).",
    )
    database_url: SecretStr | None = Field(
        default=None,
        description="SQLAlchemy URL of the warehouse; default: SQLite file <data_dir>/warehouse.db. "
        "PostgreSQL: postgresql+psycopg://user@host:5432/db",
    )
    inboxes: list[Path] | None = Field(
        default=None,
        description="Drop folders scanned recursively for .pdf/.txt letters; default [<data_dir>/inbox].",
    )
    archive_dir: Path | None = Field(
        default=None, description="Where loaded letters are moved (dated sub-folders); default <data_dir>/archive."
    )
    quarantine_dir: Path | None = Field(
        default=None, description="Where rejected and quarantined files are moved; default <data_dir>/quarantine."
    )
    stable_seconds: float = Field(
        default=5.0, ge=0, description="A file is taken only once its size and mtime are unchanged this long."
    )
    chunk_size: int = Field(default=1000, ge=1, description="Most letters per task (evened out over the workers).")
    quarantine_threshold: float = Field(
        default=0.2, ge=0, le=1, description="The run fails when more than this share of files is quarantined."
    )
    schedule_cron: str = Field(default="0 2 * * *", description="Cron of the nightly ingest deployment.")
    schedule_timezone: str = Field(default="America/Los_Angeles", description="Time zone of the nightly cron.")
    server_host: str = Field(default="127.0.0.1", description="Host of the Prefect server (`imr server`).")
    server_port: int = Field(default=4200, description="Port of the Prefect server (`imr server`).")
    prefect_database_url: SecretStr | None = Field(
        default=None, description="Database of the Prefect server itself; default SQLite under PREFECT_HOME."
    )
    prefect_auth_string: SecretStr | None = Field(
        default=None,
        description="'user:password' of Prefect's basic authentication: `imr server` gives it to the server "
        "(PREFECT_SERVER_API_AUTH_STRING) and every imr command to its Prefect client (PREFECT_API_AUTH_STRING). "
        "Required for `imr server` on an address other than loopback.",
    )
    prefect_telemetry: bool = Field(
        default=False,
        description="Let Prefect send its anonymous usage telemetry from imr's runs and `imr server` "
        "(off by default: imr sets DO_NOT_TRACK=1 and PREFECT_SERVER_ANALYTICS_ENABLED=false).",
    )
    heartbeat_seconds: int = Field(
        default=30,
        ge=30,
        description="Seconds between the heartbeats of the flow runs `imr serve` executes "
        "(PREFECT_FLOWS_HEARTBEAT_FREQUENCY, at least 30); a run silent for 3 of them (its process died) "
        "is marked Crashed by the automation `imr serve` and `imr automations` create.",
    )
    pdf_engine: Literal["auto", "pdfium", "pdfplumber"] = Field(
        default="auto",
        description="PDF text engine: 'auto' (PDFium, pdfplumber when PDFium's text gives no parsed letter), "
        "'pdfium' or 'pdfplumber' (see bench/RESULTS.md).",
    )

    workers: int = Field(
        default_factory=lambda: os.cpu_count() or 1,
        ge=1,
        description="Chunks processed in parallel (processes) by ingest, backfill and rerun; 1 = one after another.",
    )
    parallel_min_files: int = Field(
        default=2000,
        ge=0,
        description="Fewest files to process for a run to start worker processes: a smaller batch runs in "
        "the flow's own process (each worker imports Prefect and Great Expectations: ~5 s of CPU).",
    )
    dask_address: str | None = Field(
        default=None,
        description="Address of an existing Dask scheduler (tcp://host:8786): chunks run on its workers.",
    )
    extract_timeout_seconds: float = Field(
        default=60.0,
        gt=0,
        description="Per-file extraction time limit; a file taking longer is rejected "
        "extract_timeout (its extractor process is killed and restarted).",
    )
    extract_memory_mb: float = Field(
        default=768.0,
        ge=0,
        description="Address-space limit (RLIMIT_AS) of the extractor process; a file "
        "exhausting it is rejected extract_memory. 0: no limit.",
    )
    extract_max_file_mb: float = Field(
        default=20.0, gt=0, description="Files larger than this are rejected file_too_large without being read."
    )
    extract_max_text_mb: float = Field(
        default=2.0,
        gt=0,
        description="Text letters larger than this are rejected text_too_large (letters have a few KB).",
    )
    extract_max_pages: int = Field(
        default=50,
        ge=1,
        description="PDFs with more pages are rejected too_many_pages before extraction (letters have 2-10).",
    )
    extract_max_items: int = Field(default=40, ge=1, description="Letters with more items are rejected too_many_items.")
    claim_ttl_seconds: float = Field(
        default=900.0,
        gt=0,
        description="How long a run's claim on a file holds; a claim older than this "
        "(its run was killed) is taken over by the next run.",
    )
    ocr: Literal["auto", "off"] = Field(
        default="auto",
        description="OCR of PDF pages without a text layer (scanned letters): 'auto' (Tesseract, "
        "see bench/RESULTS.md) or 'off' (image-only PDFs are rejected pdf_no_text).",
    )
    evidence: bool = Field(
        default=True,
        description="Ingest, backfill and rerun extract the evidence of each value (its page, box or line "
        "and source text) with the record; `imr extract` only with --evidence. Off: records without evidence.",
    )
    review_backlog_days: float = Field(
        default=3.0,
        ge=0,
        description="A review item waiting longer than this many days is overdue: the ingest summary "
        "and `imr review list` count it (the review backlog).",
    )
    review_form_shows: ReviewFormShows = Field(
        default=ReviewFormShows.DOUBTFUL,
        description="What the review form in the Prefect UI shows of a letter: 'doubtful' (the values in "
        "doubt and their source lines), 'all' (every value read) or 'codes' (no letter text).",
    )
    review_timeout_hours: float = Field(
        default=168.0,
        gt=0,
        description="How long a review flow run waits for its form (suspended, no process held) before "
        "it fails; the letter stays in the queue.",
    )

    def warehouse_url(self) -> str:
        """The warehouse URL: IMR_DATABASE_URL, else the embedded SQLite file under data_dir."""
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return f"sqlite:///{(self.data_dir / 'warehouse.db').resolve()}"

    def inbox_paths(self) -> list[Path]:
        """The drop folders: IMR_INBOXES, else ``<data_dir>/inbox``."""
        return list(self.inboxes) if self.inboxes else [self.data_dir / "inbox"]

    def archive_path(self) -> Path:
        return self.archive_dir if self.archive_dir is not None else self.data_dir / "archive"

    def quarantine_path(self) -> Path:
        return self.quarantine_dir if self.quarantine_dir is not None else self.data_dir / "quarantine"


def override(**values: object) -> None:
    """Set settings for this process and the processes it starts (``IMR_<NAME>`` in the environment:
    how the CLI hands ``--db`` to flows and task workers without making it a flow parameter)."""
    for name, value in values.items():
        if name not in Settings.model_fields:
            raise KeyError(f"unknown setting {name!r}")
        if value is not None:
            os.environ[f"IMR_{name.upper()}"] = str(value)
    get_settings.cache_clear()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first call."""
    return Settings()
