"""A soak of the nightly path against PostgreSQL (issue 18, item 6): nothing lost, nothing twice,
nothing left hanging.

A real ``imr server``; ``imr serve`` with a one-minute nightly cron (``IMR_SCHEDULE_CRON``), its
warehouse a fresh PostgreSQL database; for about four minutes synthetic letters (the project's
generator) land in the inbox written in halves (the first half of a file's bytes, a pause shorter
than ``IMR_STABLE_SECONDS``, then the rest), while:

- the whole ``imr serve`` process tree is SIGKILLed while a scheduled run is loading letters (a
  lost machine: nothing reports the run), and ``imr serve`` is started again at once;
- PostgreSQL itself is stopped for a few seconds (``pg_ctlcluster ... stop -m fast``) while the
  next run is loading letters, then started again (always, in a ``finally``).

After a last scheduled run has settled the inbox and ``imr serve`` has been stopped: every letter
written is loaded exactly once (the warehouse export equals what ``imr extract`` says of each
file), none was taken half-written, the inbox is empty, the archive holds each letter once, no
batch is ``running`` (the killed run's is ``abandoned``), and no flow run is left Running or
Pending on the Prefect server (the killed run is marked Crashed by the dead-run automation
``imr serve`` creates, ``flows.automations``, about 90 s after its last heartbeat).

Skipped when PostgreSQL is unreachable or cannot be stopped and started from here (not root, no
``pg_ctlcluster``, a server that is not a local cluster). The outage stops the whole server for
a few seconds: PostgreSQL tests running at the same moment elsewhere see it too. Takes about 6
minutes.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.fixtures_prefect import ROOT, ImrServer, imr_server, plain_env, poll, stop
from tests.pipeline_helpers import expected_records, exported, letter_files, make_corpus

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.prefect, pytest.mark.alone, pytest.mark.timeout(660)]

#: seconds of letters arriving, from the first start of `imr serve` (several scheduled runs)
SOAK_SECONDS = float(os.environ.get("IMR_TEST_SOAK_SECONDS", "180"))
#: IMR_STABLE_SECONDS of the served runs; a letter's halves are written well within it
STABLE_SECONDS = 3
HALF_PAUSE = (0.2, 0.9)  # between a letter's two halves
LETTER_PAUSE = (0.8, 2.0)  # between letters
#: letters generated (more than the soak writes: the rest is never written)
LETTERS = 150
#: how long PostgreSQL is down
OUTAGE_SECONDS = 6
#: a catch of "a run loading letters" (the kill, the outage) waits at most this long
CATCH_TIMEOUT = 150
#: after the last letter: a scheduled run takes it and the server goes quiet within this
SETTLE_TIMEOUT = 180
#: the dead-run automation marks a killed run Crashed ~90 s after its last heartbeat: at most
#: this long after the kill
CRASH_TIMEOUT = 180

# ----------------------------------------------------------------------------- PostgreSQL


@dataclass
class Cluster:
    """The local PostgreSQL cluster behind the test URL, which this test may stop and start."""

    version: str
    name: str

    def _ctl(self, action: str, *extra: str) -> None:
        subprocess.run(
            ["pg_ctlcluster", self.version, self.name, action, *extra],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip

    def online(self) -> bool:
        out = subprocess.run(["pg_lsclusters", "-j"], capture_output=True, text=True, timeout=30, check=True).stdout
        return any(
            str(c["version"]) == self.version and c["cluster"] == self.name and c.get("running")
            for c in json.loads(out)
        )

    def stop(self) -> None:
        self._ctl("stop", "-m", "fast")

    def start(self) -> None:
        """Start it when it is down (a few attempts: whatever happened, the server comes back)."""
        for attempt in range(5):
            if self.online():
                return
            with suppress(subprocess.SubprocessError):
                self._ctl("start")
            time.sleep(1 + attempt)
        assert self.online(), f"PostgreSQL cluster {self.version}/{self.name} did not start again"


def local_cluster(url: sa.URL) -> Cluster:
    """The cluster serving ``url`` on this machine; skips when it cannot be stopped/started here."""
    if os.geteuid() != 0:
        pytest.skip("stopping PostgreSQL needs root (pg_ctlcluster)")
    if shutil.which("pg_ctlcluster") is None or shutil.which("pg_lsclusters") is None:
        pytest.skip("no pg_ctlcluster/pg_lsclusters: PostgreSQL cannot be stopped and started here")
    if (url.host or "localhost") not in ("127.0.0.1", "localhost", "::1"):
        pytest.skip(f"PostgreSQL at {url.host} is not a local cluster")
    out = subprocess.run(["pg_lsclusters", "-j"], capture_output=True, text=True, timeout=30, check=False)
    if out.returncode != 0:
        pytest.skip("pg_lsclusters failed")
    port = str(url.port or 5432)
    for c in json.loads(out.stdout):
        if str(c.get("port")) == port and c.get("running"):
            return Cluster(str(c["version"]), str(c["cluster"]))
    pytest.skip(f"no running local PostgreSQL cluster on port {port}")


@contextmanager
def fresh_database(admin: Engine) -> Iterator[str]:
    """A new, empty database on the test server (dropped on leaving); yields its URL."""
    name = f"imr_soak_{uuid.uuid4().hex[:10]}"
    auto = admin.execution_options(isolation_level="AUTOCOMMIT")
    with auto.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with suppress(sa.exc.SQLAlchemyError), auto.connect() as conn:  # never masks the test's own error
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# ----------------------------------------------------------------------------- the letters


class HalfWriter(threading.Thread):
    """Writes letters into the inbox one after another, each in two halves: the first half of its
    bytes, a pause shorter than the stability window, then the rest. A file gone or changed before
    its second half (a run took it half-written) is recorded in ``violations``."""

    def __init__(self, sources: list[Path], inbox: Path, until: float, seed: int) -> None:
        super().__init__(name="half-writer", daemon=True)
        self.sources, self.inbox, self.until = sources, inbox, until
        self.rng = random.Random(seed)
        self.written: list[Path] = []  # sources fully written into the inbox
        self.violations: list[str] = []
        self.last_written: datetime | None = None  # wall clock of the last byte
        self.error: BaseException | None = None
        self.halted = threading.Event()

    def run(self) -> None:
        try:
            for src in self.sources:
                if self.halted.is_set() or time.monotonic() >= self.until:
                    return
                data = src.read_bytes()
                cut = len(data) // 2
                target = self.inbox / src.name
                with target.open("xb") as fh:
                    fh.write(data[:cut])
                time.sleep(self.rng.uniform(*HALF_PAUSE))
                try:
                    st = target.stat()
                except FileNotFoundError:
                    self.violations.append(f"{src.name}: taken from the inbox half-written")
                    continue
                if st.st_size != cut:
                    self.violations.append(f"{src.name}: {st.st_size} bytes before its second half, not {cut}")
                with target.open("ab") as fh:
                    fh.write(data[cut:])
                self.last_written = datetime.now(UTC)
                self.written.append(src)
                time.sleep(self.rng.uniform(*LETTER_PAUSE))
        except BaseException as e:  # reported by the test
            self.error = e


# ----------------------------------------------------------------------------- imr serve


@dataclass
class Serving:
    """The `imr serve` processes of the soak (one at a time) and their logs."""

    tmp: Path
    env: dict[str, str]
    logs: list[Path] = field(default_factory=list)
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> subprocess.Popen[bytes]:
        log = self.tmp / f"serve-{len(self.logs) + 1}.log"
        self.logs.append(log)
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "imr.cli", "serve"],
                cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        return self.process

    def alive(self) -> bool:
        assert self.process is not None and self.process.poll() is None, "imr serve exited:\n" + self.tail()
        return True

    def kill_tree(self) -> int:
        """SIGKILL `imr serve` and every process under it (the flow run's, the extractor's): nothing
        is left to report the run. Returns how many processes were killed."""
        import psutil

        assert self.process is not None
        root = psutil.Process(self.process.pid)
        tree = [root, *root.children(recursive=True)]
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        for p in tree:
            with suppress(psutil.NoSuchProcess):
                p.kill()
        self.process.wait(timeout=30)
        psutil.wait_procs(tree, timeout=30)
        return len(tree)

    def tail(self, chars: int = 6000) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-chars:]}" for p in self.logs if p.exists())


# ----------------------------------------------------------------------------- what the soak watches


def nightly_runs(server: ImrServer) -> list[dict[str, Any]]:
    body = {"deployments": {"name": {"any_": ["nightly-ingest"]}}, "sort": "EXPECTED_START_TIME_ASC"}
    runs: list[dict[str, Any]] = server.api("POST", "/flow_runs/filter", body)
    return runs


def heartbeats(server: ImrServer, run_id: str) -> int:
    body = {
        "filter": {
            "event": {"name": ["prefect.flow-run.heartbeat"]},
            "resource": {"id": [f"prefect.flow-run.{run_id}"]},
        },
        "limit": 10,
    }
    return len(server.api("POST", "/events/filter", body)["events"])


@dataclass(frozen=True)
class BatchNow:
    id: str
    status: str
    done: int
    total: int


def batch_now(engine: Engine, flow_run_id: str) -> BatchNow | None:
    """The batch a flow run opened, the letters its chunks report done and the files it registered
    (None: none yet, or the warehouse unreachable: the outage)."""
    from warehouse.schema import batch_progress, ingest_batches, source_files

    try:
        with engine.connect() as conn:
            row = conn.execute(
                sa.select(ingest_batches.c.id, ingest_batches.c.status).where(
                    ingest_batches.c.flow_run_id == flow_run_id
                )
            ).first()
            if row is None:
                return None
            done = conn.execute(
                sa.select(sa.func.coalesce(sa.func.sum(batch_progress.c.done), 0)).where(
                    batch_progress.c.batch_id == row.id
                )
            ).scalar_one()
            total = conn.execute(
                sa.select(sa.func.count()).select_from(source_files).where(source_files.c.batch_id == row.id)
            ).scalar_one()
    except sa.exc.SQLAlchemyError:
        return None
    return BatchNow(row.id, row.status, int(done), int(total))


def loading_run(
    server: ImrServer, engine: Engine, exclude: set[str], *, strict: bool = True
) -> tuple[dict[str, Any], BatchNow] | None:
    """A nightly run in the middle of loading letters: Running on the server, with a heartbeat sent,
    its batch ``running`` and some (``strict``: not all) of its letters through."""
    for run in nightly_runs(server):
        if run["id"] in exclude or run["state_type"] != "RUNNING":
            continue
        batch = batch_now(engine, run["id"])
        if batch is None or batch.status != "running":
            continue
        if strict and not 0 < batch.done < batch.total:
            continue
        if heartbeats(server, run["id"]):
            return run, batch
    return None


def running_or_pending(server: ImrServer) -> list[dict[str, Any]]:
    """Every flow run of the server in a Running or Pending state (the Prefect client's filter)."""
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterState, FlowRunFilterStateType
    from prefect.client.schemas.objects import StateType
    from prefect.settings import PREFECT_API_URL, temporary_settings

    state = FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.RUNNING, StateType.PENDING]))
    with temporary_settings({PREFECT_API_URL: server.api_url}), get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(state=state))
    return [{"id": str(r.id), "name": r.name, "state": r.state_type.value if r.state_type else None} for r in runs]


