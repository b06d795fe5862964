"""A warehouse password given to `imr ingest --db` appears nowhere: not on stdout or stderr, not in
the logs, sidecars or artifacts, and not in Prefect's database (flow and task run parameters)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.fixtures_db import postgres_test_url
from tests.fixtures_prefect import harness_post
from tests.pipeline_helpers import make_corpus

pytestmark = [pytest.mark.postgres, pytest.mark.prefect, pytest.mark.usefixtures("prefect_harness")]

SECRET = "Sup3r-S3cret-pw"


@pytest.fixture
def secret_url(postgres_admin: sa.engine.Engine) -> Iterator[str]:
    """A PostgreSQL URL with a password (trust auth accepts it) on a schema of its own."""
    schema = f"imr_secret_{uuid.uuid4().hex[:10]}"
    with postgres_admin.begin() as conn:
        conn.execute(sa.schema.CreateSchema(schema))
    url = sa.make_url(postgres_test_url()).set(password=SECRET)
    url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with postgres_admin.begin() as conn:
        conn.execute(sa.schema.DropSchema(schema, cascade=True))


def _api(path: str, body: dict[str, object]) -> str:
    return harness_post(path, body).text


def test_the_password_appears_nowhere(secret_url: str, tmp_path: Path) -> None:
    from prefect.settings import PREFECT_API_URL

    inbox, data = tmp_path / "inbox", tmp_path / "data"
    make_corpus(inbox, 6, seed=61, bad=True)
    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value()), "IMR_DATA_DIR": str(data)}
    env["IMR_STABLE_SECONDS"] = "0"
    argv = [sys.executable, "-m", "imr.cli", "ingest", "--inbox", str(inbox), "--db", secret_url, "--json"]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    assert SECRET not in done.stdout and SECRET not in done.stderr
    flow_run_id = json.loads(done.stdout.strip().splitlines()[-1])["flow_run_id"]

    # what Prefect stored of the run: its parameters, task runs, logs and artifacts
    run = _api("/flow_runs/filter", {"flow_runs": {"id": {"any_": [flow_run_id]}}})
    assert flow_run_id in run and SECRET not in run
    by_run = {"flow_runs": {"id": {"any_": [flow_run_id]}}}
    for path in ("/task_runs/filter", "/artifacts/filter"):
        assert SECRET not in _api(path, by_run)
    logs = _api("/logs/filter", {"logs": {"flow_run_id": {"any_": [flow_run_id]}}})
    assert len(json.loads(logs)) > 0 and SECRET not in logs
    for f in data.rglob("*"):  # sidecars and moved files
        if f.is_file() and f.name.endswith(".json"):
            assert SECRET not in f.read_text(encoding="utf-8")
