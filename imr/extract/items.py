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
emitted with a guessed decision. The ``read_*`` functions never raise it: they return every item
as read (:class:`ItemRead`: its decision None when it could not be read, and the indexes of the
lines each part was read from) with the problem (:class:`ItemsRead`), for the partial letter of a
letter set aside and for the evidence of each value; the ``parse_*`` functions raise.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from imr.errors import UnresolvedItemError
from imr.extract.distance import edit_distance
from imr.extract.document import BREAK
from imr.extract.flat import Flat
from imr.extract.guidelines import classify_pair
from imr.models import DECISIONS, Decision, Guideline, Item

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
    after its last colon (or alone on the line), or the two or three words after its last colon
    read as one ('Overturn d'), is within two edits of 'Upheld' or 'Overturned' without being
    either ('Uph#ld', 'Overtumed'). Such a line is an item, never a sentence to skip."""
    if DECISION_END.match(line) or _DECISION_WORD_LINE.match(line):
        return False
    words: list[str] = []
    m = _LAST_WORD.search(line)
    if m is not None:
        alone = m.start() == 0 or line[: m.start()].strip() == ""
        if not alone or re.fullmatch(r"\S{4,14}", line.strip().rstrip(".")):
            words.append(m.group("word").lower())
    tail = line.rsplit(":", 1)[1].split() if ":" in line else []
    if 1 < len(tail) <= 3:
        words.append("".join(tail).rstrip(".").lower())
    return any(edit_distance(word, w) <= 2 for word in words for w in _DECISION_WORDS)


#: A section heading (a line in capitals): an item's paragraph never runs across one.
_HEADING_LINE = re.compile(r"^\s*[A-Z][A-Z ,()/&'-]{12,}:?\s*$")


@dataclass
class ItemRead:
    """One disputed item as read. ``decision`` is None when it could not be read (``request`` None
    when that could not be either). Where it was read, as indexes into the lines the parser was
    given (plus its ``offset``): ``request_lines`` the item's paragraph, ``decision_lines`` the
    line(s) of its decision words when the reader knows them (or where an unread one should
    stand; [] means: in the paragraph, :func:`decision_lines_in`), ``label_lines`` each label's
    lines (``ca``, ``mx``, ``rat``)."""

    request: str | None
    decision: Decision | None
    claims_administrator_guideline: Guideline = field(default_factory=Guideline)
    reviewer_guideline: Guideline = field(default_factory=Guideline)
    rationale: str | None = None
    request_lines: list[int] = field(default_factory=list)
    decision_lines: list[int] = field(default_factory=list)
    label_lines: dict[str, list[int]] = field(default_factory=dict)

    def to_item(self, ordinal: int) -> Item:
        """The model item (``ordinal`` 1-based); ValueError when its decision was not read."""
        if self.decision is None or self.request is None:
            raise ValueError("an item without a decision is not a letter's item")
        return Item(
            ordinal=ordinal,
            request=self.request,
            decision=self.decision,
            claims_administrator_guideline=self.claims_administrator_guideline,
            reviewer_guideline=self.reviewer_guideline,
            rationale=self.rationale,
        )


@dataclass
class ItemsRead:
    """The items of a letter as read, and why one of them has no decision (``problem``, the message
    of the :class:`UnresolvedItemError` the letter is set aside with; None when all were read)."""

    items: list[ItemRead] = field(default_factory=list)
    problem: str | None = None

    def unresolved(self, message: str) -> None:
        """Note a problem (the first one noted is the one reported)."""
        self.problem = self.problem or message

    def resolved(self) -> list[Item]:
        """The model items; raises UnresolvedItemError when an item's decision was not read."""
        if self.problem is not None:
            raise UnresolvedItemError(self.problem)
        return [it.to_item(k + 1) for k, it in enumerate(self.items)]


@dataclass
class _Line:
    text: str
    para_start: bool
    at: int = 0  # index in the lines given


def _compact(lines: Sequence[str], offset: int = 0) -> list[_Line]:
    out: list[_Line] = []
    brk = True
    for i, line in enumerate(lines, start=offset):
        if line == BREAK:
            brk = True
            continue
        out.append(_Line(line, brk, i))
        brk = False
    return out


def _label(line: str) -> str | None:
    for kind, rx in LABELS.items():
        if rx.match(line):
            return kind
    return None


def ends_with_decision(line: str) -> bool:
    """Whether ``line`` ends an item's decision: ': Upheld', the word alone, a numbered necessity sentence."""
    return bool(DECISION_END.match(line) or _DECISION_WORD_LINE.match(line) or NUMBERED_NECESSITY.match(line))


