"""OCR'd words: conservative cleanup and the confidence checks that stop a guessed decision.

Cleanup only undoes what a scan adds: speckle read as punctuation, table rules read as ``|``,
``:-`` for ``:``, and a fixed set of glyph confusions inside the two decision words (``Upheid``,
``Overtumed``). It never makes an unreadable decision word readable: a word in a decision position
that is read with low confidence, or that resembles a decision word without being one, raises
:class:`~imr.errors.OcrLowConfidenceError`, and so does a header date or case number read with low
confidence. A header date or case number that fails its checks or is in doubt is read again
(:func:`imr.extract.ocr.reread_header_values`) and takes a value only when those reads agree
(:func:`agreed_reading`). The cleanup mends structure, never values: a label's misread letters, a case
number OCR split in two words, a colon read as ``;`` before a decision word. Thresholds are
Tesseract's per-word confidences (0-100), in :data:`~imr.extract.ocr_settings.OCR_SETTINGS` with
the other tolerances; ``bench/ocr.py`` measures them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from imr.extract.dates import parse_date
from imr.extract.distance import edit_distance
from imr.extract.fax import is_fax_header
from imr.extract.header import CASE_RE
from imr.extract.ocr_settings import OCR_SETTINGS as S
from imr.extract.pdf_text import Word

_DECISION_FORMS: dict[str, re.Pattern[str]] = {
    "upheld": re.compile(r"^[uU][pP][hH][eEcC][lI1i|!][dD]$"),
    "overturned": re.compile(r"^[oO0][vV][eEcC][rR][tT][uU](?:rn|m|rm|ri|n)[eEcC][dD]$"),
}
_LEAD = re.compile(r"^[:;.,'`\"~_\-\u2013\u2014\u2018\u2019\u201c\u201d|]+")
_TRAIL = re.compile(r"[.,;'`\"~_\u2018\u2019\u201c\u201d|]+$")
_HEADER_LABEL = re.compile(
    r"Case\s+Number|Date\s+Assigned|Date\s+of\s+Injury|Decision\s+Date|UR\s+Denial|Received|Dated", re.I
)
#: The heading after which item decision lines stand (every layout names decisions, issues or rationales).
_DECISIONS_HEADING = re.compile(r"\b(DECISIONS?|ISSUES?|RATIONALES?)\b")
_HEADING = re.compile(r"^[A-Z][A-Z()/,'&\- ]{12,}:?$")
_HEADER_VALUE = re.compile(r"\d{1,2}[/-]\d{1,2}[/-]\d{2,4}|CM\d", re.I)
_SENTENCE_KEY = re.compile(r"^appropriate[.,;]?$", re.I)


@dataclass
class OcrWord(Word):
    """A word read by OCR: Tesseract's confidence (0-100), its own box height and line number."""

    conf: float = 100.0
    box_height: float = 0.0
    line: int = 0
    #: the word's box in the page image (pixels, before deskewing), for a second read
    px: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)


def decision_form(text: str) -> str | None:
    """``Upheld``/``Overturned`` (case as written) when ``text``, stripped of scan punctuation, is a
    decision word or one of its fixed glyph confusions; else None. Never a fuzzy match."""
    core = _TRAIL.sub("", _LEAD.sub("", text))
    for word, pattern in _DECISION_FORMS.items():
        if pattern.match(core):
            return word.capitalize() if core[:1].isupper() or core[:1] == "0" else word
    return None


def resembles_decision(text: str) -> bool:
    """True when ``text`` looks like a damaged decision word (similar letters, not a clean read)."""
    letters = re.sub(r"[^a-z]", "", text.lower())
    if len(letters) < S.resemble_min_letters:
        return False
    return any(difflib.SequenceMatcher(None, letters, w).ratio() >= S.decision_similarity for w in _DECISION_FORMS)


