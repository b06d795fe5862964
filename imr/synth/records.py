"""Synthetic letters as parsed records, without files: for benchmarks, demos and tests of the
warehouse, the report and drift monitoring (fictional people, fake file hashes)."""

from __future__ import annotations

import hashlib

from imr.models import LetterRecord, Source
from imr.synth.generator import generate_letter


def synthetic_records(first_seed: int, count: int, *, only_overturned: bool = False) -> list[LetterRecord]:
    """``count`` generator letters (seeds ``first_seed`` on) as parsed records with distinct case
    numbers (``CM16-<seed>``) and hashes; with ``only_overturned`` every item is overturned (a
    batch that drift monitoring must flag), else the generator's natural mix."""
    out: list[LetterRecord] = []
    for seed in range(first_seed, first_seed + count):
        letter = generate_letter(seed).letter
        if only_overturned:
            for item in letter.items:
                item.decision = "overturned"
            letter.outcome = "overturned"
        letter.case_number = f"CM16-{seed:07d}"
        sha = hashlib.sha256(f"synthetic-{seed}-{only_overturned}".encode()).hexdigest()
        out.append(LetterRecord(Source(f"synth-{seed}.txt", sha, "text/plain"), "parsed", [], letter))
    return out
