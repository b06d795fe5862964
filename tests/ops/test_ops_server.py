"""`imr server` and the Prefect environment of imr's commands (``imr.prefect_env``).

- the environment `imr server` gives `prefect server start`, and a real start and stop;
- the defaults every Prefect-facing command sets before Prefect is imported: telemetry off unless
  IMR_PREFECT_TELEMETRY=true, imr's loggers shipped to the API, explicit PREFECT_ variables win;
- a plain `imr ingest` (real CLI, no special variables) prints no ERROR line and no traceback.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from imr import prefect_env
from imr.cli import main
from imr.commands.server import api_url, prefect_database_url, server_command, server_environment
from imr.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_environment_defaults(tmp_path: Path) -> None:
    env = server_environment(Settings(), "127.0.0.1", 4200, tmp_path / "prefect", base={})
    assert env == {
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_SERVER_API_HOST": "127.0.0.1",
        "PREFECT_SERVER_API_PORT": "4200",
        "PREFECT_API_URL": "http://127.0.0.1:4200/api",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_LOGGING_EXTRA_LOGGERS": "imr",
        "PREFECT_LOGGING_SETTINGS_PATH": str(prefect_env.LOGGING_CONFIG),
    }


def test_environment_telemetry_setting_and_explicit_prefect_variables_win(tmp_path: Path) -> None:
    on = server_environment(Settings(prefect_telemetry=True), "127.0.0.1", 4200, tmp_path, base={})
    assert "PREFECT_SERVER_ANALYTICS_ENABLED" not in on and "DO_NOT_TRACK" not in on  # Prefect's own default
    base = {"PREFECT_LOGGING_EXTRA_LOGGERS": "myapp", "PREFECT_SERVER_ANALYTICS_ENABLED": "true"}
    env = server_environment(Settings(), "127.0.0.1", 4200, tmp_path, base=base)
    assert env["PREFECT_LOGGING_EXTRA_LOGGERS"] == "myapp" and env["PREFECT_SERVER_ANALYTICS_ENABLED"] == "true"


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
    for key in prefect_env.prefect_defaults(Settings()):  # main() fills them in: undo that after the test
        monkeypatch.setenv(key, "")
        monkeypatch.delenv(key)
    get_settings.cache_clear()
    try:
        assert main(["server", "--print-env", "--port", "4999"]) == 0
    finally:
        get_settings.cache_clear()
    out = capsys.readouterr().out
    assert "--port 4999" in out and "PREFECT_API_URL=http://127.0.0.1:4999/api" in out
    assert "DO_NOT_TRACK=1" in out and "PREFECT_SERVER_ANALYTICS_ENABLED=false" in out
    assert "secret" not in out and "postgresql+asyncpg://imr:***@db/prefect" in out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_server_refuses_an_exposed_address_without_authentication(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from imr.settings import get_settings

    for key in ("IMR_PREFECT_AUTH_STRING", "PREFECT_SERVER_API_AUTH_STRING"):
        monkeypatch.delenv(key, raising=False)
    get_settings.cache_clear()
    try:
        assert main(["server", "--host", "0.0.0.0", "--port", str(_free_port())]) == 2
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "imr server: refusing to listen on 0.0.0.0 without authentication; "
        "set IMR_PREFECT_AUTH_STRING=user:password (clients need the same) or use --host 127.0.0.1"
    ]


def test_auth_string_reaches_the_server_and_every_client(tmp_path: Path) -> None:
    settings = Settings(prefect_auth_string="ops:s3cret")  # type: ignore[arg-type]
    env = server_environment(settings, "0.0.0.0", 4200, tmp_path, base={})
    assert env["PREFECT_SERVER_API_AUTH_STRING"] == "ops:s3cret" and env["PREFECT_API_AUTH_STRING"] == "ops:s3cret"
    mine = server_environment(settings, "0.0.0.0", 4200, tmp_path, base={"PREFECT_SERVER_API_AUTH_STRING": "a:b"})
    assert mine["PREFECT_SERVER_API_AUTH_STRING"] == "a:b"  # an explicit Prefect variable wins
    client: dict[str, str] = {"PREFECT_HOME": str(tmp_path)}
    assert prefect_env.apply(settings, client)["PREFECT_API_AUTH_STRING"] == "ops:s3cret"
    assert "PREFECT_API_AUTH_STRING" not in prefect_env.apply(Settings(), {"PREFECT_HOME": str(tmp_path)})


@pytest.mark.slow
@pytest.mark.prefect
def test_server_with_authentication_serves_api_and_ui_and_stops(tmp_path: Path) -> None:
    """Exposed (0.0.0.0) with IMR_PREFECT_AUTH_STRING: the API refuses a request without the
    string, takes one with it, and an imr command given the same setting talks to it."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "IMR_"))}
    env["IMR_DATA_DIR"] = str(tmp_path)
    env["IMR_PREFECT_AUTH_STRING"] = "ops:s3cret"
    proc = subprocess.Popen(
        [sys.executable, "-m", "imr.cli", "server", "--host", "0.0.0.0", "--port", str(port)],
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
        assert httpx.post(f"{url}/api/flows/filter", json={}, timeout=10).status_code == 401
        wrong = httpx.post(f"{url}/api/flows/filter", json={}, auth=("ops", "guess"), timeout=10)
        assert wrong.status_code == 401
        assert httpx.post(f"{url}/api/flows/filter", json={}, auth=("ops", "s3cret"), timeout=10).status_code == 200
        client = {**env, "PREFECT_API_URL": f"{url}/api"}
        done = subprocess.run(
            [sys.executable, "-m", "imr.cli", "automations"], cwd=ROOT, env=client, capture_output=True, timeout=120
        )
        assert done.returncode == 0, done.stderr[-2000:]
        client.pop("IMR_PREFECT_AUTH_STRING")
        refused = subprocess.run(
            [sys.executable, "-m", "imr.cli", "automations"], cwd=ROOT, env=client, capture_output=True, timeout=120
        )
        assert refused.returncode != 0
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


def test_prefect_env_defaults_and_the_one_telemetry_setting(tmp_path: Path) -> None:
    environ: dict[str, str] = {"PREFECT_HOME": str(tmp_path)}
    added = prefect_env.apply(Settings(), environ)
    assert added == {
        "PREFECT_LOGGING_EXTRA_LOGGERS": "imr",
        "PREFECT_LOGGING_SETTINGS_PATH": str(prefect_env.LOGGING_CONFIG),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
    }
    assert not prefect_env.telemetry_enabled(environ)
    assert prefect_env.apply(Settings(), environ) == {}  # idempotent

    on: dict[str, str] = {"PREFECT_HOME": str(tmp_path)}
    prefect_env.apply(Settings(prefect_telemetry=True), on)
    assert "DO_NOT_TRACK" not in on and prefect_env.telemetry_enabled(on)

    (tmp_path / "logging.yml").write_text("version: 1\n")  # the user's own logging config wins
    mine = {"PREFECT_HOME": str(tmp_path), "PREFECT_LOGGING_EXTRA_LOGGERS": "", "DO_NOT_TRACK": "0"}
    assert prefect_env.apply(Settings(), mine) == {"PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    assert mine["PREFECT_LOGGING_EXTRA_LOGGERS"] == "" and mine["DO_NOT_TRACK"] == "0"


def test_telemetry_setting_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMR_PREFECT_TELEMETRY", "true")
    assert Settings().prefect_telemetry is True
    monkeypatch.delenv("IMR_PREFECT_TELEMETRY")
    assert Settings().prefect_telemetry is False


def test_logging_config_is_prefects_default_plus_the_imr_logger() -> None:
    """Re-sync imr/prefect_logging.yml with Prefect's logging.yml when Prefect is upgraded."""
    import prefect
    import yaml

    theirs = yaml.safe_load((Path(prefect.__file__).parent / "logging" / "logging.yml").read_text())
    ours = yaml.safe_load(prefect_env.LOGGING_CONFIG.read_text())
    assert ours["loggers"].pop("imr") == {"level": "INFO"}
    assert ours == theirs


def test_prefect_env_module_does_not_import_prefect() -> None:
    code = "import sys, imr.prefect_env as e; e.apply(); print(any(m.split('.')[0] == 'prefect' for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.slow
@pytest.mark.prefect
def test_plain_imr_ingest_prints_no_error_and_no_traceback(tmp_path: Path) -> None:
    """A newcomer's first `imr ingest` (temporary Prefect server, no PREFECT_ variables set)."""
    from tests.fixtures_prefect import plain_env

    inbox = tmp_path / "inbox"
    shutil.copytree(ROOT / "samples" / "inbox", inbox)
    (tmp_path / "home").mkdir()  # a fresh user: ~/.prefect does not exist yet
    env = plain_env(HOME=str(tmp_path / "home"), IMR_DATA_DIR=str(tmp_path / "data"))
    done = subprocess.run(
        [sys.executable, "-m", "imr.cli", "ingest", "--inbox", str(inbox), "--stable-seconds", "0"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "loaded" in done.stdout  # the batch summary
    bad = [line for line in output.splitlines() if "ERROR" in line or "Traceback" in line]
    assert not bad, bad
    assert "Failed to send telemetry" not in output
