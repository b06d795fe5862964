"""Serve the nightly-ingest, rerun, backfill and review deployments from one long-running process.

Registers the four deployments with the Prefect server at PREFECT_API_URL, then runs their flow
runs in this process until Ctrl-C:

  nightly-ingest   the ingest of IMR_INBOXES on the cron IMR_SCHEDULE_CRON
                   in IMR_SCHEDULE_TIMEZONE (default "0 2 * * *", America/Los_Angeles)
  rerun            on demand, parameter batch_id (Run button in the UI, or
                   `prefect deployment run rerun/rerun -p batch_id=...`)
  backfill         on demand, parameter folder
  review           on demand, parameter item_id (default: the oldest letter waiting for review):
                   suspends with a form in the UI (Resume on the run's page), then does what
                   `imr review resolve` does with its values

When PREFECT_API_URL is not set, the server of `imr server` (IMR_SERVER_HOST:IMR_SERVER_PORT)
is used. The Prefect server's scheduler creates the nightly runs (tag `auto-scheduled`);
`imr serve` executes them. Stopping it pauses the nightly schedule until it is served again.

Dead runs: each flow run sends a heartbeat every IMR_HEARTBEAT_SECONDS (30; an explicit
PREFECT_FLOWS_HEARTBEAT_FREQUENCY wins), and at start `imr serve` creates or updates the
automation imr-crash-zombie-flow-runs (see `imr automations`): a run whose process died
(`kill -9`, out of memory, a lost machine) is marked Crashed after 3 missed heartbeats.

Example:
  imr server &                 # once, in another terminal
  imr serve                    # keep it running (systemd, tmux, ...)
  imr serve --list             # show the deployments and schedule, then exit
  imr serve --no-automations   # leave the server's automations alone
"""

from __future__ import annotations

import argparse
import os
import sys

from imr import prefect_env
from imr.settings import get_settings

HELP = "serve the nightly-ingest, rerun, backfill and review deployments (long-running)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``imr serve``."""
    parser.add_argument(
        "--limit", type=int, default=None, help="most flow runs executed at the same time (default: no limit)"
    )
    parser.add_argument("--list", action="store_true", help="print the deployments and their schedule, then exit")
    parser.add_argument(
        "--no-automations",
        action="store_true",
        help="do not create or update the automation that marks dead flow runs Crashed (see `imr automations`)",
    )


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted; returns 0 (or 1 when the Prefect API is unreachable)."""
    settings = get_settings()
    prefect_env.apply_heartbeat(settings)  # before Prefect is imported: its runs beat this often
    from imr.commands.server import api_url

    fallback = api_url(settings.server_host, settings.server_port)
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.automations import heartbeat_seconds
    from flows.deployments import build_deployments, describe, serve_all

    url = PREFECT_API_URL.value() or fallback
    with temporary_settings({PREFECT_API_URL: url}):
        deployments = build_deployments(settings)
        if args.list:
            for d in deployments:
                print(describe(d))
            return 0
        problem = api_problem(url)
        if problem is not None:
            print(f"imr serve: {problem}", file=sys.stderr)
            return 1
        heartbeat = heartbeat_seconds()
        if not args.no_automations:
            _ensure_automation(heartbeat)
        print(f"imr serve: serving {len(deployments)} deployments to {url}", file=sys.stderr)
        serve_all(settings, limit=args.limit, deployments=deployments, heartbeat_seconds=heartbeat)
    return 0


def _ensure_automation(heartbeat: int | None) -> None:
    """Create or update the dead-run automation; a failure is one line on stderr, serving goes on."""
    from flows.automations import ensure_zombie_automation, window_seconds

    if heartbeat is None:
        print("imr serve: flow-run heartbeats are off: dead runs will stay Running", file=sys.stderr)
        return
    try:
        applied = ensure_zombie_automation(heartbeat)
    except Exception as exc:  # the API refused it (or answers no more): serve anyway, and say so
        print(f"imr serve: could not create the dead-run automation ({type(exc).__name__}: {exc}); "
              "dead runs will stay Running", file=sys.stderr)  # fmt: skip
        return
    print(
        f"imr serve: {applied.describe()}: a run silent for {window_seconds(heartbeat)} s "
        f"(heartbeat every {heartbeat} s) is marked Crashed",
        file=sys.stderr,
    )


def api_problem(url: str) -> str | None:
    """Why the Prefect API at ``url`` cannot be used (None when it can), in words that say what to
    do: nothing answers its health check, or it asks for the basic-authentication string this
    process does not send (or sends wrong)."""
    import httpx

    from imr import prefect_env

    base = url.rstrip("/")
    try:
        if httpx.get(f"{base}/health", timeout=5).status_code != 200:
            return f"no Prefect API at {url}; start `imr server` or set PREFECT_API_URL"
        secret = os.environ.get(prefect_env.CLIENT_AUTH_VARIABLE)
        auth = tuple(secret.split(":", 1)) if secret and ":" in secret else None
        probe = httpx.post(f"{base}/flows/filter", json={"limit": 1}, auth=auth, timeout=10)  # type: ignore[arg-type]
    except httpx.HTTPError:
        return f"no Prefect API at {url}; start `imr server` or set PREFECT_API_URL"
    if probe.status_code == 401:
        given = "the string given was refused" if auth else "none was given"
        return (
            f"the Prefect API at {url} requires authentication and {given}; "
            "set IMR_PREFECT_AUTH_STRING=user:password as its server has it"
        )
    return None
