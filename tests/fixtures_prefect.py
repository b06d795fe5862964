"""One real Prefect API for the whole test session (``prefect_test_harness``).

Enable with ``pytest_plugins = ["tests.fixtures_prefect"]`` (in ``tests/conftest.py``) and ask for
the ``prefect_harness`` fixture in flow tests (or mark the module with
``pytestmark = pytest.mark.usefixtures("prefect_harness")``).

The environment is prepared when this module is imported, before Prefect is: ``PREFECT_HOME``
points at a fresh temp folder (the harness and the implicit ephemeral server never touch the
real ``~/.prefect``), analytics are off, and results are not persisted by default. The harness
costs 16-18 s to start on a 2-core machine, so there is exactly one per session.

For tests of what a user runs in a shell, :func:`imr_server` starts a real ``imr server`` child
process with a plain environment (:func:`plain_env`: no PREFECT_/IMR_ variables of this session).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pytest

if TYPE_CHECKING:
    import httpx

_HOME = tempfile.mkdtemp(prefix="imr-prefect-home-")
os.environ["PREFECT_HOME"] = _HOME
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.pop("PREFECT_API_URL", None)

HARNESS_STARTUP_TIMEOUT = 90
ROOT = Path(__file__).resolve().parents[1]

T = TypeVar("T")


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """A temporary Prefect API (SQLite under a temp dir) shared by every flow test of the session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=HARNESS_STARTUP_TIMEOUT):
        yield


#: answers of a busy Prefect server worth another try (its database locked a moment: 503)
_RETRIED = (429, 502, 503)


def api_request(method: str, url: str, body: Any = None, attempts: int = 6) -> httpx.Response:
    """An HTTP request to a Prefect API (``url`` in full), retried on a busy server's answers as
    Prefect's own client retries them (``PREFECT_CLIENT_MAX_RETRIES``); raises on any other error."""
    import httpx

    for attempt in range(attempts):
        response = httpx.request(method, url, json=body, timeout=30)
        if response.status_code not in _RETRIED or attempt == attempts - 1:
            break
        time.sleep(min(2**attempt, 10))
    response.raise_for_status()
    return response


def harness_post(path: str, body: Any) -> httpx.Response:
    """POST ``body`` to the session's harness API (``path`` under ``/api``).
    Tests send only the fields they mean (the clients' filter methods send nulls)."""
    from prefect.settings import PREFECT_API_URL

    return api_request("POST", f"{PREFECT_API_URL.value()}{path}", body)


# --- a real `imr server` in a child process (for tests of serve, workers and the Prefect CLI) ---

#: environment variables a user's plain shell would not have: dropped from the children's env
_OURS = ("PREFECT_", "IMR_", "GX_", "DO_NOT_TRACK", "CI")


def plain_env(**extra: str) -> dict[str, str]:
    """This process's environment without any PREFECT_/IMR_/GX_/DO_NOT_TRACK/CI variable, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_OURS)}
    env.update(extra)
    return env


def free_port() -> int:
    """A TCP port free on the loopback interface right now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class ImrServer:
    """A running ``imr server``: its API URL and the file its output goes to."""

    api_url: str
    log: Path
    process: subprocess.Popen[bytes]

    def api(self, method: str, path: str, body: Any = None) -> Any:
        """Call the API (``path`` under ``/api``); returns the decoded JSON body."""
        response = api_request(method, f"{self.api_url}{path}", body)
        return response.json() if response.content else None


@contextmanager
def imr_server(data_dir: Path, *, startup_timeout: float = 120) -> Iterator[ImrServer]:
    """Start ``imr server`` (its own SQLite under ``data_dir/prefect``) and stop it on exit."""
    import httpx

    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = data_dir / "server.log"
    env = plain_env(IMR_DATA_DIR=str(data_dir))
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "imr.cli", "server", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = ImrServer(api_url=f"http://127.0.0.1:{port}/api", log=log, process=proc)
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            try:
                if httpx.get(f"{server.api_url}/health", timeout=2).json() is True:
                    break
            except (httpx.HTTPError, ValueError):
                pass
            assert proc.poll() is None, "imr server exited early:\n" + log.read_text(errors="replace")
            assert time.monotonic() < deadline, f"imr server not healthy in {startup_timeout} s"
            time.sleep(0.5)
        yield server
    finally:
        stop(proc)


def stop(proc: subprocess.Popen[Any], timeout: float = 60) -> int:
    """SIGTERM a child process, SIGKILL it after ``timeout`` s; returns its exit code."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return int(proc.returncode)


def poll(condition: Callable[[], T | None], timeout: float, period: float = 0.5) -> T | None:
    """``condition()`` until it gives something truthy, at most ``timeout`` s (None: timed out)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            return None
        time.sleep(period)


def wait_for(condition: Callable[[], Any], timeout: float, what: str, period: float = 2.0) -> Any:
    """Poll ``condition`` until it returns something truthy; fails the test after ``timeout`` s."""
    value = poll(condition, timeout, period)
    if value is None:
        pytest.fail(f"timed out after {timeout} s waiting for {what}")
    return value


def synthetic_inbox(folder: Path, count: int = 3, seed: int = 8) -> list[Path]:
    """``count`` synthetic text letters written by :mod:`imr.synth` into ``folder`` (no gold file)."""
    from imr.synth.corpus import write_corpus

    scratch = folder.parent / f"{folder.name}-synth"
    letters = write_corpus(scratch, count, seed, formats=["txt"], bad=False)
    folder.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.move(str(p), folder / p.name)) for p in letters]


def imr_log_lines(server: ImrServer, flow_run_id: str) -> list[dict[str, Any]]:
    """The flow run's log records (read back from the API) written by the ``imr`` loggers."""
    logs = server.api("POST", "/logs/filter", {"logs": {"flow_run_id": {"any_": [flow_run_id]}}})
    return [r for r in logs if r["name"] == "imr" or str(r["name"]).startswith("imr.")]
