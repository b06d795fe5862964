"""Review of set-aside letters in the Prefect UI, end to end, as users run it (issue 20).

`imr server`, `imr ingest` of an inbox whose letters include some with a decision word nobody can
read (they land in the review queue), `imr serve` serving the ``review`` deployment, then:

- one item resolved through the Prefect API exactly as the UI form does (``POST
  /flow_runs/{id}/resume`` with the form's values as ``run_input``);
- one item resolved in the real UI: Debian's chromium driven by Playwright (no browser download)
  opens the suspended run, presses Resume, picks the decision in the form and submits;
- a run with the queue empty ends Completed with nothing to do;
- the ingest that queued them raised the overdue-backlog event (``IMR_REVIEW_BACKLOG_DAYS=0``).

Both letters are then loaded with the reviewer's decisions and mark, the queue is empty, and a
rerun of the batch changes nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures_prefect import ROOT, ImrServer, imr_server, plain_env, stop, synthetic_inbox, wait_for
from tests.review_helpers import Damaged, damaged_letters

pytestmark = [pytest.mark.slow, pytest.mark.prefect, pytest.mark.timeout(900)]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _imr(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "imr.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    if check:
        assert done.returncode == 0, f"imr {' '.join(args)}: {done.returncode}\n{done.stderr[-3000:]}"
    return done


def _state(server: ImrServer, run_id: str) -> dict[str, Any]:
    run: dict[str, Any] = server.api("GET", f"/flow_runs/{run_id}")
    return run


def _start_review(server: ImrServer, deployment_id: str, item_id: int | None) -> str:
    params = {} if item_id is None else {"item_id": item_id}
    run = server.api("POST", f"/deployments/{deployment_id}/create_flow_run", {"parameters": params})
    return str(run["id"])


def _has_input(server: ImrServer, run_id: str, key: str) -> bool:
    import httpx

    return httpx.get(f"{server.api_url}/flow_runs/{run_id}/input/{key}", timeout=30).status_code == 200


def _suspended(server: ImrServer, run_id: str) -> dict[str, Any]:
    """The run suspended with its form: Prefect sets the state first and saves the form's schema
    and description after (``suspend_flow_run``), and the UI shows a bare "Resume" without them."""

    def paused() -> dict[str, Any] | None:
        run = _state(server, run_id)
        assert run["state_type"] not in ("FAILED", "CRASHED", "COMPLETED"), run["state"]
        if run["state_type"] != "PAUSED":
            return None
        keyset = (run["state"].get("state_details") or {}).get("run_input_keyset") or {}
        saved = all(_has_input(server, run_id, keyset[k]) for k in ("schema", "description") if k in keyset)
        return run if keyset and saved else None

    found: dict[str, Any] = wait_for(paused, 240, "the review run to suspend with its form", period=1)
    return found


def _finished(server: ImrServer, run_id: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        run = _state(server, run_id)
        return run if run["state_type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") else None

    found: dict[str, Any] = wait_for(done, 240, "the resumed review run to finish", period=1)
    return found


@pytest.fixture
def serving(tmp_path: Path) -> Iterator[tuple[ImrServer, dict[str, str], list[Damaged]]]:
    """A real `imr server`, an ingested inbox with two unreadable decisions, `imr serve` serving."""
    data = tmp_path / "data"
    inbox = data / "inbox"
    synthetic_inbox(inbox, count=6, seed=31)
    letters = damaged_letters(2, start=200)
    for n, d in enumerate(letters):
        (inbox / f"damaged-{n}.txt").write_bytes(d.data)
    with imr_server(tmp_path / "server") as server:
        env = plain_env(
            PREFECT_API_URL=server.api_url,
            PREFECT_HOME=str(tmp_path / "client-home"),
            IMR_DATA_DIR=str(data),
            IMR_STABLE_SECONDS="0",
            IMR_QUARANTINE_THRESHOLD="0.5",  # 2 of 8 set aside for review: not a failed batch here
            IMR_REVIEW_BACKLOG_DAYS="0",  # every waiting letter is overdue: the run raises the event
        )
        _imr(env, "ingest")
        log = tmp_path / "serve.log"
        with log.open("wb") as out:
            serve = subprocess.Popen(
                [sys.executable, "-m", "imr.cli", "serve", "--no-automations"],
                cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        try:
            yield server, env, letters
        finally:
            stop(serve)
            print(log.read_text(errors="replace")[-3000:])


def _drive_the_form(ui: str, run_id: str, field: str, decision: str, shot: Path) -> None:
    """What a reviewer does in the UI: the run's page, Resume, the decision, the name, Submit."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{ui}/runs/flow-run/{run_id}")
            page.get_by_role("button", name="Resume").first.click(timeout=90_000)  # a JS app: wait for it
            dialog = page.get_by_role("dialog")
            dialog.wait_for(timeout=60_000)
            # The dialog opens as a bare "Do you want to resume?" and becomes the form once the UI has
            # fetched the pause's input schema: wait for the reason, above the form, to appear.
            expect(dialog).to_contain_text("unresolved_item", timeout=60_000)
            select = dialog.locator(".p-label", has_text=field).locator(".p-select-button__control")
            select.focus()
            page.keyboard.press("Space")  # the form's select opens from the keyboard
            page.get_by_role("option", name=decision, exact=True).click()
            dialog.locator(".p-label", has_text="your name").locator("textarea").fill("Dr. Browser Reviewer")
            page.screenshot(path=str(shot), full_page=True)
            dialog.get_by_role("button", name="Submit").click()
            dialog.wait_for(state="hidden", timeout=60_000)
        finally:
            browser.close()