def clean_words(words: Sequence[OcrWord]) -> list[OcrWord]:
    """Drop speckle and table-rule fragments; restore decision words from fixed glyph confusions."""
    out: list[OcrWord] = []
    for i, w in enumerate(words):
        text = w.text.strip().strip("|").strip()
        if not text:
            continue
        nxt = words[i + 1] if i + 1 < len(words) and words[i + 1].line == w.line else None
        prev = out[-1] if out and out[-1].line == w.line else None
        if not any(c.isalnum() for c in text):
            before_decision = nxt is not None and decision_form(nxt.text) is not None
            if ":" in text and before_decision:
                if prev is not None and not prev.text.endswith(":"):
                    prev.text += ":"  # 'shoulder :- Upheld'
                continue
            if before_decision and prev is not None and prev.text.endswith(":"):
                continue  # 'shoulder: - Upheld'
            if w.conf < S.speckle_max_conf or w.box_height < S.speckle_box_ratio * w.height:
                continue
        form = decision_form(text)
        if form is not None:
            lead = _LEAD.match(text)
            if lead and ":" in lead.group(0) and prev is not None and not prev.text.endswith(":"):
                prev.text += ":"  # 'shoulder :-Upheld'
            text = form
        elif text.endswith((":-", ":.", ":_")):
            text = text[:-1]
        elif text.endswith(";") and _ends_with_decision(words, i):
            text = text[:-1] + ":"  # 'TENS unit; Upheld': a colon read as a semicolon before the decision
        out.append(
            OcrWord(text, w.x0, w.x1, w.top, w.bottom, conf=w.conf, box_height=w.box_height, line=w.line, px=w.px)
        )
    out = join_split_labels(out)
    out = join_split_case_numbers(out)
    fix_labels(out)
    return out


def _ends_with_decision(words: Sequence[OcrWord], i: int) -> bool:
    """Whether the word after ``words[i]`` is a decision word and the last word of its line."""
    nxt = words[i + 1] if i + 1 < len(words) and words[i + 1].line == words[i].line else None
    last = i + 2 >= len(words) or words[i + 2].line != words[i].line
    return nxt is not None and last and decision_form(nxt.text) is not None


_CASE_HEAD = re.compile(r"^CM\d{2}-\d{1,6}$")
_CASE_TAIL = re.compile(r"^\d{1,6}$")


def join_split_case_numbers(words: list[OcrWord]) -> list[OcrWord]:
    """Join a case number OCR split in two words ('CM16-01234' '56'): a head ``CM<yy>-<digits>``
    and a tail of digits on the same line, at most ``case_split_max_gap`` line heights apart,
    that together make exactly ``CM<yy>-<7 digits>``. Digits are never changed, only joined; the
    joined word keeps the lower confidence of its parts (so it is read again when in doubt)."""
    out: list[OcrWord] = []
    for w in words:
        prev = out[-1] if out and out[-1].line == w.line else None
        if (
            prev is not None
            and _CASE_HEAD.match(prev.text)
            and _CASE_TAIL.match(w.text)
            and CASE_RE.fullmatch(prev.text + w.text)
            and w.x0 - prev.x1 <= S.case_split_max_gap * max(prev.height, w.height)
        ):
            out[-1] = OcrWord(
                prev.text + w.text,
                prev.x0,
                w.x1,
                min(prev.top, w.top),
                max(prev.bottom, w.bottom),
                conf=min(prev.conf, w.conf),
                box_height=max(prev.box_height, w.box_height),
                line=w.line,
                px=(prev.px[0], min(prev.px[1], w.px[1]), w.px[2], max(prev.px[3], w.px[3])),
            )
            continue
        out.append(w)
    return out


#: Labels the parser keys on; OCR glues speckle to them ('Claims. Administrator guideline:').
LABELS: tuple[tuple[str, ...], ...] = (
    ("Claims", "Administrator", "guideline:"),
    ("MAXIMUS", "guideline:"),
    ("Decision", "rationale:"),
    ("Case", "Number:"),
    ("Date", "Assigned:"),
    ("Date", "of", "Injury:"),
    ("Decision", "Date:"),
    ("UR", "Denial", "Date:"),
    ("Application", "Received:"),
)


def _letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def _read_colon(text: str) -> bool:
    """Whether a label's last word was read with its colon: ':' anywhere in it, or a ';' that ends
    it (OCR reads a colon as a semicolon now and then)."""
    return ":" in text or text.endswith(";")


#: Letters a fax tells apart by one thin stroke or a narrow opening, which a standard-mode page
#: (every other scan line of a fine one) loses: an e's crossbar, a c's gap ('Roooivod:' for 'Received:').
_FAX_ALIKE = str.maketrans("ec", "oo")


