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

#: A list mark a letter typed again may put before a label ('• State(s) of Licensure: ...').
_MARK = r"(?:[\u2022\u00b7\u25aa\u25e6\u25cf\u25a0*-]\s*|\(?\d{1,2}[.)]\s*)?"
_STATES = r"State\(?s?\)?\s+of\s+Licens(?:ure|ing)\s*:\s*"
_SPECIALTY = r"(?:Board\s+)?Certification\(?s?\)?\s*/\s*Specialt(?:y|ies)\s*:\s*"
#: Short forms a label may take at the start of a line ('Specialty:', 'Board Certification(s):').
_SPECIALTY_SHORT = (
    r"(?:Board\s+)?Certifications?(?:\(s\))?\s*:\s*|(?:Medical\s+)?Specialt(?:y|ies)(?:\s*/\s*Certifications?)?\s*:\s*"
)
STATES_LABEL = re.compile(r"^\s*" + _MARK + _STATES, re.I)
SPECIALTY_LABEL = re.compile(r"^\s*" + _MARK + "(?:" + _SPECIALTY + "|" + _SPECIALTY_SHORT + ")", re.I)
#: The full labels stand anywhere in a line too (a paragraph typed again as one line, or wrapped anew).
_INLINE = {
    "states": re.compile(r"(?:^|(?<=\s))" + _MARK + _STATES, re.I),
    "specialties": re.compile(r"(?:^|(?<=\s))" + _MARK + _SPECIALTY, re.I),
}
#: The sentence forms (the value is group 1), read over the qualification lines joined by spaces
#: (paragraphs by line ends: a sentence never runs across a paragraph).
BOARD_CERTIFIED = re.compile(
    r"Board[- ]Certified\s+in\s+(?:the\s+(?:field|specialty)\s+of\s+)?([^\n]+?)"
    r"(?=,?\s+and\s+(?:is\s+)?(?:currently\s+)?licensed|,\s*(?:is\s+)?(?:currently\s+)?licensed|\s+and\s+has\b|"
    r"\s+who\b|\.\s|\.$|;|\n|$)",
    re.I,
)
LICENSED_IN = re.compile(
    r"licensed\s+(?:to\s+practice\s+)?in\s+(?:the\s+states?\s+of\s+)?([^\n]+?)"
    r"(?=\.\s|\.$|;|\s+and\s+has\b|\s+He/she|,?\s+and\s+(?:is\s+)?Board[- ]Certified|\n|$)",
    re.I,
)
_CAPS_LINE = re.compile(r"^\s*[A-Z][A-Z ,()/&'-]{8,}$")


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


def _label_at(line: str, label: re.Pattern[str]) -> re.Match[str] | None:
    """Where ``label`` stands in ``line``: at its start (any form), else anywhere (full form)."""
    m = label.match(line)
    if m is not None:
        return m
    inline = _INLINE["states" if label is STATES_LABEL else "specialties"]
    return inline.search(line) if label in (STATES_LABEL, SPECIALTY_LABEL) else None


def _other_label(line: str) -> re.Match[str] | None:
    """The first label of either kind in ``line`` (at its start in any form, or anywhere in full)."""
    found = [m for rx in (STATES_LABEL, SPECIALTY_LABEL, *_INLINE.values()) if (m := rx.search(line))]
    return min(found, key=lambda m: m.start()) if found else None


def _label_spans(lines: Sequence[str], label: re.Pattern[str]) -> tuple[list[int], str] | None:
    """The first ``label`` in ``lines`` (at a line's start, or in full anywhere in a line, or
    wrapped over two lines) with the indexes of the lines it and its value stand on and the value's
    text. The value runs on to a paragraph break, a heading (a line in capitals, unless the value
    is in capitals too) or another label; lines are joined by newlines."""
    for i, line in enumerate(lines):
        if line == BREAK:
            continue
        m = _label_at(line, label)
        first = i
        if m is None and i + 1 < len(lines) and lines[i + 1] != BREAK:
            both = f"{line} {lines[i + 1]}"
            m2 = _label_at(both, label)
            if m2 is None or m2.start() >= len(line) or m2.end() <= len(line):
                continue
            rest, where = both[m2.end() :], [i, i + 1]
        elif m is None:
            continue
        else:
            rest, where = line[m.end() :], [first]
        other = _other_label(rest)
        if other is not None:
            return where, rest[: other.start()].strip()
        parts = [rest]
        above = rest or line
        for j in range(where[-1] + 1, len(lines)):
            nxt = lines[j]
            if nxt == BREAK or (_CAPS_LINE.match(nxt) and not (above.isupper() and not above.rstrip().endswith("."))):
                break
            other = _other_label(nxt)
            if other is not None and other.start() == 0:
                break
            where.append(j)
            parts.append(nxt if other is None else nxt[: other.start()])
            if other is not None:
                break
            above = nxt
        return where, "\n".join(p.strip() for p in parts).rstrip()
    return None


def labelled_lines(lines: Sequence[str], label: re.Pattern[str]) -> list[int]:
    """Indexes of the lines the first ``label`` and its value stand on (up to a paragraph break, a
    heading or the other label); [] when no line has the label."""
    found = _label_spans(lines, label)
    return found[0] if found else []


#: A value line that goes on on the next line ('Public Health &' / 'General Preventive Medicine').
_CONTINUES = re.compile(r"(?:[&,/-]|\band|\bof|\bin|\bthe)\s*$", re.I)


def _labelled_value(lines: Sequence[str], label: re.Pattern[str]) -> str | None:
    """The value after ``label`` as one comma-separated string. A value listed one per line below a
    label standing alone on its line keeps its lines apart (a line ending in '&', ',', 'and', or
    followed by one starting in '&' or lower case, runs on)."""
    found = _label_spans(lines, label)
    if found is None:
        return None
    parts = [p.strip() for p in found[1].split("\n")]
    if len(parts) > 2 and not parts[0] and not any("," in p or ";" in p for p in parts):
        joined: list[str] = []
        for p in parts[1:]:
            if joined and (_CONTINUES.search(joined[-1]) or re.match(r"[&a-z]", p)):
                joined[-1] += " " + p
            else:
                joined.append(p)
        return ", ".join(p for p in joined if p)
    return " ".join(p for p in parts if p)


def parse_reviewer(lines: Sequence[str]) -> Reviewer:
    """Reviewer credentials from the lines of the qualifications part of a letter."""
    states_text = _labelled_value(lines, STATES_LABEL)
    spec_text = _labelled_value(lines, SPECIALTY_LABEL)
    states = [state_name(s) for s in _split_list(states_text)] if states_text else []
    specialties = _specialties(spec_text) if spec_text else []
    if not specialties or not states:
        text = re.sub(r" *\n *", "\n", " ".join("\n" if ln == BREAK else ln for ln in lines)).strip()
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
