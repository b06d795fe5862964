"""DWC service taxonomy for an item's request text (category, subcategory, drug class).

DWC assigns ``service_category`` / ``service_subcategory`` / ``drug_class`` in its index; the letter never
prints them.  :func:`classify_service` reproduces them with explainable rules kept as data:

* :mod:`imr.taxonomy_rules`: a table of rules, each a list of words (synonyms, abbreviations, word families)
  naming one (category, subcategory);
* :mod:`imr.taxonomy_drugs`: drug names (generic and brand) -> DWC drug class;
* :mod:`imr.taxonomy_stems`: generic-name stems -> drug class, for generics the dictionary does not list.

The steps:

1. The request is normalised (:func:`normalize`: lower case, one kind of dash, a hyphen between letters read
   as a space, trademark signs dropped) and leading prefixes are removed and remembered: "Retrospective",
   "Associated surgical service:", "Post-op", "Pre-op".
2. Every rule that matches is a candidate; so is the first drug in the text (a dictionary name, else a
   generic stem, else, when no other service is named, a dictionary name of seven letters or more misspelled
   by one letter: "Omeprazol 20mg").  The winner has the lowest *tier*, then the earliest position (the head
   noun of a request comes first: "Acupuncture with capsaicin patch" is acupuncture), then the rule order
   (specific before generic: "TENS unit" before "electrical stimulation").  Tier 1 holds generic visit words
   (consult, follow-up, exam); tier 2 the head-noun backoffs (therapy sessions, equipment, tests, procedures,
   programs, dosage units), so they only decide when nothing specific matched.
3. DWC conventions are applied afterwards: labs, x-rays, EKG or clearance requested as an "Associated
   surgical service" or "Pre-op" are Surgery / Adjunct Surgical Services, while equipment, therapy and drugs
   requested that way keep their own category; pharmaceuticals have no subcategory except topical compounds;
   a topical whose drugs are unknown is a topical analgesic, or a compound when it lists two strengths or
   more; a generic surgical procedure on the spine is Surgery / Spine.

Unknown text gives ``(None, None, None)``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final

from imr.taxonomy_drugs import (
    COMPOUND_ONLY,
    COMPOUNDED_PRODUCTS,
    DRUGS,
    LOW_PRIORITY,
    PROCEDURAL_INJECTABLES,
    TOPICAL_COMMERCIAL,
    TOPICAL_PRODUCTS,
    TRANSDERMAL_KEEP,
    UNCLASSED,
)
from imr.taxonomy_rules import (
    ADJUNCT,
    DX,
    EM,
    INJ,
    NOT_MISSPELLED,
    PSY,
    RULES,
    RX,
    SPELLED,
    SURG,
    TOPICAL_COMPOUNDS,
    Rule,
)
from imr.taxonomy_stems import STEMS

Triple = tuple[str | None, str | None, str | None]
_NONE: Final[Triple] = (None, None, None)
TOPICAL_ANALGESICS = "Topical Analgesics"
#: (position, name, class) of one drug found in a request.
DrugHit = tuple[int, str, str]

_PREFIX = re.compile(
    r"^(?:(?P<retro>retrospective|retro|prospective|concurrent)\b\s*(?:request\s+(?:for|of)\s+)?:?|"
    r"(?P<assoc>associated surgical services?)\s*[:\-]?|"
    r"(?P<pre>pre|peri)[\s-]?(?:op(?:erative)?|surgical)\b\s*:?|"
    r"post[\s-]?(?:op(?:erative)?|surgical)\b\s*:?)\s*"
)
_PREOP_ANYWHERE = re.compile(r"\b(?:pre|peri|intra)[\s-]?op(?:erative)?\b|\bassociated surgical service")
_SPINE_REGION = re.compile(
    r"\b(?:spine|spinal|cervical|thoracic|lumbar|lumbosacral|sacral|sacroiliac|si joint|vertebra\w*|"
    r"dis[ck]s?|[ctl]\d(?:\s*-\s*[ctls]?\d)?|l5\s*-\s*s1)\b"
)
_TOPICAL_FORM = re.compile(
    r"\b(?:creams?|gels?|ointments?|lotions?|patch(?:es)?|topical\w*|transdermal|liniment|balm|roll[\s-]?on|"
    r"foam|(?<!nasal )sprays?|rub|emulsion)\b|\d\s*%"
)
_ORAL_FORM = re.compile(r"\b(?:oral|tabs?|tablets?|capsules?|caps|by mouth|po)\b")
_COMPOUNDED = re.compile(r"\bcompound\w*")
#: An ingredient with its strength ("flurbiprofen 20%"): the word before each percentage.
_STRENGTH = re.compile(r"\b([a-z]{3,})\s*\d+(?:\.\d+)?\s*%")
#: Three ingredients or more joined by slashes ("flurb/cyclobenz/lido cream").
_INGREDIENT_LIST = re.compile(r"\b[a-z]{3,}\s*/\s*[a-z]{3,}\s*/\s*[a-z]{3,}\b")
_PSY_EVAL = re.compile(
    r"\b(?:eval\w*|consult\w*|assess\w*|test\w*|screen\w*|follow[\s-]?up|visits?|medication management|"
    r"clearance|exam\w*|re ?eval\w*|mmpi\w*|bhi)"
)
_PSY_THERAPY = re.compile(
    r"\b(?:\w*therap\w*|cbt|cognitive|sessions?|treatments?|group|hypno\w*|relaxation|biofeedback|"
    r"partial hospitali\w*|day treatment|counsel\w*|stress management|inpatient|admission|hospitali\w*|residential|"
    r"intensive outpatient)"
)
_INJECTED = re.compile(r"\b(?:inject\w*|shots?|im|intramuscular)\b")
#: Given into a muscle: a systemic dose, even of a drug usually injected into a joint or nerve.
_INTRAMUSCULAR = re.compile(r"\b(?:im|intramuscular\w*)\b")
_ARTHROSCOPIC = re.compile(r"\barthroscop\w*|\b(?:knee|shoulder|hip|wrist|ankle|elbow) scope\b")
_GENERIC_SURGERY = (SURG, "Non-arthroscopic")

_CHARS = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2011": "-", "\u2010": "-", "\u00ae": " ", "\u2122": " ",
                        "\u00a9": " ", "\u2019": "'", "\u2018": "'"})  # fmt: skip
_LETTER_HYPHEN = re.compile(r"(?<=[a-z])-(?=[a-z])")
_SEP = re.compile(r"[\s-]+")


def _drug_pattern(drugs: Mapping[str, str]) -> re.Pattern[str]:
    names = sorted(drugs, key=len, reverse=True)
    alts = [re.sub(r"\\[ \-]", r"[\\s-]*", re.escape(n)) for n in names]
    return re.compile(r"(?<![a-z])(" + "|".join(alts) + r")(?![a-z])")


def _stem_pattern(stems: tuple[tuple[str, str], ...]) -> re.Pattern[str]:
    """One regex for a whole word matching any stem, a group per stem (matched with ``fullmatch`` on each
    word: much cheaper than searching every position of the request)."""
    return re.compile("|".join(f"({stem})" for stem, _ in stems))


#: The words stems are tried on: letters, or a strength such as "10/325mg" or "10/325 mg".
STEM_WORD = re.compile(r"[a-z]+|\d[\d./]*(?: ?mg\b)?")


_NEVER = re.compile(r"(?!)")
_STEM_CACHE = 65536  # words remembered per vocabulary


@dataclass(frozen=True)
class Vocabulary:
    """The rules, the drug dictionary and the drug stems a classification uses (the default is the curated
    one; ``bench/taxonomy.py`` builds reduced ones to estimate accuracy on unseen requests)."""

    rules: tuple[Rule, ...]
    drugs: Mapping[str, str]
    stems: tuple[tuple[str, str], ...] = ()
    drug_re: re.Pattern[str] = field(init=False, repr=False, compare=False)
    stem_re: re.Pattern[str] = field(init=False, repr=False, compare=False)
    canon: dict[str, str] = field(init=False, repr=False, compare=False)
    near_drug: dict[str, str | None] = field(init=False, repr=False, compare=False)
    _stem_of: dict[str, str | None] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "drug_re", _drug_pattern(self.drugs) if self.drugs else _NEVER)
        object.__setattr__(self, "stem_re", _stem_pattern(self.stems) if self.stems else _NEVER)
        object.__setattr__(self, "canon", {_SEP.sub("", n): n for n in self.drugs})
        object.__setattr__(self, "near_drug", _near_names(self.drugs))
        object.__setattr__(self, "_stem_of", {})

    def stem_class(self, word: str) -> str | None:
        """The class of the first stem matching the whole ``word``, or None (remembered per word: the words
        of requests repeat)."""
        if word in self._stem_of:
            return self._stem_of[word]
        m = self.stem_re.fullmatch(word)
        cls = self.stems[m.lastindex - 1][1] if m is not None and m.lastindex is not None else None
        if len(self._stem_of) >= _STEM_CACHE:
            self._stem_of.clear()
        self._stem_of[word] = cls
        return cls


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


#: Drug names this long or longer are recognised misspelled by one letter (shorter ones are too near to words
#: and to each other: "soma", "norco").
_MIN_MISSPELLED_DRUG = 7


def _near_names(drugs: Mapping[str, str]) -> dict[str, str | None]:
    """Each one-letter deletion of a one-word drug name (and the name itself) -> the name; None where two
    names of different classes share it (then neither is guessed)."""
    near: dict[str, str | None] = {}
    for name, cls in drugs.items():
        if len(name) < _MIN_MISSPELLED_DRUG or not name.isalpha():
            continue
        for key in _deletes(name) | {name}:
            other = near.get(key, name)
            near[key] = name if other is not None and drugs[other] == cls else None
    return near


VOCABULARY: Final = Vocabulary(RULES, DRUGS, STEMS)


#: Each one-letter deletion of a :data:`SPELLED` word (and the word itself) -> the word.
_SPELLED_NEAR: Final[dict[str, str]] = {
    near: word for word in SPELLED for near in sorted(_deletes(word) | {word}) if len(near) >= 6
}
_LONG_WORD = re.compile(r"[a-z]{7,}")


@lru_cache(maxsize=8192)
def _spelled(word: str) -> str:
    """``word``, or the :data:`SPELLED` word it misspells by one letter (a shared one-letter deletion: a letter
    dropped, added, changed, or two neighbours swapped)."""
    if word in SPELLED or word in DRUGS or word in NOT_MISSPELLED:
        return word
    return _one_edit_from(word, _SPELLED_NEAR) or word


def normalize(request: str) -> str:
    """The request as the rules read it: lower case, one kind of dash, a hyphen between letters read as a
    space ("follow-up" is "follow up"), trademark signs and runs of white space made one space, a one-letter
    misspelling of a service's head word read as the word ("physcial therapy")."""
    text = _LETTER_HYPHEN.sub(" ", request.lower().translate(_CHARS))
    text = _LONG_WORD.sub(lambda m: _spelled(m.group(0)), text)
    return re.sub(r"\s+", " ", text).strip()


