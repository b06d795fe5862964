"""Disputed items: decision lines, guideline lines and rationales.

Layouts B, C and D print, per item::

    <item text>: Upheld|Overturned
    Claims Administrator guideline: ...
    MAXIMUS guideline: ...
    Decision rationale: ... (ends with a necessity conclusion)

The label lines anchor the blocks; the item paragraph is found walking back from the first label
to a paragraph break or the previous sentence's end, so decision lines with colons inside the item
name, decision words wrapped onto their own line, and rationale lines that look like decision lines
are all read right. Layout A states each decision as a numbered sentence ('1) MAXIMUS Federal
Services, Inc. has determined the request for X is not medically necessary').

An item whose decision cannot be resolved raises :class:`UnresolvedItemError`: a letter is never
emitted with a guessed decision.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from imr.errors import UnresolvedItemError
from imr.extract.distance import edit_distance
from imr.extract.document import BREAK
from imr.extract.guidelines import classify
from imr.models import DECISIONS, Guideline, Item

LABELS: dict[str, re.Pattern[str]] = {
    "ca": re.compile(r"^\s*Claims?\s+Administrator(?:'s)?\s+guidelines?\s*:\s*", re.I),
    "mx": re.compile(r"^\s*(?:MAXIMUS|Expert\s+Reviewer(?:'s)?|IMR|Reviewer(?:'s)?)\s+guidelines?\s*:\s*", re.I),
    "rat": re.compile(r"^\s*Decision\s+rationale\s*:\s*", re.I),
}
_ORDER = {"ca": 0, "mx": 1, "rat": 2}
DECISION_END = re.compile(r"^(?P<req>.*?)\s*:\s*(?P<dec>upheld|overturned)\s*\.?\s*$", re.I | re.S)
_DECISION_WORD_LINE = re.compile(r"^\s*(?:upheld|overturned)\s*\.?\s*$", re.I)
_ENDS_SENTENCE = re.compile(r"[.!?][\"')\]]?\s*$")
_ITEM_CONTINUES = re.compile(
    r"(?:was\s+the\s+original\s+request|by\s+the\s+Claims\s+Administrator|IMR\s+eligible|"
    r"original\s+request\s+IMR\s+eligible)\.\s*$",
    re.I,
)
_INTRO = re.compile(r"set forth below:?\s*$|disputed items?/services?", re.I)
#: A numbered decision sentence (older layout C): '2. <request> is (not) medically necessary
#: and appropriate.' Upheld when not medically necessary ('notmedically' reads as 'not').
NUMBERED_NECESSITY = re.compile(
    r"^\s*\(?(?P<num>\d{1,2})[.)]\s+(?:(?:MAXIMUS\b.*?\bhas\s+determined\s+(?:that\s+)?)?the\s+request\s+for\s+)?"
    r"(?P<req>.+?)\s+(?:is|was)\s+(?P<neg>not\s*)?medically\s+necessary(?:\s+and\s+appropriate)?\s*\.?\s*$",
    re.I | re.S,
)
_NUMBERED_START = re.compile(r"^\s*\(?\d{1,2}[.)]\s+\S")
#: Words of a rationale's necessity conclusion: a request never runs across them.
_CONCLUSION = re.compile(r"\bmedically\s+necessary\b", re.I)
#: The last word of a line after its last colon ('<item>: Uph#ld'), or a word alone on its line.
_LAST_WORD = re.compile(r"(?:^|:)\s*(?P<word>[^\s:]{4,14})\s*\.?\s*$")
_DECISION_WORDS = DECISIONS


def damaged_decision(line: str) -> bool:
    """True when ``line`` ends like a decision line whose decision word cannot be read: the word
    after its last colon (or alone on the line) is within two edits of 'Upheld' or 'Overturned'
    without being either ('Uph#ld', 'Overtumed'). Such a line is an item, never a sentence to skip."""
    m = _LAST_WORD.search(line)
    if m is None or DECISION_END.match(line) or _DECISION_WORD_LINE.match(line):
        return False
    word = m.group("word").lower()
    alone = m.start() == 0 or line[: m.start()].strip() == ""
    if alone and not re.fullmatch(r"\S{4,14}", line.strip().rstrip(".")):
        return False
    return any(edit_distance(word, w) <= 2 for w in _DECISION_WORDS)


@dataclass
class _Line:
    text: str
    para_start: bool


def _compact(lines: Sequence[str]) -> list[_Line]:
    out: list[_Line] = []
    brk = True
    for line in lines:
        if line == BREAK:
            brk = True
            continue
        out.append(_Line(line, brk))
        brk = False
    return out


def _label(line: str) -> str | None:
    for kind, rx in LABELS.items():
        if rx.match(line):
            return kind
    return None


def _ends_with_decision(line: str) -> bool:
    return bool(DECISION_END.match(line) or _DECISION_WORD_LINE.match(line) or NUMBERED_NECESSITY.match(line))


def request_from_paragraph(text: str) -> tuple[str, str] | None:
    """(request, decision) from an item paragraph ending in ': Upheld' / ': Overturned'.

    For a request modified by UR, the request is the IMR-eligible portion named after
    'original request,'. Returns None when no decision word ends the paragraph."""
    t = re.sub(r"\s+", " ", text).strip()
    m = DECISION_END.match(t)
    if m is None:
        return _numbered_necessity(t)
    req = m.group("req").strip()
    decision = m.group("dec").lower()
    portion = list(re.finditer(r"original request\s*,\s*", req, re.I))
    if portion and re.search(r"was the original request|IMR eligible", req, re.I):
        req = req[portion[-1].end() :]
    req = re.sub(r"\s+is\s*$", "", req).strip().rstrip(":").strip()
    if not req:
        return None
    return req, decision


def _numbered_necessity(text: str) -> tuple[str, str] | None:
    m = NUMBERED_NECESSITY.match(text)
    if m is None:
        return None
    return m.group("req").strip(), ("upheld" if m.group("neg") is not None else "overturned")


def parse_item_blocks(lines: Sequence[str]) -> list[Item]:
    """Items of the decisions section (layouts B, C, D). Raises UnresolvedItemError when an item
    block has no readable decision."""
    rows = _compact(lines)
    kinds = [_label(r.text) for r in rows]
    anchors: list[int] = []
    last_kind: str | None = None
    for i, kind in enumerate(kinds):
        if kind is None:
            continue
        prev_decision = i > 0 and kinds[i - 1] is None and _ends_with_decision(rows[i - 1].text)
        if last_kind is None or _ORDER[kind] <= _ORDER[last_kind] or prev_decision:
            anchors.append(i)
        last_kind = kind
    if not anchors:
        return _decision_lines_only(rows)
    lower = _intro_end(rows, anchors[0])
    listed = [j for j in range(lower, anchors[0]) if _NUMBERED_START.match(rows[j].text)]
    if len(listed) > 1:
        return _listed_then_blocks(rows, kinds, anchors, listed[0])
    starts: list[int] = []
    for k, a in enumerate(anchors):
        if k > 0:
            lower = max(j for j in range(anchors[k - 1], a) if kinds[j] is not None) + 1
        starts.append(_item_start(rows, a, lower))
    items: list[Item] = []
    for k, a in enumerate(anchors):
        para = " ".join(r.text for r in rows[starts[k] : a])
        parsed = request_from_paragraph(para)
        if parsed is None:
            raise UnresolvedItemError(f"item {k + 1}: no decision (Upheld/Overturned) could be read")
        request, decision = parsed
        end = starts[k + 1] if k + 1 < len(anchors) else len(rows)
        segs = _segments(rows[a:end], kinds[a:end])
        items.append(
            Item(
                ordinal=k + 1,
                request=request,
                decision=decision,  # type: ignore[arg-type]
                claims_administrator_guideline=classify(segs.get("ca")),
                reviewer_guideline=classify(segs.get("mx")),
                rationale=segs.get("rat"),
            )
        )
    return items


def _listed_then_blocks(
    rows: Sequence[_Line], kinds: Sequence[str | None], anchors: list[int], first: int
) -> list[Item]:
    """A numbered list of decisions first, then one block of label lines per item (in order).
    The blocks' guidelines attach by position only when there is one block per listed item."""
    items = _decision_lines_only(rows[first : anchors[0]])
    if not items:
        raise UnresolvedItemError("the numbered decisions could not be read")
    if len(anchors) == len(items):
        for k, a in enumerate(anchors):
            end = anchors[k + 1] if k + 1 < len(anchors) else len(rows)
            segs = _segments(rows[a:end], kinds[a:end])
            items[k].claims_administrator_guideline = classify(segs.get("ca"))
            items[k].reviewer_guideline = classify(segs.get("mx"))
            items[k].rationale = segs.get("rat")
    return items