def request_from_paragraph(text: str) -> tuple[str, str] | None:
    """(request, decision) from an item paragraph ending in ': Upheld' / ': Overturned'.

    For a request modified by UR, the request is the IMR-eligible portion named after
    'original request,'. Returns None when no decision word ends the paragraph."""
    t = re.sub(r"\s+", " ", text).strip()
    m = DECISION_END.match(t)
    if m is None:
        return _numbered_necessity(t)
    req = _request_part(m.group("req"))
    decision = m.group("dec").lower()
    if not req:
        return None
    return req, decision


#: A list mark before a decision line's request in a letter typed again ('• X: Upheld', '- X: Upheld',
#: '2. X: Upheld', '(b) X: Upheld', 'b. X: Upheld', '(B) X: Upheld'): never part of the request.
_LIST_MARK = re.compile(
    r"^(?:[\u2022\u00b7\u25aa\u25e6\u25cf\u25a0*\u2013-]|\(?\d{1,2}[.)]|\(?[a-z][.)]|\([A-Z]\)|\([ivx]{1,4}\))\s+"
)


def _request_part(req: str) -> str:
    """The request named before a decision: for a request modified by UR, the IMR-eligible
    portion named after 'original request,'."""
    req = _LIST_MARK.sub("", req.strip(), count=1)
    portion = list(re.finditer(r"original request\s*,\s*", req, re.I))
    if portion and re.search(r"was the original request|IMR eligible", req, re.I):
        req = req[portion[-1].end() :]
    return re.sub(r"\s+is\s*$", "", req, flags=re.I).strip().rstrip(":").strip()


#: A numbered necessity sentence whose necessity words cannot be read ('is n#t medically necessary').
_UNREAD_NUMBERED = re.compile(
    r"^\s*\(?\d{1,2}[.)]\s+(?:(?:MAXIMUS\b.*?\bhas\s+determined\s+(?:that\s+)?)?the\s+request\s+for\s+)?"
    r"(?P<req>.+?)\s+(?:is|was)\s+(?:\S+\s+){0,3}?necessary",
    re.I | re.S,
)


def unread_request(text: str) -> str | None:
    """The request of an item paragraph whose decision cannot be read: the text before its last
    colon ('X: Uph#ld'), or the request of a numbered necessity sentence whose necessity words are
    damaged; None when there is neither."""
    t = re.sub(r"\s+", " ", text).strip()
    m = _UNREAD_NUMBERED.match(t)
    if m is not None:
        return m.group("req").strip() or None
    if ":" in t:
        return _request_part(t.rsplit(":", 1)[0]) or None
    return None


def _numbered_necessity(text: str) -> tuple[str, str] | None:
    m = NUMBERED_NECESSITY.match(text)
    if m is None:
        return None
    return m.group("req").strip(), ("upheld" if m.group("neg") is not None else "overturned")


#: The words that state a decision: the decision word, or a necessity conclusion.
_DECISION_WORDS_RE = re.compile(r"\b(?:upheld|overturned)\b|(?:\bnot\s*)?medically\s+necessary", re.I)


def decision_lines_in(lines: Sequence[str], paragraph: Sequence[int]) -> list[int]:
    """Of an item's paragraph (indexes into ``lines``), the line(s) that hold its decision words
    (the last ones stated); the last line when none can be found."""
    if not paragraph:
        return []
    flat = Flat.of([lines[i] for i in paragraph])
    found = list(_DECISION_WORDS_RE.finditer(flat.text))
    if not found:
        return [paragraph[-1]]
    m = found[-1]
    return [paragraph[k] for k in flat.lines_at(m.start(), m.end())]


def request_lines_in(lines: Sequence[str], paragraph: Sequence[int]) -> list[int]:
    """An item's paragraph without a decision word wrapped onto a line of its own."""
    kept = list(paragraph)
    if len(kept) > 1 and _DECISION_WORD_LINE.match(lines[kept[-1]]):
        kept.pop()
    return kept


def parse_item_blocks(lines: Sequence[str]) -> list[Item]:
    """Items of the decisions section (layouts B, C, D). Raises UnresolvedItemError when an item
    block has no readable decision."""
    return read_item_blocks(lines).resolved()