def _strip_prefixes(text: str) -> tuple[str, bool]:
    """Remove leading request prefixes; report whether the item is a pre-op / associated surgical service."""
    surgical = bool(_PREOP_ANYWHERE.search(text))
    for _ in range(4):
        m = _PREFIX.match(text)
        if not m or not m.group(0):
            break
        text = text[m.end() :]
    return text, surgical


def request_text(request: str) -> tuple[str, bool]:
    """The normalised request without its prefixes, and whether it is a pre-op / associated surgical
    service (what the rules are matched against)."""
    return _strip_prefixes(normalize(request))


def drug_hits(text: str, vocabulary: Vocabulary = VOCABULARY) -> list[DrugHit]:
    """Every drug in normalised ``text``, in order: dictionary names, then generic stems on the words no
    dictionary name covers."""
    out: list[DrugHit] = []
    covered: list[tuple[int, int]] = []
    for m in vocabulary.drug_re.finditer(text):
        name = vocabulary.canon.get(_SEP.sub("", m.group(1)))
        if name is not None:
            out.append((m.start(), name, vocabulary.drugs[name]))
            covered.append(m.span())
    if vocabulary.stems:
        for w in STEM_WORD.finditer(text):
            cls = vocabulary.stem_class(w.group(0))
            if cls is not None and not any(a < w.end() and w.start() < b for a, b in covered):
                out.append((w.start(), w.group(0), cls))
    return sorted(out)


