"""Guideline lines: 'Claims Administrator guideline: ...' and 'MAXIMUS guideline: ...'."""

from __future__ import annotations

import re

from imr.models import Guideline

_NONE = re.compile(r"did not cite any (?:medical )?evidence|no (?:medical )?evidence (?:was )?cited|none cited", re.I)
_NON_MTUS = re.compile(
    r"Non-?\s?MTUS|outside of the MTUS|Official Disability Guidelines|\bODG\b|\bACOEM\b|UpToDate|https?://|www\.", re.I
)


def _mtus_cited(text: str) -> bool:
    """MTUS cited as a source (not merely 'outside of the MTUS' or 'Non-MTUS')."""
    cleaned = re.sub(r"outside of the MTUS(?: Guidelines)?|Non-?\s?MTUS", " ", text, flags=re.I)
    return bool(re.search(r"\bMTUS\b|Medical Treatment Utilization Schedule", cleaned, re.I))


#: the reviewer's line that adopts the Claims Administrator's guidelines instead of citing its own
#: ("The Expert Reviewer found the guidelines used by the Claims Administrator appropriate and
#: relevant to the issue at dispute.", older letters)
_ADOPTS_CA = re.compile(
    r"guidel\w*(?:\(s\))?\s+(?:used|cited|relied\s+upon|applied)\s+by\s+the\s+Claims\s+Administrator\b"
    r".*\b(?:appropriate|relevant|applicable)\b",
    re.I,
)
#: a line that rejects them instead ("did not find ... appropriate", "not relevant", "inappropriate")
_REJECTS = re.compile(r"\b(?:not|never|inappropriate|irrelevant|inapplicable)\b|n't\b", re.I)


def classify_pair(ca_text: str | None, mx_text: str | None) -> tuple[Guideline, Guideline]:
    """The Claims Administrator's and the reviewer's guideline lines of one item. A reviewer's line
    that cites nothing itself but finds the Claims Administrator's guidelines appropriate has
    their source (its own words stay its text)."""
    ca, mx = classify(ca_text), classify(mx_text)
    adopts = mx.text is not None and bool(_ADOPTS_CA.search(mx.text)) and not _REJECTS.search(mx.text)
    if adopts and mx.source is None and ca.source not in (None, "none"):
        mx = Guideline(ca.source, mx.text)
    return ca, mx


def classify(text: str | None) -> Guideline:
    """A guideline line's source class (mtus, non_mtus, mtus_and_non_mtus, none) and its text."""
    if text is None:
        return Guideline(None, None)
    t = re.sub(r"\s+", " ", text).strip()
    if not t:
        return Guideline(None, None)
    if _NONE.search(t) and not _mtus_cited(t) and not re.search(r"Non-?\s?MTUS Citation", t, re.I):
        return Guideline("none", t)
    mtus = _mtus_cited(t)
    non = bool(_NON_MTUS.search(t))
    if mtus and non:
        return Guideline("mtus_and_non_mtus", t)
    if mtus:
        return Guideline("mtus", t)
    if non:
        return Guideline("non_mtus", t)
    return Guideline(None, t)
