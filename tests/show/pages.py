"""Helpers of the ``imr show`` tests: a strict reading of the page's HTML, generated letters and
evidence built by hand from the letters' own words (pdfplumber's word boxes, a text's lines).

The hand-built evidence stands in for the extractor's: it puts each value at the first word of
the file that reads as the value's first word, which is enough to test where the page draws it."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pdfplumber

from imr.models import Evidence, EvidenceMap, LetterRecord
from imr.show.values import field_rows, letter_values

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"})


@dataclass
class Element:
    """One element of the page: its tag, attributes and text (of it and its children)."""

    tag: str
    attrs: dict[str, str]
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.parts)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


class StrictPage(HTMLParser):
    """Parses a page and fails on any element closed out of order or left open."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.stack: list[Element] = []
        self.doctype: str | None = None
        self.feed(html)
        self.close()
        assert not self.stack, f"left open: {[e.tag for e in self.stack]}"

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.elements.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        assert self.stack, f"</{tag}> closes nothing"
        top = self.stack.pop()
        assert top.tag == tag, f"</{tag}> closes <{top.tag}>"
        if self.stack:
            self.stack[-1].parts.extend(top.parts)

    def handle_data(self, data: str) -> None:
        if self.stack:
            self.stack[-1].parts.append(data)

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Element]:
        """The elements with this tag, class and attribute values (``data_path`` for ``data-path``)."""
        want = {k.replace("_", "-"): v for k, v in attrs.items()}
        return [
            e
            for e in self.elements
            if (tag is None or e.tag == tag)
            and (cls is None or cls in e.classes)
            and all(e.attrs.get(k) == v for k, v in want.items())
        ]

    def by_id(self, anchor: str) -> Element:
        found = self.find(id=anchor)
        assert len(found) == 1, f"{len(found)} elements with id {anchor}"
        return found[0]


def first_word(value: str) -> str:
    return value.split()[0].rstrip(";,:")


def pdf_evidence(data: bytes, record: LetterRecord, confidence: float | None = None) -> EvidenceMap:
    """Evidence of each read value of ``record``: the box of the first word of the PDF ``data`` that
    reads as the value's first word (values with no such word are left out)."""
    words: list[tuple[int, dict[str, object]]] = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for n, page in enumerate(pdf.pages, start=1):
            words += [(n, w) for w in page.extract_words()]
    evidence: EvidenceMap = {}
    for row in field_rows(letter_values(record)):
        if not row.value:
            continue
        want = first_word(row.value)
        hit = next(((n, w) for n, w in words if w["text"] == want), None)
        if hit is not None:
            n, w = hit
            box = (float(w["x0"]), float(w["top"]), float(w["x1"]), float(w["bottom"]))  # type: ignore[arg-type]
            evidence[row.path] = Evidence(page=n, text=str(w["text"]), bbox=box, confidence=confidence)
    return evidence


def text_evidence(text: str, record: LetterRecord) -> EvidenceMap:
    """Evidence of each read value of ``record``: the first line of ``text`` holding the value's
    first word as a word (values with no such line are left out)."""
    lines = text.split("\n")
    evidence: EvidenceMap = {}
    for row in field_rows(letter_values(record)):
        if not row.value:
            continue
        pattern = re.compile(rf"(?<!\S){re.escape(first_word(row.value))}(?!\S)")
        n = next((i for i, ln in enumerate(lines, start=1) if pattern.search(ln)), None)
        if n is not None:
            evidence[row.path] = Evidence(page=1, text=lines[n - 1].strip(), line=n)
    return evidence
