"""Records and loads shared by the warehouse tests."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Engine

import warehouse as w
from imr.models import Guideline, Item, Letter, LetterRecord, Patient, Reviewer, Source

SHA_A = "a" * 64
SHA_B = "b" * 64
SHA_C = "c" * 64


def make_record(
    sha: str = SHA_A, path: str = "2024/a.txt", case: str | None = "CM13-0000001"
) -> LetterRecord:
    """A realistic parsed record with two items."""
    return LetterRecord(
        source=Source(path=path, sha256=sha, media_type="text/plain", pages=3),
        status="parsed",
        errors=[],
        letter=Letter(
            case_number=case,
            date_assigned=dt.date(2013, 7, 1),
            decision_date=dt.date(2013, 8, 2),
            date_of_injury=dt.date(2010, 1, 3),
            ur_denial_date=dt.date(2013, 6, 4),
            application_received=dt.date(2013, 6, 20),
            priority="standard",
            reviewer=Reviewer(licensure_states=["California", "Texas"], specialties=["Orthopedic Surgery"]),
            outcome="partially_overturned",
            patient=Patient(age=52, sex="female", occupation="Cashier"),
            diagnoses=["lumbar strain", "knee pain"],
            items=[
                Item(
                    1,
                    "Tramadol 50mg #60",
                    "upheld",
                    Guideline("mtus", "Chronic Pain Medical Treatment Guidelines"),
                    Guideline("non_mtus", "ODG Pain"),
                    "Not medically necessary.",
                    "Pharmaceuticals",
                    "Opioids",
                    "opioid",
                ),
                Item(2, "Physical therapy x 6", "overturned", Guideline(), Guideline("none", None)),
            ],
            layout="header_2013",
        ),
    )


def load_one(
    engine: Engine, record: LetterRecord | None = None, inbox: str = "/in"
) -> tuple[str, w.LoadResult]:
    """Start a batch, register the record's file and load it; returns (batch id, result)."""
    rec = record or make_record()
    batch = w.start_batch(engine, "ingest", [inbox])
    fid = w.register_file(
        engine, batch, inbox, rec.source.path, rec.source.sha256, 100, rec.source.media_type
    )
    return batch, w.load_letter(engine, fid, rec)
