"""The intermediate document: text lines grouped by page, plus what page geometry told us."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from imr.extract.pdf_text import Word

#: A line that stands for a paragraph break (vertical gap in a PDF, blank line in text).
BREAK = ""


@dataclass
class Document:
    """Text of one input file.

    ``pages`` holds each page's lines; an empty string marks a paragraph break.
    ``header_fields`` maps header labels (e.g. ``"Case Number"``) to values paired by position
    on page 1 of a PDF; it is empty for text inputs (the header is then read from the lines).
    Where the lines came from, for the evidence of each value: ``words`` (a PDF) holds each page's
    lines as their positioned words, parallel to ``pages`` (an empty list for a break);
    ``source_text`` (a text letter) is the decoded text the lines were split from.
    ``page_numbers``: the file's 1-based page number of each page, when the pages are not in the
    file's order (a copy put together out of order, read in the order of its own page numbers);
    None when they are.
    """

    pages: list[list[str]]
    media_type: str
    page_count: int | None = None
    header_fields: dict[str, str] = field(default_factory=dict)
    words: list[list[list[Word]]] | None = field(default=None, repr=False)
    source_text: str | None = field(default=None, repr=False)
    page_numbers: list[int] | None = None

    def lines(self) -> list[str]:
        """All lines in reading order, pages joined (page breaks are not paragraph breaks)."""
        out: list[str] = []
        for page in self.pages:
            out.extend(page)
        return out

    def text(self) -> str:
        return "\n".join(self.lines())
