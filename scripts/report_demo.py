"""A demo warehouse to look at the report without real letters: ``python scripts/report_demo.py --db URL``.

Synthetic letters from the project's generator (:mod:`imr.synth`, fictional people) are
validated with the real Great Expectations suites and loaded through the real loader, one
nightly batch at a time: letters failing a critical expectation are quarantined with their
``dq_`` reason codes, the others load, and each batch's expectation results are stored, as an
ingest run does. Used for the report screenshots in ``docs/screenshots/``. Not imported by
:mod:`reports` (it imports Great Expectations, about 6 s).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys

import sqlalchemy as sa
from sqlalchemy.engine import Engine

import warehouse as w
from imr.models import LetterRecord
from imr.synth.records import synthetic_records
from warehouse import schema as s


def misread_years(records: list[LetterRecord], share: float, seed: int) -> int:
    """Give about ``share`` of the letters a decision date 45 years late (a misread year); returns how many."""
    rng = random.Random(seed)
    n = 0
    for record in records:
        letter = record.letter
        if letter is not None and letter.decision_date is not None and rng.random() < share:
            letter.decision_date = letter.decision_date.replace(year=letter.decision_date.year + 45)
            n += 1
    return n


def build_demo(engine: Engine, letters: int = 1500, batches: int = 30, seed: int = 2026) -> None:
    """Load ``letters`` synthetic letters in ``batches`` nightly batches (validated, some quarantined).

    About 3 % of the letters get a misread decision year (45 years late), which the critical
    expectation ``decision_date_not_in_future`` quarantines. The batches are dated one night
    apart, ending last night (their ``started_at``/``finished_at`` are rewritten after the run).
    """
    from expectations import validate_records

    records = synthetic_records(seed * 100_003, letters)
    misread_years(records, 0.03, seed)
    today = dt.datetime.now(dt.UTC).date()
    per = -(-len(records) // batches)
    for b in range(batches):
        chunk = records[b * per : (b + 1) * per]
        if not chunk:
            break
        batch = w.start_batch(engine, "ingest", ["/demo/inbox"])
        report = validate_records(chunk, today=today)
        for i, record in enumerate(chunk):
            fid = w.register_file(
                engine, batch, "/demo/inbox", record.source.path, record.source.sha256, 1, "text/plain"
            )
            failures = report.failures_of(i)
            if report.is_quarantined(i):
                w.mark_file(engine, fid, "quarantined", report.reason_codes(i), dq_failures=failures)
            else:
                w.load_letter(engine, fid, record, dq_failures=failures)
        w.store_dq_results(
            engine, batch, list(report.results)
        )
        quarantined = sum(1 for i in range(len(chunk)) if report.is_quarantined(i))
        w.finish_batch(engine, batch, "completed_with_quarantine" if quarantined else "completed")
        night = dt.datetime.combine(today - dt.timedelta(days=batches - b), dt.time(10), tzinfo=dt.UTC)
        with w.transaction(engine) as conn:
            conn.execute(
                sa.update(s.ingest_batches)
                .where(s.ingest_batches.c.id == batch)
                .values(started_at=night, finished_at=night + dt.timedelta(minutes=3))
            )
        print(f"batch {b + 1}/{batches}: {len(chunk)} files", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Build the demo warehouse at ``--db`` (migrated first)."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", required=True, help="warehouse URL, e.g. sqlite:///build/demo-report/warehouse.db")
    p.add_argument("--letters", type=int, default=1500)
    p.add_argument("--batches", type=int, default=30)
    p.add_argument("--seed", type=int, default=2026)
    args = p.parse_args(argv)
    engine = w.make_engine(args.db)
    w.upgrade(engine)
    build_demo(engine, args.letters, args.batches, args.seed)
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
