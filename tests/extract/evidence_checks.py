"""The acceptance check of evidence (issue 20), written once for every corpus and generated letter.

For every header date, the case number, the priority and every item decision of a parsed record:

(a) the evidence stands where it says: for a PDF with a text layer, pdfplumber's text of the page
    cropped to the box (padded by a point) holds the evidence text (whitespace aside); for a
    scanned PDF, the text layer of the PDF it was scanned from, cropped to the box (padded for the
    skew), holds the value; for a text letter, the file's line(s) at ``line`` hold the text;
(b) the evidence text holds the value: a date written in it is the value; the case number
    literally; the priority word; the decision word ('upheld'/'uphold', 'overturned'/'overturn',
    or a numbered necessity sentence: 'not medically necessary' is upheld, 'medically necessary'
    overturned).

Nothing here knows a file: an unseen letter is checked the same way.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from imr.models import Evidence, LetterRecord

DATE_FIELDS = ("date_assigned", "decision_date", "date_of_injury", "ur_denial_date", "application_received")
_MONTHS = {
    m: i + 1 for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])
}
_NUMERIC = re.compile(r"(?<!\d)(\d{1,2})\s*[/-]\s*(\d{1,2})\s*[/-]\s*(\d{4}|\d{2})(?!\d)")
_NAMED = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")


def squash(text: str) -> str:
    """``text`` without whitespace."""
    return re.sub(r"\s+", "", text)


def dates_in(text: str) -> set[dt.date]:
    """Every date written in ``text`` (m/d/y or m-d-y with a 2- or 4-digit year, 'Month d, yyyy')."""
    out: set[dt.date] = set()
    for m in _NUMERIC.finditer(text):
        month, day, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        year += 2000 if year < 50 else 1900 if year < 100 else 0
        try:
            out.add(dt.date(year, month, day))
        except ValueError:
            continue
    for m in _NAMED.finditer(text):
        month = _MONTHS.get(m.group(1)[:3].lower())
        if month is not None:
            try:
                out.add(dt.date(int(m.group(3)), month, int(m.group(2))))
            except ValueError:
                continue
    return out


def holds_value(path: str, value: Any, text: str) -> bool:
    """(b): ``text`` states ``value`` of the field ``path``."""
    if path == "case_number":
        return str(value) in text
    if path in DATE_FIELDS:
        return dt.date.fromisoformat(str(value)) in dates_in(text)
    if path == "priority":
        words = r"standard|regular" if value == "standard" else r"expedited|urgent"
        return re.search(rf"\b(?:{words})\b", text, re.I) is not None
    if path.endswith(".decision"):
        said_not = re.search(r"\bnot\s*medically\s+necessary", text, re.I) is not None
        said = re.search(r"medically\s+necessary", text, re.I) is not None
        if value == "upheld":
            return re.search(r"uph[eo]ld", text, re.I) is not None or said_not
        return re.search(r"overturn", text, re.I) is not None or (said and not said_not)
    raise AssertionError(f"no value check for {path}")


def checked_paths(record: LetterRecord) -> dict[str, Any]:
    """The fields the acceptance check covers, with their values (filled fields only)."""
    assert record.letter is not None
    letter = record.letter.to_dict()
    out = {name: letter[name] for name in ("case_number", *DATE_FIELDS, "priority") if letter[name] is not None}
    out.update({f"items[{k}].decision": item["decision"] for k, item in enumerate(letter["items"])})
    return out


class _Pages:
    """A PDF opened once by pdfplumber: the text of a page cropped to a padded box."""

    def __init__(self, data: bytes) -> None:
        import pdfplumber

        self.pdf = pdfplumber.open(io.BytesIO(data), password="")

    def crop_text(self, ev: Evidence, pad: float) -> str:
        assert ev.bbox is not None
        page = self.pdf.pages[ev.page - 1]
        x0, top, x1, bottom = ev.bbox
        box = (
            max(page.bbox[0], x0 - pad),
            max(page.bbox[1], top - pad),
            min(page.bbox[2], x1 + pad),
            min(page.bbox[3], bottom + pad),
        )
        return page.within_bbox(box).extract_text() or ""

    def close(self) -> None:
        self.pdf.close()


def check_pdf(record: LetterRecord, data: bytes, original: bytes | None = None) -> None:
    """(a) and (b) for a PDF record; ``original``: the text-layer PDF a scanned ``data`` was made of."""
    assert record.status == "parsed" and record.evidence is not None, record.errors
    pages = _Pages(original if original is not None else data)
    try:
        for path, value in checked_paths(record).items():
            ev = record.evidence.get(path)
            assert ev is not None, f"{record.source.path}: no evidence for {path}"
            assert ev.bbox is not None and ev.line is None
            assert holds_value(path, value, ev.text), (record.source.path, path, value, ev.text)
            if original is None:
                assert ev.confidence is None
                crop = pages.crop_text(ev, 1.0)
                assert squash(ev.text) in squash(crop), (record.source.path, path, ev.text, crop)
            else:
                assert ev.confidence is not None and 0 <= ev.confidence <= 1
                crop = pages.crop_text(ev, 6.0)
                assert holds_value(path, value, crop), (record.source.path, path, value, ev.text, crop)
    finally:
        pages.close()


def check_text(record: LetterRecord, data: bytes) -> None:
    """(a) and (b) for a text record (``data``: the file's bytes)."""
    assert record.status == "parsed" and record.evidence is not None, record.errors
    text = _decoded(data)
    lines = text.split("\n")
    for path, value in checked_paths(record).items():
        ev = record.evidence.get(path)
        assert ev is not None, f"{record.source.path}: no evidence for {path}"
        assert ev.bbox is None and ev.line is not None and ev.confidence is None
        assert holds_value(path, value, ev.text), (record.source.path, path, value, ev.text)
        first = ev.text.split("\n")[0]
        assert squash(first) in squash(lines[ev.line - 1]), (path, ev.line, first)
        span = ev.text.count("\n") + 1
        window = "".join(lines[ev.line - 1 : ev.line - 1 + 3 * span])
        assert squash(ev.text) in squash(window), (path, ev.line, ev.text)
        before = "\n".join(lines[: ev.line - 1]).count("\f")
        assert before + 1 <= ev.page <= before + 1 + lines[ev.line - 1].count("\f")


def _decoded(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252")
    return text.replace("\r\n", "\n").replace("\r", "\n")
