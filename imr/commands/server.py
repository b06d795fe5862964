"""Start the Prefect server (API and UI) that imr-etl's flows report to.

Runs ``python -m prefect server start --host HOST --port PORT`` as a child process with this
environment (``--print-env`` shows it without starting anything):

  PREFECT_HOME                              <IMR_DATA_DIR>/prefect (or --home): the server's own
                                            SQLite database prefect.db, profiles and local storage
  PREFECT_SERVER_DATABASE_CONNECTION_URL    only when IMR_PREFECT_DATABASE_URL is set: PostgreSQL,
                                            driver rewritten to postgresql+asyncpg://
  PREFECT_SERVER_API_HOST / _PORT           IMR_SERVER_HOST / IMR_SERVER_PORT (127.0.0.1:4200)
  PREFECT_API_URL                           http://HOST:PORT/api (the server's own address)
  PREFECT_SERVER_ANALYTICS_ENABLED          false (no telemetry) unless IMR_PREFECT_TELEMETRY=true,
  DO_NOT_TRACK                              1     or the variable is already set
  PREFECT_LOGGING_EXTRA_LOGGERS             imr   (unless already set)
  PREFECT_SERVER_API_AUTH_STRING            IMR_PREFECT_AUTH_STRING ('user:password'), when set:
                                            every API request and the UI must then present it
                                            (clients: PREFECT_API_AUTH_STRING, which every imr
                                            command sets from IMR_PREFECT_AUTH_STRING)

The server binds 127.0.0.1 by default. It refuses any other address unless basic authentication
is on (IMR_PREFECT_AUTH_STRING or PREFECT_SERVER_API_AUTH_STRING): the review form shows letter
text, so the UI is not harmless to expose.

The server runs Prefect's triggers and actions services (Prefect's default): they evaluate the
automations, among them the one `imr serve` / `imr automations` create to mark dead flow runs
Crashed. PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED=false turns both off; `imr server` then says
that dead runs stay Running (run `prefect server services start` elsewhere if that is the plan).

Flows report to this server only when their process has PREFECT_API_URL set to the URL it
prints; export it in the shell that runs `imr ingest`, `imr serve`, `imr rerun`...
Stop the server with Ctrl-C (the child process is stopped too).

Example:
  imr server                         # http://127.0.0.1:4200 (UI) and .../api
  export PREFECT_API_URL=http://127.0.0.1:4200/api
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from types import FrameType

from imr import prefect_env
from imr.settings import Settings, get_settings

HELP = "start the Prefect server (API + UI) with its own database"

_PG_SCHEME = re.compile(r"^(postgres|postgresql)(\+[a-z0-9_]+)?://", re.IGNORECASE)
_SQLITE_SCHEME = re.compile(r"^sqlite(\+[a-z0-9_]+)?://", re.IGNORECASE)
#: Prefect's switch of the triggers service, which also starts the actions service (and its old name)
TRIGGERS_VARIABLES = ("PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED", "PREFECT_API_SERVICES_TRIGGERS_ENABLED")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``imr server``."""
    parser.add_argument("--host", help="address to listen on (default: IMR_SERVER_HOST, 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to listen on (default: IMR_SERVER_PORT, 4200)")
    parser.add_argument(
        "--home",
        type=Path,
        help="PREFECT_HOME of the server: its SQLite database and profiles (default: <IMR_DATA_DIR>/prefect)",
    )
    parser.add_argument(
        "--print-env",
        action="store_true",
        help="print the command and environment the server would get, then exit (secrets masked)",
    )


def prefect_database_url(url: str) -> str:
    """Rewrite a database URL for the Prefect server's async drivers.

    PostgreSQL URLs (``postgresql://``, ``postgresql+psycopg://``...) get the ``asyncpg`` driver,
    SQLite URLs get ``aiosqlite``; anything else is returned unchanged.
    """
    if _PG_SCHEME.match(url):
        return _PG_SCHEME.sub("postgresql+asyncpg://", url, count=1)
    if _SQLITE_SCHEME.match(url):
        return _SQLITE_SCHEME.sub("sqlite+aiosqlite://", url, count=1)
    return url


def api_url(host: str, port: int) -> str:
    """The PREFECT_API_URL clients use for a server on ``host:port`` (wildcard hosts -> loopback)."""
    reachable = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    if ":" in reachable and not reachable.startswith("["):
        reachable = f"[{reachable}]"
    return f"http://{reachable}:{port}/api"


