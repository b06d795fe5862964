"""The automation that marks a dead flow run Crashed: Prefect's recipe for zombie flow runs, for imr's runs.

While its process lives, a flow run emits a ``prefect.flow-run.heartbeat`` event every
``PREFECT_FLOWS_HEARTBEAT_FREQUENCY`` seconds (``imr serve`` sets it to ``IMR_HEARTBEAT_SECONDS``,
30; ``prefect.yaml`` sets 30 for the work pool's runs). A process that dies without reporting
(SIGKILL, the OOM killer, a lost machine or container) leaves its run Running on the server for
ever. The automation below, evaluated by the Prefect server's triggers service, closes that gap:
after a heartbeat of a flow run tagged ``imr`` (the tag of every imr deployment), it expects
another event of that flow run within 3 heartbeat periods; when none comes it sets the run
``Crashed`` with :data:`CRASHED_MESSAGE`.

Two choices differ from the example in Prefect's guide ("How to detect and respond to zombie
flows"), on purpose:

- ``expect`` is every flow-run event (``prefect.flow-run.*``), not a list of terminal state names:
  a state event is named after the state's *name*, and imr's runs end ``CompletedWithQuarantine``.
- only runs tagged ``imr`` are watched (``match_related``): the window is sized for imr's
  heartbeat period; a run of another flow on the same server beating at Prefect's default 180 s
  would be marked Crashed while alive.

:func:`ensure_automation` creates it, or updates the automation of that name (idempotent; it keeps
a disabled one disabled); ``imr serve`` calls it at start, ``imr automations`` on demand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

from prefect import get_client
from prefect.client.schemas.objects import StateType
from prefect.events.actions import ChangeFlowRunState
from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture
from prefect.events.schemas.events import ResourceSpecification
from prefect.settings import get_current_settings

from flows.deployments import TAGS

ZOMBIE_AUTOMATION = "imr-crash-zombie-flow-runs"
HEARTBEAT_EVENT = "prefect.flow-run.heartbeat"
#: heartbeats a run may miss before it is marked Crashed (Prefect's guide: 3)
MISSED_HEARTBEATS = 3
#: Prefect's minimum heartbeat period (``PREFECT_FLOWS_HEARTBEAT_FREQUENCY`` >= 30)
MIN_HEARTBEAT_SECONDS = 30
#: the state message of a run the automation marked (no letter text: a constant)
CRASHED_MESSAGE = (
    "No heartbeat from this flow run: the process running it died. "
    f"Marked Crashed by the automation {ZOMBIE_AUTOMATION}."
)


def heartbeat_seconds() -> int | None:
    """The heartbeat period of the flow runs this process starts (Prefect's
    ``PREFECT_FLOWS_HEARTBEAT_FREQUENCY`` as Prefect reads it), None when heartbeats are off."""
    value = get_current_settings().flows.heartbeat_frequency
    return None if value is None else max(int(value), MIN_HEARTBEAT_SECONDS)


def window_seconds(heartbeat: int) -> int:
    """How long a run may stay silent before it is marked Crashed: :data:`MISSED_HEARTBEATS` periods."""
    if heartbeat < MIN_HEARTBEAT_SECONDS:
        raise ValueError(f"a heartbeat period is at least {MIN_HEARTBEAT_SECONDS} s, not {heartbeat}")
    return MISSED_HEARTBEATS * heartbeat


def zombie_automation(heartbeat: int, tag: str = TAGS[0]) -> AutomationCore:
    """The automation for flow runs tagged ``tag`` that beat every ``heartbeat`` seconds."""
    window = window_seconds(heartbeat)
    return AutomationCore(
        name=ZOMBIE_AUTOMATION,
        description=(
            f"imr-etl: a flow run tagged {tag} that sent no event for {window} s after a heartbeat "
            f"({MISSED_HEARTBEATS} heartbeats of {heartbeat} s) has lost its process: mark it Crashed. "
            "Created by `imr serve` / `imr automations`."
        ),
        enabled=True,
        tags=[tag],
        trigger=EventTrigger(
            after={HEARTBEAT_EVENT},
            expect={"prefect.flow-run.*"},
            match=ResourceSpecification({"prefect.resource.id": "prefect.flow-run.*"}),
            match_related=ResourceSpecification(
                {"prefect.resource.id": f"prefect.tag.{tag}", "prefect.resource.role": "tag"}
            ),
            for_each={"prefect.resource.id"},
            posture=Posture.Proactive,
            threshold=1,
            within=timedelta(seconds=window),
        ),
        actions=[ChangeFlowRunState(state=StateType.CRASHED, name=None, message=CRASHED_MESSAGE, force=False)],
    )


@dataclass(frozen=True)
class Applied:
    """What :func:`ensure_automation` did."""

    id: UUID
    name: str
    created: bool  # False: an automation of that name was updated
    enabled: bool
    duplicates_removed: int

    def describe(self) -> str:
        how = "created" if self.created else "updated"
        extra = f", {self.duplicates_removed} duplicate(s) removed" if self.duplicates_removed else ""
        off = " (disabled on the server: left disabled)" if not self.enabled else ""
        return f"automation {self.name} {how}{extra}{off}"


def _core(automation: AutomationCore) -> dict[str, Any]:
    """What an automation says, as JSON, without its ids and its on/off switch (kept as the UI set it)."""
    data = automation.model_dump(mode="json", include=set(AutomationCore.model_fields) - {"enabled"})
    data["trigger"].pop("id", None)
    return data


def ensure_automation(spec: AutomationCore) -> Applied:
    """Create ``spec`` on the Prefect API of this process, or update the automation of its name.

    Idempotent: run twice, it leaves one automation. Duplicates of the name (made by hand, or by
    two processes starting at once) are removed, the most recently updated one is kept; its
    ``enabled`` flag is kept too, so an automation turned off in the UI stays off.
    """
    with get_client(sync_client=True) as client:
        existing = client.read_automations_by_name(spec.name)  # most recently updated first
        if not existing:
            return Applied(client.create_automation(spec), spec.name, True, spec.enabled, 0)
        keep, *extra = existing
        # updated only when it differs: the server gives the trigger a new id on every update, and
        # it keys the runs it is watching by that id, so an update on every `imr serve` start would
        # orphan them (a run killed with the serving process would stay Running for good)
        if _core(keep) != _core(spec):
            client.update_automation(keep.id, spec.model_copy(update={"enabled": keep.enabled}))
        for duplicate in extra:
            client.delete_automation(duplicate.id)
        return Applied(keep.id, spec.name, False, keep.enabled, len(extra))


def ensure_zombie_automation(heartbeat: int) -> Applied:
    """:func:`ensure_automation` of :func:`zombie_automation` for ``heartbeat``."""
    return ensure_automation(zombie_automation(heartbeat))


def as_document(spec: AutomationCore) -> dict[str, Any]:
    """``spec`` as plain data, in the form ``prefect automation create --from-file`` reads."""
    doc: dict[str, Any] = spec.model_dump(mode="json", exclude={"owner_resource"})
    doc["trigger"].pop("id", None)
    for key in ("expect", "after", "for_each"):  # sets: a stable order
        doc["trigger"][key] = sorted(doc["trigger"][key])
    return doc
