"""Plain-text renderings of a synthetic letter.

Variants (``TEXT_VARIANTS``):

- ``lf``: UTF-8, ``\\n`` line ends, lines wrapped at about 95 characters (as text extracted
  from a PDF looks);
- ``crlf``: the same with ``\\r\\n``;
- ``bom``: UTF-8 with a byte-order mark;
- ``cp1252``: Windows-1252 bytes (only for letters with non-ASCII characters, so the encoding
  matters);
- ``seed``: the format of the shared seed files: every line followed by a blank line, a trailing
  space on each line, paragraph breaks as a line holding one space, page breaks as runs of blank
  lines.
"""

from __future__ import annotations

import textwrap

from imr.synth.content import Block, Furniture, SyntheticLetter

TEXT_VARIANTS: tuple[str, ...] = ("lf", "crlf", "bom", "cp1252", "seed")
PAGE_BREAK = "\f"  # marker inside the line list; rendered as a blank-line run in "seed", dropped otherwise


def _wrap(text: str, width: int) -> list[str]:
    if width <= 0:
        return [text]
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or [""]


def _wrap_forced(text: str, width: int) -> list[str]:
    out: list[str] = []
    for segment in text.split("\n"):
        out.extend(_wrap(segment, width))
    return out


def block_lines(block: Block, width: int = 95) -> list[str]:
    """The text lines of one block (a ``PAGE_BREAK`` entry marks a split modification paragraph)."""
    if block.kind in ("title", "heading"):
        return [block.text]
    if block.kind == "gap":
        return [""]
    if block.kind == "paragraph":
        return _wrap_forced(block.text, width)
    if block.kind == "header_table":
        if block.as_lines:
            return [f"{label} {value}" for row in block.rows for label, value in row]
        return [" ".join(f"{label} {value}" for label, value in row) for row in block.rows]
    if block.kind == "labelled":
        return _wrap_forced(f"{block.label} {block.text}", width)
    # item_line
    if not block.label:
        return _wrap(block.text + block.separator.rstrip(), width)
    if block.wrap_decision:
        return [*_wrap(block.text + block.separator.rstrip(), width), block.label]
    lines = _wrap(block.text + block.separator + block.label, width)
    if block.split_at is not None:
        first = _wrap(block.text[: block.split_at], width)
        rest = _wrap(block.text[block.split_at :] + block.separator + block.label, width)
        return [*first, PAGE_BREAK, *rest]
    return lines


def text_lines(letter: SyntheticLetter, width: int = 95) -> list[str]:
    """All lines of the letter in reading order (``PAGE_BREAK`` entries included)."""
    out: list[str] = []
    for block in letter.blocks:
        out.extend(block_lines(block, width))
    return out


def plain_text(letter: SyntheticLetter, width: int = 95) -> str:
    """The letter as one ``\\n``-separated string (what the ``lf`` variant encodes)."""
    return "\n".join(line for line in text_lines(letter, width) if line != PAGE_BREAK) + "\n"


_TOTAL = "\x00pages\x00"  # placeholder for the page count M of "Page N of M"


def page_top(furniture: Furniture, page: int) -> list[str]:
    """Furniture lines at the top of page ``page`` (1-based): letterhead, running header."""
    head = list(furniture.letterhead) if page == 1 or furniture.every_page else []
    if furniture.header_first:
        return [furniture.running_header, *head]
    return [*head, furniture.running_header]


def page_footer(page: int, total: int | str) -> str:
    """The footer line of page ``page``."""
    return f"Page {page} of {total}"


def _paginated(letter: SyntheticLetter, furniture: Furniture, width: int) -> str:
    """The ``lf`` text of a mailed copy: pages of ``lines_per_page`` body lines, each dressed with
    its furniture, separated by form feeds."""
    pages: list[list[str]] = [[]]
    for line in text_lines(letter, width):
        if line == PAGE_BREAK or len(pages[-1]) >= furniture.lines_per_page:
            pages.append([])
            if line == PAGE_BREAK:
                continue
        pages[-1].append(line)
    out: list[str] = []
    for n, body in enumerate(pages, start=1):
        if n > 1:
            out.append("\f")
        out.extend([*page_top(furniture, n), "", *body, "", page_footer(n, len(pages))])
    return "\n".join(out) + "\n"


def _seed_text(letter: SyntheticLetter, width: int) -> str:
    parts: list[str] = []
    since_break = 0
    previous_kind = ""
    furniture = letter.furniture
    page = 1
    if furniture:
        parts.extend(f"{line} \n\n" for line in page_top(furniture, page))
    for index, block in enumerate(letter.blocks):
        if index and (block.kind in ("heading", "item_line") or previous_kind == "heading"):
            parts.append(" \n\n")  # paragraph break
        for line in block_lines(block, width):
            if line == PAGE_BREAK or since_break >= 48:
                if furniture:
                    parts.append(f" \n\n{page_footer(page, _TOTAL)} \n\n")
                parts.append("\n" * 4)
                since_break = 0
                page += 1
                if furniture:
                    parts.extend(f"{top} \n\n" for top in page_top(furniture, page))
                if line == PAGE_BREAK:
                    continue
            parts.append(f"{line} \n\n")
            since_break += 1
        previous_kind = block.kind
    if furniture:
        parts.append(f" \n\n{page_footer(page, _TOTAL)} \n\n")
    return (" " + "".join(parts)).replace(_TOTAL, str(page))


def render_text(letter: SyntheticLetter, variant: str = "lf", width: int = 95) -> bytes:
    """The letter as bytes in ``variant`` (see module docstring).

    Raises ValueError for an unknown variant, or for ``cp1252`` when the letter is pure ASCII.
    """
    if variant == "seed":
        return _seed_text(letter, width).encode("utf-8")
    text = _paginated(letter, letter.furniture, width) if letter.furniture else plain_text(letter, width)
    if variant == "lf":
        return text.encode("utf-8")
    if variant == "crlf":
        return text.replace("\n", "\r\n").encode("utf-8")
    if variant == "bom":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    if variant == "cp1252":
        if not letter.has_non_ascii():
            raise ValueError("cp1252 rendering needs a letter with non-ASCII characters")
        return text.encode("cp1252")
    raise ValueError(f"unknown text variant {variant!r}; expected one of {', '.join(TEXT_VARIANTS)}")
