"""Lines joined into one string that remembers where each line starts.

Parsers read sentences that wrap over lines by joining the lines; a :class:`Flat` keeps the offset
of every line in the joined text, so a match there maps back to the lines it was read from (the
positions of items and the evidence of every value).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from imr.extract.document import BREAK

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Flat:
    """``text``: the lines (paragraph breaks left out) joined by ``sep``; ``starts[k]`` is where the
    k-th joined line begins and ``index[k]`` its index in the lines given."""

    text: str
    starts: tuple[int, ...]
    index: tuple[int, ...]

    @classmethod
    def of(cls, lines: Sequence[str], sep: str = "\n", collapse: bool = False, offset: int = 0) -> Flat:
        """Join ``lines`` (BREAK lines left out). ``collapse``: each line's runs of whitespace become
        one space and its ends are trimmed (lines left empty are left out), so the text equals the
        lines joined by one space and collapsed as a whole. ``offset``: the index of ``lines[0]``
        (``lines`` being a slice that starts there)."""
        parts: list[str] = []
        starts: list[int] = []
        index: list[int] = []
        pos = 0
        for i, line in enumerate(lines, start=offset):
            if line == BREAK:
                continue
            text = _SPACE.sub(" ", line).strip() if collapse else line
            if collapse and not text:
                continue
            if parts:
                pos += len(sep)
            starts.append(pos)
            index.append(i)
            parts.append(text)
            pos += len(text)
        return cls(sep.join(parts), tuple(starts), tuple(index))

    def lines_at(self, start: int, end: int) -> list[int]:
        """Indexes (in the lines given) of the lines that the text between ``start`` and ``end``
        touches, in order (one line for an empty span)."""
        if not self.starts:
            return []
        first = max(0, bisect.bisect_right(self.starts, start) - 1)
        last = max(first, bisect.bisect_right(self.starts, max(start, end - 1)) - 1)
        return list(self.index[first : last + 1])

    def line_of(self, offset: int) -> int | None:
        """Index (in the lines given) of the line holding ``offset``; None when there are no lines."""
        found = self.lines_at(offset, offset + 1)
        return found[0] if found else None