def read_item_blocks(lines: Sequence[str], offset: int = 0) -> ItemsRead:
    """Items of the decisions section (layouts B, C, D) as read, an item without a readable
    decision kept with ``decision`` None (and the problem noted); line indexes count from
    ``offset`` (``lines`` being a slice that starts there)."""
    rows = _compact(lines, offset)
    kinds = [_label(r.text) for r in rows]
    anchors: list[int] = []
    last_kind: str | None = None
    for i, kind in enumerate(kinds):
        if kind is None:
            continue
        prev_decision = i > 0 and kinds[i - 1] is None and ends_with_decision(rows[i - 1].text)
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
    out = ItemsRead()
    for k, a in enumerate(anchors):
        para_rows = rows[starts[k] : a]
        para = " ".join(r.text for r in para_rows)
        parsed = request_from_paragraph(para)
        request: str | None
        decision: Decision | None
        if parsed is None:
            out.unresolved(f"item {k + 1}: no decision (Upheld/Overturned) could be read")
            request, decision = unread_request(para), None
        else:
            request, decision = parsed[0], parsed[1]  # type: ignore[assignment]
        end = starts[k + 1] if k + 1 < len(anchors) else len(rows)
        segs, seg_lines = _segments(rows[a:end], kinds[a:end])
        ca, mx = classify_pair(segs.get("ca"), segs.get("mx"))
        out.items.append(
            ItemRead(
                request=request,
                decision=decision,
                claims_administrator_guideline=ca,
                reviewer_guideline=mx,
                rationale=segs.get("rat"),
                request_lines=[r.at for r in para_rows],
                decision_lines=[] if para_rows else [rows[a].at],
                label_lines=seg_lines,
            )
        )
    return out


def _listed_then_blocks(
    rows: Sequence[_Line], kinds: Sequence[str | None], anchors: list[int], first: int
) -> ItemsRead:
    """A numbered list of decisions first, then one block of label lines per item (in order).
    The blocks' guidelines attach by position only when there is one block per listed item."""
    found = _decision_lines_only(rows[first : anchors[0]])
    if not found.items:
        found.unresolved("the numbered decisions could not be read")
        for row in rows[first : anchors[0]]:
            if _NUMBERED_START.match(row.text):
                found.items.append(ItemRead(unread_request(row.text), None, request_lines=[row.at]))
        return found
    if len(anchors) == len(found.items):
        for k, a in enumerate(anchors):
            end = anchors[k + 1] if k + 1 < len(anchors) else len(rows)
            segs, seg_lines = _segments(rows[a:end], kinds[a:end])
            it = found.items[k]
            it.claims_administrator_guideline, it.reviewer_guideline = classify_pair(segs.get("ca"), segs.get("mx"))
            it.rationale = segs.get("rat")
            it.label_lines = seg_lines
    return found


def _intro_end(rows: Sequence[_Line], first_anchor: int) -> int:
    for j in range(first_anchor - 1, -1, -1):
        if _INTRO.search(rows[j].text) and not ends_with_decision(rows[j].text):
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
    onto its own line (or a damaged one), or before a line that starts in lower case after an unfinished sentence."""
    if last and (_DECISION_WORD_LINE.match(line) or damaged_decision(line) or _damaged_word_line(line)):
        return True
    complete = DECISION_END.match(line) or NUMBERED_NECESSITY.match(line)
    return line[:1].islower() and not complete and not _ENDS_SENTENCE.search(above)


def _damaged_word_line(line: str) -> bool:
    """A line of one to three words that read together as a damaged decision word ('U held'):
    just above an item's first label, that is where its decision stands."""
    tokens = line.split()
    word = "".join(tokens).rstrip(".").lower()
    return 0 < len(tokens) <= 3 and any(0 < edit_distance(word, w) <= 2 for w in _DECISION_WORDS)


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


def _segments(rows: Sequence[_Line], kinds: Sequence[str | None]) -> tuple[dict[str, str], dict[str, list[int]]]:
    """Each label's text (``ca``, ``mx``, ``rat``) and the indexes of the lines it was read from."""
    segs: dict[str, list[str]] = {}
    where: dict[str, list[int]] = {}
    cur: str | None = None
    for row, kind in zip(rows, kinds, strict=True):
        if kind is not None and kind not in segs:
            cur = kind
            segs[cur] = [LABELS[kind].sub("", row.text, count=1)]
            where[cur] = [row.at]
        elif cur is not None:
            segs[cur].append(row.text)
            where[cur].append(row.at)
    return {k: re.sub(r"\s+", " ", " ".join(v)).strip() for k, v in segs.items()}, where


