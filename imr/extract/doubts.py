"""Which fields an OCR'd word read with low confidence puts in doubt (the partial letter's
``_doubtful`` of a letter rejected ``ocr_low_confidence``).

Each doubt of an :class:`~imr.extract.ocr.OcrDocument` names the word (or the line) OCR could not
read with confidence. The evidence locator says which source lines every field was read from;
a field is in doubt when its lines hold the doubtful word's line. Where several fields share that
line (a header row with two dates), the one whose value the word states is in doubt; an item's
decision before its request. A header value not read at all is found by the label its word follows.
"""

from __future__ import annotations

import re
from typing import Any

from imr.extract.dates import parse_date
from imr.extract.document import Document
from imr.extract.evidence import locate_lines
from imr.extract.header import LABEL_PATTERNS
from imr.extract.ocr_words import Doubt, decision_form
from imr.extract.reading import LetterReading
from imr.models import Letter


def low_confidence_paths(doc: Document, reading: LetterReading, letter: Letter | None) -> list[str]:
    """The field paths whose source lines hold a word ``doc`` doubts, in the letter's field order
    ([] when ``doc`` was not OCR'd or no doubt stands on a field's lines)."""
    doubts: list[Doubt] = list(getattr(doc, "doubts", []))
    if not doubts:
        return []
    values = letter.to_dict() if letter is not None else reading.partial()
    sources, places = locate_lines(reading, doc, values)
    line_of = {id(w): j for j, src in enumerate(sources) for w in src.words}
    found: set[str] = set()
    for doubt in doubts:
        words = [doubt.word] if doubt.word is not None else list(doubt.line)
        lines = {line_of[id(w)] for w in words if id(w) in line_of}
        candidates = [path for path, run in places.items() if lines & set(run)]
        if not candidates:  # a value not read at all: the header label its word follows
            candidates = _labelled_field(doubt)
        found.update(_narrowed(candidates, doubt, values))
    order = list(places) + [name for name in LABEL_PATTERNS if name not in places]
    return [path for path in order if path in found]


def _labelled_field(doubt: Doubt) -> list[str]:
    """The header field whose label stands last before the doubtful word on its line ([] when the
    word follows no header label)."""
    if doubt.word is None or not doubt.line:
        return []
    words = list(doubt.line)
    at = next((k for k, w in enumerate(words) if w is doubt.word), None)
    if at is None:
        return []
    before = " ".join(w.text for w in words[:at])
    labels = [(m.end(), name) for name, rx in LABEL_PATTERNS.items() for m in re.finditer(rx, before, re.I)]
    return [max(labels)[1]] if labels else []


def _narrowed(paths: list[str], doubt: Doubt, values: dict[str, Any]) -> list[str]:
    """Of the fields on a doubtful word's line, those the word is about: an item's decision before
    anything else on its line; a header value the word states."""
    decisions = [p for p in paths if p.endswith(".decision")]
    if decisions:
        return decisions
    if doubt.word is None:
        return paths
    text = doubt.word.text
    stated = [p for p in paths if _states(text, p, values)]
    return stated or paths


def _states(text: str, path: str, values: dict[str, Any]) -> bool:
    value = values.get(path)
    if value is None:
        return False
    if path == "case_number":
        return str(value) in text or text.strip(".,;:") in str(value)
    when = parse_date(text)
    if when is not None:
        return when.isoformat() == str(value)
    form = decision_form(text)
    return form is not None and form.lower() == str(value)