def _intro_end(rows: Sequence[_Line], first_anchor: int) -> int:
    for j in range(first_anchor - 1, -1, -1):
        if _INTRO.search(rows[j].text) and not _ends_with_decision(rows[j].text):
            return j + 1
    return 0


def _item_start(rows: Sequence[_Line], anchor: int, lower: int) -> int:
    """First line of the item paragraph ending just above ``anchor``: walk up to a paragraph
    break or a line ending a sentence. A sentence of a UR-modified request ('... was the original
    request.') continues the paragraph only when the paragraph is such a request; a line with a
    necessity conclusion never does. So a request stops at its own line's start."""
    start = _walk_up(rows, anchor, lower, modified=True)
    para = " ".join(r.text for r in rows[start:anchor])
    if not re.search(r"original\s+request", para, re.I):
        start = _walk_up(rows, anchor, lower, modified=False)
    return start


def _continues_across_gap(line: str, above: str, last: bool) -> bool:
    """A gap that cannot end the paragraph (a lost page break): before the decision word wrapped
    onto its own line, or before a line that starts in lower case after an unfinished sentence."""
    if last and _DECISION_WORD_LINE.match(line):
        return True
    complete = DECISION_END.match(line) or NUMBERED_NECESSITY.match(line)
    return line[:1].islower() and not complete and not _ENDS_SENTENCE.search(above)