#: The longest paragraph a decision line is read with (real requests take a few lines; a cap keeps
#: a flood of decision words linear instead of re-joining an ever longer paragraph per line).
_MAX_PARAGRAPH_LINES = 60


def _decision_lines_only(rows: Sequence[_Line]) -> ItemsRead:
    """Fallback for a decisions section without guideline/rationale labels: every paragraph
    ending in ': Upheld' / ': Overturned' is an item."""
    out = ItemsRead()
    para: list[_Line] = []
    for idx, row in enumerate(rows):
        if row.para_start or _NUMBERED_START.match(row.text):
            para = []
        if _HEADING_LINE.match(row.text):
            para = []
            continue
        para.append(row)
        if len(para) > _MAX_PARAGRAPH_LINES:  # no request is this long: keep the work per line bounded
            del para[0]
        nxt_starts = idx + 1 >= len(rows) or rows[idx + 1].para_start
        joined = " ".join(r.text for r in para)
        # a damaged decision line ends its paragraph, or starts one after a finished sentence (layout
        # B prints the rationale right below each decision line); it has a colon or is one word
        starts_item = False
        if ":" in row.text or " " not in row.text:
            starts_item = row.para_start or (idx > 0 and _ENDS_SENTENCE.search(rows[idx - 1].text) is not None)
        if (nxt_starts or starts_item) and damaged_decision(row.text):
            out.unresolved(f"item {len(out.items) + 1}: the decision word could not be read")
            if starts_item:
                para, joined = [row], row.text
            out.items.append(
                ItemRead(unread_request(joined), None, request_lines=[r.at for r in para], decision_lines=[row.at])
            )
            para = []
            continue
        numbered = NUMBERED_NECESSITY.match(joined) and _numbered_necessity(re.sub(r"\s+", " ", joined).strip())
        if numbered and not DECISION_END.match(joined):
            out.items.append(_read(numbered, para))
            para = []
            continue
        if (
            not nxt_starts
            and para[:-1]
            and _DECISION_WORD_LINE.match(row.text)
            and para[-2].text.rstrip().endswith(":")
        ):
            # the decision word wrapped onto its own line, the rationale right below (layout B): the
            # request is the paragraph's end above it, from the last finished sentence
            first = _item_start(rows, idx, idx - len(para) + 1)
            parsed = request_from_paragraph(" ".join(r.text for r in rows[first : idx + 1]))
            if parsed:
                out.items.append(_read(parsed, rows[first : idx + 1]))
                para = []
                continue
        if ends_with_decision(row.text) and (nxt_starts or DECISION_END.match(row.text)):
            alone = DECISION_END.match(row.text) is not None
            parsed = request_from_paragraph(row.text if alone else joined)
            used = [row] if alone else para
            if parsed is None and DECISION_END.match(joined):
                parsed, used = request_from_paragraph(joined), para
            if parsed:
                out.items.append(_read(parsed, used))
                para = []
    return out


def _read(parsed: tuple[str, str], rows: Sequence[_Line]) -> ItemRead:
    """An item read from a paragraph without label lines."""
    return ItemRead(
        request=parsed[0],
        decision=parsed[1],  # type: ignore[arg-type]
        claims_administrator_guideline=Guideline(None, None),
        reviewer_guideline=Guideline(None, None),
        request_lines=[r.at for r in rows],
    )


def count_listed(lines: Sequence[str]) -> int:
    """Number of numbered entries ('1. X', '2) Y') starting a line of ``lines`` (a list of issues)."""
    return sum(1 for ln in lines if ln != BREAK and _NUMBERED_START.match(ln))


# ---- layout A: numbered necessity sentences ---------------------------------------------------

_A_DECISION = re.compile(
    r"has\s+determined\s+(?:that\s+)?the\s+request\s+for\s+(?P<req>.+?)\s+(?:is|was)\s+"
    r"(?P<neg>not\s*|not)?medically\s+necessary",
    re.I | re.S,
)


#: What starts a numbered decision in layout A's joined text ('1) ', '2. ').
_NUMBERED_SPLIT = re.compile(r"(?:^|\s)(\d{1,2})[.)]\s+")
#: A numbered decision whose necessity words cannot be read ('is n#t medically necessary').
_A_UNREAD = re.compile(
    r"has\s+determined\s+(?:that\s+)?the\s+request\s+for\s+(?P<req>.+?)\s+(?:is|was)\s+(?:\S+\s+){0,3}?necessary",
    re.I | re.S,
)


