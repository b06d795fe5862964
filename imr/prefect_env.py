"""Environment defaults for every Prefect process imr starts or talks to (Prefect-free).

:func:`apply` must run before Prefect is imported (Prefect reads its settings and configures
logging at import time); ``imr.cli.main`` calls it before running a command. It only fills in
environment variables the user has not set, so an explicit ``PREFECT_...`` variable always wins:

- ``PREFECT_LOGGING_EXTRA_LOGGERS=imr``: imr's own log lines (counts, reason codes, never letter
  text) reach the flow-run logs in the UI.
- ``PREFECT_LOGGING_SETTINGS_PATH=<imr>/prefect_logging.yml``: Prefect's default logging config
  plus the ``imr`` logger at INFO (an extra logger keeps its own level, WARNING through the root
  logger otherwise). Skipped when ``$PREFECT_HOME/logging.yml`` exists (the user's own config).
- ``PREFECT_SERVER_ANALYTICS_ENABLED=false``: no telemetry from the Prefect server (the temporary
  one of ``imr ingest`` or ``imr server``); its heartbeat also logged "database is locked" errors.
- ``DO_NOT_TRACK=1``: no client-side (SDK) usage events.

The two telemetry defaults are skipped when ``IMR_PREFECT_TELEMETRY=true``.

- ``PREFECT_API_AUTH_STRING=<IMR_PREFECT_AUTH_STRING>`` when that is set: the client's half of
  Prefect's basic authentication, so every imr command (and the flow runs of ``imr serve``) can
  talk to an ``imr server`` that requires it (:func:`server_auth` gives the server its half).

:func:`apply_heartbeat` adds one more, for the processes that execute deployment flow runs (``imr
serve``, and ``imr automations``, which sizes the automation's window by it):
``PREFECT_FLOWS_HEARTBEAT_FREQUENCY=<IMR_HEARTBEAT_SECONDS>`` (30): a flow run emits a
``prefect.flow-run.heartbeat`` event that often while its process lives, and the automation of
``flows.automations`` marks it Crashed after 3 missed ones. Prefect's own default is 180 s.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping
from pathlib import Path

from imr.settings import Settings, get_settings

#: the logger whose records (and its children's) Prefect ships to the API
IMR_LOGGER = "imr"
#: Prefect's logging config with the ``imr`` logger at INFO
LOGGING_CONFIG = Path(__file__).with_name("prefect_logging.yml")
#: Prefect's setting of the seconds between a flow run's heartbeat events (an integer >= 30)
HEARTBEAT_VARIABLE = "PREFECT_FLOWS_HEARTBEAT_FREQUENCY"
#: Prefect's basic authentication: the server's string, and the one its clients send
SERVER_AUTH_VARIABLE = "PREFECT_SERVER_API_AUTH_STRING"
CLIENT_AUTH_VARIABLE = "PREFECT_API_AUTH_STRING"


def prefect_defaults(settings: Settings, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The Prefect environment defaults for ``settings`` (see the module docstring)."""
    env = os.environ if environ is None else environ
    defaults = {"PREFECT_LOGGING_EXTRA_LOGGERS": IMR_LOGGER}
    home = Path(env.get("PREFECT_HOME") or "~/.prefect").expanduser()
    if not (home / "logging.yml").exists():
        defaults["PREFECT_LOGGING_SETTINGS_PATH"] = str(LOGGING_CONFIG)
    if not settings.prefect_telemetry:
        defaults["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
        defaults["DO_NOT_TRACK"] = "1"
    if settings.prefect_auth_string is not None:
        defaults[CLIENT_AUTH_VARIABLE] = settings.prefect_auth_string.get_secret_value()
    return defaults


def server_auth(settings: Settings, environ: Mapping[str, str]) -> dict[str, str]:
    """The server's half of basic authentication: ``PREFECT_SERVER_API_AUTH_STRING`` from
    ``IMR_PREFECT_AUTH_STRING`` unless ``environ`` sets it already (empty when neither does)."""
    if SERVER_AUTH_VARIABLE in environ or settings.prefect_auth_string is None:
        return {}
    return {SERVER_AUTH_VARIABLE: settings.prefect_auth_string.get_secret_value()}


def auth_required(environ: Mapping[str, str]) -> bool:
    """Whether a Prefect server started with ``environ`` asks every request for the auth string."""
    return bool(environ.get(SERVER_AUTH_VARIABLE, "").strip())


def apply(settings: Settings | None = None, environ: MutableMapping[str, str] | None = None) -> dict[str, str]:
    """Set the defaults the environment lacks; returns the variables it set.

    ``environ`` defaults to ``os.environ``; a variable already present (even empty) is kept.
    """
    env = os.environ if environ is None else environ
    added = {k: v for k, v in prefect_defaults(settings or get_settings(), env).items() if k not in env}
    env.update(added)
    return added


def telemetry_enabled(environ: Mapping[str, str]) -> bool:
    """Whether the Prefect server started with ``environ`` sends analytics (Prefect's default: on)."""
    value = environ.get("PREFECT_SERVER_ANALYTICS_ENABLED", "true").strip().lower()
    return value not in ("0", "false", "no", "off")


def apply_heartbeat(
    settings: Settings | None = None, environ: MutableMapping[str, str] | None = None
) -> dict[str, str]:
    """Set ``PREFECT_FLOWS_HEARTBEAT_FREQUENCY`` to ``IMR_HEARTBEAT_SECONDS`` unless it is set already
    (an explicit value wins, as for :func:`apply`); returns the variable it set. Call it before
    Prefect is imported: Prefect reads the variable then."""
    env = os.environ if environ is None else environ
    if HEARTBEAT_VARIABLE in env:
        return {}
    added = {HEARTBEAT_VARIABLE: str((settings or get_settings()).heartbeat_seconds)}
    env.update(added)
    return added
