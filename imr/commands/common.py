"""What the commands share: ``--db``, how letters are read (``--pdf-engine``, ``--ocr``), retries,
opening the warehouse with a one-line error, running a flow and printing its batch summary.

Warehouse and Prefect modules are imported inside functions: this module is imported for
``--help`` and must stay cheap.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from imr.outcomes import COUNT_FIELDS

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

#: Seconds Prefect may take to start its temporary server on a busy 2-core machine.
EPHEMERAL_STARTUP_TIMEOUT = "90"

#: What the printed summary shows after the counts (when not zero).
_RUN_LINES: tuple[tuple[str, str], ...] = (
    ("recovered", "recovered"),
    ("skipped", "skipped"),
    ("unstable", "unstable (next run)"),
    ("claimed", "claimed by another run"),
    ("ignored", "ignored (left in place)"),
    ("repaired", "ledger paths repaired"),
)


class CommandError(Exception):
    """A one-line, user-facing error: the command prints it and exits non-zero."""


def add_db_argument(p: argparse.ArgumentParser) -> None:
    """``--db URL`` (shared by the warehouse commands)."""
    p.add_argument(
        "--db",
        metavar="URL",
        default=None,
        help="warehouse URL (default: IMR_DATABASE_URL, else sqlite under IMR_DATA_DIR)",
    )


def add_reading_arguments(p: argparse.ArgumentParser) -> None:
    """``--pdf-engine`` and ``--ocr``: how a letter's text is read (``imr extract``, ``imr show``)."""
    p.add_argument(
        "--pdf-engine",
        choices=["auto", "pdfium", "pdfplumber"],
        default=None,
        help="PDF text engine (default: IMR_PDF_ENGINE, else auto)",
    )
    p.add_argument(
        "--ocr",
        choices=["auto", "off"],
        default=None,
        help="OCR of PDF pages without a text layer (default: IMR_OCR, else auto)",
    )


def reading_options(args: argparse.Namespace) -> tuple[str, str]:
    """The PDF engine and the OCR mode of :func:`add_reading_arguments`: the options given, else the
    settings (``IMR_PDF_ENGINE``, ``IMR_OCR``)."""
    engine, ocr = args.pdf_engine, args.ocr
    if engine is None or ocr is None:
        from imr.settings import get_settings

        engine = engine or get_settings().pdf_engine
        ocr = ocr or get_settings().ocr
    return str(engine), str(ocr)


def add_retry_arguments(p: argparse.ArgumentParser) -> None:
    """``--retries N --retry-delay S``: how warehouse tasks retry transient failures."""
    p.add_argument(
        "--retries", type=int, default=3, help="retries of a warehouse task on a transient failure (default 3)"
    )
    p.add_argument(
        "--retry-delay", type=float, default=10.0, metavar="S", help="seconds between those retries (default 10)"
    )


def add_flow_arguments(p: argparse.ArgumentParser) -> None:
    """The options every flow command takes: ``--db``, ``--chunk-size``, ``--workers``, ``--dask``,
    ``--retries``, ``--retry-delay`` and ``--json``."""
    add_db_argument(p)
    p.add_argument("--chunk-size", type=int, default=None, help="files per task (default: IMR_CHUNK_SIZE)")
    add_parallel_arguments(p)
    add_retry_arguments(p)
    p.add_argument("--json", action="store_true", help="print the summary as one JSON object")


def add_parallel_arguments(p: argparse.ArgumentParser) -> None:
    """``--workers N --dask ADDRESS``: where and how many chunks run at once."""
    p.add_argument(
        "--workers", type=int, default=None, metavar="N", help="chunks in parallel processes (default: IMR_WORKERS)"
    )
    p.add_argument(
        "--dask", default=None, metavar="ADDRESS", help="run chunks on this Dask scheduler (default: IMR_DASK_ADDRESS)"
    )


def flow_options(args: argparse.Namespace) -> dict[str, Any]:
    """The flow parameters every flow command passes: chunk size and retries (and its final state back)."""
    return {
        "chunk_size": args.chunk_size,
        "transient_retries": args.retries,
        "retry_delay_seconds": args.retry_delay,
        "return_state": True,
    }


def warehouse_url(args: argparse.Namespace) -> str:
    """The warehouse URL of this command: ``--db``, else the settings'. ``--db`` becomes the
    process's setting, so flows and task workers read it from there (never a flow parameter)."""
    from imr.settings import get_settings, override

    override(database_url=getattr(args, "db", None))
    return get_settings().warehouse_url()


