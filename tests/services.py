"""Local services the parallel tests and the pipeline benchmark start for real: a Dask scheduler
with single-threaded workers (on this machine's loopback only)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BIN = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def dask_cluster(env: dict[str, str], workers: int = 2, timeout: float = 120) -> Iterator[str]:
    """`dask scheduler` and ``workers`` single-threaded `dask worker` processes; yields the address."""
    from distributed import Client

    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"env": env, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"]
    procs = [subprocess.Popen(scheduler, **quiet)]  # type: ignore[call-overload]
    try:
        worker = [str(BIN / "dask"), "worker", address, "--nthreads", "1", "--no-dashboard"]
        procs += [subprocess.Popen(worker, **quiet) for _ in range(workers)]  # type: ignore[call-overload]
        deadline = time.monotonic() + timeout
        with Client(address, timeout="60s") as client:  # type: ignore[no-untyped-call]
            while len(client.scheduler_info()["workers"]) < workers:
                if time.monotonic() > deadline:
                    raise RuntimeError("the Dask workers did not join")
                time.sleep(0.5)
        yield address
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            p.wait(timeout=30)
