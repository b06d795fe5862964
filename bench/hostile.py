"""The hostile inbox of issue 9 through the real ``imr ingest`` CLI: wall time and peak RSS.

Run ``python -m bench.hostile [--keep DIR]``. Builds the inbox of ``tests/hostile_inbox.py``
(25+ kinds of hostile entries beside synthetic letters and, when present, three real corpus
letters from ``IMR_BENCH_REAL``, default ``/work/shared/corpus/real``) in a temporary folder and
runs, each in a fresh subprocess:

* ``imr ingest`` (Prefect flow; a temporary Prefect server unless ``PREFECT_API_URL`` is set);
* the same pipeline without Prefect (``pipeline.run.run``), to separate the pipeline's own cost;
* that pipeline with extraction through :class:`pipeline.isolation.IsolatedExtractor` (the
  extract stage's ``extract_file`` replaced in the subprocess: what wiring isolation gives).

Peak RSS is the largest resident set of any process of the run (``RUSAGE_CHILDREN`` after it
exits: the CLI, its extraction child, a temporary Prefect server) and of the main process alone
(``wait4``). Prints a markdown table and the batch summary's counts and reason codes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.hostile_inbox import build_hostile_inbox

ROOT = Path(__file__).resolve().parents[1]
REAL = Path(os.environ.get("IMR_BENCH_REAL", "/work/shared/corpus/real"))

PLAIN = """
import json, sys
from pathlib import Path
from imr.settings import Settings
from imr.outcomes import BatchKind
from pipeline.run import LocalSteps, RunRequest, run_batch
settings = Settings(data_dir=Path(sys.argv[2]), stable_seconds=2, database_url=sys.argv[3])
summary = run_batch(LocalSteps(), RunRequest(BatchKind.INGEST, (sys.argv[1],), settings=settings))
print(json.dumps(summary.to_dict(), default=str))
"""


#: Runs a command and reports the largest RSS of it and its descendants (``RUSAGE_CHILDREN``).
WRAP = """
import os, resource, subprocess, sys
p = subprocess.Popen(sys.argv[1:])
_, status, usage = os.wait4(p.pid, 0)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
sys.stderr.write(f"\\nRSS_KB {usage.ru_maxrss} {peak}\\n")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def timed(cmd: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run ``cmd``; wall seconds, exit code, peak RSS (MB) of the process and of any descendant."""
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", WRAP, *cmd], env=env, cwd=ROOT, capture_output=True, check=False)
    wall = time.perf_counter() - t
    out, err = proc.stdout, proc.stderr
    rss_line = next((ln for ln in err.decode(errors="replace").splitlines()[::-1] if ln.startswith("RSS_KB")), "")
    main_kb, peak_kb = (int(x) for x in rss_line.split()[1:3]) if rss_line else (0, 0)
    line = next((ln for ln in out.decode(errors="replace").splitlines()[::-1] if ln.startswith("{")), "{}")
    return {
        "wall_s": wall,
        "rc": proc.returncode,
        "main_rss_mb": main_kb / 1024,
        "peak_rss_mb": peak_kb / 1024,
        "summary": json.loads(line),
        "stderr_tail": err.decode(errors="replace")[-1500:],
    }


def main(argv: list[str] | None = None) -> int:
    """Build the inbox twice (one per run), run both, print the report."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", type=Path, default=None, help="keep the run folders here")
    ap.add_argument(
        "--modes",
        nargs="+",
        default=["cli", "plain"],
        choices=["cli", "plain"],
        help="cli: imr ingest (the flow); plain: the same run order without Prefect (pipeline.run.LocalSteps)",
    )
    args = ap.parse_args(argv)
    base = Path(tempfile.mkdtemp(prefix="imr-hostile-"))
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        IMR_STABLE_SECONDS="2",
        IMR_QUARANTINE_THRESHOLD="0.9",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
    )
    env.setdefault("PREFECT_HOME", str(base / "prefect"))
    results = {}
    kinds = 0
    try:
        for mode in args.modes:
            tmp = base / mode
            box = build_hostile_inbox(tmp / "inbox", real_dir=REAL if (REAL / "pdf").is_dir() else None)
            kinds = len(box.kinds)
            db = f"sqlite:///{tmp / 'warehouse.db'}"
            run_env = dict(env, IMR_DATA_DIR=str(tmp / "data"))
            if mode == "cli":
                cmd = [sys.executable, "-m", "imr.cli", "ingest", "--inbox", str(box.inbox), "--db", db, "--json"]
            else:
                cmd = [sys.executable, "-c", PLAIN, str(box.inbox), str(tmp / "data"), db, mode]
            results[mode] = timed(cmd, run_env)
            results[mode]["genuine"] = len(box.genuine)
            box.close()
            print(f"{mode}: done in {results[mode]['wall_s']:.0f} s", file=sys.stderr)
    finally:
        if args.keep:
            shutil.copytree(base, args.keep, dirs_exist_ok=True, symlinks=True, ignore_dangling_symlinks=True)
        shutil.rmtree(base, ignore_errors=True)
    print(f"Hostile kinds: {kinds}.\n")
    print("| run | exit | status | wall s | peak RSS MB (any process) | main process RSS MB | loaded / genuine |")
    print("|---|---|---|---|---|---|---|")
    for mode, r in results.items():
        s = r["summary"]
        print(
            f"| {mode} | {r['rc']} | {s.get('status')} | {r['wall_s']:.0f} | {r['peak_rss_mb']:.0f} | "
            f"{r['main_rss_mb']:.0f} | {s.get('loaded')} / {r['genuine']} |"
        )
    for mode, r in results.items():
        s = r["summary"]
        counts = {k: s.get(k) for k in ("files_seen", "loaded", "duplicates", "rejected", "quarantined", "failed")}
        print(f"\n{mode}: {counts}; reason codes {s.get('reason_codes')}")
        if r["rc"]:
            print(f"\n{mode} stderr tail:\n```\n{r['stderr_tail']}\n```")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
