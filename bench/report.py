"""Report benchmark: ``imr report`` over a warehouse of N synthetic letters (default 200,000) on SQLite.

Run ``python -m bench.report`` (about two minutes, most of it building the warehouse) or
``python -m bench.report --letters 20000`` for a quick look; ``--postgres URL`` also measures a
PostgreSQL warehouse (a fresh schema, dropped afterwards). Prints a markdown report on stdout
(``--out FILE`` also writes it) and progress on stderr.

The warehouse is built by bulk-inserting synthetic rows straight into the tables (not through the
loader, which is measured elsewhere): one nightly batch per day for about a year with 10
expectation results each, letters decided 2014-2024 with 1-5 items (mean 2.5), two guideline
citations per item, 1-3 reviewer specialties, a service-category mix shaped like the real
letters', about 1 % of files quarantined. Then, each in a fresh process: ``imr report`` on the
whole warehouse and on one year (wall, CPU, peak RSS), and in this process the time of each
step (SQL through the views, charts, writing).
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import platform
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

import warehouse as w
from warehouse import schema as s

#: (category, subcategory, weight) of the services drawn, and (drug class, weight) of the drugs
SERVICES: list[tuple[str, str, int]] = [
    ("Diagnostic Testing", "Imaging/Radiology", 40),
    ("Rehabilitation", "PT/OT", 25),
    ("DMEPOS", "DME", 9),
    ("Surgery", "Adjunct Surgical Services", 9),
    ("Rehabilitation", "Acupuncture", 8),
    ("Rehabilitation", "Other Therapies", 8),
    ("DMEPOS", "Electrical Stimulation", 5),
    ("Diagnostic Testing", "EMG/NCV/NCS", 5),
    ("Injection", "Injection", 5),
    ("Surgery", "Arthroscopic", 3),
    ("Evaluation & Management", "Medical Specialties", 3),
    ("Behavioral and Mental Health", "Therapies", 2),
]
DRUGS: list[tuple[str, int]] = [
    ("Opioids", 12),
    ("Muscle Relaxant", 8),
    ("Topical Analgesics", 6),
    ("NSAID", 5),
    ("Proton Pump Inhibitors", 4),
]
#: (category, subcategory, drug class) and weight of an item's classification (2 unclassified)
CATEGORIES: list[tuple[tuple[str | None, str | None, str | None], int]] = [
    *(((c, sc, None), n) for c, sc, n in SERVICES),
    *((("Pharmaceuticals", None, d), n) for d, n in DRUGS),
    ((None, None, None), 2),
]
SPECIALTIES = [
    "Physical Medicine & Rehabilitation", "Occupational Medicine", "Preventive Medicine", "Family Practice",
    "Orthopedic Surgery", "Pain Management", "Internal Medicine", "Sports Medicine", "Anesthesiology",
]  # fmt: skip
SOURCES = ["mtus", "non_mtus", "mtus_and_non_mtus", "none", None]
EXPECTATIONS = [f"expect_{n}" for n in ("case_number", "decision_date", "items", "reviewer", "dates_order",
                                         "priority", "request_length", "guideline", "category", "outcome")]  # fmt: skip
CHUNK = 20_000


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(rows), CHUNK):
        yield rows[i : i + CHUNK]


def build(engine: Engine, letters: int, seed: int = 12) -> dict[str, int]:
    """Bulk-insert a synthetic warehouse of ``letters`` letters; returns rows per table."""
    rng = random.Random(seed)
    triples = [t for t, _ in CATEGORIES]
    weights = [wt for _, wt in CATEGORIES]
    start = dt.datetime(2024, 1, 1, 2, 0, tzinfo=dt.UTC)
    batches = [
        {"id": str(uuid.UUID(int=rng.getrandbits(128))), "kind": "ingest", "started_at": start + dt.timedelta(days=d),
         "finished_at": start + dt.timedelta(days=d, minutes=20), "status": "completed", "inboxes": ["/inbox"]}
        for d in range(365)
    ]  # fmt: skip
    rows: dict[str, list[dict[str, Any]]] = {t: [] for t in ("files", "letters", "lf", "spec", "items", "cit", "dq")}
    for b in batches:
        for e in EXPECTATIONS:
            evaluated = letters // len(batches)
            level = "critical" if e in ("expect_items", "expect_case_number") else "warning"
            failed = rng.randint(0, max(1, evaluated // 50))
            rows["dq"].append({"batch_id": b["id"], "suite": "letters", "expectation": e, "level": level,
                               "evaluated": evaluated, "failed": failed, "failure_rate": failed / max(evaluated, 1),
                               "recorded_at": b["finished_at"]})  # fmt: skip
    day0 = dt.date(2014, 1, 1)
    for n in range(letters):
        b = batches[n % len(batches)]
        fid, lid = str(uuid.UUID(int=rng.getrandbits(128))), str(uuid.UUID(int=rng.getrandbits(128)))
        sha = f"{rng.getrandbits(256):064x}"
        decision = day0 + dt.timedelta(days=rng.randrange(11 * 365))
        received = decision - dt.timedelta(days=rng.randint(8, 70))
        n_items = rng.choice((1, 1, 2, 2, 3, 3, 4, 5))
        decisions = ["overturned" if rng.random() < 0.1 else "upheld" for _ in range(n_items)]
        k = decisions.count("overturned")
        outcome = "upheld" if k == 0 else ("overturned" if k == n_items else "partially_overturned")
        rows["files"].append({"id": fid, "batch_id": b["id"], "inbox": "/inbox", "rel_path": f"f{n}.pdf", "sha256": sha,
                              "size_bytes": 50_000, "media_type": "application/pdf", "pages": 3, "status": "loaded",
                              "reason_codes": [], "letter_id": None, "current_path": None,
                              "seen_at": b["started_at"], "updated_at": b["started_at"]})  # fmt: skip
        rows["letters"].append({"id": lid, "case_number": f"CM{decision.year % 100:02d}-{n:07d}", "content_sha256": sha,
                                "program": "dwc_imr", "layout": "D2", "date_assigned": received,
                                "decision_date": decision if rng.random() > 0.01 else None,
                                "date_of_injury": received - dt.timedelta(days=400), "ur_denial_date": received,
                                "application_received": received,
                                "priority": "expedited" if rng.random() < 0.03 else "standard",
                                "outcome": outcome, "patient_age": 45, "patient_sex": "female",
                                "patient_occupation": None, "batch_id": b["id"], "first_file_id": fid,
                                "loaded_at": b["finished_at"]})  # fmt: skip
        rows["lf"].append({"letter_id": lid, "source_file_id": fid, "role": "first", "linked_at": b["finished_at"]})
        for p, spec in enumerate(rng.sample(SPECIALTIES, rng.choice((1, 1, 2, 2, 3)))):
            rows["spec"].append({"letter_id": lid, "position": p, "specialty": spec})
        for o, decision_ in enumerate(decisions, start=1):
            iid = str(uuid.UUID(int=rng.getrandbits(128)))
            cat, sub, drug = rng.choices(triples, weights)[0]
            rows["items"].append({"id": iid, "letter_id": lid, "ordinal": o, "request": "synthetic request",
                                  "decision": decision_, "rationale": None, "service_category": cat,
                                  "service_subcategory": sub, "drug_class": drug})  # fmt: skip
            for party in ("claims_administrator", "reviewer"):
                rows["cit"].append({"item_id": iid, "party": party, "source": rng.choice(SOURCES), "text": None})
    for i in range(letters // 100):  # about 1 % quarantined files, spread over the batches
        b = batches[i % len(batches)]
        rows["files"].append({"id": str(uuid.UUID(int=rng.getrandbits(128))), "batch_id": b["id"], "inbox": "/inbox",
                              "rel_path": f"q{i}.pdf", "sha256": f"{rng.getrandbits(256):064x}", "size_bytes": 1,
                              "media_type": "application/pdf", "pages": 1, "status": "quarantined",
                              "reason_codes": ["dq_expect_items"], "letter_id": None, "current_path": None,
                              "seen_at": b["started_at"], "updated_at": b["started_at"]})  # fmt: skip
    plan = [
        (s.ingest_batches, batches), (s.source_files, rows["files"]), (s.letters, rows["letters"]),
        (s.letter_files, rows["lf"]), (s.reviewer_specialties, rows["spec"]), (s.items, rows["items"]),
        (s.guideline_citations, rows["cit"]), (s.dq_results, rows["dq"]),
    ]  # fmt: skip
    with w.transaction(engine) as conn:
        for table, table_rows in plan:
            for chunk in _chunks(table_rows):
                conn.execute(sa.insert(table), chunk)
    links = [{"f": r["first_file_id"], "l": r["id"]} for r in rows["letters"]]
    with w.transaction(engine) as conn:  # point the loaded files at their letters, as the loader does
        stmt = sa.update(s.source_files).where(s.source_files.c.id == sa.bindparam("f"))
        for chunk in _chunks(links):
            conn.execute(stmt.values(letter_id=sa.bindparam("l")), chunk)
    return {t.name: len(r) for t, r in plan}


def _cli(url: str, out: Path, *extra: str) -> dict[str, float]:
    """``imr report`` in a fresh process: wall seconds, CPU seconds, peak RSS MB.

    Run under GNU ``time`` when present: a child started straight from this process would
    report this process's peak RSS as its own (it is inherited across the fork and exec).
    """
    imr = Path(sys.executable).with_name("imr")
    cmd = [str(imr), "report", "--db", url, "--out", str(out), *extra]
    gnu_time = "/usr/bin/time" if Path("/usr/bin/time").exists() else None
    t0 = time.perf_counter()
    if gnu_time:
        done = subprocess.run([gnu_time, "-f", "TIME %U %S %M", *cmd], check=True, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        user, system, rss_kb = done.stderr.strip().splitlines()[-1].split()[1:]
        return {"wall": wall, "cpu": float(user) + float(system), "rss": int(rss_kb) / 1024}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, check=True, capture_output=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "rss": after.ru_maxrss / 1024}


def _build_and_analyze(url: str, letters: int) -> None:
    """In a child process (so this one stays small): build the warehouse, then ANALYZE."""
    engine = w.make_engine(url)
    counts = build(engine, letters)
    _log(f"built: {counts}")
    with engine.connect() as conn:  # a warehouse that has lived a while has statistics
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("ANALYZE")
        else:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    engine.dispose()


def _steps(engine: Engine, out: Path) -> dict[str, float]:
    """Seconds of each step in this process: SQL through the views, charts, tables + writing."""
    from reports import charts, html, markdown, tables
    from reports.data import collect

    t0 = time.perf_counter()
    data = collect(engine)
    t1 = time.perf_counter()
    rendered = charts.render(data)
    t2 = time.perf_counter()
    parts = tables.sections(data)
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.html").write_text(html.render("bench", "", parts, rendered), encoding="utf-8")
    (out / "report.md").write_text(markdown.render("bench", "", parts, {k: c.title for k, c in rendered.items()}))
    t3 = time.perf_counter()
    return {"sql": t1 - t0, "charts": t2 - t1, "write": t3 - t2, "letters": data.totals.letters,
            "items": data.totals.items}  # fmt: skip


def measure(url: str, label: str, letters: int, work: Path, lines: list[str]) -> None:
    """Build a warehouse at ``url``, time the report on it, append markdown rows to ``lines``."""
    engine = w.make_engine(url)
    w.upgrade(engine)
    _log(f"{label}: building {letters:,} letters ...")
    t0 = time.perf_counter()
    child = multiprocessing.get_context("spawn").Process(target=_build_and_analyze, args=(url, letters))
    child.start()
    child.join()
    if child.exitcode != 0:
        raise RuntimeError(f"building the warehouse failed (exit {child.exitcode})")
    built = time.perf_counter() - t0
    with engine.connect() as conn:
        counts = {"items": int(conn.execute(sa.select(sa.func.count()).select_from(s.items)).scalar_one())}
    _log(f"{label}: built in {built:.0f} s; measuring")
    runs = [_cli(url, work / f"{label}-cli") for _ in range(3)]
    year = _cli(url, work / f"{label}-year", "--from", "2020-01-01", "--to", "2020-12-31")
    steps = _steps(engine, work / f"{label}-steps")
    size = ""
    if engine.dialect.name == "sqlite":
        db = Path(str(engine.url.database))
        size = f", {db.stat().st_size / 2**20:.0f} MB file"
    engine.dispose()
    best = min(runs, key=lambda r: r["wall"])
    walls = ", ".join(f"{r['wall']:.1f} s" for r in runs)
    lines += [
        f"### {label}: {letters:,} letters, {counts['items']:,} items{size}",
        "",
        "| step | value |",
        "|---|---|",
        f"| build the warehouse (bulk insert + ANALYZE, in a child process; no target) | {built:.0f} s |",
        f"| `imr report`, whole warehouse, best of 3 (wall / CPU / peak RSS) | **{best['wall']:.1f} s** / "
        f"{best['cpu']:.1f} s / {best['rss']:.0f} MB |",
        f"| `imr report`, the three runs (wall) | {walls} |",
        f"| `imr report --from 2020-01-01 --to 2020-12-31` (wall / CPU) | {year['wall']:.1f} s / {year['cpu']:.1f} s |",
        f"| in-process: SQL through the views (`collect`) | {steps['sql']:.1f} s |",
        f"| in-process: 7 charts (matplotlib SVG) | {steps['charts']:.1f} s |",
        f"| in-process: tables, HTML, Markdown, writing | {steps['write']:.2f} s |",
        f"| report totals (letters / items) | {int(steps['letters']):,} / {int(steps['items']):,} |",
        "",
    ]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; prints markdown."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--letters", type=int, default=200_000)
    p.add_argument("--postgres", metavar="URL", help="also measure PostgreSQL (a fresh schema at this server)")
    p.add_argument("--out", type=Path, help="also write the markdown here")
    args = p.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="imr-bench-report-"))
    load = os.getloadavg()
    lines = [
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {platform.node() or 'this machine'}: "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}; "
        f"1-minute load {load[0]:.2f} at start.",
        "",
    ]
    try:
        measure(f"sqlite:///{work / 'warehouse.db'}", "SQLite", args.letters, work, lines)
        if args.postgres:
            schema = f"imr_bench_{uuid.uuid4().hex[:8]}"
            admin = sa.create_engine(args.postgres)
            with admin.begin() as conn:
                conn.execute(sa.schema.CreateSchema(schema))
            try:
                url = sa.make_url(args.postgres).update_query_dict({"options": f"-csearch_path={schema}"})
                measure(url.render_as_string(hide_password=False), "PostgreSQL", args.letters, work, lines)
            finally:
                with admin.begin() as conn:
                    conn.execute(sa.schema.DropSchema(schema, cascade=True))
                admin.dispose()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    lines.append(f"1-minute load at the end: {os.getloadavg()[0]:.2f}.")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
