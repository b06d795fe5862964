"""One real Prefect API for the whole test session (``prefect_test_harness``).

Enable with ``pytest_plugins = ["tests.fixtures_prefect"]`` (in ``tests/conftest.py``) and ask for
the ``prefect_harness`` fixture in flow tests (or mark the module with
``pytestmark = pytest.mark.usefixtures("prefect_harness")``).

The environment is prepared when this module is imported, before Prefect is: ``PREFECT_HOME``
points at a fresh temp folder (the harness and the implicit ephemeral server never touch the
real ``~/.prefect``), analytics are off, and results are not persisted by default. The harness
costs 16-18 s to start on a 2-core machine, so there is exactly one per session.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest

_HOME = tempfile.mkdtemp(prefix="imr-prefect-home-")
os.environ["PREFECT_HOME"] = _HOME
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.pop("PREFECT_API_URL", None)

HARNESS_STARTUP_TIMEOUT = 90


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """A temporary Prefect API (SQLite under a temp dir) shared by every flow test of the session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=HARNESS_STARTUP_TIMEOUT):
        yield