def open_warehouse(url: str, *, create: bool) -> Engine:
    """An engine on ``url`` whose database answers; with ``create=False`` it must also be initialised.

    Raises :class:`CommandError` with one line (the masked URL and the reason: unknown driver,
    database does not exist, connection refused, authentication failed, ...). A read-only command
    (``create=False``) never creates a SQLite file.
    """
    import sqlalchemy as sa
    from sqlalchemy import exc

    import warehouse
    from imr.errors import WarehouseUnavailableError

    try:
        parsed = sa.make_url(url)
    except exc.ArgumentError:
        raise CommandError("malformed warehouse URL (expected e.g. sqlite:///path or postgresql://host/db)") from None
    shown = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() == "sqlite" and not create:
        path = parsed.database
        if path and path != ":memory:" and not os.path.exists(path):
            raise CommandError(f"no warehouse at {path} (run `imr ingest` or `imr db-upgrade` first)")
    try:
        engine = warehouse.make_engine(url)
        revision = warehouse.current_revision(engine)
    except (exc.NoSuchModuleError, exc.ArgumentError, ImportError):  # no such dialect, or its driver not installed
        raise CommandError(f"unknown database driver in {shown} (use sqlite:/// or postgresql+psycopg://)") from None
    except WarehouseUnavailableError as e:
        raise CommandError(str(e)) from None
    except exc.SQLAlchemyError as e:
        raise CommandError(f"warehouse {shown}: {warehouse.describe_error(e)}") from None
    if revision is None and not create:
        raise CommandError(f"the warehouse {shown} is not initialised (run `imr db-upgrade`)")
    if create:
        from warehouse.roles import cannot_write

        try:
            why = cannot_write(engine)
        except WarehouseUnavailableError as e:
            raise CommandError(str(e)) from None
        if why:
            raise CommandError(f"warehouse {shown}: {why}")
    return engine


def format_summary(summary: Mapping[str, Any]) -> str:
    """The summary as aligned ``label  count`` lines under a ``batch <id> (<kind>): <status>`` header."""
    lines = [f"batch {summary.get('batch_id')} ({summary.get('kind', 'ingest')}): {summary.get('status')}"]
    lines += [f"  {key.replace('_', ' '):<22} {summary.get(key, 0)}" for key in COUNT_FIELDS]
    lines += [f"  {label:<22} {summary[key]}" for key, label in _RUN_LINES if summary.get(key)]
    for key, label in (("reason_codes", "reason codes"), ("ignored_reasons", "ignored because")):
        codes = summary.get(key) or {}
        if codes:
            lines.append(f"  {label:<22} " + ", ".join(f"{c}={n}" for c, n in codes.items()))
    for bid, h in (summary.get("claimed_by") or {}).items():
        who = f" ({h['owner']})" if h.get("owner") else ""
        lines.append(f"  {'held by':<22} batch {bid}{who}: {h.get('files')} files since {h.get('since')}")
    return "\n".join(lines)


def prepare_prefect() -> None:
    """Environment defaults for an in-process flow run (set before Prefect is imported)."""
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", EPHEMERAL_STARTUP_TIMEOUT)


@contextmanager
def prefect_api(name: str) -> Iterator[None]:
    """A Prefect API for this command's flow run and the worker processes it starts.

    With ``PREFECT_API_URL`` set, that server. Otherwise a temporary local server is started here
    and its URL exported, so process-pool workers report to it instead of each starting their own;
    it stops when the command ends (say so, and how to keep runs in the UI).
    """
    from prefect.settings import get_current_settings

    configured = os.environ.get("PREFECT_API_URL") or get_current_settings().api.url
    if configured:  # a server (or a test harness) is already there: workers use it too
        from imr.commands.serve import api_problem

        problem = api_problem(str(configured))
        if problem is not None:
            raise CommandError(problem)
        with _api_url_exported(str(configured)):
            yield
        return
    print(
        f"imr {name}: running on a temporary Prefect server; to keep runs in the UI, start `imr server` "
        "and export PREFECT_API_URL=http://127.0.0.1:4200/api",
        file=sys.stderr,
    )
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from imr.commands.temporary_server import TemporaryServer as _TemporaryServer

    server = _TemporaryServer(port=_free_port())  # its own instance, never a shared one
    server.start(timeout=int(EPHEMERAL_STARTUP_TIMEOUT))
    try:
        with _api_url_exported(server.api_url), temporary_settings(updates={PREFECT_API_URL: server.api_url}):
            yield
    finally:
        from prefect.logging.handlers import APILogHandler

        APILogHandler().flush()  # the run's last log lines reach the server before it stops
        server.stop()


