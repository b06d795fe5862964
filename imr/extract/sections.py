"""Section headings of every known layout, the layout they imply, and slicing lines by section."""

from __future__ import annotations

import re
from dataclasses import dataclass

from imr.extract.document import BREAK

#: heading key -> pattern matched at the start of a line (case-insensitive)
HEADINGS: dict[str, str] = {
    "how_made": r"HOW THE IMR FINAL DETERMINATION WAS MADE",
    "documents": r"DOCUMENTS REVIEWED(?: FOR DETERMINATION)?:?",
    "summary": r"(?:CLINICAL |EXPERT REVIEWER(?:'S)? |PHYSICIAN REVIEWER(?:'S)? )?CASE SUMMARY:?",
    "decisions": r"(?:IMR ISSUES,? DECISIONS? AND RATIONALES?|IMR DECISION\(?S\)? AND RATIONALE\(?S\)?)",
    "a_title": r"(?:MAXIMUS FEDERAL SERVICES,? INC\.?\s*)?Notice of Independent Medical Review Determination",
    "a_decision": r"INDEPENDENT MEDICAL REVIEW DECISION AND RATIONALE",
    "qualifications": r"(?:Medical Qualifications of the Expert Reviewer|MEDICAL REVIEWER QUALIFICATIONS):?",
    "b_title": r"MEDICAL PROFESSIONAL REVIEW",
    "issue": r"ISSUES? AT DISPUTE:?",
    "guidelines_b": r"MEDICAL TREATMENT GUIDELINE\(?S\)? RELIED UPON",
    "rationale_b": r"RATIONALE FOR WHY THE REQUESTED TREATMENT",
}
_COMPILED = {k: re.compile(r"^\s*" + v, re.I) for k, v in HEADINGS.items()}


@dataclass
class Sections:
    """Line index of each heading found (first occurrence, plus all occurrences)."""

    lines: list[str]
    first: dict[str, int]
    all: dict[str, list[int]]

    def has(self, key: str) -> bool:
        return key in self.first

    def body(self, key: str, occurrence: int = 0) -> list[str]:
        """Lines after a heading up to the next heading of any kind (the heading line's own
        text after the heading is kept as the first line)."""
        starts = self.all.get(key) or []
        if occurrence >= len(starts):
            return []
        start = starts[occurrence]
        heading_positions = sorted(i for idx in self.all.values() for i in idx if i > start)
        end = heading_positions[0] if heading_positions else len(self.lines)
        rest = _COMPILED[key].sub("", self.lines[start], count=1).strip()
        out = ([rest] if rest else []) + self.lines[start + 1 : end]
        return out

    def body_offset(self, key: str, occurrence: int = 0) -> int:
        """Index in ``lines`` of the first line of :meth:`body` (the heading line itself when its
        text goes on after the heading): ``body(key)[i]`` was read from ``lines[offset + i]``."""
        start = self.all[key][occurrence]
        rest = _COMPILED[key].sub("", self.lines[start], count=1).strip()
        return start if rest else start + 1

    def before_first_heading(self) -> list[str]:
        first = min(self.first.values()) if self.first else len(self.lines)
        return self.lines[:first]


def find_sections(lines: list[str]) -> Sections:
    """Locate every heading; a heading must start its line (an all-caps line or a label line)."""
    first: dict[str, int] = {}
    every: dict[str, list[int]] = {}
    for i, line in enumerate(lines):
        if line == BREAK:
            continue
        for key, rx in _COMPILED.items():
            if rx.match(line) and _looks_like_heading(key, line):
                every.setdefault(key, []).append(i)
                first.setdefault(key, i)
                break
    return Sections(lines=lines, first=first, all=every)


def _looks_like_heading(key: str, line: str) -> bool:
    if key in ("summary", "documents"):
        # 'Case Summary:' in layout A/B carries text after it; in D it stands alone in capitals (or,
        # in a letter typed again, alone on its line in title case).
        return (
            line.isupper()
            or line.rstrip().endswith(":")
            or bool(_COMPILED[key].fullmatch(line.strip()))
            or bool(re.match(r"^\s*(?:(?:Expert|Physician) Reviewer(?:'s)? )?Case Summary:", line, re.I))
        )
    return True


def detect_layout(sec: Sections) -> str:
    """Name of the letter generation: A, B, C, D1 or D2 (see ../shared/docs/imr-letters.md)."""
    if sec.has("a_title") or sec.has("a_decision"):
        return "A"
    if sec.has("b_title") or sec.has("issue") or sec.has("rationale_b"):
        return "B"
    credentials = any(re.match(r"^\s*State\(s\) of Licensure", ln, re.I) for ln in sec.lines)
    if sec.has("documents") and sec.has("how_made"):
        return "C"
    if sec.has("how_made") or sec.has("decisions"):
        return "D2" if credentials else "D1"
    return "unknown"
