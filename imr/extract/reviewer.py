"""The expert reviewer's licensure states and specialties (layouts D2 list, A/B/C/D1 sentence)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from imr.extract.document import BREAK
from imr.models import Reviewer

STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts",
    "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
    "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico",
    "NY": "New York", "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
    "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina",
    "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont",
    "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
    "DC": "District of Columbia",
}  # fmt: skip
_FULL = {v.lower(): v for v in STATES.values()}

STATES_LABEL = re.compile(r"^\s*State\(?s?\)?\s+of\s+Licensure\s*:\s*", re.I)
SPECIALTY_LABEL = re.compile(r"^\s*Certification\(?s?\)?\s*/\s*Specialt(?:y|ies)\s*:\s*", re.I)
#: The sentence forms (the value is group 1), read over the qualification lines joined by spaces.
BOARD_CERTIFIED = re.compile(
    r"Board[- ]Certified\s+in\s+(?:the\s+(?:field|specialty)\s+of\s+)?(.+?)"
    r"(?=\s+and\s+(?:is\s+)?(?:currently\s+)?licensed|\s+and\s+has\b|\s+who\b|\.\s|\.$|;)",
    re.I,
)
LICENSED_IN = re.compile(r"licensed\s+(?:to\s+practice\s+)?in\s+(.+?)(?=\.\s|\.$|;|\s+and\s+has\b|\s+He/she)", re.I)
_STOP = re.compile(r"^\s*(?:[A-Z][A-Z ,()/&'-]{8,}$|State\(?s?\)? of|Certification\(?s?\)?)")


def _split_list(text: str) -> list[str]:
    parts = re.split(r"\s*[,;]\s*", text.strip().rstrip("."))
    return [re.sub(r"\s+", " ", p).strip() for p in parts if p.strip()]


#: Degrees and post-nominal credentials (letters only, upper case), never a specialty.
_DEGREE_WORDS = (
    "MD DO MPH MPA MS MSC MA MBA PHD PSYD DC DPM DDS DMD DPT PT OTR RN BSN MSN NP FNP PA PAC LAC JD "
    "FACS FACP FACOEM FAAOS FAAPMR FAAFP FACEP FAAN FACR FACPM FAAPM FIPP FRCSC FRCPC DABPMR DAAPM ABIME "
    "CIME QME MRO"
)
DEGREES = frozenset(_DEGREE_WORDS.split())
_DEGREE_LABEL = re.compile(r"\b(?:Degree\(?s?\)?|Credentials?)\s*:", re.I)


def is_degree(token: str) -> bool:
    """'MD', 'M.D.', 'Ph.D.', 'FACS', 'PA-C': a degree or post-nominal credential."""
    t = token.strip("()[].,; ")
    if not t or not t[0].isupper() or sum(c.islower() for c in t) > 2:
        return False
    return re.sub(r"[^A-Za-z]", "", t).upper() in DEGREES


def _specialties(text: str) -> list[str]:
    """A specialty list without the reviewer's degrees, however they are listed beside it
    ('X, MD,MPH', 'X (M.D.,FACS)', 'X Degree(s): DO,FACOEM', with or without spaces)."""
    text = _DEGREE_LABEL.sub(",", text)
    text = re.sub(r"\(([^()]*)\)", lambda m: "," + m.group(1) + "," if _all_degrees(m.group(1)) else m.group(0), text)
    out: list[str] = []
    for part in _split_list(text):
        words = part.split()
        while words and is_degree(words[-1]):
            words.pop()
        while words and is_degree(words[0]):
            words.pop(0)
        if words:
            out.append(" ".join(words))
    return out


def _all_degrees(text: str) -> bool:
    tokens = [t for t in re.split(r"[\s,;]+", text) if t]
    return bool(tokens) and all(is_degree(t) for t in tokens)


def state_name(token: str) -> str:
    """A licensure state as its full name ('CA' -> 'California'); unknown text as written."""
    t = token.strip().rstrip(".")
    if t.upper() in STATES and len(t) == 2:
        return STATES[t.upper()]
    return _FULL.get(t.lower(), t)


def labelled_lines(lines: Sequence[str], label: re.Pattern[str]) -> list[int]:
    """Indexes of the first line starting with ``label`` and of the lines its value runs on to
    (up to a paragraph break, a heading or the other label); [] when no line has the label."""
    for i, line in enumerate(lines):
        if line == BREAK or not label.match(line):
            continue
        out = [i]
        for j in range(i + 1, len(lines)):
            nxt = lines[j]
            if nxt == BREAK or _STOP.match(nxt) or STATES_LABEL.match(nxt) or SPECIALTY_LABEL.match(nxt):
                break
            out.append(j)
        return out
    return []


def _labelled_value(lines: Sequence[str], label: re.Pattern[str]) -> str | None:
    where = labelled_lines(lines, label)
    if not where:
        return None
    parts = [label.sub("", lines[where[0]], count=1)] + [lines[j] for j in where[1:]]
    return " ".join(p.strip() for p in parts if p.strip())


def parse_reviewer(lines: Sequence[str]) -> Reviewer:
    """Reviewer credentials from the lines of the qualifications part of a letter."""
    states_text = _labelled_value(lines, STATES_LABEL)
    spec_text = _labelled_value(lines, SPECIALTY_LABEL)
    states = [state_name(s) for s in _split_list(states_text)] if states_text else []
    specialties = _specialties(spec_text) if spec_text else []
    if not specialties or not states:
        text = " ".join(ln for ln in lines if ln != BREAK)
        if not specialties:
            m = BOARD_CERTIFIED.search(text)
            if m:
                specialties = _specialties(m.group(1))
        if not states:
            m = LICENSED_IN.search(text)
            if m:
                raw = re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+", m.group(1))
                states = [state_name(s) for s in raw if s.strip()]
    return Reviewer(licensure_states=states, specialties=specialties)
