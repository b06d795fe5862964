"""End-to-end pipeline benchmark: `imr backfill` over synthetic letters generated on the fly.

Run ``python -m bench.pipeline`` (defaults: 1k and 10k text letters, 500 PDF letters, SQLite and
PostgreSQL when reachable, ``--workers 1`` and ``2``, a local 2-worker Dask cluster) or choose::

    python -m bench.pipeline --text 1000,10000,50000 --pdf 2000 --db sqlite,postgresql \\
        --workers 1,2 --dask --out bench/pipeline-results.md

What is measured, per (letters, format, database, runner):

* wall time of the whole command (start-up included) and letters/s, ms per PDF page;
* peak RSS of the command's process tree (sampled every 0.2 s with psutil: flow + workers);
* the extraction floor: ``imr extract --jobs 2`` over the same letters, and the ratio to it;
* Prefect's overhead: the same steps as plain Python (``pipeline.run.LocalSteps``, one process,
  chunks one after another) against ``--workers 1``;
* the start-up of an empty nightly run (``imr ingest`` on an empty inbox);
* a projection to a year of letters (175,000; 2.6 pages each) from the largest measured run.

Every run uses a Prefect server started once for the benchmark (``prefect server start``), as a
deployment would; letters are written by ``imr.synth`` into a temporary folder and deleted after.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil

from tests.services import dask_cluster, free_port

YEAR_LETTERS = 175_000
PAGES_PER_LETTER = 2.6
PG_URL = os.environ.get("IMR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BIN = Path(sys.executable).parent


def _log(msg: str) -> None:
    print(f"[bench.pipeline {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


@dataclass
class Run:
    label: str
    letters: int
    pages: int
    seconds: float
    peak_rss_mb: float
    peak_pss_mb: float

    @property
    def per_second(self) -> float:
        return self.letters / self.seconds if self.seconds else 0.0

    @property
    def ms_per_letter(self) -> float:
        return 1000 * self.seconds / self.letters if self.letters else 0.0

    @property
    def ms_per_page(self) -> float:
        return 1000 * self.seconds / self.pages if self.pages else 0.0


#: Every how many RSS samples (0.2 s apart) PSS is read too.
PSS_EVERY = 5


def timed(argv: Sequence[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Run ``argv``; return (wall seconds, peak RSS and peak PSS of its process tree in MB).

    RSS counts a page shared by several processes in each of them; PSS splits it between them
    (the tree's real footprint). RSS is sampled every 0.2 s, PSS every second (reading it costs
    the sampled processes' kernel time: sampling must not slow what it measures). Raises on failure."""
    started = time.perf_counter()
    proc = psutil.Popen(list(argv), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = peak_pss = 0.0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss
        n = 0
        while not stop.is_set():
            rss = pss = 0
            with_pss = n % PSS_EVERY == 0  # PSS reads smaps_rollup: ~5 ms a process, so not every time
            try:
                for p in [proc, *proc.children(recursive=True)]:
                    if with_pss:
                        mem = p.memory_full_info()
                        rss, pss = rss + mem.rss, pss + mem.pss
                    else:
                        rss += p.memory_info().rss
            except psutil.Error:
                pass  # a process ended between the listing and the reading: take the next sample
            peak, peak_pss = max(peak, rss / 2**20), max(peak_pss, pss / 2**20)
            n += 1
            stop.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    stop.set()
    sampler.join()
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{argv[2:4]} exited {proc.returncode}: {err.decode()[-800:]}")
    return seconds, peak, peak_pss


@contextmanager
def prefect_server(home: Path) -> Iterator[str]:
    """A real `prefect server start` for the benchmark's runs."""
    port = free_port()
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    proc = subprocess.Popen(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/api"
    import httpx

    deadline = time.monotonic() + 180
    while True:
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("the Prefect server did not start")
        time.sleep(1)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def write_letters(folder: Path, count: int, fmt: str, seed: int) -> int:
    """Synthetic letters (no bad inputs); returns their page count (text letters count 0)."""
    from imr.synth.corpus import write_corpus

    paths = write_corpus(folder, count, seed, formats=(fmt,), bad=False)
    (folder / "gold.jsonl").unlink(missing_ok=True)
    if fmt != "pdf":
        return 0
    import pypdfium2 as pdfium

    pages = 0
    for p in paths:
        doc = pdfium.PdfDocument(str(p), password="")
        pages += len(doc)
        doc.close()
    return pages


def fresh_db(kind: str, tmp: Path, tag: str) -> str:
    """A new empty warehouse: a SQLite file, or a fresh PostgreSQL schema."""
    if kind == "sqlite":
        return f"sqlite:///{tmp / f'{tag}.db'}"
    import sqlalchemy as sa

    schema = f"imr_bench_{tag}".replace("-", "_")
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    return sa.make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(False)


def pg_reachable() -> bool:
    import sqlalchemy as sa

    try:
        with sa.create_engine(PG_URL, connect_args={"connect_timeout": 3}).connect():
            return True
    except sa.exc.DBAPIError:
        return False


PLAIN = """
import sys
from imr.settings import override
from imr.outcomes import BatchKind
from pipeline.run import LocalSteps, RunRequest, run_batch
override(database_url=sys.argv[1])
run_batch(LocalSteps(), RunRequest(BatchKind.BACKFILL, (sys.argv[2],), move_files=False, stable_seconds=0))
"""


def command_line(imr: list[str], command: str, folder: Path, tmp: Path, url: str) -> list[str]:
    """The ``imr backfill`` or ``imr ingest`` command over ``folder`` into ``url`` (an ingest gets a
    fresh copy of the letters in ``tmp/inbox``: it archives what it loads)."""
    if command == "backfill":
        return [*imr, "backfill", str(folder), "--db", url, "--retries", "0"]
    inbox = tmp / "inbox"
    shutil.rmtree(inbox, ignore_errors=True)
    shutil.rmtree(tmp / "data" / "archive", ignore_errors=True)
    shutil.copytree(folder, inbox)
    return [*imr, "ingest", "--inbox", str(inbox), "--db", url, "--retries", "0"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pipeline", description=__doc__.split("\n\n")[0])
    parser.add_argument("--text", default="1000,10000", help="text letter counts (comma-separated)")
    parser.add_argument("--pdf", default="500", help="PDF letter counts (comma-separated; 0 for none)")
    parser.add_argument("--db", default="sqlite,postgresql", help="warehouses: sqlite, postgresql")
    parser.add_argument("--workers", default="1,2", help="--workers values")
    parser.add_argument("--dask", action="store_true", help="also on a local 2-worker Dask cluster")
    parser.add_argument("--plain", action="store_true", help="also the plain-Python run (Prefect's overhead)")
    parser.add_argument("--commands", default="backfill", help="backfill, ingest (on a fresh copy each run), or both")
    parser.add_argument("--out", type=Path, default=None, help="also write the markdown here")
    args = parser.parse_args(argv)
    dbs = [d for d in args.db.split(",") if d and (d != "postgresql" or pg_reachable())]
    sizes = [("txt", int(n)) for n in args.text.split(",") if n] + [("pdf", int(n)) for n in args.pdf.split(",") if n]
    sizes = [(f, n) for f, n in sizes if n > 0]
    workers = [int(w) for w in args.workers.split(",") if w]
    commands = [c for c in args.commands.split(",") if c in ("backfill", "ingest")]
    rows: list[Run] = []
    notes: list[str] = []
    tmp = Path(tempfile.mkdtemp(prefix="imr-bench-pipeline-"))
    try:
        with prefect_server(tmp / "prefect-home") as api:
            env = {**os.environ, "PREFECT_API_URL": api, "IMR_DATA_DIR": str(tmp / "data"), "IMR_STABLE_SECONDS": "0"}
            imr = [sys.executable, "-m", "imr.cli"]
            empty = tmp / "empty"
            empty.mkdir()
            empty_db = fresh_db("sqlite", tmp, "empty")
            secs, rss, pss = timed([*imr, "ingest", "--inbox", str(empty), "--db", empty_db], env)
            notes.append(f"empty nightly run (`imr ingest`): {secs:.1f} s, peak RSS {rss:.0f} MB, PSS {pss:.0f} MB")
            for fmt, n in sizes:
                folder = tmp / f"{fmt}-{n}"
                _log(f"writing {n} {fmt} letters")
                pages = write_letters(folder, n, fmt, seed=n)
                secs, rss, pss = timed([*imr, "extract", str(folder), "--jobs", "2"], env)
                rows.append(Run(f"{fmt} {n}: `imr extract --jobs 2` (floor)", n, pages, secs, rss, pss))
                floor = secs
                for db in dbs:
                    runners = [("--workers", str(w)) for w in workers]
                    if args.dask:
                        runners.append(("--dask", ""))
                    for command in commands:
                        for flag, value in runners:
                            tag = f"{fmt}{n}{db}{command}{flag}{value}".replace("-", "")
                            _log(f"{fmt} {n} {db} {command} {flag} {value}")
                            label = f"{fmt} {n}: {db}, {command} {flag.strip('-')} {value or 'local 2x1'}".rstrip()

                            if flag == "--dask":
                                # a fresh cluster (cold: its workers import everything during the run),
                                # then a second run on it (warm: an existing cluster, as --dask expects)
                                with dask_cluster(env) as address:
                                    for when in ("cold", "warm"):
                                        url = fresh_db(db, tmp, tag + when)
                                        cmd = [*command_line(imr, command, folder, tmp, url), "--dask", address]
                                        secs, rss, pss = timed(cmd, env)
                                        ratio = f"({secs / floor:.2f}x floor)"
                                        rows.append(Run(f"{label}, {when} {ratio}", n, pages, secs, rss, pss))
                                continue
                            cmd = command_line(imr, command, folder, tmp, fresh_db(db, tmp, tag))
                            secs, rss, pss = timed([*cmd, flag, value], env)
                            rows.append(Run(label + f" ({secs / floor:.2f}x floor)", n, pages, secs, rss, pss))
                    if args.plain:
                        url = fresh_db(db, tmp, f"{fmt}{n}{db}plain")
                        secs, rss, pss = timed([sys.executable, "-c", PLAIN, url, str(folder)], env)
                        label = f"{fmt} {n}: {db}, plain Python (LocalSteps, 1 process)"
                        rows.append(Run(label, n, pages, secs, rss, pss))
                shutil.rmtree(folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report = render(rows, notes)
    print(report)
    if args.out:
        args.out.write_text(report, encoding="utf-8")
    return 0


def linear_costs(runs: Sequence[Run]) -> list[str]:
    """For each runner measured at several sizes: the least-squares line wall = fixed + N x per
    letter, and how far each size's cost per letter, net of the fixed part, lies from the line's."""
    groups: dict[str, list[Run]] = {}
    for r in runs:
        groups.setdefault(r.label.split(": ", 1)[1].split(" (")[0], []).append(r)
    out: list[str] = []
    for key, rs in groups.items():
        if len({r.letters for r in rs}) < 2:
            continue
        n = [float(r.letters) for r in rs]
        t = [r.seconds for r in rs]
        mean_n, mean_t = sum(n) / len(n), sum(t) / len(t)
        slope = sum((a - mean_n) * (b - mean_t) for a, b in zip(n, t, strict=True)) / sum((a - mean_n) ** 2 for a in n)
        fixed = mean_t - slope * mean_n
        per = {r.letters: (r.seconds - fixed) / r.letters for r in rs}
        net = ", ".join(f"{k}: {1000 * v:.2f} ({v / slope - 1:+.0%})" for k, v in sorted(per.items()))
        out.append(
            f"- cost per letter, `{key}`: {1000 * slope:.2f} ms a letter + {fixed:.1f} s fixed; "
            f"net of the fixed part, ms a letter by size: {net}"
        )
    return out


def render(rows: Sequence[Run], notes: Sequence[str]) -> str:
    lines = [
        f"Machine: {platform.node() or 'host'}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"load average at the end {os.getloadavg()[0]:.1f}.",
        "",
        "| run | letters | wall s | letters/s | ms/letter | ms/page | peak RSS MB | peak PSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        page = f"{r.ms_per_page:.1f}" if r.pages else "-"
        lines.append(
            f"| {r.label} | {r.letters} | {r.seconds:.1f} | {r.per_second:.0f} | {r.ms_per_letter:.2f} | {page} "
            f"| {r.peak_rss_mb:.0f} | {r.peak_pss_mb:.0f} |"
        )
    lines += ["", *[f"- {n}" for n in notes]]
    runs = [r for r in rows if not r.label.endswith("(floor)")]
    text = [r for r in runs if r.pages == 0]
    if text:  # the fastest run of the largest batch
        most = max(r.letters for r in text)
        best = max((r for r in text if r.letters == most), key=lambda r: r.per_second)
        lines.append(
            f"- a year of text letters ({YEAR_LETTERS:,}) at the rate of `{best.label}`: "
            f"{YEAR_LETTERS / best.per_second / 60:.1f} min"
        )
    lines += linear_costs(text)
    pdf = [r for r in runs if r.pages]
    if pdf:
        best = min(pdf, key=lambda r: r.ms_per_page)
        minutes = YEAR_LETTERS * PAGES_PER_LETTER * best.ms_per_page / 60000
        lines.append(f"- a year of PDF letters at {best.ms_per_page:.1f} ms/page (`{best.label}`): {minutes:.0f} min")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