def _walk_up(rows: Sequence[_Line], anchor: int, lower: int, modified: bool) -> int:
    j = anchor - 1
    if j < lower:
        return anchor
    while j > lower:
        above = rows[j - 1].text
        if rows[j].para_start and not _continues_across_gap(rows[j].text, above, j == anchor - 1):
            break
        if _ENDS_SENTENCE.search(above) and not (modified and _ITEM_CONTINUES.search(above)):
            break
        if _CONCLUSION.search(above) and not _NUMBERED_START.match(above):
            break
        j -= 1
    return j


def _segments(rows: Sequence[_Line], kinds: Sequence[str | None]) -> dict[str, str]:
    segs: dict[str, list[str]] = {}
    cur: str | None = None
    for row, kind in zip(rows, kinds, strict=True):
        if kind is not None and kind not in segs:
            cur = kind
            segs[cur] = [LABELS[kind].sub("", row.text, count=1)]
        elif cur is not None:
            segs[cur].append(row.text)
    return {k: re.sub(r"\s+", " ", " ".join(v)).strip() for k, v in segs.items()}


#: The longest paragraph a decision line is read with (real requests take a few lines; a cap keeps
#: a flood of decision words linear instead of re-joining an ever longer paragraph per line).
_MAX_PARAGRAPH_LINES = 60


def _decision_lines_only(rows: Sequence[_Line]) -> list[Item]:
    """Fallback for a decisions section without guideline/rationale labels: every paragraph
    ending in ': Upheld' / ': Overturned' is an item."""
    items: list[Item] = []
    para: list[str] = []
    for idx, row in enumerate(rows):
        if row.para_start or _NUMBERED_START.match(row.text):
            para = []
        para.append(row.text)
        if len(para) > _MAX_PARAGRAPH_LINES:  # no request is this long: keep the work per line bounded
            del para[0]
        nxt_starts = idx + 1 >= len(rows) or rows[idx + 1].para_start
        if nxt_starts and damaged_decision(row.text):
            raise UnresolvedItemError(f"item {len(items) + 1}: the decision word could not be read")
        joined = " ".join(para)
        numbered = NUMBERED_NECESSITY.match(joined)
        if numbered and not DECISION_END.match(joined):
            items.append(_bare_item(len(items) + 1, joined))
            para = []
            continue
        if _ends_with_decision(row.text) and (nxt_starts or DECISION_END.match(row.text)):
            parsed = request_from_paragraph(joined if not DECISION_END.match(row.text) else row.text)
            if parsed is None and DECISION_END.match(joined):
                parsed = request_from_paragraph(joined)
            if parsed:
                items.append(
                    Item(
                        ordinal=len(items) + 1,
                        request=parsed[0],
                        decision=parsed[1],  # type: ignore[arg-type]
                        claims_administrator_guideline=Guideline(None, None),
                        reviewer_guideline=Guideline(None, None),
                    )
                )
                para = []
    return items


def count_listed(lines: Sequence[str]) -> int:
    """Number of numbered entries ('1. X', '2) Y') starting a line of ``lines`` (a list of issues)."""
    return sum(1 for ln in lines if ln != BREAK and _NUMBERED_START.match(ln))


