#!/usr/bin/env python
"""Screenshot a Prefect UI page after clicking one of its tabs, with headless Chromium.

`chromium --screenshot URL` cannot click, and the flow run page ignores `?tab=Artifacts` (it
falls back to Logs while the run loads), so this drives the same Chromium through the DevTools
protocol: open URL, wait, click the tab whose element id is --tab, wait, save a PNG.
Installs nothing (uses the `websockets` and `httpx` packages that Prefect already needs).

Example:
  .venv/bin/python scripts/screenshot_tab.py http://127.0.0.1:4200/runs/flow-run/<id> \
      docs/screenshots/flow-run-artifacts.png --tab artifacts
"""

from __future__ import annotations

import argparse
import base64
import itertools
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    "--remote-debugging-port=0",
]


class Page:
    """One DevTools page session (synchronous request/response over a websocket)."""

    def __init__(self, ws_url: str) -> None:
        from websockets.sync.client import connect

        self.ws = connect(ws_url, max_size=64 * 2**20)
        self.ids = itertools.count(1)

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one command and return its result (events received meanwhile are dropped)."""
        n = next(self.ids)
        self.ws.send(json.dumps({"id": n, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv(timeout=60))
            if message.get("id") == n:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return dict(message.get("result", {}))


def _devtools_port(proc: subprocess.Popen[str], timeout: float = 30) -> int:
    assert proc.stderr is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        found = re.search(r"DevTools listening on ws://[^:]+:(\d+)/", line)
        if found:
            return int(found.group(1))
    raise TimeoutError("Chromium did not report its DevTools port")


def screenshot(url: str, out: Path, tab: str | None, size: tuple[int, int], chromium: str, wait: float) -> None:
    """Load ``url``, click the tab with element id ``tab`` (if given) and save a PNG to ``out``."""
    import httpx

    with tempfile.TemporaryDirectory(prefix="imr-chromium-", ignore_cleanup_errors=True) as profile:
        proc = subprocess.Popen(
            [chromium, *FLAGS, f"--user-data-dir={profile}", f"--window-size={size[0]},{size[1]}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own process group: the browser's helpers stop with it
        )
        try:
            port = _devtools_port(proc)
            targets = httpx.get(f"http://127.0.0.1:{port}/json/list", timeout=10).json()
            page = Page(next(t for t in targets if t["type"] == "page")["webSocketDebuggerUrl"])
            metrics = {"width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": False}
            page.call("Emulation.setDeviceMetricsOverride", **metrics)
            page.call("Page.enable")
            page.call("Page.navigate", url=url)
            time.sleep(wait)
            if tab:
                clicked = page.call(
                    "Runtime.evaluate",
                    expression=f"(() => {{ const t = document.getElementById({json.dumps(tab)});"
                    " if (!t) return false; t.click(); return true; })()",
                    returnByValue=True,
                )
                if not clicked.get("result", {}).get("value"):
                    raise RuntimeError(f"no tab with id {tab!r} on {url}")
                time.sleep(wait)
            shot = page.call("Page.captureScreenshot", format="png")
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(base64.b64decode(shot["data"]))
            page.ws.close()
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url")
    parser.add_argument("out", type=Path)
    parser.add_argument("--tab", help="element id of the tab to click (e.g. artifacts, task-runs)")
    parser.add_argument("--size", default="1400x1000", help="window size WxH (default: %(default)s)")
    parser.add_argument("--wait", type=float, default=6.0, help="seconds to wait after loading and clicking")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.lower().split("x"))
    screenshot(args.url, args.out, args.tab, (width, height), args.chromium, args.wait)
    print(f"screenshot: {args.out} <- {args.url}" + (f" (tab {args.tab})" if args.tab else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