def _one_edit(a: str, b: str) -> bool:
    """``a`` and ``b`` differ by one letter dropped, added or changed, or two neighbours swapped."""
    if len(a) > len(b):
        a, b = b, a
    if len(b) - len(a) > 1:
        return False
    diff = [i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y]
    if len(a) < len(b):
        i = diff[0] if diff else len(a)
        return a[i:] == b[i + 1 :]
    if len(diff) == 2:
        i, j = diff
        return j == i + 1 and a[i] == b[j] and a[j] == b[i]
    return len(diff) == 1


def _one_edit_from(word: str, near: Mapping[str, str | None]) -> str | None:
    """The word of ``near`` (a table from each one-letter deletion of its words, and the words, to the word)
    that ``word`` is one edit from, looked up by ``word`` and its own deletions in a fixed order; None when
    there is none (a shared deletion alone can also be a letter moved, two edits)."""
    for key in (word, *sorted(_deletes(word))):
        target = near.get(key)
        if target is not None and _one_edit(word, target):
            return target
    return None


def misspelled_drug_hits(text: str, vocabulary: Vocabulary = VOCABULARY) -> list[DrugHit]:
    """Drugs in normalised ``text`` misspelled by one letter (dropped, added, changed or two neighbours
    swapped: "omeprazol", "gabapentine", "tramadal"); words the dictionary or a stem already names are left
    alone. Only names of seven letters or more, and only where one drug class is meant."""
    out: list[DrugHit] = []
    for m in _LONG_WORD.finditer(text):
        word = m.group(0)
        if word in vocabulary.drugs or vocabulary.stem_class(word) is not None:
            continue
        name = _one_edit_from(word, vocabulary.near_drug)
        if name is not None:
            out.append((m.start(), name, vocabulary.drugs[name]))
    return out