def _alike(word: str, token: str) -> bool:
    """The same letters, but for letters a fax confuses (:data:`_FAX_ALIKE`)."""
    return _letters(word).translate(_FAX_ALIKE) == _letters(token).translate(_FAX_ALIKE)


def _near(word: str, token: str) -> bool:
    """Same letters, the same but for letters a fax confuses (:data:`_FAX_ALIKE`), or (a label
    word of ``label_near_min_letters``+ letters) at most ``label_max_distance`` letters misread,
    lost or added."""
    a, b = _letters(word), _letters(token)
    if _alike(word, token):
        return True
    return (
        len(b) >= S.label_near_min_letters
        and len(a) >= S.label_near_min_read
        and edit_distance(a, b) <= S.label_max_distance
    )


#: Long label words restored alone (a wrapped label puts them on a line of their own); one that
#: ends with a colon is restored only when it was read with its colon.
_LONE_LABEL_WORDS = ("Application", "Received:")


def join_split_labels(words: list[OcrWord]) -> list[OcrWord]:
    """Join a label word OCR split in two ('guidelin e:', 'g uideline:') when its neighbour in the
    label is read exactly; other words are never joined."""
    out: list[OcrWord] = []
    i = 0
    while i < len(words):
        w = words[i]
        nxt = words[i + 1] if i + 1 < len(words) and words[i + 1].line == w.line else None
        if nxt is not None and _is_split_label(
            out[-1] if out and out[-1].line == w.line else None, w, nxt, words[i + 2 : i + 3]
        ):
            out.append(
                OcrWord(
                    w.text + nxt.text,
                    w.x0,
                    nxt.x1,
                    w.top,
                    w.bottom,
                    conf=min(w.conf, nxt.conf),
                    box_height=max(w.box_height, nxt.box_height),
                    line=w.line,
                    px=(w.px[0], min(w.px[1], nxt.px[1]), nxt.px[2], max(w.px[3], nxt.px[3])),
                )
            )
            i += 2
            continue
        out.append(w)
        i += 1
    return out


def _is_split_label(prev: OcrWord | None, a: OcrWord, b: OcrWord, after: Sequence[OcrWord]) -> bool:
    joined = _letters(a.text + b.text)
    for label in LABELS:
        for j, tok in enumerate(label):
            if len(_letters(tok)) < S.split_label_min_letters or joined != _letters(tok) or _letters(a.text) == joined:
                continue
            before_ok = j > 0 and prev is not None and _letters(prev.text) == _letters(label[j - 1])
            after_ok = j + 1 < len(label) and bool(after) and after[0].line == a.line
            after_ok = after_ok and _letters(after[0].text) == _letters(label[j + 1])
            if before_ok or after_ok:
                return True
    return False


def _long_label_at_line_start(prev: OcrWord | None, seq: Sequence[OcrWord], label: Sequence[str]) -> bool:
    """A label of ``long_label_min_words`` words or more that starts its line (its words each
    :func:`_near` theirs, which the caller checks), ``long_label_max_distance`` letters off in all,
    the last read with its colon or with the colon read as one more letter ('Claim Adminiotrator
    guidelines' for 'Claims Administrator guideline:') when another of its words was misread too
    (prose read cleanly, 'Claims Administrator guidelines were ...', stays prose): so many letters
    in their order at the start of a line are the label even with no word read exactly."""
    if len(label) < S.long_label_min_words or (prev is not None and prev.line == seq[0].line):
        return False
    read = [_letters(w.text) for w in seq]
    want = [_letters(tok) for tok in label]
    last_read, last_want = read[-1], want[-1]
    misread = read[:-1] != want[:-1]
    extra = len(last_read) == len(last_want) + 1 and last_read.startswith(last_want)
    colon = _read_colon(seq[-1].text) or (extra and misread)
    distance = sum(edit_distance(a, b) for a, b in zip(read[:-1], want[:-1], strict=True))
    distance += edit_distance(last_read if _read_colon(seq[-1].text) else last_read[:-1], last_want)
    return colon and distance <= S.long_label_max_distance


