"""The four deployments `imr serve` serves from one long-running process.

==================  ===================  =========================================================
deployment          flow                 how it runs
==================  ===================  =========================================================
``nightly-ingest``  ``ingest_flow``      cron ``IMR_SCHEDULE_CRON`` in ``IMR_SCHEDULE_TIMEZONE``
                                         (default ``0 2 * * *`` America/Los_Angeles)
``rerun``           ``rerun_flow``       on demand, parameter ``batch_id`` (UI "Run" or CLI)
``backfill``        ``backfill_flow``    on demand, parameter ``folder``
``review``          ``review_flow``      on demand, parameter ``item_id`` (default: the oldest
                                         waiting letter): suspends with a form in the UI
==================  ===================  =========================================================

Entrypoints are module paths (``flows.ingest.ingest_flow``), so the served process and any
``prefect deployment run`` work from whatever directory imr-etl is installed in.

The nightly runs are created by the Prefect server's own scheduler service (tag
``auto-scheduled``); the serving process only executes them. The same four deployments are
declared for a process work pool in ``prefect.yaml`` (``prefect deploy --all``).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from prefect import Flow, serve
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron, Schedule
from prefect.types.entrypoint import EntrypointType

from imr.settings import Settings

NIGHTLY = "nightly-ingest"
RERUN = "rerun"
BACKFILL = "backfill"
REVIEW = "review"
TAGS = ["imr"]


@dataclass(frozen=True)
class DeploymentFlows:
    """The flows behind the deployments (the real ones come from :mod:`flows.ingest`)."""

    ingest: Flow[..., Any]
    rerun: Flow[..., Any]
    backfill: Flow[..., Any]
    review: Flow[..., Any]


def default_flows() -> DeploymentFlows:
    """The flows: ``flows.ingest:ingest_flow``, ``rerun_flow``, ``backfill_flow`` and
    ``flows.review:review_flow``."""
    from flows.ingest import backfill_flow, ingest_flow, rerun_flow
    from flows.review import review_flow

    return DeploymentFlows(ingest=ingest_flow, rerun=rerun_flow, backfill=backfill_flow, review=review_flow)


def nightly_schedule(settings: Settings) -> Schedule:
    """The nightly cron schedule: ``settings.schedule_cron`` in ``settings.schedule_timezone``."""
    return Cron(settings.schedule_cron, timezone=settings.schedule_timezone)


def _deployment(flow: Flow[..., Any], name: str, description: str, **kwargs: Any) -> RunnerDeployment:
    deployment = flow.to_deployment(
        name=name,
        description=description,
        tags=TAGS,
        entrypoint_type=EntrypointType.MODULE_PATH,
        **kwargs,
    )
    if not isinstance(deployment, RunnerDeployment):  # a coroutine when called from async code
        raise TypeError("build_deployments must be called from synchronous code")
    return deployment


def build_deployments(settings: Settings, flows: DeploymentFlows | None = None) -> list[RunnerDeployment]:
    """The ``nightly-ingest``, ``rerun``, ``backfill`` and ``review`` deployments, not yet registered.

    ``serve(*build_deployments(settings))`` registers and runs them; a test can call
    ``deployment.apply()`` on each to register them against a Prefect API.
    """
    f = flows if flows is not None else default_flows()
    return [
        _deployment(
            f.ingest,
            NIGHTLY,
            "Nightly ingest of the drop folders (IMR_INBOXES).",
            schedules=[nightly_schedule(settings)],
        ),
        _deployment(f.rerun, RERUN, "Rerun one batch: parameter batch_id (see `imr batches`)."),
        _deployment(f.backfill, BACKFILL, "Ingest every letter under one folder: parameter folder."),
        _deployment(
            f.review,
            REVIEW,
            "Review one set-aside letter in a form: parameter item_id (default: the oldest waiting; "
            "see `imr review list`).",
        ),
    ]


def describe(deployment: RunnerDeployment) -> str:
    """One line about a deployment: ``flow/name``, its parameters and its schedule."""
    schedules = []
    for s in deployment.schedules or []:
        cron = getattr(s.schedule, "cron", None)
        timezone = getattr(s.schedule, "timezone", None)
        schedules.append(f"cron {cron!r} {timezone}" if cron else str(s.schedule))
    schema = deployment._parameter_openapi_schema  # the schema the API receives
    params = ", ".join(schema.properties or {}) or "-"
    when = "; ".join(schedules) or "on demand"
    return f"{deployment.flow_name}/{deployment.name}  parameters: {params}  schedule: {when}"


def serve_all(
    settings: Settings,
    *,
    limit: int | None = None,
    deployments: Sequence[RunnerDeployment] = (),
    heartbeat_seconds: int | None = None,
) -> None:
    """Serve the deployments until interrupted (the nightly schedule is paused again on shutdown).

    ``heartbeat_seconds``: the flow-run processes' ``PREFECT_FLOWS_HEARTBEAT_FREQUENCY`` (None:
    they inherit this process's); the automation of :mod:`flows.automations` is sized by it.
    """
    served = list(deployments or build_deployments(settings))
    try:
        serve(*served, limit=limit, pause_on_shutdown=True, heartbeat_seconds=heartbeat_seconds)
    finally:
        pause_scheduled(served)


def pause_scheduled(deployments: Sequence[RunnerDeployment]) -> None:
    """Pause the deployments that have schedules. Prefect's runner pauses them on shutdown, but a
    SIGTERM that arrives while a run is being cancelled can end it before it does (a test saw the
    nightly schedule left active); this makes "stopping `imr serve` pauses the schedule" hold."""
    from prefect.client.orchestration import get_client

    try:
        with get_client(sync_client=True) as client:
            for deployment in deployments:
                if deployment.schedules:
                    found = client.read_deployment_by_name(f"{deployment.flow_name}/{deployment.name}")
                    if not found.paused:
                        client.pause_deployment(found.id)
    except Exception as exc:  # the API is gone too: say so in one line, the process is stopping anyway
        print(f"imr serve: could not pause the scheduled deployments ({type(exc).__name__}); "
              "pause them in the Prefect UI or with `prefect deployment pause`", file=sys.stderr)  # fmt: skip
