"""What a clinical case summary states about the injured worker: age, sex, occupation, diagnoses."""

from __future__ import annotations

import re

from imr.models import Patient

_UNITS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
#: An age written in words ('forty-five', 'Sixty two', 'nineteen').
_AGE_WORDS = r"(?:(?:" + "|".join(_TENS) + r")(?:[- ](?:" + "|".join(_UNITS) + r"))?|" + "|".join(_TEENS) + ")"
_AGE_TAIL = (
    r"[- ]?(?:(?:year|yr)s?[- ]old\b|(?:year|yr)s?\s+of\s+age\b|y/o\b|y\.o\.(?!\w)|yo\b)[,.]?\s*(?:[\w-]+\s+){0,2}?"
    r"(male|female|man|woman|gentleman|lady|men|women|M(?=[\s,.;)]|$)|F(?=[\s,.;)]|$))?\b"
)
#: 'a 48 year old male', '48-year-old', '48 y.o. M', '48 years of age' (the age is group 1, the sex group 2).
AGE_SEX = re.compile(r"\b(\d{1,3})" + _AGE_TAIL, re.I)
#: The same with the age in words ('a forty-five-year-old woman').
AGE_WORDS_SEX = re.compile(r"\b(" + _AGE_WORDS + ")" + _AGE_TAIL, re.I)
#: 'a 41 year old female', read when the age phrase names no sex (group 1).
SEX_PHRASE = re.compile(r"\b(?:a|an|this|the)\s+(?:[\w-]+\s+){0,3}?(male|female|man|woman)\b", re.I)
SEX_WORDS = {
    "m": "male",
    "f": "female",
    "male": "male",
    "man": "male",
    "gentleman": "male",
    "female": "female",
    "woman": "female",
    "lady": "female",
}
OCCUPATION = re.compile(
    r"\b(?:This|The|A|An)\s+([a-z][a-z /-]{2,40}?)\s+(?:sustained|suffered|was injured|reported an injury)", re.I
)
_NOT_OCCUPATIONS = {"patient", "injured worker", "applicant", "claimant", "employee", "worker", "iw", "case"}
DIAGNOSES = re.compile(
    r"\b(?:diagnos(?:es|is)|diagnosed with)\s*(?:include[sd]?|of|are|were|was|is|:)?\s*:?\s*(.+?)(?:\.\s|\.$)",
    re.I,
)


def age_value(text: str) -> int:
    """An age as digits or in words ('45', 'forty-five', 'Nineteen')."""
    if text.isdigit():
        return int(text)
    words = re.split(r"[- ]", text.lower())
    if words[0] in _TEENS:
        return 10 + _TEENS.index(words[0])
    return 20 + 10 * _TENS.index(words[0]) + (_UNITS.index(words[1]) + 1 if len(words) > 1 else 0)


def parse_patient(summary: str) -> Patient:
    """Age and sex from the first 'NN year old male/female' phrase; occupation from 'This <job>
    sustained an injury'. Nothing is guessed: absent means None."""
    p = Patient()
    found = [m for m in (AGE_SEX.search(summary), AGE_WORDS_SEX.search(summary)) if m is not None]
    m = min(found, key=lambda m: m.start()) if found else None
    if m:
        age = age_value(m.group(1))
        p.age = age if 10 <= age <= 110 else None
        if m.group(2):
            p.sex = SEX_WORDS.get(m.group(2).lower())  # type: ignore[assignment]
    if p.sex is None:
        m2 = SEX_PHRASE.search(summary)
        if m2:
            p.sex = SEX_WORDS.get(m2.group(1).lower())  # type: ignore[assignment]
    m3 = OCCUPATION.search(summary)
    if m3:
        occ = m3.group(1).strip().lower()
        if occ not in _NOT_OCCUPATIONS and not re.search(r"\d|year|old|male|female", occ):
            p.occupation = occ
    return p


def parse_diagnoses(summary: str) -> list[str]:
    """Diagnoses listed in the first 'diagnoses include ...' sentence, split on ; and commas."""
    m = DIAGNOSES.search(summary)
    if not m:
        return []
    body = re.sub(r"\s+", " ", m.group(1)).strip()
    parts = re.split(r";\s*(?:and\s+)?|,\s*(?:and\s+)?(?=[A-Za-z])|\s+and\s+(?=[A-Z])", body)
    return [p.strip(" .") for p in parts if 2 < len(p.strip(" .")) < 200][:20]
