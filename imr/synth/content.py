"""The logical content of a synthetic letter: blocks of text plus the ground truth.

A :class:`SyntheticLetter` holds the truth (:class:`imr.models.Letter`) and an ordered list of
:class:`Block` objects. Renderers (``text_render``, ``pdf_render``) turn the blocks into bytes;
they never change the truth, so every rendering of one letter shares one gold record.
:class:`HardCases` holds the probabilities of the difficult cases the generator may choose.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass, field, fields, replace
from typing import Literal

from imr.models import Letter, LetterRecord, MediaType, Source

BlockKind = Literal["title", "heading", "paragraph", "header_table", "item_line", "labelled", "gap"]
LAYOUTS: tuple[str, ...] = ("A", "B", "C", "D1", "D2")


@dataclass(frozen=True)
class Block:
    """One logical unit of a letter.

    - ``title`` / ``heading``: a line of its own (``text``).
    - ``paragraph``: running text; ``"\\n"`` inside ``text`` is a forced line break.
    - ``header_table``: ``rows`` of (label, value) pairs (the D header table; C prints it as lines).
    - ``item_line``: an item's decision line: ``text`` + ``separator`` + ``label`` (the decision
      word, empty when missing); ``wrap_decision`` puts the word on a line of its own;
      ``split_at`` is an offset in ``text`` where a PDF page break may fall (a sentence end).
    - ``labelled``: ``label`` followed by ``text`` (guideline and rationale lines).
    - ``gap``: a paragraph break that plain text shows as an empty line run.

    ``role`` names the block for renderers (``issues_heading``, ``item``, ``ca_guideline``...).
    """

    kind: BlockKind
    text: str = ""
    label: str = ""
    role: str = ""
    ordinal: int | None = None
    separator: str = ": "
    wrap_decision: bool = False
    split_at: int | None = None
    rows: tuple[tuple[tuple[str, str], ...], ...] = ()
    as_lines: bool = False  # header_table: print one "label value" per line (layout C)


@dataclass(frozen=True)
class HardCases:
    """Probabilities of the difficult cases; each is drawn independently per letter or item."""

    many_items: float = 0.08  # 4 to 21 items instead of 1 to 3
    overturn: float = 0.12  # per item
    colon_in_item: float = 0.15  # a surgery with "Associated surgical service: X" items
    wrapped_decision: float = 0.12  # decision word on its own line
    double_space: float = 0.3  # two spaces after the colon of a decision line
    decoy_lines: float = 0.15  # rationale lines ending like decision lines
    modified_request: float = 0.15  # per modifiable item
    original_eligible: float = 0.3  # share of modified requests in the "original request" form
    retrospective: float = 0.1
    post_op: float = 0.1
    wrapped_specialty: float = 0.1
    no_space_states: float = 0.5
    extra_states: float = 0.4
    two_specialties: float = 0.35
    mixed_dates: float = 0.5
    non_ascii: float = 0.35
    headerless_d1: float = 0.35
    expedited: float = 0.05
    typos: float = 0.05
    # Older layouts and mailed copies (0 by default, so default letters stay as they were; drawn
    # only when above 0, see :func:`chance`).
    numbered_decisions: float = 0.0  # layout C: "1. <request> is (not) medically necessary and appropriate."
    item_sections: float = 0.0  # layout A: guideline and rationale headings under each item
    quoted_summary: float = 0.0  # layout A: the UR case summary quoted after "Disclaimer:", no heading
    page_furniture: float = 0.0  # letterhead, running header and "Page N of M" on every page
    rationale_tail: float = 0.0  # a rationale whose last sentence ends "... by the Claims Administrator."
    # Page furniture and older-layout cases missed on unseen letters (issue 21); 0 by default too.
    header_above_letterhead: float = 0.0  # a running header on every page, on page 1 above the letterhead
    degrees: float = 0.0  # the reviewer's degrees with no space after the commas ("MD,MPH", "M.D.,FACS")
    c_dated: float = 0.0  # layout C: a "Dated:" line under the title gives the decision date
    adopted_guidelines: float = 0.0  # layout A item sections: the reviewer finds the Claims Administrator's apt

    @classmethod
    def older(cls) -> HardCases:
        """The default mix plus every variant of the older layouts and of mailed copies."""
        return cls(numbered_decisions=0.7, item_sections=0.8, quoted_summary=0.6, page_furniture=0.6,
                   rationale_tail=0.3)  # fmt: skip

    @classmethod
    def furniture_and_credentials(cls) -> HardCases:
        """:meth:`older` plus the cases of issue 21: a running header above the letterhead, degrees
        listed without spaces, layout C's "Dated:" line, a layout A reviewer adopting the Claims
        Administrator's guidelines (each often, not always)."""
        return replace(cls.older(), header_above_letterhead=0.7, degrees=0.8, c_dated=0.7, adopted_guidelines=0.4)

    @classmethod
    def none(cls) -> HardCases:
        """No difficult cases: plain single-format letters (overturns still allowed)."""
        return cls(**{f.name: 0.0 for f in fields(cls) if f.name != "overturn"})

    @classmethod
    def every(cls) -> HardCases:
        """Every difficult case, often; item kinds that compete (surgery, post-op, retro) share the draw."""
        keep = {
            "original_eligible": 0.5, "overturn": 0.4, "many_items": 0.5, "headerless_d1": 0.5,
            "colon_in_item": 0.3, "post_op": 0.3, "retrospective": 0.4, "numbered_decisions": 0.5,
            "item_sections": 0.6, "quoted_summary": 0.5, "page_furniture": 0.5, "rationale_tail": 0.3,
            "header_above_letterhead": 0.3, "degrees": 0.5, "c_dated": 0.5, "adopted_guidelines": 0.4,
        }
        return cls(**{f.name: keep.get(f.name, 1.0) for f in fields(cls)})


