"""`imr server`: the environment it gives `prefect server start`, and a real start and stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from imr.cli import main
from imr.commands.server import api_url, prefect_database_url, server_command, server_environment
from imr.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_environment_defaults(tmp_path: Path) -> None:
    env = server_environment(Settings(), "127.0.0.1", 4200, tmp_path / "prefect", base={})
    assert env == {
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_SERVER_API_HOST": "127.0.0.1",
        "PREFECT_SERVER_API_PORT": "4200",
        "PREFECT_API_URL": "http://127.0.0.1:4200/api",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }


def test_environment_with_postgres_and_a_stale_url(tmp_path: Path) -> None:
    settings = Settings(prefect_database_url="postgresql+psycopg://imr:pw@db:5432/prefect")  # type: ignore[arg-type]
    base = {"PREFECT_SERVER_DATABASE_CONNECTION_URL": "sqlite+aiosqlite:///elsewhere.db", "PATH": "/bin"}
    env = server_environment(settings, "0.0.0.0", 4300, tmp_path, base=base)
    assert env["PREFECT_SERVER_DATABASE_CONNECTION_URL"] == "postgresql+asyncpg://imr:pw@db:5432/prefect"
    assert env["PREFECT_API_URL"] == "http://127.0.0.1:4300/api" and env["PATH"] == "/bin"
    env = server_environment(Settings(), "127.0.0.1", 4200, tmp_path, base=base)
    assert "PREFECT_SERVER_DATABASE_CONNECTION_URL" not in env  # never a database we were not given


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgresql+psycopg2://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("sqlite:////tmp/p.db", "sqlite+aiosqlite:////tmp/p.db"),
    ],
)
def test_database_url_driver(url: str, expected: str) -> None:
    assert prefect_database_url(url) == expected


def test_api_url_and_command() -> None:
    assert api_url("::", 4200) == "http://127.0.0.1:4200/api"
    assert api_url("::1", 4200) == "http://[::1]:4200/api"
    assert server_command("127.0.0.1", 4200)[1:4] == ["-m", "prefect", "server"]


def test_print_env_masks_the_password(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from imr.settings import get_settings

    monkeypatch.setenv("IMR_PREFECT_DATABASE_URL", "postgresql://imr:secret@db/prefect")
    get_settings.cache_clear()
    try:
        assert main(["server", "--print-env", "--port", "4999"]) == 0
    finally:
        get_settings.cache_clear()
    out = capsys.readouterr().out
    assert "--port 4999" in out and "PREFECT_API_URL=http://127.0.0.1:4999/api" in out
    assert "secret" not in out and "postgresql+asyncpg://imr:***@db/prefect" in out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
@pytest.mark.prefect
def test_server_starts_serves_api_and_ui_and_stops(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "IMR_"))}
    env["IMR_DATA_DIR"] = str(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "imr.cli", "server", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/api/health", timeout=2).json() is True:
                    break
            except (httpx.HTTPError, ValueError):
                pass
            assert proc.poll() is None, "imr server exited early"
            time.sleep(0.5)
        else:
            pytest.fail("the server did not become healthy in 90 s")
        assert "<html" in httpx.get(url, timeout=10).text.lower()  # the UI
        assert (tmp_path / "prefect" / "prefect.db").exists()  # its own SQLite under <data_dir>/prefect
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=40)
        assert f"export PREFECT_API_URL={url}/api" in out
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"{url}/api/health", timeout=2)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