def _compound_by_strengths(text: str, known: set[str]) -> bool:
    """Two ingredients or more with their strengths, one of them not a commercial topical's: a compound."""
    ingredients = set(_STRENGTH.findall(text))
    return len(ingredients) >= 2 and not ingredients <= known


def _classify_drugs(text: str, hits: list[DrugHit]) -> Triple:
    """Pharmaceuticals triple for the drugs found (topical compound, topical analgesic or the drug's class)."""
    names = {n for _, n, _ in hits}
    classes = [c for _, _, c in hits if c != COMPOUND_ONLY]
    topical = bool(_TOPICAL_FORM.search(text)) and not _ORAL_FORM.search(text)
    if names & COMPOUNDED_PRODUCTS:
        return RX, TOPICAL_COMPOUNDS, TOPICAL_COMPOUNDS
    if names & TOPICAL_PRODUCTS:
        return RX, None, TOPICAL_ANALGESICS
    if _COMPOUNDED.search(text) and (topical or len(names) > 1):
        return RX, TOPICAL_COMPOUNDS, TOPICAL_COMPOUNDS
    if topical and not (classes and all(c in TRANSDERMAL_KEEP for c in classes)):
        commercial = {w for n in TOPICAL_COMMERCIAL for w in n.split()}
        if names <= TOPICAL_COMMERCIAL and not _compound_by_strengths(text, commercial):
            return RX, None, TOPICAL_ANALGESICS
        return RX, TOPICAL_COMPOUNDS, TOPICAL_COMPOUNDS
    ranked = [c for _, n, c in hits if c != COMPOUND_ONLY and n not in LOW_PRIORITY]
    if ranked:
        return RX, None, _drug_class(ranked[0])
    return RX, None, (_drug_class(classes[0]) if classes else None)


