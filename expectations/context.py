"""The process's one Great Expectations context: ephemeral (nothing written to disk), telemetry and
progress bars off, created on first use. The chunk suites (:mod:`expectations.validate`) and the
batch drift checks (:mod:`expectations.drift`) each add their own data source to it. GX is imported
only inside :func:`gx_context` (its import costs seconds and about 140 MB)."""

from __future__ import annotations

import os
import threading
from typing import Any

_lock = threading.Lock()
_context: Any = None


def gx_context() -> Any:
    """This process's ephemeral GX context (an ``EphemeralDataContext``), created once."""
    global _context
    with _lock:
        if _context is None:
            # Telemetry off: for an ephemeral context this variable is the only switch; set before import.
            os.environ["GX_ANALYTICS_ENABLED"] = "False"
            import great_expectations as gx
            from great_expectations.data_context.types.base import ProgressBarsConfig

            context = gx.get_context(mode="ephemeral")
            context.variables.progress_bars = ProgressBarsConfig(globally=False)
            _context = context
        return _context