def _bare_item(ordinal: int, text: str) -> Item:
    parsed = _numbered_necessity(re.sub(r"\s+", " ", text).strip())
    if parsed is None:  # pragma: no cover - callers pass a matching text
        raise UnresolvedItemError(f"item {ordinal}: no decision could be read")
    return Item(ordinal=ordinal, request=parsed[0], decision=parsed[1])  # type: ignore[arg-type]


# ---- layout A: numbered necessity sentences ---------------------------------------------------

_A_DECISION = re.compile(
    r"has\s+determined\s+(?:that\s+)?the\s+request\s+for\s+(?P<req>.+?)\s+(?:is|was)\s+"
    r"(?P<neg>not\s*|not)?medically\s+necessary",
    re.I | re.S,
)


def parse_numbered_decisions(lines: Sequence[str]) -> list[Item]:
    """Layout A's numbered decisions ('1) ... has determined the request for X is (not) medically
    necessary and appropriate'). 'notmedically' (an extraction artifact) reads as 'not'."""
    text = re.sub(r"\s+", " ", " ".join(ln for ln in lines if ln != BREAK))
    parts = re.split(r"(?:^|\s)(\d{1,2})[.)]\s+", text)
    items: list[Item] = []
    for k in range(1, len(parts) - 1, 2):
        body = parts[k + 1]
        m = _A_DECISION.search(body)
        if not m:
            if re.search(r"medically necessary|determined", body, re.I):
                raise UnresolvedItemError(f"numbered decision {parts[k]}: the decision could not be read")
            continue
        decision = "upheld" if m.group("neg") is not None else "overturned"
        items.append(
            Item(
                ordinal=len(items) + 1,
                request=m.group("req").strip(),
                decision=decision,  # type: ignore[arg-type]
            )
        )
    return items


# ---- layout A: per-item guideline and rationale sections ---------------------------------------

_A_SECTION: dict[str, re.Pattern[str]] = {
    "ca": re.compile(
        r"^\s*Medical\s+Treatment\s+Guidelines?\s*(?:\(s\))?\s+Relied\s+Upon\s+by\s+the\s+Claims?\s+"
        r"Administrator\s*:?\s*",
        re.I,
    ),
    "mx": re.compile(
        r"^\s*Medical\s+Treatment\s+Guidelines?\s*(?:\(s\))?\s+Relied\s+Upon\s+by\s+the\s+"
        r"(?:Expert|Physician|Professional|IMR)?\s*Reviewer\s*:?\s*",
        re.I,
    ),
    "rat": re.compile(r"^\s*Rationale\s+for\s+the\s+Decision\s*:?\s*", re.I),
}
_A_ITEM_HEAD = re.compile(r"^\s*\(?\d{1,2}[.)]\s+Regarding\s+the\s+request\s+for\b", re.I)
_A_STOP = re.compile(
    r"^\s*(?:[A-Z][A-Z ,()/&'-]{12,}:?\s*$|Medical\s+Qualifications|(?:Expert\s+Reviewer\s+)?Case\s+Summary)"
)


@dataclass
class ItemSections:
    """What an older letter states under one item's own headings."""

    claims_administrator_guideline: Guideline
    reviewer_guideline: Guideline
    rationale: str | None


def parse_item_sections(lines: Sequence[str]) -> list[ItemSections]:
    """Layout A's per-item sections, in order: 'Medical Treatment Guideline(s) Relied Upon by the
    Claims Administrator:', '... by the Expert Reviewer:' and 'Rationale for the Decision:'. A new
    item begins at a claims-administrator heading (or a '1) Regarding the request for ...' line)."""
    groups: list[dict[str, list[str]]] = []
    cur: list[str] | None = None
    for line in lines:
        if line == BREAK:
            continue
        kind = next((k for k, rx in _A_SECTION.items() if rx.match(line)), None)
        if kind is None:
            if _A_ITEM_HEAD.match(line) or _A_STOP.match(line):
                cur = None
                if _A_ITEM_HEAD.match(line):
                    groups.append({})
            elif cur is not None:
                cur.append(line)
            continue
        if not groups or kind in groups[-1] or (kind == "ca" and groups[-1]):
            groups.append({})
        cur = groups[-1].setdefault(kind, [_A_SECTION[kind].sub("", line, count=1)])
    out: list[ItemSections] = []
    for g in groups:
        if not g:
            continue
        text = {k: re.sub(r"\s+", " ", " ".join(v)).strip() for k, v in g.items()}
        out.append(ItemSections(classify(text.get("ca")), classify(text.get("mx")), text.get("rat") or None))
    return out
