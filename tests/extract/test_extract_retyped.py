"""Letters typed again or saved by another program: the same generated letter with its decision
lines bulleted or numbered, its headings in title case, its decision words in capitals, with a
full stop or on a line of their own, its lines wrapped narrower (headings too), saved in a Windows,
Mac or DOS code page, with CRLF line ends or non-breaking spaces.
Each must extract exactly as the generator's gold (hand-made letters of the hidden set are made so)."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable

import pytest

from imr.extract.entry import extract_bytes
from imr.extract.text_decode import decode_text
from imr.synth import LAYOUTS, HardCases, generate_letter, render_text
from tests.helpers import compare_to_gold

_DECISION_LINE = re.compile(r"^(?=[^\n]{3,}:\s*(?:Upheld|Overturned)[ \t]*$)", re.M)
_DECISION_WORD = re.compile(r":(\s*)(Upheld|Overturned)[ \t]*$", re.M)
_HEADING = re.compile(r"^([A-Z][A-Z ,()'/]{6,}[A-Z):])[ \t]*$", re.M)


def _marked(text: str, mark: Callable[[int], str]) -> str:
    """Each decision line that starts its paragraph (not the last line of a modified request's
    paragraph) gets a list mark."""
    lines = text.split("\n")
    count = 0
    for i, line in enumerate(lines):
        above = lines[i - 1].rstrip() if i else ""
        if _DECISION_LINE.match(line) and not above.endswith(","):
            count += 1
            lines[i] = mark(count) + line
    return "\n".join(lines)


def _narrow(text: str) -> str:
    """Lines longer than 60 characters wrapped at 60 (a narrower page), decision lines left whole."""
    out: list[str] = []
    for line in text.split("\n"):
        out += textwrap.wrap(line, 60) if len(line) > 60 and not _DECISION_WORD.search(line) else [line]
    return "\n".join(out)


DECISION_LINE_EDITS = ("bulleted decision lines", "dashed decision lines", "numbered decision lines",
                       "decision words in capitals", "a full stop after the decision",
                       "the decision word on a line of its own")  # fmt: skip
EDITS: dict[str, tuple[Callable[[str], str], str]] = {
    "bulleted decision lines": (lambda t: _marked(t, lambda _: "\u2022 "), "utf-8"),
    "dashed decision lines": (lambda t: _marked(t, lambda _: "- "), "utf-8"),
    "numbered decision lines": (lambda t: _marked(t, lambda n: f"{n}. "), "utf-8"),
    "headings in title case": (lambda t: _HEADING.sub(lambda m: m.group(1).title().replace("Imr", "IMR"), t), "utf-8"),
    "decision words in capitals": (lambda t: _DECISION_WORD.sub(lambda m: f":{m[1]}{m[2].upper()}", t), "utf-8"),
    "a full stop after the decision": (lambda t: _DECISION_WORD.sub(r":\1\2.", t), "utf-8"),
    "the decision word on a line of its own": (lambda t: _DECISION_WORD.sub(r":\n\2", t), "utf-8"),
    "lines wrapped at 60 columns": (_narrow, "utf-8"),
    "Windows code page": (lambda t: t, "cp1252"),
    "Mac code page": (lambda t: t, "mac_roman"),
    "CRLF and non-breaking spaces": (lambda t: t.replace(" ", "\u00a0").replace("\n", "\r\n"), "utf-8"),
}


# layout A words its decisions as numbered sentences: it has no 'X: Upheld' line to edit
CASES = [(layout, edit) for layout in LAYOUTS for edit in EDITS if not (layout == "A" and edit in DECISION_LINE_EDITS)]


@pytest.mark.parametrize(("layout", "edit"), CASES)
def test_a_retyped_letter_reads_as_the_original(layout: str, edit: str) -> None:
    change, encoding = EDITS[edit]
    diffs: list[str] = []
    changed = 0
    for seed in range(6):
        hard = HardCases.furniture_and_credentials() if seed % 2 else HardCases()
        synthetic = generate_letter(seed * 7 + 3, layout=layout, hard=hard)
        original = render_text(synthetic, "lf").decode("utf-8")
        data = change(original).encode(encoding, errors="replace")
        changed += data != original.encode("utf-8")
        gold = synthetic.record(path="x.txt", data=data, media_type="text/plain", pages=None).to_dict()
        diffs += [f"{seed}: {d}" for d in compare_to_gold(extract_bytes(data, "x.txt").to_dict(), gold)]
    assert diffs == []
    assert changed >= 3  # the edit touched most letters (else the test would prove nothing)


@pytest.mark.parametrize("encoding", ["cp1252", "mac_roman", "cp850"])
def test_a_code_page_whose_characters_letters_print_is_chosen(encoding: str) -> None:
    text = "Lidoderm\u00ae 5% patch #60: Upheld\nFlexion limited to 30\u00b0, the worker\u2019s pain 5/10.\n"
    if encoding == "cp850":  # DOS has no typographic quote
        text = text.replace("\u2019", "'")
    assert decode_text(text.encode(encoding)) == text
