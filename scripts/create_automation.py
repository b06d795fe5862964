#!/usr/bin/env python
"""Create (or replace) the automation that notifies when a batch passes the quarantine threshold.

Reads scripts/automations/quarantine-threshold-breached.yaml, points its send-notification action
at a notification block, deletes any automation of the same name and creates it again, so running
it twice leaves one automation. Talks to the server at PREFECT_API_URL.

Examples:
  export PREFECT_API_URL=http://127.0.0.1:4200/api
  # a generic JSON webhook (creates/updates the block "imr-alert"):
  .venv/bin/python scripts/create_automation.py --webhook-url https://hooks.example.org/imr
  # a block you created in the UI (Blocks -> Slack Webhook, Email, ...):
  .venv/bin/python scripts/create_automation.py --block-id 0f6c...-...
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

SPEC = Path(__file__).resolve().parent / "automations" / "quarantine-threshold-breached.yaml"
BLOCK_NAME = "imr-alert"


def load_spec(block_id: str, path: Path = SPEC) -> dict[str, Any]:
    """The automation spec with every send-notification action pointed at ``block_id``."""
    import yaml

    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    for action in spec["actions"]:
        if action.get("type") == "send-notification":
            action["block_document_id"] = block_id
    return dict(spec)


def webhook_block(url: str, name: str = BLOCK_NAME) -> str:
    """Save a custom JSON webhook notification block (``{"subject": ..., "body": ...}``); its id."""
    from prefect.blocks.notifications import CustomWebhookNotificationBlock

    block = CustomWebhookNotificationBlock.model_validate(
        {"name": name, "url": url, "json_data": {"subject": "{{subject}}", "body": "{{body}}"}}
    )
    return str(block.save(name, overwrite=True))


def create(spec: dict[str, Any]) -> str:
    """Replace the automation named ``spec['name']`` by ``spec``; returns the new id."""
    from prefect import get_client
    from prefect.events.schemas.automations import AutomationCore

    automation = AutomationCore.model_validate(spec)
    with get_client(sync_client=True) as client:
        for old in client.read_automations_by_name(automation.name):
            client.delete_automation(old.id)
        return str(client.create_automation(automation))


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--webhook-url", help="create/update the custom webhook block 'imr-alert' posting to it")
    target.add_argument("--block-id", help="id of an existing notification block")
    parser.add_argument("--spec", type=Path, default=SPEC, help="automation YAML (default: %(default)s)")
    args = parser.parse_args(argv)
    block_id = args.block_id or webhook_block(args.webhook_url)
    automation_id = create(load_spec(block_id, args.spec))
    print(f"automation imr-quarantine-threshold-breached: {automation_id} (block {block_id})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
