"""The review flow: a person settles one set-aside letter in the Prefect UI.

A run takes the given review item (parameter ``item_id``) or the oldest waiting one, writes the
letter's ``imr show`` page, and suspends with a typed form (a ``RunInput``: one field per value
in doubt, pre-filled with what was read, the reason and the source lines above it). The run holds
no process while it waits. Submitting the form ("Resume" on the run's page, or
``resume_flow_run(id, run_input={...})``) starts the run again from the top: it finds the item it
took (kept as the run's own input) and does exactly what ``imr review resolve`` (or ``reject``)
does. The run fails, and the letter stays in the queue, when the answer does not validate or
nobody answers within ``IMR_REVIEW_TIMEOUT_HOURS``.
"""

from __future__ import annotations

from typing import Any

from prefect import flow
from prefect.flow_runs import suspend_flow_run
from prefect.runtime import flow_run

from imr.settings import get_settings
from pipeline import review_form as rf
from tasks import review as t


@flow(name="review")
def review_flow(item_id: int | None = None) -> dict[str, Any]:
    """Review one set-aside letter (default: the oldest waiting) through a form in the UI."""
    run_id = flow_run.get_id()
    if run_id is None:  # pragma: no cover - a flow body always runs inside a flow run
        raise RuntimeError("the review flow runs only as a flow run")
    item = t.pick_item(item_id, run_id)
    if item is None:
        return {"item": None, "action": "none", "reason": "the review queue is empty"}
    fields = rf.form_fields(item)
    form = t.form_input(item, fields, t.letter_page(item))
    hours = get_settings().review_timeout_hours
    answer = suspend_flow_run(wait_for_input=form, key=f"review-item-{item.id}", timeout=int(hours * 3600))
    result = t.settle(item, fields, answer.model_dump() if answer is not None else {})
    t.publish(result)
    return result