def has_zombie_automation(server: ImrServer) -> bool:
    """Whether `imr serve` created the dead-run automation (issue 18, item 2) on the server."""
    try:
        from flows.automations import ZOMBIE_AUTOMATION
    except ImportError:
        return False
    found = server.api("POST", "/automations/filter", {"automations": {"name": {"any_": [ZOMBIE_AUTOMATION]}}})
    return bool(found)


def quiet(server: ImrServer, last_letter: datetime, inbox: Path, killed: str) -> bool:
    """The soak may end: the inbox is empty, a run that started after the last letter had aged
    into stability has finished, nothing else is due or running, and the next minute's run is
    at least 15 s away (so stopping `imr serve` interrupts nothing)."""
    now = datetime.now(UTC)
    if letter_files(inbox) or 60 - now.second < 15:
        return False
    runs = [r for r in nightly_runs(server) if r["id"] != killed]
    ripe = last_letter + timedelta(seconds=STABLE_SECONDS)
    settled = [
        r for r in runs
        if r["start_time"] and datetime.fromisoformat(r["start_time"]) > ripe and r["state_type"] == "COMPLETED"
    ]  # fmt: skip
    busy = [r for r in runs if r["state_type"] in ("RUNNING", "PENDING", "CANCELLING")]
    due = [
        r for r in runs
        if r["state_type"] == "SCHEDULED" and datetime.fromisoformat(r["expected_start_time"]) <= now
    ]  # fmt: skip
    return bool(settled) and not busy and not due


