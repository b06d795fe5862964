"""Create or update the Prefect automation that marks dead flow runs Crashed (idempotent, by name).

imr-crash-zombie-flow-runs: a flow run of imr's deployments (tag `imr`) sends a heartbeat event
every PREFECT_FLOWS_HEARTBEAT_FREQUENCY seconds while its process lives. When the process dies
without reporting (`kill -9`, out of memory, a lost machine or container), the Prefect server
marks the run Crashed after 3 missed heartbeats (90 s with the default 30 s heartbeat), instead
of showing it Running for ever.

`imr serve` does this at every start. With the work-pool path (prefect.yaml, whose job variables
set the 30 s heartbeat, and `prefect worker start`) run this command once per Prefect server,
e.g. after `prefect deploy --all`; running it again updates the automation, never duplicates
it. The server's triggers service must run (Prefect's default, and `imr server`'s).
--heartbeat-seconds must match the runs' heartbeat: default PREFECT_FLOWS_HEARTBEAT_FREQUENCY
if set, else IMR_HEARTBEAT_SECONDS (30), the value prefect.yaml uses.

Example:
  export PREFECT_API_URL=http://127.0.0.1:4200/api
  imr automations                         # create or update it on that server
  imr automations --print > zombie.yaml   # the automation as YAML, nothing sent
  prefect automation ls                   # Prefect's own view (or the UI's Automations page)
"""

from __future__ import annotations

import argparse
import sys

from imr import prefect_env
from imr.settings import get_settings

HELP = "create or update the automation that marks dead flow runs Crashed (work-pool path; idempotent)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``imr automations``."""
    parser.add_argument(
        "--heartbeat-seconds",
        type=int,
        metavar="N",
        help="the flow runs' heartbeat period, >= 30 (default: PREFECT_FLOWS_HEARTBEAT_FREQUENCY, "
        "else IMR_HEARTBEAT_SECONDS, 30); a run silent for 3 periods is marked Crashed",
    )
    parser.add_argument(
        "--print",
        dest="print_only",
        action="store_true",
        help="print the automation as YAML (the form of `prefect automation create --from-file`), send nothing",
    )


def run(args: argparse.Namespace) -> int:
    """Create or update the automation; returns 0, or 1 when the Prefect API is unreachable or refuses."""
    settings = get_settings()
    prefect_env.apply_heartbeat(settings)  # before Prefect is imported
    from imr.commands.serve import api_problem
    from imr.commands.server import api_url

    fallback = api_url(settings.server_host, settings.server_port)
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.automations import (
        MIN_HEARTBEAT_SECONDS,
        as_document,
        ensure_automation,
        heartbeat_seconds,
        window_seconds,
        zombie_automation,
    )

    heartbeat = args.heartbeat_seconds if args.heartbeat_seconds is not None else heartbeat_seconds()
    if heartbeat is None or heartbeat < MIN_HEARTBEAT_SECONDS:
        print(f"imr automations: the heartbeat period must be at least {MIN_HEARTBEAT_SECONDS} s", file=sys.stderr)
        return 2
    spec = zombie_automation(heartbeat)
    if args.print_only:
        import yaml

        print(yaml.safe_dump(as_document(spec), sort_keys=False, width=100), end="")
        return 0
    url = PREFECT_API_URL.value() or fallback
    problem = api_problem(url)
    if problem is not None:
        print(f"imr automations: {problem}", file=sys.stderr)
        return 1
    with temporary_settings({PREFECT_API_URL: url}):
        try:
            applied = ensure_automation(spec)
        except Exception as exc:  # an HTTP error from the API: one line, not a traceback
            print(f"imr automations: {url} refused the automation: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 1
    print(
        f"imr automations: {applied.describe()} at {url}: a flow run tagged imr silent for "
        f"{window_seconds(heartbeat)} s (heartbeat every {heartbeat} s) is marked Crashed"
    )
    return 0
