"""``write_corpus``: synthetic letter files plus a ``gold.jsonl`` in the shared gold format.

Files are named ``syn_0001_D2.pdf`` (letters), ``syn_0001_D2_amended.txt`` (a later letter of the
case of ``syn_0001``, with ``amended``) and ``bad_01_other_program.txt`` (rejection cases); nothing
in a name comes from letter text. Case numbers never repeat by accident: a letter drawing a case
number the corpus holds already is drawn again; only amended letters share their original's. ``gold.jsonl`` holds one
``LetterRecord.to_dict()`` per file (``source.path`` = file name, ``sha256`` of the written
bytes), so ``python3 ../shared/tools/score.py OUT/gold.jsonl pred.jsonl`` scores an extractor.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Sequence
from pathlib import Path

from imr.models import LetterRecord
from imr.synth.content import HardCases, SyntheticLetter
from imr.synth.generator import generate_letter
from imr.synth.text_render import render_text

FORMATS: tuple[str, ...] = ("txt", "pdf")
TEXT_VARIANT_WEIGHTS: dict[str, int] = {"lf": 40, "crlf": 15, "bom": 10, "cp1252": 10, "seed": 25}


def render_file(
    letter: SyntheticLetter, fmt: str, rng: random.Random, name: str, scanned: bool = False, faxed: bool = False
) -> tuple[bytes, LetterRecord]:
    """Bytes of ``letter`` as ``fmt`` (txt or pdf) with render options drawn from ``rng``, and its
    gold. ``scanned``: a PDF becomes an image-only scan of itself (:mod:`imr.synth.scanned`);
    ``faxed``: a fax of itself (:mod:`imr.synth.fax`; a cover sheet adds a page to the gold's count)."""
    if fmt == "txt":
        variants = [v for v in TEXT_VARIANT_WEIGHTS if v != "cp1252" or letter.has_non_ascii()]
        variant = rng.choices(variants, weights=[TEXT_VARIANT_WEIGHTS[v] for v in variants])[0]
        data = render_text(letter, variant)
        return data, letter.record(path=name, data=data, media_type="text/plain", pages=None)
    if fmt == "pdf":
        from imr.synth.pdf_render import random_pdf_options, render_pdf_counted

        data, pages = render_pdf_counted(letter, random_pdf_options(rng))
        if scanned:
            from imr.synth.scanned import scan_pdf

            data = scan_pdf(data, seed=rng.getrandbits(32))
        elif faxed:
            from imr.synth.fax import fax_pdf, random_fax_options

            fax = random_fax_options(rng)
            data = fax_pdf(data, seed=rng.getrandbits(32), options=fax)
            pages += int(fax.cover_sheet)
        ocr = scanned or faxed
        return data, letter.record(path=name, data=data, media_type="application/pdf", pages=pages, ocr=ocr)
    raise ValueError(f"unknown format {fmt!r}; expected txt or pdf")


def write_gold(path: Path, records: Iterable[LetterRecord]) -> Path:
    """Write ``records`` as JSON lines (sorted keys are not used: the contract's key order is kept)."""
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for rec in records:
            fh.write(json.dumps(rec.to_dict(), ensure_ascii=False) + "\n")
    return path


#: salts of the generators that redraw a letter whose case number was taken, and choose amendments
_REDRAW_SALT = 0xCA5E
_AMEND_SALT = 0xA3E2D


def write_corpus(
    out_dir: str | Path,
    count: int,
    seed: int,
    formats: Sequence[str] = FORMATS,
    bad: bool = True,
    hard: HardCases | None = None,
    scanned: bool = False,
    amended: int = 0,
    faxed: bool = False,
) -> list[Path]:
    """Write ``count`` synthetic letters (and, with ``bad``, one file per rejection case) to ``out_dir``.

    Every letter has a case number of its own (or none: headerless layouts). ``amended``: that many
    more letters, each a later letter of the case of a distinct earlier one (an amended
    determination: the same case number and content, a decision date 7 to 90 days later, rendered
    anew), named after it (``syn_0007_D2_amended.pdf``); its gold is its own letter.

    ``scanned``: PDF letters are written as image-only scans (200 dpi greyscale, skew, speckle,
    blur, JPEG) whose gold says ``source.ocr: true`` (the bad inputs stay as they are); ``faxed``:
    as faxes (:func:`imr.synth.fax.random_fax_options`: 1-bit, 204 x 196 or 204 x 98 dpi, header
    lines, dropped scan lines, some cover sheets), also ``source.ocr: true``.

    Also writes ``out_dir/gold.jsonl`` (one record per file). Returns the paths of the letter,
    amended and bad-input files in the order of the gold records. Deterministic for a given
    ``seed`` (with or without ``amended``, the first ``count`` letters are the same). Raises
    ValueError for an unknown format, a negative count, or more amendments than letters with a
    case number.
    """
    if count < 0 or amended < 0:
        raise ValueError("count and amended must be >= 0")
    if amended > count:
        raise ValueError(f"cannot amend {amended} of {count} letters")
    for fmt in formats:
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; expected txt or pdf")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    master = random.Random(seed)
    redraw = random.Random(seed ^ _REDRAW_SALT)
    paths: list[Path] = []
    records: list[LetterRecord] = []
    used: set[str] = set()
    cases: list[tuple[int, int, SyntheticLetter]] = []  # (index, seed, letter) of letters with a case number
    for index in range(1, count + 1):
        letter_seed = master.getrandbits(48)
        fmt = master.choice(list(formats))
        letter = generate_letter(letter_seed, hard=hard)
        while letter.case_number is not None and letter.case_number in used:  # never by accident
            letter_seed = redraw.getrandbits(48)
            letter = generate_letter(letter_seed, hard=hard)
        if letter.case_number is not None:
            used.add(letter.case_number)
            cases.append((index, letter_seed, letter))
        name = f"syn_{index:04d}_{letter.layout}.{fmt}"
        data, record = render_file(
            letter, fmt, random.Random(letter_seed ^ 0x5EED), name, scanned=scanned, faxed=faxed
        )
        (out / name).write_bytes(data)
        paths.append(out / name)
        records.append(record)
    if amended > len(cases):
        raise ValueError(f"cannot amend {amended} letters: {len(cases)} of the {count} have a case number")
    pick = random.Random(seed ^ _AMEND_SALT)
    for index, letter_seed, original in sorted(pick.sample(cases, amended), key=lambda c: c[0]):
        days = pick.randint(7, 90)
        fmt = pick.choice(list(formats))
        letter = generate_letter(letter_seed, hard=hard, amended_days=days, case_number=original.case_number)
        name = f"syn_{index:04d}_{original.layout}_amended.{fmt}"
        data, record = render_file(
            letter, fmt, random.Random(letter_seed ^ _AMEND_SALT), name, scanned=scanned, faxed=faxed
        )
        (out / name).write_bytes(data)
        paths.append(out / name)
        records.append(record)
    if bad:
        from imr.synth.bad_inputs import bad_inputs

        for case in bad_inputs(master.getrandbits(48), formats):
            (out / case.name).write_bytes(case.data)
            paths.append(out / case.name)
            records.append(case.record(case.name))
    write_gold(out / "gold.jsonl", records)
    return paths