def chance(rng: random.Random, p: float) -> bool:
    """True with probability ``p``; draws nothing when ``p`` is 0 (so adding a hard case with a
    default of 0 leaves every earlier letter of a seed unchanged)."""
    return p > 0 and rng.random() < p


@dataclass(frozen=True)
class Furniture:
    """Page furniture of a mailed copy: a letterhead (page 1, or every page), a running header
    and a "Page N of M" footer on every page; renderers break pages every ``lines_per_page``.
    ``header_first`` prints the running header above the letterhead."""

    letterhead: tuple[str, ...]
    running_header: str
    every_page: bool
    lines_per_page: int = 40
    header_first: bool = False  # the running header above the letterhead (page 1 too)


@dataclass
class SyntheticLetter:
    """A generated letter: ground truth, logical content and the hard cases it exercises."""

    layout: str
    letter: Letter
    blocks: list[Block]
    features: set[str] = field(default_factory=set)
    seed: int | None = None
    furniture: Furniture | None = None

    @property
    def case_number(self) -> str | None:
        """The case number printed in the letter (None for headerless layouts)."""
        return self.letter.case_number

    def has_non_ascii(self) -> bool:
        """Whether any block contains a character outside ASCII."""
        return any(not _ascii(b.text + b.label) for b in self.blocks)

    def record(
        self, *, path: str, data: bytes, media_type: MediaType, pages: int | None, ocr: bool = False
    ) -> LetterRecord:
        """The gold record of one rendering of this letter (``data`` = the written bytes; ``ocr``:
        a scanned rendering, whose text can only be read by OCR)."""
        source = Source(
            path=path, sha256=hashlib.sha256(data).hexdigest(), media_type=media_type, pages=pages, ocr=ocr
        )
        return LetterRecord(source=source, status="parsed", errors=[], letter=self.letter)


def _ascii(s: str) -> bool:
    return all(ord(c) < 128 for c in s)


def collapse(s: str) -> str:
    """Whitespace collapsed to single spaces and stripped (the gold convention for texts)."""
    return re.sub(r"\s+", " ", s).strip()