def parse_numbered_decisions(lines: Sequence[str]) -> list[Item]:
    """Layout A's numbered decisions ('1) ... has determined the request for X is (not) medically
    necessary and appropriate'). 'notmedically' (an extraction artifact) reads as 'not'. Raises
    UnresolvedItemError when a numbered decision cannot be read."""
    return read_numbered_decisions(lines).resolved()


def read_numbered_decisions(lines: Sequence[str], offset: int = 0) -> ItemsRead:
    """Layout A's numbered decisions as read (one that cannot be read kept with ``decision`` None);
    line indexes count from ``offset``."""
    flat = Flat.of(lines, sep=" ", collapse=True, offset=offset)
    text = flat.text
    marks = list(_NUMBERED_SPLIT.finditer(text))
    out = ItemsRead()
    for k, mark in enumerate(marks):
        begin = mark.end()
        end = marks[k + 1].start() if k + 1 < len(marks) else len(text)
        body = text[begin:end]
        m = _A_DECISION.search(body)
        if not m:
            if re.search(r"medically necessary|determined", body, re.I):
                out.unresolved(f"numbered decision {mark.group(1)}: the decision could not be read")
                unread = _A_UNREAD.search(body)
                request = unread.group("req").strip() if unread else None
                where = flat.lines_at(mark.start(1), begin + unread.end() if unread else end)
                out.items.append(ItemRead(request, None, request_lines=where, decision_lines=where[-1:]))
            continue
        where = flat.lines_at(mark.start(1), begin + m.end())
        decision = "upheld" if m.group("neg") is not None else "overturned"
        said = m.start("neg") if m.group("neg") is not None else body.lower().rfind("medically", 0, m.end())
        out.items.append(
            ItemRead(
                request=m.group("req").strip(),
                decision=decision,  # type: ignore[arg-type]
                request_lines=where,
                decision_lines=flat.lines_at(begin + said, begin + m.end()),
            )
        )
    return out


# ---- layout A: per-item guideline and rationale sections ---------------------------------------

_A_SECTION_START = re.compile(r"^\s*Medical\s+Treatment\s+Guidelines?\b|^\s*Rationale\s+for\s*$", re.I)
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
    """What an older letter states under one item's own headings, and the indexes of the lines
    each heading's text was read from (``ca``, ``mx``, ``rat``)."""

    claims_administrator_guideline: Guideline
    reviewer_guideline: Guideline
    rationale: str | None
    lines: dict[str, list[int]] = field(default_factory=dict)


def parse_item_sections(lines: Sequence[str]) -> list[ItemSections]:
    """Layout A's per-item sections, in order: 'Medical Treatment Guideline(s) Relied Upon by the
    Claims Administrator:', '... by the Expert Reviewer:' and 'Rationale for the Decision:'. A new
    item begins at a claims-administrator heading (or a '1) Regarding the request for ...' line)."""
    groups: list[dict[str, list[tuple[int, str]]]] = []
    cur: list[tuple[int, str]] | None = None
    joined_to: int | None = None
    for i, line in enumerate(lines):
        if line == BREAK or i == joined_to:
            continue
        kind = next((k for k, rx in _A_SECTION.items() if rx.match(line)), None)
        if kind is None and _A_SECTION_START.match(line) and i + 1 < len(lines) and lines[i + 1] != BREAK:
            # a heading wrapped onto a second line ('... Relied Upon by the Claims' / 'Administrator:')
            both = f"{line.rstrip()} {lines[i + 1].lstrip()}"
            kind = next((k for k, rx in _A_SECTION.items() if (m := rx.match(both)) and m.end() > len(line)), None)
            if kind is not None:
                line, joined_to = both, i + 1
        if kind is None:
            if _A_ITEM_HEAD.match(line) or _A_STOP.match(line):
                cur = None
                if _A_ITEM_HEAD.match(line):
                    groups.append({})
            elif cur is not None:
                cur.append((i, line))
            continue
        if not groups or kind in groups[-1] or (kind == "ca" and groups[-1]):
            groups.append({})
        cur = groups[-1].setdefault(kind, [(i, _A_SECTION[kind].sub("", line, count=1))])
    out: list[ItemSections] = []
    for g in groups:
        if not g:
            continue
        text = {k: re.sub(r"\s+", " ", " ".join(t for _, t in v)).strip() for k, v in g.items()}
        where = {k: [i for i, _ in v] for k, v in g.items()}
        out.append(ItemSections(*classify_pair(text.get("ca"), text.get("mx")), text.get("rat") or None, where))
    return out
