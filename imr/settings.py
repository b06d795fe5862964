"""All settings of imr-etl, in one place (environment prefix ``IMR_``).

Nothing else in the project reads the environment. Settings are read when
:func:`get_settings` is first called, never at import time.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    inboxes: list[Path] = Field(
        default_factory=lambda: [Path("data/inbox")],
        description="Drop folders scanned recursively for .pdf/.txt letters.",
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
    chunk_size: int = Field(default=200, ge=1, description="Letters per extraction/validation/load task.")
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
    pdf_engine: Literal["auto", "pdfium", "pdfplumber"] = Field(
        default="auto",
        description="PDF text engine: 'auto' (PDFium, pdfplumber when PDFium's text gives no parsed letter), "
        "'pdfium' or 'pdfplumber' (see bench/RESULTS.md).",
    )

    ocr: Literal["auto", "off"] = Field(
        default="auto",
        description="OCR of PDF pages without a text layer (scanned letters): 'auto' (Tesseract, "
        "see bench/RESULTS.md) or 'off' (image-only PDFs are rejected pdf_no_text).",
    )

    def warehouse_url(self) -> str:
        """The warehouse URL: IMR_DATABASE_URL, else the embedded SQLite file under data_dir."""
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return f"sqlite:///{(self.data_dir / 'warehouse.db').resolve()}"

    def archive_path(self) -> Path:
        return self.archive_dir if self.archive_dir is not None else self.data_dir / "archive"

    def quarantine_path(self) -> Path:
        return self.quarantine_dir if self.quarantine_dir is not None else self.data_dir / "quarantine"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first call."""
    return Settings()