def fix_labels(words: list[OcrWord]) -> None:
    """Restore the parser's labels when OCR glued speckle to them ('Claims. Administrator') or
    misread a few letters of their words ('Daie Assigned:', 'UR Denia! Daie:'): each word at most
    2 letters off, at least one word read exactly (or but for letters a fax confuses: 'Dato'),
    and the last word read with its colon (or a semicolon for it: 'guideline;'); a label of three
    words or more that starts its line also when no word is exact
    (:func:`_long_label_at_line_start`). Labels are structure, never values: no date, number or
    decision is changed here."""
    for i in range(len(words)):
        for label in LABELS:
            seq = words[i : i + len(label)]
            if len(seq) < len(label) or any(w.line != seq[0].line for w in seq):
                continue
            exact = [_alike(w.text, tok) for w, tok in zip(seq, label, strict=True)]
            near = all(_near(w.text, tok) for w, tok in zip(seq, label, strict=True))
            long = near and _long_label_at_line_start(words[i - 1] if i else None, seq, label)
            colon = _read_colon(seq[-1].text) or long  # a long label's colon may be read as a letter
            if all(exact) or (near and colon and (any(exact) or long)):
                for w, tok in zip(seq[:-1], label[:-1], strict=True):
                    w.text = tok
                if colon:
                    seq[-1].text = label[-1]
                break
        w = words[i]
        for lone in _LONE_LABEL_WORDS:
            same_length = len(_letters(w.text)) == len(_letters(lone))
            misread = same_length and _letters(w.text) != _letters(lone) and _near(w.text, lone)
            capital = _LEAD.sub("", w.text)[:1].isupper()  # speckle before it is read as a quote: '‘Recelved:'
            if capital and misread and (not lone.endswith(":") or _read_colon(w.text)):
                w.text = lone


def _lines(words: Sequence[OcrWord]) -> list[list[OcrWord]]:
    lines: list[list[OcrWord]] = []
    for w in words:
        if lines and lines[-1][-1].line == w.line:
            lines[-1].append(w)
        else:
            lines.append([w])
    return lines


#: Why a header date or case number is in doubt.
HEADER_DOUBT = "a header date or case number was read with low OCR confidence"
#: Why the words after an item's colon are in doubt.
UNREADABLE_TAIL = "the word after an item's colon could not be read"


@dataclass
class Doubt:
    """A decisive word read with low confidence (``word``; None when a second read cannot help),
    on page ``page`` (index into the OCR'd pages), and why it is in doubt; ``line``: the words
    of the line it stands on, when known."""

    page: int
    word: OcrWord | None
    reason: str
    min_conf: float = S.decision_min_conf
    line: tuple[OcrWord, ...] = ()


def low_confidence_reason(
    pages: Sequence[Sequence[OcrWord]], header_first: bool = True, header_page: int | None = None
) -> str | None:
    """Why the OCR'd words cannot be trusted, or None when nothing decisive is in doubt."""
    doubts = find_doubts(pages, header_first, header_page)
    return doubts[0].reason if doubts else None


def confirms(doubt: Doubt, text: str, conf: float) -> bool:
    """True when a second, independent read of the doubtful word gives the same word with enough
    confidence (the same decision word, or the same date or case number character for character)."""
    if doubt.word is None or conf < doubt.min_conf:
        return False
    first, second = _core(doubt.word.text), _core(text)
    if decision_form(first) is not None:
        return decision_form(second) == decision_form(first)
    return bool(second) and second == first


def item_tail(line: Sequence[OcrWord]) -> list[OcrWord]:
    """The words after the last colon of ``line`` (where an item's decision stands)."""
    colon = max((i for i, w in enumerate(line) if w.text.endswith(":") or w.text == ":"), default=-1)
    return list(line[colon + 1 :])


def legible_tail(reads: Sequence[Sequence[tuple[str, float]]]) -> float | None:
    """The confidence to give the words after an item's colon that the page could not read, when
    further reads of their crop (``reads``: each a list of words, text and confidence) show they are
    legible words that are no decision: one read gives every word at least ``decision_min_conf``
    and no read gives a decision word or a word like one (``Ipheld`` is a damaged decision, not
    legible text). None when they may be a decision: the doubt stands."""
    for words in reads:
        text = " ".join(t for t, _ in words)
        if decision_form(text) is not None or resembles_decision(text):
            return None
        if any(decision_form(t) is not None or resembles_decision(t) for t, _ in words):
            return None
    sure = [min(c for _, c in words) for words in reads if words and min(c for _, c in words) >= S.decision_min_conf]
    return max(sure) if sure else None