def default_home(settings: Settings) -> Path:
    """The server's PREFECT_HOME: ``<data_dir>/prefect``, absolute."""
    return (settings.data_dir / "prefect").resolve()


def server_environment(
    settings: Settings, host: str, port: int, home: Path, base: dict[str, str] | None = None
) -> dict[str, str]:
    """The environment of the ``prefect server start`` child process (``base`` plus our settings)."""
    env = dict(os.environ if base is None else base)
    env.update(
        {
            "PREFECT_HOME": str(home),
            "PREFECT_SERVER_API_HOST": host,
            "PREFECT_SERVER_API_PORT": str(port),
            "PREFECT_API_URL": api_url(host, port),
        }
    )
    prefect_env.apply(settings, env)
    env.update(prefect_env.server_auth(settings, env))
    if settings.prefect_database_url is not None:
        env["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = prefect_database_url(
            settings.prefect_database_url.get_secret_value()
        )
    else:
        env.pop("PREFECT_SERVER_DATABASE_CONNECTION_URL", None)
    return env


def automations_enabled(environ: Mapping[str, str]) -> bool:
    """Whether the server started with ``environ`` runs its triggers and actions services, which
    evaluate automations (Prefect's default: on)."""
    for key in TRIGGERS_VARIABLES:
        if key in environ:
            return environ[key].strip().lower() not in ("0", "false", "no", "off")
    return True


LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


def exposure_refusal(host: str, environ: Mapping[str, str]) -> str | None:
    """Why a server on ``host`` must not start with ``environ`` (None when it may): an address
    other than loopback needs basic authentication."""
    if host in LOOPBACK or host.startswith("127.") or prefect_env.auth_required(environ):
        return None
    return (
        f"imr server: refusing to listen on {host} without authentication; "
        "set IMR_PREFECT_AUTH_STRING=user:password (clients need the same) or use --host 127.0.0.1"
    )


def server_command(host: str, port: int) -> list[str]:
    """The argv of the server child process."""
    return [sys.executable, "-m", "prefect", "server", "start", "--host", host, "--port", str(port)]


def _mask(url: str) -> str:
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


def _shown(key: str, value: str) -> str:
    if key in (prefect_env.SERVER_AUTH_VARIABLE, prefect_env.CLIENT_AUTH_VARIABLE):
        return value.split(":", 1)[0] + ":***" if value else value
    return _mask(value)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    """Start the server and wait for it; returns its exit code (0 after Ctrl-C)."""
    settings = get_settings()
    host = args.host or settings.server_host
    port = int(args.port or settings.server_port)
    home = args.home.resolve() if args.home else default_home(settings)
    env = server_environment(settings, host, port, home)
    cmd = server_command(host, port)
    url = api_url(host, port)
    if args.print_env:
        print(" ".join(cmd))
        for key in sorted(env):
            if key.startswith("PREFECT_") or key == "DO_NOT_TRACK":
                print(f"{key}={_shown(key, env[key])}")
        return 0
    refusal = exposure_refusal(host, env)
    if refusal is not None:
        print(refusal, file=sys.stderr)
        return 2
    home.mkdir(parents=True, exist_ok=True)
    postgres = "PREFECT_SERVER_DATABASE_CONNECTION_URL" in env
    database = "PostgreSQL" if postgres else f"SQLite {home / 'prefect.db'}"
    print(f"imr server: Prefect UI {url.removesuffix('/api')}", file=sys.stderr)
    print(f"imr server: database {database}", file=sys.stderr)
    telemetry = "on" if prefect_env.telemetry_enabled(env) else "off (IMR_PREFECT_TELEMETRY=true turns it on)"
    print(f"imr server: Prefect telemetry {telemetry}", file=sys.stderr)
    if automations_enabled(env):
        print("imr server: automations on (triggers and actions services)", file=sys.stderr)
    else:
        print(
            f"imr server: automations OFF ({TRIGGERS_VARIABLES[0]}=false): no automation fires, "
            "dead flow runs stay Running unless Prefect's services run elsewhere",
            file=sys.stderr,
        )
    if prefect_env.auth_required(env):
        print(
            "imr server: basic authentication on (clients: IMR_PREFECT_AUTH_STRING or PREFECT_API_AUTH_STRING)",
            file=sys.stderr,
        )
    print("imr server: point flows at it with:", file=sys.stderr)
    print(f"export PREFECT_API_URL={url}", flush=True)
    proc = subprocess.Popen(cmd, env=env)
    signal.signal(signal.SIGTERM, _interrupt)  # `kill <pid>` stops the child too
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        return 0