@contextmanager
def _api_url_exported(url: str) -> Iterator[None]:
    """``PREFECT_API_URL`` set in the environment (for worker processes) and in Prefect's
    process-wide settings, which threads without a settings context read (the process pool's
    log and event forwarder): without it, that thread starts a server of its own and the
    workers' logs go there instead of to the run's server."""
    from prefect.context import refresh_global_settings_context

    saved = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = url
    refresh_global_settings_context()
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = saved
        refresh_global_settings_context()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def batch_of_run(url: str, flow_run_id: str) -> dict[str, Any] | None:
    """The batch row a flow run wrote, as a summary dict (None when absent or unreadable)."""
    import warehouse
    from imr.errors import ImrError

    try:
        engine = warehouse.make_engine(url)
        rows = [b for b in warehouse.list_batches(engine) if b.flow_run_id == flow_run_id]
        engine.dispose()
    except ImrError:
        return None
    if not rows:
        return None
    from pipeline.summary import summary_of_row

    return summary_of_row(rows[0]).to_dict()


def run_flow(name: str, call: Callable[[], Any], *, url: str, as_json: bool) -> int:
    """Run a flow via ``call`` (which passes ``return_state=True``) and print its batch summary.

    The summary is the flow run's result (or the one its ``BatchFailedError`` holds), else the batch
    row the run wrote (a step failed). Returns the verdict's exit code: 0 for a completed batch
    (with or without quarantine), 1 for a failed one; the reason goes to stderr in one line.
    """
    from imr.errors import ImrError
    from pipeline.summary import BatchFailedError

    try:
        with prefect_api(name):
            state = call()
            result = state.result(raise_on_failure=False)
    except CommandError as e:  # the configured Prefect API cannot be used: what to do, one line
        return fail(name, e)
    except (ImrError, OSError) as e:  # the flow could not even start (e.g. no Prefect API reachable)
        print(f"imr {name}: could not run the flow: {e}", file=sys.stderr)
        return 1
    if isinstance(result, BatchFailedError):
        summary: dict[str, Any] | None = result.summary
    elif isinstance(result, Mapping):
        summary = dict(result)
    else:
        summary = batch_of_run(url, str(state.state_details.flow_run_id))
    if summary is not None:
        summary["flow_run_id"] = str(state.state_details.flow_run_id)
        print(json.dumps(summary, default=str) if as_json else format_summary(summary))
    if state.is_cancelled():  # SIGINT/SIGTERM: the batch was closed interrupted, its claims freed
        from pipeline import stop

        print(f"imr {name}: {state.message or 'interrupted'}", file=sys.stderr)
        return stop.exit_status(stop.received())
    if not state.is_completed():
        reason = state.message or "see the log above"
        print(f"imr {name}: {state.name}: {reason.splitlines()[0] if reason else ''}", file=sys.stderr)
        return 1
    from imr.outcomes import BatchStatus, Verdict

    status = BatchStatus((summary or {}).get("status") or BatchStatus.COMPLETED)
    return Verdict(status, "").exit_code


def run_flow_command(name: str, args: argparse.Namespace, call: Callable[[], Any], *, create: bool = True) -> int:
    """The body of ``imr ingest/backfill/rerun``: settle the warehouse (``--db``) and the workers
    (``--workers``, ``--dask``) as this process's settings, check the warehouse answers (one-line
    error otherwise), then run the flow ``call`` starts and print the batch summary."""
    from imr.settings import override

    try:
        url = warehouse_url(args)
        open_warehouse(url, create=create).dispose()
        if args.workers is not None and args.workers < 1:
            raise CommandError("--workers must be 1 or more")
    except CommandError as e:
        return fail(name, e)
    override(workers=args.workers, dask_address=args.dask)
    prepare_prefect()
    return run_flow(name, call, url=url, as_json=args.json)


def fail(command: str, error: Exception) -> int:
    """Print ``imr <command>: <error>`` on stderr and return exit status 1."""
    print(f"imr {command}: {error}", file=sys.stderr)
    return 1
