"""A chunk worker process leaves quickly: its exit handlers run (Prefect's flushes, the isolated
extractor's close) and its output is flushed, but the interpreter's teardown of its heap is skipped."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROGRAM = """
import atexit, os, sys
from pipeline.worker import leave_without_teardown
if sys.argv[2] == "worker":
    leave_without_teardown()
atexit.register(lambda: open(sys.argv[1] + "/handler", "w").write("ran"))

class Teardown:
    def __init__(self):
        self.fd = os.open(sys.argv[1] + "/teardown", os.O_WRONLY | os.O_CREAT)

    def __del__(self, write=os.write):  # bound now: builtins may be gone by the teardown
        write(self.fd, b"ran")

keep = Teardown()  # a module global: only the interpreter's teardown collects it
sys.stdout.write("still buffered")
"""


@pytest.mark.parametrize("kind", ["worker", "plain"])
def test_a_worker_runs_its_exit_handlers_and_skips_the_teardown(kind: str, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, str(tmp_path), kind], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "still buffered"
    assert (tmp_path / "handler").read_text() == "ran"
    # the plain process tears its objects down (so the check can see a teardown); the worker does not
    assert (tmp_path / "teardown").read_text() == ("ran" if kind == "plain" else "")
