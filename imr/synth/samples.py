"""The bundled sample inbox (``samples/inbox`` and ``samples/inbox-gold.jsonl``).

``write_sample_inbox(inbox)`` regenerates it deterministically; ``imr synth samples/inbox --sample``
calls it. The inbox mixes text and PDF letters of layouts D2, D1, A, B and C, a UR-modified
request, an encrypted PDF with running headers and awkward page breaks, two rejection cases
(a DMHC look-alike and an image-only PDF) and an exact copy of one letter in a sub-folder.
Gold ``source.path`` values are relative to the inbox (``copies/...`` for the copy).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from pathlib import Path

from imr.models import LetterRecord
from imr.synth.bad_inputs import BadInput, dmhc_letter, image_only_pdf
from imr.synth.content import HardCases, SyntheticLetter
from imr.synth.corpus import write_gold
from imr.synth.generator import generate_letter
from imr.synth.pdf_render import BREAKS, PdfOptions, render_pdf_counted
from imr.synth.text_render import render_text

SAMPLE_SEED = 20170209
COPY_DIR = "copies"


@dataclass(frozen=True)
class _Spec:
    layout: str
    fmt: str  # "txt:<variant>" or "pdf"
    hard: HardCases
    pdf: PdfOptions = field(default_factory=lambda: PdfOptions(encrypt=True))
    need: str = ""  # a feature the letter must have (found by trying further seeds)


def _specs() -> list[_Spec]:
    calm = HardCases.none()
    default = HardCases()
    modified = replace(calm, modified_request=1.0, many_items=0.0)
    hard_text = replace(default, non_ascii=1.0, mixed_dates=1.0, many_items=1.0, wrapped_decision=0.5)
    return [
        _Spec("D2", "pdf", calm),
        _Spec("D2", "txt:lf", default),
        _Spec("D1", "txt:seed", replace(calm, headerless_d1=1.0)),
        _Spec("D1", "pdf", replace(default, headerless_d1=0.0)),
        _Spec("A", "txt:crlf", default),
        _Spec("C", "pdf", default),
        _Spec("D2", "pdf", modified, PdfOptions(True, True, BREAKS, True, seed=7), need="modified_request"),
        _Spec("D2", "txt:cp1252", hard_text),
        _Spec("B", "txt:bom", default),
    ]


def _letter(spec: _Spec, rng: random.Random) -> SyntheticLetter:
    for _ in range(200):
        letter = generate_letter(rng.getrandbits(48), layout=spec.layout, hard=spec.hard)
        wanted = not spec.need or spec.need in letter.features
        if wanted and (spec.fmt != "txt:cp1252" or letter.has_non_ascii()):
            return letter
    raise RuntimeError(f"no {spec.layout} letter with {spec.need or 'non-ASCII text'} found")  # pragma: no cover


def write_sample_inbox(inbox: str | Path, gold_path: str | Path | None = None) -> list[Path]:
    """Write the sample inbox into ``inbox`` and its gold to ``gold_path``.

    ``gold_path`` defaults to ``<inbox>-gold.jsonl`` beside the inbox (outside it, so an ingest
    run does not pick it up). Returns the written files, gold last. Deterministic.
    """
    root = Path(inbox)
    root.mkdir(parents=True, exist_ok=True)
    gold = Path(gold_path) if gold_path is not None else root.parent / f"{root.name}-gold.jsonl"
    rng = random.Random(SAMPLE_SEED)
    written: list[Path] = []
    records: list[LetterRecord] = []
    first: tuple[str, bytes, LetterRecord] | None = None
    for index, spec in enumerate(_specs(), start=1):
        letter = _letter(spec, rng)
        if spec.fmt == "pdf":
            name = f"syn_{index:04d}_{letter.layout}.pdf"
            data, pages = render_pdf_counted(letter, spec.pdf)
            record = letter.record(path=name, data=data, media_type="application/pdf", pages=pages)
        else:
            name = f"syn_{index:04d}_{letter.layout}.txt"
            data = render_text(letter, spec.fmt.split(":", 1)[1])
            record = letter.record(path=name, data=data, media_type="text/plain", pages=None)
        (root / name).write_bytes(data)
        written.append(root / name)
        records.append(record)
        if first is None:
            first = (name, data, record)
    bads = [
        BadInput("bad_dmhc_lookalike.txt", dmhc_letter(rng).encode("utf-8"), "other_program", "text/plain"),
        BadInput("bad_image_only.pdf", image_only_pdf(rng), "pdf_no_text", "application/pdf", 1),
    ]
    for case in bads:
        (root / case.name).write_bytes(case.data)
        written.append(root / case.name)
        records.append(case.record())
    assert first is not None
    name, data, record = first
    copy_name = f"{COPY_DIR}/{Path(name).stem}_copy{Path(name).suffix}"
    (root / COPY_DIR).mkdir(exist_ok=True)
    (root / copy_name).write_bytes(data)
    written.append(root / copy_name)
    records.append(LetterRecord(replace(record.source, path=copy_name), record.status, [], record.letter))
    write_gold(gold, records)
    written.append(gold)
    return written
