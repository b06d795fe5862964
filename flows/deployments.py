"""The three deployments `imr serve` serves from one long-running process.

==================  ===================  =========================================================
deployment          flow                 how it runs
==================  ===================  =========================================================
``nightly-ingest``  ``ingest_flow``      cron ``IMR_SCHEDULE_CRON`` in ``IMR_SCHEDULE_TIMEZONE``
                                         (default ``0 2 * * *`` America/Los_Angeles)
``rerun``           ``rerun_flow``       on demand, parameter ``batch_id`` (UI "Run" or CLI)
``backfill``        ``backfill_flow``    on demand, parameter ``folder``
==================  ===================  =========================================================

Entrypoints are module paths (``flows.ingest.ingest_flow``), so the served process and any
``prefect deployment run`` work from whatever directory imr-etl is installed in.

Scheduling workaround: with SQLAlchemy 2.1 the Prefect 3.8.8 server's scheduler service fails
(``InvalidRequestError: Can't evaluate bulk DML statement`` in its bulk insert of scheduled runs),
so no run of a cron schedule is ever created by the server. :func:`schedule_due_runs` creates the
runs falling due soon through the API (one insert per run, which works), with the idempotency key
the server's scheduler uses, so the two never double-book a slot; :func:`serve_all` calls it
every minute while serving.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from prefect import Flow, serve
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron, Schedule
from prefect.types.entrypoint import EntrypointType

from imr.settings import Settings

NIGHTLY = "nightly-ingest"
RERUN = "rerun"
BACKFILL = "backfill"
TAGS = ["imr"]
#: how far ahead :func:`schedule_due_runs` books runs, and how often serve_all calls it
LOOKAHEAD = timedelta(minutes=15)
SCHEDULER_PERIOD_SECONDS = 60.0

log = logging.getLogger("imr.serve")


@dataclass(frozen=True)
class DeploymentFlows:
    """The flows behind the deployments (the real ones come from :mod:`flows.ingest`)."""

    ingest: Flow[..., Any]
    rerun: Flow[..., Any]
    backfill: Flow[..., Any]


def default_flows() -> DeploymentFlows:
    """The ingest engineer's flows: ``flows.ingest:ingest_flow``, ``rerun_flow``, ``backfill_flow``."""
    from flows.ingest import backfill_flow, ingest_flow, rerun_flow

    return DeploymentFlows(ingest=ingest_flow, rerun=rerun_flow, backfill=backfill_flow)


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
    """The ``nightly-ingest``, ``rerun`` and ``backfill`` deployments, not yet registered.

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


def schedule_due_runs(
    deployment_name: str = f"ingest/{NIGHTLY}", *, lookahead: timedelta = LOOKAHEAD, now: datetime | None = None
) -> list[UUID]:
    """Create the Scheduled runs of a deployment's active cron schedules due within ``lookahead``.

    Returns the ids of the runs (existing ones for slots already booked: the idempotency key is
    the server scheduler's own, ``scheduled <deployment id> <schedule id> <date>``). Does nothing
    for a paused deployment or inactive schedules.
    """
    from prefect import get_client
    from prefect.server.schemas.schedules import CronSchedule
    from prefect.states import Scheduled

    start = now or datetime.now(UTC)
    ids: list[UUID] = []
    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name(deployment_name)
        if deployment.paused:
            return ids
        for schedule in deployment.schedules:
            cron = getattr(schedule.schedule, "cron", None)
            if not schedule.active or cron is None:
                continue
            timezone = getattr(schedule.schedule, "timezone", None)
            day_or = bool(getattr(schedule.schedule, "day_or", True))
            server_cron = CronSchedule(cron=cron, timezone=timezone, day_or=day_or)
            dates = asyncio.run(server_cron.get_dates(n=100, start=start, end=start + lookahead))
            for date in dates:
                run = client.create_flow_run_from_deployment(
                    deployment.id,
                    state=Scheduled(scheduled_time=date, message="Flow run scheduled by imr serve"),
                    idempotency_key=f"scheduled {deployment.id} {schedule.id} {date}",
                )
                ids.append(run.id)
    return ids


def _book_runs_forever(stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            booked = schedule_due_runs()
            if booked:
                log.info("nightly-ingest: %d run(s) booked in the next %s", len(booked), LOOKAHEAD)
        except Exception as e:  # keep serving; the next period tries again
            log.warning("nightly-ingest: could not book runs: %s", type(e).__name__)
        stop.wait(SCHEDULER_PERIOD_SECONDS)


def serve_all(
    settings: Settings, *, limit: int | None = None, deployments: Sequence[RunnerDeployment] = ()
) -> None:
    """Serve the deployments until interrupted (schedules are paused again on shutdown).

    A background thread books the nightly runs (:func:`schedule_due_runs`) every minute.
    """
    stop = threading.Event()
    booker = threading.Thread(target=_book_runs_forever, args=(stop,), name="imr-nightly-booker", daemon=True)
    booker.start()
    try:
        serve(*(deployments or build_deployments(settings)), limit=limit, pause_on_shutdown=True)
    finally:
        stop.set()
