"""Prefect tasks of the review flow: thin wrappers over :mod:`pipeline.review` (the queue) and
:mod:`pipeline.review_form` (the form as data), plus the ``RunInput`` the UI renders as a form.

Logs and artifacts hold review ids, reason codes, field paths and counts, never letter text: the
letter's values reach the UI only in the form itself, as ``IMR_REVIEW_FORM_SHOWS`` allows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, cast
from uuid import UUID

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.input import RunInput, create_flow_run_input, read_flow_run_input
from pydantic import Field, create_model

from imr.settings import get_settings
from pipeline import review as queue
from pipeline import review_form as rf

#: the flow run's own record of the item it took (read back when the resumed run starts again)
CHOSEN_KEY = "imr-review-item"
RESULT_KEY = "imr-review-result"
Action = Literal["resolve", "reject"]

_TYPES: dict[rf.FieldKind, Any] = {
    rf.FieldKind.DECISION: Literal[rf.CHOICES[rf.FieldKind.DECISION]],
    rf.FieldKind.PRIORITY: Literal[rf.CHOICES[rf.FieldKind.PRIORITY]],
    rf.FieldKind.SEX: Literal[rf.CHOICES[rf.FieldKind.SEX]],
    rf.FieldKind.DATE: dt.date,
    rf.FieldKind.INTEGER: int,
    rf.FieldKind.TEXT: str,
}


@task(name="pick-review-item", cache_policy=NO_CACHE, persist_result=False)
def pick_item(item_id: int | None, flow_run_id: str) -> queue.ReviewItem | None:
    """The item this run reviews: the one it took before it suspended (the resumed run starts
    again from the top), else ``item_id``, else the oldest waiting one (None: the queue is empty)."""
    chosen = read_flow_run_input(CHOSEN_KEY, flow_run_id=UUID(flow_run_id))
    if chosen is not None:
        item_id = int(cast(int, chosen))
    engine = queue.engine()
    try:
        item = queue.get(engine, item_id) if item_id is not None else queue.next_waiting(engine)
    finally:
        engine.dispose()
    if item is not None and chosen is None:
        create_flow_run_input(CHOSEN_KEY, item.id, flow_run_id=UUID(flow_run_id))
        get_run_logger().info("review item %d: codes %s", item.id, ",".join(item.codes))
    return item


@task(name="write-letter-page", cache_policy=NO_CACHE, persist_result=False)
def letter_page(item: queue.ReviewItem) -> str | None:
    """The item's ``imr show`` page (the letter, each value marked on its page) as a file URL for
    the form; None when the file cannot be read."""
    path = queue.write_item_page(item)
    return path.resolve().as_uri() if path is not None else None


def _default(f: rf.FormField) -> Any:
    """A field's pre-filled value: what was read, typed; ``...`` (required) when nothing usable was."""
    if f.initial is None:
        return ...
    if f.kind is rf.FieldKind.DATE:
        try:
            return dt.date.fromisoformat(f.initial)
        except ValueError:
            return ...
    if f.kind is rf.FieldKind.INTEGER:
        return int(f.initial) if f.initial.isdigit() else ...
    if f.choices and f.initial not in f.choices:
        return ...
    return f.initial


def form_input(item: queue.ReviewItem, fields: list[rf.FormField], page_link: str | None) -> type[RunInput]:
    """The item's form: one typed field per value in doubt (a select for decisions, a date for
    dates), pre-filled with what was read and required where nothing was; the reviewer's name,
    resolve or reject, a note and other corrections; described in markdown (what
    ``IMR_REVIEW_FORM_SHOWS`` allows)."""
    defs: dict[str, Any] = {f.name: (_TYPES[f.kind], Field(default=_default(f), title=f.path)) for f in fields}
    defs[rf.REVIEWER] = (str, Field(min_length=1, title="your name (recorded as the reviewer)"))
    defs[rf.ACTION] = (Action, Field(default="resolve", title="resolve (load the letter) or reject it"))
    defs[rf.NOTE] = (str, Field(default="", title="note (kept with the review)"))
    defs[rf.REJECT_REASON] = (str, Field(default="", title="reason, when rejecting"))
    defs[rf.MORE] = (str, Field(default="", title="other corrections: one PATH=VALUE per line"))
    model = create_model(f"ReviewItem{item.id}", __base__=RunInput, **defs)
    description = rf.form_description(item, get_settings().review_form_shows, page_link)
    return model.with_initial_data(description=description)


@task(name="settle-review-item", cache_policy=NO_CACHE, persist_result=False)
def settle(item: queue.ReviewItem, fields: list[rf.FormField], answer: dict[str, Any]) -> dict[str, Any]:
    """Do what the submitted form says, exactly as ``imr review resolve`` / ``reject`` would."""
    logger = get_run_logger()
    by = str(answer[rf.REVIEWER]).strip()
    if answer.get(rf.ACTION) == "reject":
        queue.reject(item.id, by, str(answer.get(rf.REJECT_REASON) or "").strip() or "rejected in the review form")
        logger.info("review item %d rejected", item.id)
        return {"item": item.id, "action": "reject"}
    sets = rf.sets_of_answer(fields, answer)
    outcome = queue.resolve(item.id, sets, by, str(answer.get(rf.NOTE) or "").strip() or None)
    changed = rf.changed_paths(fields, sets)
    logger.info("review item %d: %d values set, %d changed from what was read", item.id, len(sets), len(changed))
    return {"item": item.id, "action": "resolve", "set": sorted(sets), "outcome": str(outcome)}


@task(name="publish-review-result", cache_policy=NO_CACHE, persist_result=False)
def publish(result: dict[str, Any]) -> None:
    """A markdown artifact of what the review did: the item, the action, the paths set (no values)."""
    paths = ", ".join(f"`{p}`" for p in result.get("set", [])) or "none"
    create_markdown_artifact(
        key=RESULT_KEY,
        markdown=f"**Review item {result['item']}**: {result['action']}; values set: {paths}",
        description="What the review of one set-aside letter did (field paths only, never values).",
    )