def _classify_unknown_drug(text: str) -> Triple:
    """Pharmaceuticals triple for a request whose drug no dictionary name or stem knows."""
    topical = bool(_TOPICAL_FORM.search(text)) and not _ORAL_FORM.search(text)
    if _COMPOUNDED.search(text) or (topical and (_compound_by_strengths(text, set()) or _INGREDIENT_LIST.search(text))):
        return RX, TOPICAL_COMPOUNDS, TOPICAL_COMPOUNDS
    return (RX, None, TOPICAL_ANALGESICS) if topical else (RX, None, None)


def _drug_class(cls: str) -> str | None:
    return None if cls == UNCLASSED else cls


def _apply_injection(result: Triple, rule: Rule | None, text: str, hits: list[DrugHit]) -> Triple:
    """Drugs given by injection: viscosupplements and systemic drugs are Pharmaceuticals, local/steroid shots
    into a joint, nerve or trigger point are Injection / Injection."""
    if not hits or not _INJECTED.search(text):
        return result
    names = {n for _, n, _ in hits}
    classes = {c for _, _, c in hits}
    if "Viscosupplementation" in classes:
        return RX, None, "Viscosupplementation"
    procedural = set() if _INTRAMUSCULAR.search(text) else PROCEDURAL_INJECTABLES
    systemic = names - procedural - {n for _, n, c in hits if c == COMPOUND_ONLY}
    if result[0] == RX:
        return (RX, None, "Injection") if systemic else (INJ, "Injection", None)
    if rule is not None and rule.name == "injection" and systemic:
        return RX, None, "Injection"
    return result


def _psych_subcategory(text: str) -> str:
    """Behavioral health: evaluation/management visits vs therapies, by whichever is named first."""
    ev = _PSY_EVAL.search(text)
    th = _PSY_THERAPY.search(text)
    if ev and (not th or ev.start() < th.start()):
        return "Evaluation & Management"
    if th:
        return "Therapies"
    return "Evaluation & Management" if "psychiatr" in text else "Therapies"


def winning_rule(text: str, vocabulary: Vocabulary = VOCABULARY) -> tuple[Rule | None, int]:
    """The rule that names normalised ``text`` (lowest tier, then earliest match, then table order) and
    the position of its match; ``(None, -1)`` when no rule matches."""
    best: tuple[int, int, int] | None = None
    winner: Rule | None = None
    for idx, rule in enumerate(vocabulary.rules):
        m = rule.pattern.search(text)
        if m and (best is None or (rule.tier, m.start(), idx) < best):
            best, winner = (rule.tier, m.start(), idx), rule
    return winner, (best[1] if best else -1)


def classify_service(request: str, vocabulary: Vocabulary = VOCABULARY) -> tuple[str | None, str | None, str | None]:
    """(service_category, service_subcategory, drug_class) for a request; None where unknown.

    Never raises: any text (including empty or non-medical text) gives a triple.
    """
    if not isinstance(request, str) or not request.strip():
        return _NONE
    text, surgical = request_text(request)
    winner, position = winning_rule(text, vocabulary)
    hits = drug_hits(text, vocabulary)
    if winner is None or winner.category == RX:  # "Omeprazol 20mg": a drug the dictionary spells otherwise
        hits = sorted(hits + misspelled_drug_hits(text, vocabulary))
    if hits and (winner is None or (0, hits[0][0]) < (winner.tier, position)):
        winner = None
        result = _classify_drugs(text, hits)
    elif winner is not None:
        sub = winner.subcategory
        if winner.category == PSY:
            sub = _psych_subcategory(text)
        elif (winner.category, sub) == _GENERIC_SURGERY and _SPINE_REGION.search(text):
            sub = "Spine"
        elif (winner.category, sub) == _GENERIC_SURGERY and _ARTHROSCOPIC.search(text):
            sub = "Arthroscopic"  # "Bankart repair, arthroscopic"
        result = (winner.category, sub, winner.drug_class)
        if winner.category == RX:
            result = _classify_drugs(text, hits) if hits else _classify_unknown_drug(text)
    else:
        result = _NONE
    result = _apply_injection(result, winner, text, hits)
    if surgical and result[0] in (DX, EM, None):
        return SURG, ADJUNCT, None
    return result
