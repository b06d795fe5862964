"""The temporary Prefect server of a command run without ``PREFECT_API_URL``: Prefect's own
``SubprocessASGIServer``, started so that it never outlives the command that started it.

* It runs in a session of its own: a Ctrl-C at the terminal goes to the command (which stops its
  run between letters and reports to this server), not to the server under the run.
* The kernel sends it SIGTERM when the command's process dies, SIGKILL included
  (``PR_SET_PDEATHSIG``, Linux): no orphaned 200 MB server after a crash.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
from typing import Any

from prefect.server.api.server import SubprocessASGIServer

_PR_SET_PDEATHSIG = 1


def _pdeathsig() -> Any:
    """libc's ``prctl``, loaded here in the parent (never ``dlopen`` between fork and exec), or None."""
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # not Linux: the command's own exit still stops the server
        return None


def _die_with(parent: int, prctl: Any) -> None:
    """In the child, before exec: SIGTERM when ``parent`` dies (and now, if it already has)."""
    prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:
        os.kill(os.getpid(), signal.SIGTERM)


class TemporaryServer(SubprocessASGIServer):
    """``SubprocessASGIServer`` in its own session, ended by the kernel with the command."""

    def _run_uvicorn_command(self) -> subprocess.Popen[Any]:
        real_popen = subprocess.Popen
        parent, prctl = os.getpid(), _pdeathsig()

        def popen(*args: Any, **kwargs: Any) -> subprocess.Popen[Any]:
            kwargs.setdefault("start_new_session", True)
            if prctl is not None:
                kwargs.setdefault("preexec_fn", lambda: _die_with(parent, prctl))
            return real_popen(*args, **kwargs)

        subprocess.Popen = popen  # type: ignore[misc,assignment]
        try:
            return super()._run_uvicorn_command()
        finally:
            subprocess.Popen = real_popen  # type: ignore[misc]