def test_set_aside_letters_are_resolved_in_the_prefect_ui_and_loaded(
    serving: tuple[ImrServer, dict[str, str], list[Damaged]], tmp_path: Path
) -> None:
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    server, env, letters = serving
    queue = json.loads(_imr(env, "review", "list", "--json").stdout)
    assert len(queue) == 2 and all(q["codes"] == ["unresolved_item"] for q in queue), queue
    by_file = {q["file"].rsplit("/", 1)[-1]: q for q in queue}
    first = by_file["damaged-0.txt"]
    assert "damaged-1.txt" in by_file

    backlog = {"filter": {"event": {"name": ["imr.review.backlog-overdue"]}}, "limit": 10}
    (event,) = wait_for(
        lambda: server.api("POST", "/events/filter", backlog)["events"], 60, "the overdue-backlog event", period=1
    )
    assert event["resource"]["prefect.resource.id"] == "imr.review-queue"
    assert (event["payload"]["waiting"], event["payload"]["overdue"]) == (2, 2)

    deployment = wait_for(lambda: _deployment(server), 120, "imr serve to register the review deployment", period=1)

    # 1. through the API, as the UI's form posts it
    run_id = _start_review(server, deployment, first["id"])
    run = _suspended(server, run_id)
    assert run["state"]["name"] == "Suspended"
    field = f"items_{letters[0].index}_decision"
    answer = {field: letters[0].decision, "reviewer": "Dr. API Reviewer", "note": "read from the fax"}
    server.api("POST", f"/flow_runs/{run_id}/resume", {"run_input": answer})
    done = _finished(server, run_id)
    assert done["state_type"] == "COMPLETED", done["state"]

    # 2. in the browser: the oldest waiting item is the second one now
    run_id = _start_review(server, deployment, None)
    _suspended(server, run_id)
    ui = server.api_url.removesuffix("/api")
    shot = tmp_path / "review-form.png"
    _drive_the_form(ui, run_id, f"items[{letters[1].index}].decision", letters[1].decision, shot)
    done = _finished(server, run_id)
    assert done["state_type"] == "COMPLETED", done["state"]
    if os.environ.get("IMR_SCREENSHOTS"):  # scripts/screenshots.sh: the docs' picture of the form
        shutil.copy(shot, Path(os.environ["IMR_SCREENSHOTS"]) / "review-form.png")

    # 3. nothing left: a run ends at once
    run_id = _start_review(server, deployment, None)
    done = _finished(server, run_id)
    assert done["state_type"] == "COMPLETED", done["state"]

    assert json.loads(_imr(env, "review", "list", "--json").stdout) == []
    records = [json.loads(line) for line in _imr(env, "export").stdout.splitlines()]
    reviewed = {r["source"]["path"].rsplit("/", 1)[-1]: r for r in records if r.get("review")}
    assert sorted(reviewed) == ["damaged-0.txt", "damaged-1.txt"]
    for n, d in enumerate(letters):
        record = reviewed[f"damaged-{n}.txt"]
        assert record["letter"]["items"][d.index]["decision"] == d.decision
        assert f"items[{d.index}].decision" in record["review"]["changed"]
    assert reviewed["damaged-0.txt"]["review"]["by"] == "Dr. API Reviewer"
    assert reviewed["damaged-0.txt"]["review"]["note"] == "read from the fax"
    assert reviewed["damaged-1.txt"]["review"]["by"] == "Dr. Browser Reviewer"
    assert len(records) == 8

    batch = next(b["id"] for b in json.loads(_imr(env, "batches", "--json").stdout) if b["kind"] == "ingest")
    _imr(env, "rerun", batch, check=False)
    assert [json.loads(line) for line in _imr(env, "export").stdout.splitlines()] == records


def _deployment(server: ImrServer) -> str | None:
    try:
        found: dict[str, Any] = server.api("GET", "/deployments/name/review/review")
    except Exception:
        return None
    return str(found["id"])