# ----------------------------------------------------------------------------- the soak


def test_soak_of_the_nightly_path_loses_nothing_and_leaves_nothing_running(
    tmp_path: Path, postgres_admin: Engine
) -> None:
    import warehouse
    from warehouse.schema import ingest_batches, letters, source_files

    cluster = local_cluster(postgres_admin.url)
    sources = make_corpus(tmp_path / "letters", LETTERS, seed=186, formats=("txt", "pdf"))
    random.Random(186).shuffle(sources)
    inbox, data = tmp_path / "inbox", tmp_path / "data"
    inbox.mkdir()
    timeline: list[str] = []
    began = time.monotonic()

    def note(what: str) -> None:
        timeline.append(f"{time.monotonic() - began:6.1f} s  {what}")
        print(timeline[-1], flush=True)

    try:
        with fresh_database(postgres_admin) as db_url, imr_server(tmp_path / "server") as server:
            note("imr server up")
            env = plain_env(
                PREFECT_API_URL=server.api_url,
                PREFECT_HOME=str(tmp_path / "client-home"),
                PYTHONPATH=str(ROOT),  # the code of this tree, whatever the editable install points at
                IMR_DATA_DIR=str(data),
                IMR_DATABASE_URL=db_url,
                IMR_INBOXES=json.dumps([str(inbox)]),
                IMR_STABLE_SECONDS=str(STABLE_SECONDS),
                IMR_SCHEDULE_CRON="* * * * *",
                IMR_SCHEDULE_TIMEZONE="UTC",
                IMR_CHUNK_SIZE="4",  # several chunks a run: a run is caught loading letters
            )
            serving = Serving(tmp_path, env)
            writer: HalfWriter | None = None
            engine = warehouse.make_engine(db_url)
            killed: dict[str, Any] = {}
            serving_exit: int | None = None

            def catch(exclude: set[str], timeout: float) -> tuple[dict[str, Any], BatchNow] | None:
                """A run loading letters; failing that (runs too quick to catch mid-load), any run
                with its batch open."""
                for strict, limit in ((True, timeout), (False, 60.0)):

                    def loading(strict: bool = strict) -> tuple[dict[str, Any], BatchNow] | None:
                        serving.alive()
                        return loading_run(server, engine, exclude, strict=strict)

                    found = poll(loading, limit)
                    if found is not None:
                        return found
                return None

            outage: dict[str, Any] = {}
            try:
                serving.start()
                registered = poll(lambda: _deployment(server) if serving.alive() else None, 120, period=1)
                assert registered, "imr serve did not register its deployments:\n" + serving.tail()
                note("imr serve 1 registered its deployments")
                writer = HalfWriter(sources, inbox, time.monotonic() + SOAK_SECONDS, seed=186)
                writer.start()

                # 1. a lost machine while a scheduled run loads letters; imr serve started again at once
                caught = catch(set(), CATCH_TIMEOUT)
                assert caught, "no scheduled run was caught in progress to be killed:\n" + serving.tail()
                run, batch = caught
                n = serving.kill_tree()
                killed_at = time.monotonic()
                killed = {"run": run["id"], "batch": batch.id, "done": batch.done, "total": batch.total}
                note(f"SIGKILLed imr serve ({n} processes) during run {run['name']}: {batch.done}/{batch.total}")
                serving.start()
                note("imr serve 2 started")

                # 2. PostgreSQL down for a few seconds while the next run loads letters
                skip = {killed["run"]}
                caught = catch(skip, CATCH_TIMEOUT)
                if caught is not None:
                    outage = {"run": caught[0]["id"], "done": caught[1].done, "total": caught[1].total}
                try:
                    cluster.stop()
                    note(f"PostgreSQL stopped (run {outage.get('run', 'none caught')}, {outage})")
                    time.sleep(OUTAGE_SECONDS)
                finally:
                    cluster.start()
                note("PostgreSQL started again")

                # 3. the letters keep coming until the soak's end; then a last run takes them
                writer.join(timeout=SOAK_SECONDS + 120)
                assert not writer.is_alive(), "the letter writer did not finish"
                note(f"{len(writer.written)} letters written in halves")
                last = writer.last_written or datetime.now(UTC)
                done = poll(lambda: serving.alive() and quiet(server, last, inbox, killed["run"]), SETTLE_TIMEOUT, 1)
                assert done, f"the soak did not settle: inbox {letter_files(inbox)}\n" + serving.tail()
                note("a last scheduled run settled the inbox")
                if has_zombie_automation(server):  # the killed run marked Crashed (asserted below)
                    poll(
                        lambda: server.api("GET", f"/flow_runs/{killed['run']}")["state_type"] != "RUNNING",
                        max(0.0, killed_at + CRASH_TIMEOUT - time.monotonic()),
                        2,
                    )
                    state = server.api("GET", f"/flow_runs/{killed['run']}")["state_name"]
                    note(f"the killed run is {state}")
            finally:
                if writer is not None:
                    writer.halted.set()
                    writer.join(timeout=30)
                proc = serving.process
                if proc is not None and proc.poll() is None:
                    serving_exit = stop(proc, timeout=90)  # SIGTERM: graceful, the schedule paused
                    note(f"imr serve stopped (exit {serving_exit})")

            assert writer is not None
            killed_run = server.api("GET", f"/flow_runs/{killed['run']}")
            left = running_or_pending(server)
            automation = has_zombie_automation(server)
            runs = nightly_runs(server)
            want = expected_records(writer.written, tmp_path / "letters")
            got = exported(engine)
            with engine.connect() as conn:
                batches = {r.id: r for r in conn.execute(sa.select(ingest_batches))}
                loaded_rows = conn.execute(
                    sa.select(source_files.c.sha256, sa.func.count())
                    .where(source_files.c.status == "loaded")
                    .group_by(source_files.c.sha256)
                ).all()
                statuses: dict[str, int] = dict(
                    conn.execute(
                        sa.select(source_files.c.status, sa.func.count()).group_by(source_files.c.status)
                    ).all()
                )
                n_letters = conn.execute(sa.select(sa.func.count()).select_from(letters)).scalar_one()
                pending_in = set(
                    conn.execute(sa.select(source_files.c.batch_id).where(source_files.c.status == "pending")).scalars()
                )
            engine.dispose()
            server_log = server.log.read_text(errors="replace")
    finally:
        cluster.start()  # whatever happened, PostgreSQL runs again

    summary = [
        *timeline,
        f"runs: {[(r['name'], r['state_name']) for r in runs if r['state_type'] != 'SCHEDULED']}",
        f"batches: {sorted((str(b.started_at), b.status, b.files_seen, b.loaded) for b in batches.values())}",
        f"files: {statuses}",
    ]
    print("\n" + "\n".join(summary))
    logs = serving.tail()

    # the soak did what it says
    assert writer.error is None, writer.error
    assert len(writer.written) >= 60, summary
    assert killed and killed["batch"] in batches
    assert serving_exit == 0, logs
    # no letter taken half-written, none left behind, none set aside
    assert writer.violations == []
    assert len(want) == len(writer.written), "every letter written is a letter imr extract parses"
    assert letter_files(inbox) == [], "the inbox is empty"
    assert letter_files(data / "quarantine") == [], statuses
    assert sorted(p.name for p in letter_files(data / "archive")) == sorted(p.name for p in writer.written)
    # every letter loaded exactly once
    assert got == want
    assert n_letters == len(want)
    assert all(n == 1 for _, n in loaded_rows) and len(loaded_rows) == len(want)
    assert set(statuses) <= {"loaded", "pending"}, statuses
    assert pending_in <= {killed["batch"]}, "pending files are the killed batch's only (left for `imr rerun`)"
    # no batch running: the killed one abandoned, the others finished
    assert [b.id for b in batches.values() if b.status == "running"] == [], summary
    dead = batches[killed["batch"]]
    assert (dead.status, "died" in (dead.status_reason or "")) == ("abandoned", True), dead
    assert {b.status for b in batches.values()} <= {"completed", "abandoned", "interrupted"}, summary
    # no flow run left Running (a killed one marked Crashed by the dead-run automation)
    assert all(r["state_type"] != "RUNNING" for r in runs if r["id"] != killed["run"]), summary
    if automation:
        from flows.automations import CRASHED_MESSAGE

        assert left == [], left
        assert (killed_run["state_type"], killed_run["state"]["message"]) == ("CRASHED", CRASHED_MESSAGE)
    else:
        warnings.warn(
            "the dead-run automation (flows.automations) is not in this tree: the SIGKILLed run stays Running",
            stacklevel=1,
        )
        assert [r["id"] for r in left] == [killed["run"]], left
    assert "Traceback" not in server_log[-20000:], server_log[-3000:]


def _deployment(server: ImrServer) -> dict[str, Any] | None:
    try:
        found: dict[str, Any] = server.api("GET", "/deployments/name/ingest/nightly-ingest")
    except Exception:
        return None
    return found