def confirmed_by(doubt: Doubt, reads: Sequence[tuple[str, float]]) -> float | None:
    """The confidence further reads of a doubtful word (text, confidence) give it, or None: the
    first read alone confirms it (:func:`confirms`), or else ``reread_min_agree`` reads do and no
    read gives another word (another decision) with ``min_conf`` or more."""
    if not reads:
        return None
    if confirms(doubt, *reads[0]):
        return reads[0][1]
    yes = [conf for text, conf in reads if confirms(doubt, text, conf)]
    against = [text for text, conf in reads if conf >= doubt.min_conf and not confirms(doubt, text, conf)]
    return min(yes) if len(yes) >= S.reread_min_agree and not against else None


def _core(text: str) -> str:
    return _TRAIL.sub("", _LEAD.sub("", text.strip()))


#: A header date as OCR reads it, valid or not ('12/01/2016', '42/01/2016', '1/11/17').
_DATE_SHAPED = re.compile(r"\d{1,2}[/-]\d{1,2}[/-](?:\d{4}|\d{2})")
#: A case number as OCR may read it: letters (or a misread letter) before the year, a dash, digits
#: ('CM16-0123456', 'EM16-0123456', 'CMi6-0123456', 'CM16-01234').
_CASE_SHAPED = re.compile(r"[A-Z][A-Za-z]{0,2}[A-Za-z0-9]{1,3}[-~]\d{4,9}")


def _bare(text: str) -> str:
    """``text`` without the punctuation OCR glues to a value's ends."""
    return re.sub(r"^[^0-9A-Za-z]+|[^0-9A-Za-z]+$", "", text.strip())


def header_value_key(text: str) -> str | None:
    """What a header date or case number read as ``text`` says, when it passes the checks of
    :mod:`imr.extract.ocr_checks` (a valid date: its ISO form; a case number ``CM<yy>-<7 digits>``:
    itself); None when it does not."""
    core = _bare(text)
    if CASE_RE.fullmatch(core):
        return core
    if _DATE_SHAPED.fullmatch(core):
        when = parse_date(core)
        return when.isoformat() if when is not None else None
    return None


def is_header_value(text: str) -> bool:
    """Whether ``text`` is shaped like a header date or a case number, read well or not."""
    core = _bare(text)
    return bool(_DATE_SHAPED.fullmatch(core) or _CASE_SHAPED.fullmatch(core))


def agreed_reading(first: OcrWord, reads: Sequence[tuple[str, float]]) -> tuple[str, float] | None:
    """The header value (text, confidence) that reads of one header date or case number agree on,
    or None when they do not agree enough. ``first`` is the page's read; ``reads`` are further
    reads of the same crop (text, Tesseract's confidence).

    A read votes for what it says when it passes the header checks (:func:`header_value_key`) with
    at least ``header_min_conf``; the page's read votes when it passes them at all. The value is
    taken only when every vote says the same, at least ``reread_min_agree`` votes say it (so never
    on one read alone), and it is at most ``reread_max_edits`` characters from the page's read (a
    re-read mends a glyph or two, never reads another value). Its confidence is the least of the
    further reads that say it."""
    first_key = header_value_key(first.text)
    votes: list[tuple[str, str, float]] = [(first_key, _bare(first.text), first.conf)] if first_key else []
    for text, conf in reads:
        key = header_value_key(text)
        if key is not None and conf >= S.header_min_conf:
            votes.append((key, _bare(text), conf))
    if len(votes) < S.reread_min_agree or len({key for key, _, _ in votes}) != 1:
        return None
    others = [(text, conf) for _, text, conf in votes[1 if first_key else 0 :]]
    if not others:
        return None
    texts = [t for t, _ in others]
    text = _bare(first.text) if first_key else max(texts, key=texts.count)  # the first of the most said
    if edit_distance(text, _bare(first.text)) > S.reread_max_edits:
        return None
    return text, min(conf for _, conf in others)


def find_doubts(
    pages: Sequence[Sequence[OcrWord]], header_first: bool = True, header_page: int | None = None
) -> list[Doubt]:
    """Every decisive word in doubt: a decision word (or a word of a numbered decision sentence)
    or a header date/case number read with low confidence, a damaged decision word, an unreadable
    word where an item's decision should stand. ``header_first``: the first of ``pages`` is the
    letter's page 1 (which carries the header); ``header_page``, when given, says which of
    ``pages`` is (the page after a fax cover sheet)."""
    header_at = header_page if header_page is not None else (0 if header_first else -1)
    doubts: list[Doubt] = []
    in_decisions = False
    for number, words in enumerate(pages):
        lines = _lines(words)
        for line in lines:
            in_decisions = in_decisions or bool(_DECISIONS_HEADING.search(" ".join(w.text for w in line)))
            doubts += _decision_tail(number, line, in_decisions)
        if number == header_at:
            doubts += _header_zone(lines, number)
        for i, w in enumerate(words):
            if _SENTENCE_KEY.match(w.text) and i >= 2 and words[i - 1].text.lower() == "and":
                window = words[max(0, i - S.sentence_window_words) : i + 1]
                if any(x.text.lower().startswith("necessar") for x in window):
                    doubts += [
                        Doubt(number, x, "a decision sentence was read with low OCR confidence")
                        for x in window
                        if x.conf < S.decision_min_conf
                    ]
    return doubts


def _decision_tail(page: int, line: Sequence[OcrWord], in_decisions: bool = True) -> list[Doubt]:
    tail = item_tail(line)
    if not tail or len(tail) > S.decision_tail_max_words:
        return []
    colon = len(tail) < len(line)  # the line has a colon before its tail
    if not colon and len(line) > 1:
        return []  # not a decision line ('Upheld' alone on its line, or after the last colon)
    text = " ".join(w.text for w in tail)
    if decision_form(text) is not None:
        return [
            Doubt(page, w, "a decision word was read with low OCR confidence", line=tuple(line))
            for w in tail
            if w.conf < S.decision_min_conf
        ]
    if resembles_decision(text):
        return [Doubt(page, None, "a decision word could not be read (damaged in the scan)", line=tuple(line))]
    width = max(w.x1 for w in tail) - min(w.x0 for w in tail)
    unreadable = max(w.conf for w in tail) < S.unreadable_max_conf and not any(c.isdigit() for c in text)
    unreadable = unreadable and width >= S.unreadable_min_width
    if unreadable and in_decisions and colon and not _HEADER_LABEL.search(" ".join(w.text for w in line)):
        return [Doubt(page, None, UNREADABLE_TAIL, line=tuple(line))]
    return []


def _header_zone(lines: Sequence[Sequence[OcrWord]], page: int = 0) -> list[Doubt]:
    """Dates and case numbers above the first heading of page 1 (the header) must be read with
    confidence: a misread digit there is a wrong fact, not a visible gap."""
    out: list[Doubt] = []
    for line in _header_lines(lines):
        out += [
            Doubt(page, w, HEADER_DOUBT, S.header_min_conf, tuple(line))
            for w in line
            if _HEADER_VALUE.search(w.text) and w.conf < S.header_min_conf
        ]
    return out


def _header_lines(lines: Sequence[Sequence[OcrWord]]) -> list[Sequence[OcrWord]]:
    """The lines of page 1 above its first heading (the header), without a fax machine's line."""
    out: list[Sequence[OcrWord]] = []
    for line in lines:
        words = [w.text for w in line]
        if len(words) >= S.heading_min_words and _HEADING.match(" ".join(words)):
            break
        if not is_fax_header(" ".join(words)):
            out.append(line)
    return out


def header_values_in_doubt(words: Sequence[OcrWord]) -> list[OcrWord]:
    """The header dates and case numbers of page 1 (``words``) worth reading again: shaped like one
    (:func:`is_header_value`) but failing its checks (``42/01/2016``, ``CMi6-0123456``), or read
    with less than ``header_min_conf``."""
    return [
        w
        for line in _header_lines(_lines(words))
        for w in line
        if is_header_value(w.text) and (header_value_key(w.text) is None or w.conf < S.header_min_conf)
    ]
